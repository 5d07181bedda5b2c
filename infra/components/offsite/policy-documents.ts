// The IAM and S3 bucket policy documents of the off-site backup (../offsite.ts), as typed builders returning
// aws.iam.PolicyDocument / aws.iam.PolicyStatement, the way awsx and pulumi-eks write theirs: each statement is
// written once, here, and the component only says which document each resource gets. Every statement has its
// keys in one order (Sid, Effect, Principal, Action, Resource, Condition: allow/deny below), so the JSON a
// resource receives does not depend on which builder wrote it. ARNs are pulumi.Input: the program passes
// Outputs, the policy pack's test fixtures plain strings (and get plain strings back).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A statement's Condition block: operator -> condition key -> value(s). */
export type Conditions = Record<string, Record<string, unknown>>;

type Arn = pulumi.Input<string>;

/** What follows Sid and Effect in a statement; Action is always named. */
type StatementBody = Required<Pick<aws.iam.PolicyStatement, "Action">> & Pick<aws.iam.PolicyStatement, "Principal" | "Resource" | "Condition">;

function statement(Sid: string, Effect: "Allow" | "Deny", { Principal, Action, Resource, Condition }: StatementBody): aws.iam.PolicyStatement {
    return {
        Sid,
        Effect,
        ...(Principal === undefined ? {} : { Principal }),
        Action,
        ...(Resource === undefined ? {} : { Resource }),
        ...(Condition === undefined ? {} : { Condition }),
    };
}

const allow = (Sid: string, body: StatementBody) => statement(Sid, "Allow", body);
const deny = (Sid: string, body: StatementBody) => statement(Sid, "Deny", body);

/** A document of the current policy language version holding the statements, in order. */
function policyDocument(...Statement: aws.iam.PolicyStatement[]): aws.iam.PolicyDocument {
    return { Version: "2012-10-17", Statement };
}

/** "<bucket ARN>/*": plain for a plain ARN. */
function objectsOf(bucketArn: Arn): Arn {
    return typeof bucketArn === "string" ? `${bucketArn}/*` : pulumi.interpolate`${bucketArn}/*`;
}

/** The bucket and every object in it. */
function bucketAndObjects(bucketArn: Arn): Arn[] {
    return [bucketArn, objectsOf(bucketArn)];
}

// ---- KMS through S3 -----------------------------------------------------------------------------------------

/**
 * KMS used only through S3 in the bucket's region, on that bucket's objects: with S3 Bucket Keys the encryption
 * context is the bucket's ARN, without them the object's.
 */
export function kmsViaS3(region: string, bucketArn: Arn): Conditions {
    return {
        StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": bucketAndObjects(bucketArn) },
    };
}

// ---- the uploader (IAM user) ------------------------------------------------------------------------------

/**
 * Actions the backup identity is granted, and all it needs to upload a backup of any size (single PUT or
 * multipart) under SSE-KMS: s3:PutObject covers PutObject, CreateMultipartUpload, UploadPart and
 * CompleteMultipartUpload; s3:AbortMultipartUpload lets it drop its own interrupted upload; kms:GenerateDataKey
 * (CreateMultipartUpload, PutObject) and kms:Decrypt (UploadPart: S3 reads the encrypted parts back before it
 * completes), per https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html (Permissions).
 */
export const BACKUP_IDENTITY_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload", "kms:GenerateDataKey", "kms:Decrypt"] as const;

/** The uploader's IAM policy: BACKUP_IDENTITY_ACTIONS on the bucket's objects and its key, nothing else. */
export function uploaderPolicy(region: string, bucketArn: Arn, kmsKeyArn: Arn): aws.iam.PolicyDocument {
    const [putObject, abort, generateDataKey, decrypt] = BACKUP_IDENTITY_ACTIONS;
    return policyDocument(
        allow("PutBackups", { Action: [putObject, abort], Resource: objectsOf(bucketArn) }),
        allow("EncryptBackups", { Action: [generateDataKey], Resource: kmsKeyArn }),
        // Decrypt is a read permission: only through S3, on this bucket, where the identity cannot GetObject.
        allow("DecryptUploadedParts", { Action: [decrypt], Resource: kmsKeyArn, Condition: kmsViaS3(region, bucketArn) }),
    );
}

// ---- S3 replication's role --------------------------------------------------------------------------------

/**
 * A role's trust policy: the AWS service may assume it, nobody else, and only on behalf of the stack's own
 * account (aws:SourceAccount), so another account's bucket cannot have S3 use this role (the confused deputy,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function allowAssumeRoleBy(Sid: string, service: string, sourceAccount: string): aws.iam.PolicyDocument {
    return policyDocument(allow(Sid, { Principal: { Service: service }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }));
}

/** One end of the replication, as the role's policy names it. */
export interface ReplicationEnd {
    readonly region: string;
    readonly bucketArn: Arn;
    readonly kmsKeyArn: Arn;
}

/**
 * S3 replication's role may read the source's versions (and decrypt them under the source key, through S3 in
 * the source region only) and write replicas (encrypted under the replica's key, through S3 in its region):
 * the permissions S3 documents for replicating SSE-KMS objects, and no delete (s3:ReplicateDelete) at all.
 */
export function replicationRolePolicy(source: ReplicationEnd, replica: ReplicationEnd): aws.iam.PolicyDocument {
    const viaS3 = (end: ReplicationEnd) => kmsViaS3(end.region, end.bucketArn);
    return policyDocument(
        allow("ReadSourceConfiguration", { Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: source.bucketArn }),
        allow("ReadSourceVersions", {
            Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            Resource: objectsOf(source.bucketArn),
        }),
        allow("WriteReplicas", { Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: objectsOf(replica.bucketArn) }),
        allow("DecryptSource", { Action: ["kms:Decrypt"], Resource: source.kmsKeyArn, Condition: viaS3(source) }),
        allow("EncryptReplicas", { Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: replica.kmsKeyArn, Condition: viaS3(replica) }),
    );
}

// ---- bucket policies --------------------------------------------------------------------------------------

/** Requests without TLS are denied on the bucket and its objects. */
export function denyInsecureTransport(bucketArn: Arn): aws.iam.PolicyStatement {
    return deny("DenyInsecureTransport", {
        Principal: "*",
        Action: "s3:*",
        Resource: bucketAndObjects(bucketArn),
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
}

/**
 * The bucket policy's statements that guard uploads, each a Deny of s3:PutObject to every principal, by the
 * condition keys S3 documents: s3:if-none-match (conditional writes), s3:ObjectCreationOperation, the SSE request
 * headers' keys (s3:x-amz-server-side-encryption, -aws-kms-key-id, -customer-algorithm) and aws:SourceIp.
 *
 * Multipart: CreateMultipartUpload, UploadPart and CompleteMultipartUpload are all s3:PutObject. Only PutObject
 * and CompleteMultipartUpload take If-None-Match; S3 sets s3:ObjectCreationOperation false on the three that
 * cannot (CreateMultipartUpload, UploadPart, UploadPartCopy), which exempts them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html). The SSE headers travel
 * on PutObject and CreateMultipartUpload only (UploadPart and CompleteMultipartUpload take none), and IAM treats
 * a missing key as matching StringNotEquals, so each encryption guard applies only when the request names an
 * encryption (Null false): it denies naming anything but SSE-KMS under the stack's key. A request naming none
 * gets the bucket's default encryption, the stack's key (the component's hardenBucket).
 */
export function uploadGuardStatements(objects: Arn, kmsKeyArn: Arn, allowedSourceCidrs: readonly string[]): aws.iam.PolicyStatement[] {
    const denyPut = (Sid: string, Condition: Conditions) => deny(Sid, { Principal: "*", Action: "s3:PutObject", Resource: objects, Condition });
    const SSE = "s3:x-amz-server-side-encryption";
    const KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
    return [
        // Without If-None-Match a PUT or a Complete replaces the current version; with it S3 answers 412 for an
        // existing key. IfExists: a request that does not carry s3:ObjectCreationOperation is denied too.
        denyPut("DenyOverwrites", { Null: { "s3:if-none-match": "true" }, BoolIfExists: { "s3:ObjectCreationOperation": "true" } }),
        denyPut("DenyOtherEncryption", { Null: { [SSE]: "false" }, StringNotEquals: { [SSE]: "aws:kms" } }),
        denyPut("DenyOtherKmsKeys", { Null: { [KEY]: "false" }, StringNotEquals: { [KEY]: kmsKeyArn } }),
        // SSE-KMS naming no key is encrypted under the AWS managed key aws/s3 (API_CreateMultipartUpload.html).
        denyPut("DenyKmsWithoutKey", { Null: { [SSE]: "false", [KEY]: "true" } }),
        // SSE-C names no x-amz-server-side-encryption at all, and a key the stack does not hold.
        denyPut("DenyCustomerKeys", { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } }),
        ...(allowedSourceCidrs.length > 0 ? [denyPut("DenyUploadsFromElsewhere", { NotIpAddress: { "aws:SourceIp": [...allowedSourceCidrs] } })] : []),
    ];
}

/** Object actions a backup bucket's policy keeps from every principal but the listed ones. */
const PRINCIPAL_GUARDED_ACTIONS = ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:ListBucket*"];

/** What the identity that writes into a backup bucket may never do there: delete, or change the rules that keep backups. */
const WRITER_DENIED_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy"];

/** S3 replication writes with s3:Replicate*: guarded like the object actions, and its delete denied to the writer. */
const REPLICATION_GUARDED_ACTIONS = ["s3:Replicate*"];
const REPLICATION_DENIED_ACTIONS = ["s3:ReplicateDelete"];

/** Object actions only, so the deploying identity can still manage the bucket itself. */
function denyUnlistedPrincipals(bucketArn: Arn, allowed: readonly Arn[], actions: readonly string[]): aws.iam.PolicyStatement {
    return deny("DenyUnlistedPrincipals", {
        Principal: "*",
        Action: [...actions],
        Resource: bucketAndObjects(bucketArn),
        Condition: { ArnNotEquals: { "aws:PrincipalArn": pulumi.all([...allowed]) } },
    });
}

function denyWriterDeletes(Sid: string, writerArn: Arn, bucketArn: Arn, actions: readonly string[]): aws.iam.PolicyStatement {
    return deny(Sid, { Principal: { AWS: writerArn }, Action: [...actions], Resource: bucketAndObjects(bucketArn) });
}

/** The one identity that writes into a backup bucket: the uploader into the primary, S3 replication into the replica. */
export interface BackupWriter {
    readonly arn: Arn;
    /** The Sid of the statement that denies it deletes. */
    readonly sid: string;
    /** Whether it is S3 replication's role, which writes (and would delete) with s3:Replicate* actions. */
    readonly replication: boolean;
}

export interface BackupBucketPolicyArgs {
    readonly bucketArn: Arn;
    /** The stack's key for this bucket: uploads may name no other. */
    readonly kmsKeyArn: Arn;
    readonly writer: BackupWriter;
    /** The principals besides the writer that may use the bucket's objects (the writer comes first in the list). */
    readonly otherPrincipals: readonly Arn[];
    readonly allowedSourceCidrs: readonly string[];
}

/**
 * A backup bucket's policy (BAK-02, BAK-05): TLS only, nobody but the writer and the other listed principals, the
 * writer denied every delete, and uploads guarded (uploadGuardStatements).
 */
export function backupBucketPolicy(args: BackupBucketPolicyArgs): aws.iam.PolicyDocument {
    const { bucketArn, writer } = args;
    const replication = (actions: readonly string[]) => (writer.replication ? actions : []);
    return policyDocument(
        denyInsecureTransport(bucketArn),
        denyUnlistedPrincipals(bucketArn, [writer.arn, ...args.otherPrincipals], [...PRINCIPAL_GUARDED_ACTIONS, ...replication(REPLICATION_GUARDED_ACTIONS)]),
        denyWriterDeletes(writer.sid, writer.arn, bucketArn, [...WRITER_DENIED_ACTIONS, ...replication(REPLICATION_DENIED_ACTIONS)]),
        ...uploadGuardStatements(objectsOf(bucketArn), args.kmsKeyArn, args.allowedSourceCidrs),
    );
}

/** An access-log bucket's policy (BAK-07): TLS only, and S3's log delivery may put the source bucket's logs. */
export function accessLogBucketPolicy(logBucketArn: Arn, sourceBucketArn: Arn): aws.iam.PolicyDocument {
    return policyDocument(
        denyInsecureTransport(logBucketArn),
        allow("S3ServerAccessLogDelivery", {
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: objectsOf(logBucketArn),
            Condition: { ArnLike: { "aws:SourceArn": sourceBucketArn } },
        }),
    );
}
