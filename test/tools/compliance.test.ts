// The compliance report (tools/compliance/report.ts): generated from the code alone, byte-identical from run to run,
// every control the catalog says a policy must carry has a mandatory one, and the Preview column says how each control
// is decided in a preview, checked against the policies as they are built and their sources as they are written.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Control, CONTROLS } from "bulwark-vocabulary";
import { allPolicies } from "../../policies/all";
import { isStackPolicy } from "../../policies/lib/policy";
import {
    Evidence,
    filesUnder,
    GAP_TEXT,
    previewOf,
    renderCompliance,
    scanLiveChecks,
    scanPolicySources,
    scanTests,
    shortRule,
    statusOf,
} from "../../tools/compliance/report";
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

/** Each control's Preview cell, from the rendered report's table. */
function previewCells(report: string): Map<string, string> {
    const rows = report.split("\n").filter((line) => /^\| [A-Z]{2,3}-\d\d \|/.test(line));
    return new Map(rows.map((r) => [r.split(" | ")[0].slice(2), r.split(" | ")[4]]));
}

/** The policies a Preview cell lists after `label` ("before the step in up", "after the update in up"). */
function listed(previewCell: string, label: string): string[] {
    const part = previewCell.split("; ").find((p) => p.startsWith(`${label}: `));
    return part ? part.slice(label.length + 2).split(", ") : [];
}

/** The rows of the report's section that starts with `heading`, up to the next heading. */
function sectionRows(report: string, heading: string): string[][] {
    const start = report.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `no section ${heading}`);
    const rest = report.slice(start + heading.length + 2);
    const section = rest.slice(0, rest.search(/\n#/) === -1 ? undefined : rest.search(/\n#/));
    return section
        .split("\n")
        .filter((line) => line.startsWith("| ") && !line.startsWith("| Policy |"))
        .map((line) => line.slice(2, -2).split(" | "));
}

/** The pack's own policy files that call `fn(`, each with the policy name it defines (read with a plain regex). */
function policyFilesCalling(fn: string): { file: string; name: string; calls: number }[] {
    return filesUnder(ROOT, ["policies"], (f) => f.endsWith(".ts") && f !== "policies/lib/inconclusive.ts").flatMap((file) => {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        const calls = text.split(`${fn}(`).length - 1;
        const name = /\b(?:resourcePolicy|stackPolicy)\(\{\s*name:\s*"([^"]+)"/.exec(text)?.[1];
        return calls > 0 && name ? [{ file, name, calls }] : [];
    });
}

const mandatoryFor = (id: string) => allPolicies.filter((p) => (p.controls as readonly string[]).includes(id) && p.enforcementLevel === "mandatory");

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

    describe("Preview column (issue 22: whether each control is decided in a preview)", () => {
        let report: string;
        let cells: Map<string, string>;
        before(() => {
            report = renderCompliance();
            cells = previewCells(report);
        });

        it("finds every policy of the pack in its source, as the kind it is built as", () => {
            const sources = scanPolicySources(ROOT);
            for (const p of allPolicies) {
                assert.equal(sources.get(p.name)?.kind, isStackPolicy(p) ? "stack" : "resource", p.name);
            }
        });

        it("lists each mandatory resource policy as deciding before the step in up, and each stack policy after the update", () => {
            for (const c of CONTROLS) {
                const cell = cells.get(c.id)!;
                const mandatory = mandatoryFor(c.id);
                assert.deepEqual(listed(cell, "before the step in up"), mandatory.filter((p) => !isStackPolicy(p)).map((p) => p.name), `${c.id}: ${cell}`);
                assert.deepEqual(listed(cell, "after the update in up"), mandatory.filter((p) => isStackPolicy(p)).map((p) => p.name), `${c.id}: ${cell}`);
            }
            // The resource policy that reads a container's inputs decides SEC-02 before the step; its stack sibling after the update.
            assert.ok(listed(cells.get("SEC-02")!, "before the step in up").includes("secret-rails-key-length-inputs"));
            assert.ok(listed(cells.get("SEC-02")!, "after the update in up").includes("secret-rails-key-length"));
        });

        it("shows the known gap for a control decided only by policies that accept an unknown policy document, and names them", () => {
            const gapPolicies = new Set(policyFilesCalling("policyDocumentUnknownAtPreview").map((f) => f.name));
            assert.ok(gapPolicies.size > 0, "no policy calls policyDocumentUnknownAtPreview");
            const onlyGap = CONTROLS.filter((c) => mandatoryFor(c.id).length > 0 && mandatoryFor(c.id).every((p) => gapPolicies.has(p.name)));
            assert.ok(onlyGap.length > 0, "no control is decided by policy-document policies alone");
            for (const c of CONTROLS) {
                const cell = cells.get(c.id)!;
                const withGap = mandatoryFor(c.id).filter((p) => gapPolicies.has(p.name)).map((p) => p.name);
                if (withGap.length > 0) {
                    assert.ok(cell.startsWith(`decided, except: ${GAP_TEXT} (${withGap.join(", ")})`), `${c.id}: ${cell}`);
                } else if (mandatoryFor(c.id).length > 0) {
                    assert.ok(cell.startsWith("decided (fail closed)"), `${c.id}: ${cell}`);
                }
            }
            const gapRows = sectionRows(report, "### Known gaps: policy documents unknown in a preview");
            assert.deepEqual(gapRows.map((r) => r[0]).sort(), [...gapPolicies].sort());
            for (const [name, kind, , , judged] of gapRows) {
                const policy = allPolicies.find((p) => p.name === name)!;
                assert.equal(kind, isStackPolicy(policy) ? "stack" : "resource", name);
                assert.equal(judged, isStackPolicy(policy) ? "after the update" : "before the step", name);
            }
        });

        it("says so for a control with advisory policies only or none", () => {
            for (const c of CONTROLS) {
                const carriers = allPolicies.filter((p) => (p.controls as readonly string[]).includes(c.id));
                const cell = cells.get(c.id)!;
                if (carriers.length === 0) {
                    assert.equal(cell, "not decided: no policy", c.id);
                } else if (mandatoryFor(c.id).length === 0) {
                    assert.match(cell, /^not decided: advisory policies only/, c.id);
                } else {
                    assert.match(cell, /^decided/, c.id);
                }
            }
        });

        it("lists every unknownCannotMatter call site of the pack with the field and reason written there", () => {
            const callers = policyFilesCalling("unknownCannotMatter");
            assert.ok(callers.length > 0, "no policy calls unknownCannotMatter");
            const rows = sectionRows(report, "### Unknowns accepted with a reason");
            const level = new Map(allPolicies.map((p) => [p.name, p.enforcementLevel]));
            const nameOf = (label: string) => label.replace(/ \((advisory|disabled)\)$/, "");
            for (const { file, name, calls } of callers) {
                const own = rows.filter((r) => nameOf(r[0]) === name);
                assert.equal(own.length, calls, `${name}: ${calls} call(s) in ${file}, ${own.length} row(s)`);
                const source = fs.readFileSync(path.join(ROOT, file), "utf8");
                for (const [label, kind, field, reason] of own) {
                    assert.equal(label, level.get(name) === "mandatory" ? name : `${name} (${level.get(name)})`);
                    assert.equal(kind, isStackPolicy(allPolicies.find((p) => p.name === name)!) ? "stack" : "resource");
                    assert.ok(source.includes(field), `${name}: field "${field}" is not written in ${file}`);
                    assert.notEqual(reason, "reason in code", `${name}: every reason in the pack is a literal`);
                    assert.ok(source.includes(reason.slice(0, 30)), `${name}: reason "${reason}" is not written in ${file}`);
                }
            }
            assert.equal(rows.length, callers.reduce((n, c) => n + c.calls, 0));
            // Named in the Preview cell of each control the accepting mandatory policies carry.
            for (const c of CONTROLS) {
                const accepting = mandatoryFor(c.id).filter((p) => callers.some((f) => f.name === p.name)).map((p) => p.name);
                assert.deepEqual(listed(cells.get(c.id)!, "unknowns accepted with a reason"), accepting, c.id);
            }
        });

        it("keeps the summary's preview counts equal to the column", () => {
            const count = (test: (cell: string) => boolean) => [...cells.values()].filter(test).length;
            const expected =
                `in a preview, ${count((c) => c.startsWith("decided (fail closed)"))} decided (fail closed), ` +
                `${count((c) => c.startsWith("decided, except:"))} decided except the known gap of policy documents, ` +
                `${count((c) => c.startsWith("not decided: advisory"))} with advisory policies only, ` +
                `${CONTROLS.filter((c) => !allPolicies.some((p) => (p.controls as readonly string[]).includes(c.id))).length} with no policy.**`;
            const line = report.split("\n").find((l) => l.startsWith("**"))!;
            assert.ok(line.endsWith(expected), `${line}\nexpected it to end with: ${expected}`);
            assert.equal(cells.size, CONTROLS.length);
        });

        describe("reading policy sources", () => {
            const helper = [
                `import { unknownCannotMatter } from "../lib/inconclusive";`,
                `export const hidden = (why: string) => unknownCannotMatter("helper field", why);`,
            ].join("\n");
            const tree = () =>
                tempTree({
                    "policies/lib/inconclusive.ts": `// unknownCannotMatter("in a comment", "not a call")\nexport function unknownCannotMatter(field: string, reason: string): true { return true; }\n`,
                    "policies/x/helper.ts": helper,
                    "policies/x/a.ts": [
                        `import { hidden } from "./helper";`,
                        `import { unknownCannotMatter, policyDocumentUnknownAtPreview } from "../lib/inconclusive";`,
                        `const regex = /"unknownCannotMatter(/;`,
                        `export const A_NAME = "policy-a";`,
                        `export const a = resourcePolicy({`,
                        `    name: A_NAME,`,
                        `    validateResource: (args) => {`,
                        `        unknownCannotMatter(\`envs[\${name}] of x\`, "first " + 'second ' + \`third\`);`,
                        `        unknownCannotMatter("id", reasons.id);`,
                        `        policyDocumentUnknownAtPreview(args, args.urn, "policy");`,
                        `        hidden("why");`,
                        `    },`,
                        `});`,
                    ].join("\n"),
                    "policies/x/b.ts": [
                        `import { A_NAME } from "./a";`,
                        `export const b = stackPolicy({ name: "policy-b", validateStack: (args) => { policyDocumentUnknownAtPreview(args, u, doc.field, []); } });`,
                    ].join("\n"),
                    "policies/x/c.ts": `export const c = stackPolicy({ name: "policy-c", validateStack: () => {} });\n`,
                });

            it("reads kinds, names given by a constant, literal and concatenated texts, and says what is built in code", () => {
                const dir = tree();
                try {
                    const sources = scanPolicySources(dir);
                    assert.deepEqual([...sources.keys()].sort(), ["policy-a", "policy-b", "policy-c"]);
                    const a = sources.get("policy-a")!;
                    assert.equal(a.kind, "resource");
                    assert.equal(a.file, "policies/x/a.ts");
                    assert.deepEqual(a.accepted, [
                        { field: "envs[${name}] of x", reason: "first second third", file: "policies/x/a.ts" },
                        { field: "id", reason: "reason in code", file: "policies/x/a.ts" },
                        { field: "helper field", reason: "reason in code", file: "policies/x/helper.ts" },
                    ]);
                    assert.deepEqual(a.gaps, [{ field: "policy", file: "policies/x/a.ts" }]);
                    // b imports a's file, which is a's: nothing of a is b's.
                    const b = sources.get("policy-b")!;
                    assert.deepEqual([b.kind, b.accepted, b.gaps], ["stack", [], [{ field: "field in code", file: "policies/x/b.ts" }]]);
                    assert.deepEqual([sources.get("policy-c")!.accepted, sources.get("policy-c")!.gaps], [[], []]);
                } finally {
                    fs.rmSync(dir, { recursive: true });
                }
            });

            it("renders the cells and sections from them", () => {
                const dir = tree();
                try {
                    const sources = scanPolicySources(dir);
                    const cell = (policies: { name: string; level: string }[]) => previewOf(policies, sources);
                    assert.deepEqual(cell([{ name: "policy-c", level: "mandatory" }, { name: "policy-x", level: "advisory" }]), {
                        state: "decided",
                        text: "decided (fail closed); after the update in up: policy-c",
                    });
                    assert.deepEqual(cell([{ name: "policy-a", level: "mandatory" }, { name: "policy-c", level: "mandatory" }]), {
                        state: "known gap",
                        text: `decided, except: ${GAP_TEXT} (policy-a); unknowns accepted with a reason: policy-a; before the step in up: policy-a; after the update in up: policy-c`,
                    });
                    // An advisory policy with the gap decides nothing, so it is no exception.
                    assert.equal(cell([{ name: "policy-a", level: "advisory" }, { name: "policy-c", level: "mandatory" }]).state, "decided");
                    assert.deepEqual(cell([{ name: "policy-a", level: "advisory" }]), { state: "advisory only", text: "not decided: advisory policies only (they warn, refuse nothing)" });
                    assert.deepEqual(cell([]), { state: "no policy", text: "not decided: no policy" });
                    assert.equal(cell([{ name: "policy-z", level: "mandatory" }]).text, "decided (fail closed); no source found under policies/: policy-z");

                    const rendered = renderCompliance(dir, [
                        { name: "policy-a", controls: ["BAK-07"], enforcementLevel: "mandatory" },
                        { name: "policy-b", controls: ["BAK-06"], enforcementLevel: "advisory" },
                    ]);
                    assert.match(previewCells(rendered).get("BAK-07")!, new RegExp(`^decided, except: .*\\(policy-a\\); .*before the step in up: policy-a$`));
                    assert.match(previewCells(rendered).get("BAK-06")!, /^not decided: advisory policies only/);
                    assert.deepEqual(sectionRows(rendered, "### Unknowns accepted with a reason"), [
                        ["policy-a", "resource", "envs[${name}] of x", "first second third"],
                        ["policy-a", "resource", "id", "reason in code"],
                        ["policy-a", "resource", "helper field (in x/helper.ts)", "reason in code"],
                    ]);
                    assert.deepEqual(sectionRows(rendered, "### Known gaps: policy documents unknown in a preview"), [
                        ["policy-a", "resource", "BAK-07", "policy", "before the step"],
                        ["policy-b (advisory)", "stack", "BAK-06", "field in code", "after the update"],
                    ]);
                } finally {
                    fs.rmSync(dir, { recursive: true });
                }
            });
        });
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
