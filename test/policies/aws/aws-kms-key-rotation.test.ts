import * as assert from "node:assert/strict";
import { awsKmsKeyRotation as policy } from "../../../policies/aws/aws-kms-key-rotation";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { find, prodAwsStack, resourceViolations, unrelated, withProps, withUnknown } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

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
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["enableKeyRotation", "deletionWindowInDays"]);
    });

    it("#7 asymmetric keys and other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, withProps(key(), { customerMasterKeySpec: "RSA_3072", enableKeyRotation: false }))).notApplicable);
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });

    // Issue 22 item 9: the provider's Check sets customerMasterKeySpec SYMMETRIC_DEFAULT on every key, and a key
    // that named its spec was once exempt whatever the spec: only asymmetric and HMAC specs are, by either field.
    it("#8 a SYMMETRIC_DEFAULT key (either spec field, or an unknown spec name) without rotation is rejected", async () => {
        for (const spec of [{ customerMasterKeySpec: "SYMMETRIC_DEFAULT" }, { keySpec: "SYMMETRIC_DEFAULT" }, { keySpec: "SYMMETRIC_DEFAULT", customerMasterKeySpec: undefined }, { customerMasterKeySpec: "AES_256" }, { keySpec: "symmetric_default" }]) {
            const outcome = await runResourcePolicy(policy, withProps(key(), { ...spec, enableKeyRotation: false }));
            assert.equal(outcome.notApplicable, undefined, JSON.stringify(spec));
            assert.equal(outcome.violations.length, 1, JSON.stringify(spec));
            assert.match(outcome.violations[0].message, /does not enable automatic rotation/);
        }
    });

    it("#9 only asymmetric and HMAC specs are exempt, named by keySpec or customerMasterKeySpec", async () => {
        for (const spec of ["RSA_2048", "RSA_4096", "ECC_NIST_P256", "ECC_SECG_P256K1", "SM2", "HMAC_256", "HMAC_512"]) {
            for (const field of ["keySpec", "customerMasterKeySpec"]) {
                const outcome = await runResourcePolicy(policy, withProps(key(), { customerMasterKeySpec: undefined, [field]: spec, enableKeyRotation: false }));
                assert.ok(outcome.notApplicable, `${field} ${spec}`);
            }
        }
    });

    it("#10 a spec unknown at preview (rotation off) is refused, naming the field", async () => {
        const outcome = await runResourcePolicy(policy, withUnknown(withProps(key(), { enableKeyRotation: false }), "keySpec"));
        assertOnlyRefusals(outcome);
        assert.ok(outcome.inconclusive.some((i) => i.field === "keySpec"));
    });
});
