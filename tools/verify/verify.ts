// The live audit: reads the stack's containers from the engine, runs the engine checks on each, the
// database checks through psql in the database container, and the network checks against the proxy.
import { LABELS, PROXY_CONTAINER_PORTS } from "bulwark-vocabulary";
import { Engine } from "../runtime/engine-api";
import { CONTAINER_CHECKS, DATABASE_CHECKS, readDatabaseFacts, row, Row, STACK_CHECKS } from "./checks";
import { BACKUP_CHECKS, readBackupFacts, SECRET_EXPOSURE_CHECK } from "./backups";
import { ContainerInfo, envValue, loadStackState, StackState } from "./containers";
import { LOGIN_CHECKS, runLoginCheck } from "./logins";
import { DATABASE_HOST_CHECK, NETWORK_CHECKS, ProxyTarget } from "./network";

export interface VerifyOptions {
    readonly engine: Engine;
    readonly stack: string;
    /** https://host:port of the proxy; default: the proxy container's published 8443. */
    readonly url?: string;
    /** http://host:port of the proxy's redirect listener; default: the published 8080. */
    readonly httpUrl?: string;
}

export interface VerifyResult {
    readonly rows: readonly Row[];
    readonly proxy?: string;
}

/** Where the host reaches a published container port; a wildcard bind is reached on loopback. */
function publishedAddress(c: ContainerInfo, containerPort: number): { host: string; port: number } | undefined {
    const binding = (c.inspect.NetworkSettings.Ports ?? {})[`${containerPort}/tcp`]?.find((b) => b.HostPort);
    if (!binding) return undefined;
    const host = !binding.HostIp || binding.HostIp === "0.0.0.0" ? "127.0.0.1" : binding.HostIp === "::" ? "::1" : binding.HostIp;
    return { host, port: Number(binding.HostPort) };
}

export function proxyTarget(state: StackState, url?: string, httpUrl?: string): ProxyTarget | string {
    const proxy = state.containers.find((c) => c.role === "edge-proxy");
    let host: string;
    let httpsPort: number;
    if (url) {
        const u = new URL(url);
        if (u.protocol !== "https:") return `--url must be an https:// URL, got ${url}`;
        host = u.hostname.replace(/^\[|\]$/g, "");
        httpsPort = Number(u.port || 443);
    } else {
        const found = proxy && publishedAddress(proxy, PROXY_CONTAINER_PORTS.https);
        if (!found) return proxy ? `the proxy ${proxy.name} publishes no port for ${PROXY_CONTAINER_PORTS.https}/tcp; pass --url` : "no edge-proxy container in the stack; pass --url";
        ({ host, port: httpsPort } = found);
    }
    const httpPort = httpUrl ? Number(new URL(httpUrl).port || 80) : proxy ? publishedAddress(proxy, PROXY_CONTAINER_PORTS.http)?.port : undefined;
    const routes = (proxy && envValue(proxy, "AUTH_ROUTES")?.split(",")) || ["/api/login"];
    return {
        host,
        httpsPort,
        httpPort,
        serverName: (proxy && envValue(proxy, "SERVER_NAME")) || (url ? new URL(url).hostname : "localhost"),
        // A route the demo and Rails both answer under /api/, else the first configured one.
        authRoute: routes.find((r) => r.startsWith("/api/login")) ?? routes[0],
        authBurst: Number((proxy && envValue(proxy, "AUTH_BURST")) || 5),
        bodyLimitMb: Number((proxy && envValue(proxy, "CLIENT_MAX_BODY_MB")) || 10),
        proxy,
    };
}

/** The rows read from the engine's state alone: the stack checks, then every container check on each container. */
export function engineRows(state: StackState): Row[] {
    const rows: Row[] = [];
    for (const check of STACK_CHECKS) {
        for (const { target, outcome } of check.run(state)) rows.push(row(check, target, outcome));
    }
    for (const c of state.containers) {
        for (const check of CONTAINER_CHECKS) {
            if (!check.appliesTo || check.appliesTo(c)) rows.push(row(check, c.name, check.run(c, state)));
        }
    }
    return rows;
}

export async function runVerify(opts: VerifyOptions): Promise<VerifyResult> {
    const since = Math.floor(Date.now() / 1000) - 1;
    const state = await loadStackState(opts.engine, opts.stack);
    const rows: Row[] = engineRows(state);

    const db = state.containers.find((c) => c.role === "database");
    if (db) {
        try {
            const facts = await readDatabaseFacts(opts.engine, db);
            for (const check of DATABASE_CHECKS) rows.push(row(check, db.name, check.run(facts)));
        } catch (e) {
            for (const check of DATABASE_CHECKS) rows.push(row(check, db.name, { ok: false, detail: (e as Error).message }));
        }
        rows.push(row(DATABASE_HOST_CHECK, db.name, await DATABASE_HOST_CHECK.run(db)));
    } else if (state.containers.length) {
        for (const check of DATABASE_CHECKS) rows.push(row(check, `stack ${opts.stack}`, { ok: false, detail: `no container labelled ${LABELS.role}=database` }));
    }

    if (state.containers.length) {
        for (const c of state.containers) rows.push(row(SECRET_EXPOSURE_CHECK, c.name, SECRET_EXPOSURE_CHECK.run(c)));
        for (const check of LOGIN_CHECKS) {
            const { target, outcome } = await runLoginCheck(opts.engine, state, check);
            rows.push(row(check, target, outcome));
        }
        try {
            const facts = await readBackupFacts(opts.engine, state);
            for (const check of BACKUP_CHECKS) rows.push(row(check, facts.job?.name ?? `stack ${opts.stack}`, check.run(facts)));
        } catch (e) {
            for (const check of BACKUP_CHECKS) rows.push(row(check, `stack ${opts.stack}`, { ok: false, detail: (e as Error).message }));
        }
    }

    const target = proxyTarget(state, opts.url, opts.httpUrl);
    const proxyName = typeof target === "string" ? undefined : `https://${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.httpsPort}`;
    for (const check of NETWORK_CHECKS) {
        if (typeof target === "string") {
            rows.push(row(check, "proxy", { ok: false, detail: target }));
            continue;
        }
        const outcome = await check.run({ target, engine: opts.engine, since }).catch((e: Error) => ({ ok: false, detail: e.message }));
        rows.push(row(check, proxyName as string, outcome));
    }
    return { rows, proxy: proxyName };
}
