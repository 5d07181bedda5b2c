// The proxy benchmark's arithmetic, free of I/O so that it can be tested on fixed numbers: percentiles of one
// run, medians over alternating runs, proxy-vs-direct ratios, the verdict against issue 10's targets, the
// `--json` object and the human table.

/** Issue 10's targets, at 16 connections on loopback. */
export const TARGETS = { concurrency: 16, minRpsRatio: 0.8, maxP99AddedMs: 2 } as const;

/** One timed run against one target. */
export interface RunStats {
    readonly completed: number;
    readonly errors: number;
    readonly seconds: number;
    readonly rps: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    /** CPUs (cores) the proxy and the upstream containers used over the run, and the share of the proxy's CFS periods that hit its quota. */
    readonly proxyCpu?: number;
    readonly upstreamCpu?: number;
    readonly proxyThrottledPct?: number;
}

/** Nearest-rank percentile of ascending values (NaN for none). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
    if (!sorted.length) return NaN;
    return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(xs: readonly number[]): number {
    if (!xs.length) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A run's statistics from its latencies (ms, any order), its error count and its wall time. */
export function runStats(latenciesMs: readonly number[], errors: number, seconds: number): RunStats {
    const sorted = Float64Array.from(latenciesMs).sort();
    return { completed: sorted.length, errors, seconds, rps: sorted.length / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

/** Medians over the rounds of one target (each figure's median separately), with the runs kept. */
export interface TargetSummary {
    readonly rps: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly errors: number;
    readonly proxyCpu: number;
    readonly upstreamCpu: number;
    readonly proxyThrottledPct: number;
    readonly runs: readonly RunStats[];
}

export function summarize(runs: readonly RunStats[]): TargetSummary {
    const of = (key: "rps" | "p50Ms" | "p99Ms" | "proxyCpu" | "upstreamCpu" | "proxyThrottledPct") =>
        median(runs.map((r) => r[key]).filter((x): x is number => x !== undefined));
    return {
        rps: of("rps"),
        p50Ms: of("p50Ms"),
        p99Ms: of("p99Ms"),
        errors: runs.reduce((n, r) => n + r.errors, 0),
        proxyCpu: of("proxyCpu"),
        upstreamCpu: of("upstreamCpu"),
        proxyThrottledPct: of("proxyThrottledPct"),
        runs,
    };
}

export interface Comparison {
    readonly concurrency: number;
    readonly proxy: TargetSummary;
    readonly direct: TargetSummary;
    /** Median proxy req/s over median direct req/s. */
    readonly rpsRatio: number;
    /** Median proxy p50/p99 minus median direct p50/p99 (ms). */
    readonly p50AddedMs: number;
    readonly p99AddedMs: number;
}

export function compare(concurrency: number, proxyRuns: readonly RunStats[], directRuns: readonly RunStats[]): Comparison {
    const proxy = summarize(proxyRuns);
    const direct = summarize(directRuns);
    return { concurrency, proxy, direct, rpsRatio: proxy.rps / direct.rps, p50AddedMs: proxy.p50Ms - direct.p50Ms, p99AddedMs: proxy.p99Ms - direct.p99Ms };
}

export interface Verdict {
    readonly rpsRatio: boolean;
    readonly p99Added: boolean;
}

/** Against the targets; undefined when the bench did not run at the targets' concurrency. */
export function verdict(comparisons: readonly Comparison[]): Verdict | undefined {
    const c = comparisons.find((x) => x.concurrency === TARGETS.concurrency);
    return c && { rpsRatio: c.rpsRatio >= TARGETS.minRpsRatio, p99Added: c.p99AddedMs <= TARGETS.maxP99AddedMs };
}

/** What the bench ran with, for the record. */
export interface BenchSetup {
    readonly rounds: number;
    readonly secondsPerRun: number;
    readonly path: string;
    readonly proxyCpus: number;
    readonly proxyMemoryMb: number;
    readonly upstreamCpus: number;
    readonly upstreamMemoryMb: number;
    /** Containers of others running on the engine when the bench started (their load skews the figures). */
    readonly otherContainers: number;
}

const round = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

const runJson = (r: Omit<RunStats, "completed" | "seconds">) => ({
    rps: round(r.rps, 1),
    p50Ms: round(r.p50Ms, 3),
    p99Ms: round(r.p99Ms, 3),
    errors: r.errors,
    proxyCpu: round(r.proxyCpu ?? NaN, 2),
    upstreamCpu: round(r.upstreamCpu ?? NaN, 2),
    proxyThrottledPct: round(r.proxyThrottledPct ?? NaN, 1),
});

const targetJson = (t: TargetSummary) => ({ ...runJson(t), runs: t.runs.map((r) => ({ ...runJson(r), completed: r.completed })) });

/** The `--json` object: the four headline figures per concurrency (rpsRatioN, p99AddedMsN, …), then the medians behind them. */
export function benchJson(setup: BenchSetup, comparisons: readonly Comparison[]): Record<string, unknown> {
    const headline: Record<string, number | null> = {};
    for (const c of comparisons) {
        headline[`rpsRatio${c.concurrency}`] = round(c.rpsRatio, 3);
        headline[`p99AddedMs${c.concurrency}`] = round(c.p99AddedMs, 3);
        headline[`p50AddedMs${c.concurrency}`] = round(c.p50AddedMs, 3);
    }
    const v = verdict(comparisons);
    return {
        ...headline,
        targets: { concurrency: TARGETS.concurrency, minRpsRatio: TARGETS.minRpsRatio, maxP99AddedMs: TARGETS.maxP99AddedMs, ...(v ? { rpsRatioMet: v.rpsRatio, p99AddedMet: v.p99Added } : {}) },
        ...setup,
        medians: Object.fromEntries(comparisons.map((c) => [String(c.concurrency), { proxy: targetJson(c.proxy), direct: targetJson(c.direct) }])),
    };
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    return [head, ...rows].map((r) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")).join("\n");
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

/** The human report: a table per concurrency (medians and every run), then the ratios and the verdict. */
export function humanReport(setup: BenchSetup, comparisons: readonly Comparison[], targets: { proxy: string; direct: string }): string {
    const out: string[] = [];
    out.push(`proxy:  ${targets.proxy}  (nginx, TLS, keep-alive; ${setup.proxyCpus} CPU, ${setup.proxyMemoryMb} MB as the program sets)`);
    out.push(`direct: ${targets.direct}  (the same upstream stand-in, plain HTTP, keep-alive; ${setup.upstreamCpus} CPU, ${setup.upstreamMemoryMb} MB)`);
    out.push(`medians of ${setup.rounds} alternating rounds of ${setup.secondsPerRun} s per target (proxy, direct, proxy, ...) after a warm-up round;`);
    out.push("CPU: cores the proxy and the upstream containers used during the runs; throttled: share of the proxy's CFS periods that hit its quota");
    if (setup.otherContainers) out.push(`WARNING: ${setup.otherContainers} other containers were running on the engine: the figures are skewed`);
    for (const c of comparisons) {
        const head = ["", "req/s", "p50 ms", "p99 ms", "errors", "proxy CPU", "throttled", "upstream CPU", "req/s per run"];
        const row = (label: string, t: TargetSummary) => [
            label,
            fixed(t.rps, 0),
            fixed(t.p50Ms, 2),
            fixed(t.p99Ms, 2),
            String(t.errors),
            fixed(t.proxyCpu, 2),
            Number.isFinite(t.proxyThrottledPct) ? `${t.proxyThrottledPct.toFixed(0)}%` : "-",
            fixed(t.upstreamCpu, 2),
            t.runs.map((r) => fixed(r.rps, 0)).join(" "),
        ];
        out.push("", `${c.concurrency} connections`, table(head, [row("proxy", c.proxy), row("direct", c.direct)]));
        out.push(`proxy/direct req/s ${fixed(c.rpsRatio, 2)}x; added latency p50 ${fixed(c.p50AddedMs, 2)} ms, p99 ${fixed(c.p99AddedMs, 2)} ms`);
    }
    const v = verdict(comparisons);
    const c = comparisons.find((x) => x.concurrency === TARGETS.concurrency);
    if (v && c) {
        out.push("", `targets at ${TARGETS.concurrency} connections:`);
        out.push(`  req/s >= ${TARGETS.minRpsRatio}x direct: ${fixed(c.rpsRatio, 2)}x  ${v.rpsRatio ? "PASS" : "FAIL"}`);
        out.push(`  p99 added <= ${TARGETS.maxP99AddedMs} ms:    ${fixed(c.p99AddedMs, 2)} ms  ${v.p99Added ? "PASS" : "FAIL"}`);
    }
    return out.join("\n");
}
