// One uid per backup container (issue 13, Low): the nproc ulimit counts every process of a uid on the host, so
// with one shared uid a drill or uploader at its limit left the job unable to start a process. On the real
// engine, with the program's limits: the job, the drill and the uploader run as three uids of one group; the
// drill and the uploader read the backups the job writes, each writes only its own volume; a drill at its
// process limit does not stop the others; and volumes an older deployment left to uid 10501 stop the drill and
// the uploader with the volume's name and the fix, which, run as docs/runbooks.md says, keeps their contents.
import * as assert from "node:assert/strict";
import { BACKUP_DIR, DRILL_KEYRING_DIR, DRILL_REPORT_DIR } from "../../infra/components/backup";
import { BACKUP_USERS } from "../../infra/components/images";
import {
    ageKeyPair, backupNow, buildImage, Database, docker, exec, jsonLines, logs, readJson, requireEngine,
    runBackupJob, runDrill, Sandbox, seedSmall, startDatabase, UPLOAD_STATE_DIR, waitFor,
} from "../../tools/runtime/backup";

const KEYRING = `${DRILL_KEYRING_DIR}/identities`;

describe("backup containers: one uid each (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const keys = ageKeyPair();
    let db: Database;
    let data: string;
    let volume: string;
    let job: string;
    let drill: string;
    let uploader: string;
    let name: string;

    const started = (container: string, event: string) => jsonLines(logs(container)).some((e) => e.event === event);
    const idOf = (container: string) => {
        const r = exec(container, ["sh", "-c", "echo $(id -u):$(id -g)"]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim();
    };
    /** `stat -c '%a %u:%g'` of each path, as the container sees them. */
    const stat = (container: string, ...paths: string[]) => {
        const r = exec(container, ["stat", "-c", "%a %u:%g", ...paths]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim().split("\n");
    };
    /** The uploader as infra/components/backup.ts runs it (dev has none to record), with an S3 it cannot reach. */
    const runUploader = (state: string, what = "offsite-uploader") =>
        box.run({
            name: box.name(what),
            image: buildImage("backup"),
            user: BACKUP_USERS.uploader,
            network: "none",
            volumes: [
                { source: volume, target: BACKUP_DIR, readOnly: true },
                { source: state, target: UPLOAD_STATE_DIR },
            ],
            tmpfs: [{ path: "/tmp", sizeMb: 64 }],
            env: {
                BACKUP_DIR,
                UPLOAD_STATE_DIR,
                UPLOAD_STATE_VOLUME: state,
                S3_BUCKET: "bulwark-test-backups",
                AWS_REGION: "eu-central-1",
                AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
                AWS_SECRET_ACCESS_KEY: "not-a-secret",
                S3_ENDPOINT_URL: "http://127.0.0.1:9",
                UPLOAD_INTERVAL_SECONDS: "86400",
            },
            command: ["offsite-uploader"],
        });

    before(async function () {
        requireEngine();
        data = box.network("data");
        db = await startDatabase(box, data);
        seedSmall(db, 300);
        volume = box.volume("backups");
        job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient });
        drill = runDrill(box, { volume, reports: box.volume("drill-reports"), keyring: box.volume("drill-keys"), identity: keys.identity });
        uploader = runUploader(box.volume("upload-state"));
        await waitFor("the three containers to start", 60_000, () =>
            started(job, "scheduler_started") && started(drill, "scheduler_started") && started(uploader, "uploader_started"));
        const b = backupNow(job);
        assert.equal(b.code, 0, b.stdout + b.stderr);
        name = String(b.events.find((e) => e.event === "backup_completed")?.name);
    });

    after(() => box.cleanup());

    it("runs the job, the drill and the uploader as three uids of the job's group", () => {
        const ids = [idOf(job), idOf(drill), idOf(uploader)];
        assert.deepEqual(ids, [BACKUP_USERS.job, BACKUP_USERS.drill, BACKUP_USERS.uploader]);
        assert.equal(new Set(ids.map((id) => id.split(":")[0])).size, 3, `uids: ${ids.join(", ")}`);
        assert.equal(new Set(ids.map((id) => id.split(":")[1])).size, 1, `groups: ${ids.join(", ")}`);
    });

    it("the drill and the uploader read the backup the job wrote, through its group", () => {
        const drilled = exec(drill, ["restore-drill"]);
        assert.equal(drilled.code, 0, drilled.stdout + drilled.stderr);
        assert.equal(readJson(drill, `${DRILL_REPORT_DIR}/last.json`).backup, name);
        // The uploader re-checks the file against its manifest before any PUT: the pass gets as far as S3.
        const pass = exec(uploader, ["offsite-uploader", "--once"]);
        assert.equal(pass.code, 1, pass.stdout + pass.stderr);
        const failed = jsonLines(pass.stdout).find((e) => e.event === "upload_failed" && e.backup === name);
        assert.ok(failed, pass.stdout);
        assert.match(String(failed.reason), /^cannot reach S3/, "it read the backup; only S3 was missing");
        // Through the group alone: nobody else reads them, and nobody but the job writes them.
        const [jobUid, group] = BACKUP_USERS.job.split(":");
        assert.deepEqual(stat(job, BACKUP_DIR, `${BACKUP_DIR}/${name}.dump.zst.age`, `${BACKUP_DIR}/${name}.json`), [
            `750 ${jobUid}:${group}`, `640 ${jobUid}:${group}`, `640 ${jobUid}:${group}`,
        ]);
    });

    it("each writes its own volume, private to its uid", () => {
        const [drillUid, group] = BACKUP_USERS.drill.split(":");
        const uploaderUid = BACKUP_USERS.uploader.split(":")[0];
        assert.deepEqual(stat(drill, DRILL_REPORT_DIR, `${DRILL_REPORT_DIR}/last.json`, DRILL_KEYRING_DIR, KEYRING), [
            `700 ${drillUid}:${group}`, `600 ${drillUid}:${group}`, `700 ${drillUid}:${group}`, `600 ${drillUid}:${group}`,
        ]);
        assert.deepEqual(stat(uploader, UPLOAD_STATE_DIR, `${UPLOAD_STATE_DIR}/status.json`), [`700 ${uploaderUid}:${group}`, `600 ${uploaderUid}:${group}`]);
    });

    it("a drill at its process limit (the program's nproc) does not stop the job or the uploader from starting one", () => {
        // dash stops at the first fork the kernel refuses; the sleeps stay, holding the drill's uid at its limit
        // (the program's: the drill's is above the job's and the uploader's, so with one shared uid neither could
        // start anything).
        const bomb = exec(drill, ["sh", "-c", "while sleep 3600 & do :; done"]);
        assert.equal(bomb.code, 2, bomb.stdout + bomb.stderr);
        assert.match(bomb.stderr, /Cannot fork/, "the drill's uid reached its nproc limit");
        const r = exec(uploader, ["true"]);
        assert.equal(r.code, 0, `the uploader cannot start a process: ${r.stderr}`);
        const b = backupNow(job);
        assert.equal(b.code, 0, `the job cannot run a backup while the drill is at its limit: ${b.stdout}${b.stderr}`);
        // Retention (one a day) has removed the earlier one: this is the backup the next tests use.
        name = String(b.events.find((e) => e.event === "backup_completed")?.name);
        docker(["rm", "-f", drill]);
    });

    describe("volumes of an older deployment, when all three ran as 10501", () => {
        const oldKeys = ageKeyPair();
        let image: string;
        /** A volume as the old image left it: every file 10501's, private (0700/0600). */
        const oldVolume = (what: string, script: string) => {
            const v = box.volume(what);
            docker(["run", "--rm", "--network", "none", "--user", "0:0", "-e", "OLD_IDENTITY", "-v", `${v}:/v`, image, "sh", "-c",
                `set -e; cd /v; ${script}; chown -R 10501:10501 /v; chmod -R u=rwX,go= /v`], { env: { OLD_IDENTITY: oldKeys.identity } });
            return v;
        };
        /** The one-time fix the container names, run as it says (IMAGE: the backup image). */
        const runFix = (message: string) => {
            const m = /docker run --rm --network none --user 0:0 -v (\S+):\/v IMAGE chown -R (\d+:\d+) \/v/.exec(message);
            assert.ok(m, `no fix in: ${message}`);
            docker(["run", "--rm", "--network", "none", "--user", "0:0", "-v", `${m[1]}:/v`, image, "chown", "-R", m[2], "/v"]);
            return m;
        };
        const configError = (container: string) => {
            assert.equal(docker(["wait", container]).stdout.trim(), "2", logs(container));
            // The last run's (a container started again keeps its earlier logs).
            const e = jsonLines(logs(container)).filter((x) => x.event === "config_invalid").pop();
            assert.ok(e, logs(container));
            return String(e.note);
        };

        before(() => {
            image = buildImage("backup");
        });

        it("the job opens backups it left private to its group when it starts", async () => {
            // As the old job left them: directory 0700, files 0600.
            assert.equal(exec(job, ["chmod", "0700", BACKUP_DIR]).code, 0);
            assert.equal(exec(job, ["sh", "-c", `chmod 0600 ${BACKUP_DIR}/*`]).code, 0);
            docker(["restart", "-t", "20", job]);
            await waitFor("the restarted backup scheduler", 60_000, () => jsonLines(logs(job)).filter((e) => e.event === "scheduler_started").length > 1);
            const opened = jsonLines(logs(job)).find((e) => e.event === "backups_opened_to_group");
            assert.ok(opened, logs(job));
            const [jobUid, group] = BACKUP_USERS.job.split(":");
            assert.deepEqual(stat(job, BACKUP_DIR, `${BACKUP_DIR}/${name}.dump.zst.age`), [`750 ${jobUid}:${group}`, `640 ${jobUid}:${group}`]);
            const drillNow = runDrill(box, { volume, reports: box.volume("reports-after-open"), identity: keys.identity, command: ["restore-drill", name] }, "drill-after-open");
            assert.equal(docker(["wait", drillNow]).stdout.trim(), "0", logs(drillNow));
        });

        it("the drill stops on its old reports and keyring, names the volume and the fix; the fix keeps both", async () => {
            const reports = oldVolume("old-reports", `mkdir history; echo '{"format":"bulwark-drill/1","pass":true,"backup":"old"}' > last.json; cp last.json history/drill-old.json`);
            const keyring = oldVolume("old-keys", `printf '%s\\n' "$OLD_IDENTITY" > identities`);
            const old = runDrill(box, { volume, reports, keyring, identity: keys.identity }, "drill-old-volumes");
            const note = configError(old);
            assert.ok(note.includes(`(volume ${reports})`), note);
            const [, , owner] = runFix(note);
            assert.equal(owner, BACKUP_USERS.drill);
            docker(["start", old]);
            // Then the keyring, which the drill checks next.
            runFix(configError(old));
            docker(["start", old]);
            await waitFor("the drill scheduler on the handed-over volumes", 60_000, () => started(old, "scheduler_started"));
            assert.deepEqual(readJson(old, `${DRILL_REPORT_DIR}/last.json`), { format: "bulwark-drill/1", pass: true, backup: "old" });
            const ring = exec(old, ["cat", KEYRING]).stdout.split("\n").filter(Boolean);
            assert.deepEqual(ring, [oldKeys.identity, keys.identity], "the old key is kept and the current one added");
            const [drillUid, group] = BACKUP_USERS.drill.split(":");
            assert.deepEqual(stat(old, DRILL_KEYRING_DIR, KEYRING), [`700 ${drillUid}:${group}`, `600 ${drillUid}:${group}`]);
        });

        it("the uploader stops on its old state, names the volume and the fix; the fix keeps its records", async () => {
            const state = oldVolume("old-upload-state", `echo '{"sha256":"x"}' > ${name}.uploaded`);
            const old = runUploader(state, "uploader-old-state");
            const note = configError(old);
            assert.ok(note.includes(`(volume ${state})`), note);
            const [, , owner] = runFix(note);
            assert.equal(owner, BACKUP_USERS.uploader);
            docker(["start", old]);
            await waitFor("the uploader on the handed-over volume", 60_000, () => started(old, "uploader_started"));
            // Before the job has opened the backups to its group (when it starts), the uploader reads nothing: it
            // says so and keeps its records, rather than take the directory for empty.
            assert.equal(exec(job, ["chmod", "0700", BACKUP_DIR]).code, 0);
            const blind = exec(old, ["offsite-uploader", "--once"]);
            assert.equal(exec(job, ["chmod", "0750", BACKUP_DIR]).code, 0);
            assert.equal(blind.code, 1, blind.stdout + blind.stderr);
            const unread = jsonLines(blind.stdout).find((e) => e.event === "upload_failed");
            assert.match(String(unread?.reason), new RegExp(`^cannot read ${BACKUP_DIR} as uid ${BACKUP_USERS.uploader.split(":")[0]}\\b`), blind.stdout);
            assert.deepEqual(readJson(old, `${UPLOAD_STATE_DIR}/${name}.uploaded`), { sha256: "x" });
            // The backup it had recorded is not sent again.
            const pass = exec(old, ["offsite-uploader", "--once"]);
            assert.ok(!jsonLines(pass.stdout).some((e) => e.backup === name), pass.stdout);
            const status = readJson(old, `${UPLOAD_STATE_DIR}/status.json`);
            assert.ok(Array.isArray(status.pending) && !status.pending.includes(name), JSON.stringify(status));
            assert.deepEqual(readJson(old, `${UPLOAD_STATE_DIR}/${name}.uploaded`), { sha256: "x" });
        });
    });
});
