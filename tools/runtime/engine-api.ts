// A small client for the Docker Engine HTTP API over the local unix socket. The harness and the live audit
// need a dozen endpoints; writing them out keeps every request body visible to review and adds no
// dependency. Paths are pinned to API 1.41 (Docker 20.10, Debian 12's docker.io); newer engines serve it too.
import * as http from "node:http";

export const API_VERSION = "v1.41";

export class EngineError extends Error {
    constructor(
        readonly status: number,
        readonly method: string,
        readonly path: string,
        message: string,
    ) {
        super(`Docker Engine API ${method} ${path} -> ${status}: ${message}`);
        this.name = "EngineError";
    }
}

/** The engine socket: DOCKER_HOST when it is a unix:// address, else Docker's default. */
export function engineSocketPath(env: NodeJS.ProcessEnv = process.env): string {
    const host = env.DOCKER_HOST;
    if (!host) {
        return "/var/run/docker.sock";
    }
    if (host.startsWith("unix://")) {
        return host.slice("unix://".length);
    }
    throw new Error(`DOCKER_HOST=${host} is not a unix:// socket; the harness and verify read the local engine only (they also read /proc of its containers)`);
}

export interface ExecResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

interface RawResponse {
    readonly status: number;
    readonly body: Buffer;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export class Engine {
    constructor(readonly socketPath: string = engineSocketPath()) {}

    private raw(method: string, path: string, body?: unknown, query?: Query, timeoutMs = 120_000): Promise<RawResponse> {
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(query ?? {})) {
            if (v !== undefined) qs.set(k, String(v));
        }
        const fullPath = `/${API_VERSION}${path}${qs.size ? `?${qs}` : ""}`;
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        return new Promise((resolve, reject) => {
            const req = http.request(
                {
                    socketPath: this.socketPath,
                    method,
                    path: fullPath,
                    headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {},
                    timeout: timeoutMs,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
                    res.on("error", reject);
                },
            );
            req.on("timeout", () => req.destroy(new Error(`Docker Engine API ${method} ${path} timed out after ${timeoutMs} ms`)));
            req.on("error", reject);
            req.end(payload);
        });
    }

    /** A JSON request; a non-2xx answer throws with the engine's own message. */
    async request<T>(method: string, path: string, body?: unknown, query?: Query, timeoutMs?: number): Promise<T> {
        const res = await this.raw(method, path, body, query, timeoutMs);
        if (res.status < 200 || res.status >= 300) {
            let message = res.body.toString("utf8").trim();
            try {
                message = (JSON.parse(message) as { message?: string }).message ?? message;
            } catch {
                // not JSON: keep the text
            }
            throw new EngineError(res.status, method, path, message);
        }
        if (res.body.length === 0) {
            return undefined as T;
        }
        const text = res.body.toString("utf8");
        return (res.body[0] === 0x7b || res.body[0] === 0x5b ? JSON.parse(text) : text) as T;
    }

    /** True when the engine answers /_ping. */
    async ping(): Promise<boolean> {
        try {
            const res = await this.raw("GET", "/_ping", undefined, undefined, 3_000);
            return res.status === 200;
        } catch {
            return false;
        }
    }

    /** Container output, demultiplexed (containers without a TTY frame stdout and stderr). */
    async logs(id: string, opts: { tail?: number; since?: number } = {}): Promise<string> {
        const res = await this.raw("GET", `/containers/${encodeURIComponent(id)}/logs`, undefined, {
            stdout: true,
            stderr: true,
            tail: opts.tail ?? "all",
            since: opts.since,
        });
        if (res.status !== 200) {
            throw new EngineError(res.status, "GET", `/containers/${id}/logs`, res.body.toString("utf8"));
        }
        const { stdout, stderr } = demux(res.body);
        return stdout + stderr;
    }

    /** Runs a command in a running container (as the container's user unless `user` is given). */
    async exec(id: string, cmd: readonly string[], opts: { user?: string; timeoutMs?: number; env?: readonly string[] } = {}): Promise<ExecResult> {
        const created = await this.request<{ Id: string }>("POST", `/containers/${encodeURIComponent(id)}/exec`, {
            AttachStdout: true,
            AttachStderr: true,
            Tty: false,
            Cmd: cmd,
            ...(opts.user ? { User: opts.user } : {}),
            ...(opts.env ? { Env: opts.env } : {}),
        });
        const res = await this.raw("POST", `/exec/${created.Id}/start`, { Detach: false, Tty: false }, undefined, opts.timeoutMs ?? 60_000);
        if (res.status !== 200) {
            throw new EngineError(res.status, "POST", `/exec/${created.Id}/start`, res.body.toString("utf8"));
        }
        const { stdout, stderr } = demux(res.body);
        const inspected = await this.request<{ ExitCode: number | null }>("GET", `/exec/${created.Id}/json`);
        return { exitCode: inspected.ExitCode ?? -1, stdout, stderr };
    }
}

/** Splits Docker's multiplexed stream: 8-byte headers (stream type, 3 zero bytes, big-endian length). */
export function demux(buffer: Buffer): { stdout: string; stderr: string } {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let offset = 0;
    while (offset + 8 <= buffer.length) {
        const type = buffer[offset];
        const size = buffer.readUInt32BE(offset + 4);
        const frame = buffer.subarray(offset + 8, offset + 8 + size);
        (type === 2 ? err : out).push(frame);
        offset += 8 + size;
    }
    if (offset === 0 && buffer.length > 0 && buffer[0] !== 1 && buffer[0] !== 2) {
        // Not multiplexed (a TTY container): the whole body is the output.
        return { stdout: buffer.toString("utf8"), stderr: "" };
    }
    return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}
