import * as assert from "node:assert/strict";
import { awsBucketPolicyRestrictsPrincipals as policy } from "../../../policies/aws/aws-bucket-policy-restricts-principals";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { BACKUP_BUCKET, asSecret, backupBucketPolicyDocument, find, prodAwsStack, resourceViolations, unrelated, withProps, withUnknown } from "../fixtures/stack";

const bucketPolicy = () => find(prodAwsStack(), "backup-bucket-policy");
const withStatements = (...extra: object[]) => {
    const doc = backupBucketPolicyDocument() as { Statement: object[] };
    return withProps(bucketPolicy(), { policy: JSON.stringify({ ...doc, Statement: [...doc.Statement, ...extra] }) });
};
const allowAll = (principal: unknown, condition?: object) => ({
    Sid: "Open",
    Effect: "Allow",
    Principal: principal,
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::${BACKUP_BUCKET}/*`,
    ...(condition ? { Condition: condition } : {}),
});

describe("aws-bucket-policy-restricts-principals (BAK-05)", () => {
    it("#1 compliant bucket policies (backup and log bucket) pass", async () => {
        assert.deepEqual(await resourceViolations(policy, prodAwsStack()), []);
    });

    it("#2 a policy given as an object, or wrapped as a secret, is read like the JSON string", async () => {
        assert.deepEqual((await runResourcePolicy(policy, withProps(bucketPolicy(), { policy: backupBucketPolicyDocument() }))).violations, []);
        const wrapped = withProps(bucketPolicy(), { policy: asSecret(JSON.stringify({ Version: "2012-10-17", Statement: [] })) });
        assert.equal((await runResourcePolicy(policy, wrapped)).violations.length, 1);
    });

    it("#3 a policy without the TLS-only Deny is rejected", async () => {
        const doc = backupBucketPolicyDocument() as { Statement: object[] };
        const r = withProps(bucketPolicy(), { policy: { ...doc, Statement: doc.Statement.slice(1) } });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[BAK-05\] Bucket policy 'backup-bucket-policy' \(bucket 'bulwark-prod-backups'\) does not deny requests without TLS/);
    });

    it("#4 Allow to Principal '*' or {AWS: '*'} without a condition is rejected", async () => {
        for (const principal of ["*", { AWS: "*" }, { AWS: ["arn:aws:iam::123456789012:root", "*"] }]) {
            const { violations } = await runResourcePolicy(policy, withStatements(allowAll(principal)));
            assert.equal(violations.length, 1, JSON.stringify(principal));
            assert.match(violations[0].message, /statement 'Open' allows every principal \('\*'\) without a condition/);
        }
    });

    it("#5 Allow to '*' restricted by a condition passes", async () => {
        const r = withStatements(allowAll("*", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }));
        assert.deepEqual((await runResourcePolicy(policy, r)).violations, []);
    });

    it("#6 Allow with NotPrincipal is rejected", async () => {
        const r = withStatements({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:user/x" }, Action: "s3:*", Resource: "*" });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        // Statements without a Sid are named by their 1-based position: the one appended after the fixture's.
        const position = (backupBucketPolicyDocument() as { Statement: object[] }).Statement.length + 1;
        assert.match(violations[0].message, new RegExp(`statement #${position} allows with NotPrincipal`));
    });

    it("#7 an unreadable policy document is rejected; an unknown one is not judged", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(bucketPolicy(), { policy: "{not json" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /is not valid JSON/);
        const outcome = await runResourcePolicy(policy, withUnknown(bucketPolicy(), "policy"));
        assert.deepEqual(outcome.violations, []);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["policy"]);
    });

    it("#8 config exemptBuckets skips a shared bucket's policy", async () => {
        const r = withStatements(allowAll("*"));
        const outcome = await runResourcePolicy(policy, r, { config: { "aws-bucket-policy-restricts-principals": { exemptBuckets: [BACKUP_BUCKET] } } });
        assert.ok(outcome.notApplicable);
        assert.deepEqual(outcome.violations, []);
    });

    it("#9 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
        assert.ok((await runResourcePolicy(policy, find(prodAwsStack(), "backup-bucket"))).notApplicable);
    });
});
