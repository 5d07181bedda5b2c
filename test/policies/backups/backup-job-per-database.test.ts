import { assertOnlyRefusals } from "../refusals";
import * as assert from "node:assert/strict";
import { AGE_IDENTITIES_CONTENTS, VOLUME_CONTENTS_LABEL } from "bulwark-vocabulary";
import { DRILL_KEYRING_DIR, drillKeysVolumeName } from "../../../infra/components/backup";
import { backupJobPerDatabase as policy } from "../../../policies/backups/backup-job-per-database";
import { EngineResource } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import {
    AGE_SECRET_KEY,
    container,
    devStack,
    find,
    network,
    prodStack,
    replace,
    volume,
    withEnv,
    withMount,
    withNetworks,
    withRole,
    withUnknownEnv,
    without,
    withProps,
} from "../fixtures/stack";

const BACKUP = "backup-job";
const DB = "database-container";
const DRILL = "backup-drill";

/** The dev stack with the drill keyring volume, mounted in the drill as the program does. */
const KEYRING = drillKeysVolumeName("dev");
const mountKeyring = (r: EngineResource) => withMount(r, KEYRING, DRILL_KEYRING_DIR);
const withKeyring = () => [...replace(devStack(), DRILL, mountKeyring), volume("dev", "drill-keys", { [VOLUME_CONTENTS_LABEL]: AGE_IDENTITIES_CONTENTS })];

describe("backup-job-per-database (DB-03, BAK-01)", () => {
    it("#1 compliant stacks (backup job on the data network, age recipient, schedule) pass", async () => {
        assert.deepEqual((await runStackPolicy(policy, devStack())).violations, []);
        assert.deepEqual((await runStackPolicy(policy, prodStack())).violations, []);
    });

    it("#2 a database without any backup container is rejected on the database's URN", async () => {
        const resources = without(devStack(), BACKUP);
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, DB).urn);
        assert.match(violations[0].message, /\[DB-03, BAK-01\] Database container 'dev-database' has no backup container \(role 'backup'\) on any of its networks/);
    });

    it("#3 a backup container that cannot reach the database (other network) does not count", async () => {
        const resources = replace(devStack(), BACKUP, (r) => withNetworks(r, ["dev-edge"]));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, DB).urn);
    });

    it("#4 each database needs its own reachable backup job", async () => {
        const second = container("analytics-db", { role: "database", service: "analytics-db", image: "postgres:16", networks: ["dev-analytics"] });
        const resources = [...devStack(), network("dev", "analytics", true), second];
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, second.urn);
    });

    it("#5 a backup job without BACKUP_AGE_RECIPIENT is rejected on the backup's URN", async () => {
        const resources = replace(devStack(), BACKUP, (r) => withEnv(r, { BACKUP_AGE_RECIPIENT: null }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, BACKUP).urn);
        assert.match(violations[0].message, /sets no BACKUP_AGE_RECIPIENT/);
    });

    it("#6 a recipient that is not an age public key is rejected", async () => {
        for (const value of ["my-passphrase", "ssh-ed25519 AAAAC3Nza", ""]) {
            const resources = replace(devStack(), BACKUP, (r) => withEnv(r, { BACKUP_AGE_RECIPIENT: value }));
            const { violations } = await runStackPolicy(policy, resources);
            assert.equal(violations.length, 1, value);
            assert.match(violations[0].message, /not an age public key \(age1\.\.\.\)/);
        }
    });

    it("#7 a backup job without BACKUP_SCHEDULE is rejected", async () => {
        const resources = replace(devStack(), BACKUP, (r) => withEnv(r, { BACKUP_SCHEDULE: null }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /sets no BACKUP_SCHEDULE/);
    });

    it("#8 a backup job holding an age secret key is rejected, naming the variable only", async () => {
        const resources = replace(devStack(), BACKUP, (r) => withEnv(r, { BACKUP_AGE_IDENTITY: AGE_SECRET_KEY }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, BACKUP).urn);
        assert.match(violations[0].message, /env BACKUP_AGE_IDENTITY holds an age secret key/);
        assert.ok(!violations[0].message.includes(AGE_SECRET_KEY));
    });

    it("#9 the restore drill may hold the age identity", async () => {
        const drill = find(devStack(), "backup-drill");
        assert.ok((drill.inputs.envs as string[]).some((e) => e.includes("AGE-SECRET-KEY-")));
        assert.deepEqual((await runStackPolicy(policy, devStack())).violations, []);
    });

    it("#10 config backupRole names the backup container differently", async () => {
        const resources = replace(devStack(), BACKUP, (r) => withRole(r, "pg-backup"));
        assert.equal((await runStackPolicy(policy, resources)).violations.length, 1);
        const outcome = await runStackPolicy(policy, resources, { config: { "backup-job-per-database": { backupRole: "pg-backup" } } });
        assert.deepEqual(outcome.violations, []);
    });

    it("#11 a recipient unknown at preview is refused with the config key to set, unless derived from an age key the stack generates", async () => {
        const resources = replace(devStack(), BACKUP, (r) => withUnknownEnv(r, "BACKUP_AGE_RECIPIENT"));
        const outcome = await runStackPolicy(policy, resources);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs[BACKUP_AGE_RECIPIENT]"]);
        assert.match(outcome.violations[0].message, /set BACKUP_AGE_RECIPIENT from the stack config \(bulwark:backupAgeRecipient\)/);
        // The property dependency on the generated age key (random.RandomBytes, 32 bytes) decides it.
        const key = find(devStack(), "secrets-backup-age-key");
        const generated = replace(resources, BACKUP, (r) => ({ ...r, propertyDependencies: { ...r.propertyDependencies, envs: [key.urn] } }));
        assert.deepEqual((await runStackPolicy(policy, generated)).violations, []);
    });

    it("#12 the drill keyring volume (bulwark.contents=age-identities) mounted by any container but the restore drill is rejected on that container", async () => {
        assert.deepEqual((await runStackPolicy(policy, withKeyring())).violations, []);
        for (const holder of [BACKUP, "app-backend"]) {
            const resources = replace(withKeyring(), holder, mountKeyring);
            const { violations } = await runStackPolicy(policy, resources);
            assert.equal(violations.length, 1, holder);
            assert.equal(violations[0].urn, find(resources, holder).urn);
            assert.match(violations[0].message, /\[BAK-01\] Container 'dev-\S+' mounts the drill keyring volume 'dev-drill-keys' \(`mounts\[0\]\.source`\)/);
            assert.match(violations[0].message, /Only the restore drill \(role 'backup-drill'\) may mount it/);
        }
        // The label makes the keyring, not the name: an unlabelled volume may be mounted anywhere.
        const unlabelled = [...replace(devStack(), BACKUP, mountKeyring), volume("dev", "drill-keys")];
        assert.deepEqual((await runStackPolicy(policy, unlabelled)).violations, []);
    });

    it("#13 a mount whose volume is unknown at preview is not judged while a keyring exists", async () => {
        const resources = replace(withKeyring(), BACKUP, (r) => withProps(r, { mounts: [{ type: "volume", source: UNKNOWN, target: "/backups" }] }));
        const outcome = await runStackPolicy(policy, resources);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => [i.urn, i.field]), [[find(resources, BACKUP).urn, "mounts[0].source (the drill keyring?)"]]);
    });
});
