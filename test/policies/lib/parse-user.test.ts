import * as assert from "node:assert/strict";
import { ROOT_USER_SPELLINGS } from "./spellings";
import { groupAddProblem, parseUserSpec, userSpecProblem } from "../../../policies/lib/parse/user";

describe("parse/user: user and group specs as Docker resolves them", () => {
    it("#1 split at the first ':'", () => {
        assert.deepEqual(parseUserSpec("a:b:c"), { user: "a", group: "b:c" });
        assert.deepEqual(parseUserSpec("10001"), { user: "10001", group: undefined });
    });

    it("#2 plain non-zero uid:gid passes, leading zeros read as Docker reads them", () => {
        for (const spec of ["10001:10001", "1:1", "010001:010001", "2147483647:2147483647"]) {
            assert.equal(userSpecProblem(spec), undefined, spec);
        }
    });

    it("#3 every spelling of root, a name, or a missing group is refused", () => {
        for (const spec of ROOT_USER_SPELLINGS) {
            assert.ok(userSpecProblem(spec), spec);
        }
        assert.deepEqual(userSpecProblem("00:1"), { kind: "root", part: "user" });
        assert.deepEqual(userSpecProblem("1:00"), { kind: "root", part: "group" });
        assert.deepEqual(userSpecProblem("1"), { kind: "no-group" });
        assert.deepEqual(userSpecProblem("1:wheel"), { kind: "name", part: "group" });
    });

    it("#4 groupAdds: only plain non-zero gids", () => {
        for (const g of ["0", "00", "+0", "root", "wheel", "docker", " 10", "10 ", ""]) assert.ok(groupAddProblem(g), g);
        for (const g of ["10", "0010"]) assert.equal(groupAddProblem(g), undefined, g);
    });
});
