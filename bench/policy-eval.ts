// `npm run bench:policy`: how the policy pack's evaluation time grows with the stack, on the real path: the pack
// started as the Pulumi CLI starts it, every resource sent through the analyzer's Analyze and the whole stack
// through AnalyzeStack (tools/analyzer). Stacks of 100, 1,000 and 10,000 resources are made of copies of the
// project's own dev and prod stacks (containers, networks, volumes, images, random secrets and, in every fourth
// copy, the off-site backup's AWS resources), each copy renamed so that names, ids and URNs stay unique and
// cross-references stay consistent. Each size is evaluated once to warm up, then timed three times (median). A
// stack policy that scans the whole stack for every resource shows up as a time that grows faster than the stack;
// each stack policy is timed alone (every other policy disabled by config) to name it. Exits 1 when 10,000
// resources take 10 s or more.
import { performance } from "node:perf_hooks";
import { engineConfig, runStack } from "../tools/mocks/stack-run";
import { Analyzer, EngineResource } from "../tools/analyzer/judge";

const SIZES = [100, 1_000, 10_000] as const;
const BUDGET_MS = 10_000;
/**
 * The retired hand-written emulation (tools/policy-engine.ts, removed when the real analyzer became the judge)
 * evaluated 10,000 resources in 2.70 s on this machine (stop 6's closing note); printed beside the real path's
 * figure so the price of judging with the real analyzer stays visible.
 */
const RETIRED_EMULATION_MS_AT_10K = 2_700;
const RUNS = 3;
/** Copies cycle through these templates: mostly the docker-only dev stack, every fourth one prod with AWS. */
const TEMPLATE_CYCLE = ["dev", "dev", "dev", "prod"] as const;

// ---- building stacks ------------------------------------------------------------------------------------------

/**
 * Values that identify one resource (its docker name, provider id, ARN, bucket, key id) and only that one. Image
 * digests are content addresses, the same for every copy that runs the image, so they are kept.
 */
function identifiers(template: readonly EngineResource[]): string[] {
    const counts = new Map<string, number>();
    for (const r of template) {
        const props = { ...r.inputs, ...r.outputs };
        for (const key of ["name", "id", "arn", "bucket", "keyId"]) {
            const value = props[key];
            if (typeof value === "string" && value.length >= 4 && !value.includes("sha256:")) {
                counts.set(value, (counts.get(value) ?? 0) + 1);
            }
        }
    }
    return [...counts].filter(([, n]) => n === 1).map(([value]) => value);
}

/** Replaces whole identifiers everywhere, and long ones (bucket names, ARNs) inside longer strings such as JSON. */
function renamer(ids: readonly string[], suffix: string): (value: unknown) => unknown {
    const exact = new Map(ids.map((id) => [id, id + suffix]));
    const long = ids.filter((id) => id.length >= 16).sort((a, b) => b.length - a.length);
    const rename = (value: unknown): unknown => {
        if (typeof value === "string") {
            return exact.get(value) ?? (value.length > 40 ? long.reduce((s, id) => s.split(id).join(id + suffix), value) : value);
        }
        if (Array.isArray(value)) {
            return value.map(rename);
        }
        if (value && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)]));
        }
        return value;
    };
    return rename;
}

/** One renamed copy of a stack: logical names and URNs get the suffix, and so does every identifier. */
function copyOf(template: readonly EngineResource[], ids: readonly string[], copy: number): EngineResource[] {
    const suffix = `-c${copy}`;
    const rename = renamer(ids, suffix);
    const urns = new Map(template.map((r) => [r.urn, r.urn + suffix]));
    const urn = (u: string) => urns.get(u) ?? u;
    return template.map((r) => ({
        ...r,
        name: r.name + suffix,
        urn: urn(r.urn),
        inputs: rename(r.inputs) as Record<string, unknown>,
        outputs: r.outputs && (rename(r.outputs) as Record<string, unknown>),
        parent: r.parent && urn(r.parent),
        dependencies: r.dependencies?.map(urn),
        propertyDependencies: r.propertyDependencies && Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, us]) => [k, us.map(urn)])),
    }));
}

type Template = { readonly resources: readonly EngineResource[]; readonly ids: readonly string[] };

/** Exactly `size` resources: whole copies, the last one cut short (which may leave it a violation or two). */
function stackOf(size: number, templates: Record<(typeof TEMPLATE_CYCLE)[number], Template>): EngineResource[] {
    const resources: EngineResource[] = [];
    for (let copy = 0; resources.length < size; copy++) {
        const template = templates[TEMPLATE_CYCLE[copy % TEMPLATE_CYCLE.length]];
        resources.push(...copyOf(template.resources, template.ids, copy));
    }
    return resources.slice(0, size);
}

// ---- timing -----------------------------------------------------------------------------------------------------

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Wall time of one call, in milliseconds. */
async function timed(run: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await run();
    return performance.now() - start;
}

/** Median wall time of `RUNS` evaluations after one warm-up, and the violations found. */
async function timeEvaluation(analyzer: Analyzer, resources: readonly EngineResource[]): Promise<{ ms: number; violations: number }> {
    const { violations } = await analyzer.evaluate(resources);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        times.push(await timed(() => analyzer.evaluate(resources)));
    }
    return { ms: median(times), violations: violations.length };
}

function typeMix(resources: readonly EngineResource[]): string {
    const provider = (type: string) => (type.startsWith("docker:") ? type.split(":").pop()! : type.split(":")[0]);
    const counts = new Map<string, number>();
    resources.forEach((r) => counts.set(provider(r.type), (counts.get(provider(r.type)) ?? 0) + 1));
    return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(", ");
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<number> {
    // One pack judges both templates, and the pack follows one stack's config: dev on prod's ports, so that both
    // templates are compliant under it.
    const prodRun = await runStack("prod");
    const sharedPorts = { httpsPort: "443", httpPort: "80", corsOrigins: undefined };
    const [dev, prod] = [(await runStack("dev", sharedPorts)).resources, prodRun.resources];
    const templates = { dev: { resources: dev, ids: identifiers(dev) }, prod: { resources: prod, ids: identifiers(prod) } };
    const analyzer = await Analyzer.start({ stackConfig: engineConfig(prodRun.input) });
    try {
        const stackPolicies = analyzer.policies.filter((p) => p.type === "stack");
        console.log(
            `bench:policy: the real analyzer, ${analyzer.policies.length} policies (${stackPolicies.length} stack); ` +
                `templates: dev ${dev.length} and prod ${prod.length} resources`,
        );

        const stacks = new Map(SIZES.map((size) => [size, stackOf(size, templates)]));
        const rows: { size: number; ms: number; violations: number }[] = [];
        for (const [size, resources] of stacks) {
            rows.push({ size, ...(await timeEvaluation(analyzer, resources)) });
        }
        const largest = stacks.get(10_000)!;
        console.log(`mix at ${fmt(largest.length, 0)}: ${typeMix(largest)}\n`);
        console.log("resources   total ms   µs/resource   violations");
        for (const r of rows) {
            console.log(`${fmt(r.size, 0).padStart(9)}  ${fmt(r.ms).padStart(9)}  ${fmt((r.ms * 1000) / r.size).padStart(12)}  ${String(r.violations).padStart(11)}`);
        }
        const perResource = (r: (typeof rows)[number]) => r.ms / r.size;
        const [small, big] = [rows[0], rows[rows.length - 1]];
        console.log(`\nper-resource time at ${fmt(big.size, 0)} vs ${fmt(small.size, 0)}: ${fmt(perResource(big) / perResource(small), 2)}x (linear ≈ 1)`);
        console.log(
            `real analyzer vs the retired emulation at 10,000: ${fmt(big.ms / 1000, 2)} s vs ${fmt(RETIRED_EMULATION_MS_AT_10K / 1000, 2)} s ` +
                `(${fmt(big.ms / RETIRED_EMULATION_MS_AT_10K, 2)}x)`,
        );

        // Resource policies see one resource per call, so they cannot grow faster than the stack; a stack policy can.
        // Each is timed alone through AnalyzeStack at 1,000 and 10,000: linear is ~10x.
        const mid = stacks.get(1_000)!;
        const alone = (name: string) => ({ all: "disabled", [name]: "mandatory" }) as Record<string, "disabled" | "mandatory">;
        const perPolicy: { name: string; ms: number; growth: number }[] = [];
        for (const policy of stackPolicies) {
            const atMid = await timed(() => analyzer.evaluate(mid, { config: alone(policy.name) }, { resources: false }));
            const atBig = await timed(() => analyzer.evaluate(largest, { config: alone(policy.name) }, { resources: false }));
            perPolicy.push({ name: policy.name, ms: atBig, growth: atBig / atMid });
        }
        perPolicy.sort((a, b) => b.growth - a.growth);
        console.log(`\nstack policies alone at ${fmt(big.size, 0)} resources (AnalyzeStack; growth from 1,000, linear ≈ 10x):`);
        for (const p of perPolicy) {
            console.log(`  ${p.name.padEnd(40)} ${fmt(p.ms).padStart(9)} ms  ${fmt(p.growth)}x`);
        }
        const fast = perPolicy.filter((p) => p.growth > 20);
        console.log(fast.length === 0 ? "no stack policy grows faster than linearly" : `growing faster than linearly (> 20x): ${fast.map((p) => p.name).join(", ")}`);

        const within = big.ms < BUDGET_MS;
        console.log(`\n${within ? "PASS" : "FAIL"}: ${fmt(big.size, 0)} resources evaluate in ${fmt(big.ms / 1000, 2)} s, ${within ? "under" : "NOT under"} the ${BUDGET_MS / 1000} s budget.`);
        return within ? 0 : 1;
    } finally {
        await analyzer.stop();
    }
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(`bench:policy: ${(e as Error).stack ?? e}`);
        process.exit(2);
    },
);
