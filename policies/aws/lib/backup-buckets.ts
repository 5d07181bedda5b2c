// Which buckets hold backups, and the companion resources attached to each: shared by the policies that judge
// backup buckets. A bucket is a backup bucket by its tag, or because the backups flow to it: named in a backup
// container's env or in the backup identity's IAM policy, or the source of those values.
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { BUCKET_TYPES, IAM_POLICY_TYPES, isUnknown as unknownValue } from "bulwark-vocabulary";
import { containerProps, containersOf, envsOf, roleOf } from "../../lib/docker-refs";
import { BACKUP_IDENTITY_MARKER_SCHEMA, bucketNamesIn, isBackupIdentityPolicy, parsePolicyDocument, tagsOf } from "./aws-refs";

export interface BackupBucketConfig {
    backupTagKey: string;
    backupTagValue: string;
    backupIdentityMarker: string;
}

/** The settings that find backup buckets, the same in every policy that judges them. */
export const BACKUP_BUCKET_CONFIG_SCHEMA = {
    backupTagKey: { type: "string", default: "bulwark:purpose", description: "Tag key that marks a backup bucket" },
    backupTagValue: { type: "string", default: "backups", description: "Tag value that marks a backup bucket" },
    backupIdentityMarker: BACKUP_IDENTITY_MARKER_SCHEMA,
} as const;

interface BucketProps {
    readonly bucket?: string;
    readonly id?: string;
    readonly tags?: unknown;
    readonly tagsAll?: unknown;
}

/** Roles whose env names where backups go. */
const BACKUP_WRITER_ROLES: readonly string[] = ["backup", "backup-uploader"];

/** The bucket's names, as its companions and ARNs refer to it; unknown values never name it. */
export function namesOf(bucket: PolicyResource): string[] {
    const props = bucket.props as BucketProps;
    return [props.bucket, props.id].filter((v): v is string => typeof v === "string" && v !== "" && !unknownValue(v));
}

/**
 * The buckets backups flow to, besides the tagged ones: named in a backup container's env or in the backup
 * identity's IAM policy resources, or the source of those values (their property dependencies).
 */
function bucketsBackupsFlowTo(args: StackValidationArgs, buckets: readonly PolicyResource[], marker: string): Set<PolicyResource> {
    const result = new Set<PolicyResource>();
    const byName = new Map(buckets.flatMap((b) => namesOf(b).map((n) => [n, b] as const)));
    const add = (names: readonly string[], deps: readonly PolicyResource[]) => {
        names.forEach((n) => byName.has(n) && result.add(byName.get(n)!));
        deps.filter((d) => BUCKET_TYPES.includes(d.type)).forEach((d) => result.add(d));
    };
    for (const c of containersOf(args.resources)) {
        const props = containerProps(c);
        const role = roleOf(props);
        if (role !== undefined && BACKUP_WRITER_ROLES.includes(role)) {
            add([...envsOf(props).values()].flatMap((e) => (e.value ? [e.value] : [])), c.propertyDependencies.envs ?? []);
        }
    }
    for (const r of args.resources) {
        if (IAM_POLICY_TYPES.includes(r.type) && isBackupIdentityPolicy(r.name, r.props as Record<string, unknown>, marker)) {
            const doc = parsePolicyDocument((r.props as { policy?: unknown }).policy);
            const names = doc.kind === "ok" ? doc.statements.flatMap((st) => bucketNamesIn(st.Resource)) : [];
            add(names, r.propertyDependencies.policy ?? []);
        }
    }
    return result;
}

/** The stack's backup buckets: tagged, or where backups flow. */
export function backupBuckets(args: StackValidationArgs, config: BackupBucketConfig): PolicyResource[] {
    const all = args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
    const flowTargets = bucketsBackupsFlowTo(args, all, config.backupIdentityMarker);
    return all.filter((r) => tagsOf(r.props as BucketProps)[config.backupTagKey] === config.backupTagValue || flowTargets.has(r));
}

/** Companions of `types` attached to the bucket: by its name, or, when names are unknown at preview, by the engine's record of what `bucket` came from. */
export function attachedTo(args: StackValidationArgs, bucket: PolicyResource, types: readonly string[]): PolicyResource[] {
    const ids = namesOf(bucket);
    return args.resources.filter(
        (r) =>
            types.includes(r.type) &&
            ((typeof r.props.bucket === "string" && ids.includes(r.props.bucket)) || (r.propertyDependencies?.bucket ?? []).includes(bucket)),
    );
}
