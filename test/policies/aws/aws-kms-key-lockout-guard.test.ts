import * as assert from "node:assert/strict";
import { awsKmsKeyLockoutGuard as policy } from "../../../policies/aws/aws-kms-key-lockout-guard";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { find, prodAwsStack, resourceViolations, TYPES, unrelated, withProps, withUnknown } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const key = () => find(prodAwsStack(), "backup-key");

describe("aws-kms-key-lockout-guard (DB-05, BAK-02)", () => {
    it("#1 compliant key (described, no lockout bypass) passes, also with the bypass explicitly false", async () => {
        assert.deepEqual(await resourceViolations(policy, prodAwsStack()), []);
        assert.deepEqual((await runResourcePolicy(policy, withProps(key(), { bypassPolicyLockoutSafetyCheck: false }))).violations, []);
    });

    it("#2 bypassPolicyLockoutSafetyCheck true is rejected, naming the key, the property and the fix", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(key(), { bypassPolicyLockoutSafetyCheck: true }));
        assert.equal(violations.length, 1);
        assert.equal(violations[0].level, "mandatory");
        assert.match(
            violations[0].message,
            /^\[DB-05, BAK-02\] KMS key 'backup-key' sets bypassPolicyLockoutSafetyCheck true: .*Remove `bypassPolicyLockoutSafetyCheck` \(or set it to false\)\.$/,
        );
    });

    it("#3 a missing, empty or blank description is rejected, naming the key, the property and the fix", async () => {
        for (const [patch, found] of [
            [{ description: undefined }, "unset"],
            [{ description: "" }, "empty"],
            [{ description: "   " }, "empty"],
        ] as const) {
            const { violations } = await runResourcePolicy(policy, withProps(key(), patch));
            assert.equal(violations.length, 1, JSON.stringify(patch));
            assert.match(violations[0].message, new RegExp(`^\\[DB-05, BAK-02\\] KMS key 'backup-key' has no description \\(description is ${found}\\)`));
            assert.match(violations[0].message, /Set `description` to what the key protects/);
        }
    });

    it("#4 both faults at once give both violations", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(key(), { bypassPolicyLockoutSafetyCheck: true, description: undefined }));
        assert.equal(violations.length, 2);
        assert.match(violations[0].message, /bypassPolicyLockoutSafetyCheck true/);
        assert.match(violations[1].message, /has no description/);
    });

    it("#5 values unknown at preview are refused; the other check still runs", async () => {
        const outcome = await runResourcePolicy(policy, withUnknown(key(), "bypassPolicyLockoutSafetyCheck", "description"));
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["bypassPolicyLockoutSafetyCheck", "description"]);

        const described = await runResourcePolicy(policy, withUnknown(withProps(key(), { bypassPolicyLockoutSafetyCheck: true }), "description"));
        const decided = described.violations.filter((v) => !v.message.startsWith("unknown in preview: "));
        assert.equal(decided.length, 1);
        assert.match(decided[0].message, /bypassPolicyLockoutSafetyCheck true/);
        assert.deepEqual(described.inconclusive.map((i) => i.field), ["description"]);
    });

    it("#6 asymmetric keys are judged too; other resource types are not applicable", async () => {
        const rsa = withProps(key(), { customerMasterKeySpec: "RSA_3072", bypassPolicyLockoutSafetyCheck: true });
        assert.equal((await runResourcePolicy(policy, rsa)).violations.length, 1);
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
        const bucket = find(prodAwsStack(), "backup-bucket");
        assert.equal(bucket.type, TYPES.bucket);
        assert.ok((await runResourcePolicy(policy, withProps(bucket, { bypassPolicyLockoutSafetyCheck: true }))).notApplicable);
    });
});
