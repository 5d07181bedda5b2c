// The compliance report (tools/compliance/report.ts): generated from the code alone, byte-identical from run to run,
// and every control the catalog says a policy must carry has a mandatory one.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Control, CONTROLS } from "bulwark-vocabulary";
import { allPolicies } from "../../policies/all";
import { Evidence, renderCompliance, scanLiveChecks, scanTests, shortRule, statusOf } from "../../tools/compliance/report";
import { ROOT } from "./run-check";

const NONE: Evidence = { policies: [], tests: [], live: [], infra: [], docs: [] };
const control = (expected: Control["expected"], id = "CON-05"): Control => ({ id, rule: "a rule", expected });

function tempTree(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compliance-"));
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

describe("compliance report", function () {
    this.timeout(60_000);

    it("CMP-07 is byte-identical on every run, and `npm run compliance`, which asks the running pack for its policies, prints and writes exactly it", () => {
        const first = renderCompliance();
        assert.equal(renderCompliance(), first);
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "compliance-")), "compliance.md");
        const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/compliance/report.ts", "--out", out], { cwd: ROOT, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stdout, first);
        assert.equal(fs.readFileSync(out, "utf8"), first);
        fs.rmSync(path.dirname(out), { recursive: true });
    });

    it("CMP-07 has one row per catalog control, in catalog order, each with a status", () => {
        const rows = renderCompliance()
            .split("\n")
            .filter((line) => /^\| [A-Z]{2,3}-\d\d \|/.test(line));
        assert.deepEqual(
            rows.map((r) => r.split(" | ")[0].slice(2)),
            CONTROLS.map((c) => c.id),
        );
        for (const r of rows) {
            assert.match(r, /\| (met|docs|gap: [^|]+|out of scope: app — passes [^|]+) \|$/, r);
        }
    });

    it("reports app-only controls as out of scope with what the stack passes them", () => {
        const report = renderCompliance();
        for (const [id, passes] of [["DB-06", "SECRET_KEY_BASE"], ["APP-04", "none"], ["CMP-06", "none"], ["CMP-02", "backups/restore drill"]]) {
            assert.match(report, new RegExp(`^\\| ${id} \\|.*\\| out of scope: app — passes ${passes} \\|$`, "m"), id);
        }
    });

    describe("every control the catalog gives a policy layer has a mandatory policy", () => {
        for (const c of CONTROLS.filter((c) => (c.expected as readonly string[]).includes("policy"))) {
            it(`${c.id} has a mandatory policy`, () => {
                const carriers = allPolicies.filter((p) => (p.controls as readonly string[]).includes(c.id));
                const mandatory = carriers.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name);
                assert.ok(mandatory.length > 0, `${c.id} has no mandatory policy; advisory only: [${carriers.map((p) => p.name).join(", ")}]`);
            });
        }
    });

    describe("status", () => {
        it("is met when every expected layer has evidence", () => {
            const e: Evidence = { ...NONE, infra: ["infra/x.ts"], policies: [{ name: "p", level: "mandatory" }], tests: [{ file: "t", title: "CON-05" }], live: [{ file: "v", check: "c" }] };
            assert.equal(statusOf(control(["infra", "policy", "test", "live"]), e), "met");
        });

        it("names every missing layer, and an advisory-only policy does not count", () => {
            const e: Evidence = { ...NONE, infra: ["infra/x.ts"], policies: [{ name: "p", level: "advisory" }] };
            assert.equal(statusOf(control(["infra", "policy", "test", "live"]), e), "gap: missing policy, test, live");
        });

        it("is 'docs' for a docs-only control that a document names, a gap otherwise", () => {
            assert.equal(statusOf(control(["docs"], "CMP-03"), { ...NONE, docs: ["docs/data-processing.md"] }), "docs");
            assert.equal(statusOf(control(["docs"], "CMP-03"), NONE), "gap: missing docs");
        });

        it("flags an app-only control whose config infra/ no longer passes", () => {
            assert.equal(statusOf(control(["app"], "DB-06"), { ...NONE, passesToApp: true }), "out of scope: app — passes SECRET_KEY_BASE");
            assert.match(statusOf(control(["app"], "DB-06"), { ...NONE, passesToApp: false }), /^gap: infra\/ no longer passes SECRET_KEY_BASE/);
        });
    });

    describe("scanning", () => {
        it("finds IDs that start it() titles and IDs in a describe's parentheses, never skipped or run-time titles", () => {
            // Written in capitals and lowered here, so that the report's own scan of this file finds none of them.
            const source = [
                `DESCRIBE("policy x (NET-01, NET-02)", () => {`,
                `    IT("CON-05: runs as non-root", () => {});`,
                `    IT('CON-06, CON-07 both', () => {});`,
                "    IT(`CON-08 with ${'a'} template`, () => {});",
                "    IT(`${id} built at run time`, () => {});",
                `    IT.skip("CON-09 skipped", () => {});`,
                `    XIT("LOG-04 skipped", () => {});`,
                `    IT("mentions CON-01 later", () => {});`,
                `    IT("NOT-01 is no control", () => {});`,
                `});`,
            ].join("\n");
            const lowered = source.replace(/\b(DESCRIBE|IT|XIT)\b/g, (word) => word.toLowerCase());
            const dir = tempTree({ "test/a.test.ts": lowered, "test/helper.ts": lowered });
            const found = scanTests(dir);
            assert.deepEqual([...found.keys()].sort(), ["CON-05", "CON-06", "CON-07", "CON-08", "NET-01", "NET-02"]);
            assert.deepEqual(found.get("CON-05"), [{ file: "a.test.ts", title: "CON-05: runs as non-root" }]);
            assert.deepEqual(found.get("CON-08"), [{ file: "a.test.ts", title: "CON-08 with " }]);
            fs.rmSync(dir, { recursive: true });
        });

        it("names each live check's controls by the check's name", () => {
            const dir = tempTree({
                "tools/verify/checks.ts": `export const C = [\n  { name: "user-non-root", controls: ["CON-05"] },\n  { name: "ports", controls: ["NET-03", "NET-02"] },\n];\n`,
            });
            const found = scanLiveChecks(dir);
            assert.deepEqual(found.get("NET-02"), [{ file: "verify/checks.ts", check: "ports" }]);
            assert.deepEqual(found.get("CON-05"), [{ file: "verify/checks.ts", check: "user-non-root" }]);
            fs.rmSync(dir, { recursive: true });
        });

        it("shortens a rule to its head, without parentheses", () => {
            assert.equal(shortRule("Only the public entry container (TLS reverse proxy) publishes ports"), "Only the public entry container publishes ports");
            assert.equal(shortRule("Database users have strong passwords; password_encryption is scram-sha-256"), "Database users have strong passwords");
        });
    });
});
