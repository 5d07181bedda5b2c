// `npm run compliance`: the compliance report (CMP-07), generated from the code alone so that it cannot drift:
// the control catalog (vocabulary/controls.ts), the pack's policy metadata, the titles of the tests, the live audit's
// `controls: [...]` literals, the control IDs that the program, images and CI templates name, and how each policy
// decides in a preview (its kind and its accepted unknowns, read from the policies' sources). Prints the report and
// writes docs/compliance.md (or --out <file>); the same tree always gives the same bytes.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
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

// ---- how each policy decides in a preview (issue 22: "whether it is decided in a preview") ---------------------

/** resourcePolicy(...): judged per resource before its step; stackPolicy(...): judged on the whole stack. */
export type PolicyKind = "resource" | "stack";

/** Said where a call site's argument is built at run time rather than written as a literal. */
export const FIELD_IN_CODE = "field in code";
export const REASON_IN_CODE = "reason in code";

/** An `unknownCannotMatter(field, reason)` call site: an unknown the policy accepts because it cannot change the verdict. */
export interface AcceptedUnknown {
    readonly field: string;
    readonly reason: string;
    /** The file of the call, relative to the project root. */
    readonly file: string;
}

/** A `policyDocumentUnknownAtPreview(args, urn, field, ...)` call site: the known gap of policy documents. */
export interface DocumentGap {
    readonly field: string;
    readonly file: string;
}

/** What a policy's source says about deciding in a preview. */
export interface PolicySource {
    readonly name: string;
    /** The file that defines the policy, relative to the project root. */
    readonly file: string;
    readonly kind: PolicyKind;
    readonly accepted: readonly AcceptedUnknown[];
    readonly gaps: readonly DocumentGap[];
}

const POLICY_HELPERS: Readonly<Record<string, PolicyKind>> = { resourcePolicy: "resource", stackPolicy: "stack" };

/**
 * The text of a string written at the call site: a string literal, a template literal (its substitutions as
 * `${...}` source text) or a `+` of these; undefined for anything built at run time (a variable, a call).
 */
function literalText(node: ts.Expression): string | undefined {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        return node.text;
    }
    if (ts.isTemplateExpression(node)) {
        return node.head.text + node.templateSpans.map((span) => `\${${span.expression.getText()}}${span.literal.text}`).join("");
    }
    if (ts.isParenthesizedExpression(node)) {
        return literalText(node.expression);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const left = literalText(node.left);
        const right = literalText(node.right);
        return left === undefined || right === undefined ? undefined : left + right;
    }
    return undefined;
}

/** What one source file defines and calls, from its syntax alone (nothing is run or type-checked). */
interface SourceFacts {
    /** Policies defined here: resourcePolicy({ name, ... }) / stackPolicy({ name, ... }); name a literal or a constant. */
    readonly policies: { readonly name: ts.Expression; readonly kind: PolicyKind }[];
    readonly accepted: AcceptedUnknown[];
    readonly gaps: DocumentGap[];
    /** `const NAME = "literal"` declarations, to resolve a policy named by a constant. */
    readonly constants: Map<string, string>;
    /** Relative imports, resolved to files relative to the project root. */
    readonly imports: string[];
}

function resolveImport(root: string, from: string, specifier: string): string | undefined {
    const base = path.posix.join(path.posix.dirname(from), specifier);
    return [`${base}.ts`, `${base}/index.ts`, base].find((file) => fs.existsSync(path.join(root, file)) && fs.statSync(path.join(root, file)).isFile());
}

function readSourceFacts(root: string, file: string): SourceFacts {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const facts: SourceFacts = { policies: [], accepted: [], gaps: [], constants: new Map(), imports: [] };
    const visit = (node: ts.Node): void => {
        if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith(".")) {
            const target = resolveImport(root, file, node.moduleSpecifier.text);
            if (target) {
                facts.imports.push(target);
            }
        } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isStringLiteral(node.initializer)) {
            facts.constants.set(node.name.text, node.initializer.text);
        } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
            const [first, second, third] = node.arguments;
            const callee = node.expression.text;
            if (callee in POLICY_HELPERS && first && ts.isObjectLiteralExpression(first)) {
                const name = first.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === "name");
                if (name) {
                    facts.policies.push({ name: name.initializer, kind: POLICY_HELPERS[callee] });
                }
            } else if (callee === "unknownCannotMatter" && first) {
                facts.accepted.push({
                    field: literalText(first) ?? FIELD_IN_CODE,
                    reason: (second && literalText(second)) ?? REASON_IN_CODE,
                    file,
                });
            } else if (callee === "policyDocumentUnknownAtPreview") {
                facts.gaps.push({ field: (third && literalText(third)) ?? FIELD_IN_CODE, file });
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return facts;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
    const seen = new Set<string>();
    return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
}

/**
 * Every policy defined under policies/, by name: its kind, and the unknowns it accepts and the document gaps it
 * has, from the call sites in its own file and in the helper files it imports (transitively, through files that
 * define no policy: another policy's file is that policy's, not a helper). A call in a helper is counted for every
 * policy that imports it, which can only make a policy look less decided than it is, never more.
 */
export function scanPolicySources(root: string): Map<string, PolicySource> {
    const files = filesUnder(root, ["policies"], (f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
    const facts = new Map(files.map((file) => [file, readSourceFacts(root, file)]));
    const constant = (file: string, id: string): string | undefined =>
        facts.get(file)!.constants.get(id) ?? files.map((f) => facts.get(f)!.constants.get(id)).find((v) => v !== undefined);
    const reached = (file: string): string[] => {
        const seen = new Set([file]);
        const queue = [file];
        while (queue.length > 0) {
            for (const next of facts.get(queue.shift()!)?.imports ?? []) {
                if (!seen.has(next) && facts.has(next) && facts.get(next)!.policies.length === 0) {
                    seen.add(next);
                    queue.push(next);
                }
            }
        }
        return [file, ...[...seen].filter((f) => f !== file).sort()];
    };
    const found = new Map<string, PolicySource>();
    for (const file of files) {
        const own = facts.get(file)!;
        if (own.policies.length === 0) {
            continue;
        }
        const sources = reached(file).map((f) => facts.get(f)!);
        const accepted = uniqueBy(sources.flatMap((s) => s.accepted), (a) => `${a.file}\n${a.field}\n${a.reason}`);
        const gaps = uniqueBy(sources.flatMap((s) => s.gaps), (g) => `${g.file}\n${g.field}`);
        for (const policy of own.policies) {
            const name = literalText(policy.name) ?? (ts.isIdentifier(policy.name) ? constant(file, policy.name.text) : undefined);
            if (name !== undefined && !found.has(name)) {
                found.set(name, { name, file, kind: policy.kind, accepted, gaps });
            }
        }
    }
    return found;
}

/** How a control is decided in a preview, for the summary. */
export type PreviewState = "decided" | "known gap" | "advisory only" | "no policy";

export interface Preview {
    readonly state: PreviewState;
    /** The table's Preview cell. */
    readonly text: string;
}

/** What the Preview cell says of the known gap of policy documents (section "Known gaps" says more). */
export const GAP_TEXT = "the known gap, IAM/S3 policy documents unknown in a new stack's preview and judged only in up";

/**
 * Whether and how a control is decided in a preview, from its mandatory policies (advisory ones refuse nothing):
 * decided, because the pack fails closed, unless a policy has the known gap of policy documents; which policies
 * decide it before the step in `pulumi up` (resource policies) and which only after the update (stack policies).
 */
export function previewOf(policies: Evidence["policies"], sources: ReadonlyMap<string, PolicySource>): Preview {
    const mandatory = policies.filter((p) => p.level === "mandatory").map((p) => p.name);
    if (mandatory.length === 0) {
        return policies.length > 0
            ? { state: "advisory only", text: "not decided: advisory policies only (they warn, refuse nothing)" }
            : { state: "no policy", text: "not decided: no policy" };
    }
    const names = (test: (s: PolicySource) => boolean) => mandatory.filter((name) => sources.has(name) && test(sources.get(name)!));
    const gaps = names((s) => s.gaps.length > 0);
    const accepting = names((s) => s.accepted.length > 0);
    const resource = names((s) => s.kind === "resource");
    const stack = names((s) => s.kind === "stack");
    const unread = mandatory.filter((name) => !sources.has(name));
    const parts = [
        gaps.length > 0 ? `decided, except: ${GAP_TEXT} (${gaps.join(", ")})` : "decided (fail closed)",
        accepting.length > 0 ? `unknowns accepted with a reason: ${accepting.join(", ")}` : "",
        resource.length > 0 ? `before the step in up: ${resource.join(", ")}` : "",
        stack.length > 0 ? `after the update in up: ${stack.join(", ")}` : "",
        unread.length > 0 ? `no source found under policies/: ${unread.join(", ")}` : "",
    ];
    return { state: gaps.length > 0 ? "known gap" : "decided", text: parts.filter((p) => p !== "").join("; ") };
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

function row(control: Control, e: Evidence, preview: Preview): string {
    const policies = e.policies.map((p) => `${p.name} (${p.level})`).join("<br>");
    const cells = [
        control.id,
        shortRule(control.rule),
        control.expected.join(", ") + (control.note ? ` (${control.note})` : ""),
        policies || "—",
        preview.text,
        groupByFile(e.tests, (t) => t.title, 70) || "—",
        groupByFile(e.live, (l) => l.check, 40) || "—",
        statusOf(control, e),
    ];
    return `| ${cells.map(cell).join(" | ")} |`;
}

function summary(statuses: readonly string[], previews: readonly Preview[]): string {
    const count = (test: (s: string) => boolean) => statuses.filter(test).length;
    const inPreview = (state: PreviewState) => previews.filter((p) => p.state === state).length;
    return [
        `${statuses.length} controls`,
        `${count((s) => s === "met")} met`,
        `${count((s) => s.startsWith("gap"))} with gaps`,
        `${count((s) => s.startsWith("out of scope"))} out of scope (app)`,
        `${count((s) => s === "docs")} documented`,
    ].join(", ") + "; in a preview, " + [
        `${inPreview("decided")} decided (fail closed)`,
        `${inPreview("known gap")} decided except the known gap of policy documents`,
        `${inPreview("advisory only")} with advisory policies only`,
        `${inPreview("no policy")} with no policy`,
    ].join(", ");
}

/** A policy's name as the table's Policies column writes it: an advisory one says so. */
function policyLabel(name: string, level: ReadonlyMap<string, string>): string {
    return level.get(name) === "mandatory" ? name : `${name} (${level.get(name) ?? "advisory"})`;
}

const WHEN_IN_UP: Readonly<Record<PolicyKind, string>> = {
    resource: "before the step",
    stack: "after the update",
};

function previewSections(policies: readonly PolicySummary[], sources: ReadonlyMap<string, PolicySource>): string[] {
    const level = new Map(policies.map((p) => [p.name, p.enforcementLevel ?? "advisory"]));
    const read = policies.filter((p) => sources.has(p.name)).map((p) => sources.get(p.name)!);
    const where = (s: PolicySource, file: string) => (file === s.file ? "" : ` (in ${file.replace(/^policies\//, "")})`);
    const accepted = read.flatMap((s) => s.accepted.map((a) => ({ s, a })));
    const gaps = read.filter((s) => s.gaps.length > 0);
    const controls = new Map(policies.map((p) => [p.name, p.controls.filter(isControlId).join(", ")]));
    return [
        "## Deciding in a preview",
        "",
        "The pack fails closed (`policies/lib/inconclusive.ts`): a mandatory policy that meets a value unknown in a preview",
        "refuses it (`unknown in preview: <field> of <urn> — <fix>`). A resource policy (`resourcePolicy`) judges each resource",
        "before its step, in a preview and in `pulumi up`; a stack policy (`stackPolicy`) judges the planned state in a preview,",
        "but in `pulumi up` only after the update. The Preview column names, per control, the mandatory policies of each kind;",
        "the two exceptions to failing closed, read from the call sites in each policy's source and the helpers it imports,",
        "follow.",
        "",
        "### Unknowns accepted with a reason",
        "",
        "A policy that calls `unknownCannotMatter(field, reason)` accepts a value unknown in a preview because it cannot change",
        `the verdict, for the reason given at the call site ("${REASON_IN_CODE}" where the reason is not written as a literal).`,
        "",
        ...(accepted.length === 0
            ? ["None."]
            : [
                  "| Policy | Kind | Field | Reason |",
                  "|---|---|---|---|",
                  ...accepted.map(({ s, a }) => `| ${cell(policyLabel(s.name, level))} | ${s.kind} | ${cell(a.field + where(s, a.file))} | ${cell(a.reason)} |`),
              ]),
        "",
        "### Known gaps: policy documents unknown in a preview",
        "",
        "A policy that calls `policyDocumentUnknownAtPreview(...)` accepts an IAM or S3 policy document that is unknown as a",
        "whole: one that interpolates the stack's own ARNs is, in a new stack's preview. Unlike the unknowns above it can",
        "matter: such a document is judged only when `pulumi up` sends it with every value known.",
        "",
        ...(gaps.length === 0
            ? ["None."]
            : [
                  "| Policy | Kind | Controls | Document field | Judged in `pulumi up` |",
                  "|---|---|---|---|---|",
                  ...gaps.map((s) => {
                      const fields = uniqueBy(s.gaps, (g) => g.field + where(s, g.file)).map((g) => g.field + where(s, g.file));
                      return `| ${cell(policyLabel(s.name, level))} | ${s.kind} | ${controls.get(s.name)} | ${cell(fields.join(", "))} | ${WHEN_IN_UP[s.kind]} |`;
                  }),
              ]),
        "",
    ];
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
    const sources = scanPolicySources(root);
    const controls = CONTROLS as readonly Control[];
    const statuses = controls.map((c) => statusOf(c, evidence.get(c.id as ControlId)!));
    const previews = controls.map((c) => previewOf(evidence.get(c.id as ControlId)!.policies, sources));
    return [
        "# Compliance report",
        "",
        "Generated by `npm run compliance` from the code alone; do not edit. Sources: the control catalog",
        "(`vocabulary/controls.ts`), the policy pack's metadata, the policies' sources under `policies/` (the Preview column),",
        "test titles in `test/**/*.test.ts` that start with a control ID or whose `describe` names IDs in parentheses, the live",
        "audit's `controls: [...]` literals (`tools/verify/`, `images/`), and mentions of each ID in `infra/`, `images/` and",
        "`.github/workflows/`. A layer counts as met only with evidence; for \"policy\" that is a mandatory policy.",
        "",
        `**${summary(statuses, previews)}.**`,
        "",
        "| ID | Rule | Expected | Policies | Preview | Tests | Live checks | Status |",
        "|---|---|---|---|---|---|---|---|",
        ...controls.map((c, i) => row(c, evidence.get(c.id as ControlId)!, previews[i])),
        "",
        ...previewSections(policies, sources),
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
