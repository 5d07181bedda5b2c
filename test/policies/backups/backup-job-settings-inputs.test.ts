import * as assert from "node:assert/strict";
import { backupJobSettingsInputs as policy } from "../../../policies/backups/backup-job-settings-inputs";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { AGE_SECRET_KEY, devStack, find, withEnv, withUnknownEnv } from "../fixtures/stack";

const job = () => find(devStack(), "backup-job");

describe("backup-job-settings-inputs (BAK-01)", () => {
    it("#1 the dev backup job passes on its own inputs; other containers are not judged", async () => {
        assert.deepEqual((await runResourcePolicy(policy, job())).violations, []);
        assert.deepEqual((await runResourcePolicy(policy, withEnv(find(devStack(), "app-backend"), { BACKUP_SCHEDULE: "" }))).violations, []);
    });

    it("#2 a missing or non-age recipient, an empty schedule, or an age secret key is refused before the job is created", async () => {
        for (const [envs, pattern] of [
            [{ BACKUP_AGE_RECIPIENT: null }, /sets no BACKUP_AGE_RECIPIENT/],
            [{ BACKUP_AGE_RECIPIENT: "ssh-ed25519 AAAA" }, /not an age public key/],
            [{ BACKUP_SCHEDULE: " " }, /sets no BACKUP_SCHEDULE/],
            [{ EXTRA_KEY: AGE_SECRET_KEY }, /env EXTRA_KEY holds an age secret key/],
        ] as const) {
            const { violations } = await runResourcePolicy(policy, withEnv(job(), envs));
            assert.equal(violations.length, 1, JSON.stringify(envs));
            assert.match(violations[0].message, pattern);
            assert.ok(!violations[0].message.includes(AGE_SECRET_KEY));
        }
    });

    it("#3 a recipient unknown at preview is left to backup-job-per-database, which sees what it derives from", async () => {
        const outcome = await runResourcePolicy(policy, withUnknownEnv(job(), "BACKUP_AGE_RECIPIENT"));
        assert.deepEqual([outcome.violations, outcome.inconclusive], [[], []]);
    });
});
