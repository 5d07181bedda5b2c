import * as assert from "node:assert/strict";
import { awsBackupIdentityLeastPrivilege as policy } from "../../../policies/aws/aws-backup-identity-least-privilege";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { BACKUP_BUCKET, KEY_ARN, TYPES, find, prodAwsStack, resource, resourceViolations, unrelated, withProps, withUnknown } from "../fixtures/stack";

const userPolicy = () => find(prodAwsStack(), "backup-uploader-put-only");
const allowing = (statement: Record<string, unknown>) =>
    withProps(userPolicy(), { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", ...statement }] }) });
const OBJECTS = `arn:aws:s3:::${BACKUP_BUCKET}/*`;

describe("aws-backup-identity-least-privilege (BAK-06)", () => {
    it("#1 compliant put-only policy (s3:PutObject, s3:AbortMultipartUpload, kms:GenerateDataKey and kms:Decrypt via S3 on the key) passes", async () => {
        assert.deepEqual(await resourceViolations(policy, prodAwsStack()), []);
    });

    it("#2 a wildcard action is rejected", async () => {
        for (const action of ["*", "s3:*", "s3:Get*"]) {
            const { violations } = await runResourcePolicy(policy, allowing({ Action: action, Resource: OBJECTS }));
            assert.equal(violations.length, 1, action);
            assert.match(violations[0].message, /\[BAK-06\] IAM policy 'backup-uploader-put-only' of the backup identity: statement 'S' allows wildcard action/);
        }
    });

    it("#3 actions beyond s3:PutObject are rejected", async () => {
        const { violations } = await runResourcePolicy(policy, allowing({ Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], Resource: OBJECTS }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /allows 's3:GetObject', 's3:DeleteObject', beyond the backup identity's 's3:PutObject', 's3:AbortMultipartUpload'/);
    });

    it("#4 Resource '*' is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, allowing({ Action: "s3:PutObject", Resource: "*" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /Resource '\*'/);
    });

    it("#5 NotAction and NotResource are rejected", async () => {
        const { violations } = await runResourcePolicy(policy, allowing({ NotAction: "iam:*", NotResource: OBJECTS }));
        assert.equal(violations.length, 2);
    });

    it("#6 Deny statements are not judged", async () => {
        const r = withProps(userPolicy(), {
            policy: {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: "s3:PutObject", Resource: OBJECTS },
                    { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
                ],
            },
        });
        assert.deepEqual((await runResourcePolicy(policy, r)).violations, []);
    });

    it("#7 a RolePolicy on a backup role and a managed Policy named for backups are judged", async () => {
        const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
        const role = resource(TYPES.iamRolePolicy, "uploader-inline", { role: "bulwark-prod-backup-role", policy: doc }, undefined, "prod");
        const managed = resource(TYPES.iamPolicy, "offsite-upload", { name: "bulwark-backup-upload", policy: doc }, undefined, "prod");
        assert.equal((await runResourcePolicy(policy, role)).violations.length, 2);
        assert.equal((await runResourcePolicy(policy, managed)).violations.length, 2);
    });

    it("#8 policies of other identities are not applicable", async () => {
        const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
        const admin = resource(TYPES.iamUserPolicy, "admin-all", { user: "bulwark-admin", policy: doc }, undefined, "prod");
        assert.ok((await runResourcePolicy(policy, admin)).notApplicable);
    });

    it("#9 config allowedActions and backupIdentityMarker change the verdict", async () => {
        const r = allowing({ Action: ["s3:PutObject", "s3:ListBucket"], Resource: OBJECTS });
        assert.equal((await runResourcePolicy(policy, r)).violations.length, 1);
        const allowed = await runResourcePolicy(policy, r, {
            config: { "aws-backup-identity-least-privilege": { allowedActions: ["s3:PutObject", "s3:ListBucket"] } },
        });
        assert.deepEqual(allowed.violations, []);
        const marker = await runResourcePolicy(policy, r, { config: { "aws-backup-identity-least-privilege": { backupIdentityMarker: "offsite" } } });
        assert.ok(marker.notApplicable);
    });

    it("#10 kms:GenerateDataKey on a key pattern is rejected; config allowedKmsActions [] rejects it on the key too", async () => {
        const pattern = await runResourcePolicy(policy, allowing({ Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:*:*:key/*" }));
        assert.equal(pattern.violations.length, 1);
        assert.match(pattern.violations[0].message, /Name the backup key's ARN/);
        const r = find(prodAwsStack(), "backup-uploader-put-only");
        const none = await runResourcePolicy(policy, r, { config: { "aws-backup-identity-least-privilege": { allowedKmsActions: [] } } });
        assert.deepEqual(
            none.violations.map((v) => /statement '(\w+)' allows '([\w:]+)'/.exec(v.message)?.slice(1).join(" ")),
            ["EncryptBackups kms:GenerateDataKey", "DecryptUploadedParts kms:Decrypt"],
        );
    });

    it("#11 a document unknown as a whole is the recorded gap (the stack's own ARNs, unknown in a new stack); an unreadable one is rejected", async () => {
        const outcome = await runResourcePolicy(policy, withUnknown(userPolicy(), "policy"));
        assert.deepEqual([outcome.violations, outcome.inconclusive], [[], []]);
        assert.equal((await runResourcePolicy(policy, withProps(userPolicy(), { policy: "[" }))).violations.length, 1);
    });

    it("#12 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
        assert.ok((await runResourcePolicy(policy, find(prodAwsStack(), "backup-uploader"))).notApplicable);
    });

    it("#13 kms:Decrypt (multipart uploads under SSE-KMS) only through S3: without kms:ViaService, or on a key pattern, it is rejected", async () => {
        const bare = await runResourcePolicy(policy, allowing({ Action: "kms:Decrypt", Resource: KEY_ARN }));
        assert.equal(bare.violations.length, 1);
        assert.match(bare.violations[0].message, /statement 'S' allows 'kms:Decrypt' without a kms:ViaService condition, so the key decrypts outside S3 too/);
        const via = { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } };
        assert.deepEqual((await runResourcePolicy(policy, allowing({ Action: "kms:Decrypt", Resource: KEY_ARN, Condition: via }))).violations, []);
        const pattern = await runResourcePolicy(policy, allowing({ Action: "kms:Decrypt", Resource: "arn:aws:kms:*:*:key/*", Condition: via }));
        assert.equal(pattern.violations.length, 1);
        assert.match(pattern.violations[0].message, /Name the backup key's ARN/);
    });

    it("#14 a multipart upload needs no listing: s3:ListMultipartUploadParts and s3:ListBucketMultipartUploads are beyond the identity's actions", async () => {
        const { violations } = await runResourcePolicy(policy, allowing({ Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucketMultipartUploads"], Resource: OBJECTS }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /allows 's3:ListMultipartUploadParts', 's3:ListBucketMultipartUploads', beyond/);
    });
});
