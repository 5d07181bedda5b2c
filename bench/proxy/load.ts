// A small keep-alive load generator: `concurrency` workers, each with one request in flight at a time on its
// own kept-alive connection, for `seconds`; each request's latency is recorded. The connections are opened and
// used by `warmupRequests` per worker before the clock starts, so TLS handshakes and connection set-up are not
// in the timed window (the bench measures steady keep-alive traffic). Loopback only, by construction of the
// callers; nothing here retries or ramps.
import * as http from "node:http";
import * as https from "node:https";
import { RunStats, runStats } from "./stats";

export interface LoadTarget {
    readonly url: string;
    /** SNI and Host for https targets. */
    readonly serverName?: string;
}

export interface LoadOptions {
    readonly concurrency: number;
    readonly seconds: number;
    /** Untimed requests per worker first, on the same connections (default 20). */
    readonly warmupRequests?: number;
    /** Called after the warm-up, just before the clock starts, and just after it stops (e.g. CPU counters). */
    readonly atStart?: () => Promise<unknown>;
    readonly atEnd?: () => Promise<unknown>;
}

/** One GET; resolves with its latency in ms, or undefined for an error or a status other than 200. */
function get(request: typeof http.request, url: URL, agent: http.Agent, headers: http.OutgoingHttpHeaders): Promise<number | undefined> {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, agent, headers, timeout: 10_000 }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : undefined));
            res.on("error", () => resolve(undefined));
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", () => resolve(undefined));
        req.end();
    });
}

/** True when one GET of the target answers 200 (for waiting until a target is up). */
export async function answers(target: LoadTarget): Promise<boolean> {
    const url = new URL(target.url);
    const isHttps = url.protocol === "https:";
    const agent = isHttps ? new https.Agent({ rejectUnauthorized: false, servername: target.serverName }) : new http.Agent();
    try {
        return (await get(isHttps ? https.request : http.request, url, agent, target.serverName ? { Host: target.serverName } : {})) !== undefined;
    } finally {
        agent.destroy();
    }
}

export async function runLoad(target: LoadTarget, opts: LoadOptions): Promise<RunStats> {
    const url = new URL(target.url);
    const isHttps = url.protocol === "https:";
    const agent = isHttps
        ? new https.Agent({ keepAlive: true, maxSockets: opts.concurrency, rejectUnauthorized: false, servername: target.serverName })
        : new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
    const request = isHttps ? https.request : http.request;
    const headers = target.serverName ? { Host: target.serverName } : {};
    try {
        let warmupErrors = 0;
        await Promise.all(
            Array.from({ length: opts.concurrency }, async () => {
                for (let i = 0; i < (opts.warmupRequests ?? 20); i++) if ((await get(request, url, agent, headers)) === undefined) warmupErrors++;
            }),
        );
        if (warmupErrors) throw new Error(`${warmupErrors} warm-up requests to ${target.url} failed`);

        await opts.atStart?.();
        const latencies: number[] = [];
        let errors = 0;
        const started = process.hrtime.bigint();
        const deadline = started + BigInt(Math.round(opts.seconds * 1e9));
        await Promise.all(
            Array.from({ length: opts.concurrency }, async () => {
                while (process.hrtime.bigint() < deadline) {
                    const ms = await get(request, url, agent, headers);
                    if (ms === undefined) errors++;
                    else latencies.push(ms);
                }
            }),
        );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        await opts.atEnd?.();
        return runStats(latencies, errors, seconds);
    } finally {
        agent.destroy();
    }
}
