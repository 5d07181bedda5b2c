// BAK-02 / DB-05 / BAK-04 / BAK-07: the off-site backup bucket is private,
// KMS-encrypted, versioned, TLS-only, expires old objects and logs access. In aws v7 each of those is its own
// resource naming the bucket, so a forgotten one is silent; this policy finds each by the bucket it names. A
// bucket is a backup bucket by its tag or by where the backups go, so an untagged bucket the uploader writes to
// gets every rule too.
import { PolicyResource } from "@pulumi/policy";
import { BUCKET_TYPES, containsUnknown, isUnknown as unknownValue, KMS_ALIAS_TYPE, KMS_KEY_TYPE, S3_COMPANIONS } from "bulwark-vocabulary";
import { markUndecided, policyDocumentUnknownAtPreview } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { deniesInsecureTransport, isUnknown, parsePolicyDocument } from "./lib/aws-refs";
import { BACKUP_BUCKET_CONFIG_SCHEMA, BackupBucketConfig, attachedTo, bucketInventory, namesOf } from "./lib/backup-buckets";

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

/**
 * Lifecycle blocks are objects in aws v7 inputs but may be one-element lists in older state. A block counts when
 * it sets a known value: the provider's computed attributes inside it are unknown in a preview and set nothing.
 */
function hasBlock(value: unknown): boolean {
    const block = Array.isArray(value) ? value[0] : value;
    return !!block && typeof block === "object" && Object.values(block).some((v) => v !== undefined && v !== null && v !== false && !unknownValue(v));
}

/**
 * What names a KMS key of the stack: each key's ARN, key id and id, and each alias (name or ARN) of the stack
 * that targets one of them. A backup bucket encrypted under any other key (AWS's managed aws/s3, another
 * account's) uses a key whose rotation, deletion window and key policy nothing here judges.
 */
export function stackKeyRefs(resources: readonly PolicyResource[]): Set<string> {
    const refs = new Set<string>();
    const keys = resources.filter((r) => r.type === KMS_KEY_TYPE);
    for (const key of keys) {
        [key.props.arn, key.props.keyId, key.props.id].forEach((v) => typeof v === "string" && v !== "" && !unknownValue(v) && refs.add(v));
    }
    for (const alias of resources.filter((r) => r.type === KMS_ALIAS_TYPE)) {
        const target = alias.props.targetKeyId;
        const targetsStackKey = (typeof target === "string" && refs.has(target)) || (alias.propertyDependencies.targetKeyId ?? []).some((d) => keys.includes(d));
        if (targetsStackKey) {
            [alias.props.name, alias.props.arn].forEach((v) => typeof v === "string" && v !== "" && !unknownValue(v) && refs.add(v));
        }
    }
    return refs;
}

/** The KMS key id a rule names when it is known and not a key of the stack (checked: `refs`). */
function foreignKey(r: PolicyResource, refs: ReadonlySet<string>): string | undefined {
    const rules = Array.isArray(r.props.rules) ? (r.props.rules as EncryptionRule[]) : [];
    return rules
        .map((rule) => rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId)
        .find((id): id is string => typeof id === "string" && id !== "" && !unknownValue(id) && !refs.has(id));
}

/** A KMS key ARN unknown in a preview is still a key when the rules were built from a KMS Key of the stack. */
function encryption(r: PolicyResource, bucket: BucketUnderCheck): Verdict {
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
            return typeof sse.kmsMasterKeyId === "string" && bucket.stackKeys.has(sse.kmsMasterKeyId) ? "ok" : "bad";
        }),
    );
}

function versioning(r: PolicyResource): Verdict {
    // Only `status` decides: the provider computes `mfaDelete`, which a preview holds unknown.
    const config = (r.props as { versioningConfiguration?: { status?: string } }).versioningConfiguration;
    if (unknownValue(config) || isUnknown(config, "status")) {
        return "unknown";
    }
    return config?.status === "Enabled" ? "ok" : "bad";
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
    // Each rule is read by the fields that decide it; the provider computes others (`prefix`), unknown in a preview.
    const props = r.props as { rules?: unknown };
    if (unknownValue(props.rules)) {
        return "unknown";
    }
    const rules = Array.isArray(props.rules) ? (props.rules as LifecycleRule[]) : [];
    return best(
        rules.map((rule) => {
            if (unknownValue(rule) || isUnknown(rule, "status")) {
                return "unknown";
            }
            if (!rule || rule.status !== "Enabled") {
                return "bad";
            }
            const blocks = [rule.expiration, rule.noncurrentVersionExpiration];
            return blocks.some(hasBlock) ? "ok" : blocks.some((b) => containsUnknown(b)) ? "unknown" : "bad";
        }),
    );
}

/** The bucket a companion is judged for: its resource and the names its companions refer to it by. */
interface BucketUnderCheck {
    readonly resource: PolicyResource;
    readonly ids: readonly string[];
    /** What names a KMS key of the stack (stackKeyRefs). */
    readonly stackKeys: ReadonlySet<string>;
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
    readonly unfit: string | ((found: readonly PolicyResource[], bucket: BucketUnderCheck) => string);
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
        unfit: (found, bucket) => {
            const foreign = found.map((c) => foreignKey(c, bucket.stackKeys)).find((k) => k !== undefined);
            return foreign === undefined
                ? "has server-side encryption without aws:kms and a kmsMasterKeyId"
                : `is encrypted under KMS key '${foreign}', which is not a key of this stack (its rotation, deletion window and key policy are judged nowhere)`;
        },
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
function finding(check: CompanionCheck, found: readonly PolicyResource[], bucket: BucketUnderCheck): { problem: string; fix: string } {
    const fix = (which: "missing" | "unfit") => (typeof check.fix === "string" ? check.fix : check.fix[which]);
    if (found.length === 0) {
        return { problem: check.missing, fix: fix("missing") };
    }
    return { problem: typeof check.unfit === "string" ? check.unfit : check.unfit(found, bucket), fix: fix("unfit") };
}

/** What an access-log bucket (one only used as another bucket's logging target) needs: closed to the public, TLS only. */
const ACCESS_LOG_CHECKS: readonly CompanionCheck["kind"][] = ["publicAccessBlock", "policy"];

/** Runs `checks` on one bucket's companions: none fit is reported, an undecidable one is left to apply. */
function judgeBucket(
    args: Parameters<Parameters<typeof stackPolicy>[0]["validateStack"]>[0],
    bucket: PolicyResource,
    checks: readonly CompanionCheck[],
    kind: string,
    stackKeys: ReadonlySet<string>,
    reportViolation: (message: string, urn: string) => void,
): void {
    const ids = namesOf(bucket);
    const bucketName = ids[0] ?? bucket.name;
    const checked: BucketUnderCheck = { resource: bucket, ids, stackKeys };
    for (const check of checks) {
        const found = attachedTo(args, bucket, S3_COMPANIONS[check.kind]);
        const result = found.length === 0 ? "bad" : best(found.map((c) => check.verdict(c, checked)));
        if (result === "unknown") {
            found.forEach((c) =>
                check.field === "policy" && unknownValue(c.props.policy)
                    ? policyDocumentUnknownAtPreview(args, c.urn, check.field, c.propertyDependencies.policy ?? [])
                    : markUndecided(args, c.urn, check.field),
            );
        } else if (result === "bad") {
            const { problem, fix } = finding(check, found, checked);
            reportViolation(`[${check.control}] ${kind} '${bucketName}' ${problem}. ${fix}`, bucket.urn);
        }
    }
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
        "versions, and access logging to another bucket; the KMS key is one of the stack's (by ARN, key id or an alias " +
        "of the stack, or built from one in a preview). Closed world: EVERY bucket of the stack is a backup bucket but " +
        "one used only as another bucket's access-log target (which needs the public access block and a TLS-only " +
        "policy) and one listed in bucketExceptions with a reason; a bucket the backups flow to (tagged " +
        "bulwark:purpose=backups, named in the env of a backup container or in the backup identity's IAM policy, built " +
        "from those values, or a replication's destination) is a backup bucket whatever the config says. Buckets and " +
        "companions are related by name or, in a preview, by the engine's property dependencies.",
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
        const inventory = bucketInventory(args, args.getConfig<BackupBucketConfig>());
        const stackKeys = stackKeyRefs(args.resources);
        for (const bucket of inventory.backups) {
            judgeBucket(args, bucket, COMPANION_CHECKS, "Backup bucket", stackKeys, reportViolation);
        }
        const logChecks = COMPANION_CHECKS.filter((c) => ACCESS_LOG_CHECKS.includes(c.kind));
        for (const bucket of inventory.accessLogs) {
            judgeBucket(args, bucket, logChecks, "Access-log bucket", stackKeys, reportViolation);
        }
    },
});
