// Backup benchmark: the encrypted pipeline and the whole backup job against plain `pg_dump -Fc -Z0`, on the
// same ~1 GB database, the same backup volume and the same run, alternating; then the restore drill's time per
// GB and its peak memory.
//
//   npm run bench:backup [-- --runs 3 --gb 1 --drill-runs 1 --variants --keep --json]
//
// The database and the backup containers get the stack's default resources (infra/config/defaults.ts DEFAULT_RESOURCES:
// database 1 CPU / 1 GB, backup job and drill 1 CPU / 512 MB), on the 2-core machine. Each timing is taken
// inside the container (no `docker exec` start-up in it) and includes the final fsync of the written file.
//   plain:      pg_dump -Fc -Z0 -f FILE
//   pipeline:   pg_dump -Fc -Z0 | zstd -1 -T1 | age -r RECIPIENT -o FILE
//   backup-now: the whole job: snapshot, the pipeline with the row count in the stream, the catalog check,
//               sha256, manifest, retention; "(checksums)" with BACKUP_VERIFY=checksums
// --variants adds other compression settings, for tuning. The drill runs with the stack's memory limit and
// its scratch volume; its peak memory is sampled from the container's cgroup (memory.ts).
// --json prints one JSON object on stdout (jobRatio, pipelineRatio, drillSecondsPerGb, drillPeakMemoryMb,
// databaseMb, ...: medians); progress goes to stderr.
import {
    ageKeyPair, docker, dockerAsync, dockerAvailable, exec, jsonLines, readJson, runBackupJob, runDrill, Sandbox, sqlOk, startDatabase,
} from "../../tools/runtime/backup";
import { MemoryPeak, MIB, watchMemory } from "./memory";
import { BACKUP_DIR, DRILL_REPORT_DIR } from "../../infra/components/backup";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const RUNS = Math.max(2, option("runs", 3));
const TARGET_GB = option("gb", 1);
const DRILL_RUNS = option("drill-runs", 1);

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number) => bytes / 1e6;
const log = (msg: string) => console.error(`[bench:backup] ${msg}`);

interface Timing {
    seconds: number;
    bytes: number;
}

function main(): Promise<void> | void {
    if (!dockerAvailable()) {
        console.error("bench:backup needs a running Docker engine");
        process.exit(2);
    }
    return run();
}

async function run(): Promise<void> {
    const box = new Sandbox();
    const cleanup = () => (flag("keep") ? log(`kept ${box.id}-*`) : box.cleanup());
    process.on("SIGINT", () => {
        cleanup();
        process.exit(130);
    });
    try {
        const keys = ageKeyPair();
        const data = box.network("data");
        const db = await startDatabase(box, data);
        log(`database: ${db.kind}`);

        // --- the data: customers, orders (jsonb), events; realistic text and numbers, some of it random --
        const started = Date.now();
        docker(["update", "--cpus", "2", db.container]); // generation only; the bench runs at the stack's 1 CPU
        const scale = Math.round(TARGET_GB * 1_000_000);
        sqlOk(db, `
            SET synchronous_commit = off;
            CREATE TABLE customers AS
              SELECT g AS id, 'Customer ' || g AS name, 'customer' || g || '@example.com' AS email,
                     (ARRAY['DE','FR','US','GB','NL','SE','ES','IT'])[1 + g % 8] AS country,
                     timestamptz '2020-01-01 00:00:00+00' + (g % 1500) * interval '1 day' + (g % 86400) * interval '1 second' AS created_at,
                     round((random() * 10000)::numeric, 2) AS balance, md5(g::text) AS api_token,
                     repeat('lorem ipsum dolor sit amet ', 1 + g % 5) AS notes
              FROM generate_series(1, ${scale}) g;
            CREATE TABLE orders AS
              SELECT g AS id, 1 + g % ${scale} AS customer_id, round((random() * 500)::numeric, 2) AS amount,
                     (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4] AS status,
                     timestamptz '2023-01-01 00:00:00+00' + g * interval '7 seconds' AS created_at,
                     jsonb_build_object('sku', 'SKU-' || (g % 5000), 'qty', 1 + g % 9, 'gift', g % 17 = 0, 'ref', md5((g * 31)::text)) AS payload
              FROM generate_series(1, ${Math.round(scale * 2.2)}) g;
            CREATE TABLE events AS
              SELECT g AS id, (ARRAY['login','logout','view','click','purchase'])[1 + g % 5] AS kind,
                     timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' AS at,
                     '10.' || (g % 256) || '.' || (g * 7 % 256) || '.' || (g * 13 % 256) AS ip,
                     md5(random()::text) AS session, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/' || (100 + g % 30) AS user_agent
              FROM generate_series(1, ${Math.round(scale * 2.5)}) g;
            ALTER TABLE customers ADD PRIMARY KEY (id);
            ALTER TABLE orders ADD PRIMARY KEY (id);
            ALTER TABLE events ADD PRIMARY KEY (id);
            CREATE INDEX ON orders (customer_id);
            -- Hint bits and statistics settled before the first timed run; PARALLEL 0 because parallel
            -- vacuum needs more /dev/shm than Docker's default 64 MB.
            VACUUM (FREEZE, ANALYZE, PARALLEL 0) customers, orders, events;`);
        docker(["update", "--cpus", "1", db.container]);
        const dbBytes = Number(sqlOk(db, "SELECT pg_database_size(current_database())"));
        const tableBytes = Number(sqlOk(db, "SELECT sum(pg_table_size(oid)) FROM pg_class WHERE relname IN ('customers','orders','events')"));
        log(`generated ${mb(dbBytes).toFixed(0)} MB (tables ${mb(tableBytes).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(0)} s`);

        const volume = box.volume("backups");
        const job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient, keep: { daily: 365, weekly: 0, monthly: 0 } });

        // A timed shell pipeline inside the job container; prints "seconds bytes".
        const timed = (pipeline: string): Timing => {
            const script = `set -euo pipefail
f=${BACKUP_DIR}/.bench.out
s=$(date +%s%N)
${pipeline}
sync "$f"
e=$(date +%s%N)
echo "$(( (e - s) / 1000000 )) $(stat -c %s "$f")"
rm -f "$f"`;
            const r = exec(job, ["bash", "-c", script], { BENCH_RECIPIENT: keys.recipient });
            if (r.code !== 0) {
                throw new Error(`bench pipeline failed: ${r.stderr}`);
            }
            const [ms, bytes] = r.stdout.trim().split(/\s+/).map(Number);
            return { seconds: ms / 1000, bytes };
        };
        const variants: Record<string, string> = {
            plain: `pg_dump -Fc -Z0 -f "$f"`,
            pipeline: `pg_dump -Fc -Z0 | zstd -q -1 -T1 | age -r "$BENCH_RECIPIENT" -o "$f"`,
        };
        if (flag("variants")) {
            Object.assign(variants, {
                "zstd -1 -T0": `pg_dump -Fc -Z0 | zstd -q -1 -T0 | age -r "$BENCH_RECIPIENT" -o "$f"`,
                "zstd -3 -T2": `pg_dump -Fc -Z0 | zstd -q -3 -T2 | age -r "$BENCH_RECIPIENT" -o "$f"`,
                "zstd --fast=3 -T1": `pg_dump -Fc -Z0 | zstd -q --fast=3 -T1 | age -r "$BENCH_RECIPIENT" -o "$f"`,
                "pg_dump -Z1 (gzip) + age": `pg_dump -Fc -Z1 | age -r "$BENCH_RECIPIENT" -o "$f"`,
            });
        }
        // The whole job, as the stack runs it, and with the opt-in verification (BACKUP_VERIFY=checksums).
        const jobs: Record<string, Record<string, string>> = { "backup-now": {}, "backup-now (checksums)": { BACKUP_VERIFY: "checksums" } };
        const results: Record<string, Timing[]> = Object.fromEntries([...Object.keys(variants), ...Object.keys(jobs)].map((k) => [k, []]));
        const runOne = (name: string): Timing => {
            if (variants[name]) return timed(variants[name]);
            const r = exec(job, ["backup-now"], jobs[name]);
            const done = jsonLines(r.stdout).find((e) => e.event === "backup_completed");
            if (r.code !== 0 || !done) throw new Error(`${name} failed: ${r.stdout} ${r.stderr}`);
            return { seconds: Number(done.durationSeconds), bytes: Number(done.sizeBytes) };
        };
        for (let i = 0; i < RUNS; i++) {
            // Alternate the order each round, so that no entry always runs on a warmer cache.
            const order = i % 2 === 0 ? Object.keys(results) : Object.keys(results).reverse();
            for (const name of order) {
                const t = runOne(name);
                results[name].push(t);
                log(`run ${i + 1} ${name}: ${t.seconds.toFixed(2)} s, ${mb(t.bytes).toFixed(0)} MB`);
            }
        }

        // --- the drill, with the stack's own limits: memory no longer sized to the database ---------------
        const drill = runDrill(box, { volume, reports: box.volume("drill-reports"), identity: keys.identity });
        const drillLimitMb = Number(docker(["inspect", "-f", "{{.HostConfig.Memory}}", drill]).stdout.trim()) / MIB;
        const drills: { seconds: number; restore: number; memory: MemoryPeak }[] = [];
        for (let i = 0; i < DRILL_RUNS; i++) {
            const watch = watchMemory(drill);
            const r = await dockerAsync(["exec", drill, "restore-drill"]);
            const memory = watch.stop();
            if (r.code !== 0) {
                throw new Error(`drill failed: ${r.stdout}`);
            }
            const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
            drills.push({ seconds: last.durationSeconds, restore: last.restoreSeconds, memory });
            log(`drill ${i + 1}: ${last.durationSeconds.toFixed(1)} s (restore ${last.restoreSeconds.toFixed(1)} s), peak ${memory.residentMb.toFixed(0)} MB resident, ${memory.chargedMb.toFixed(0)} MB with page cache (limit ${drillLimitMb} MB)`);
        }

        // --- report ----------------------------------------------------------------------------------
        const plain = median(results.plain.map((t) => t.seconds));
        const plainBytes = median(results.plain.map((t) => t.bytes));
        const rows = Object.entries(results).map(([name, ts]) => {
            const sec = median(ts.map((t) => t.seconds));
            return { name, seconds: sec, mb: mb(median(ts.map((t) => t.bytes))), ratio: plain / sec };
        });
        const ratio = (name: string) => rows.find((r) => r.name === name)!.ratio;
        const gb = dbBytes / 1e9;
        const drillS = median(drills.map((d) => d.seconds));
        const restoreS = median(drills.map((d) => d.restore));
        const summary = {
            databaseMb: mb(dbBytes),
            tableMb: mb(tableBytes),
            plainDumpMb: mb(plainBytes),
            runs: RUNS,
            jobRatio: ratio("backup-now"),
            pipelineRatio: ratio("pipeline"),
            checksumsJobRatio: ratio("backup-now (checksums)"),
            drillSecondsPerGb: drillS / gb,
            drillRestoreSecondsPerGb: restoreS / gb,
            drillPeakMemoryMb: median(drills.map((d) => d.memory.residentMb)),
            drillPeakChargedMb: median(drills.map((d) => d.memory.chargedMb)),
            drillMemoryLimitMb: drillLimitMb,
            drillRuns: DRILL_RUNS,
            results: rows,
        };
        if (flag("json")) {
            console.log(JSON.stringify(summary));
            return;
        }
        console.log(`\nDatabase ${mb(dbBytes).toFixed(0)} MB (pg_database_size), plain dump ${mb(plainBytes).toFixed(0)} MB; median of ${RUNS} runs each, alternating.`);
        console.log("| what | median s | output MB | DB MB/s | throughput vs plain -Z0 |");
        console.log("| --- | --- | --- | --- | --- |");
        for (const r of rows) {
            console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${r.mb.toFixed(0)} | ${(mb(dbBytes) / r.seconds).toFixed(1)} | ${r.ratio.toFixed(3)} |`);
        }
        console.log(`\nRestore drill: ${drillS.toFixed(1)} s for ${gb.toFixed(2)} GB = ${summary.drillSecondsPerGb.toFixed(1)} s/GB (decrypt+decompress+pg_restore ${summary.drillRestoreSecondsPerGb.toFixed(1)} s/GB); ` +
            `peak ${summary.drillPeakMemoryMb.toFixed(0)} MB resident (${summary.drillPeakChargedMb.toFixed(0)} MB with page cache) under its ${drillLimitMb} MB limit`);
        const verdict = (ok: boolean) => (ok ? "(met)" : "(NOT met)");
        console.log(`\nTargets (issue 10): whole job >= 0.85x plain: ${summary.jobRatio.toFixed(3)} ${verdict(summary.jobRatio >= 0.85)}; ` +
            `drill <= 20 s/GB: ${summary.drillSecondsPerGb.toFixed(1)} ${verdict(summary.drillSecondsPerGb <= 20)}`);
    } finally {
        cleanup();
    }
}

void main();
