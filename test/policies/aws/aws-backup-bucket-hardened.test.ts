import * as assert from "node:assert/strict";
import { awsBackupBucketHardened as policy } from "../../../policies/aws/aws-backup-bucket-hardened";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { BACKUP_BUCKET, LOG_BUCKET, TYPES, find, prodAwsStack, prodStack, replace, resource, withProps, withUnknown, without } from "../fixtures/stack";

const BUCKET = "backup-bucket";
const bucketUrn = () => find(prodAwsStack(), BUCKET).urn;

async function violationsOf(resources = prodAwsStack()) {
    return (await runStackPolicy(policy, resources)).violations;
}

describe("aws-backup-bucket-hardened (BAK-02, DB-05, BAK-04, BAK-07)", () => {
    it("#1 compliant prod AWS set passes", async () => {
        assert.deepEqual(await violationsOf(), []);
        assert.deepEqual(await violationsOf(prodStack()), []);
    });

    it("#2 a bucket with nothing attached reports each missing piece on the bucket's URN", async () => {
        const bare = prodAwsStack().filter((r) => r.type === TYPES.bucket || r.type === TYPES.kmsKey);
        const violations = await violationsOf(bare);
        assert.equal(violations.length, 6);
        assert.ok(violations.every((v) => v.urn === bucketUrn()));
        const text = violations.map((v) => v.message).join("\n");
        for (const type of [
            "BucketServerSideEncryptionConfiguration",
            "BucketVersioning",
            "BucketPublicAccessBlock",
            "BucketPolicy",
            "BucketLifecycleConfiguration",
            "BucketLogging",
        ]) {
            assert.match(text, new RegExp(`Backup bucket '${BACKUP_BUCKET}' .*aws\\.s3\\.${type}`), type);
        }
    });

    it("#3 SSE with AES256 instead of aws:kms is rejected", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-sse", (r) =>
            withProps(r, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
        );
        const violations = await violationsOf(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[BAK-02, DB-05\] Backup bucket 'bulwark-prod-backups' has server-side encryption without aws:kms/);
    });

    it("#4 SSE with aws:kms but no kmsMasterKeyId is rejected", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-sse", (r) =>
            withProps(r, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }),
        );
        assert.equal((await violationsOf(resources)).length, 1);
    });

    it("#5 versioning Suspended is rejected", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-versioning", (r) => withProps(r, { versioningConfiguration: { status: "Suspended" } }));
        const violations = await violationsOf(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /versioning that is not Enabled/);
    });

    it("#6 a public access block with a flag off is rejected, naming the flag", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-public-access", (r) => withProps(r, { restrictPublicBuckets: false }));
        const violations = await violationsOf(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /restrictPublicBuckets not true/);
    });

    it("#7 a bucket policy without the TLS-only Deny is rejected", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-policy", (r) =>
            withProps(r, { policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }),
        );
        const violations = await violationsOf(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /does not deny requests without TLS.*aws:SecureTransport/);
    });

    it("#8 a lifecycle whose only rule is Disabled is rejected", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-lifecycle", (r) =>
            withProps(r, { rules: [{ ...r.inputs.rules[0], status: "Disabled" }] }),
        );
        const violations = await violationsOf(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[BAK-04\].*no enabled lifecycle rule/);
    });

    it("#9 missing access logging, or logging into the bucket itself, is rejected", async () => {
        const missing = await violationsOf(without(prodAwsStack(), "backup-bucket-logging"));
        assert.equal(missing.length, 1);
        assert.match(missing[0].message, /\[BAK-07\].*has no access logging/);
        const self = await violationsOf(replace(prodAwsStack(), "backup-bucket-logging", (r) => withProps(r, { targetBucket: BACKUP_BUCKET })));
        assert.equal(self.length, 1);
        assert.match(self[0].message, /logs access into itself/);
    });

    it("#10 companions attached to another bucket do not count", async () => {
        const resources = replace(prodAwsStack(), "backup-bucket-versioning", (r) => withProps(r, { bucket: LOG_BUCKET }));
        const violations = await violationsOf(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /has no versioning/);
    });

    it("#11 companions found by the engine's property dependency when names are unknown at preview", async () => {
        const stack = prodAwsStack();
        const bucket = find(stack, BUCKET);
        const resources = stack.map((r) =>
            r.name.startsWith("backup-bucket-") ? { ...withUnknown(r, "bucket"), propertyDependencies: { bucket: [bucket.urn] } } : r,
        );
        assert.deepEqual(await violationsOf(resources), []);
    });

    it("#12 a key ARN unknown at preview counts when built from the stack's KMS key; an unknown policy is inconclusive", async () => {
        const key = find(prodAwsStack(), "backup-key");
        const unknownKey = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN } }] };
        let resources = replace(prodAwsStack(), "backup-bucket-sse", (r) => ({ ...withProps(r, unknownKey), propertyDependencies: { rules: [key.urn] } }));
        resources = replace(resources, "backup-bucket-policy", (r) => withUnknown(r, "policy"));
        const outcome = await runStackPolicy(policy, resources);
        assert.deepEqual(outcome.violations, []);
        assert.deepEqual(outcome.inconclusive.map((i) => `${i.urn?.split("::").pop()}.${i.field}`), ["backup-bucket-policy.policy"]);
        // The same unknown key without the dependency cannot be told from a missing one: inconclusive, not passed.
        const orphan = replace(prodAwsStack(), "backup-bucket-sse", (r) => withProps(r, unknownKey));
        assert.deepEqual((await runStackPolicy(policy, orphan)).inconclusive.map((i) => i.field), ["rules"]);
        // An absent key is a violation.
        const absent = replace(prodAwsStack(), "backup-bucket-sse", (r) =>
            withProps(r, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }),
        );
        assert.match((await violationsOf(absent))[0]?.message ?? "", /without aws:kms and a kmsMasterKeyId/);
    });

    it("#13 untagged buckets are not judged; config backupTagValue selects them", async () => {
        const other = resource(TYPES.bucket, "assets", { bucket: "bulwark-assets", tags: { "bulwark:purpose": "assets" } }, undefined, "prod");
        const resources = [...prodAwsStack(), other];
        assert.deepEqual(await violationsOf(resources), []);
        const { violations } = await runStackPolicy(policy, resources, { config: { "aws-backup-bucket-hardened": { backupTagValue: "assets" } } });
        assert.equal(violations.length, 6);
        assert.ok(violations.every((v) => v.urn === other.urn));
    });
});
