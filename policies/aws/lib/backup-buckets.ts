// Which buckets hold backups, and the companion resources attached to each: shared by the policies that judge
// backup buckets. Closed world: every bucket of the stack is a backup bucket, but for one used only as another
// bucket's access-log target and one the policy config lists as an exception with a reason; a bucket the
// backups flow to (tagged, named in a backup container's env or in the backup identity's IAM policy, the source
// of those values, or a replication's destination) is one whatever the config says.
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { BUCKET_TYPES, IAM_POLICY_TYPES, isUnknown as unknownValue, S3_COMPANIONS } from "bulwark-vocabulary";
import { containerProps, containersOf, envsOf, roleOf } from "../../lib/docker-refs";
import { BACKUP_IDENTITY_MARKER_SCHEMA, bucketNamesIn, isBackupIdentityPolicy, parsePolicyDocument, tagsOf } from "./aws-refs";

/** A bucket the backup rules do not judge, and why (the compliance report and the messages show the reason). */
export interface BucketException {
    /** The bucket's Pulumi resource name, or its S3 name. */
    readonly bucket: string;
    readonly reason: string;
}

export interface BackupBucketConfig {
    backupTagKey: string;
    backupTagValue: string;
    backupIdentityMarker: string;
    bucketExceptions: BucketException[];
}

/** The settings that find backup buckets, the same in every policy that judges them. */
export const BACKUP_BUCKET_CONFIG_SCHEMA: Record<string, PolicyConfigJSONSchema> = {
    backupTagKey: { type: "string", default: "bulwark:purpose", description: "Tag key that marks a backup bucket" },
    backupTagValue: { type: "string", default: "backups", description: "Tag value that marks a backup bucket" },
    backupIdentityMarker: BACKUP_IDENTITY_MARKER_SCHEMA,
    bucketExceptions: {
        type: "array",
        default: [],
        description:
            "Buckets (Pulumi resource name or S3 name) that are not backup buckets, each with the reason; every other bucket " +
            "of the stack meets the backup rules. A bucket backups flow to is judged whatever this list says.",
        items: {
            type: "object",
            required: ["bucket", "reason"],
            additionalProperties: false,
            properties: { bucket: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1, pattern: "\\S" } },
        },
    },
};

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

/** Buckets some bucket's replication writes to: by known ARN, or what its rules were built from (preview). */
function replicationDestinations(args: StackValidationArgs, buckets: readonly PolicyResource[]): Set<PolicyResource> {
    const byName = new Map(buckets.flatMap((b) => namesOf(b).map((n) => [n, b] as const)));
    const result = new Set<PolicyResource>();
    for (const config of args.resources.filter((r) => S3_COMPANIONS.replication.includes(r.type as never))) {
        const source = new Set([...(config.propertyDependencies.bucket ?? []), ...buckets.filter((b) => namesOf(b).includes(String(config.props.bucket)))]);
        const rules = Array.isArray(config.props.rules) ? (config.props.rules as { destination?: { bucket?: unknown } }[]) : [];
        bucketNamesIn(rules.map((r) => r?.destination?.bucket)).forEach((n) => byName.has(n) && result.add(byName.get(n)!));
        (config.propertyDependencies.rules ?? []).filter((d) => BUCKET_TYPES.includes(d.type) && !source.has(d)).forEach((d) => result.add(d));
    }
    return result;
}

/** Buckets another bucket's access logging writes into: by known name, or what targetBucket was built from (preview). */
function accessLogTargets(args: StackValidationArgs, buckets: readonly PolicyResource[]): Set<PolicyResource> {
    const result = new Set<PolicyResource>();
    for (const logging of args.resources.filter((r) => S3_COMPANIONS.logging.includes(r.type as never))) {
        const target = logging.props.targetBucket;
        buckets.filter((b) => typeof target === "string" && namesOf(b).includes(target)).forEach((b) => result.add(b));
        (logging.propertyDependencies.targetBucket ?? []).filter((d) => BUCKET_TYPES.includes(d.type)).forEach((d) => result.add(d));
    }
    return result;
}

/** What each bucket of the stack is, found by what uses it. */
export interface BucketInventory {
    /** Every bucket that meets the backup rules: all but the access-log buckets and the listed exceptions. */
    readonly backups: PolicyResource[];
    /** Buckets only used as another bucket's access-log target: judged by the access-log rules. */
    readonly accessLogs: PolicyResource[];
    /** Buckets listed in bucketExceptions (and not used by the backups), with the reason. */
    readonly exceptions: { bucket: PolicyResource; reason: string }[];
}

/**
 * Closed world (issue 22): every bucket of the stack is a backup bucket unless something proves otherwise. A bucket
 * backups flow to (tagged, named by a backup container or the backup identity's policy, a replication's
 * destination) is always one; any other bucket is one too, unless it is used only as an access-log target or the
 * policy config lists it as an exception with a reason.
 */
export function bucketInventory(args: StackValidationArgs, config: BackupBucketConfig): BucketInventory {
    const all = args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
    const flowTargets = bucketsBackupsFlowTo(args, all, config.backupIdentityMarker);
    const destinations = replicationDestinations(args, all);
    const logTargets = accessLogTargets(args, all);
    const used = (r: PolicyResource) => tagsOf(r.props as BucketProps)[config.backupTagKey] === config.backupTagValue || flowTargets.has(r) || destinations.has(r);
    const exceptionOf = (r: PolicyResource) => (config.bucketExceptions ?? []).find((e) => e.bucket === r.name || namesOf(r).includes(e.bucket));
    const inventory: BucketInventory = { backups: [], accessLogs: [], exceptions: [] };
    for (const bucket of all) {
        const exception = exceptionOf(bucket);
        if (used(bucket)) {
            inventory.backups.push(bucket);
        } else if (logTargets.has(bucket)) {
            inventory.accessLogs.push(bucket);
        } else if (exception) {
            inventory.exceptions.push({ bucket, reason: exception.reason });
        } else {
            inventory.backups.push(bucket);
        }
    }
    return inventory;
}

/** The stack's backup buckets: every bucket but the access-log buckets and the listed exceptions (bucketInventory). */
export function backupBuckets(args: StackValidationArgs, config: BackupBucketConfig): PolicyResource[] {
    return bucketInventory(args, config).backups;
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
