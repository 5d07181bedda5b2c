import * as assert from "node:assert/strict";
import { awsBackupBucketHardened as policy } from "../../../policies/aws/aws-backup-bucket-hardened";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { BACKUP_BUCKET, LOG_BUCKET, TYPES, find, prodAwsStack, prodStack, replace, resource, withProps, withUnknown, without } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

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
        // Closed world (issue 22): the log bucket, no longer any bucket's log target here, is judged as a backup bucket too.
        const all = await violationsOf(bare);
        assert.equal(all.length, 12);
        assert.equal(all.filter((v) => v.urn === find(bare, "backup-log-bucket").urn).length, 6);
        const violations = all.filter((v) => v.urn === bucketUrn());
        assert.equal(violations.length, 6);
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
        // Without a logging that targets it, the log bucket is judged as a backup bucket (closed world): only the
        // backup bucket's own findings are counted here.
        const onBucket = async (resources: ReturnType<typeof prodAwsStack>) => (await violationsOf(resources)).filter((v) => v.urn === bucketUrn());
        const missing = await onBucket(without(prodAwsStack(), "backup-bucket-logging"));
        assert.equal(missing.length, 1);
        assert.match(missing[0].message, /\[BAK-07\].*has no access logging/);
        const self = await onBucket(replace(prodAwsStack(), "backup-bucket-logging", (r) => withProps(r, { targetBucket: BACKUP_BUCKET })));
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
        assertOnlyRefusals(outcome);
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

    // Deliberately stricter since issue 22 (closed world): an untagged bucket is a backup bucket unless it is only
    // an access-log target or the config lists it as an exception with a reason.
    it("#13 every bucket meets the backup rules: an untagged extra bucket is judged unless listed in bucketExceptions with a reason", async () => {
        const other = resource(TYPES.bucket, "assets", { bucket: "bulwark-assets", tags: { "bulwark:purpose": "assets" } }, undefined, "prod");
        const resources = [...prodAwsStack(), other];
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 6);
        assert.ok(violations.every((v) => v.urn === other.urn));
        for (const bucket of ["assets", "bulwark-assets"]) {
            const excepted = await runStackPolicy(policy, resources, { config: { [policy.name]: { bucketExceptions: [{ bucket, reason: "public web assets, no backups" }] } } });
            assert.deepEqual(excepted.violations, [], bucket);
        }
        for (const bad of [[{ bucket: "assets" }], [{ bucket: "assets", reason: "" }], ["assets"]]) {
            await assert.rejects(runStackPolicy(policy, resources, { config: { [policy.name]: { bucketExceptions: bad } } }), Error, JSON.stringify(bad));
        }
    });

    it("#14 an exception does not cover a bucket the backups flow to (the uploader's target), tagged or not", async () => {
        const untagged = replace(prodStack(), BUCKET, (r) => withProps(r, { tags: { "bulwark:stack": "prod" }, tagsAll: undefined }));
        const withoutSse = without(untagged, "backup-bucket-sse");
        const config = { config: { [policy.name]: { bucketExceptions: [{ bucket: BUCKET, reason: "trust me" }] } } };
        const { violations } = await runStackPolicy(policy, withoutSse, config);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, bucketUrn());
        assert.match(violations[0].message, /has no server-side encryption configuration/);
    });

    it("#15 the encryption key must be a key of the stack (ARN, key id, or an alias of the stack targeting it)", async () => {
        const sse = (kmsMasterKeyId: string) =>
            replace(prodAwsStack(), "backup-bucket-sse", (r) => withProps(r, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId }, bucketKeyEnabled: true }] }));
        for (const foreign of ["alias/aws/s3", "arn:aws:kms:eu-central-1:999999999999:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "alias/bulwark-prod-backups"]) {
            const violations = await violationsOf(sse(foreign));
            assert.equal(violations.length, 1, foreign);
            assert.match(violations[0].message, new RegExp(`is encrypted under KMS key '${foreign.replace(/[/.]/g, "\\$&")}', which is not a key of this stack`));
        }
        const key = find(prodAwsStack(), "backup-key");
        const alias = resource(TYPES.kmsKey.replace("key:Key", "alias:Alias"), "backup-key-alias", { name: "alias/bulwark-prod-backups", targetKeyId: key.outputs?.id }, undefined, "prod");
        assert.deepEqual(await violationsOf([...sse("alias/bulwark-prod-backups"), alias]), []);
        assert.deepEqual(await violationsOf(sse(String(key.outputs?.id))), []);
    });

    it("#16 a bucket used only as another bucket's access-log target needs the public access block and a TLS-only policy", async () => {
        const found = await violationsOf(without(prodAwsStack(), "backup-log-bucket-public-access"));
        assert.equal(found.length, 1);
        assert.equal(found[0].urn, find(prodAwsStack(), "backup-log-bucket").urn);
        assert.match(found[0].message, /^\[BAK-02\] Access-log bucket 'bulwark-prod-backup-logs' has no public access block/);
    });
});
