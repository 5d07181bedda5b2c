// What the manifest's row counts rest on (BAK-03, issue 10): the job counts each table's rows in the dump stream
// (archive-rows, images/backup/src) instead of with count(*) on the database's CPU, and checks the snapshot's
// catalog against the dump; the drill compares the restored tables with those counts. On the real engine, with
// data that a naive line count gets wrong: values with newlines and backslashes, an empty table, partitions,
// and (in a dump by the owner: the backup role may not read them) large objects.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BACKUP_DIR, DRILL_REPORT_DIR } from "../../infra/components/backup";
import { DATABASE_NAME, DATABASE_USER } from "../../infra/components/database";
import {
    ageKeyPair, backupNow, Database, exec, readJson, requireEngine, runBackupJob, runDrill, Sandbox, sqlOk, startDatabase,
} from "../../tools/runtime/backup";

describe("row counts from the dump stream (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const keys = ageKeyPair();
    let db: Database;
    let job: string;
    let drill: string;

    /** The database's own count of each table, keyed as the manifest keys them. */
    const databaseCounts = (): Record<string, number> =>
        JSON.parse(
            sqlOk(
                db,
                `SELECT json_object_agg(format('%I.%I', n.nspname, c.relname),
                   (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
            ),
        );

    before(async function () {
        requireEngine();
        const data = box.network("data");
        db = await startDatabase(box, data);
        sqlOk(
            db,
            `CREATE TABLE notes (id int PRIMARY KEY, body text);
             -- Newlines, carriage returns, backslashes and a literal "\\." line inside values: COPY escapes them.
             INSERT INTO notes SELECT g, 'line one' || chr(10) || 'line two\\' || chr(13) || chr(10) || '\\.' || chr(10) || repeat('x', g % 50) FROM generate_series(1, 5000) g;
             CREATE TABLE empty_one (id int);
             CREATE TABLE measurements (at date NOT NULL, v int) PARTITION BY RANGE (at);
             CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
             INSERT INTO measurements SELECT date '2024-01-01' + g % 700, g FROM generate_series(1, 7000) g;
             CREATE TABLE "Quoted ""Name""" (x int);
             INSERT INTO "Quoted ""Name""" SELECT generate_series(1, 17);`,
        );
        const volume = box.volume("backups");
        job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient });
        drill = runDrill(box, { volume, reports: box.volume("drill-reports"), identity: keys.identity });
    });

    after(() => box.cleanup());

    it("writes the rows of every table as the database counts them, and the drill finds them all", () => {
        const r = backupNow(job);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const name = String(r.events.find((e) => e.event === "backup_completed")?.name);
        const manifest = readJson(job, `${BACKUP_DIR}/${name}.json`);
        assert.equal(manifest.verification, "rows");
        const counted = Object.fromEntries(Object.entries(manifest.tables as Record<string, { rows: number }>).map(([t, v]) => [t, v.rows]));
        assert.deepEqual(counted, databaseCounts());
        assert.equal(counted["public.notes"], 5000);
        assert.equal(counted["public.empty_one"], 0);
        assert.equal(counted['public."Quoted ""Name"""'], 17);

        const drilled = exec(drill, ["restore-drill"]);
        assert.equal(drilled.code, 0, drilled.stdout);
        const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.tablesCompared, Object.keys(counted).length);
        assert.equal(last.rowsCompared, 5000 + 7000 + 17);
    });

    it("with BACKUP_VERIFY=checksums, checks the database's counts against the dump's and keeps the checksums", () => {
        const r = backupNow(job, { BACKUP_VERIFY: "checksums", BACKUP_TIMESTAMP_OVERRIDE: "2030-01-01T00:00:00Z" });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const manifest = readJson(job, `${BACKUP_DIR}/bulwark-20300101T000000Z.json`);
        assert.equal(manifest.verification, "checksums");
        assert.match(manifest.tables["public.notes"].checksum, /^-?\d+$/);
        assert.equal(manifest.tables["public.notes"].rows, 5000);
        const drilled = exec(drill, ["restore-drill", "bulwark-20300101T000000Z"]);
        assert.equal(drilled.code, 0, drilled.stdout);
    });

    it("refuses an unknown BACKUP_VERIFY before it touches the database", () => {
        const r = exec(job, ["backup-now", "--check-config"], { BACKUP_VERIFY: "rows checksums" });
        assert.equal(r.code, 2, r.stdout);
        assert.match(r.stdout, /BACKUP_VERIFY/);
        assert.match(r.stdout, /must be one of: rows checksums/);
    });

    it("the drill fails a backup whose restored rows differ from its manifest", () => {
        // The data file is untouched (its sha256 still matches); only the count the manifest records changes.
        const name = "bulwark-20300101T000000Z";
        const edit = exec(job, ["bash", "-c", `f=${BACKUP_DIR}/${name}.json; jq -c '.tables["public.notes"].rows = 4999' "$f" > "$f.tmp.1" && cat "$f.tmp.1" > "$f" && rm "$f.tmp.1"`]);
        assert.equal(edit.code, 0, edit.stderr);
        const drilled = exec(drill, ["restore-drill", name]);
        assert.equal(drilled.code, 1, drilled.stdout);
        const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.stage, "compare");
        assert.match(last.reason, /differs from the manifest: public\.notes: manifest \{"rows":4999/);
    });

    describe("archive-rows, the stream counter", () => {
        /** pg_dump by the application role, which owns the large object (the backup role may not read it). */
        const ownerDump = (...args: string[]): Buffer => {
            const r = spawnSync("docker", ["exec", "-e", "PGPASSWORD", db.container, "pg_dump", "-h", "/var/run/postgresql", "-U", DATABASE_USER, "-d", DATABASE_NAME, ...args], {
                env: { ...process.env, PGPASSWORD: db.password },
                maxBuffer: 256 * 1024 * 1024,
            });
            assert.equal(r.status, 0, String(r.stderr));
            return r.stdout;
        };
        /** The bytes through archive-rows in the job container: what came out, its exit status and its report. */
        const throughCounter = (input: Buffer): { output: Buffer; code: number; report: any } => {
            const r = spawnSync("docker", ["exec", "-i", job, "sh", "-c", "archive-rows /tmp/counted; echo $? > /tmp/counted.rc"], { input, maxBuffer: 256 * 1024 * 1024 });
            assert.equal(r.status, 0, String(r.stderr));
            const after = exec(job, ["sh", "-c", "cat /tmp/counted.rc /tmp/counted; rm -f /tmp/counted /tmp/counted.rc"]).stdout.split("\n");
            return { output: r.stdout, code: Number(after[0]), report: JSON.parse(after[1]) };
        };

        before(() => {
            sqlOk(db, "SELECT lo_from_bytea(0, convert_to(repeat('large object' || chr(10), 1000), 'UTF8'))");
        });

        it("passes every byte of a dump through unchanged, large objects included, and counts only tables' rows", () => {
            const dump = ownerDump("-Fc", "-Z0");
            assert.ok(dump.includes(Buffer.from("large object\n")), "the dump holds the large object");
            const r = throughCounter(dump);
            assert.equal(r.code, 0);
            assert.ok(r.output.equals(dump), "archive-rows changed the stream");
            const rows = Object.fromEntries((r.report as { schema: string; table: string; rows: number }[]).map((t) => [`${t.schema}.${t.table}`, t.rows]));
            assert.deepEqual(rows, { "public.notes": 5000, "public.empty_one": 0, "public.measurements_2024": 3660, "public.measurements_2025": 3340, 'public.Quoted "Name"': 17 });
        });

        for (const [what, input, reason] of [
            ["a truncated dump", () => ownerDump("-Fc", "-Z0").subarray(0, 100_000), /^truncated$/],
            ["a compressed dump", () => ownerDump("-Fc", "-Z1"), /^compressed archive$/],
            ["a plain SQL dump", () => ownerDump("-Fp"), /^not a pg_dump archive$/],
        ] as const) {
            it(`says why it cannot count ${what}, and still passes it on whole (exit 3)`, () => {
                const bytes = input();
                const r = throughCounter(bytes);
                assert.equal(r.code, 3);
                assert.ok(r.output.equals(bytes), "archive-rows changed the stream");
                assert.match(r.report.unreadable, reason);
            });
        }
    });
});
