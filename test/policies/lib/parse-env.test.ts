import * as assert from "node:assert/strict";
import { isUnknown } from "bulwark-vocabulary";
import { parseEnvs } from "../../../policies/lib/docker-refs";
import { parseEnvList } from "../../../policies/lib/parse/env";
import { UNKNOWN } from "../../../tools/analyzer/wire";

describe("parse/env: env lists exactly as Docker applies them", () => {
    it("#1 NAME=value split at the first '=', the value kept verbatim", () => {
        const envs = parseEnvs(["A=1", "B=x=y", "C=", "D= spaced "]);
        assert.deepEqual([...envs.values()], [
            { name: "A", value: "1" }, { name: "B", value: "x=y" }, { name: "C", value: "" }, { name: "D", value: " spaced " },
        ]);
        assert.deepEqual(envs.duplicates, []);
        assert.deepEqual(envs.malformed, []);
    });

    it("#2 no trimming: a name with spaces is a variable of its own, and malformed", () => {
        for (const entry of [" RAILS_FORCE_SSL=true", "RAILS_FORCE_SSL =true", "RAILS_FORCE_SSL\t=true", "RAILS-FORCE-SSL=true", "1RAILS=true", "=true", "RAILS\u00a0FORCE=1"]) {
            const envs = parseEnvs([entry]);
            assert.equal(envs.get("RAILS_FORCE_SSL"), undefined, entry);
            assert.equal(envs.malformed.length, 1, entry);
        }
    });

    it("#3 the last entry of a name wins, and the name is reported as a duplicate", () => {
        const envs = parseEnvs(["RAILS_FORCE_SSL=true", "X=1", "RAILS_FORCE_SSL=false"]);
        assert.equal(envs.get("RAILS_FORCE_SSL")?.value, "false");
        assert.deepEqual(envs.duplicates, ["RAILS_FORCE_SSL"]);
        assert.deepEqual(parseEnvs(["A=1", "A=1"]).duplicates, ["A"], "even with the same value");
        assert.deepEqual(parseEnvs(["a=1", "A=1"]).duplicates, [], "names are case-sensitive");
    });

    it("#4 an entry without '=' unsets the variable: no value, malformed", () => {
        const envs = parseEnvs(["RAILS_FORCE_SSL=true", "RAILS_FORCE_SSL"]);
        assert.deepEqual(envs.get("RAILS_FORCE_SSL"), { name: "RAILS_FORCE_SSL", value: undefined });
        assert.equal(envs.malformed.length, 1);
        assert.deepEqual(envs.duplicates, ["RAILS_FORCE_SSL"]);
    });

    it("#5 unknown entries at preview hide names; a whole unknown list hides all", () => {
        const some = parseEnvs(["A=1", UNKNOWN]);
        assert.ok(some.hasUnknown);
        assert.ok(!some.isMissing("B"));
        assert.ok(parseEnvList(UNKNOWN, true, isUnknown).hasUnknown);
        assert.ok(parseEnvs(undefined).isMissing("A"));
    });
});
