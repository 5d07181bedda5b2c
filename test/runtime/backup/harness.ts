// Docker plumbing for the backup tests and the backup benchmark: builds the images, and runs every
// container with the same hardening infra/hardening.ts gives the stack (read-only root, all capabilities
// dropped, no-new-privileges, numeric non-root user, memory/CPU/process limits, noexec tmpfs owned by the
// uid, Docker's init as PID 1). Each Sandbox names its networks, volumes and containers uniquely and removes
// all of them in cleanup(), which the suites call from after hooks, so a failed test leaves nothing behind.
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ageIdentityFromSecretBytes, ageRecipientFromIdentity } from "../../../infra/age";
import { BACKUP_DIR, DRILL_KEYRING_DIR, DRILL_REPORT_DIR } from "../../../infra/components/backup";
import { DATABASE_BACKUP_USER, DATABASE_NAME, DATABASE_PORT, DATABASE_USER, POSTGRES_SETTINGS } from "../../../infra/components/database";
import { IMAGE_USERS } from "../../../infra/components/images";
import { DEFAULT_BASE_IMAGE, DEFAULT_RESOURCES } from "../../../infra/config";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const BACKUP_USER = IMAGE_USERS.backup;
export const UPLOAD_STATE_DIR = "/var/lib/bulwark/upload";
export const SCRATCH_DIR = "/var/lib/bulwark/scratch";
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

// --- images ----------------------------------------------------------------------------------------------
let baseImage: string | undefined;

/** The base to build FROM: BULWARK_BASE_IMAGE, else the imported Debian base (images/base), else the pin. */
export function baseImageRef(): string {
    if (baseImage) {
        return baseImage;
    }
    const local = process.env.BULWARK_BASE_IMAGE ?? "bulwark/debian-base:bookworm";
    if (docker(["image", "inspect", local], { allowFail: true }).code === 0) {
        return (baseImage = local);
    }
    const script = path.join(ROOT, "images", "base", "build-base.sh");
    if (fs.existsSync(script)) {
        const r = spawnSync("bash", [script], { encoding: "utf8", timeout: 900_000 });
        const built = r.stdout.trim().split("\n").pop();
        if (r.status === 0 && built) {
            return (baseImage = built);
        }
    }
    return (baseImage = DEFAULT_BASE_IMAGE);
}

const built = new Map<string, string>();

/** Builds images/<name> (cached by the engine, so a rebuild of an unchanged context takes a second). */
export function buildImage(name: "backup" | "postgres"): string {
    const cached = built.get(name);
    if (cached) {
        return cached;
    }
    const tag = `bulwark/${name}:backup-test`;
    docker(["build", "-q", "--build-arg", `BASE_IMAGE=${baseImageRef()}`, "-t", tag, path.join(ROOT, "images", name)], { timeoutMs: 900_000 });
    built.set(name, tag);
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

/** `docker run` arguments with infra/hardening.ts's settings; env values travel in docker's environment. */
export function hardenedRunArgs(spec: ContainerSpec, label: string): string[] {
    const user = spec.user ?? BACKUP_USER;
    const [uid, gid] = user.split(":");
    const memory = spec.memoryMb ?? DEFAULT_RESOURCES.backup.memoryMb;
    const nproc = spec.maxProcesses ?? 256;
    const args = [
        "run", "-d", "--name", spec.name, "--label", `${TEST_LABEL}=${label}`,
        "--user", user, "--init", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true",
        "--memory", `${memory}m`, "--memory-swap", `${memory}m`, "--cpus", String(spec.cpus ?? DEFAULT_RESOURCES.backup.cpus),
        "--ulimit", `nproc=${nproc}:${nproc}`, "--ulimit", "nofile=4096:4096",
        "--network", spec.network,
    ];
    for (const alias of spec.aliases ?? []) {
        args.push("--network-alias", alias);
    }
    for (const t of spec.tmpfs ?? []) {
        args.push("--tmpfs", `${t.path}:rw,noexec,nosuid,nodev,size=${t.sizeMb}m,uid=${uid},gid=${gid},mode=0700`);
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

    /** A named volume; `tmpfsSizeMb` makes it a size-limited tmpfs owned by the backup uid. */
    volume(what: string, tmpfsSizeMb?: number): string {
        const name = this.name(what);
        const [uid, gid] = BACKUP_USER.split(":");
        const opts = tmpfsSizeMb ? ["--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", `o=size=${tmpfsSizeMb}m,uid=${uid},gid=${gid},mode=0700`] : [];
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
    /** "images/postgres" (the stack's own image) or "backup-image" (its server binaries, as uid 10501). */
    readonly kind: string;
    /** Environment for the backup job's connection (infra/components/backup.ts). */
    readonly env: Record<string, string>;
}

// A PostgreSQL from the backup image's own server binaries: the fallback when images/postgres is absent or
// does not build. Same role layout as the stack (superuser over the socket only, the application role with
// a SCRAM password over the network), pgaudit preloaded, pgcrypto and pgaudit created.
const FALLBACK_SERVER = String.raw`set -euo pipefail
D=/var/lib/bulwark/scratch/pgdata
if [ ! -s "$D/PG_VERSION" ]; then
  umask 077
  printf '%s\n' "$POSTGRES_PASSWORD" | initdb -D "$D" -U postgres --pwfile=/dev/stdin --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$D/pg_hba.conf"
  # Single-user mode: one statement per line, each in its own transaction (CREATE DATABASE needs that).
  printf '%s\n' "CREATE ROLE $POSTGRES_USER LOGIN PASSWORD '$POSTGRES_PASSWORD';" "CREATE DATABASE $POSTGRES_DB OWNER $POSTGRES_USER;" | postgres --single -D "$D" postgres >/dev/null
  printf '%s\n' "CREATE EXTENSION pgcrypto;" "CREATE EXTENSION pgaudit;" | postgres --single -D "$D" -c shared_preload_libraries=pgaudit "$POSTGRES_DB" >/dev/null
fi
unset POSTGRES_PASSWORD
exec postgres -D "$D" -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql -c shared_preload_libraries=pgaudit -c pgaudit.log=ddl`;

export interface DatabaseOptions {
    readonly memoryMb?: number;
    readonly cpus?: number;
    /** Force the fallback server (BULWARK_BACKUP_TEST_DB=fallback does the same). */
    readonly fallback?: boolean;
}

/** Starts the database on `network` with alias "database", as the stack does, and waits until it answers. */
export async function startDatabase(box: Sandbox, network: string, opts: DatabaseOptions = {}): Promise<Database> {
    const password = crypto.randomBytes(18).toString("base64url");
    const backupPassword = crypto.randomBytes(18).toString("base64url");
    const memoryMb = opts.memoryMb ?? DEFAULT_RESOURCES.database.memoryMb;
    const cpus = opts.cpus ?? DEFAULT_RESOURCES.database.cpus;
    const common = { network, aliases: ["database"], memoryMb, cpus, maxProcesses: 512 };
    const env = { PGHOST: "database", PGPORT: String(DATABASE_PORT), PGDATABASE: DATABASE_NAME, PGUSER: DATABASE_BACKUP_USER, PGPASSWORD: backupPassword };
    const useFallback = opts.fallback || process.env.BULWARK_BACKUP_TEST_DB === "fallback" || !fs.existsSync(path.join(ROOT, "images", "postgres", "Dockerfile"));
    let image: string | undefined;
    if (!useFallback) {
        try {
            image = buildImage("postgres");
        } catch (e) {
            console.warn(`backup tests: images/postgres does not build, using the backup image's server (${(e as Error).message.slice(0, 200)})`);
        }
    }
    if (image) {
        const subnet = docker(["network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}"]).stdout.trim();
        const container = box.run({
            ...common,
            name: box.name("database"),
            image,
            user: IMAGE_USERS.postgres,
            volumes: [{ source: box.volume("pgdata"), target: "/var/lib/postgresql/data" }],
            tmpfs: [{ path: "/var/run/postgresql", sizeMb: 1 }, { path: "/tmp", sizeMb: 64 }],
            env: {
                PGDATA: "/var/lib/postgresql/data/pgdata",
                POSTGRES_DB: DATABASE_NAME,
                POSTGRES_USER: DATABASE_USER,
                POSTGRES_PASSWORD: password,
                POSTGRES_BACKUP_USER: DATABASE_BACKUP_USER,
                POSTGRES_BACKUP_PASSWORD: backupPassword,
                POSTGRES_HBA_CIDR: subnet,
                POSTGRES_EXTENSIONS: "pgcrypto,pgaudit",
            },
            command: ["postgres", ...Object.entries(POSTGRES_SETTINGS).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
        });
        const db = { container, host: "database", password, backupPassword, kind: "images/postgres", env };
        try {
            await waitReady(db);
            return db;
        } catch (e) {
            console.warn(`backup tests: images/postgres did not become ready, using the backup image's server (${(e as Error).message.slice(0, 300)})`);
            docker(["rm", "-f", container], { allowFail: true });
        }
    }
    const container = box.run({
        ...common,
        name: box.name("database-fallback"),
        image: buildImage("backup"),
        volumes: [{ source: box.volume("pgdata-fallback"), target: SCRATCH_DIR }],
        tmpfs: [{ path: "/var/run/postgresql", sizeMb: 1 }, { path: "/tmp", sizeMb: 64 }],
        env: { POSTGRES_DB: DATABASE_NAME, POSTGRES_USER: DATABASE_USER, POSTGRES_PASSWORD: password },
        command: ["bash", "-c", FALLBACK_SERVER],
    });
    const db = { container, host: "database", password, backupPassword, kind: "backup-image", env };
    await waitReady(db);
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
    readonly extraEnv?: Record<string, string>;
}

export function runBackupJob(box: Sandbox, o: BackupJobOptions, what = "backup"): string {
    return box.run({
        name: box.name(what),
        image: buildImage("backup"),
        network: o.network,
        aliases: ["backup"],
        cpus: o.cpus,
        volumes: [{ source: o.volume, target: BACKUP_DIR }],
        tmpfs: [{ path: "/tmp", sizeMb: 64 }],
        env: {
            ...o.db.env,
            BACKUP_DIR,
            BACKUP_AGE_RECIPIENT: o.recipient,
            // Never fires during a test (Feb 29 at 03:15): the tests trigger runs with backup-now.
            BACKUP_SCHEDULE: o.schedule ?? "15 3 29 2 *",
            BACKUP_KEEP_DAILY: String(o.keep?.daily ?? 7),
            BACKUP_KEEP_WEEKLY: String(o.keep?.weekly ?? 4),
            BACKUP_KEEP_MONTHLY: String(o.keep?.monthly ?? 6),
            ...o.extraEnv,
        },
        command: ["backup-scheduler"],
    });
}

export interface DrillOptions {
    readonly volume: string;
    readonly reports: string;
    readonly identity: string;
    /** The drill-keys volume (a dev stack's generated key); none, as in prod, by default. */
    readonly keyring?: string;
    readonly scratchMb?: number;
    readonly memoryMb?: number;
    readonly cpus?: number;
    /** Default: the scheduler, as in the stack. */
    readonly command?: readonly string[];
}

export function runDrill(box: Sandbox, o: DrillOptions, what = "restore-drill"): string {
    const memoryMb = o.memoryMb ?? DEFAULT_RESOURCES.backup.memoryMb;
    return box.run({
        name: box.name(what),
        image: buildImage("backup"),
        network: "none",
        memoryMb,
        cpus: o.cpus,
        maxProcesses: 512,
        volumes: [
            { source: o.volume, target: BACKUP_DIR, readOnly: true },
            { source: o.reports, target: DRILL_REPORT_DIR },
            ...(o.keyring ? [{ source: o.keyring, target: DRILL_KEYRING_DIR }] : []),
        ],
        tmpfs: [
            { path: "/tmp", sizeMb: 64 },
            { path: "/var/run/postgresql", sizeMb: 1 },
            { path: SCRATCH_DIR, sizeMb: o.scratchMb ?? Math.max(256, memoryMb) },
        ],
        env: {
            BACKUP_DIR,
            DRILL_REPORT_DIR,
            DRILL_SCHEDULE: "45 4 29 2 *",
            BACKUP_AGE_IDENTITY: o.identity,
            ...(o.keyring ? { DRILL_KEYRING_DIR } : {}),
        },
        command: o.command ?? ["restore-drill-scheduler"],
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
