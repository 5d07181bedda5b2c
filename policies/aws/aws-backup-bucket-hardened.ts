// BAK-02 / DB-05 / BAK-04 / BAK-07: the off-site backup bucket is private,
// KMS-encrypted, versioned, TLS-only, expires old objects and logs access. In aws v7 each of those is its own
// resource naming the bucket, so a forgotten one is silent; this policy finds each by the bucket it names. A
// bucket is a backup bucket by its tag or by where the backups go, so an untagged bucket the uploader writes to
// gets every rule too.
import { PolicyResource } from "@pulumi/policy";
import { BUCKET_TYPES, isUnknown as unknownValue, KMS_KEY_TYPE, S3_COMPANIONS } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { deniesInsecureTransport, isUnknown, parsePolicyDocument } from "./lib/aws-refs";
import { BACKUP_BUCKET_CONFIG_SCHEMA, BackupBucketConfig, attachedTo, backupBuckets, namesOf } from "./lib/backup-buckets";

interface EncryptionRule {
    readonly applyServerSideEncryptionByDefault?: { readonly sseAlgorithm?: string; readonly kmsMasterKeyId?: string };
}

interface LifecycleRule {
    readonly status?: string;
    readonly expiration?: unknown;
    readonly noncurrentVersionExpiration?: unknown;
}

/** A companion's verdict: fit, unfit, or not decidable before apply. */
type Verdict = "ok" | "bad" | "unknown";

/** The best verdict among a bucket's companions of one kind. */
function best(verdicts: readonly Verdict[]): Verdict {
    return verdicts.includes("ok") ? "ok" : verdicts.includes("unknown") ? "unknown" : "bad";
}


const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** Lifecycle blocks are objects in aws v7 inputs but may be one-element lists in older state. */
function hasBlock(value: unknown): boolean {
    const block = Array.isArray(value) ? value[0] : value;
    return !!block && typeof block === "object" && Object.values(block).some((v) => v !== undefined && v !== null && v !== false);
}

/** A KMS key ARN unknown in a preview is still a key when the rules were built from a KMS Key of the stack. */
function encryption(r: PolicyResource): Verdict {
    const props = r.props as { rules?: unknown };
    if (unknownValue(props.rules)) {
        return "unknown";
    }
    const fromStackKey = (r.propertyDependencies.rules ?? []).some((d) => d.type === KMS_KEY_TYPE);
    const rules = Array.isArray(props.rules) ? (props.rules as EncryptionRule[]) : [];
    return best(
        rules.map((rule) => {
            if (unknownValue(rule)) {
                return "unknown";
            }
            const sse = rule?.applyServerSideEncryptionByDefault;
            if (unknownValue(sse) || isUnknown(sse, "sseAlgorithm")) {
                return "unknown";
            }
            if (!sse || !KMS_ALGORITHMS.includes(sse.sseAlgorithm ?? "")) {
                return "bad";
            }
            if (isUnknown(sse, "kmsMasterKeyId")) {
                return fromStackKey ? "ok" : "unknown";
            }
            return typeof sse.kmsMasterKeyId === "string" && sse.kmsMasterKeyId !== "" ? "ok" : "bad";
        }),
    );
}

function versioning(r: PolicyResource): Verdict {
    const props = r.props as { versioningConfiguration?: { status?: string } };
    if (isUnknown(props, "versioningConfiguration")) {
        return "unknown";
    }
    return props.versioningConfiguration?.status === "Enabled" ? "ok" : "bad";
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

function publicAccessMissing(props: Record<string, unknown>): string[] {
    return PUBLIC_ACCESS_FLAGS.filter((flag) => props[flag] !== true && !isUnknown(props, flag));
}

function publicAccess(r: PolicyResource): Verdict {
    const props = r.props as Record<string, unknown>;
    if (publicAccessMissing(props).length > 0) {
        return "bad";
    }
    return PUBLIC_ACCESS_FLAGS.some((flag) => isUnknown(props, flag)) ? "unknown" : "ok";
}

function tlsOnly(r: PolicyResource): Verdict {
    const doc = parsePolicyDocument((r.props as { policy?: unknown }).policy);
    if (doc.kind === "unknown") {
        return "unknown";
    }
    return doc.kind === "ok" && doc.statements.some(deniesInsecureTransport) ? "ok" : "bad";
}

function lifecycle(r: PolicyResource): Verdict {
    const props = r.props as { rules?: unknown };
    if (isUnknown(props, "rules")) {
        return "unknown";
    }
    const rules = Array.isArray(props.rules) ? (props.rules as LifecycleRule[]) : [];
    return rules.some((rule) => rule && rule.status === "Enabled" && (hasBlock(rule.expiration) || hasBlock(rule.noncurrentVersionExpiration))) ? "ok" : "bad";
}

/** The bucket a companion is judged for: its resource and the names its companions refer to it by. */
interface BucketUnderCheck {
    readonly resource: PolicyResource;
    readonly ids: readonly string[];
}

/** A target unknown in a preview is another bucket when it was built from one. */
function loggingTarget(r: PolicyResource, bucket: BucketUnderCheck): Verdict {
    const target = r.props.targetBucket as unknown;
    if (unknownValue(target)) {
        return (r.propertyDependencies.targetBucket ?? []).some((d) => BUCKET_TYPES.includes(d.type) && d !== bucket.resource) ? "ok" : "unknown";
    }
    return typeof target === "string" && target !== "" && !bucket.ids.includes(target) ? "ok" : "bad";
}

/**
 * What a backup bucket needs from one kind of companion: `verdict` judges each attached one (the bucket passes
 * when one is fit), `field` names what a preview left unknown, and the violation says `missing` when none is
 * attached, `unfit` when none attached is fit (`found`), with `fix` (one for both, or one for each).
 */
interface CompanionCheck {
    readonly kind: keyof typeof S3_COMPANIONS;
    readonly field: string;
    readonly verdict: (companion: PolicyResource, bucket: BucketUnderCheck) => Verdict;
    readonly control: string;
    readonly missing: string;
    readonly unfit: string | ((found: readonly PolicyResource[]) => string);
    readonly fix: string | { readonly missing: string; readonly unfit: string };
}

/** The checks, in the order their violations are reported. */
const COMPANION_CHECKS: readonly CompanionCheck[] = [
    {
        kind: "encryption",
        field: "rules",
        verdict: encryption,
        control: "BAK-02, DB-05",
        missing: "has no server-side encryption configuration",
        unfit: "has server-side encryption without aws:kms and a kmsMasterKeyId",
        fix:
            "Add an aws.s3.BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault " +
            "{ sseAlgorithm: 'aws:kms', kmsMasterKeyId: <customer-managed key ARN> } and bucketKeyEnabled: true.",
    },
    {
        kind: "versioning",
        field: "versioningConfiguration",
        verdict: versioning,
        control: "BAK-02",
        missing: "has no versioning",
        unfit: "has versioning that is not Enabled",
        fix: "Add an aws.s3.BucketVersioning with versioningConfiguration { status: 'Enabled' }.",
    },
    {
        kind: "publicAccessBlock",
        field: "public access flags",
        verdict: publicAccess,
        control: "BAK-02",
        missing: "has no public access block",
        unfit: (found) => `has a public access block with ${publicAccessMissing(found[0].props).join(", ")} not true`,
        fix: {
            missing: "Add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
            unfit: "Set all four flags of its aws.s3.BucketPublicAccessBlock to true.",
        },
    },
    {
        kind: "policy",
        field: "policy",
        verdict: tlsOnly,
        control: "BAK-02",
        missing: "has no bucket policy enforcing TLS",
        unfit: "has a bucket policy that does not deny requests without TLS",
        fix:
            "Add to its aws.s3.BucketPolicy a statement { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: " +
            "[bucket ARN, bucket ARN/*], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }.",
    },
    {
        kind: "lifecycle",
        field: "rules",
        verdict: lifecycle,
        control: "BAK-04",
        missing: "has no lifecycle configuration, so backups are kept forever",
        unfit: "has no enabled lifecycle rule that expires objects",
        fix:
            "Add an aws.s3.BucketLifecycleConfiguration with an 'Enabled' rule setting expiration { days } and/or " +
            "noncurrentVersionExpiration { noncurrentDays } to the retention period.",
    },
    {
        kind: "logging",
        field: "targetBucket",
        verdict: loggingTarget,
        control: "BAK-07",
        missing: "has no access logging",
        unfit: "logs access into itself (or nowhere)",
        fix: {
            missing: "Add an aws.s3.BucketLogging with targetBucket set to a separate log bucket.",
            unfit: "Point its aws.s3.BucketLogging targetBucket at a separate log bucket.",
        },
    },
];

/** What the violation says when no companion of the check's kind is fit: none is attached, or those `found` are not. */
function finding(check: CompanionCheck, found: readonly PolicyResource[]): { problem: string; fix: string } {
    const fix = (which: "missing" | "unfit") => (typeof check.fix === "string" ? check.fix : check.fix[which]);
    if (found.length === 0) {
        return { problem: check.missing, fix: fix("missing") };
    }
    return { problem: typeof check.unfit === "string" ? check.unfit : check.unfit(found), fix: fix("unfit") };
}

export const awsBackupBucketHardened = stackPolicy({
    name: "aws-backup-bucket-hardened",
    controls: ["BAK-02", "DB-05", "BAK-04", "BAK-07"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Each backup bucket has, attached by its `bucket` name: SSE " +
        "with aws:kms and a KMS key, versioning Enabled, a public access block with all four flags true, a bucket " +
        "policy denying aws:SecureTransport=false, an enabled lifecycle rule that expires objects or noncurrent " +
        "versions, and access logging to another bucket. A backup bucket is one tagged bulwark:purpose=backups, or one " +
        "the backups flow to: named in the env of a backup container (role backup, backup-uploader) or in the " +
        "resources of the backup identity's IAM policy, or one those values are built from (property dependencies).",
    remediationSteps:
        "Create, for the backup bucket, aws.s3.BucketServerSideEncryptionConfiguration (sseAlgorithm 'aws:kms', " +
        "kmsMasterKeyId: key.arn), aws.s3.BucketVersioning (status 'Enabled'), aws.s3.BucketPublicAccessBlock " +
        "(all four true), aws.s3.BucketPolicy (Deny when aws:SecureTransport is false), " +
        "aws.s3.BucketLifecycleConfiguration (expiration / noncurrentVersionExpiration) and aws.s3.BucketLogging " +
        "(targetBucket: the log bucket), each with `bucket: backupBucket.bucket`.",
    configSchema: {
        properties: { ...BACKUP_BUCKET_CONFIG_SCHEMA },
    },
    validateStack: (args, reportViolation) => {
        for (const bucket of backupBuckets(args, args.getConfig<BackupBucketConfig>())) {
            const ids = namesOf(bucket);
            const bucketName = ids[0] ?? bucket.name;
            const checked: BucketUnderCheck = { resource: bucket, ids };
            // Each kind is judged by its best companion: none fit is reported, an undecidable one is left to apply.
            for (const check of COMPANION_CHECKS) {
                const found = attachedTo(args, bucket, S3_COMPANIONS[check.kind]);
                const result = found.length === 0 ? "bad" : best(found.map((c) => check.verdict(c, checked)));
                if (result === "unknown") {
                    found.forEach((c) => markUndecided(args, c.urn, check.field));
                } else if (result === "bad") {
                    const { problem, fix } = finding(check, found);
                    reportViolation(`[${check.control}] Backup bucket '${bucketName}' ${problem}. ${fix}`, bucket.urn);
                }
            }
        }
    },
});
