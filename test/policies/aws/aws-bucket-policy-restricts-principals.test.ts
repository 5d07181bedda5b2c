import * as assert from "node:assert/strict";
import { awsBucketPolicyRestrictsPrincipals as policy } from "../../../policies/aws/aws-bucket-policy-restricts-principals";
import { Analyzer, EngineResource, runResourcePolicy } from "../../../tools/analyzer/judge";
import { ACCOUNT, BACKUP_BUCKET, BACKUP_USER, asSecret, backupBucketPolicyDocument, find, prodAwsStack, resourceViolations, unrelated, withProps, withUnknown } from "../fixtures/stack";

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
            assert.ok(violations.length >= 1, JSON.stringify(principal));
            assert.match(violations.map((v) => v.message).join("\n"), /statement 'Open' grants .*'\*' \(every AWS account\)/);
        }
    });

    // Deliberately stricter since issue 22: a condition on '*' (aws:PrincipalOrgID, aws:SourceIp, ...) is not
    // something the pack can prove narrow to the stack's own identities, so '*' is refused with one as well.
    it("#5 Allow to '*' restricted by a condition is rejected too", async () => {
        const r = withStatements(allowAll("*", { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } }));
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /statement 'Open' grants Principal '\*'/);
    });

    it("#6 Allow with NotPrincipal is rejected", async () => {
        const r = withStatements({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:user/x" }, Action: "s3:*", Resource: "*" });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        // Statements without a Sid are named by their 1-based position: the one appended after the fixture's.
        const position = (backupBucketPolicyDocument() as { Statement: object[] }).Statement.length + 1;
        assert.match(violations[0].message, new RegExp(`statement #${position} grants NotPrincipal`));
    });

    it("#7 an unreadable policy document is rejected; an unknown one is not judged", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(bucketPolicy(), { policy: "{not json" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /is not valid JSON/);
        // Unknown as a whole: the recorded gap (policyDocumentUnknownAtPreview), judged when `pulumi up` sends it.
        const outcome = await runResourcePolicy(policy, withUnknown(bucketPolicy(), "policy"));
        assert.deepEqual([outcome.violations, outcome.inconclusive], [[], []]);
    });

    it("#8 a bucket listed in `exceptions` with a reason is not judged; an exception without a reason is refused by the schema", async () => {
        const r = withStatements(allowAll("*"));
        const outcome = await runResourcePolicy(policy, r, { config: { [policy.name]: { exceptions: [{ bucket: BACKUP_BUCKET, reason: "shared with the auditors" }] } } });
        assert.match(outcome.notApplicable ?? "", /is an exception: shared with the auditors/);
        assert.deepEqual(outcome.violations, []);
        for (const bad of [[{ bucket: BACKUP_BUCKET }], [{ bucket: BACKUP_BUCKET, reason: "" }], [{ bucket: BACKUP_BUCKET, reason: "  " }], [BACKUP_BUCKET]]) {
            await assert.rejects(runResourcePolicy(policy, r, { config: { [policy.name]: { exceptions: bad } } }), Error, JSON.stringify(bad));
        }
    });

    it("#9 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
        assert.ok((await runResourcePolicy(policy, find(prodAwsStack(), "backup-bucket"))).notApplicable);
    });

    describe("principals against the stack's own account (stack config offsiteBackup.adminPrincipalArns)", () => {
        const OTHER = "999999999999";
        let analyzer: Analyzer;
        before(async () => {
            analyzer = await Analyzer.start({ stackConfig: { "bulwark:offsiteBackup": JSON.stringify({ enabled: true, adminPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/backup-admin`] }) } });
        });
        after(async () => analyzer.stop());
        const judge = async (r: EngineResource) => (await analyzer.evaluate([r], {}, { stack: false })).violations.filter((v) => v.policy === policy.name);

        it("#10 the stack's own account and identities, in every spelling, pass", async () => {
            for (const principal of [{ AWS: ACCOUNT }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: [`arn:aws:iam::${ACCOUNT}:user/${BACKUP_USER}`, `arn:aws:iam::${ACCOUNT}:role/backup-admin`] }]) {
                assert.deepEqual(await judge(withStatements(allowAll(principal))), [], JSON.stringify(principal));
            }
        });

        it("#11 another account, in every principal spelling, is rejected", async () => {
            const spellings: unknown[] = [
                { AWS: OTHER },
                { AWS: `arn:aws:iam::${OTHER}:root` },
                { AWS: `arn:aws:iam::${OTHER}:user/mallory` },
                { AWS: `arn:aws:iam::${OTHER}:role/any` },
                { AWS: `arn:aws:sts::${OTHER}:assumed-role/any/session` },
                { AWS: [`arn:aws:iam::${ACCOUNT}:root`, OTHER] },
                { AWS: "AIDAJQABLZS4A3QDU576Q" },
                { Federated: "cognito-identity.amazonaws.com" },
                { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/corp` },
                { CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" },
                { Service: "ec2.amazonaws.com" },
                "*",
                { AWS: "*" },
            ];
            for (const principal of spellings) {
                const violations = await judge(withStatements(allowAll(principal)));
                assert.equal(violations.length, 1, JSON.stringify(principal));
                assert.match(violations[0].message, /statement 'Open' grants/);
                assert.equal(violations[0].level, "mandatory");
            }
            const notPrincipal = await judge(withStatements({ Sid: "Open", Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:GetObject", Resource: "*" }));
            assert.match(notPrincipal.map((v) => v.message).join(), /grants NotPrincipal/);
        });

        it("#12 without the stack's account in the config, an account principal cannot be proven own and is rejected", async () => {
            const { violations } = await runResourcePolicy(policy, withStatements(allowAll({ AWS: `arn:aws:iam::${ACCOUNT}:root` })));
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /the stack's account is not known|outside a stack/);
        });
    });
});
