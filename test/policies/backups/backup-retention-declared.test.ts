import * as assert from "node:assert/strict";
import { backupRetentionDeclared as policy } from "../../../policies/backups/backup-retention-declared";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, resourceViolations, unrelated, withEnv, withSecretEnvs, withUnknownEnv } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const backup = () => find(devStack(), "backup-job");

describe("backup-retention-declared (BAK-04, CMP-01)", () => {
    it("#1 compliant backup job (keep 7 daily, 4 weekly, 6 monthly) passes", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 a missing BACKUP_KEEP_DAILY is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backup(), { BACKUP_KEEP_DAILY: null }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[BAK-04, CMP-01\] Backup container 'dev-backup' does not set BACKUP_KEEP_DAILY/);
    });

    it("#3 no retention at all reports each variable", async () => {
        const r = withEnv(backup(), { BACKUP_KEEP_DAILY: null, BACKUP_KEEP_WEEKLY: null, BACKUP_KEEP_MONTHLY: null });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 3);
    });

    it("#4 zero, negative or non-integer counts are rejected", async () => {
        for (const value of ["0", "-1", "7.5", "seven", ""]) {
            const { violations } = await runResourcePolicy(policy, withEnv(backup(), { BACKUP_KEEP_WEEKLY: value }));
            assert.equal(violations.length, 1, value);
            assert.match(violations[0].message, /BACKUP_KEEP_WEEKLY='.*' is not a whole number >= 1/);
        }
    });

    it("#5 config minKeepDaily 14 rejects 7 daily backups", async () => {
        const { violations } = await runResourcePolicy(policy, backup(), { config: { "backup-retention-declared": { minKeepDaily: 14 } } });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /BACKUP_KEEP_DAILY='7' is not a whole number >= 14/);
    });

    it("#6 values unknown at preview are not judged", async () => {
        const r = withEnv(withUnknownEnv(backup(), "BACKUP_KEEP_DAILY"), { BACKUP_KEEP_WEEKLY: null });
        const outcome = await runResourcePolicy(policy, r);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field).sort(), ["envs[BACKUP_KEEP_DAILY]", "envs[BACKUP_KEEP_WEEKLY]"]);
    });

    it("#7 containers of other roles and other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, find(devStack(), "app-backend"))).notApplicable);
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });

    it("#8 an env list wrapped as a secret (wire form) is judged", async () => {
        const { violations } = await runResourcePolicy(policy, withSecretEnvs(withEnv(backup(), { BACKUP_KEEP_MONTHLY: "0" })));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /BACKUP_KEEP_MONTHLY='0'/);
    });
});
