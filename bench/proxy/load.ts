// A small keep-alive load generator: `concurrency` workers share a budget of `requests` requests and stop at
// `maxSeconds` whichever comes first; each request's latency is recorded. Loopback only, by construction of
// the callers; nothing here retries or ramps.
import * as http from "node:http";
import * as https from "node:https";

export interface LoadTarget {
    readonly label: string;
    readonly url: string;
    /** SNI / Host for https targets. */
    readonly serverName?: string;
}

export interface LoadOptions {
    readonly requests: number;
    readonly concurrency: number;
    readonly maxSeconds: number;
}

export interface LoadResult {
    readonly label: string;
    readonly completed: number;
    readonly errors: number;
    readonly seconds: number;
    readonly rps: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

export async function runLoad(target: LoadTarget, opts: LoadOptions): Promise<LoadResult> {
    const url = new URL(target.url);
    const isHttps = url.protocol === "https:";
    const agent = isHttps
        ? new https.Agent({ keepAlive: true, maxSockets: opts.concurrency, rejectUnauthorized: false, servername: target.serverName })
        : new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
    const request = isHttps ? https.request : http.request;
    const latencies: number[] = [];
    let errors = 0;
    let issued = 0;
    const started = process.hrtime.bigint();
    const deadline = Date.now() + opts.maxSeconds * 1000;

    const one = () =>
        new Promise<void>((resolve) => {
            const t0 = process.hrtime.bigint();
            const req = request(
                { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, agent, headers: target.serverName ? { Host: target.serverName } : {}, timeout: 10_000 },
                (res) => {
                    res.resume();
                    res.on("end", () => {
                        if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
                        else errors++;
                        resolve();
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error("timeout")));
            req.on("error", () => {
                errors++;
                resolve();
            });
            req.end();
        });

    const worker = async () => {
        while (issued < opts.requests && Date.now() < deadline) {
            issued++;
            await one();
        }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    agent.destroy();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const sorted = [...latencies].sort((a, b) => a - b);
    return { label: target.label, completed: latencies.length, errors, seconds, rps: latencies.length / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}
