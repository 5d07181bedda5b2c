import * as assert from "node:assert/strict";
import { awsKmsKeyRotation as policy } from "../../../policies/aws/aws-kms-key-rotation";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { find, prodAwsStack, resourceViolations, unrelated, withProps, withUnknown } from "../fixtures/stack";

const key = () => find(prodAwsStack(), "backup-key");

describe("aws-kms-key-rotation (DB-05, BAK-02)", () => {
    it("#1 compliant key (rotation on, 30-day deletion window) passes", async () => {
        assert.deepEqual(await resourceViolations(policy, prodAwsStack()), []);
    });

    it("#2 a key without rotation is rejected", async () => {
        for (const patch of [{ enableKeyRotation: false }, { enableKeyRotation: undefined }]) {
            const { violations } = await runResourcePolicy(policy, withProps(key(), patch));
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /\[DB-05, BAK-02\] KMS key 'backup-key' does not enable automatic rotation.*enableKeyRotation: true/);
        }
    });

    it("#3 a 7-day deletion window is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(key(), { deletionWindowInDays: 7 }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /deletionWindowInDays 7; at least 30/);
    });

    it("#4 an unset deletion window uses AWS's 30-day default and passes", async () => {
        assert.deepEqual((await runResourcePolicy(policy, withProps(key(), { deletionWindowInDays: undefined }))).violations, []);
    });

    it("#5 config minDeletionWindowDays 7 accepts a 10-day window", async () => {
        const r = withProps(key(), { deletionWindowInDays: 10 });
        assert.equal((await runResourcePolicy(policy, r)).violations.length, 1);
        const outcome = await runResourcePolicy(policy, r, { config: { "aws-kms-key-rotation": { minDeletionWindowDays: 7 } } });
        assert.deepEqual(outcome.violations, []);
    });

    it("#6 values unknown at preview are not judged", async () => {
        const outcome = await runResourcePolicy(policy, withUnknown(key(), "enableKeyRotation", "deletionWindowInDays"));
        assert.deepEqual(outcome.violations, []);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["enableKeyRotation", "deletionWindowInDays"]);
    });

    it("#7 asymmetric keys and other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, withProps(key(), { customerMasterKeySpec: "RSA_3072", enableKeyRotation: false }))).notApplicable);
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });
});
