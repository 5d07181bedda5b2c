// The policy tests judge expected compliant documents written as literals (test/policies/fixtures/stack.ts), so a
// change to the program and the pack together cannot pass them unnoticed. This file is the other half: the
// documents the program itself builds (infra/components/offsite/policy-documents.ts, given plain ARNs) pass the
// policies that judge them. The whole prod program is judged by test/tools/policy-check.test.ts as well.
import * as assert from "node:assert/strict";
import { uploadGuardStatements, uploaderPolicy } from "../../../infra/components/offsite";
import { awsBackupBucketUploadGuards } from "../../../policies/aws/aws-backup-bucket-upload-guards";
import { awsBackupIdentityLeastPrivilege } from "../../../policies/aws/aws-backup-identity-least-privilege";
import { awsBucketPolicyRestrictsPrincipals } from "../../../policies/aws/aws-bucket-policy-restricts-principals";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { BACKUP_BUCKET, KEY_ARN, backupBucketPolicyDocument, prodAwsStack, replace, resourceViolations, uploadGuards, withProps } from "../fixtures/stack";

type Doc = { Statement: Record<string, unknown>[] };

/** The fixture's stack with the program's own documents in place of the literals. */
function withProgramDocuments() {
    const guards = uploadGuardStatements(`arn:aws:s3:::${BACKUP_BUCKET}/*`, KEY_ARN, []) as unknown as Record<string, unknown>[];
    const literal = backupBucketPolicyDocument() as Doc;
    const literalSids = new Set(uploadGuards().map((g) => g.Sid));
    const bucketPolicy = { ...literal, Statement: [...literal.Statement.filter((s) => !literalSids.has(s.Sid)), ...guards] };
    let resources = replace(prodAwsStack(), "backup-bucket-policy", (r) => withProps(r, { policy: JSON.stringify(bucketPolicy) }));
    resources = replace(resources, "backup-uploader-put-only", (r) => withProps(r, { policy: JSON.stringify(uploaderPolicy("eu-central-1", `arn:aws:s3:::${BACKUP_BUCKET}`, KEY_ARN)) }));
    return resources;
}

describe("the program's own AWS documents pass the pack (issue 22: expected values are literals in the tests)", () => {
    it("#1 the program's upload guards and uploader policy pass the policies that judge them", async () => {
        const resources = withProgramDocuments();
        assert.deepEqual((await runStackPolicy(awsBackupBucketUploadGuards, resources)).violations, []);
        assert.deepEqual(await resourceViolations(awsBackupIdentityLeastPrivilege, resources), []);
        assert.deepEqual(await resourceViolations(awsBucketPolicyRestrictsPrincipals, resources), []);
    });

});
