// The "aws" class of attacks (issue 22 items 4 and 7-9): a small off-site backup program that the pack accepts
// for what it judges here (a KMS-encrypted, versioned, private, TLS-only backup bucket with lifecycle and access
// logs, a put-only uploader, a provider pinned to the stack's account), and programs that each change one thing
// in it the way an attacker or a careless contributor would: a bucket that is the upload target but not tagged and
// not encrypted, an extra bucket or key, a bucket policy granting another account in every principal spelling, a
// key policy for '*', AdministratorAccess attached to the backup identity. Each must be rejected by a mandatory
// violation naming the resource it changed, as an update and as a new-stack preview. Names are literal so that
// the documents are known in a preview, as the pack requires of what it judges.
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Attack, describeAttacks, judgeAttack, mandatoryAgainst, MODES } from "./harness";

const ACCOUNT = "123456789012";
const OTHER = "999999999999";
const BUCKET = "fixture-backups";
const LOG_BUCKET = "fixture-backup-logs";
const UPLOADER = "fixture-backup-uploader";
const REGION = "eu-central-1";
/** The stack config the engine hands the pack: the stack's account is the one its admins are in. */
const CONFIG = { "bulwark:offsiteBackup": JSON.stringify({ enabled: true, region: REGION, adminPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/backup-admin`] }) };

type Statement = Record<string, unknown>;

interface AwsBreaks {
    /** Provider args to replace. */
    readonly provider?: Partial<aws.ProviderArgs>;
    readonly key?: Partial<aws.kms.KeyArgs>;
    readonly untagged?: boolean;
    readonly noEncryption?: boolean;
    readonly kmsMasterKeyId?: string;
    /**
     * Statements added to the access-log bucket's policy, whose document is all literals and so known in a preview
     * (the backup bucket's names the key's ARN, unknown until apply: that it is judged at preview at all is the
     * fail-closed work's, not this suite's).
     */
    readonly logStatements?: readonly Statement[];
    /** Resources added after the compliant ones, given the provider option to use. */
    readonly extra?: (opts: { provider: aws.Provider }) => void;
}

const arn = (name: string) => `arn:aws:s3:::${name}`;
const tlsOnly = (name: string): Statement => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arn(name), `${arn(name)}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
});

function harden(name: string, bucket: aws.s3.Bucket, opts: { provider: aws.Provider }, policy: pulumi.Input<Statement[]>): void {
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, opts);
    new aws.s3.BucketPublicAccessBlock(`${name}-public-access-block`, { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, opts);
    new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucket.bucket, policy: pulumi.output(policy).apply((Statement) => JSON.stringify({ Version: "2012-10-17", Statement })) }, opts);
}

/** The backup bucket's upload guards (BAK-02): only new keys, only SSE-KMS under the stack's key. */
function uploadGuards(keyArn: string): Statement[] {
    const deny = (Sid: string, Condition: Statement) => ({ Sid, Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${arn(BUCKET)}/*`, Condition });
    const SSE = "s3:x-amz-server-side-encryption";
    const KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
    return [
        deny("DenyOverwrites", { Null: { "s3:if-none-match": "true" }, BoolIfExists: { "s3:ObjectCreationOperation": "true" } }),
        deny("DenyOtherEncryption", { Null: { [SSE]: "false" }, StringNotEquals: { [SSE]: "aws:kms" } }),
        deny("DenyOtherKmsKeys", { Null: { [KEY]: "false" }, StringNotEquals: { [KEY]: keyArn } }),
        deny("DenyKmsWithoutKey", { Null: { [SSE]: "false", [KEY]: "true" } }),
        deny("DenyCustomerKeys", { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } }),
    ];
}

/** The compliant program with `breaks` applied. */
function awsProgram(breaks: AwsBreaks = {}): void {
    const provider = new aws.Provider("aws", { region: REGION, allowedAccountIds: [ACCOUNT], ...breaks.provider });
    const opts = { provider };
    const key = new aws.kms.Key("backup-key", { description: "fixture off-site backups", enableKeyRotation: true, deletionWindowInDays: 30, ...breaks.key }, opts);

    const logs = new aws.s3.Bucket("access-logs", { bucket: LOG_BUCKET, tags: { "bulwark:purpose": "backup-access-logs" } }, opts);
    harden("access-logs", logs, opts, [
        tlsOnly(LOG_BUCKET),
        { Sid: "S3ServerAccessLogDelivery", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn(LOG_BUCKET)}/*`, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } },
        ...(breaks.logStatements ?? []),
    ]);

    const bucket = new aws.s3.Bucket("backup-bucket", { bucket: BUCKET, tags: breaks.untagged ? { "bulwark:stack": "fixture" } : { "bulwark:purpose": "backups" } }, opts);
    if (!breaks.noEncryption) {
        new aws.s3.BucketServerSideEncryptionConfiguration(
            "backup-bucket-encryption",
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: breaks.kmsMasterKeyId ?? key.arn }, bucketKeyEnabled: true }] },
            opts,
        );
    }
    harden("backup-bucket", bucket, opts, key.arn.apply((keyArn) => [tlsOnly(BUCKET), ...uploadGuards(keyArn)]));
    new aws.s3.BucketLifecycleConfiguration(
        "backup-bucket-lifecycle",
        { bucket: bucket.bucket, rules: [{ id: "retention", status: "Enabled", filter: {}, expiration: { days: 400 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }] },
        opts,
    );
    new aws.s3.BucketLogging("backup-bucket-logging", { bucket: bucket.bucket, targetBucket: logs.bucket, targetPrefix: "backups/" }, opts);

    const user = new aws.iam.User("backup-uploader", { name: UPLOADER }, opts);
    new aws.iam.UserPolicy(
        "backup-uploader-policy",
        {
            user: user.name,
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "PutBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `${arn(BUCKET)}/*` }] }),
        },
        opts,
    );
    breaks.extra?.(opts);
}

const attack = (name: string, blame: string, breaks: AwsBreaks): Attack => ({ name, blame, program: () => awsProgram(breaks), config: CONFIG });

const grant = (Principal: unknown, extra: Statement = {}): Statement => ({ Sid: "Grant", Effect: "Allow", Principal, Action: ["s3:GetObject", "s3:ListBucket"], Resource: [arn(LOG_BUCKET), `${arn(LOG_BUCKET)}/*`], ...extra });

/** Every spelling of "someone outside the stack", as a bucket policy principal. */
const FOREIGN_PRINCIPALS: readonly [string, Statement][] = [
    ["a bare account id", grant({ AWS: OTHER })],
    ["an account root ARN", grant({ AWS: `arn:aws:iam::${OTHER}:root` })],
    ["a user ARN of another account", grant({ AWS: `arn:aws:iam::${OTHER}:user/mallory` })],
    ["a role ARN of another account", grant({ AWS: `arn:aws:iam::${OTHER}:role/reader` })],
    ["an assumed-role session of another account", grant({ AWS: `arn:aws:sts::${OTHER}:assumed-role/reader/s` })],
    ["another account hidden in a list with the own one", grant({ AWS: [`arn:aws:iam::${ACCOUNT}:root`, OTHER] })],
    ["a unique id (no account to check)", grant({ AWS: "AIDAJQABLZS4A3QDU576Q" })],
    ["AWS '*'", grant({ AWS: "*" })],
    ["AWS '*' with an org condition", grant({ AWS: "*" }, { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } })],
    ["AWS '*' with a source-IP condition", grant({ AWS: "*" }, { Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } })],
    ["Principal '*'", grant("*")],
    ["Principal '*' with a condition", grant("*", { Condition: { StringEquals: { "aws:PrincipalAccount": OTHER } } })],
    ["NotPrincipal (everyone but the listed)", { Sid: "Grant", Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:GetObject", Resource: `${arn(LOG_BUCKET)}/*` }],
    ["a federated principal", grant({ Federated: "cognito-identity.amazonaws.com" })],
    ["a SAML provider", grant({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/corp` })],
    ["a canonical user", grant({ CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" })],
    ["a service principal the stack does not use", grant({ Service: "ec2.amazonaws.com" })],
    ["a statement with no Effect (judged as an Allow)", { Sid: "Grant", Principal: { AWS: OTHER }, Action: "s3:GetObject", Resource: `${arn(LOG_BUCKET)}/*` }],
];

const keyPolicy = (Principal: unknown, extra: Statement = {}) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Use", Effect: "Allow", Principal, Action: "kms:*", Resource: "*", ...extra }] });

const KEY_POLICY_PRINCIPALS: readonly [string, string][] = [
    ["Principal '*'", keyPolicy("*")],
    ["AWS '*'", keyPolicy({ AWS: "*" })],
    ["AWS '*' with a condition", keyPolicy({ AWS: "*" }, { Condition: { StringEquals: { "kms:CallerAccount": OTHER } } })],
    ["another account's root", keyPolicy({ AWS: `arn:aws:iam::${OTHER}:root` })],
    ["another account's id", keyPolicy({ AWS: OTHER })],
    ["a service principal", keyPolicy({ Service: "logs.amazonaws.com" })],
];

/** Managed policies and groups that would give the backup identity permissions no document in the stack shows. */
const ATTACHMENTS: readonly [string, (opts: { provider: aws.Provider }) => void][] = [
    ["a UserPolicyAttachment of AdministratorAccess", (o) => new aws.iam.UserPolicyAttachment("uploader-admin", { user: UPLOADER, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, o)],
    ["a PolicyAttachment of AmazonS3FullAccess", (o) => new aws.iam.PolicyAttachment("uploader-s3-full", { users: [UPLOADER], policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }, o)],
    ["membership in an admin group", (o) => new aws.iam.UserGroupMembership("uploader-admins", { user: UPLOADER, groups: ["admins"] }, o)],
    ["UserPolicyAttachmentsExclusive with AdministratorAccess", (o) => new aws.iam.UserPolicyAttachmentsExclusive("uploader-exclusive", { userName: UPLOADER, policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }, o)],
];

const extraBucket = (name: string, args: aws.s3.BucketArgs = {}) => (o: { provider: aws.Provider }) => void new aws.s3.Bucket(name, args, o);

const ATTACKS: Attack[] = [
    // Buckets and keys found by what uses them, and every one judged.
    attack("the upload target is untagged and unencrypted", "backup-bucket", { untagged: true, noEncryption: true }),
    attack("the backup bucket is encrypted under AWS's managed key aws/s3", "backup-bucket", { kmsMasterKeyId: "alias/aws/s3" }),
    attack("the backup bucket is encrypted under another account's key", "backup-bucket", { kmsMasterKeyId: `arn:aws:kms:${REGION}:${OTHER}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0` }),
    attack("an extra bucket with nothing attached and no exception", "extra-bucket", { extra: extraBucket("extra-bucket", { bucket: "fixture-extra" }) }),
    attack("an extra auto-named bucket tagged as something else", "scratch", { extra: extraBucket("scratch", { tags: { "bulwark:purpose": "scratch" } }) }),
    attack("an extra KMS key without rotation (SYMMETRIC_DEFAULT named)", "extra-key", {
        extra: (o) => void new aws.kms.Key("extra-key", { description: "extra", customerMasterKeySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: false }, o),
    }),
    attack("the backup key with a made-up spec and rotation off", "backup-key", { key: { customerMasterKeySpec: "AES_256", enableKeyRotation: false } }),
    // Principals in bucket and key policies.
    ...FOREIGN_PRINCIPALS.map(([how, statement]) => attack(`a bucket policy grants ${how}`, "access-logs-policy", { logStatements: [statement] })),
    ...KEY_POLICY_PRINCIPALS.map(([how, policy]) => attack(`the backup key's policy allows ${how}`, "backup-key", { key: { policy } })),
    attack("a separate KeyPolicy allows '*'", "backup-key-policy", { extra: (o) => void new aws.kms.KeyPolicy("backup-key-policy", { keyId: "fixture-key-id", policy: keyPolicy("*") }, o) }),
    attack("a KMS grant to another account", "foreign-grant", {
        extra: (o) => void new aws.kms.Grant("foreign-grant", { keyId: "fixture-key-id", granteePrincipal: `arn:aws:iam::${OTHER}:root`, operations: ["Decrypt"] }, o),
    }),
    // The account the principals are judged against is the one deployed to.
    attack("the provider is not pinned to the stack's account", "aws", { provider: { allowedAccountIds: undefined } }),
    attack("the provider is pinned to another account", "aws", { provider: { allowedAccountIds: [OTHER] } }),
    // The backup identity gets nothing beyond its judged documents.
    ...ATTACHMENTS.map(([how, extra]) => attack(`the backup identity gets ${how}`, extra.toString().match(/"([a-z0-9-]+)"/)![1], { extra })),
];

describe("adversarial aws: the unbroken program", function () {
    this.timeout(300_000);
    // The attacks prove something only if the compliant program has no mandatory violation on what they blame.
    for (const mode of MODES) {
        it(`raises no mandatory violation on any resource an attack blames (${mode})`, async () => {
            const result = await judgeAttack({ name: "compliant", blame: "", program: () => awsProgram(), config: CONFIG }, mode);
            const blamed = [...new Set(ATTACKS.map((a) => a.blame))];
            assert.deepEqual(blamed.flatMap((b) => mandatoryAgainst(result, b).map((v) => [v.policy, v.urn, v.message])), []);
        });
    }
});

describeAttacks("aws", ATTACKS);
