// A dev stack's backup key is generated (@pulumi/random) and goes with the stack's state on `pulumi destroy`,
// while the backups volume is kept; the next `pulumi up` generates another key (field test B5). The drill
// keeps every key it was given in the retained drill-keys volume, so the backups made before the destroy
// still restore. Without a keyring (prod, whose identity the operator keeps in config) a backup made for
// another key fails the drill with a reason that says so and how to fix it.
import * as assert from "node:assert/strict";
import { DRILL_KEYRING_DIR, DRILL_REPORT_DIR } from "../../infra/components/backup";
import { BACKUP_USERS } from "../../infra/components/images";
import {
    ageKeyPair, backupNow, Database, docker, exec, jsonLines, logs, readJson,
    runBackupJob, runDrill, Sandbox, seedSmall, startDatabase, waitFor, requireEngine,
} from "../../tools/runtime/backup";

const KEYRING = `${DRILL_KEYRING_DIR}/identities`;
const IDENTITY_RE = /AGE-SECRET-KEY-1[0-9A-Z]{58}/;

describe("restore drill keyring across pulumi destroy and up (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    /** The key of the stack before the destroy, and the one the next `up` generated. */
    const destroyed = ageKeyPair();
    const current = ageKeyPair();
    let db: Database;
    let backups: string;
    let keys: string;
    let oldBackup: string;
    let job: string;
    let drill: string;

    const schedulerStarts = (container: string) => jsonLines(logs(container)).filter((e) => e.event === "scheduler_started").length;
    const keyringLines = (container: string) => {
        const r = exec(container, ["cat", KEYRING]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.split("\n").filter(Boolean);
    };

    before(async function () {
        requireEngine();
        const data = box.network("data");
        db = await startDatabase(box, data);
        seedSmall(db, 300);
        backups = box.volume("backups");
        keys = box.volume("drill-keys");
        const reports = box.volume("drill-reports");

        // The stack before the destroy: its job encrypts to the first key, its drill starts with it.
        const oldJob = runBackupJob(box, { network: data, volume: backups, db, recipient: destroyed.recipient }, "backup-destroyed");
        const oldDrill = runDrill(box, { volume: backups, reports, identity: destroyed.identity, keyring: keys }, "drill-destroyed");
        await waitFor("the first drill scheduler", 60_000, () => schedulerStarts(oldDrill) > 0);
        // A day before the new key's backups, so that retention (the newest backup of each day) keeps it.
        const b = backupNow(oldJob, { BACKUP_TIMESTAMP_OVERRIDE: new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, "Z") });
        assert.equal(b.code, 0, b.stdout + b.stderr);
        oldBackup = String(b.events.find((e) => e.event === "backup_completed")?.name);

        // `pulumi destroy` removes the containers and keeps the volumes; `pulumi up` brings a new key.
        docker(["rm", "-f", oldJob, oldDrill]);
        job = runBackupJob(box, { network: data, volume: backups, db, recipient: current.recipient });
        drill = runDrill(box, { volume: backups, reports, identity: current.identity, keyring: keys });
        await waitFor("the new drill scheduler", 60_000, () => schedulerStarts(drill) > 0);
    });

    after(() => box.cleanup());

    it("restores a backup made for the key the destroyed stack generated", () => {
        const r = exec(drill, ["restore-drill", oldBackup]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.pass, true, last.reason);
        assert.equal(last.backup, oldBackup);
        assert.equal(last.rowsCompared, 303);
    });

    it("restores the new key's backups too", () => {
        const b = backupNow(job);
        assert.equal(b.code, 0, b.stdout + b.stderr);
        const r = exec(drill, ["restore-drill"]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const last = readJson(drill, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.pass, true, last.reason);
        assert.equal(last.backup, b.events.find((e) => e.event === "backup_completed")?.name);
    });

    it("keeps each key once, in a file private to the drill's uid, and never logs one", async () => {
        assert.deepEqual(keyringLines(drill).sort(), [destroyed.identity, current.identity].sort());
        // A restart adds the current key again: it is there already.
        docker(["restart", "-t", "20", drill]);
        await waitFor("the restarted drill scheduler", 60_000, () => schedulerStarts(drill) > 1);
        assert.deepEqual(keyringLines(drill).sort(), [destroyed.identity, current.identity].sort());
        // The drill's own uid: the job and the uploader share its group, not its keys.
        const uid = BACKUP_USERS.drill.split(":")[0];
        const modes = exec(drill, ["stat", "-c", "%a %u %n", DRILL_KEYRING_DIR, KEYRING]);
        assert.equal(modes.stdout, `700 ${uid} ${DRILL_KEYRING_DIR}\n600 ${uid} ${KEYRING}\n`);
        assert.doesNotMatch(logs(drill), IDENTITY_RE);
    });

    it("without a keyring (prod), fails a backup made for another key and says which key and how to fix it", () => {
        const prodLike = runDrill(box, { volume: backups, reports: box.volume("prod-reports"), identity: current.identity }, "drill-prod");
        const r = exec(prodLike, ["restore-drill", oldBackup]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        const last = readJson(prodLike, `${DRILL_REPORT_DIR}/last.json`);
        assert.equal(last.pass, false);
        assert.equal(last.stage, "decrypt", last.reason);
        assert.match(last.reason, /no identity matched any of the recipients/);
        assert.match(last.reason, /made for a key this stack no longer holds/);
        assert.ok(last.reason.includes(destroyed.recipient), `the reason names the backup's recipient: ${last.reason}`);
        assert.match(last.reason, /backupAgeIdentity/);
        assert.doesNotMatch(last.reason, IDENTITY_RE);
    });

    it("a docker exec drill puts the current key back when the keyring lost it", () => {
        assert.equal(exec(drill, ["rm", KEYRING]).code, 0);
        const r = exec(drill, ["restore-drill"]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.deepEqual(keyringLines(drill), [current.identity]);
    });
});
