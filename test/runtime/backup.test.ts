// The backup job and the restore drill on the real engine (DB-03, BAK-01, BAK-03, BAK-04, CMP-01): the happy
// path from a backup to a passing drill, the health checks, SIGTERM, and retention with made-up dates.
import * as assert from "node:assert/strict";
import { BACKUP_DIR, DRILL_REPORT_DIR } from "../../infra/components/backup";
import {
    ageKeyPair, backupNow, Database, docker, exec, listBackupDir, logs, jsonLines, readJson,
    runBackupJob, runDrill, Sandbox, seedSmall, sqlOk, startDatabase, waitFor, requireEngine,
    builtFrom, programContainer, programStack, ProgramContainer,
} from "../../tools/runtime/backup";
import { recordedBaseImage } from "../../tools/runtime/recorded";

/** What Docker gives /dev/shm when the program sets no shmSize. */
const DOCKER_DEFAULT_SHM = 64 * 1024 * 1024;

describe("backup job and restore drill (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const keys = ageKeyPair();
    let db: Database;
    let job: string;
    let drill: string;
    let volume: string;

    before(async function () {
        requireEngine();
        const data = box.network("data");
        db = await startDatabase(box, data);
        seedSmall(db);
        volume = box.volume("backups");
        job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient });
        drill = runDrill(box, { volume, reports: box.volume("drill-reports"), identity: keys.identity });
        await waitFor("the backup scheduler", 30_000, () => jsonLines(logs(job)).some((e) => e.event === "scheduler_started"));
    });

    after(() => box.cleanup());

    it("runs the database, the job and the drill with the settings the program records, on images built FROM its base", () => {
        // The CLI hands Docker ulimits as a map, so their order is Docker's; an empty list reads back as null.
        const orNull = (v: unknown) =>
            v === undefined || (Array.isArray(v) && v.length === 0) ? null : Array.isArray(v) && v[0]?.Name ? [...v].sort((a, b) => a.Name.localeCompare(b.Name)) : v;
        const keys = (env: readonly string[] | null | undefined) => (env ?? []).map((e) => e.slice(0, e.indexOf("=")));
        for (const [container, resource] of [[db.container, "database"], [job, "backup-job"], [drill, "backup-drill"]] as [string, ProgramContainer][]) {
            const want = programContainer(resource);
            const got = JSON.parse(docker(["inspect", container]).stdout)[0];
            const where = `${container} (the program's ${resource})`;
            assert.equal(got.Config.User, want.User, `${where} User`);
            for (const key of ["ReadonlyRootfs", "Privileged", "CapAdd", "CapDrop", "SecurityOpt", "Memory", "MemorySwap", "NanoCpus", "ShmSize", "Ulimits", "Init", "Tmpfs", "LogConfig"]) {
                const recorded = (want.HostConfig as Record<string, unknown>)[key] ?? (key === "ShmSize" ? DOCKER_DEFAULT_SHM : undefined);
                assert.deepEqual(orNull(got.HostConfig[key]), orNull(recorded), `${where} HostConfig.${key}`);
            }
            assert.deepEqual(got.Config.Cmd, want.Cmd, `${where} Cmd`);
            if (resource !== "backup-drill") {
                // The drill's environment stays the test's own (its key and, in dev, the keyring are test choices).
                for (const key of keys(want.Env)) assert.ok(keys(got.Config.Env).includes(key), `${where} lacks the program's env ${key}`);
                const mounts = (got.Mounts as { Destination: string; RW: boolean }[]).map((m) => `${m.Destination}:${m.RW ? "rw" : "ro"}`).sort();
                assert.deepEqual(mounts, (want.HostConfig.Mounts ?? []).map((m) => `${m.Target}:${m.ReadOnly ? "ro" : "rw"}`).sort(), `${where} mounts`);
            }
        }
        const base = recordedBaseImage(programStack());
        assert.deepEqual([...builtFrom.keys()].sort(), ["bulwark/backup:backup-test", "bulwark/postgres:backup-test"]);
        for (const [tag, from] of builtFrom) assert.equal(from, base, `${tag} is built FROM ${from}, the program records ${base}`);
    });

    it("is healthy before the first scheduled run has come due", () => {
        const r = exec(job, ["/usr/local/bin/healthcheck", "backup"]);
        assert.equal(r.code, 0, r.stdout);
        assert.match(r.stdout, /not due yet/);
        assert.equal(exec(drill, ["/usr/local/bin/healthcheck", "drill"]).code, 0);
    });

    it("writes an encrypted backup and a manifest fingerprinted in the dump's snapshot", () => {
        const r = backupNow(job);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const done = r.events.find((e) => e.event === "backup_completed");
        assert.ok(done, r.stdout);
        const name = String(done.name);
        assert.deepEqual(listBackupDir(job), [`${name}.dump.zst.age`, `${name}.json`]);

        const manifest = readJson(job, `${BACKUP_DIR}/${name}.json`);
        const sha = exec(job, ["sha256sum", `${BACKUP_DIR}/${name}.dump.zst.age`]).stdout.split(" ")[0];
        assert.equal(manifest.sha256, sha);
        assert.equal(manifest.encryption.recipient, keys.recipient);
        assert.equal(manifest.tables["public.users"].rows, 2000);
        assert.equal(manifest.tables['"App Data"."Odd ""Name"""'].rows, 3);
        assert.match(manifest.dataChecksum, /^[0-9a-f]{64}$/);
        assert.match(manifest.database.serverVersion, /^15\./);
        for (const key of ["time", "startedAt", "finishedAt", "durationSeconds", "sizeBytes"]) {
            assert.ok(manifest[key] !== undefined, key);
        }
        // age's header, not a dump: the job holds the recipient only and cannot read what it wrote.
        assert.match(exec(job, ["head", "-c", "21", `${BACKUP_DIR}/${name}.dump.zst.age`]).stdout, /^age-encryption\.org\/v1/);
        assert.notEqual(exec(job, ["bash", "-c", `age -d ${BACKUP_DIR}/${name}.dump.zst.age >/dev/null`]).code, 0);
        assert.ok(!(JSON.stringify(docker(["inspect", job]).stdout).includes("AGE-SECRET-KEY")), "the job has no identity");

        const health = exec(job, ["/usr/local/bin/healthcheck", "backup"]);
        assert.equal(health.code, 0, health.stdout);
        assert.equal(JSON.parse(health.stdout).newest, name);
    });

    it("restores the newest backup in the drill and matches every table with the manifest", () => {
        const r = exec(drill, ["restore-drill"]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.pass, true);
        assert.equal(last.result, "pass");
        assert.equal(last.tablesCompared, 2);
        assert.equal(last.rowsCompared, 2003);
        assert.match(last.backupFile, /^bulwark-\d{8}T\d{6}Z\.dump\.zst\.age$/);
        assert.equal(exec(drill, ["sh", "-c", `ls ${DRILL_REPORT_DIR}/history | wc -l`]).stdout.trim(), "1");
        assert.equal(exec(drill, ["/usr/local/bin/healthcheck", "drill"]).code, 0);
        // The identity never reaches a log.
        assert.ok(!logs(drill).includes("AGE-SECRET-KEY"));
    });

    it("keeps the right daily/weekly/monthly set and never removes the newest verified backup", () => {
        // Fresh volume, its own job: retention counts daily 3, weekly 2, monthly 2.
        const retention = box.volume("retention");
        const rjob = runBackupJob(
            box,
            { network: box.name("data"), volume: retention, db, recipient: keys.recipient, keep: { daily: 3, weekly: 2, monthly: 2 } },
            "backup-retention",
        );
        const stamps = {
            A: "2024-11-15T03:15:00Z", // 2024-11, W46
            B: "2024-12-20T03:15:00Z", // 2024-12, W51
            C: "2025-01-06T03:15:00Z", // 2025-01, W02
            D: "2025-01-13T03:15:00Z", // W03
            E: "2025-01-14T01:00:00Z", // W03, same day as F
            F: "2025-01-14T03:15:00Z",
            G: "2025-01-15T03:15:00Z",
        };
        const name = (s: string) => `bulwark-${s.replace(/[-:]/g, "")}`;
        const removed: string[] = [];
        for (const stamp of Object.values(stamps)) {
            const r = backupNow(rjob, { BACKUP_TIMESTAMP_OVERRIDE: stamp });
            assert.equal(r.code, 0, r.stdout + r.stderr);
            removed.push(...r.events.filter((e) => e.event === "backup_removed").map((e) => String(e.name)));
        }
        const manifests = () => listBackupDir(rjob).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
        // daily: G, F (newest of the 14th), D; weekly: G (W03), C (W02); monthly: G, B.
        assert.deepEqual(manifests(), [stamps.B, stamps.C, stamps.D, stamps.F, stamps.G].map(name));
        assert.deepEqual(removed.sort(), [stamps.A, stamps.E].map(name).sort(), "each removal is logged");
        assert.equal(listBackupDir(rjob).length, 10, "no data file without its manifest, and none left over");

        // Damage the three newest; with daily 1 and nothing else, the counts keep only G, but C is the newest
        // backup that still matches its manifest, so it stays too.
        // Byte 100 inverted, so the file surely changes (writing a fixed byte left it intact 1 time in 256).
        const invertByte100 = String.raw`b=$(od -An -tu1 -j100 -N1 "$1") && printf "$(printf '\\%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek=100 conv=notrunc status=none`;
        for (const s of [stamps.G, stamps.F, stamps.D]) {
            const damage = exec(rjob, ["bash", "-c", invertByte100, "damage", `${BACKUP_DIR}/${name(s)}.dump.zst.age`]);
            assert.equal(damage.code, 0, damage.stderr);
        }
        const r = exec(rjob, ["backup-rotate"], { BACKUP_KEEP_DAILY: "1", BACKUP_KEEP_WEEKLY: "0", BACKUP_KEEP_MONTHLY: "0" });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.deepEqual(manifests(), [stamps.C, stamps.G].map(name));
        const applied = jsonLines(r.stdout).find((e) => e.event === "retention_applied");
        assert.equal(applied?.newestVerified, name(stamps.C));
    });

    it("stops promptly and cleanly on SIGTERM (Docker's init forwards it to the scheduler)", () => {
        const started = Date.now();
        docker(["stop", "-t", "20", job]);
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 8000, `docker stop took ${elapsed} ms`);
        assert.equal(docker(["inspect", "-f", "{{.State.ExitCode}}", job]).stdout.trim(), "0");
        assert.ok(jsonLines(logs(job)).some((e) => e.event === "scheduler_stopped"));
        assert.ok(sqlOk(db, "SELECT 1") === "1");
    });
});
