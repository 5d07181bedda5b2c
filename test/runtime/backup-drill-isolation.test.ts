// The restore drill against a hostile backup (BAK-01, BAK-03, issue 13 "High"): the application owns its
// database, so whatever it can create there (here through a planted function behind a CHECK constraint,
// which the restore's COPY evaluates row by row) runs inside the drill. It must run as an unprivileged role
// (no COPY TO PROGRAM, no server file reads), find no age identity in any process environment, and leave no
// word of its own in the report, the logs or the health check. The drill then fails, at the restore stage,
// with a fixed reason: a backup that does not restore as its owner is a failed drill.
import * as assert from "node:assert/strict";
import { DRILL_REPORT_DIR } from "../../infra/components/backup";
import { DATABASE_NAME } from "../../infra/components/database";
import {
    ageKeyPair, backupNow, Database, docker, dockerAsync, exec, jsonLines, logs, readJson, Result,
    runBackupJob, runDrill, Sandbox, seedSmall, sqlOk, startDatabase, waitFor, requireEngine,
} from "../../tools/runtime/backup";

// Planted by the application role. Inert in the application's own database; in any other (the drill's) it
// tries the privileged reads, publishes what it got as its application_name (63 bytes, visible in
// pg_stat_activity to the test), sleeps so the test can look at the container's processes meanwhile, and
// raises an error carrying whatever environment it read, so that any raw copy of the server's messages into
// the report shows.
const PLANT = String.raw`
CREATE FUNCTION planted_probe(v integer) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
    super boolean;
    program text := 'ran';
    environ text := '';
BEGIN
    IF current_database() = '${DATABASE_NAME}' THEN
        RETURN true;
    END IF;
    SELECT rolsuper INTO super FROM pg_catalog.pg_roles WHERE rolname = current_user;
    BEGIN
        EXECUTE 'COPY (SELECT 1) TO PROGRAM ''cat /proc/self/environ /proc/1/environ > /tmp/planted-environ''';
    EXCEPTION WHEN others THEN program := 'denied';
    END;
    BEGIN
        environ := pg_catalog.encode(pg_catalog.pg_read_binary_file('/proc/self/environ'), 'escape')
            || ' ' || pg_catalog.encode(pg_catalog.pg_read_binary_file('/proc/1/environ'), 'escape');
    EXCEPTION WHEN others THEN environ := 'denied';
    END;
    PERFORM pg_catalog.set_config('application_name', pg_catalog.format('planted user=%s super=%s program=%s read=%s',
        current_user, super, program, CASE WHEN environ = 'denied' THEN 'denied' ELSE 'ran' END), false);
    PERFORM pg_catalog.pg_sleep(12);
    RAISE EXCEPTION 'planted probe ran as % (superuser %): %', current_user, super, environ USING HINT = environ;
END
$fn$;
CREATE TABLE planted (id integer CHECK (planted_probe(id)));
INSERT INTO planted VALUES (1), (2);`;

const IDENTITY_RE = /AGE-SECRET-KEY-1[0-9A-Z]{58}/;

describe("restore drill against a planted function (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const keys = ageKeyPair();
    let db: Database;
    let job: string;
    let drill: string;
    let hostile: string;
    let run: Promise<Result> | undefined;
    let seen: string | undefined;

    before(async function () {
        requireEngine();
        const data = box.network("data");
        db = await startDatabase(box, data);
        seedSmall(db, 500);
        const volume = box.volume("backups");
        job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient });
        // The scheduler as the stack runs it (PID 1's child), with the identity in the container environment.
        drill = runDrill(box, { volume, reports: box.volume("drill-reports"), identity: keys.identity });
        await waitFor("the drill scheduler", 30_000, () => jsonLines(logs(drill)).some((e) => e.event === "scheduler_started"));
    });

    after(() => box.cleanup());

    it("passes on a backup made before the function was planted (the control)", () => {
        const b = backupNow(job);
        assert.equal(b.code, 0, b.stdout + b.stderr);
        const r = exec(drill, ["restore-drill"]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.equal(readJson(drill, `${DRILL_REPORT_DIR}/last.json`).pass, true);
    });

    it("runs the planted function as an unprivileged role while no process but PID 1 holds the identity", async () => {
        sqlOk(db, PLANT);
        const b = backupNow(job);
        assert.equal(b.code, 0, b.stdout + b.stderr);
        hostile = String(b.events.find((e) => e.event === "backup_completed")?.name);
        run = dockerAsync(["exec", drill, "restore-drill", hostile]);

        // The function announces itself in pg_stat_activity, then sleeps: the drill is mid-restore.
        seen = await waitFor("the planted function to run in the drill", 120_000, () => {
            const r = exec(drill, ["psql", "-X", "-A", "-t", "-h", "/var/run/postgresql", "-U", "drill", "-d", "drill", "-c",
                "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'planted%'"]);
            return r.stdout.trim() || undefined;
        }, 300);

        // Every process in the container but Docker's init (whose environment is the container's, the Low
        // finding), scanned while the server, pg_restore and age run. The scanner starts from an empty
        // environment (a docker exec gets the container's).
        const scan = exec(drill, ["env", "-i", "PATH=/usr/bin:/bin", "bash", "-c", `
            for p in /proc/[0-9]*; do
                [ "$p" = /proc/1 ] && continue
                # (A bracket, so that the scanner's own command line does not match.)
                if grep -aqE 'AGE-SECRET-KEY-[1]' "$p/environ" "$p/cmdline" 2>/dev/null; then
                    echo "$(basename "$p"): $(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)"
                fi
            done
            echo "postgres running: $(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^postgres$')"`]);
        assert.equal(scan.code, 0, scan.stderr);
        assert.match(scan.stdout, /postgres running: [1-9]/, "the scan ran while the throwaway server was up");
        const holders = scan.stdout.split("\n").filter((l) => /^\d+:/.test(l));

        const problems = [
            ...(/^planted user=\S+ super=f program=denied read=denied$/.test(seen) ? [] : [`the planted function reported: ${seen}`]),
            ...holders.map((h) => `a process holds the identity in its environment or command line: ${h}`),
        ];
        assert.deepEqual(problems, []);
    });

    it("fails the drill at the restore stage with a fixed reason that carries nothing from the server", async () => {
        assert.ok(run, "the drill was started");
        const r = await run;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.pass, false);
        assert.equal(last.stage, "restore", last.reason);
        assert.match(last.reason, new RegExp(`^restore failure: pg_restore failed on ${hostile}\\.dump\\.zst\\.age \\(exit \\d+`));
        const health = exec(drill, ["/usr/local/bin/healthcheck", "drill"]);
        assert.equal(health.code, 1);
        const history = exec(drill, ["sh", "-c", `cat ${DRILL_REPORT_DIR}/history/*.json`]).stdout;
        for (const [what, text] of [
            ["report", JSON.stringify(last)], ["history", history], ["drill output", r.stdout + r.stderr],
            ["container log", logs(drill)], ["health check", health.stdout],
        ] as const) {
            assert.doesNotMatch(text, IDENTITY_RE, `${what} holds an age identity`);
            assert.ok(!text.includes(keys.identity), `${what} holds the identity`);
            // The function's message and the names it chose are the restored database's words, not the drill's.
            assert.doesNotMatch(text, /planted|environ|PATH=|HOSTNAME=/, `${what} repeats the server's messages: ${text.slice(0, 2000)}`);
        }
    });

    it("leaves no trace of a privileged attempt in the container", () => {
        const marker = exec(drill, ["sh", "-c", "ls -A /tmp; cat /tmp/planted-environ 2>/dev/null | tr '\\0' '\\n' | cut -d= -f1"]);
        assert.ok(!/planted-environ/.test(marker.stdout), `COPY TO PROGRAM ran: ${marker.stdout}`);
        // The scheduler keeps the identity in a private file, not in its environment; the drill's own copy is
        // gone with the drill.
        const files = exec(drill, ["sh", "-c", "find /tmp -name 'identity*' -printf '%m %p\\n'; stat -c '%a %n' /tmp/bulwark"]);
        assert.match(files.stdout, /^600 \/tmp\/bulwark\/key\/identity$/m, files.stdout);
        assert.equal(files.stdout.trim().split("\n").filter((l) => l.includes("identity")).length, 1, files.stdout);
        assert.match(files.stdout, /^700 \/tmp\/bulwark$/m);
        assert.equal(docker(["inspect", "-f", "{{.State.Running}}", drill]).stdout.trim(), "true");
    });
});
