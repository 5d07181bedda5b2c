// Proxy overhead: requests per second and p50/p99 latency for GET /up through the TLS proxy, versus the same
// requests sent to the demo backend directly. The direct target is a bench-only twin of the backend (same
// image, settings and networks, no alias) published on a free loopback port for the duration of the bench;
// the stack's own backend stays unpublished. Both run under the limits the program sets (proxy 0.5 CPU).
//
//   npm run bench:proxy [-- --requests 3000 --concurrency 16 --max-seconds 30 --path /up]
import { freeLoopbackPorts } from "../../tools/runtime/host";
import { PUBLISH_HOST, RuntimeSession } from "../../tools/runtime/session";
import { LoadOptions, LoadResult, runLoad } from "./load";

function option(argv: readonly string[], name: string, fallback: number): number {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
}

function table(results: readonly LoadResult[]): string {
    const rows = results.map((r) => [r.label, String(r.completed), String(r.errors), r.seconds.toFixed(1), r.rps.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2)]);
    const head = ["target", "requests", "errors", "seconds", "req/s", "p50 ms", "p99 ms"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    return [head, ...rows].map((r) => r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")).join("\n");
}

async function main(argv: readonly string[]): Promise<void> {
    const load: LoadOptions = {
        requests: option(argv, "requests", 3000),
        concurrency: option(argv, "concurrency", 16),
        maxSeconds: option(argv, "max-seconds", 30),
    };
    const pathIndex = argv.indexOf("--path");
    const path = pathIndex >= 0 ? argv[pathIndex + 1] : "/up";
    if (!path?.startsWith("/")) throw new Error("--path must start with /");

    const session = await RuntimeSession.start();
    try {
        const failed = session.outcomes.filter((o) => o.status !== "healthy" && ["proxy", "app-backend", "app-frontend", "database"].includes(o.resourceName));
        if (failed.length) throw new Error(`the stack did not come up: ${failed.map((o) => `${o.name}: ${o.error}`).join("; ")}`);

        const backend = session.run.specs.get("app-backend");
        if (!backend) throw new Error("the stack has no app-backend container");
        const [directPort] = await freeLoopbackPorts(1);
        const twin = `${session.stackName}-bench-backend`;
        const firstNet = backend.body.HostConfig.NetworkMode as string;
        await session.run.create(
            twin,
            {
                ...backend.body,
                Labels: {},
                ExposedPorts: { "3000/tcp": {} },
                HostConfig: { ...backend.body.HostConfig, PortBindings: { "3000/tcp": [{ HostIp: PUBLISH_HOST, HostPort: String(directPort) }] } },
                NetworkingConfig: { EndpointsConfig: { [firstNet]: {} } },
            },
            backend.extraNetworks.map((n) => ({ name: n.name, aliases: [] })),
        );
        await session.run.waitHealthy(twin, backend.wait.timeoutSeconds);

        const targets = [
            { label: `proxy  https://${PUBLISH_HOST}:${session.ports.https}${path}`, url: `${session.proxyHttpsUrl}${path}`, serverName: "localhost" },
            { label: `direct http://${PUBLISH_HOST}:${directPort}${path}`, url: `http://${PUBLISH_HOST}:${directPort}${path}` },
        ];
        console.error(`[bench] ${load.requests} requests per target, ${load.concurrency} connections, at most ${load.maxSeconds}s each (after 200 warm-up requests)`);
        const results: LoadResult[] = [];
        for (const t of targets) {
            await runLoad(t, { requests: 200, concurrency: load.concurrency, maxSeconds: 10 });
            results.push(await runLoad(t, load));
        }
        const [proxy, direct] = results;
        console.log(`\n${table(results)}\n`);
        console.log(`proxy/direct: req/s ${(proxy.rps / direct.rps).toFixed(2)}x, p50 ${(proxy.p50Ms / direct.p50Ms).toFixed(2)}x, p99 ${(proxy.p99Ms / direct.p99Ms).toFixed(2)}x`);
        console.log(`(proxy: TLS 1.3 + HTTP/1.1 keep-alive to nginx with ${Number(session.run.specs.get("proxy")?.body.HostConfig.NanoCpus) / 1e9} CPU; direct: plain HTTP to the backend with ${Number(backend.body.HostConfig.NanoCpus) / 1e9} CPU)`);
        if (proxy.errors || direct.errors) process.exitCode = 1;
    } finally {
        const problems = await session.close();
        if (problems.length) console.error(`teardown problems: ${problems.join("; ")}`);
    }
}

main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
});
