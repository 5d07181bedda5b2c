// Faults of the backup job, the restore drill and the off-site uploader, on the real engine: the database killed
// during a dump, a full backup volume, damaged backups (checksum, decrypt, restore failures), the wrong or a
// missing key, and a multipart upload interrupted mid-way (a part refused, SIGTERM, SIGKILL).
import * as assert from "node:assert/strict";
import { BACKUP_DIR, DRILL_REPORT_DIR } from "../../infra/components/backup";
import {
    ageKeyPair, backupNow, Database, docker, dockerAsync, exec, jsonLines, listBackupDir,
    logs, readJson, runBackupJob, runDrill, Sandbox, seedSmall, sleep, sqlOk, startDatabase, UPLOAD_STATE_DIR, waitFor, waitReady, requireEngine,
} from "../../tools/runtime/backup";
import { newAccess, setFault, startS3Stub, startUploader, stubState } from "./backup/s3";

const DATA_FILE = /^bulwark-\d{8}T\d{6}Z\.dump\.zst\.age$/;

function backups(container: string): string[] {
    return listBackupDir(container).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
}

/** The backup's file still matches its manifest. */
function verifies(container: string, name: string): boolean {
    const manifest = readJson(container, `${BACKUP_DIR}/${name}.json`);
    return exec(container, ["sha256sum", `${BACKUP_DIR}/${name}.dump.zst.age`]).stdout.split(" ")[0] === manifest.sha256;
}

describe("backup faults (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const keys = ageKeyPair();
    let data: string;
    let db: Database;
    let job: string;
    let volume: string;
    let drill: string;

    before(async function () {
        requireEngine();
        data = box.network("data");
        db = await startDatabase(box, data);
        seedSmall(db);
        volume = box.volume("backups");
        job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient });
        drill = runDrill(box, { volume, reports: box.volume("drill-reports"), identity: keys.identity });
    });

    after(() => box.cleanup());

    it("leaves no partial artifact when the database is killed during a dump, and the next run succeeds", async () => {
        const first = backupNow(job);
        assert.equal(first.code, 0, first.stdout + first.stderr);
        const before = listBackupDir(job);

        // About 100 MB of rows, and a database slowed to a fifth of a CPU, so the dump is surely mid-stream.
        sqlOk(db, `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS a, repeat(md5((g * 3)::text), 3) AS b
                   FROM generate_series(1, 600000) g`);
        docker(["update", "--cpus", "0.2", db.container]);
        const run = dockerAsync(["exec", job, "backup-now"]);
        const partial = await waitFor("a growing partial file", 60_000, () => {
            const r = exec(job, ["bash", "-c", `stat -c '%n %s' ${BACKUP_DIR}/.*.partial 2>/dev/null`]);
            const m = /(\S+) (\d+)/.exec(r.stdout);
            return m && Number(m[2]) > 256 * 1024 ? m[1] : undefined;
        }, 100);
        docker(["kill", db.container]);
        const r = await run;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        const failed = jsonLines(r.stdout).find((e) => e.event === "backup_failed");
        assert.ok(failed, r.stdout);
        assert.equal(failed.stage, "dump");
        assert.match(String(failed.reason), /dump pipeline failed/);
        // No manifest, no final file, no partial: exactly what was there before.
        assert.deepEqual(listBackupDir(job), before, `left behind: ${partial}`);
        assert.equal(exec(job, ["/usr/local/bin/healthcheck", "backup"]).code, 1, "a failed run makes the job unhealthy");

        docker(["start", db.container]);
        docker(["update", "--cpus", "1", db.container]);
        await waitReady(db);
        const next = backupNow(job);
        assert.equal(next.code, 0, next.stdout + next.stderr);
        const name = String(next.events.find((e) => e.event === "backup_completed")?.name);
        assert.equal(readJson(job, `${BACKUP_DIR}/${name}.json`).tables["public.big"].rows, 600000);
        assert.equal(exec(job, ["/usr/local/bin/healthcheck", "backup"]).code, 0);
        const drilled = exec(drill, ["restore-drill"]);
        assert.equal(drilled.code, 0, drilled.stdout + drilled.stderr);
        sqlOk(db, "DROP TABLE big");
    });

    it("refuses a backup the volume has no room for before writing anything, alerts, and keeps older backups intact and verifiable", async () => {
        // A 2 MB size-limited filesystem as the backup volume: what bulwark:backupVolumeHostPath gives in production.
        const small = box.volume("small-backups", 2);
        // An alert webhook that cannot be reached (the data network has no way out) must not change the outcome.
        const fullJob = runBackupJob(
            box,
            { network: data, volume: small, db, recipient: keys.recipient, extraEnv: { ALERT_WEBHOOK_URL: "http://alerts.invalid/hook", ALERT_TIMEOUT_SECONDS: "2" } },
            "backup-small",
        );
        const ok = backupNow(fullJob);
        assert.equal(ok.code, 0, ok.stdout + ok.stderr);
        const checked = ok.events.find((e) => e.event === "space_checked");
        assert.ok(checked && Number(checked.freeBytes) >= Number(checked.neededBytes), `a passing run logs its headroom: ${ok.stdout}`);
        const [older] = backups(fullJob);

        // ~6 MB of random bytes: their dump does not compress, and the estimate says it cannot fit in 2 MB.
        sqlOk(db, "CREATE TABLE noise AS SELECT g AS id, gen_random_bytes(1024) AS r FROM generate_series(1, 6000) g");
        const full = backupNow(fullJob);
        assert.equal(full.code, 1, full.stdout + full.stderr);
        const failed = full.events.find((e) => e.event === "backup_failed");
        assert.ok(failed, full.stdout);
        assert.equal(failed.stage, "space", "refused by the check, not by a full disk mid-dump");
        assert.match(String(failed.reason), /not enough free space on the backup volume: about \d+ MiB needed, \d+ MiB free; nothing was written and every older backup is kept/);
        assert.match(String(failed.detail), /bulwark:backupVolumeHostPath/);
        assert.ok(!full.events.some((e) => e.event === "partial_removed" || e.event === "backup_removed"), "nothing was written or removed");
        assert.ok(full.events.some((e) => e.event === "alert_failed"), "the alert was tried, and its failure logged");
        assert.deepEqual(listBackupDir(fullJob), [`${older}.dump.zst.age`, `${older}.json`], "no partial file, no removal");
        assert.ok(verifies(fullJob, older), "the older backup still matches its manifest");
        const health = exec(fullJob, ["/usr/local/bin/healthcheck", "backup"]);
        assert.equal(health.code, 1);
        assert.match(health.stdout, /the last backup failed: not enough free space on the backup volume/);

        // The older backup still restores; the drill reads the same (still mounted) tmpfs volume.
        const smallDrill = runDrill(box, { volume: small, reports: box.volume("small-reports"), identity: keys.identity }, "drill-small");
        const drilled = exec(smallDrill, ["restore-drill"]);
        assert.equal(drilled.code, 0, drilled.stdout + drilled.stderr);
        assert.equal(readJson(smallDrill, `${DRILL_REPORT_DIR}/last.json`).backup, older);

        // Space back, backups back.
        sqlOk(db, "DROP TABLE noise");
        const again = backupNow(fullJob);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.equal(exec(fullJob, ["/usr/local/bin/healthcheck", "backup"]).code, 0);
    });

    describe("damaged backups: the drill fails and says which file and why", () => {
        let good: string;
        // Copies of a good backup under other names, damaged in one way each (run in the job container, which
        // has the volume read-write; the drill only reads it).
        const fake = (name: string, how: "flip" | "truncate" | "truncate-rehash" | "not-a-dump") => {
            const script = String.raw`set -euo pipefail
cd ${BACKUP_DIR}
src=${good}; dst=${name}
case ${how} in
  not-a-dump) printf 'this is not a pg_dump archive\n' | zstd -q | age -r "$BACKUP_AGE_RECIPIENT" > .$dst.tmp ;;
  *) cp $src.dump.zst.age .$dst.tmp ;;
esac
size=$(stat -c %s .$dst.tmp)
case ${how} in
  flip) printf 'X' | dd of=.$dst.tmp bs=1 seek=$((size / 2)) conv=notrunc status=none ;;
  truncate|truncate-rehash) truncate -s $((size / 2)) .$dst.tmp ;;
esac
sha=$(sha256sum .$dst.tmp | cut -d' ' -f1)
mv .$dst.tmp $dst.dump.zst.age
case ${how} in
  flip|truncate) jq --arg n $dst '.name = $n | .file = ($n + ".dump.zst.age")' $src.json > $dst.json ;;
  *) jq --arg n $dst --arg sha $sha '.name = $n | .file = ($n + ".dump.zst.age") | .sha256 = $sha' $src.json > $dst.json ;;
esac`;
            const r = exec(job, ["bash", "-c", script]);
            assert.equal(r.code, 0, r.stderr);
        };
        const drillFails = (container: string, name: string | undefined, stage: string, reason: RegExp) => {
            const r = exec(container, name ? ["restore-drill", name] : ["restore-drill"]);
            assert.equal(r.code, 1, r.stdout + r.stderr);
            const last = readJson(container, `${DRILL_REPORT_DIR}/last.json`);
            assert.equal(last.pass, false);
            assert.equal(last.result, "fail");
            assert.equal(last.stage, stage, last.reason);
            assert.match(last.reason, reason);
            assert.match(last.backupFile, DATA_FILE);
            assert.ok(last.reason.includes(last.backupFile), `the reason names the file: ${last.reason}`);
            const logged = jsonLines(r.stdout).find((e) => e.event === "drill_failed");
            assert.equal(logged?.file, last.backupFile);
            const health = exec(container, ["/usr/local/bin/healthcheck", "drill"]);
            assert.equal(health.code, 1);
            assert.match(health.stdout, /last drill failed/);
            return last;
        };

        before(() => {
            good = backups(job).pop()!;
        });

        it("a corrupted newest backup: checksum mismatch", () => {
            fake("bulwark-20990101T000000Z", "flip");
            const last = drillFails(drill, undefined, "checksum", /checksum mismatch: bulwark-20990101T000000Z\.dump\.zst\.age has sha256 [0-9a-f]{64}, its manifest says/);
            assert.equal(last.backup, "bulwark-20990101T000000Z", "the drill took the newest backup");
        });

        it("a truncated backup: checksum mismatch", () => {
            fake("bulwark-20000101T000000Z", "truncate");
            drillFails(drill, "bulwark-20000101T000000Z", "checksum", /checksum mismatch/);
        });

        it("a truncated backup whose manifest matches it: decrypt failure", () => {
            fake("bulwark-20000102T000000Z", "truncate-rehash");
            drillFails(drill, "bulwark-20000102T000000Z", "decrypt", /decrypt failure: age could not decrypt bulwark-20000102T000000Z\.dump\.zst\.age/);
        });

        it("an encrypted file that is not a dump: restore failure", () => {
            fake("bulwark-20000103T000000Z", "not-a-dump");
            drillFails(drill, "bulwark-20000103T000000Z", "restore", /restore failure: pg_restore failed on bulwark-20000103T000000Z\.dump\.zst\.age/);
        });

        it("the wrong identity: decrypt failure", () => {
            const wrong = runDrill(box, { volume, reports: box.volume("wrong-reports"), identity: ageKeyPair().identity }, "drill-wrong-key");
            drillFails(wrong, good, "decrypt", /decrypt failure: .*no identity matched/);
        });

        it("a missing identity stops the drill container with a configuration error", async () => {
            const missing = runDrill(box, { volume, reports: box.volume("missing-reports"), identity: "" }, "drill-no-key");
            await waitFor("the drill container to exit", 30_000, () => docker(["inspect", "-f", "{{.State.Running}}", missing]).stdout.trim() === "false");
            assert.equal(docker(["inspect", "-f", "{{.State.ExitCode}}", missing]).stdout.trim(), "2");
            const event = jsonLines(logs(missing)).find((e) => e.event === "config_invalid");
            assert.equal(event?.key, "BACKUP_AGE_IDENTITY");
            // And a one-shot drill without the key records a failed drill naming the key.
            const once = runDrill(box, { volume, reports: box.volume("once-reports"), identity: "", command: ["restore-drill", good] }, "drill-once");
            await waitFor("the one-shot drill to exit", 60_000, () => docker(["inspect", "-f", "{{.State.Running}}", once]).stdout.trim() === "false");
            assert.equal(docker(["inspect", "-f", "{{.State.ExitCode}}", once]).stdout.trim(), "1");
            const failed = jsonLines(logs(once)).find((e) => e.event === "drill_failed");
            assert.equal(failed?.stage, "config");
            assert.match(String(failed?.reason), /BACKUP_AGE_IDENTITY is missing/);
        });

        it("passes again on the good backup, and health follows", () => {
            const r = exec(drill, ["restore-drill", good]);
            assert.equal(r.code, 0, r.stdout + r.stderr);
            assert.equal(exec(drill, ["/usr/local/bin/healthcheck", "drill"]).code, 0);
            const history = exec(drill, ["sh", "-c", `ls ${DRILL_REPORT_DIR}/history | wc -l`]).stdout.trim();
            assert.ok(Number(history) >= 5, `every drill is in the history (${history})`);
        });
    });

    describe("an off-site multipart upload interrupted mid-way: no object at the key, the upload aborted, the next pass complete", () => {
        const access = newAccess();
        let stub: string;
        let uploader: string;
        // A job and a backup volume of its own: the damaged backups above would fail every pass here.
        let bigJob: string;
        const uploaded = (name: string) => exec(uploader, ["test", "-f", `${UPLOAD_STATE_DIR}/${name}.uploaded`]).code === 0;
        const key = (name: string) => `${name}.dump.zst.age`;
        /** A new backup of ~12 MiB: three 5 MiB parts. */
        const bigBackup = (): string => {
            const r = backupNow(bigJob);
            assert.equal(r.code, 0, r.stdout + r.stderr);
            return String(r.events.find((e) => e.event === "backup_completed")?.name);
        };
        /** The upload of `name` is in progress at the stand-in (its part held there by "stall-parts"). */
        const inProgress = (name: string) => stubState(stub).uploads.find((u) => u.key === key(name));
        /** The upload of `name` with a part sent in full whose answer "stall-parts" holds: the uploader is mid-part. */
        const midPart = (name: string) => {
            const upload = inProgress(name);
            return upload && upload.held.length > 0 ? upload : undefined;
        };
        const complete = async (name: string) => {
            await waitFor(`${name} to be uploaded completely`, 120_000, () => uploaded(name));
            const state = stubState(stub);
            assert.deepEqual(state.uploads, [], "no upload left in progress");
            const objects = state.objects.filter((o) => o.key === key(name));
            assert.equal(objects.length, 1);
            assert.equal(objects[0].parts, 3);
            assert.equal(objects[0].sha256, readJson(bigJob, `${BACKUP_DIR}/${name}.json`).sha256);
        };

        before(async () => {
            // ~12 MiB of random bytes: their dump does not compress.
            sqlOk(db, "CREATE TABLE IF NOT EXISTS noise AS SELECT g AS id, gen_random_bytes(1024) AS r FROM generate_series(1, 12000) g");
            const bigVolume = box.volume("multipart-backups");
            bigJob = runBackupJob(box, { network: data, volume: bigVolume, db, recipient: keys.recipient }, "backup-multipart");
            const egress = box.network("egress");
            stub = await startS3Stub(box, egress, access);
            uploader = startUploader(box, { network: egress, volume: bigVolume, access, env: { UPLOAD_MULTIPART_THRESHOLD_MB: "8", UPLOAD_PART_SIZE_MB: "5" } });
        });
        after(() => sqlOk(db, "DROP TABLE IF EXISTS noise"));

        it("a part refused by S3 (500): the upload is aborted, nothing is recorded, and the next pass uploads it completely", async () => {
            setFault(stub, "error-part-2");
            const name = bigBackup();
            await complete(name);
            const failure = jsonLines(logs(uploader)).find((e) => e.event === "upload_failed" && e.backup === name);
            assert.match(String(failure?.reason), /S3 answered part 2 of 3 with HTTP 500: InternalError/);
            const aborted = stubState(stub).aborted.filter((a) => a.key === key(name));
            assert.deepEqual(aborted.map((a) => a.parts), [1], "the failed upload, with its one stored part, was aborted");
            assert.ok(Date.parse(readJson(uploader, `${UPLOAD_STATE_DIR}/${name}.uploaded`).time) >= Date.parse(String(failure?.time)));
        });

        it("SIGTERM during a part: the uploader aborts the upload and stops; restarted, it uploads the backup completely", async () => {
            setFault(stub, "stall-parts");
            const name = bigBackup();
            const upload = await waitFor("the upload to be mid-part", 60_000, () => midPart(name));
            const started = Date.now();
            docker(["stop", "-t", "20", uploader]);
            assert.ok(Date.now() - started < 10_000, `docker stop took ${Date.now() - started} ms`);
            assert.equal(docker(["inspect", "-f", "{{.State.ExitCode}}", uploader]).stdout.trim(), "0");
            const events = jsonLines(logs(uploader));
            assert.ok(events.some((e) => e.event === "multipart_aborted" && e.uploadId === upload.uploadId), "aborted before stopping");
            assert.ok(!events.some((e) => e.event === "upload_completed" && e.backup === name));
            let state = stubState(stub);
            assert.deepEqual(state.uploads, [], "no upload left in progress");
            assert.ok(state.aborted.some((a) => a.uploadId === upload.uploadId));
            assert.ok(!state.objects.some((o) => o.key === key(name)), "no object at the key");

            setFault(stub, "");
            docker(["start", uploader]);
            await complete(name);
            state = stubState(stub);
            assert.equal(state.objects.filter((o) => o.key === key(name)).length, 1);
        });

        it("SIGTERM while S3 starts the upload: the uploader waits for its id, aborts it, and stops", async () => {
            setFault(stub, "stall-create");
            const name = bigBackup();
            const upload = await waitFor("the upload to be started, its answer held", 60_000, () => inProgress(name));
            const stopping = dockerAsync(["stop", "-t", "20", uploader]);
            await sleep(1_500);
            setFault(stub, ""); // S3 answers now; a stopped uploader would never learn the id
            assert.equal((await stopping).code, 0);
            const events = jsonLines(logs(uploader));
            assert.ok(events.some((e) => e.event === "multipart_aborted" && e.uploadId === upload.uploadId), "the started upload was aborted");
            const state = stubState(stub);
            assert.deepEqual(state.uploads, [], "no upload left in progress");
            assert.ok(!state.objects.some((o) => o.key === key(name)), "no object at the key");

            docker(["start", uploader]);
            await complete(name);
        });

        it("killed outright (SIGKILL) during a part: the next pass aborts the upload it left, then uploads the backup completely", async () => {
            setFault(stub, "stall-parts");
            const name = bigBackup();
            const upload = await waitFor("the upload to be mid-part", 60_000, () => midPart(name));
            docker(["kill", "-s", "KILL", uploader]);
            assert.ok(inProgress(name), "nothing aborted it: the process was killed");
            assert.ok(!stubState(stub).objects.some((o) => o.key === key(name)), "no object at the key");

            setFault(stub, "");
            docker(["start", uploader]);
            await complete(name);
            assert.ok(stubState(stub).aborted.some((a) => a.uploadId === upload.uploadId), "the abandoned upload was aborted");
            assert.ok(jsonLines(logs(uploader)).some((e) => e.event === "multipart_aborted" && e.uploadId === upload.uploadId));
        });
    });
});
