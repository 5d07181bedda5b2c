import { assertOnlyRefusals } from "../refusals";
import * as assert from "node:assert/strict";
import { awsBackupBucketUploadGuards as policy, evaluateUpload, UPLOAD_CALLS } from "../../../policies/aws/aws-backup-bucket-upload-guards";
import { Analyzer, runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { runStack } from "../../../tools/mocks/stack-run";
import {
    BACKUP_BUCKET,
    KEY_ARN,
    backupBucketPolicyDocument,
    find,
    prodAwsStack,
    prodStack,
    replace,
    uploadGuards,
    withProps,
    withUnknown,
    without,
} from "../fixtures/stack";

const POLICY = "backup-bucket-policy";
const bucketUrn = () => find(prodAwsStack(), "backup-bucket").urn;
type Statement = Record<string, any>;

/** The compliant set with the backup bucket's policy statements changed by `change`. */
function withStatements(change: (statements: Statement[]) => Statement[], resources = prodAwsStack()) {
    const doc = backupBucketPolicyDocument() as { Statement: Statement[] };
    return replace(resources, POLICY, (r) => withProps(r, { policy: JSON.stringify({ ...doc, Statement: change(doc.Statement) }) }));
}

const withoutSid = (sid: string) => (statements: Statement[]) => statements.filter((s) => s.Sid !== sid);
const changeSid = (sid: string, patch: Statement) => (statements: Statement[]) => statements.map((s) => (s.Sid === sid ? { ...s, ...patch } : s));

async function violationsOf(resources = prodAwsStack(), config?: Record<string, unknown>) {
    return (await runStackPolicy(policy, resources, config ? { config: { [policy.name]: config } } : {})).violations;
}

describe("aws-backup-bucket-upload-guards (BAK-02, DB-05, BAK-05)", () => {
    it("#1 compliant prod AWS set passes", async () => {
        assert.deepEqual(await violationsOf(), []);
        assert.deepEqual(await violationsOf(prodStack()), []);
    });

    it("#2 a bucket policy without the conditional-write Deny lets uploads overwrite backups: rejected on the bucket", async () => {
        const violations = await violationsOf(withStatements(withoutSid("DenyOverwrites")));
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, bucketUrn());
        assert.match(
            violations[0].message,
            new RegExp(`^\\[BAK-02\\] Backup bucket '${BACKUP_BUCKET}' lets an upload overwrite a backup: .*If-None-Match.*'s3:if-none-match': 'true'`),
        );
    });

    it("#3 a Deny narrowed by another condition, scoped to a prefix, an Allow, or naming one principal does not count", async () => {
        const narrowed = changeSid("DenyOverwrites", {
            Condition: { Null: { "s3:if-none-match": "true" }, StringEquals: { "aws:PrincipalArn": "arn:aws:iam::123456789012:user/x" } },
        });
        for (const change of [
            narrowed,
            changeSid("DenyOverwrites", { Resource: `arn:aws:s3:::${BACKUP_BUCKET}/daily/*` }),
            changeSid("DenyOverwrites", { Effect: "Allow" }),
            changeSid("DenyOverwrites", { Principal: { AWS: "arn:aws:iam::123456789012:user/x" } }),
            changeSid("DenyOverwrites", { Action: "s3:GetObject" }),
            changeSid("DenyOverwrites", { Condition: { Null: { "s3:if-none-match": "false" } } }),
        ]) {
            const violations = await violationsOf(withStatements(change));
            assert.equal(violations.length, 1, JSON.stringify(change(backupBucketPolicyDocument().Statement as Statement[]).find((s) => s.Sid === "DenyOverwrites")));
            assert.match(violations[0].message, /overwrite a backup/);
        }
    });

    it("#4 the equivalent forms count: StringNotEquals '*', Action 's3:Put*' or 's3:*', Resource '*'", async () => {
        for (const change of [
            changeSid("DenyOverwrites", { Condition: { StringNotEquals: { "s3:if-none-match": "*" } } }),
            changeSid("DenyOverwrites", { Condition: { Null: { "s3:if-none-match": true } }, Action: ["s3:Put*"] }),
            changeSid("DenyOverwrites", { Action: "s3:*", Resource: "*", Principal: { AWS: "*" } }),
        ]) {
            assert.deepEqual(await violationsOf(withStatements(change)), []);
        }
    });

    it("#5 uploads under another encryption than SSE-KMS are rejected unless denied; allowing AES256 too does not count", async () => {
        const sse = "s3:x-amz-server-side-encryption";
        for (const change of [
            withoutSid("DenyOtherEncryption"),
            changeSid("DenyOtherEncryption", { Condition: { Null: { [sse]: "false" }, StringNotEquals: { [sse]: ["aws:kms", "AES256"] } } }),
        ]) {
            const violations = await violationsOf(withStatements(change));
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /^\[BAK-02, DB-05\] .* accepts uploads under another encryption than SSE-KMS: its bucket policy does not refuse PutObject with SSE-S3 naming the stack's key, CreateMultipartUpload with SSE-S3 naming the stack's key\./);
        }
        // SSE-C names no x-amz-server-side-encryption: only its own Deny refuses it.
        const violations = await violationsOf(withStatements(withoutSid("DenyCustomerKeys")));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /does not refuse PutObject with SSE-C, CreateMultipartUpload with SSE-C\. Add .*DenyCustomerKeys/);
    });

    it("#6 the KMS key Deny must name the stack's key: missing or another key's ARN is rejected", async () => {
        const other = KEY_ARN.replace(/key\/.*/, "key/11111111-2222-3333-4444-555555555555");
        for (const change of [withoutSid("DenyOtherKmsKeys"), changeSid("DenyOtherKmsKeys", uploadGuards(other).find((g) => g.Sid === "DenyOtherKmsKeys")!)]) {
            const violations = await violationsOf(withStatements(change));
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /accepts uploads under a KMS key that is not the stack's.*x-amz-server-side-encryption-aws-kms-key-id/);
        }
    });

    it("#7 a backup bucket without any bucket policy gets each missing guard reported", async () => {
        const violations = await violationsOf(without(prodAwsStack(), POLICY));
        assert.equal(violations.length, 3);
        assert.ok(violations.every((v) => v.urn === bucketUrn() && /it has no bucket policy/.test(v.message)));
    });

    it("#8 preview: a document unknown as a whole is inconclusive, never passed nor failed", async () => {
        const outcome = await runStackPolicy(policy, replace(prodAwsStack(), POLICY, (r) => withUnknown(r, "policy")), { preview: true });
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => `${i.urn?.split("::").pop()}.${i.field}`), [`${POLICY}.policy`]);
    });

    it("#9 preview: a typed document whose ARNs are unknown still blocks a missing guard, and passes ARNs built from the bucket and the stack's key", async () => {
        const key = find(prodAwsStack(), "backup-key");
        const bucket = find(prodAwsStack(), "backup-bucket");
        const typed = (statements: Statement[]) => ({ Version: "2012-10-17", Statement: statements.map((s) => ({ ...s, Resource: UNKNOWN })) });
        const unknownArns = (statements: Statement[] = uploadGuards(UNKNOWN)) =>
            replace(prodAwsStack(), POLICY, (r) => ({ ...withProps(r, { policy: typed(statements) }), propertyDependencies: { policy: [bucket.urn, key.urn] } }));
        const clean = await runStackPolicy(policy, unknownArns(), { preview: true });
        assert.deepEqual([clean.violations, clean.inconclusive], [[], []]);
        const missing = await runStackPolicy(policy, unknownArns(uploadGuards(UNKNOWN).filter((s) => s.Sid !== "DenyOverwrites")), { preview: true });
        assert.equal(missing.violations.length, 1);
        assert.match(missing.violations[0].message, /overwrite a backup/);
        // The same unknown key ARN in a document not built from a KMS key of the stack cannot be judged yet.
        const orphan = replace(prodAwsStack(), POLICY, (r) => ({ ...withProps(r, { policy: typed(uploadGuards(UNKNOWN)) }), propertyDependencies: { policy: [bucket.urn] } }));
        const outcome = await runStackPolicy(policy, orphan, { preview: true });
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["policy"]);
    });

    describe("source addresses", () => {
        const CIDRS = ["203.0.113.0/24", "2001:db8::/48"];
        const fromElsewhere = (cidrs: string[]) => (statements: Statement[]) => [
            ...statements,
            { ...statements.find((s) => s.Sid === "DenyOverwrites"), Sid: "DenyUploadsFromElsewhere", Condition: { NotIpAddress: { "aws:SourceIp": cidrs } } },
        ];

        it("#10 with allowedSourceCidrs in the policy config, a bucket policy without the aws:SourceIp Deny is rejected", async () => {
            const violations = await violationsOf(prodAwsStack(), { allowedSourceCidrs: CIDRS });
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /^\[BAK-05\] .* accepts uploads from addresses outside the policy config's allowedSourceCidrs \(203\.0\.113\.0\/24, 2001:db8::\/48\)/);
            assert.deepEqual(await violationsOf(withStatements(fromElsewhere(CIDRS)), { allowedSourceCidrs: CIDRS }), []);
        });

        it("#11 a Deny that lets another address in too is rejected", async () => {
            const violations = await violationsOf(withStatements(fromElsewhere([...CIDRS, "0.0.0.0/1"])), { allowedSourceCidrs: CIDRS });
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /outside the policy config's allowedSourceCidrs/);
        });

        describe("with the stack's config as the engine hands it", () => {
            let analyzer: Analyzer | undefined;
            afterEach(async () => {
                await analyzer?.stop();
                analyzer = undefined;
            });
            const judged = async (offsiteBackup: Record<string, unknown>, resources = prodAwsStack()) => {
                // One pack at a time: a second start in the same test must not leak the first (mocha would not exit).
                await analyzer?.stop();
                analyzer = await Analyzer.start({ stackConfig: { "bulwark:offsiteBackup": JSON.stringify(offsiteBackup) } });
                return (await analyzer.evaluate(resources, {}, { resources: false })).violations.filter((v) => v.policy === policy.name);
            };

            it("#12 the stack's offsiteBackup.allowedSourceCidrs demands the aws:SourceIp Deny", async () => {
                const violations = await judged({ enabled: true, allowedSourceCidrs: CIDRS });
                assert.equal(violations.length, 1);
                assert.match(violations[0].message, /outside the stack's bulwark:offsiteBackup\.allowedSourceCidrs/);
                assert.deepEqual(await judged({ enabled: true, allowedSourceCidrs: CIDRS }, withStatements(fromElsewhere(CIDRS))), []);
            });

            it("#13 a stack without the key accepts uploads from any address", async () => {
                assert.deepEqual(await judged({ enabled: true }), []);
            });
        });
    });

    describe("multipart uploads", () => {
        const known = { stackKeys: [KEY_ARN], keysComplete: true, unknownIsStackKey: false, allowedSources: [] };
        const verdicts = (statements: Statement[]) =>
            Object.fromEntries(Object.entries(UPLOAD_CALLS).map(([call, request]) => [call, evaluateUpload(statements, BACKUP_BUCKET, request, known)]));
        // The guards as they were for single PUTs: every statement denies a request that names no encryption or no If-None-Match.
        const singlePutGuards = uploadGuards().map((s) =>
            s.Sid === "DenyOverwrites"
                ? { ...s, Condition: { Null: { "s3:if-none-match": "true" } } }
                : s.Sid === "DenyOtherEncryption"
                  ? { ...s, Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } } }
                  : s.Sid === "DenyOtherKmsKeys"
                    ? { ...s, Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN } } }
                    : s,
        );

        it("#14 the program's guards let every call of an upload through (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload); the single-PUT guards denied all but PutObject", () => {
            const all = { PutObject: "allow", CreateMultipartUpload: "allow", UploadPart: "allow", CompleteMultipartUpload: "allow" };
            assert.deepEqual(verdicts(uploadGuards()), all);
            assert.deepEqual(verdicts(singlePutGuards), { ...all, CreateMultipartUpload: "deny", UploadPart: "deny", CompleteMultipartUpload: "deny" });
        });

        it("#15 the single-PUT guards still refuse every bad request: strict forms count", async () => {
            const guardSids = uploadGuards().map((g) => g.Sid);
            assert.deepEqual(await violationsOf(withStatements((statements) => [...statements.filter((s) => !guardSids.includes(s.Sid)), ...singlePutGuards])), []);
        });

        it("#16 an overwrite Deny that exempts the object-creating calls lets CompleteMultipartUpload (or PutObject) replace a backup: rejected, naming the call", async () => {
            const exemptsCreation = changeSid("DenyOverwrites", { Condition: { Null: { "s3:if-none-match": "true" }, Bool: { "s3:ObjectCreationOperation": "false" } } });
            const [all] = await violationsOf(withStatements(exemptsCreation));
            assert.match(all.message, /^\[BAK-02\] .* lets an upload overwrite a backup: its bucket policy does not refuse PutObject without If-None-Match, CompleteMultipartUpload without If-None-Match\./);
            // AWS's own form (Bool, not BoolIfExists) exempts exactly the calls that cannot send the header: it counts.
            const documented = changeSid("DenyOverwrites", { Condition: { Null: { "s3:if-none-match": "true" }, Bool: { "s3:ObjectCreationOperation": "true" } } });
            assert.deepEqual(await violationsOf(withStatements(documented)), []);
        });

        it("#17 SSE-KMS naming no key (S3 then uses aws/s3) must be refused too", async () => {
            const violations = await violationsOf(withStatements(withoutSid("DenyKmsWithoutKey")));
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /KMS key that is not the stack's: its bucket policy does not refuse PutObject naming no KMS key, CreateMultipartUpload naming no KMS key\./);
        });

        it("#18 the program's prod stack (primary and replica bucket) passes", async function () {
            this.timeout(120_000);
            const prod = await runStack("prod");
            assert.ok(prod.resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy").length >= 2);
            assert.deepEqual((await runStackPolicy(policy, prod.resources)).violations, []);
        });
    });
});
