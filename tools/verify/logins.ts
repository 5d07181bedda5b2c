// The live audit's login rows: the stack's own credentials must still open the database. After a destroy and a
// new `pulumi up` the data volume is kept while the passwords are generated again; a server that kept the old
// ones refuses the application and the backup job, and nothing else in the audit would notice (field test B6).
// Both logins are tried from the backup job's container, on the data network, as the application connects.
import type { ControlId } from "bulwark-vocabulary";
import { Engine } from "../runtime/engine-api";
import { Outcome } from "./checks";
import { ContainerInfo, envValue, StackState } from "./containers";

export interface LoginCheck {
    readonly name: string;
    readonly controls: readonly ControlId[];
    /** The container whose credentials are tried, and how to name it in the row. */
    readonly owner: (state: StackState) => ContainerInfo | undefined;
    /** libpq variables for the login, from the owner's configuration; a string says why there are none. */
    readonly credentials: (owner: ContainerInfo) => Record<string, string> | string;
}

/** libpq variables from a postgres:// URL (the application's DATABASE_URL). */
export function libpqFromUrl(text: string): Record<string, string> | string {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        return "DATABASE_URL is not a URL";
    }
    if (!/^postgres(ql)?:$/.test(url.protocol)) return `DATABASE_URL has scheme ${url.protocol}, not postgres:`;
    return {
        PGHOST: url.hostname,
        PGPORT: url.port || "5432",
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password),
        PGDATABASE: decodeURIComponent(url.pathname.replace(/^\//, "")),
    };
}

const LIBPQ_KEYS = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGPASSFILE", "PGDATABASE"];

export const LOGIN_CHECKS: readonly LoginCheck[] = [
    {
        name: "db-app-login",
        controls: ["DB-01", "DB-02"],
        owner: (state) => state.containers.find((c) => c.role === "app" && envValue(c, "DATABASE_URL") !== undefined),
        credentials: (app) => libpqFromUrl(envValue(app, "DATABASE_URL") ?? ""),
    },
    {
        name: "db-backup-login",
        controls: ["DB-03", "BAK-06"],
        owner: (state) => state.containers.find((c) => c.role === "backup"),
        credentials: (job) => Object.fromEntries(LIBPQ_KEYS.flatMap((k) => (envValue(job, k) === undefined ? [] : [[k, envValue(job, k)!]]))),
    },
];

/** Logs in with `credentials` from the backup job's container and reports who the server says we are. */
export async function tryLogin(engine: Engine, from: ContainerInfo, credentials: Record<string, string>): Promise<Outcome> {
    // The password travels in the exec's environment, never on a command line.
    const env = Object.entries(credentials).map(([k, v]) => `${k}=${v}`);
    const res = await engine.exec(from.inspect.Id, ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", "select current_user || '@' || current_database()"], {
        env,
        timeoutMs: 20_000,
    });
    const who = `${credentials.PGUSER ?? "?"}@${credentials.PGDATABASE ?? "?"} via ${credentials.PGHOST ?? "?"}`;
    if (res.exitCode === 0) {
        return { ok: true, detail: `logged in as ${res.stdout.trim() || who} from ${from.name}` };
    }
    const reason = res.stderr.trim().split("\n").pop() ?? `exit ${res.exitCode}`;
    return { ok: false, detail: `${who} cannot log in from ${from.name}: ${reason.replace(credentials.PGPASSWORD ?? "\u0000", "***")}` };
}

export async function runLoginCheck(engine: Engine, state: StackState, check: LoginCheck): Promise<{ target: string; outcome: Outcome }> {
    const job = state.containers.find((c) => c.role === "backup");
    const owner = check.owner(state);
    if (!owner) return { target: "stack", outcome: { ok: false, detail: "no container holds these credentials" } };
    if (!job) return { target: owner.name, outcome: { ok: false, detail: "no backup job container to try the login from (it has psql and joins the data network)" } };
    const credentials = check.credentials(owner);
    if (typeof credentials === "string") return { target: owner.name, outcome: { ok: false, detail: credentials } };
    const outcome = await tryLogin(engine, job, credentials).catch((e: Error) => ({ ok: false, detail: e.message }));
    return { target: owner.name, outcome };
}
