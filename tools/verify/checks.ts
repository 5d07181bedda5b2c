// The live audit's checks on the engine's own state (what `docker inspect` says, the processes the kernel
// runs) and on the database's live settings. Each definition names the controls it evidences in a
// `controls: [...]` literal; the compliance report scans tools/verify/** for them.
import { type ControlId, GRANTABLE_CAPABILITIES, PROXY_CONTAINER_PORTS } from "bulwark-vocabulary";
import { Engine } from "../runtime/engine-api";
import { ContainerInfo, envValue, StackState, uidProcessesOutside } from "./containers";

export interface Outcome {
    readonly ok: boolean;
    readonly detail: string;
}

export interface Row {
    readonly check: string;
    readonly target: string;
    readonly result: "pass" | "fail";
    readonly detail: string;
    readonly controls: readonly ControlId[];
}

export const row = (check: { name: string; controls: readonly ControlId[] }, target: string, o: Outcome): Row => ({
    check: check.name,
    target,
    result: o.ok ? "pass" : "fail",
    detail: o.detail,
    controls: check.controls,
});

const pass = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string): Outcome => ({ ok: false, detail });

const isProxy = (c: ContainerInfo) => c.role === "edge-proxy";
const published = (c: ContainerInfo): string[] =>
    Object.entries({ ...(c.inspect.HostConfig.PortBindings ?? {}), ...(c.inspect.NetworkSettings.Ports ?? {}) })
        .filter(([, bindings]) => (bindings ?? []).some((b) => b.HostPort !== ""))
        .map(([port, bindings]) => `${port}->${(bindings ?? []).map((b) => `${b.HostIp || "*"}:${b.HostPort}`).join(",")}`);

/** The value of the last seccomp option (`seccomp=x`, or the old `seccomp:x`), as the engine reads it. */
const seccompOption = (opts: readonly string[]): string | undefined =>
    opts.map((o) => /^seccomp[=:](.*)$/s.exec(o)?.[1]).filter((v): v is string => v !== undefined).pop();

/** A custom profile: the CLI passes the file's JSON in the option, so name its default action, not the text. */
function customProfile(json: string): string {
    try {
        const p = JSON.parse(json) as { defaultAction?: string; syscalls?: unknown[] | null };
        return `custom profile (defaultAction ${p.defaultAction ?? "?"}, ${(p.syscalls ?? []).length} syscall rule(s))`;
    } catch {
        return "custom profile";
    }
}

/** A named live check: its rows carry its controls; `run` reads the facts it is given. */
export interface Check<Run> {
    readonly name: string;
    readonly controls: readonly ControlId[];
    readonly run: Run;
}

export interface ContainerCheck extends Check<(c: ContainerInfo, stack: StackState) => Outcome> {
    readonly appliesTo?: (c: ContainerInfo) => boolean;
}

export const CONTAINER_CHECKS: readonly ContainerCheck[] = [
    {
        name: "user-non-root",
        controls: ["CON-05"],
        run: (c) => {
            const user = c.inspect.Config.User;
            const uid = /^(\d+)(:\d+)?$/.exec(user)?.[1];
            if (uid === undefined) return fail(`Config.User is ${JSON.stringify(user)}; it must be a numeric uid[:gid]`);
            if (uid === "0") return fail("Config.User is uid 0");
            const rootProcs = c.processes.filter((p) => p.uid === 0);
            if (rootProcs.length) return fail(`processes running as root: ${rootProcs.map((p) => `${p.pid} ${p.command}`).join(", ")}`);
            if (c.kernel && c.kernel.uids.some((u) => u === 0)) return fail(`PID 1 has uid 0 in /proc (Uid: ${c.kernel.uids.join(" ")})`);
            const uids = [...new Set(c.processes.map((p) => p.uid))].join(",");
            return pass(`User ${user}; ${c.processes.length} process(es) as uid ${uids || "?"}${c.kernel ? `; PID 1 real/effective uid ${c.kernel.uids[0]}/${c.kernel.uids[1]}` : ""}`);
        },
    },
    {
        name: "read-only-root",
        controls: ["CON-06"],
        run: (c) => (c.inspect.HostConfig.ReadonlyRootfs ? pass("ReadonlyRootfs true") : fail("ReadonlyRootfs is false: the image's filesystem is writable")),
    },
    {
        name: "capabilities-dropped",
        controls: ["CON-07"],
        run: (c) => {
            const drop = (c.inspect.HostConfig.CapDrop ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ""));
            const add = (c.inspect.HostConfig.CapAdd ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ""));
            if (!drop.includes("ALL")) return fail(`CapDrop is [${drop.join(", ")}], not ALL`);
            const extra = add.filter((a) => !(GRANTABLE_CAPABILITIES as readonly string[]).includes(a));
            if (extra.length) return fail(`CapAdd has capabilities outside the profile's list: ${extra.join(", ")}`);
            if (c.kernel && add.length === 0 && c.kernel.capEff !== 0n) return fail(`PID 1 has effective capabilities 0x${c.kernel.capEff.toString(16)}`);
            return pass(`CapDrop ALL; CapAdd [${add.join(", ")}]${c.kernel ? `; PID 1 CapEff 0x${c.kernel.capEff.toString(16)}` : ""}`);
        },
    },
    {
        name: "not-privileged",
        controls: ["CON-07"],
        run: (c) => (c.inspect.HostConfig.Privileged ? fail("Privileged is true") : pass("Privileged false")),
    },
    {
        name: "no-new-privileges",
        controls: ["CON-07"],
        run: (c) => {
            const opts = c.inspect.HostConfig.SecurityOpt ?? [];
            const set = opts.some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o));
            if (!set) return fail(`SecurityOpt [${opts.join(", ")}] lacks no-new-privileges`);
            if (c.kernel && !c.kernel.noNewPrivs) return fail("SecurityOpt has no-new-privileges but PID 1 has NoNewPrivs 0");
            return pass(`no-new-privileges${c.kernel ? "; PID 1 NoNewPrivs 1" : ""}`);
        },
    },
    {
        // CIS Docker 5.21: the engine applies its default profile to a container with no seccomp option, none to a
        // privileged one, and none at all when it has no seccomp.
        name: "seccomp-profile",
        controls: ["CON-07"],
        run: (c, stack) => {
            const opt = seccompOption(c.inspect.HostConfig.SecurityOpt ?? []);
            const engine = stack.engine.seccompProfile;
            if (engine === undefined) return fail("the engine has no seccomp (none in /info SecurityOptions): runs with no syscall filter");
            if (opt === "unconfined") return fail("SecurityOpt seccomp=unconfined: runs with no syscall filter");
            if (c.inspect.HostConfig.Privileged) return fail("Privileged: the engine applies no seccomp profile");
            if (opt === undefined && engine === "unconfined") return fail("no seccomp option and the engine's default profile is unconfined");
            const profile = opt === undefined ? (["default", "builtin"].includes(engine) ? "docker default" : `engine default ${engine}`) : opt === "builtin" ? "docker default (builtin)" : customProfile(opt);
            if (c.kernel?.seccomp !== undefined && c.kernel.seccomp !== 2) return fail(`${profile}, but PID 1 has Seccomp ${c.kernel.seccomp} (no filter)`);
            return pass(`${profile}${c.kernel?.seccomp === 2 ? "; PID 1 Seccomp filter" : ""}`);
        },
    },
    {
        // CIS Docker 5.2: where the host has AppArmor, the engine gives each container docker-default unless told otherwise.
        name: "apparmor-profile",
        controls: ["CON-07"],
        run: (c, stack) => {
            if (!stack.engine.apparmor) return pass("the host has no AppArmor: no profile can apply (informational)");
            const profile = c.inspect.AppArmorProfile ?? "";
            if (profile === "") return fail("AppArmorProfile is empty: runs without an AppArmor profile");
            if (profile === "unconfined") return fail("AppArmorProfile unconfined");
            return pass(`AppArmor profile ${profile}`);
        },
    },
    {
        name: "resource-limits",
        controls: ["CON-08"],
        run: (c) => {
            const h = c.inspect.HostConfig;
            const nproc = (h.Ulimits ?? []).find((u) => u.Name === "nproc");
            const problems = [
                h.Memory > 0 ? "" : "no memory limit",
                h.NanoCpus > 0 || h.CpuQuota > 0 ? "" : "no CPU limit",
                nproc || (h.PidsLimit ?? 0) > 0 ? "" : "no process limit (nproc ulimit or pids limit)",
            ].filter(Boolean);
            const detail = `Memory ${Math.round(h.Memory / 1048576)} MiB, swap ${h.MemorySwap === h.Memory ? "none" : `${Math.round((h.MemorySwap - h.Memory) / 1048576)} MiB`}, CPUs ${h.NanoCpus / 1e9}, nproc ${nproc?.Hard ?? "-"}`;
            return problems.length ? fail(`${problems.join("; ")} (${detail})`) : pass(detail);
        },
    },
    {
        // CIS Docker 5.29: the provider has no pids limit; nproc bounds the container only while its uid is its own.
        name: "process-count-bound",
        controls: ["CON-08"],
        run: (c, stack) => {
            const nproc = (c.inspect.HostConfig.Ulimits ?? []).find((u) => u.Name === "nproc");
            const pidsLimit = c.inspect.HostConfig.PidsLimit ?? 0;
            if (pidsLimit > 0) return pass(`pids limit ${pidsLimit}`);
            const uid = /^(\d+)(:\d+)?$/.exec(c.inspect.Config.User ?? "")?.[1];
            if (!nproc || nproc.Hard < 0) return fail("no nproc ulimit and no pids limit: nothing bounds its processes");
            if (uid === undefined || Number(uid) === 0) return fail(`user ${JSON.stringify(c.inspect.Config.User)}: nproc bounds a container only under a numeric uid of its own`);
            const sharing = stack.containers.filter((o) => o.inspect.Id !== c.inspect.Id && /^(\d+)/.exec(o.inspect.Config.User ?? "")?.[1] === uid).map((o) => o.name);
            if (sharing.length) return fail(`uid ${uid} is also ${sharing.join(", ")}'s: they share one nproc budget of ${nproc.Hard}`);
            if (!c.kernel) return pass(`nproc ${nproc.Hard} for uid ${uid}, no other container's (host processes not visible: remote engine)`);
            const outside = uidProcessesOutside(Number(uid), c.inspect.Id);
            return outside.length
                ? fail(`${outside.length} host process(es) outside the container run as uid ${uid} (pids ${outside.slice(0, 5).join(", ")}): they count against its nproc ${nproc.Hard}`)
                : pass(`nproc ${nproc.Hard} for uid ${uid}, used by no other container or host process`);
        },
    },
    {
        name: "no-host-namespaces",
        controls: ["CON-09"],
        run: (c) => {
            const h = c.inspect.HostConfig;
            const shared = Object.entries({ network: h.NetworkMode, pid: h.PidMode, ipc: h.IpcMode, userns: h.UsernsMode, uts: h.UTSMode })
                .filter(([, mode]) => mode === "host")
                .map(([ns]) => ns);
            return shared.length ? fail(`shares the host's ${shared.join(", ")} namespace(s)`) : pass(`network ${h.NetworkMode}, pid/ipc/userns/uts private`);
        },
    },
    {
        name: "no-docker-socket",
        controls: ["CON-09"],
        run: (c) => {
            const sources = [...(c.inspect.Mounts ?? []).map((m) => m.Source), ...(c.inspect.HostConfig.Binds ?? []).map((b) => b.split(":")[0])];
            const socket = sources.filter((s) => /docker\.sock$|^\/(var\/)?run\/docker(\/|$)|containerd\.sock$/.test(s));
            const binds = (c.inspect.Mounts ?? []).filter((m) => m.Type === "bind").map((m) => m.Source);
            if (socket.length) return fail(`mounts the container engine socket: ${socket.join(", ")}`);
            return pass(`no engine socket; ${(c.inspect.Mounts ?? []).length} mount(s)${binds.length ? `, bind mounts: ${binds.join(", ")}` : ", no bind mounts"}`);
        },
    },
    {
        name: "published-ports",
        controls: ["NET-03", "NET-02"],
        run: (c) => {
            const ports = published(c);
            if (c.inspect.HostConfig.PublishAllPorts) return fail("PublishAllPorts is true");
            if (isProxy(c)) {
                const allowed = [`${PROXY_CONTAINER_PORTS.https}/tcp`, `${PROXY_CONTAINER_PORTS.http}/tcp`];
                const other = ports.filter((p) => !allowed.some((a) => p.startsWith(`${a}->`)));
                return other.length ? fail(`the proxy publishes more than its https/http ports: ${other.join("; ")}`) : pass(`edge proxy publishes ${ports.join("; ") || "nothing"}`);
            }
            return ports.length ? fail(`only the edge proxy may publish ports; this publishes ${ports.join("; ")}`) : pass("no published ports");
        },
    },
    {
        name: "user-defined-networks",
        controls: ["NET-01"],
        run: (c, stack) => {
            // A container with network mode "none" is listed on the pseudo-network "none": no interface but loopback.
            const attached = Object.keys(c.inspect.NetworkSettings.Networks ?? {}).filter((n) => !(n === "none" && c.inspect.HostConfig.NetworkMode === "none"));
            const stackNets = new Set(stack.networks.map((n) => n.name));
            const foreign = attached.filter((n) => !stackNets.has(n));
            if (foreign.length) return fail(`attached to networks outside the stack: ${foreign.join(", ")}`);
            return pass(attached.length ? `networks: ${attached.join(", ")}` : `no network (mode ${c.inspect.HostConfig.NetworkMode})`);
        },
    },
    {
        name: "database-internal-only",
        controls: ["NET-02", "DB-02"],
        appliesTo: (c) => c.role === "database",
        run: (c, stack) => {
            const attached = Object.keys(c.inspect.NetworkSettings.Networks ?? {});
            const external = attached.filter((n) => !stack.networks.find((s) => s.name === n)?.internal);
            if (attached.length === 0) return fail("the database is on no network");
            return external.length ? fail(`the database joins non-internal network(s): ${external.join(", ")}`) : pass(`only internal network(s): ${attached.join(", ")}`);
        },
    },
    {
        name: "health",
        controls: ["LOG-05", "LOG-06"],
        run: (c) => {
            const test = c.inspect.Config.Healthcheck?.Test ?? [];
            if (test.length === 0 || test[0] === "NONE") return fail("no health check configured");
            const restart = c.inspect.HostConfig.RestartPolicy.Name;
            if (!["always", "unless-stopped", "on-failure"].includes(restart)) return fail(`restart policy is "${restart || "no"}"`);
            const status = c.inspect.State.Health?.Status ?? "none";
            if (!c.inspect.State.Running || status !== "healthy") {
                const last = c.inspect.State.Health?.Log?.slice(-1)[0];
                return fail(`state ${c.inspect.State.Status}, health ${status}${last ? `; last probe exit ${last.ExitCode}: ${last.Output.trim().slice(-200)}` : ""}`);
            }
            return pass(`healthy; restart ${restart}; restarts so far ${c.inspect.RestartCount}`);
        },
    },
    {
        name: "log-rotation",
        controls: ["LOG-04"],
        run: (c) => {
            const log = c.inspect.HostConfig.LogConfig;
            const cfg = log.Config ?? {};
            if (log.Type === "local") return pass(`local driver (rotates by default)${cfg["max-size"] ? `, max-size ${cfg["max-size"]}` : ""}`);
            if (log.Type !== "json-file") return fail(`log driver ${log.Type}: not a local rotating driver`);
            if (!cfg["max-size"] || !cfg["max-file"]) return fail(`json-file without rotation (max-size ${cfg["max-size"] ?? "unset"}, max-file ${cfg["max-file"] ?? "unset"})`);
            return pass(`json-file, max-size ${cfg["max-size"]}, max-file ${cfg["max-file"]}`);
        },
    },
];

export type StackCheck = Check<(stack: StackState) => { target: string; outcome: Outcome }[]>;

export const STACK_CHECKS: readonly StackCheck[] = [
    {
        name: "containers-found",
        controls: ["CMP-04"],
        run: (s) => [
            {
                target: `stack ${s.stack}`,
                outcome: s.containers.length
                    ? pass(`${s.containers.length} container(s): ${s.containers.map((c) => c.name).join(", ")}`)
                    : fail(`no containers labelled bulwark.project=bulwark, bulwark.stack=${s.stack}; is the stack up (--stack)?`),
            },
        ],
    },
    {
        name: "data-network-internal",
        controls: ["NET-01", "NET-02"],
        run: (s) => {
            const db = s.containers.find((c) => c.role === "database");
            const data = s.networks.filter((n) => n.name.endsWith("-data") || Object.keys(db?.inspect.NetworkSettings.Networks ?? {}).includes(n.name));
            if (data.length === 0) return [{ target: `stack ${s.stack}`, outcome: fail("no data network found (none named *-data, none joined by the database)") }];
            return data.map((n) => ({
                target: n.name,
                outcome: n.internal ? pass(`internal (no route out); subnet ${n.subnets.join(", ") || "?"}`) : fail("the data network is not internal"),
            }));
        },
    },
];

/** Live database settings, read once through `psql` in the database container. */
export interface DatabaseFacts {
    readonly settings: Readonly<Record<string, string>>;
}

const DB_QUERY = `
select 'password_encryption', current_setting('password_encryption')
union all select 'log_connections', current_setting('log_connections')
union all select 'log_disconnections', current_setting('log_disconnections')
union all select 'shared_preload_libraries', current_setting('shared_preload_libraries')
union all select 'pgaudit.log', coalesce(current_setting('pgaudit.log', true), '')
union all select 'extensions', coalesce((select string_agg(extname, ',' order by extname) from pg_extension), '')
union all select 'non_scram_passwords', (select count(*)::text from pg_authid where rolpassword is not null and rolpassword not like 'SCRAM-SHA-256$%')
union all select 'hba', coalesce((select string_agg(concat_ws(' ', type, array_to_string(database, ','), array_to_string(user_name, ','), address, netmask, auth_method), '; ' order by line_number) from pg_hba_file_rules), '')
union all select 'hba_errors', (select count(*)::text from pg_hba_file_rules where error is not null)`;

/** Runs the query as the container's own user over the local socket (peer authentication). */
export async function readDatabaseFacts(engine: Engine, db: ContainerInfo): Promise<DatabaseFacts> {
    const database = envValue(db, "POSTGRES_DB") ?? "postgres";
    const res = await engine.exec(db.inspect.Id, ["psql", "--no-psqlrc", "-h", "/var/run/postgresql", "-U", "postgres", "-d", database, "-At", "-F", "\t", "-c", DB_QUERY]);
    if (res.exitCode !== 0) {
        throw new Error(`psql in ${db.name} exited ${res.exitCode}: ${res.stderr.trim() || res.stdout.trim()}`);
    }
    const settings = Object.fromEntries(
        res.stdout
            .trim()
            .split("\n")
            .map((line) => line.split("\t") as [string, string]),
    );
    return { settings };
}

export type DatabaseCheck = Check<(facts: DatabaseFacts) => Outcome>;

export const DATABASE_CHECKS: readonly DatabaseCheck[] = [
    {
        name: "db-password-encryption",
        controls: ["DB-01"],
        run: ({ settings: s }) =>
            s.password_encryption === "scram-sha-256" && s.non_scram_passwords === "0"
                ? pass("password_encryption=scram-sha-256; every stored password is a SCRAM verifier")
                : fail(`password_encryption=${s.password_encryption}; ${s.non_scram_passwords} stored password(s) are not SCRAM`),
    },
    {
        name: "db-connection-logging",
        controls: ["DB-04"],
        run: ({ settings: s }) =>
            s.log_connections === "on" && s.log_disconnections === "on"
                ? pass("log_connections=on, log_disconnections=on")
                : fail(`log_connections=${s.log_connections}, log_disconnections=${s.log_disconnections}`),
    },
    {
        name: "db-audit-logging",
        controls: ["LOG-02", "CMP-05"],
        run: ({ settings: s }) => {
            const loaded = s.shared_preload_libraries.split(",").map((x) => x.trim()).includes("pgaudit");
            const classes = s["pgaudit.log"].split(",").map((x) => x.trim().toLowerCase());
            const installed = s.extensions.split(",").includes("pgaudit");
            return loaded && installed && classes.includes("write") && classes.includes("ddl")
                ? pass(`pgaudit preloaded and installed; pgaudit.log=${s["pgaudit.log"]}`)
                : fail(`shared_preload_libraries=${s.shared_preload_libraries}; pgaudit.log=${s["pgaudit.log"] || "unset"}; extension installed: ${installed}`);
        },
    },
    {
        name: "db-hba",
        controls: ["DB-02"],
        run: ({ settings: s }) => {
            const rules = s.hba.split("; ").filter(Boolean);
            const weak = rules.filter((r) => / (trust|password|md5|ident)$/.test(r));
            const openHost = rules.filter((r) => r.startsWith("host") && / all (all|0\.0\.0\.0 0\.0\.0\.0|::) scram-sha-256$/.test(r));
            if (s.hba_errors !== "0") return fail(`pg_hba.conf has ${s.hba_errors} invalid line(s)`);
            if (weak.length) return fail(`weak methods: ${weak.join("; ")}`);
            if (openHost.length) return fail(`password logins from any address: ${openHost.join("; ")}`);
            return pass(rules.join("; "));
        },
    },
    {
        name: "db-pgcrypto",
        controls: ["DB-07"],
        run: ({ settings: s }) => (s.extensions.split(",").includes("pgcrypto") ? pass(`extensions: ${s.extensions}`) : fail(`pgcrypto not installed (extensions: ${s.extensions})`)),
    },
];
