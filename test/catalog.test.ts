import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONTROLS, isControlId } from "bulwark-vocabulary";

// The catalog in code must say what ../shared/controls.md says; CI always has the document beside the clone.
const DOCUMENT = path.resolve(__dirname, "..", "..", "shared", "controls.md");

function documentRows(): { id: string; rule: string; expected: string }[] {
    return fs
        .readFileSync(DOCUMENT, "utf8")
        .split("\n")
        .filter((line) => /^\| [A-Z]{2,3}-\d\d \|/.test(line))
        .map((line) => {
            const [id, rule, expected] = line.split("|").slice(1, -1).map((cell) => cell.trim());
            return { id, rule, expected };
        });
}

describe("control catalog", function () {
    before(() => {
        // A skip here would pass a run that compared nothing (and forbid-pending fails it anyway): say why.
        assert.ok(fs.existsSync(DOCUMENT), `${DOCUMENT} is missing: check out the shared documents beside the clone, as CI does`);
    });

    it("lists exactly the controls of shared/controls.md, in order", () => {
        assert.deepEqual(
            CONTROLS.map((c) => c.id),
            documentRows().map((r) => r.id),
        );
    });

    it("carries each control's rule and expected layers word for word", () => {
        for (const row of documentRows()) {
            const control = CONTROLS.find((c) => c.id === row.id)!;
            assert.equal(control.rule, row.rule, row.id);
            const layers = row.expected.replace(/\([^)]*\)/g, "").split(",").map((s) => s.trim()).filter(Boolean);
            assert.deepEqual([...control.expected], [...new Set(layers)], row.id);
        }
    });
});

describe("isControlId", () => {
    it("accepts catalog IDs and rejects others", () => {
        assert.equal(isControlId("CON-06"), true);
        assert.equal(isControlId("DB-07"), true);
        assert.equal(isControlId("CON-10"), false);
        assert.equal(isControlId("con-06"), false);
    });
});
