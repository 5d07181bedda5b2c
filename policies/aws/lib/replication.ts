// The replication of backup buckets, as the policies that judge a second off-site copy see it: each
// BucketReplicationConfig on a backup bucket, the bucket and KMS key each enabled rule writes to, and the role S3
// assumes for it. Each is found by its known name or ARN, or, in a preview where those are unknown, by the
// engine's record of what the value was built from (property dependencies).
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { BUCKET_TYPES, containsUnknown, IAM_ROLE_TYPE, isUnknown, KMS_KEY_TYPE, S3_COMPANIONS } from "bulwark-vocabulary";
import { configuredObject, engineStackConfig } from "../../lib/stack-config";
import { bucketNamesIn } from "./aws-refs";
import { BackupBucketConfig, attachedTo, backupBuckets, namesOf } from "./backup-buckets";

export interface ReplicationRule {
    readonly id?: unknown;
    readonly status?: unknown;
    readonly prefix?: unknown;
    readonly filter?: unknown;
    readonly deleteMarkerReplication?: { readonly status?: unknown };
    readonly sourceSelectionCriteria?: { readonly sseKmsEncryptedObjects?: { readonly status?: unknown } };
    readonly destination?: { readonly bucket?: unknown; readonly encryptionConfiguration?: { readonly replicaKmsKeyId?: unknown } };
}

/** One replication configuration of a backup bucket. */
export interface Replication {
    readonly source: PolicyResource;
    readonly config: PolicyResource;
}

/** Every backup bucket's replication configurations, and the buckets they write to. */
export function replicationsOf(args: StackValidationArgs, config: BackupBucketConfig): { backups: PolicyResource[]; replications: Replication[] } {
    const backups = backupBuckets(args, config);
    return { backups, replications: backups.flatMap((source) => attachedTo(args, source, S3_COMPANIONS.replication).map((c) => ({ source, config: c }))) };
}

/** The rules of a configuration; "unknown" when the list, or a rule in it, is unknown at preview. */
export function rulesOf(config: PolicyResource): ReplicationRule[] | "unknown" {
    const rules = (config.props as { rules?: unknown }).rules;
    if (isUnknown(rules)) {
        return "unknown";
    }
    if (Array.isArray(rules) && rules.some(isUnknown)) {
        return "unknown"; // a rule unknown as a whole could be the enabled one
    }
    return Array.isArray(rules) ? rules.filter((r): r is ReplicationRule => !!r && typeof r === "object") : [];
}

export const ruleLabel = (rule: ReplicationRule, index: number) => (typeof rule.id === "string" && rule.id !== "" ? `rule '${rule.id}'` : `rule #${index + 1}`);

/** Resources of `types` a configuration's `field` was built from (how a preview knows an unknown ARN's origin). */
export function builtFrom(config: PolicyResource, field: string, types: readonly string[]): PolicyResource[] {
    return (config.propertyDependencies[field] ?? []).filter((d) => types.includes(d.type));
}

/**
 * The bucket a rule writes to: by its known ARN ("none" when the stack manages no such bucket), or, when the ARN
 * is unknown, the one bucket the rules were built from; "unknown" when that does not single one out.
 */
export function destinationOf(args: StackValidationArgs, replication: Replication, rule: ReplicationRule): PolicyResource | "none" | "unknown" {
    const arn = rule.destination?.bucket;
    if (typeof arn === "string" && !isUnknown(arn)) {
        const name = bucketNamesIn([arn])[0];
        return args.resources.find((r) => BUCKET_TYPES.includes(r.type) && name !== undefined && namesOf(r).includes(name)) ?? "none";
    }
    const candidates = builtFrom(replication.config, "rules", BUCKET_TYPES).filter((b) => b !== replication.source);
    return candidates.length === 1 ? candidates[0] : "unknown";
}

/** The KMS keys of the stack a bucket's default encryption names (known ARN or built from). */
export function encryptionKeysOf(args: StackValidationArgs, bucket: PolicyResource): { arns: string[]; keys: PolicyResource[] } {
    const configs = attachedTo(args, bucket, S3_COMPANIONS.encryption);
    const arns = configs.flatMap((c) => {
        const rules = (c.props as { rules?: unknown }).rules;
        return Array.isArray(rules)
            ? rules.map((r) => r?.applyServerSideEncryptionByDefault?.kmsMasterKeyId).filter((a): a is string => typeof a === "string" && !isUnknown(a))
            : [];
    });
    const keys = configs.flatMap((c) => builtFrom(c, "rules", [KMS_KEY_TYPE]));
    return { arns, keys: [...new Set([...keys, ...args.resources.filter((r) => r.type === KMS_KEY_TYPE && arns.includes(String(r.props.arn)))])] };
}

/** The role a configuration names: by known ARN ("none" when the stack manages no such role), else what it was built from. */
export function roleOf(args: StackValidationArgs, config: PolicyResource): PolicyResource | "none" | "unknown" {
    const arn = (config.props as { role?: unknown }).role;
    if (typeof arn === "string" && !containsUnknown(arn)) {
        return args.resources.find((r) => r.type === IAM_ROLE_TYPE && r.props.arn === arn) ?? "none";
    }
    const roles = builtFrom(config, "role", [IAM_ROLE_TYPE]);
    return roles.length === 1 ? roles[0] : "unknown";
}

/** The replica the stack configures (bulwark:offsiteBackup.replica), as the program reads it; undefined: none. */
export function configuredReplica(): { region?: string } | undefined {
    return offsiteConfig().replica;
}

/** The primary's region as the stack configures it (bulwark:offsiteBackup.region). */
export function configuredPrimaryRegion(): string | undefined {
    return offsiteConfig().region;
}

function offsiteConfig(): { region?: string; replica?: { region?: string } } {
    const offsite = configuredObject(engineStackConfig() ?? {}, "offsiteBackup");
    if (offsite.enabled === false || offsite.enabled === "false") {
        return {};
    }
    const replica = offsite.replica && typeof offsite.replica === "object" ? (offsite.replica as { region?: unknown }) : undefined;
    return {
        region: typeof offsite.region === "string" ? offsite.region : undefined,
        replica: replica ? { region: typeof replica.region === "string" ? replica.region : undefined } : undefined,
    };
}
