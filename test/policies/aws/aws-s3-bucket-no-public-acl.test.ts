import * as assert from "node:assert/strict";
import { awsS3BucketNoPublicAcl as policy } from "../../../policies/aws/aws-s3-bucket-no-public-acl";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { BACKUP_BUCKET, TYPES, find, prodAwsStack, resource, resourceViolations, unrelated, withProps } from "../fixtures/stack";

const acl = (type: string, inputs: Record<string, unknown>) => resource(type, "backup-bucket-acl", { bucket: BACKUP_BUCKET, ...inputs }, undefined, "prod");
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

describe("aws-s3-bucket-no-public-acl (BAK-02)", () => {
    it("#1 compliant buckets (no ACL) and a private BucketAcl pass", async () => {
        assert.deepEqual(await resourceViolations(policy, prodAwsStack()), []);
        assert.deepEqual((await runResourcePolicy(policy, acl(TYPES.bucketAcl, { acl: "private" }))).violations, []);
    });

    it("#2 public canned ACLs on BucketAcl and BucketAclV2 are rejected", async () => {
        for (const type of [TYPES.bucketAcl, TYPES.bucketAclV2]) {
            for (const value of ["public-read", "public-read-write", "authenticated-read"]) {
                const { violations } = await runResourcePolicy(policy, acl(type, { acl: value }));
                assert.equal(violations.length, 1, `${type} ${value}`);
                assert.match(violations[0].message, new RegExp(`\\[BAK-02\\] Bucket ACL 'backup-bucket-acl' uses the canned ACL '${value}'`));
            }
        }
    });

    it("#3 a grant to AllUsers in accessControlPolicy is rejected", async () => {
        const r = acl(TYPES.bucketAcl, {
            accessControlPolicy: { owner: { id: "owner" }, grants: [{ grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" }] },
        });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /grants READ to the AllUsers group/);
    });

    it("#4 a public acl set on the Bucket itself is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(find(prodAwsStack(), "backup-bucket"), { acl: "public-read" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /Bucket 'backup-bucket' uses the canned ACL 'public-read'/);
    });

    it("#5 config forbiddenAcls can also forbid log-delivery-write", async () => {
        const r = acl(TYPES.bucketAclV2, { acl: "log-delivery-write" });
        assert.deepEqual((await runResourcePolicy(policy, r)).violations, []);
        const config = { "aws-s3-bucket-no-public-acl": { forbiddenAcls: ["public-read", "public-read-write", "authenticated-read", "log-delivery-write"] } };
        assert.equal((await runResourcePolicy(policy, r, { config })).violations.length, 1);
    });

    it("#6 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
        assert.ok((await runResourcePolicy(policy, find(prodAwsStack(), "backup-bucket-policy"))).notApplicable);
    });
});
