// The live audit's checks over the network, against the TLS proxy on its published address: protocol
// versions, the HTTP redirect, response headers, cookie flags, auth rate limiting and its log lines, and the
// request body bound. Every loop is bounded; nothing leaves the address it is given (loopback in tests).
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import type { ControlId } from "bulwark-vocabulary";
import { Engine } from "../runtime/engine-api";
import { Check, Outcome } from "./checks";
import { ContainerInfo, envValue } from "./containers";
import { pgStartupProbe } from "./pg-probe";

export interface ProxyTarget {
    /** Address to connect to (IP or name). */
    readonly host: string;
    readonly httpsPort: number;
    /** Undefined when neither --http-url nor the proxy container tells it. */
    readonly httpPort?: number;
    /** SNI and Host header: the proxy's SERVER_NAME. */
    readonly serverName: string;
    /** A rate-limited authentication route (from AUTH_ROUTES). */
    readonly authRoute: string;
    readonly authBurst: number;
    readonly bodyLimitMb: number;
    /** The proxy container, for its logs; undefined when auditing a bare --url. */
    readonly proxy?: ContainerInfo;
}

export interface NetworkContext {
    readonly target: ProxyTarget;
    readonly engine: Engine;
    /** Unix time (s) the audit started: log checks read only lines written since. */
    readonly since: number;
}

interface Response {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
}

const TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pass = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string): Outcome => ({ ok: false, detail });

/**
 * One HTTPS request without certificate verification: the audit checks behaviour, and dev is self-signed. SNI
 * is always the configured name; `host` replaces only the Host header (a forged one).
 */
export function httpsRequest(t: ProxyTarget, method: string, path: string, body?: string, host: string = t.serverName): Promise<Response> {
    return new Promise((resolve, reject) => {
        const req = https.request(
            {
                host: t.host,
                port: t.httpsPort,
                servername: t.serverName,
                method,
                path,
                headers: { Host: host, ...(body !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {}) },
                rejectUnauthorized: false,
                agent: false,
                timeout: TIMEOUT_MS,
            },
            (res) => {
                res.resume();
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer from https://${t.host}:${t.httpsPort}${path} within ${TIMEOUT_MS} ms`)));
        req.on("error", reject);
        req.end(body);
    });
}

function httpRequest(t: ProxyTarget, port: number, path: string): Promise<Response> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: t.host, port, path, headers: { Host: t.serverName }, agent: false, timeout: TIMEOUT_MS }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        });
        req.on("timeout", () => req.destroy(new Error(`no answer from http://${t.host}:${port}${path} within ${TIMEOUT_MS} ms`)));
        req.on("error", reject);
        req.end();
    });
}

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

export interface Handshake {
    readonly ok: boolean;
    readonly protocol?: string;
    readonly cipher?: string;
    readonly code?: string;
    readonly message?: string;
}

/**
 * A handshake limited to one protocol version. The client allows every cipher at OpenSSL security level 0,
 * so that a refusal is the server's: by default OpenSSL 3 would not even offer TLS 1.0/1.1 and the check
 * would pass without asking the server.
 */
export function handshake(t: ProxyTarget, version?: TlsVersion, servername: string = t.serverName): Promise<Handshake> {
    return new Promise((resolve) => {
        const socket = tls.connect({
            host: t.host,
            port: t.httpsPort,
            // Node sends no SNI for an empty name (nor for an IP address).
            servername,
            minVersion: version,
            maxVersion: version,
            ciphers: "ALL:@SECLEVEL=0",
            rejectUnauthorized: false,
            timeout: TIMEOUT_MS,
        });
        socket.once("secureConnect", () => {
            resolve({ ok: true, protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher().name });
            socket.end();
        });
        socket.once("timeout", () => socket.destroy(Object.assign(new Error("handshake timed out"), { code: "ETIMEDOUT" })));
        socket.once("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code, message: e.message }));
    });
}

/** Errors that mean the server refused the version (as opposed to the client or the network failing). */
const SERVER_REFUSALS = ["ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "ERR_SSL_UNSUPPORTED_PROTOCOL", "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "ERR_SSL_WRONG_VERSION_NUMBER"];

const refused = (version: TlsVersion) => async (ctx: NetworkContext) => {
    const h = await handshake(ctx.target, version);
    if (h.ok) return fail(`${version} accepted (${h.protocol}, ${h.cipher})`);
    return h.code && SERVER_REFUSALS.includes(h.code) ? pass(`${version} refused by the server (${h.code})`) : fail(`inconclusive: ${h.code ?? ""} ${h.message ?? ""}`.trim());
};

const accepted = (version: TlsVersion) => async (ctx: NetworkContext) => {
    const h = await handshake(ctx.target, version);
    return h.ok ? pass(`${h.protocol} with ${h.cipher}`) : fail(`${version} handshake failed: ${h.code ?? ""} ${h.message ?? ""}`.trim());
};

/** Names no deployment serves (RFC 2606 reserves .invalid). */
const UNKNOWN_NAME = "verify-unknown-name.invalid";
const FORGED_HOST = "verify-forged-host.invalid";

/** The handshake alert nginx's ssl_reject_handshake sends, and the other refusals a server may choose. */
const NAME_REFUSALS = ["ERR_SSL_TLSV1_UNRECOGNIZED_NAME", "ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR", "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "ECONNRESET"];

/** NET-04: only the configured name gets a handshake (an attacker's name, or none, gets no certificate). */
const otherNamesRefused = async ({ target: t }: NetworkContext): Promise<Outcome> => {
    const results: string[] = [];
    const accepted: string[] = [];
    for (const [label, name] of [[UNKNOWN_NAME, UNKNOWN_NAME], ["no SNI", ""]] as const) {
        const h = await handshake(t, undefined, name);
        if (h.ok) accepted.push(`${label}: ${h.protocol}`);
        else if (!h.code || !NAME_REFUSALS.includes(h.code)) return fail(`inconclusive for ${label}: ${h.code ?? ""} ${h.message ?? ""}`.trim());
        results.push(`${label}: refused (${h.code ?? "no handshake"})`);
    }
    return accepted.length ? fail(`handshake accepted for a name other than ${t.serverName}: ${accepted.join("; ")}`) : pass(results.join("; "));
};

/** NET-04: a request naming another host than the configured one (Host header poisoning) never reaches the app. */
const forgedHostRejected = async ({ target: t }: NetworkContext): Promise<Outcome> => {
    const r = await httpsRequest(t, "GET", "/up", undefined, FORGED_HOST);
    return r.status === 421 ? pass(`Host: ${FORGED_HOST} with SNI ${t.serverName}: 421 Misdirected Request`) : fail(`Host: ${FORGED_HOST} with SNI ${t.serverName} answered ${r.status}, expected 421: the app may build URLs from a forged Host`);
};

const header = (r: Response, name: string): string => {
    const v = r.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(", ") : (v ?? "");
};

/** Responses from nginx itself, the frontend, the backend and a not-found page. */
const SAMPLE_PATHS = ["/healthz", "/", "/up", "/verify-not-found"];

/** Expected values of the OWASP headers (exact, or a test). */
const SECURITY_HEADERS: Readonly<Record<string, (v: string) => boolean>> = {
    "X-Content-Type-Options": (v) => v.toLowerCase() === "nosniff",
    "X-Frame-Options": (v) => v.toUpperCase() === "DENY",
    "Referrer-Policy": (v) => /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/.test(v),
    "Content-Security-Policy": (v) => /default-src/.test(v) && /frame-ancestors 'none'/.test(v),
    "Cross-Origin-Opener-Policy": (v) => v === "same-origin",
    "Cross-Origin-Resource-Policy": (v) => /^same-(origin|site)$/.test(v),
    "Permissions-Policy": (v) => v.length > 0,
};

const MIN_HSTS_SECONDS = 31_536_000;

async function postAuth(ctx: NetworkContext): Promise<Response> {
    return httpsRequest(ctx.target, "POST", ctx.target.authRoute, "{}");
}

export type NetworkCheck = Check<(ctx: NetworkContext) => Promise<Outcome>>;

/** In order: the cookie check logs in before the rate-limit check uses up the burst. */
export const NETWORK_CHECKS: readonly NetworkCheck[] = [
    { name: "tls-1.0-refused", controls: ["NET-04"], run: refused("TLSv1") },
    { name: "tls-1.1-refused", controls: ["NET-04"], run: refused("TLSv1.1") },
    { name: "tls-1.2-accepted", controls: ["NET-04"], run: accepted("TLSv1.2") },
    { name: "tls-1.3-accepted", controls: ["NET-04"], run: accepted("TLSv1.3") },
    { name: "tls-other-names-refused", controls: ["NET-04"], run: otherNamesRefused },
    { name: "forged-host-rejected", controls: ["NET-04"], run: forgedHostRejected },
    {
        name: "http-redirects-to-https",
        controls: ["NET-04"],
        run: async ({ target: t }) => {
            if (t.httpPort === undefined) return fail("no HTTP port known: pass --http-url or run against the proxy container");
            const r = await httpRequest(t, t.httpPort, "/verify/redirect?probe=1");
            const location = header(r, "location");
            return r.status === 301 && /^https:\/\/[^/]+\/verify\/redirect\?probe=1$/.test(location)
                ? pass(`301 -> ${location}`)
                : fail(`HTTP answered ${r.status}${location ? ` -> ${location}` : ""}; expected 301 to https:// with the same path`);
        },
    },
    {
        name: "hsts",
        controls: ["NET-06"],
        run: async ({ target: t }) => {
            const problems: string[] = [];
            let seen = "";
            for (const path of SAMPLE_PATHS) {
                const r = await httpsRequest(t, "GET", path);
                const v = header(r, "strict-transport-security");
                const age = Number(/max-age=(\d+)/i.exec(v)?.[1] ?? 0);
                if (age < MIN_HSTS_SECONDS || !/includeSubDomains/i.test(v)) problems.push(`${path} (${r.status}): ${JSON.stringify(v || "absent")}`);
                seen = v;
            }
            return problems.length ? fail(`HSTS missing or weak on ${problems.join("; ")}`) : pass(`"${seen}" on ${SAMPLE_PATHS.join(", ")}`);
        },
    },
    {
        // OWASP secure headers: hardening beyond the catalog's wording, so no control is claimed.
        name: "security-headers",
        controls: [],
        run: async ({ target: t }) => {
            const problems: string[] = [];
            for (const path of SAMPLE_PATHS) {
                const r = await httpsRequest(t, "GET", path);
                for (const [name, ok] of Object.entries(SECURITY_HEADERS)) {
                    if (!ok(header(r, name))) problems.push(`${path} (${r.status}) ${name}: ${JSON.stringify(header(r, name) || "absent")}`);
                }
                const server = header(r, "server");
                if (/\d/.test(server)) problems.push(`${path} Server reveals a version: ${server}`);
            }
            return problems.length ? fail(problems.join("; ")) : pass(`${Object.keys(SECURITY_HEADERS).join(", ")} on ${SAMPLE_PATHS.join(", ")}; Server without version`);
        },
    },
    {
        name: "cookie-flags",
        controls: ["NET-07"],
        run: async (ctx) => {
            // A previous audit may have used up the burst; the limiter admits one request every 60/rate s.
            let r = await postAuth(ctx);
            for (let i = 0; r.status === 429 && i < 3; i++) {
                await sleep(7_000);
                r = await postAuth(ctx);
            }
            const cookies = r.headers["set-cookie"] ?? [];
            if (cookies.length === 0) return fail(`POST ${ctx.target.authRoute} answered ${r.status} without Set-Cookie; cannot judge cookie flags`);
            const weak = cookies.filter((c) => !/;\s*secure(;|$)/i.test(c) || !/;\s*httponly(;|$)/i.test(c) || !/;\s*samesite=(strict|lax)(;|$)/i.test(c));
            const shown = cookies.map((c) => c.replace(/^([^=]+)=[^;]*/, "$1=…"));
            return weak.length ? fail(`cookies without Secure/HttpOnly/SameSite: ${weak.map((c) => c.replace(/^([^=]+)=[^;]*/, "$1=…")).join(" | ")}`) : pass(shown.join(" | "));
        },
    },
    {
        name: "auth-rate-limit",
        controls: ["APP-03"],
        run: async (ctx) => {
            const limit = Math.min(ctx.target.authBurst + 20, 60);
            const statuses: number[] = [];
            for (let i = 0; i < limit; i++) {
                const r = await postAuth(ctx);
                statuses.push(r.status);
                if (r.status === 429) {
                    return pass(`429 after ${i + 1} request(s) to ${ctx.target.authRoute} (burst ${ctx.target.authBurst}); statuses ${statuses.join(",")}`);
                }
            }
            return fail(`no 429 in ${limit} requests to ${ctx.target.authRoute} (burst ${ctx.target.authBurst}); statuses ${[...new Set(statuses)].join(",")}`);
        },
    },
    {
        name: "auth-attempts-logged",
        controls: ["LOG-01", "LOG-03"],
        run: async ({ target: t, engine, since }) => {
            if (!t.proxy) return fail("no proxy container to read logs from (auditing a bare --url)");
            // nginx writes the access line after the response, so the last one may trail the check by a moment.
            let attempts: string[] = [];
            let limited: string[] = [];
            let warned: string[] = [];
            for (let i = 0; i < 10 && !(attempts.length && limited.length && warned.length); i++) {
                if (i) await sleep(500);
                const lines = (await engine.logs(t.proxy.inspect.Id, { since })).split("\n");
                attempts = lines.filter((l) => l.includes("auth_attempt") && l.includes(`uri="${t.authRoute}"`));
                limited = attempts.filter((l) => /status=429\b/.test(l));
                warned = lines.filter((l) => l.includes("limiting requests"));
            }
            return attempts.length && limited.length && warned.length
                ? pass(`${attempts.length} auth_attempt line(s) for this audit, ${limited.length} with status=429; ${warned.length} "limiting requests" warning(s)`)
                : fail(`proxy logs since the audit started: ${attempts.length} auth_attempt line(s), ${limited.length} with status=429, ${warned.length} rate-limit warning(s)`);
        },
    },
    {
        name: "request-body-limit",
        controls: ["APP-05"],
        run: async ({ target: t }) => {
            // Only the headers are sent: nginx judges Content-Length before reading any body.
            const length = (t.bodyLimitMb + 1) * 1024 * 1024;
            const status = await new Promise<string>((resolve, reject) => {
                const socket = tls.connect({ host: t.host, port: t.httpsPort, servername: t.serverName, rejectUnauthorized: false, timeout: TIMEOUT_MS, ALPNProtocols: ["http/1.1"] }, () => {
                    socket.write(`POST /api/upload HTTP/1.1\r\nHost: ${t.serverName}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`);
                });
                let data = "";
                socket.on("data", (d: Buffer) => {
                    data += d.toString("latin1");
                    if (data.includes("\r\n")) {
                        resolve(data.split("\r\n")[0]);
                        socket.destroy();
                    }
                });
                socket.on("timeout", () => socket.destroy(new Error("no answer to the oversized request")));
                socket.on("error", reject);
                socket.on("end", () => resolve(data.split("\r\n")[0] ?? ""));
            });
            return /^HTTP\/1\.[01] 413\b/.test(status) ? pass(`${length} byte body refused: ${status}`) : fail(`a ${length} byte body was not refused with 413: ${status || "no answer"}`);
        },
    },
];

/**
 * From the host running the audit, to the database's address on each of its networks: the host end of a
 * Docker bridge can route to container IPs even on an internal network, so what must hold is that no login
 * gets as far as a password prompt (pg_hba rejects the bridge's host address) and no port is published.
 */
export const DATABASE_HOST_CHECK = {
    name: "db-no-host-login",
    controls: ["NET-02", "DB-02"],
    run: async (db: ContainerInfo): Promise<Outcome> => {
        const addresses = Object.entries(db.inspect.NetworkSettings.Networks ?? {}).filter(([, n]) => n.IPAddress);
        if (addresses.length === 0) return pass("the database has no IP address the host could try");
        const user = envValue(db, "POSTGRES_USER") ?? "postgres";
        const database = envValue(db, "POSTGRES_DB") ?? "postgres";
        const results = await Promise.all(addresses.map(async ([name, n]) => ({ name, ip: n.IPAddress, r: await pgStartupProbe(n.IPAddress, 5432, user, database) })));
        const open = results.filter((x) => x.r.kind === "password-requested" || x.r.kind === "authenticated");
        const detail = results.map((x) => `${x.name} ${x.ip}:5432 ${x.r.kind}: ${x.r.detail}`).join("; ");
        return open.length ? fail(`a login from this host reaches authentication: ${detail}`) : pass(detail);
    },
} satisfies { name: string; controls: readonly ControlId[]; run: (db: ContainerInfo) => Promise<Outcome> };
