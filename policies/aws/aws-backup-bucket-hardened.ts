// BAK-02 / DB-05 / BAK-04 / BAK-07: the off-site backup bucket is private,
// KMS-encrypted, versioned, TLS-only, expires old objects and logs access. In aws v7 each of those is its own
// resource naming the bucket, so a forgotten one is silent; this policy finds each by the bucket it names.
import { PolicyResource } from "@pulumi/policy";
import { stackPolicy } from "../lib/policy";
import { BUCKET_TYPES, S3_COMPANIONS, deniesInsecureTransport, isUnknown, parsePolicyDocument, tagsOf } from "./lib/aws-refs";

interface Config {
    backupTagKey: string;
    backupTagValue: string;
}

interface BucketProps {
    readonly bucket?: string;
    readonly id?: string;
    readonly tags?: unknown;
    readonly tagsAll?: unknown;
}

interface EncryptionRule {
    readonly applyServerSideEncryptionByDefault?: { readonly sseAlgorithm?: string; readonly kmsMasterKeyId?: string };
}

interface LifecycleRule {
    readonly status?: string;
    readonly expiration?: unknown;
    readonly noncurrentVersionExpiration?: unknown;
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** Lifecycle blocks are objects in aws v7 inputs but may be one-element lists in older state. */
function hasBlock(value: unknown): boolean {
    const block = Array.isArray(value) ? value[0] : value;
    return !!block && typeof block === "object" && Object.values(block).some((v) => v !== undefined && v !== null && v !== false);
}

function encryptionOk(props: { rules?: unknown }): boolean {
    if (isUnknown(props, "rules")) {
        return true;
    }
    const rules = Array.isArray(props.rules) ? (props.rules as EncryptionRule[]) : [];
    return rules.some((rule) => {
        const sse = rule?.applyServerSideEncryptionByDefault;
        if (!sse) {
            return false;
        }
        const algorithmOk = isUnknown(sse, "sseAlgorithm") || KMS_ALGORITHMS.includes(sse.sseAlgorithm ?? "");
        const keyOk = isUnknown(sse, "kmsMasterKeyId") || (typeof sse.kmsMasterKeyId === "string" && sse.kmsMasterKeyId !== "");
        return algorithmOk && keyOk;
    });
}

function versioningOk(props: { versioningConfiguration?: { status?: string } }): boolean {
    const config = props.versioningConfiguration;
    return isUnknown(props, "versioningConfiguration") || (!!config && (isUnknown(config, "status") || config.status === "Enabled"));
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

function publicAccessMissing(props: Record<string, unknown>): string[] {
    return PUBLIC_ACCESS_FLAGS.filter((flag) => props[flag] !== true && !isUnknown(props, flag));
}

function policyOk(props: { policy?: unknown }): boolean {
    const doc = parsePolicyDocument(props.policy);
    return doc.kind === "unknown" || (doc.kind === "ok" && doc.statements.some(deniesInsecureTransport));
}

function lifecycleOk(props: { rules?: unknown }): boolean {
    if (isUnknown(props, "rules")) {
        return true;
    }
    const rules = Array.isArray(props.rules) ? (props.rules as LifecycleRule[]) : [];
    return rules.some((r) => r && r.status === "Enabled" && (hasBlock(r.expiration) || hasBlock(r.noncurrentVersionExpiration)));
}

export const awsBackupBucketHardened = stackPolicy({
    name: "aws-backup-bucket-hardened",
    controls: ["BAK-02", "DB-05", "BAK-04", "BAK-07"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Each backup bucket (an S3 Bucket tagged bulwark:purpose=backups) has, attached by its `bucket` name: SSE " +
        "with aws:kms and a KMS key, versioning Enabled, a public access block with all four flags true, a bucket " +
        "policy denying aws:SecureTransport=false, an enabled lifecycle rule that expires objects or noncurrent " +
        "versions, and access logging to another bucket.",
    remediationSteps:
        "Create, for the backup bucket, aws.s3.BucketServerSideEncryptionConfiguration (sseAlgorithm 'aws:kms', " +
        "kmsMasterKeyId: key.arn), aws.s3.BucketVersioning (status 'Enabled'), aws.s3.BucketPublicAccessBlock " +
        "(all four true), aws.s3.BucketPolicy (Deny when aws:SecureTransport is false), " +
        "aws.s3.BucketLifecycleConfiguration (expiration / noncurrentVersionExpiration) and aws.s3.BucketLogging " +
        "(targetBucket: the log bucket), each with `bucket: backupBucket.bucket`.",
    configSchema: {
        properties: {
            backupTagKey: { type: "string", default: "bulwark:purpose", description: "Tag key that marks a backup bucket" },
            backupTagValue: { type: "string", default: "backups", description: "Tag value that marks a backup bucket" },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const buckets = args.resources.filter(
            (r) => BUCKET_TYPES.includes(r.type) && tagsOf(r.props as BucketProps)[config.backupTagKey] === config.backupTagValue,
        );
        for (const bucket of buckets) {
            const props = bucket.props as BucketProps;
            const ids = [props.bucket, props.id].filter((v): v is string => typeof v === "string" && v !== "");
            const bucketName = ids[0] ?? bucket.name;
            // By value, or, when names are unknown at preview, by the engine's record of what `bucket` came from.
            const attached = (types: readonly string[]): PolicyResource[] =>
                args.resources.filter(
                    (r) =>
                        types.includes(r.type) &&
                        ((typeof r.props.bucket === "string" && ids.includes(r.props.bucket)) ||
                            (r.propertyDependencies?.bucket ?? []).includes(bucket)),
                );
            const report = (control: string, problem: string, fix: string) =>
                reportViolation(`[${control}] Backup bucket '${bucketName}' ${problem}. ${fix}`, bucket.urn);

            const encryption = attached(S3_COMPANIONS.encryption);
            if (!encryption.some((r) => encryptionOk(r.props))) {
                report(
                    "BAK-02, DB-05",
                    encryption.length ? "has server-side encryption without aws:kms and a kmsMasterKeyId" : "has no server-side encryption configuration",
                    "Add an aws.s3.BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault " +
                        "{ sseAlgorithm: 'aws:kms', kmsMasterKeyId: <customer-managed key ARN> } and bucketKeyEnabled: true.",
                );
            }
            const versioning = attached(S3_COMPANIONS.versioning);
            if (!versioning.some((r) => versioningOk(r.props))) {
                report(
                    "BAK-02",
                    versioning.length ? "has versioning that is not Enabled" : "has no versioning",
                    "Add an aws.s3.BucketVersioning with versioningConfiguration { status: 'Enabled' }.",
                );
            }
            const blocks = attached(S3_COMPANIONS.publicAccessBlock);
            if (blocks.length === 0) {
                report("BAK-02", "has no public access block", "Add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.");
            } else if (blocks.every((r) => publicAccessMissing(r.props).length > 0)) {
                report(
                    "BAK-02",
                    `has a public access block with ${publicAccessMissing(blocks[0].props).join(", ")} not true`,
                    "Set all four flags of its aws.s3.BucketPublicAccessBlock to true.",
                );
            }
            const policies = attached(S3_COMPANIONS.policy);
            if (!policies.some((r) => policyOk(r.props))) {
                report(
                    "BAK-02",
                    policies.length ? "has a bucket policy that does not deny requests without TLS" : "has no bucket policy enforcing TLS",
                    "Add to its aws.s3.BucketPolicy a statement { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: " +
                        "[bucket ARN, bucket ARN/*], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }.",
                );
            }
            const lifecycles = attached(S3_COMPANIONS.lifecycle);
            if (!lifecycles.some((r) => lifecycleOk(r.props))) {
                report(
                    "BAK-04",
                    lifecycles.length ? "has no enabled lifecycle rule that expires objects" : "has no lifecycle configuration, so backups are kept forever",
                    "Add an aws.s3.BucketLifecycleConfiguration with an 'Enabled' rule setting expiration { days } and/or " +
                        "noncurrentVersionExpiration { noncurrentDays } to the retention period.",
                );
            }
            const logging = attached(S3_COMPANIONS.logging);
            const targets = logging.map((r) => r.props.targetBucket as unknown);
            if (logging.length === 0) {
                report("BAK-07", "has no access logging", "Add an aws.s3.BucketLogging with targetBucket set to a separate log bucket.");
            } else if (targets.every((t) => typeof t === "string" && (t === "" || ids.includes(t)))) {
                report("BAK-07", "logs access into itself (or nowhere)", "Point its aws.s3.BucketLogging targetBucket at a separate log bucket.");
            }
        }
    },
});
