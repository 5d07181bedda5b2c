// `npm run compliance`: the compliance report (CMP-07), generated from the code alone so that it cannot drift:
// the control catalog (vocabulary/controls.ts), the pack's policy metadata, the titles of the tests, the live audit's
// `controls: [...]` literals and the control IDs that the program, images and CI templates name. Prints the
// report and writes docs/compliance.md (or --out <file>); the same tree always gives the same bytes.
import * as fs from "node:fs";
import * as path from "node:path";
import { Control, ControlId, CONTROLS, isControlId, Layer } from "bulwark-vocabulary";
import { allPolicies } from "../../policies/all";
import { GATE_RESOURCE_TYPE_KNOWN } from "../../policies/gate/gate-resource-type-known";
import { Analyzer } from "../analyzer/judge";

/** What the report needs of a policy: its name, the controls it enforces and its default level. */
export interface PolicySummary {
    readonly name: string;
    readonly controls: readonly string[];
    readonly enforcementLevel?: string;
}

export const ROOT = path.resolve(__dirname, "..", "..");
const DEFAULT_OUT = path.join("docs", "compliance.md");

/** Where each kind of evidence is looked for, relative to the project root. */
const SOURCES = {
    tests: ["test"],
    live: ["tools/verify", "images"],
    infra: ["infra", "images", ".github/workflows"],
    docs: ["docs", "README.md"],
} as const;

/** App-only controls: the stack cannot meet them, only pass the app what it needs; `evidence` must stay in infra/. */
const APP_PASSES: Readonly<Record<string, { readonly passes: string; readonly evidence?: string }>> = {
    "DB-06": { passes: "SECRET_KEY_BASE", evidence: "SECRET_KEY_BASE" },
    "APP-04": { passes: "none" },
    "CMP-02": { passes: "backups/restore drill", evidence: "restore-drill" },
    "CMP-06": { passes: "none" },
};

const ID = String.raw`[A-Z]{2,3}-\d{2}`;
const ID_GLOBAL = new RegExp(`\\b${ID}\\b`, "g");

export interface TestRef {
    readonly file: string;
    readonly title: string;
}
export interface LiveRef {
    readonly file: string;
    readonly check: string;
}
export interface Evidence {
    readonly policies: readonly { readonly name: string; readonly level: string }[];
    readonly tests: readonly TestRef[];
    readonly live: readonly LiveRef[];
    readonly infra: readonly string[];
    readonly docs: readonly string[];
    /** For app-only controls: whether infra/ still passes the app what APP_PASSES says it does. */
    readonly passesToApp?: boolean;
}

// ---- reading the tree ---------------------------------------------------------------------------------------

/** Every file under the given roots (files or folders), sorted, without node_modules; paths relative to `root`. */
export function filesUnder(root: string, roots: readonly string[], keep: (file: string) => boolean = () => true): string[] {
    const found: string[] = [];
    const walk = (relative: string) => {
        const full = path.join(root, relative);
        if (!fs.existsSync(full)) {
            return;
        }
        if (fs.statSync(full).isFile()) {
            if (keep(relative)) {
                found.push(relative.split(path.sep).join("/"));
            }
            return;
        }
        for (const entry of fs.readdirSync(full).sort()) {
            if (entry !== "node_modules" && entry !== ".git") {
                walk(path.join(relative, entry));
            }
        }
    };
    roots.forEach(walk);
    return [...new Set(found)].sort();
}

function addTo<T>(map: Map<ControlId, T[]>, id: string, value: T): void {
    if (isControlId(id)) {
        map.set(id, [...(map.get(id) ?? []), value]);
    }
}

/** The literal text of a string argument: a template literal counts up to its first substitution. */
function literalTitle(quote: string, body: string): string {
    const text = quote === "`" ? body.split("${")[0] : body;
    return text.replace(/\\(.)/g, "$1");
}

/**
 * Test titles that name controls: `it("<ID> ...")` (IDs at the start of the title) and `describe("... (<ID>, <ID>)")`.
 * Skipped tests (`.skip`, `xit`) are no evidence; titles built at run time cannot be seen and are not counted.
 */
export function scanTests(root: string): Map<ControlId, TestRef[]> {
    const found = new Map<ControlId, TestRef[]>();
    const call = /\b(it|test|specify|describe|context)(\.only)?\(\s*(["'`])((?:\\.|(?!\3)[^\\])*)\3/g;
    const leadingIds = new RegExp(`^${ID}(?:\\s*[,/&]\\s*${ID})*(?![\\w-])`);
    const groupedIds = new RegExp(`\\((\\s*${ID}(?:\\s*,\\s*${ID})*\\s*)\\)`, "g");
    for (const file of filesUnder(root, SOURCES.tests, (f) => f.endsWith(".test.ts"))) {
        const source = fs.readFileSync(path.join(root, file), "utf8");
        for (const [, kind, , quote, body] of source.matchAll(call)) {
            const title = literalTitle(quote, body);
            const ids = kind === "describe" || kind === "context"
                ? [...title.matchAll(groupedIds)].flatMap((m) => m[1].match(ID_GLOBAL) ?? [])
                : (leadingIds.exec(title)?.[0].match(ID_GLOBAL) ?? []);
            const ref = { file: file.replace(/^test\//, ""), title };
            new Set(ids).forEach((id) => addTo(found, id, ref));
        }
    }
    return found;
}

/** The live audit's checks: each `controls: [...]` literal, named by the nearest `name: "..."` before it. */
export function scanLiveChecks(root: string): Map<ControlId, LiveRef[]> {
    const found = new Map<ControlId, LiveRef[]>();
    for (const file of filesUnder(root, SOURCES.live)) {
        const source = fs.readFileSync(path.join(root, file), "utf8");
        for (const match of source.matchAll(/\bcontrols\s*:\s*\[([^\]]*)\]/g)) {
            const before = source.slice(Math.max(0, match.index - 600), match.index);
            const names = [...before.matchAll(/\bname\s*:\s*["'`]([^"'`]+)["'`]/g)];
            const line = source.slice(0, match.index).split("\n").length;
            const check = names.length > 0 ? names[names.length - 1][1] : `line ${line}`;
            for (const id of new Set(match[1].match(ID_GLOBAL) ?? [])) {
                addTo(found, id, { file: file.replace(/^tools\//, ""), check });
            }
        }
    }
    return found;
}

/** Files that name a control anywhere (code, comments, Dockerfiles, workflow files, documents). */
export function scanMentions(root: string, roots: readonly string[]): Map<ControlId, string[]> {
    const found = new Map<ControlId, string[]>();
    for (const file of filesUnder(root, roots)) {
        const text = fs.readFileSync(path.join(root, file), "utf8");
        for (const id of new Set(text.match(ID_GLOBAL) ?? [])) {
            addTo(found, id, file);
        }
    }
    return found;
}

function policiesByControl(policies: readonly PolicySummary[]): Map<ControlId, { name: string; level: string }[]> {
    const found = new Map<ControlId, { name: string; level: string }[]>();
    for (const policy of policies) {
        for (const id of policy.controls.filter(isControlId)) {
            addTo(found, id, { name: policy.name, level: policy.enforcementLevel ?? "advisory" });
        }
    }
    return found;
}

/** Whether any file under infra/ contains `literal`. */
function infraContains(root: string, literal: string): boolean {
    return filesUnder(root, ["infra"]).some((file) => fs.readFileSync(path.join(root, file), "utf8").includes(literal));
}

/** Everything found for every control, from one read of the tree. */
export function collectEvidence(root: string, policies: readonly PolicySummary[]): Map<ControlId, Evidence> {
    const byPolicy = policiesByControl(policies);
    const tests = scanTests(root);
    const live = scanLiveChecks(root);
    const infra = scanMentions(root, SOURCES.infra);
    const docs = scanMentions(root, SOURCES.docs);
    const passesToApp = (id: string) => {
        const literal = APP_PASSES[id]?.evidence;
        return literal === undefined ? undefined : infraContains(root, literal);
    };
    return new Map(
        CONTROLS.map((c) => [
            c.id,
            {
                policies: byPolicy.get(c.id) ?? [],
                tests: tests.get(c.id) ?? [],
                live: live.get(c.id) ?? [],
                infra: infra.get(c.id) ?? [],
                docs: docs.get(c.id) ?? [],
                passesToApp: passesToApp(c.id),
            },
        ]),
    );
}

// ---- judging --------------------------------------------------------------------------------------------------

/** A layer counts as present only with real evidence: for "policy", a mandatory policy (advisory ones only warn). */
function present(layer: Layer, e: Evidence): boolean {
    switch (layer) {
        case "infra":
            return e.infra.length > 0;
        case "policy":
            return e.policies.some((p) => p.level === "mandatory");
        case "test":
            return e.tests.length > 0;
        case "live":
            return e.live.length > 0;
        case "docs":
            return e.docs.length > 0;
        case "app":
            return false;
    }
}

export function statusOf(control: Control, e: Evidence): string {
    const expected = control.expected;
    if (expected.length === 1 && expected[0] === "app") {
        const app = APP_PASSES[control.id];
        if (!app) {
            return "gap: app control with no entry in tools/compliance/report.ts APP_PASSES";
        }
        if (e.passesToApp === false) {
            return `gap: infra/ no longer passes ${app.passes} (looked for "${app.evidence}")`;
        }
        return `out of scope: app — passes ${app.passes}`;
    }
    if (expected.length === 1 && expected[0] === "docs") {
        return present("docs", e) ? "docs" : "gap: missing docs";
    }
    const missing = expected.filter((layer) => !present(layer, e));
    return missing.length === 0 ? "met" : `gap: missing ${missing.join(", ")}`;
}

// ---- rendering ------------------------------------------------------------------------------------------------

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function truncate(text: string, max: number): string {
    if (text.length <= max) {
        return text;
    }
    const cut = text.slice(0, max - 1);
    return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max / 2))}…`;
}

/** The rule without its parenthetical detail and up to its first ";", which is where the catalog turns to detail. */
export function shortRule(rule: string): string {
    const head = rule.replace(/\s*\([^)]*\)/g, "").split(";")[0].trim();
    return truncate(head, 90);
}

/** "file: title; title" per file, files separated by line breaks. */
function groupByFile<T extends { file: string }>(refs: readonly T[], label: (ref: T) => string, maxLabel: number): string {
    const files = [...new Set(refs.map((r) => r.file))];
    return files
        .map((file) => `${file}: ${[...new Set(refs.filter((r) => r.file === file).map((r) => truncate(label(r), maxLabel)))].join("; ")}`)
        .join("<br>");
}

function row(control: Control, e: Evidence): string {
    const policies = e.policies.map((p) => `${p.name} (${p.level})`).join("<br>");
    const cells = [
        control.id,
        shortRule(control.rule),
        control.expected.join(", ") + (control.note ? ` (${control.note})` : ""),
        policies || "—",
        groupByFile(e.tests, (t) => t.title, 70) || "—",
        groupByFile(e.live, (l) => l.check, 40) || "—",
        statusOf(control, e),
    ];
    return `| ${cells.map(cell).join(" | ")} |`;
}

function summary(statuses: readonly string[]): string {
    const count = (test: (s: string) => boolean) => statuses.filter(test).length;
    return [
        `${statuses.length} controls`,
        `${count((s) => s === "met")} met`,
        `${count((s) => s.startsWith("gap"))} with gaps`,
        `${count((s) => s.startsWith("out of scope"))} out of scope (app)`,
        `${count((s) => s === "docs")} documented`,
    ].join(", ");
}

/** The policy config the stacks are previewed with (`--policy-pack-config policy-config.json`), if the repository has one. */
export const POLICY_CONFIG_FILE = "policy-config.json";

/** The resource types the gate lets through by the policy config's exceptions, each with its reason. */
export function gateExceptions(root: string): { type: string; reason: string }[] {
    const file = path.join(root, POLICY_CONFIG_FILE);
    if (!fs.existsSync(file)) {
        return [];
    }
    const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { exceptions?: { type: string; reason: string }[] } | string>;
    const own = config[GATE_RESOURCE_TYPE_KNOWN];
    return typeof own === "object" && Array.isArray(own.exceptions) ? own.exceptions : [];
}

function exceptionsSection(root: string): string[] {
    const exceptions = gateExceptions(root);
    const intro = [
        "## Resource types allowed by exception",
        "",
        `Every resource type the pack does not check is refused by \`${GATE_RESOURCE_TYPE_KNOWN}\` unless \`${POLICY_CONFIG_FILE}\` lists it, with a reason.`,
        "",
    ];
    if (exceptions.length === 0) {
        return [...intro, "None configured.", ""];
    }
    return [...intro, "| Type | Reason |", "|---|---|", ...exceptions.map((e) => `| ${cell(e.type)} | ${cell(e.reason)} |`), ""];
}

/** The whole report as Markdown. */
export function renderCompliance(root: string = ROOT, policies: readonly PolicySummary[] = allPolicies): string {
    const evidence = collectEvidence(root, policies);
    const controls = CONTROLS as readonly Control[];
    const statuses = controls.map((c) => statusOf(c, evidence.get(c.id as ControlId)!));
    return [
        "# Compliance report",
        "",
        "Generated by `npm run compliance` from the code alone; do not edit. Sources: the control catalog",
        "(`vocabulary/controls.ts`), the policy pack's metadata, test titles in `test/**/*.test.ts` that start with a",
        "control ID or whose `describe` names IDs in parentheses, the live audit's `controls: [...]` literals",
        "(`tools/verify/`, `images/`), and mentions of each ID in `infra/`, `images/` and `.github/workflows/`.",
        "A layer counts as met only with evidence; for \"policy\" that is a mandatory policy.",
        "",
        `**${summary(statuses)}.**`,
        "",
        "| ID | Rule | Expected | Policies | Tests | Live checks | Status |",
        "|---|---|---|---|---|---|---|",
        ...controls.map((c) => row(c, evidence.get(c.id as ControlId)!)),
        "",
        ...exceptionsSection(root),
    ].join("\n");
}

function outPath(argv: readonly string[]): string {
    const at = argv.indexOf("--out");
    if (at === -1) {
        return path.join(ROOT, DEFAULT_OUT);
    }
    const value = argv[at + 1];
    if (!value || argv.length !== 2) {
        throw new Error("usage: npm run compliance [-- --out <file>]");
    }
    return path.resolve(value);
}

/** The policies as the running pack serves them (GetAnalyzerInfo), the way the Pulumi CLI learns them. */
async function servedPolicies(): Promise<PolicySummary[]> {
    const analyzer = await Analyzer.start();
    try {
        return analyzer.policies.map((p) => ({ name: p.name, controls: p.tags, enforcementLevel: p.enforcementLevel }));
    } finally {
        await analyzer.stop();
    }
}

if (require.main === module) {
    (async () => {
        const out = outPath(process.argv.slice(2));
        const report = renderCompliance(ROOT, await servedPolicies());
        process.stdout.write(report);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, report);
        console.error(`compliance: wrote ${path.relative(process.cwd(), out) || out}`);
    })().catch((e) => {
        console.error(`compliance: ${(e as Error).message}`);
        process.exitCode = 2;
    });
}
