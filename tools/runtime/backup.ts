// Docker plumbing for the backup tests and the backup benchmark: builds the images FROM the base the program
// records, and runs every container with the settings the program records for its containers (the dev stack,
// captured under the mocks by tools/runtime/recorded.ts): user, read-only root, capabilities, security
// options, memory/CPU/process/file limits, shm, init, tmpfs, logging, health check, and the database's and the
// job's environment and commands. Tests change only what they test (a smaller limit, a key, a schedule). Each
// Sandbox names its networks, volumes and containers uniquely and removes all of them in cleanup(), which the
// suites call from after hooks, so a failed test leaves nothing behind.
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ageIdentityFromSecretBytes, ageRecipientFromIdentity } from "../../infra/age";
import { BACKUP_DIR, DRILL_KEYRING_DIR, DRILL_REPORT_DIR, DRILL_SCRATCH_DIR } from "../../infra/components/backup";
import { DATABASE_NAME, DATABASE_USER } from "../../infra/components/database";
import { BACKUP_USERS } from "../../infra/components/images";
import type { CapturedStack } from "./capture";
import { containerSpec, ContainerCreateBody } from "./engine-map";
import { buildEnv, dockerBuildArgs } from "./images";
import { recordedBaseImage } from "./recorded";

export const ROOT = path.resolve(__dirname, "..", "..");
/** The backup job's user; the drill's and the uploader's are BACKUP_USERS.drill and .uploader. */
export const BACKUP_USER = BACKUP_USERS.job;
export const UPLOAD_STATE_DIR = "/var/lib/bulwark/upload";
export const TEST_LABEL = "bulwark.test";

export interface Result {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs docker; values in `env` reach it through its environment (`-e NAME`), never its argv. */
export function docker(args: readonly string[], opts: { input?: string; env?: Record<string, string>; allowFail?: boolean; timeoutMs?: number } = {}): Result {
    const r = spawnSync("docker", args, {
        input: opts.input,
        env: { ...process.env, ...opts.env },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 600_000,
    });
    const result = { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? String(r.error ?? "") };
    if (result.code !== 0 && !opts.allowFail) {
        throw new Error(`docker ${args.slice(0, 3).join(" ")} ... failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return result;
}

/** Starts docker in the background; resolves with its result when it exits. */
export function dockerAsync(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
    return new Promise((resolve) => {
        const child = spawn("docker", args, { env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

export function dockerAvailable(): boolean {
    return spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" }).status === 0;
}

/** For a suite's before hook: no engine is a failure that names the fix, never a skip that reports green. */
export function requireEngine(): void {
    const r = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(
            `no Docker engine answers (docker info: ${(r.stderr || String(r.error ?? "")).trim().split("\n")[0]}); run the backup suites with ` +
                "`npm run test:backup` or `npm run test:runtime`, whose root hook (test/runtime/hooks.ts) starts dockerd as root, or start Docker",
        );
    }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | false, intervalMs = 250): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value !== undefined && value !== false) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await sleep(intervalMs);
    }
}

/** JSON log lines of a container's output (or any text), skipping what is not JSON. */
export function jsonLines(text: string): Record<string, unknown>[] {
    return text
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .flatMap((l) => {
            try {
                return [JSON.parse(l) as Record<string, unknown>];
            } catch {
                return [];
            }
        });
}

export function ageKeyPair(): { identity: string; recipient: string } {
    const identity = ageIdentityFromSecretBytes(crypto.randomBytes(32));
    return { identity, recipient: ageRecipientFromIdentity(identity) };
}

// --- the program's record ------------------------------------------------------------------------------
/** The program's containers the backup harness runs (resource names in the dev stack). */
export type ProgramContainer = "database" | "backup-job" | "backup-drill" | "proxy";

let program: CapturedStack | undefined;

/**
 * The dev stack as the program registers it, with the base the images are built FROM (tools/runtime/recorded.ts).
 * Captured once per process, in a child process because the harness is synchronous (a few seconds; the first
 * run on a host also builds the debootstrap base).
 */
export function programStack(): CapturedStack {
    if (program) return program;
    const dir = fs.mkdtempSync("/tmp/bulwark-record-");
    try {
        const out = path.join(dir, "stack.json");
        const r = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools", "runtime", "recorded.ts"), JSON.stringify({ configStack: "dev", stackName: "bkt" }), out],
            { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 900_000 },
        );
        if (r.status !== 0 || !fs.existsSync(out)) {
            throw new Error(`cannot record the program's dev stack (tools/runtime/recorded.ts exit ${r.status}): ${(r.stderr || String(r.error ?? "")).trim().split("\n").slice(-15).join("\n")}`);
        }
        return (program = JSON.parse(fs.readFileSync(out, "utf8")) as CapturedStack);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The Engine API create body the runtime harness maps the program's container to (tools/runtime/engine-map.ts). */
export function programContainer(resourceName: ProgramContainer): ContainerCreateBody {
    const c = programStack().containers.find((x) => x.resourceName === resourceName);
    if (!c) {
        throw new Error(`the program's dev stack has no container "${resourceName}" (has: ${programStack().containers.map((x) => x.resourceName).join(", ")})`);
    }
    return containerSpec(c.resourceName, c.inputs, { image: (ref) => ref }).body;
}

/** The network aliases the program gives a container on its (first) network. */
export function programAliases(resourceName: ProgramContainer): string[] {
    const endpoints = Object.values(programContainer(resourceName).NetworkingConfig?.EndpointsConfig ?? {});
    return endpoints[0]?.Aliases ?? [];
}

/** The volumes the program mounts into a container (targets and read-only flags; the sandbox picks the sources). */
export function programMounts(resourceName: ProgramContainer): { Target: string; ReadOnly: boolean }[] {
    return programContainer(resourceName).HostConfig.Mounts ?? [];
}

/** The environment the program gives a container, as a map. */
export function programEnv(resourceName: ProgramContainer): Record<string, string> {
    return Object.fromEntries((programContainer(resourceName).Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

// --- images ----------------------------------------------------------------------------------------------
/** The base each image was built FROM, by tag: the BASE_IMAGE the program records (a test compares them). */
export const builtFrom = new Map<string, string>();

const built = new Map<string, string>();

/** Builds images/<name> as the program does (cached by the engine, so a rebuild of an unchanged context takes a second). */
export function buildImage(name: "backup" | "postgres" | "proxy"): string {
    const cached = built.get(name);
    if (cached) {
        return cached;
    }
    const tag = `bulwark/${name}:backup-test`;
    const base = recordedBaseImage(programStack());
    docker(dockerBuildArgs(name, base, tag, "-q"), { timeoutMs: 900_000, env: buildEnv(base, {}) as Record<string, string> });
    built.set(name, tag);
    builtFrom.set(tag, base);
    return tag;
}

// --- hardened containers ---------------------------------------------------------------------------------
export interface TmpfsSpec {
    readonly path: string;
    readonly sizeMb: number;
}

export interface ContainerSpec {
    readonly name: string;
    readonly image: string;
    /** The program's container whose recorded settings this one gets (default: the backup job's). */
    readonly like?: ProgramContainer;
    // Overrides of the recorded settings, for what a test tests (a smaller limit) or scaffolding the program
    // does not have (the S3 stand-in). Unset, the recorded value applies.
    readonly user?: string;
    /** A network name, or "none". */
    readonly network: string;
    readonly aliases?: readonly string[];
    readonly memoryMb?: number;
    readonly cpus?: number;
    readonly maxProcesses?: number;
    readonly tmpfs?: readonly TmpfsSpec[];
    readonly volumes?: readonly { source: string; target: string; readOnly?: boolean }[];
    /** Host files bind-mounted read-only (the S3 stub's node and script). */
    readonly binds?: readonly { source: string; target: string }[];
    readonly env?: Readonly<Record<string, string>>;
    readonly command?: readonly string[];
}

const MB = 1024 * 1024;

// HostConfig fields of the recorded body that `docker run` here does not take from the record, and why. Any
// other field the mapping starts writing fails hardenedRunArgs until it is mapped or listed here.
const NOT_FROM_RECORD: Readonly<Record<string, string>> = {
    NetworkMode: "the sandbox's own networks",
    Mounts: "the sandbox's own volumes (same targets, chosen by each helper)",
    PortBindings: "none of these containers publishes ports",
    RestartPolicy: "the fault tests stop, kill and restart containers themselves; Docker restarting them would race the tests",
};
const FROM_RECORD = ["ReadonlyRootfs", "Privileged", "CapAdd", "CapDrop", "SecurityOpt", "Memory", "MemorySwap", "NanoCpus", "Ulimits", "Init", "ShmSize", "Tmpfs", "LogConfig"];

/** A word for /bin/sh: as it is when it needs no quoting, else single-quoted. */
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/**
 * `docker run` health flags for the recorded probe. The program gives every container its own probe, which
 * replaces the image's HEALTHCHECK; a container running a command other than the recorded container's
 * (a stand-in, the uploader, which dev does not record, a one-off) gets none rather than another role's probe
 * or the image's, so that no probe starts processes at moments the tests do not choose. docker run has no
 * exec form: `exec` makes the shell the probe itself, as in the program's ["CMD", ...].
 */
function healthArgs(recorded: ContainerCreateBody, command: readonly string[] | undefined): string[] {
    const hc = recorded.Healthcheck;
    const sameCommand = JSON.stringify(command ?? []) === JSON.stringify(recorded.Cmd ?? []);
    if (!hc || !sameCommand || hc.Test[0] === "NONE" || hc.Test.length < 2) return ["--no-healthcheck"];
    const cmd = hc.Test[0] === "CMD-SHELL" ? hc.Test[1] : `exec ${hc.Test.slice(1).map(shellWord).join(" ")}`;
    const args = ["--health-cmd", cmd];
    const seconds = (ns: number) => `${ns / 1e9}s`;
    if (hc.Interval) args.push("--health-interval", seconds(hc.Interval));
    if (hc.Timeout) args.push("--health-timeout", seconds(hc.Timeout));
    if (hc.StartPeriod) args.push("--health-start-period", seconds(hc.StartPeriod));
    if (hc.Retries) args.push("--health-retries", String(hc.Retries));
    return args;
}

/** A recorded tmpfs option string with another size and owner (the program's options otherwise). */
function tmpfsOptions(recorded: string, sizeMb: number, uid: string, gid: string): string {
    return recorded.replace(/\bsize=[^,]*/, `size=${sizeMb}m`).replace(/\buid=\d+/, `uid=${uid}`).replace(/\bgid=\d+/, `gid=${gid}`);
}

/** `docker run` arguments with the program's recorded settings for `spec.like`; env values travel in docker's environment. */
export function hardenedRunArgs(spec: ContainerSpec, label: string): string[] {
    const recorded = programContainer(spec.like ?? "backup-job");
    const h = recorded.HostConfig as Record<string, unknown> & typeof recorded.HostConfig;
    for (const key of Object.keys(h)) {
        if (!FROM_RECORD.includes(key) && !(key in NOT_FROM_RECORD)) {
            throw new Error(`tools/runtime/backup.ts does not pass the recorded HostConfig.${key} to docker run: map it in hardenedRunArgs or say in NOT_FROM_RECORD why not`);
        }
    }
    const user = spec.user ?? recorded.User;
    if (!user) throw new Error(`the program records no user for ${spec.like ?? "backup-job"}`);
    const [uid, gid] = user.split(":");
    const memory = spec.memoryMb === undefined ? h.Memory : spec.memoryMb * MB;
    // The program gives no swap on top of memory (memorySwap = memory); an override keeps that.
    const swap = spec.memoryMb === undefined ? h.MemorySwap : memory;
    const nanoCpus = spec.cpus === undefined ? h.NanoCpus : Math.round(spec.cpus * 1e9);
    const args = ["run", "-d", "--name", spec.name, "--label", `${TEST_LABEL}=${label}`, "--user", user];
    if (h.Init) args.push("--init");
    if (h.ReadonlyRootfs) args.push("--read-only");
    if (h.Privileged) args.push("--privileged");
    for (const cap of h.CapDrop ?? []) args.push("--cap-drop", cap);
    for (const cap of h.CapAdd ?? []) args.push("--cap-add", cap);
    for (const opt of h.SecurityOpt ?? []) args.push("--security-opt", opt);
    if (memory !== undefined) args.push("--memory", `${memory}b`);
    if (swap !== undefined) args.push("--memory-swap", swap < 0 ? "-1" : `${swap}b`);
    if (nanoCpus !== undefined) args.push("--cpus", String(nanoCpus / 1e9));
    if (h.ShmSize !== undefined) args.push("--shm-size", `${h.ShmSize}b`);
    for (const u of h.Ulimits ?? []) {
        const [soft, hard] = u.Name === "nproc" && spec.maxProcesses !== undefined ? [spec.maxProcesses, spec.maxProcesses] : [u.Soft, u.Hard];
        args.push("--ulimit", `${u.Name}=${soft}:${hard}`);
    }
    if (h.LogConfig) {
        args.push("--log-driver", h.LogConfig.Type);
        for (const [k, v] of Object.entries(h.LogConfig.Config)) args.push("--log-opt", `${k}=${v}`);
    }
    args.push(...healthArgs(recorded, spec.command));
    args.push("--network", spec.network);
    for (const alias of spec.aliases ?? []) {
        args.push("--network-alias", alias);
    }
    const recordedTmpfs = h.Tmpfs ?? {};
    const template = Object.values(recordedTmpfs)[0];
    if (spec.tmpfs) {
        for (const t of spec.tmpfs) {
            const base = recordedTmpfs[t.path] ?? template;
            if (!base) throw new Error(`the program records no tmpfs for ${spec.like ?? "backup-job"} to take ${t.path}'s options from`);
            args.push("--tmpfs", `${t.path}:${tmpfsOptions(base, t.sizeMb, uid, gid)}`);
        }
    } else {
        for (const [where, options] of Object.entries(recordedTmpfs)) args.push("--tmpfs", `${where}:${options}`);
    }
    for (const v of spec.volumes ?? []) {
        args.push("--mount", `type=volume,source=${v.source},target=${v.target}${v.readOnly ? ",readonly" : ""}`);
    }
    for (const b of spec.binds ?? []) {
        args.push("--mount", `type=bind,source=${b.source},target=${b.target},readonly`);
    }
    for (const key of Object.keys(spec.env ?? {})) {
        args.push("-e", key);
    }
    args.push(spec.image, ...(spec.command ?? []));
    return args;
}

export class Sandbox {
    readonly id = `bkt-${crypto.randomBytes(4).toString("hex")}`;
    private readonly containers: string[] = [];
    private readonly volumes: string[] = [];
    private readonly networks: string[] = [];

    name(what: string): string {
        return `${this.id}-${what}`;
    }

    network(what: string, internal = true): string {
        const name = this.name(what);
        docker(["network", "create", "--label", `${TEST_LABEL}=${this.id}`, ...(internal ? ["--internal"] : []), name]);
        this.networks.push(name);
        return name;
    }

    /**
     * A named volume; `tmpfsSizeMb` makes it a size-limited backup volume (a tmpfs) owned by the job's uid, 0750
     * as README asks of a bulwark:backupVolumeHostPath directory, so the drill reads it through the job's group.
     */
    volume(what: string, tmpfsSizeMb?: number): string {
        const name = this.name(what);
        const [uid, gid] = BACKUP_USER.split(":");
        const opts = tmpfsSizeMb ? ["--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", `o=size=${tmpfsSizeMb}m,uid=${uid},gid=${gid},mode=0750`] : [];
        docker(["volume", "create", "--label", `${TEST_LABEL}=${this.id}`, ...opts, name]);
        this.volumes.push(name);
        return name;
    }

    run(spec: ContainerSpec): string {
        this.containers.push(spec.name);
        docker(hardenedRunArgs(spec, this.id), { env: { ...spec.env } });
        return spec.name;
    }

    cleanup(): void {
        for (const c of this.containers.reverse()) {
            docker(["rm", "-f", "-v", c], { allowFail: true });
        }
        for (const v of this.volumes) {
            docker(["volume", "rm", "-f", v], { allowFail: true });
        }
        for (const n of this.networks) {
            docker(["network", "rm", n], { allowFail: true });
        }
    }
}

export function exec(container: string, command: readonly string[], env: Record<string, string> = {}, input?: string): Result {
    const envArgs = Object.keys(env).flatMap((k) => ["-e", k]);
    return docker(["exec", ...(input === undefined ? [] : ["-i"]), ...envArgs, container, ...command], { env, input, allowFail: true });
}

export function logs(container: string): string {
    const r = docker(["logs", container], { allowFail: true });
    return r.stdout + r.stderr;
}

// --- the database ----------------------------------------------------------------------------------------
export interface Database {
    readonly container: string;
    readonly host: string;
    readonly password: string;
    /** The backup job's read-only role's (DATABASE_BACKUP_USER). */
    readonly backupPassword: string;
    /** Always "images/postgres", the stack's own image: there is no stand-in server. */
    readonly kind: string;
    /** What the backup job's connection needs beyond the program's record: the test's password for the backup role. */
    readonly env: Record<string, string>;
}

export interface DatabaseOptions {
    readonly memoryMb?: number;
    readonly cpus?: number;
}

/** Starts the database on `network` with alias "database", as the stack does, and waits until it answers. */
export async function startDatabase(box: Sandbox, network: string, opts: DatabaseOptions = {}): Promise<Database> {
    const password = crypto.randomBytes(18).toString("base64url");
    const backupPassword = crypto.randomBytes(18).toString("base64url");
    // No stand-in server: a database image that does not build or start fails the suite, naming why.
    const image = buildImage("postgres");
    const subnet = docker(["network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}"]).stdout.trim();
    const [pgdata] = programMounts("database");
    const container = box.run({
        name: box.name("database"),
        image,
        network,
        aliases: programAliases("database"),
        like: "database",
        memoryMb: opts.memoryMb,
        cpus: opts.cpus,
        volumes: [{ source: box.volume("pgdata"), target: pgdata.Target }],
        // The program's environment; the test knows its own passwords, and pg_hba admits the sandbox's subnet.
        env: { ...programEnv("database"), POSTGRES_PASSWORD: password, POSTGRES_BACKUP_PASSWORD: backupPassword, POSTGRES_HBA_CIDR: subnet },
        command: programContainer("database").Cmd,
    });
    const db = { container, host: "database", password, backupPassword, kind: "images/postgres", env: { PGPASSWORD: backupPassword } };
    try {
        await waitReady(db);
    } catch (e) {
        throw new Error(`images/postgres did not become ready: ${(e as Error).message}\n--- docker logs ${container} ---\n${logs(container).trimEnd().split("\n").slice(-30).join("\n")}`);
    }
    return db;
}

export async function waitReady(db: Database, timeoutMs = 90_000): Promise<void> {
    await waitFor(`database ${db.container}`, timeoutMs, () => {
        if (docker(["inspect", "-f", "{{.State.Running}}", db.container], { allowFail: true }).stdout.trim() !== "true") {
            return false;
        }
        return sql(db, "SELECT 1").code === 0;
    }, 500);
}

/** Runs SQL as the application role over the database's own socket (tables end up owned by it). */
export function sql(db: Database, statements: string): Result {
    return exec(
        db.container,
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", DATABASE_USER, "-d", DATABASE_NAME],
        { PGPASSWORD: db.password },
        statements,
    );
}

export function sqlOk(db: Database, statements: string): string {
    const r = sql(db, statements);
    if (r.code !== 0) {
        throw new Error(`SQL failed: ${r.stderr.trim()}`);
    }
    return r.stdout.trim();
}

/** A small application schema with awkward types and names, so the checksum comparison is exercised. */
export function seedSmall(db: Database, rows = 2000): void {
    sqlOk(
        db,
        `CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text NOT NULL, balance numeric(12,2), created timestamptz,
            ratio float8, token bytea, tags text[], profile jsonb, active boolean, span interval);
         INSERT INTO users SELECT g, 'user' || g || '@example.com', g * 1.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
            g / 3.0, decode(md5(g::text), 'hex'), ARRAY['a' || g % 7, 'b'], jsonb_build_object('n', g, 's', repeat('x', g % 13)), g % 2 = 0, g * interval '1 second'
         FROM generate_series(1, ${rows}) g ON CONFLICT DO NOTHING;
         CREATE SCHEMA IF NOT EXISTS "App Data";
         CREATE TABLE IF NOT EXISTS "App Data"."Odd ""Name""" (x int, note text);
         INSERT INTO "App Data"."Odd ""Name""" VALUES (1, E'tab\\there'), (NULL, NULL), (3, 'ünïcødé');`,
    );
}

// --- the backup containers, as infra/components/backup.ts creates them ---------------------------------
export interface BackupJobOptions {
    readonly network: string;
    readonly volume: string;
    readonly db: Database;
    readonly recipient: string;
    readonly schedule?: string;
    readonly keep?: { daily: number; weekly: number; monthly: number };
    readonly cpus?: number;
    readonly maxProcesses?: number;
    readonly extraEnv?: Record<string, string>;
}

export function runBackupJob(box: Sandbox, o: BackupJobOptions, what = "backup"): string {
    return box.run({
        name: box.name(what),
        image: buildImage("backup"),
        network: o.network,
        aliases: programAliases("backup-job"),
        like: "backup-job",
        cpus: o.cpus,
        maxProcesses: o.maxProcesses,
        volumes: programMounts("backup-job").map((m) => ({ source: o.volume, target: m.Target, readOnly: m.ReadOnly })),
        // The program's environment (host, role, database, retention), with the test's password, key and schedule.
        env: {
            ...programEnv("backup-job"),
            ...o.db.env,
            BACKUP_AGE_RECIPIENT: o.recipient,
            // Never fires during a test (Feb 29 at 03:15): the tests trigger runs with backup-now.
            BACKUP_SCHEDULE: o.schedule ?? "15 3 29 2 *",
            ...(o.keep
                ? { BACKUP_KEEP_DAILY: String(o.keep.daily), BACKUP_KEEP_WEEKLY: String(o.keep.weekly), BACKUP_KEEP_MONTHLY: String(o.keep.monthly) }
                : {}),
            ...o.extraEnv,
        },
        command: programContainer("backup-job").Cmd,
    });
}

export interface DrillOptions {
    readonly volume: string;
    readonly reports: string;
    readonly identity: string;
    /** The drill-keys volume (a dev stack's generated key); none, as in prod, by default. */
    readonly keyring?: string;
    /** The scratch volume (default: a new one of the sandbox's). */
    readonly scratch?: string;
    readonly memoryMb?: number;
    readonly cpus?: number;
    readonly maxProcesses?: number;
    /** Default: the scheduler, as in the stack. */
    readonly command?: readonly string[];
}

export function runDrill(box: Sandbox, o: DrillOptions, what = "restore-drill"): string {
    return box.run({
        name: box.name(what),
        image: buildImage("backup"),
        network: "none",
        like: "backup-drill",
        memoryMb: o.memoryMb,
        cpus: o.cpus,
        maxProcesses: o.maxProcesses,
        volumes: [
            { source: o.volume, target: BACKUP_DIR, readOnly: true },
            { source: o.reports, target: DRILL_REPORT_DIR },
            { source: o.scratch ?? box.volume(`${what}-scratch`), target: DRILL_SCRATCH_DIR },
            ...(o.keyring ? [{ source: o.keyring, target: DRILL_KEYRING_DIR }] : []),
        ],
        env: {
            BACKUP_DIR,
            DRILL_REPORT_DIR,
            DRILL_SCHEDULE: "45 4 29 2 *",
            BACKUP_AGE_IDENTITY: o.identity,
            // As the program names them to the drill (the volume in a message on an older deployment's volume).
            DRILL_REPORT_VOLUME: o.reports,
            ...(o.keyring ? { DRILL_KEYRING_DIR, DRILL_KEYRING_VOLUME: o.keyring } : {}),
        },
        command: o.command ?? programContainer("backup-drill").Cmd,
    });
}

/** Runs a command in the backup job container and parses its JSON log lines. */
export function backupNow(job: string, env: Record<string, string> = {}): Result & { events: Record<string, unknown>[] } {
    const r = exec(job, ["backup-now"], env);
    return { ...r, events: jsonLines(r.stdout) };
}

export function listBackupDir(container: string): string[] {
    const r = exec(container, ["ls", "-1A", BACKUP_DIR]);
    return r.stdout.split("\n").filter(Boolean).sort();
}

export function readJson<T = Record<string, any>>(container: string, file: string): T {
    const r = exec(container, ["cat", file]);
    if (r.code !== 0) {
        throw new Error(`cannot read ${file} in ${container}: ${r.stderr}`);
    }
    return JSON.parse(r.stdout) as T;
}
