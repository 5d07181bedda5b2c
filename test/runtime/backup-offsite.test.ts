// The off-site uploader on the real engine (BAK-02, BAK-06): against a put-only S3 stand-in that checks
// SigV4, the payload hash, Content-MD5 and x-amz-checksum-sha256 like S3 does, on an internal test network
// (the uploader keeps the stack's hardening; no host networking). The stand-in denies what the stack's bucket
// policy denies (a PUT without If-None-Match, or without the stack's KMS key) and refuses a conditional PUT of
// an existing key with 412, as S3 does. Happy path with SSE-KMS headers, a body corrupted on the way, a manifest
// refused after its data file went in, a second upload of a key S3 already holds, the same three for a backup
// above the multipart threshold (parts, composite checksum, Complete refused with 412), and S3 unreachable.
import * as assert from "node:assert/strict";
import { BACKUP_DIR } from "../../infra/components/backup";
import {
    ageKeyPair, backupNow, Database, docker, exec, jsonLines, listBackupDir, logs, readJson,
    runBackupJob, Sandbox, seedSmall, sqlOk, startDatabase, UPLOAD_STATE_DIR, waitFor, requireEngine,
} from "../../tools/runtime/backup";
import { compositeChecksum, newAccess, setFault, startS3Stub, startUploader, stubState as readStub } from "./backup/s3";

/** UPLOAD_PART_SIZE_MB here: S3's smallest part, so a backup of a few MiB is several parts. */
const PART_MB = 5;

describe("off-site uploader (real engine, local S3 stand-in)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const keys = ageKeyPair();
    const access = newAccess();
    const kmsKeyArn = access.kmsKeyArn;
    let db: Database;
    let job: string;
    let uploader: string;
    let stub: string;

    const stubState = () => readStub(stub);
    const uploaded = (name: string) => exec(uploader, ["test", "-f", `${UPLOAD_STATE_DIR}/${name}.uploaded`]).code === 0;
    const newBackup = (): string => {
        const r = backupNow(job);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        return String(r.events.find((e) => e.event === "backup_completed")?.name);
    };

    before(async function () {
        requireEngine();
        const data = box.network("data");
        const egress = box.network("egress");
        db = await startDatabase(box, data);
        seedSmall(db);
        const volume = box.volume("backups");
        job = runBackupJob(box, { network: data, volume, db, recipient: keys.recipient });
        stub = await startS3Stub(box, egress, access);
        // Backups of this suite are a few KiB (single PUTs) until the multipart tests add ~12 MiB.
        uploader = startUploader(box, { network: egress, volume, access, env: { UPLOAD_MULTIPART_THRESHOLD_MB: "1", UPLOAD_PART_SIZE_MB: String(PART_MB) } });
    });

    after(() => box.cleanup());

    it("uploads each complete backup once, with SSE-KMS headers and a checksum S3 verified", async () => {
        const name = newBackup();
        await waitFor(`${name} to be recorded as uploaded`, 60_000, () => uploaded(name));
        const manifest = readJson(job, `${BACKUP_DIR}/${name}.json`);
        const state = stubState();
        const object = state.objects.find((o) => o.key === `${name}.dump.zst.age`);
        assert.ok(object, JSON.stringify(state));
        assert.equal(object.sha256, manifest.sha256);
        assert.equal(object.size, manifest.sizeBytes);
        assert.equal(object.sse, "aws:kms");
        assert.equal(object.kmsKeyId, kmsKeyArn);
        assert.equal(object.contentSha256Signed, true, "the signature covers the body's hash");
        assert.equal(object.ifNoneMatch, "*", "the PUT may only create the key");
        assert.ok(state.objects.some((o) => o.key === `${name}.json`), "the manifest travels with it");
        assert.deepEqual(state.rejected, [], "no GET, no LIST, no bad signature");

        const record = readJson(uploader, `${UPLOAD_STATE_DIR}/${name}.uploaded`);
        assert.equal(record.sha256, manifest.sha256);
        assert.equal(record.versionId, object.versionId);
        assert.equal(record.sseKms, true);
        // Later passes do not upload it again.
        const since = Math.floor(Date.now() / 1000);
        await waitFor("two more passes", 30_000, () => (readJson(uploader, `${UPLOAD_STATE_DIR}/status.json`).at as number) >= since + 4);
        assert.equal(stubState().objects.filter((o) => o.key === `${name}.dump.zst.age`).length, 1);
        const health = exec(uploader, ["/usr/local/bin/healthcheck", "upload"]);
        assert.equal(health.code, 0, health.stdout);
        assert.ok(!logs(uploader).includes(access.secret), "the secret key is never logged");
    });

    it("retries a body corrupted on the way, which S3 rejects, and alerts", async () => {
        assert.equal(exec(stub, ["sh", "-c", "echo corrupt-next > /tmp/s3/fault"]).code, 0);
        const name = newBackup();
        await waitFor(`${name} to be uploaded after a retry`, 60_000, () => uploaded(name));
        const failure = jsonLines(logs(uploader)).find((e) => e.event === "upload_failed" && e.backup === name);
        assert.ok(failure, "the rejected upload is logged");
        assert.match(String(failure.reason), /S3 answered HTTP 400: (XAmzContentSHA256Mismatch|BadDigest)/);
        const state = stubState();
        assert.equal(state.rejected.length, 1);
        assert.equal(state.objects.find((o) => o.key === `${name}.dump.zst.age`)?.sha256, readJson(job, `${BACKUP_DIR}/${name}.json`).sha256);
        const alert = state.alerts.find((a) => a.event === "upload_failed");
        assert.ok(alert, "the failure reached the alert webhook");
        assert.equal(alert.component, "upload");
    });

    it("does not send a data file again when only its manifest was refused", async () => {
        const before = stubState().rejected.length;
        assert.equal(exec(stub, ["sh", "-c", "echo error-manifest > /tmp/s3/fault"]).code, 0);
        const name = newBackup();
        await waitFor(`${name} to be uploaded after its manifest was retried`, 60_000, () => uploaded(name));
        const state = stubState();
        assert.deepEqual(state.rejected.slice(before).map((r) => `${r.status} ${r.code} ${r.url}`), [`500 InternalError /bulwark-test-backups/${name}.json`]);
        assert.equal(state.objects.filter((o) => o.key === `${name}.dump.zst.age`).length, 1);
        assert.ok(state.objects.some((o) => o.key === `${name}.json`));
        assert.notEqual(exec(uploader, ["test", "-e", `${UPLOAD_STATE_DIR}/${name}.partial`]).code, 0, "the progress record is gone once the backup is recorded");
    });

    it("refuses a second upload of a key S3 already holds: 412, reported and alerted, nothing overwritten or deleted", async () => {
        const name = newBackup();
        await waitFor(`${name} to be uploaded`, 60_000, () => uploaded(name));
        const key = `${name}.dump.zst.age`;
        const original = stubState().objects.find((o) => o.key === key);
        assert.ok(original);
        // The uploader's record is lost (a new state volume, say): it will try the same key again.
        const record = exec(uploader, ["cat", `${UPLOAD_STATE_DIR}/${name}.uploaded`]).stdout;
        assert.equal(exec(uploader, ["rm", `${UPLOAD_STATE_DIR}/${name}.uploaded`]).code, 0);
        await waitFor("the refused upload to be reported", 60_000, () =>
            jsonLines(logs(uploader)).some((e) => e.event === "upload_failed" && e.backup === name && /HTTP 412/.test(String(e.reason))),
        );
        const failure = jsonLines(logs(uploader)).find((e) => e.event === "upload_failed" && e.backup === name);
        assert.match(String(failure?.reason), new RegExp(`S3 already holds an object at ${key.replace(/\./g, "\\.")} \\(HTTP 412 PreconditionFailed\\); it was not overwritten`));
        const state = stubState();
        assert.ok(state.rejected.some((r) => r.status === 412 && r.code === "PreconditionFailed" && r.url.endsWith(`/${key}`)));
        assert.deepEqual(state.objects.filter((o) => o.key === key), [original], "the stored backup is the one first uploaded, and the only version");
        assert.ok(listBackupDir(job).includes(key), "the local copy is kept");
        // The pass logs the failure, then writes its status, then alerts: wait for the alert, the last of them.
        await waitFor("the refusal to reach the alert webhook", 60_000, () =>
            stubState().alerts.some((a) => a.event === "upload_failed" && JSON.stringify(a.details).includes("HTTP 412")),
        );
        assert.deepEqual(readJson(uploader, `${UPLOAD_STATE_DIR}/status.json`).pending, [name]);
        // An admin who has compared the object's checksum with the manifest puts the record back.
        assert.equal(exec(uploader, ["sh", "-c", `cat > ${UPLOAD_STATE_DIR}/${name}.uploaded`], {}, record).code, 0);
        await waitFor("a clean pass", 30_000, () => (readJson(uploader, `${UPLOAD_STATE_DIR}/status.json`).pending as string[]).length === 0);
    });

    describe("backups above UPLOAD_MULTIPART_THRESHOLD_MB: multipart", () => {
        let name: string;
        const key = () => `${name}.dump.zst.age`;
        const file = () => `${BACKUP_DIR}/${key()}`;

        before(() => {
            // ~12 MiB of random bytes: their dump does not compress, so the backup is three 5 MiB parts.
            sqlOk(db, "CREATE TABLE noise AS SELECT g AS id, gen_random_bytes(1024) AS r FROM generate_series(1, 12000) g");
        });
        after(() => sqlOk(db, "DROP TABLE IF EXISTS noise"));

        it("sends it in parts, each with its own checksum, and records it once S3's composite checksum is the local one", async () => {
            name = newBackup();
            await waitFor(`${name} to be recorded as uploaded`, 120_000, () => uploaded(name));
            const manifest = readJson(job, `${BACKUP_DIR}/${name}.json`);
            assert.ok(manifest.sizeBytes > 2 * PART_MB * 1024 * 1024, `the backup is ${manifest.sizeBytes} bytes, not three parts`);
            const state = stubState();
            const object = state.objects.find((o) => o.key === key());
            assert.ok(object, JSON.stringify(state.objects.map((o) => o.key)));
            assert.equal(object.parts, Math.ceil(manifest.sizeBytes / (PART_MB * 1024 * 1024)));
            assert.equal(object.sha256, manifest.sha256, "the stored object is the file, byte for byte");
            assert.equal(object.size, manifest.sizeBytes);
            assert.equal(object.sse, "aws:kms");
            assert.equal(object.kmsKeyId, kmsKeyArn);
            assert.equal(object.ifNoneMatch, "*", "CompleteMultipartUpload may only create the key");
            const composite = compositeChecksum(job, file(), PART_MB * 1024 * 1024);
            assert.equal(object.checksumSha256, composite);
            const record = readJson(uploader, `${UPLOAD_STATE_DIR}/${name}.uploaded`);
            assert.equal(record.sha256, manifest.sha256);
            assert.equal(record.checksumSha256, composite);
            assert.equal(record.multipart, true);
            assert.equal(record.versionId, object.versionId);
            assert.deepEqual(state.uploads, [], "no upload left in progress");
            assert.deepEqual(state.rejected, [], "no GET, no LIST, no bad signature, no denied call");
            assert.equal(exec(uploader, ["test", "-e", `${UPLOAD_STATE_DIR}/${name}.multipart`]).code, 1, "the upload id is dropped once completed");
        });

        it("a part whose body changes on the way is refused (checksum): the upload is aborted, nothing recorded, and the next pass sends it whole", async () => {
            const before = stubState();
            setFault(stub, "corrupt-next");
            // Also the backup the next test sends again: the job's retention keeps only the newest of a day.
            const corrupted = (name = newBackup());
            await waitFor(`${corrupted} to be uploaded after a retry`, 120_000, () => uploaded(corrupted));
            const failure = jsonLines(logs(uploader)).find((e) => e.event === "upload_failed" && e.backup === corrupted);
            assert.ok(failure, "the refused part is logged");
            assert.match(String(failure.reason), /S3 answered part 1 of 3 with HTTP 400: (XAmzContentSHA256Mismatch|BadDigest)/);
            const state = stubState();
            const k = `${corrupted}.dump.zst.age`;
            assert.equal(state.aborted.filter((a) => a.key === k).length, 1, "the failed upload was aborted");
            assert.deepEqual(state.uploads, []);
            const objects = state.objects.filter((o) => o.key === k);
            assert.equal(objects.length, 1, "one object, from the retry");
            assert.equal(objects[0].sha256, readJson(job, `${BACKUP_DIR}/${corrupted}.json`).sha256);
            const record = readJson(uploader, `${UPLOAD_STATE_DIR}/${corrupted}.uploaded`);
            assert.ok(Date.parse(record.time) >= Date.parse(String(failure.time)), "recorded only after the failed pass");
            assert.equal(state.rejected.length, before.rejected.length + 1);
        });

        it("CompleteMultipartUpload of a key S3 already holds gets 412: the object is untouched, the upload aborted, nothing recorded", async () => {
            const original = stubState().objects.find((o) => o.key === key());
            assert.ok(original);
            const record = exec(uploader, ["cat", `${UPLOAD_STATE_DIR}/${name}.uploaded`]).stdout;
            assert.equal(exec(uploader, ["rm", `${UPLOAD_STATE_DIR}/${name}.uploaded`]).code, 0);
            await waitFor("the refused Complete to be reported", 120_000, () =>
                jsonLines(logs(uploader)).some((e) => e.event === "upload_failed" && e.backup === name && /HTTP 412/.test(String(e.reason))),
            );
            const state = stubState();
            assert.ok(state.rejected.some((r) => r.status === 412 && r.method === "POST" && r.url.includes(`/${key()}?uploadId=`)), JSON.stringify(state.rejected));
            assert.deepEqual(state.objects.filter((o) => o.key === key()), [original], "the stored backup is the one first uploaded, and the only version");
            await waitFor("the refused upload to be aborted", 30_000, () => stubState().uploads.length === 0 && stubState().aborted.some((a) => a.key === key()));
            assert.ok(!uploaded(name));
            assert.equal(exec(uploader, ["sh", "-c", `cat > ${UPLOAD_STATE_DIR}/${name}.uploaded`], {}, record).code, 0);
            await waitFor("a clean pass", 60_000, () => (readJson(uploader, `${UPLOAD_STATE_DIR}/status.json`).pending as string[]).length === 0);
        });
    });

    it("keeps the local backup while S3 is unreachable and uploads it once S3 is back", async () => {
        docker(["stop", "-t", "2", stub]);
        const name = newBackup();
        await waitFor("an upload failure", 60_000, () =>
            jsonLines(logs(uploader)).some((e) => e.event === "upload_failed" && e.backup === name && /cannot reach S3/.test(String(e.reason))),
        );
        assert.ok(!uploaded(name));
        assert.ok(listBackupDir(job).includes(`${name}.dump.zst.age`), "the local copy is kept");
        const status = readJson(uploader, `${UPLOAD_STATE_DIR}/status.json`);
        assert.deepEqual(status.pending, [name]);
        // Still within the pending bound: unhealthy only once a backup has waited too long.
        assert.equal(exec(uploader, ["/usr/local/bin/healthcheck", "upload"]).code, 0);
        // A failing alert webhook (it is the stopped stand-in) does not break the uploader.
        await waitFor("the failed alert", 60_000, () => jsonLines(logs(uploader)).some((e) => e.event === "alert_failed"));

        docker(["start", stub]);
        await waitFor(`${name} to be uploaded`, 60_000, () => uploaded(name));
        const object = stubState().objects.find((o) => o.key === `${name}.dump.zst.age`);
        assert.equal(object?.sha256, readJson(job, `${BACKUP_DIR}/${name}.json`).sha256);
        // The status is written at the end of the pass, after the upload's record: under load, a moment later.
        await waitFor("the status to show nothing pending", 30_000, () => readJson(uploader, `${UPLOAD_STATE_DIR}/status.json`).pending.length === 0);
    });

    // Last: mocha runs nested suites after the tests around them, and this stops the uploader.
    describe("shutdown", () => {
        it("stops promptly on SIGTERM", () => {
            const started = Date.now();
            docker(["stop", "-t", "20", uploader]);
            assert.ok(Date.now() - started < 8000, `docker stop took ${Date.now() - started} ms`);
            assert.equal(docker(["inspect", "-f", "{{.State.ExitCode}}", uploader]).stdout.trim(), "0");
            assert.ok(jsonLines(logs(uploader)).some((e) => e.event === "uploader_stopped"));
        });
    });
});
