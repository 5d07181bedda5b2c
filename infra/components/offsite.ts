// The off-site copy of the backups (BAK-02, BAK-04..BAK-07, DB-05): an S3 bucket encrypted under a
// customer-managed KMS key with rotation, versioned, closed to the public, TLS-only, readable only by named
// admins, expiring by the retention config, with its access logged to a second bucket; and a dedicated IAM
// user that may only put objects into it. With offsiteBackup.replica, S3 replicates every backup to a second
// bucket built the same way in another region under a key of its own; deletions are not replicated. Uploads may only create keys (If-None-Match: *), only under the
// stack's KMS key, and, when configured, only from the listed source addresses: a stolen uploader key can
// neither replace a backup nor write one the stack's key does not protect.
//
// Why conditional writes and not Object Lock: this provider turns Object Lock on only for a new bucket
// (object_lock_enabled forces replacement), so the prod bucket holding the backups would have to be replaced;
// and a locked version outlives every erasure request for its retention. With every PUT conditional and the
// uploader denied every delete, no upload replaces a backup, and versioning keeps what an admin changes.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, stackAccountOf } from "bulwark-vocabulary";
import { BackupRetention, FIRST_ACCESS_KEY_GENERATION, OffsiteBackupConfig, OffsiteReplicaConfig } from "../config";
import { accessLogBucketPolicy, allowAssumeRoleBy, backupBucketPolicy, type ReplicationEnd, replicationRolePolicy, uploaderPolicy } from "./offsite/policy-documents";

// The policy documents are built in offsite/policy-documents.ts; these are still exported from here, where the
// tests and the policy pack's fixtures import them.
export { BACKUP_IDENTITY_ACTIONS, denyInsecureTransport, kmsViaS3, replicationRolePolicy, uploadGuardStatements, uploaderPolicy } from "./offsite/policy-documents";
export type { ReplicationEnd } from "./offsite/policy-documents";

/** Tag that marks a bucket as holding backups; the policy pack finds backup buckets by it. */
export const BACKUP_BUCKET_TAG = { key: "bulwark:purpose", value: "backups" } as const;

/**
 * The Pulumi name of a generation's access key. Generation "1" keeps the name the single key had before
 * rotation existed, so a stack upgraded with the default config keeps its key (same URN, no replacement).
 */
export function accessKeyResourceName(component: string, generation: string): string {
    return generation === FIRST_ACCESS_KEY_GENERATION ? `${component}-uploader-key` : `${component}-uploader-key-${generation}`;
}

/** Where one copy of the backups lives: its bucket, the KMS key its objects are encrypted under, its access logs. */
export interface BackupSite {
    readonly bucket: aws.s3.Bucket;
    readonly kmsKey: aws.kms.Key;
    readonly logBucket: aws.s3.Bucket;
    /** The bucket's versioning: replication needs it on at both ends before it is configured. */
    readonly versioning: aws.s3.BucketVersioning;
}

interface BackupSiteArgs {
    /** Another region than the provider's, for the replica; omitted, the provider's (the primary). */
    readonly region?: string;
    readonly bucketName?: string;
    readonly keyDescription: string;
    readonly keyAlias: string;
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
    /** The copy in the second region, with offsiteBackup.replica. */
    readonly replica?: BackupSite;

    private readonly args: OffsiteBackupArgs;

    constructor(name: string, args: OffsiteBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.offsite, name, {}, opts);
        this.args = args;
        // Pinned to the stack's account (the one its admins are in, as the policy pack decides it): the provider
        // refuses to act in any other, so the account the pack judges principals against is the one deployed to.
        const provider = new aws.Provider(`${name}-aws`, { region: args.config.region as aws.Region, allowedAccountIds: [this.account()] }, { parent: this });
        const child = { parent: this, provider };

        const primary = this.backupSite(
            name,
            { bucketName: args.config.bucketName, keyDescription: `bulwark ${args.stack} off-site backups`, keyAlias: `alias/bulwark-${args.stack}-backups` },
            child,
        );
        this.bucket = primary.bucket;
        this.kmsKey = primary.kmsKey;
        this.logBucket = primary.logBucket;

        // The backup identity (BAK-06): put-only (and abort its own unfinished uploads), on this bucket and key alone.
        this.uploaderUser = new aws.iam.User(`${name}-uploader`, { name: `bulwark-${args.stack}-backup-uploader`, tags: this.tags() }, child);
        new aws.iam.UserPolicy(
            `${name}-uploader-policy`,
            {
                user: this.uploaderUser.name,
                policy: uploaderPolicy(args.config.region, this.bucket.arn, this.kmsKey.arn),
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

        const replication = args.config.replica ? this.replicate(name, primary, args.config.replica, child) : undefined;
        this.replica = replication?.site;

        // BAK-02, BAK-05: TLS only, nobody but the uploader, the replication and the named admins, uploads guarded.
        new aws.s3.BucketPolicy(
            `${name}-bucket-policy`,
            {
                bucket: this.bucket.bucket,
                policy: backupBucketPolicy({
                    bucketArn: this.bucket.arn,
                    kmsKeyArn: this.kmsKey.arn,
                    writer: { arn: this.uploaderUser.arn, sid: "UploaderCannotDelete", replication: false },
                    otherPrincipals: [...(replication ? [replication.role.arn] : []), ...args.config.adminPrincipalArns],
                    allowedSourceCidrs: args.config.allowedSourceCidrs,
                }),
            },
            child,
        );
        this.bucketName = this.bucket.bucket;
        this.registerOutputs({
            bucketName: this.bucketName,
            logBucketName: this.logBucket.bucket,
            kmsKeyArn: this.kmsKey.arn,
            ...(this.replica ? { replicaBucketName: this.replica.bucket.bucket, replicaKmsKeyArn: this.replica.kmsKey.arn } : {}),
        });
    }

    /** The stack's account: the one offsiteBackup.adminPrincipalArns are in (the config refuses any other case). */
    private account(): string {
        const account = stackAccountOf({ adminPrincipalArns: this.args.config.adminPrincipalArns });
        if ("problem" in account) {
            throw new Error(`offsiteBackup.adminPrincipalArns ${account.problem}`);
        }
        return account.account;
    }

    private tags(): Record<string, string> {
        return { "bulwark:stack": this.args.stack };
    }

    /**
     * A bucket for backups with everything BAK-02/04/07 and DB-05 ask of it: its own KMS key, the hardening of
     * hardenBucket, a lifecycle by the retention config, and access logs into a log bucket of its own region
     * (S3 delivers access logs only within a region). Backups and logs survive `pulumi destroy`.
     */
    private backupSite(name: string, site: BackupSiteArgs, child: pulumi.CustomResourceOptions): BackupSite {
        const keep = { ...child, protect: true, retainOnDelete: true };
        const tags = this.tags();
        const region = site.region === undefined ? {} : { region: site.region };
        const kmsKey = new aws.kms.Key(
            `${name}-key`,
            { ...region, description: site.keyDescription, enableKeyRotation: true, deletionWindowInDays: this.args.config.kmsKeyDeletionWindowDays, tags },
            keep,
        );
        new aws.kms.Alias(`${name}-key-alias`, { ...region, name: site.keyAlias, targetKeyId: kmsKey.keyId }, child);

        // Access logs (BAK-07). S3 delivers server access logs only to SSE-S3 buckets.
        const logBucket = new aws.s3.Bucket(`${name}-access-logs`, { ...region, forceDestroy: false, tags: { ...tags, "bulwark:purpose": "backup-access-logs" } }, keep);
        this.hardenBucket(`${name}-access-logs`, logBucket, { sseAlgorithm: "AES256" }, region, child);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-access-logs-lifecycle`,
            { ...region, bucket: logBucket.bucket, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 365 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }] },
            child,
        );

        const bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            { ...region, bucket: site.bucketName, forceDestroy: false, tags: { ...tags, [BACKUP_BUCKET_TAG.key]: BACKUP_BUCKET_TAG.value } },
            keep,
        );
        const versioning = this.hardenBucket(`${name}-bucket`, bucket, { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKey.arn }, region, child);
        new aws.s3.BucketPolicy(
            `${name}-access-logs-policy`,
            {
                ...region,
                bucket: logBucket.bucket,
                policy: accessLogBucketPolicy(logBucket.arn, bucket.arn),
            },
            child,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-bucket-lifecycle`,
            {
                ...region,
                bucket: bucket.bucket,
                rules: [
                    {
                        id: "backup-retention",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: retentionDays(this.args.retention) },
                        noncurrentVersionExpiration: { noncurrentDays: this.args.config.noncurrentVersionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            },
            child,
        );
        new aws.s3.BucketLogging(`${name}-bucket-logging`, { ...region, bucket: bucket.bucket, targetBucket: logBucket.bucket, targetPrefix: "backups/" }, child);
        return { bucket, kmsKey, logBucket, versioning };
    }

    /**
     * The second copy (offsiteBackup.replica): a backup site in the replica's region, a role S3 assumes to copy
     * each new backup there, and the replication rule. Delete markers are not replicated, so a deletion in the
     * primary (by its lifecycle or by hand) never removes the replica; the replica's own lifecycle expires it.
     */
    private replicate(name: string, primary: BackupSite, config: OffsiteReplicaConfig, child: pulumi.CustomResourceOptions): { site: BackupSite; role: aws.iam.Role } {
        const stack = this.args.stack;
        const site = this.backupSite(
            `${name}-replica`,
            { region: config.region, bucketName: config.bucketName, keyDescription: `bulwark ${stack} off-site backup replica (${config.region})`, keyAlias: `alias/bulwark-${stack}-backups-replica` },
            child,
        );
        // Named without "backup": the pack's backup-identity rule judges the uploader; this role has its own.
        const role = new aws.iam.Role(
            `${name}-replication-role`,
            {
                name: `bulwark-${stack}-offsite-replication`,
                assumeRolePolicy: allowAssumeRoleBy("S3Replication", "s3.amazonaws.com", this.account()),
                tags: this.tags(),
            },
            child,
        );
        const source: ReplicationEnd = { region: this.args.config.region, bucketArn: primary.bucket.arn, kmsKeyArn: primary.kmsKey.arn };
        const replica: ReplicationEnd = { region: config.region, bucketArn: site.bucket.arn, kmsKeyArn: site.kmsKey.arn };
        const rolePolicy = new aws.iam.RolePolicy(`${name}-replication-role-policy`, { role: role.name, policy: replicationRolePolicy(source, replica) }, child);

        new aws.s3.BucketPolicy(
            `${name}-replica-bucket-policy`,
            {
                region: config.region,
                bucket: site.bucket.bucket,
                policy: backupBucketPolicy({
                    bucketArn: site.bucket.arn,
                    kmsKeyArn: site.kmsKey.arn,
                    writer: { arn: role.arn, sid: "ReplicationCannotDelete", replication: true },
                    otherPrincipals: this.args.config.adminPrincipalArns,
                    allowedSourceCidrs: this.args.config.allowedSourceCidrs,
                }),
            },
            child,
        );
        new aws.s3.BucketReplicationConfig(
            `${name}-replication`,
            {
                bucket: primary.bucket.bucket,
                role: role.arn,
                rules: [
                    {
                        id: "backups-to-replica",
                        status: "Enabled",
                        filter: {},
                        deleteMarkerReplication: { status: "Disabled" },
                        // Without this S3 skips SSE-KMS objects, which every backup is.
                        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                        destination: { bucket: site.bucket.arn, encryptionConfiguration: { replicaKmsKeyId: site.kmsKey.arn } },
                    },
                ],
            },
            { ...child, dependsOn: [primary.versioning, site.versioning, rolePolicy] },
        );
        return { site, role };
    }

    /** Encryption, versioning, ownership and the public access block every bucket here gets. */
    private hardenBucket(
        name: string,
        bucket: aws.s3.Bucket,
        encryption: { sseAlgorithm: "AES256" } | { sseAlgorithm: "aws:kms"; kmsMasterKeyId: pulumi.Input<string> },
        region: { region?: string },
        opts: pulumi.CustomResourceOptions,
    ): aws.s3.BucketVersioning {
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { ...region, bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: encryption, bucketKeyEnabled: encryption.sseAlgorithm === "aws:kms" }] },
            opts,
        );
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { ...region, bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, opts);
        new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { ...region, bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            opts,
        );
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { ...region, bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
        return versioning;
    }
}
