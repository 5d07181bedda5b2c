// Proxy benchmark (issue 10): what the TLS proxy costs. Requests per second and p50/p99 latency of GET `--path`
// through the real proxy (images/proxy with the program's recorded settings: 0.5 CPU, 128 MB in dev) to a fast
// upstream stand-in, against the same stand-in directly (plain HTTP), both with keep-alive, at 16 and 64
// connections. See rig.ts for the containers and why the stand-in runs where it does.
//
// Per concurrency: one warm-up round (not counted), then `--rounds` rounds of proxy, direct, proxy, direct, …,
// `--seconds` each; the figures are medians over the rounds, the ratios are of the medians. Target (issue 10,
// loopback, 16 connections): proxy req/s >= 0.8x direct and p99 added <= 2 ms; the bench reports PASS/FAIL and
// always exits 0 when it measured without errors (the targets are for reading, not a gate).
//
//   npm run bench:proxy [-- --json --rounds 5 --seconds 5 --connections 16,64 --path /up]
//
// --json prints exactly one JSON object on stdout (rpsRatio16, p99AddedMs16, rpsRatio64, p99AddedMs64, the
// medians behind them, rounds, limits); progress goes to stderr.
import { answers, LoadTarget, runLoad } from "./load";
import { CpuCounters, ProxyRig } from "./rig";
import { benchJson, BenchSetup, compare, Comparison, humanReport, RunStats } from "./stats";

const log = (msg: string) => console.error(`[bench:proxy] ${msg}`);

function positive(argv: readonly string[], name: string, fallback: number): number {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
}

async function main(argv: readonly string[]): Promise<void> {
    const json = argv.includes("--json");
    const rounds = Math.round(positive(argv, "rounds", 5));
    const seconds = positive(argv, "seconds", 5);
    const ci = argv.indexOf("--connections");
    const connections = (ci >= 0 ? argv[ci + 1] : "16,64").split(",").map(Number);
    if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new Error("--connections must be a comma-separated list of positive integers");
    const pi = argv.indexOf("--path");
    const urlPath = pi >= 0 ? argv[pi + 1] : "/up";
    if (!urlPath?.startsWith("/")) throw new Error("--path must start with /");

    const rig = new ProxyRig(log);
    let tearingDown = false;
    const onSignal = (signal: NodeJS.Signals) => {
        if (tearingDown) return;
        tearingDown = true;
        log(`${signal}: removing the bench's containers and network, then exiting`);
        void rig.down().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        await rig.up(urlPath, (url, serverName) => answers({ url, serverName }));
        const proxy: LoadTarget = { url: rig.proxyUrl, serverName: rig.serverName };
        const direct: LoadTarget = { url: rig.directUrl };
        log(`proxy ${rig.proxyUrl} (${rig.limits.proxyCpus} CPU), direct ${rig.directUrl}; ${rounds} rounds of ${seconds} s per target at ${connections.join(" and ")} connections`);

        const others = await rig.others();
        if (others.length) log(`WARNING: other containers are running and will skew the figures: ${others.join(", ")}`);

        /** One timed run, with the CPU the proxy and the upstream used over it (the proxy's throttling when it is the target). */
        const measured = async (target: LoadTarget, concurrency: number): Promise<RunStats> => {
            const snapshot = () => Promise.all([rig.cpu(rig.proxyContainer), rig.cpu(rig.upstreamContainer)]);
            let before: CpuCounters[] = [];
            let after: CpuCounters[] = [];
            const r = await runLoad(target, { concurrency, seconds, atStart: async () => (before = await snapshot()), atEnd: async () => (after = await snapshot()) });
            const cores = (a: CpuCounters, b: CpuCounters) => (b.usageNs - a.usageNs) / 1e9 / r.seconds;
            const periods = after[0].periods - before[0].periods;
            return {
                ...r,
                proxyCpu: cores(before[0], after[0]),
                upstreamCpu: cores(before[1], after[1]),
                proxyThrottledPct: target === proxy && periods ? (100 * (after[0].throttledPeriods - before[0].throttledPeriods)) / periods : undefined,
            };
        };

        const comparisons: Comparison[] = [];
        for (const concurrency of connections) {
            const runs: Record<"proxy" | "direct", RunStats[]> = { proxy: [], direct: [] };
            for (let round = 0; round <= rounds; round++) {
                for (const [name, target] of [["proxy", proxy], ["direct", direct]] as const) {
                    const r = await measured(target, concurrency);
                    log(
                        `${concurrency} connections, ${round ? `round ${round}/${rounds}` : "warm-up"}, ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, ` +
                            `p99 ${r.p99Ms.toFixed(2)} ms, ${r.errors} errors; CPU proxy ${r.proxyCpu?.toFixed(2)}${r.proxyThrottledPct === undefined ? "" : ` (throttled ${r.proxyThrottledPct.toFixed(0)}%)`}, upstream ${r.upstreamCpu?.toFixed(2)}`,
                    );
                    if (round) runs[name].push(r);
                }
            }
            comparisons.push(compare(concurrency, runs.proxy, runs.direct));
        }

        const setup: BenchSetup = { rounds, secondsPerRun: seconds, path: urlPath, ...rig.limits, otherContainers: others.length };
        if (json) console.log(JSON.stringify(benchJson(setup, comparisons)));
        else console.log(humanReport(setup, comparisons, { proxy: rig.proxyUrl, direct: rig.directUrl }));
        const errors = comparisons.reduce((n, c) => n + c.proxy.errors + c.direct.errors, 0);
        if (errors) {
            log(`${errors} requests failed: the figures are not comparable`);
            process.exitCode = 1;
        }
    } finally {
        const problems = await rig.down();
        if (problems.length) log(`teardown problems: ${problems.join("; ")}`);
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
}

main(process.argv.slice(2)).catch((e: Error) => {
    log(e.message);
    process.exit(1);
});
