// The off-site copy of the backups (BAK-02, BAK-04..BAK-07, DB-05): an S3 bucket encrypted under a
// customer-managed KMS key with rotation, versioned, closed to the public, TLS-only, readable only by named
// admins, expiring by the retention config, with its access logged to a second bucket; and a dedicated IAM
// user that may only put objects into it. Uploads may only create keys (If-None-Match: *), only under the
// stack's KMS key, and, when configured, only from the listed source addresses: a stolen uploader key can
// neither replace a backup nor write one the stack's key does not protect.
//
// Why conditional writes and not Object Lock: this provider turns Object Lock on only for a new bucket
// (object_lock_enabled forces replacement), so the prod bucket holding the backups would have to be replaced;
// and a locked version outlives every erasure request for its retention. With every PUT conditional and the
// uploader denied every delete, no upload replaces a backup, and versioning keeps what an admin changes.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupRetention, FIRST_ACCESS_KEY_GENERATION, OffsiteBackupConfig } from "../config";

/** Tag that marks a bucket as holding backups; the policy pack finds backup buckets by it. */
export const BACKUP_BUCKET_TAG = { key: "bulwark:purpose", value: "backups" } as const;

/** Actions the backup identity is granted: writing new objects, and the KMS data key that SSE-KMS needs. */
export const BACKUP_IDENTITY_ACTIONS = ["s3:PutObject", "kms:GenerateDataKey"] as const;

/**
 * The bucket policy's statements that guard uploads, each a Deny of s3:PutObject to every principal, by the
 * condition keys S3 documents: s3:if-none-match (conditional writes), s3:x-amz-server-side-encryption,
 * s3:x-amz-server-side-encryption-aws-kms-key-id (the key's ARN) and aws:SourceIp.
 */
export function uploadGuardStatements(
    objects: pulumi.Input<string>,
    kmsKeyArn: pulumi.Input<string>,
    allowedSourceCidrs: readonly string[],
): aws.iam.PolicyStatement[] {
    const deny = (Sid: string, Condition: Record<string, Record<string, unknown>>): aws.iam.PolicyStatement => ({
        Sid,
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: objects,
        Condition,
    });
    return [
        // Without If-None-Match a PUT replaces the current version; with it S3 answers 412 for an existing key.
        deny("DenyOverwrites", { Null: { "s3:if-none-match": "true" } }),
        deny("DenyUnencryptedUploads", { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } }),
        // The key is absent from a PUT that names no KMS key, which this denies too: each upload names the stack's.
        deny("DenyOtherKmsKeys", { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn } }),
        ...(allowedSourceCidrs.length > 0 ? [deny("DenyUploadsFromElsewhere", { NotIpAddress: { "aws:SourceIp": [...allowedSourceCidrs] } })] : []),
    ];
}

/**
 * The Pulumi name of a generation's access key. Generation "1" keeps the name the single key had before
 * rotation existed, so a stack upgraded with the default config keeps its key (same URN, no replacement).
 */
export function accessKeyResourceName(component: string, generation: string): string {
    return generation === FIRST_ACCESS_KEY_GENERATION ? `${component}-uploader-key` : `${component}-uploader-key-${generation}`;
}

export interface OffsiteBackupArgs {
    readonly stack: string;
    readonly config: OffsiteBackupConfig;
    readonly retention: BackupRetention;
}

/** Days the newest monthly backup must survive: the longest of the retention windows. */
export function retentionDays(retention: BackupRetention): number {
    return Math.max(retention.daily, retention.weekly * 7, retention.monthly * 31);
}

export class OffsiteBackup extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly logBucket: aws.s3.Bucket;
    readonly kmsKey: aws.kms.Key;
    readonly uploaderUser: aws.iam.User;
    /** The uploader's access keys, one per generation of offsiteBackup.accessKeys, oldest first. */
    readonly accessKeys: aws.iam.AccessKey[];
    /** The newest key's id and secret: what the uploader signs with. */
    readonly accessKeyId: pulumi.Output<string>;
    readonly secretAccessKey: pulumi.Output<string>;
    readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: OffsiteBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:stack:OffsiteBackup", name, {}, opts);
        const provider = new aws.Provider(`${name}-aws`, { region: args.config.region as aws.Region }, { parent: this });
        const child = { parent: this, provider };
        // Backups and their logs outlive a `pulumi destroy` unless someone empties them on purpose.
        const keep = { ...child, protect: true, retainOnDelete: true };
        const tags = { "bulwark:stack": args.stack };

        this.kmsKey = new aws.kms.Key(
            `${name}-key`,
            {
                description: `bulwark ${args.stack} off-site backups`,
                enableKeyRotation: true,
                deletionWindowInDays: args.config.kmsKeyDeletionWindowDays,
                tags,
            },
            keep,
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/bulwark-${args.stack}-backups`, targetKeyId: this.kmsKey.keyId }, child);

        // Access logs (BAK-07). S3 delivers server access logs only to SSE-S3 buckets.
        this.logBucket = new aws.s3.Bucket(`${name}-access-logs`, { forceDestroy: false, tags: { ...tags, "bulwark:purpose": "backup-access-logs" } }, keep);
        this.hardenBucket(`${name}-access-logs`, this.logBucket, { sseAlgorithm: "AES256" }, child);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-access-logs-lifecycle`,
            { bucket: this.logBucket.bucket, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 365 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }] },
            child,
        );

        this.bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucket: args.config.bucketName,
                forceDestroy: false,
                tags: { ...tags, [BACKUP_BUCKET_TAG.key]: BACKUP_BUCKET_TAG.value },
            },
            keep,
        );
        this.hardenBucket(`${name}-bucket`, this.bucket, { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKey.arn }, child);
        new aws.s3.BucketPolicy(
            `${name}-access-logs-policy`,
            {
                bucket: this.logBucket.bucket,
                policy: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [this.logBucket.arn, pulumi.interpolate`${this.logBucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        {
                            Sid: "S3ServerAccessLogDelivery",
                            Effect: "Allow",
                            Principal: { Service: "logging.s3.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${this.logBucket.arn}/*`,
                            Condition: { ArnLike: { "aws:SourceArn": this.bucket.arn } },
                        },
                    ],
                },
            },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-bucket-lifecycle`,
            {
                bucket: this.bucket.bucket,
                rules: [
                    {
                        id: "backup-retention",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: retentionDays(args.retention) },
                        noncurrentVersionExpiration: { noncurrentDays: args.config.noncurrentVersionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            child,
        );
        new aws.s3.BucketLogging(
            `${name}-bucket-logging`,
            { bucket: this.bucket.bucket, targetBucket: this.logBucket.bucket, targetPrefix: "backups/" },
            child,
        );

        // The backup identity (BAK-06): put-only, on this bucket and key alone.
        this.uploaderUser = new aws.iam.User(`${name}-uploader`, { name: `bulwark-${args.stack}-backup-uploader`, tags }, child);
        new aws.iam.UserPolicy(
            `${name}-uploader-policy`,
            {
                user: this.uploaderUser.name,
                policy: {
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "PutBackups", Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${this.bucket.arn}/*` },
                        { Sid: "EncryptBackups", Effect: "Allow", Action: ["kms:GenerateDataKey"], Resource: this.kmsKey.arn },
                    ],
                },
            },
            child,
        );
        // One access key per generation of offsiteBackup.accessKeys; the uploader uses the newest. A rotation
        // adds a generation (the new key exists, and the uploader switches to it, while the old one still
        // works), then drops the old one: the uploader never runs without a valid key (docs/runbooks.md).
        this.accessKeys = args.config.accessKeys.map(
            (generation) => new aws.iam.AccessKey(accessKeyResourceName(name, generation), { user: this.uploaderUser.name }, child),
        );
        const current = this.accessKeys[this.accessKeys.length - 1];
        this.accessKeyId = current.id;
        this.secretAccessKey = pulumi.secret(current.secret);

        // BAK-02, BAK-05: TLS only, nobody but the uploader and the named admins, and uploads guarded as above.
        const allowed = pulumi.all([this.uploaderUser.arn, ...args.config.adminPrincipalArns]);
        new aws.s3.BucketPolicy(
            `${name}-bucket-policy`,
            {
                bucket: this.bucket.bucket,
                policy: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                        {
                            // Object actions only, so the deploying identity can still manage the bucket itself.
                            Sid: "DenyUnlistedPrincipals",
                            Effect: "Deny",
                            Principal: "*",
                            Action: ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject", "s3:ListBucket*"],
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                            Condition: { ArnNotEquals: { "aws:PrincipalArn": allowed } },
                        },
                        {
                            Sid: "UploaderCannotDelete",
                            Effect: "Deny",
                            Principal: { AWS: this.uploaderUser.arn },
                            Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy"],
                            Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                        },
                        ...uploadGuardStatements(pulumi.interpolate`${this.bucket.arn}/*`, this.kmsKey.arn, args.config.allowedSourceCidrs),
                    ],
                },
            },
            child,
        );
        this.bucketName = this.bucket.bucket;
        this.registerOutputs({ bucketName: this.bucketName, logBucketName: this.logBucket.bucket, kmsKeyArn: this.kmsKey.arn });
    }

    /** Encryption, versioning, ownership and the public access block every bucket here gets. */
    private hardenBucket(
        name: string,
        bucket: aws.s3.Bucket,
        encryption: { sseAlgorithm: "AES256" } | { sseAlgorithm: "aws:kms"; kmsMasterKeyId: pulumi.Input<string> },
        opts: pulumi.CustomResourceOptions,
    ): void {
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: encryption, bucketKeyEnabled: encryption.sseAlgorithm === "aws:kms" }] },
            opts,
        );
        new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, opts);
        new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            opts,
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
    }
}
