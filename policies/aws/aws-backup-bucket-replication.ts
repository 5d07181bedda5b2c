// BAK-02 / BAK-04 / DB-05: a second off-site copy that is one. S3 replication fails quietly in the ways that
// matter here: a rule without sseKmsEncryptedObjects skips every SSE-KMS object (every backup), a rule that
// replicates delete markers lets one deletion in the primary hide the copy too, a replica under the primary's key
// (or in its region) is lost with it, and a replica bucket outside the backup buckets escapes their hardening.
// So every replication of a backup bucket is judged, and a stack that configures offsiteBackup.replica must
// replicate each primary backup bucket.
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { CONFIG_NAMESPACE, containsUnknown, isUnknown, KMS_KEY_TYPE } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { BACKUP_BUCKET_CONFIG_SCHEMA, BackupBucketConfig, namesOf } from "./lib/backup-buckets";
import {
    Replication,
    ReplicationRule,
    builtFrom,
    configuredPrimaryRegion,
    configuredReplica,
    destinationOf,
    encryptionKeysOf,
    replicationsOf,
    ruleLabel,
    rulesOf,
} from "./lib/replication";

/** A whole-bucket rule: no filter, an empty one, or an empty prefix (the legacy form too). */
function coversWholeBucket(rule: ReplicationRule): boolean | "unknown" {
    if (containsUnknown(rule.filter) || containsUnknown(rule.prefix)) {
        return "unknown";
    }
    const filter = rule.filter as Record<string, unknown> | undefined;
    const emptyPrefix = (p: unknown) => p === undefined || p === null || p === "";
    const filterEmpty = !filter || Object.entries(filter).every(([k, v]) => v === undefined || v === null || (k === "prefix" && emptyPrefix(v)));
    return filterEmpty && emptyPrefix(rule.prefix);
}

const bucketLabel = (bucket: PolicyResource) => `'${namesOf(bucket)[0] ?? bucket.name}'`;

/** What a bucket's region is known to be: its own (explicit or read back), else, for the primary, the stack's config. */
function regionOf(bucket: PolicyResource, fallback?: string): string | undefined {
    const region = (bucket.props as { region?: unknown }).region;
    return typeof region === "string" && !isUnknown(region) ? region : fallback;
}

/** One check of an enabled rule: the violation's text (without the prefix), undefined when fine, "unknown" when a value it reads is. */
interface RuleCheck {
    readonly control: string;
    readonly judge: (rule: ReplicationRule) => string | undefined | "unknown";
}

/** "unknown" when any of `values` is unknown at preview, else `verdict()`. */
const unlessUnknown = (values: unknown[], verdict: () => string | undefined) => (values.some(containsUnknown) ? "unknown" : verdict());

const RULE_CHECKS: readonly RuleCheck[] = [
    {
        control: "BAK-02",
        judge: (r) => {
            const whole = coversWholeBucket(r);
            return whole === "unknown" ? "unknown" : whole ? undefined : "copies only part of the bucket (a filter or prefix). Replicate every object: `filter: {}`.";
        },
    },
    {
        control: "BAK-02, DB-05",
        judge: (r) =>
            unlessUnknown([r.sourceSelectionCriteria], () =>
                r.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status === "Enabled"
                    ? undefined
                    : "skips SSE-KMS objects, and every backup is one: nothing would be copied. Set `sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } }`.",
            ),
    },
    {
        control: "BAK-04",
        judge: (r) =>
            unlessUnknown([r.deleteMarkerReplication], () =>
                r.deleteMarkerReplication?.status === "Disabled"
                    ? undefined
                    : "replicates delete markers: one deletion in the primary (by hand, by a stolen key or by its lifecycle) would hide the copy too. " +
                      "Set `deleteMarkerReplication: { status: 'Disabled' }`; the replica's own lifecycle expires its objects.",
            ),
    },
    {
        control: "DB-05",
        // Only whether a key is named: an ARN unknown at preview is one (judgeReplicaKey decides which).
        judge: (r) =>
            isUnknown(r.destination) || isUnknown(r.destination?.encryptionConfiguration)
                ? "unknown"
                : r.destination?.encryptionConfiguration?.replicaKmsKeyId
                  ? undefined
                  : "gives the replicas no KMS key. Set `destination.encryptionConfiguration.replicaKmsKeyId` to a key of the replica's region that only the replica uses.",
    },
];

interface Report {
    (message: string, urn: string): void;
}

/** The replica's key must be its own: not one the primary's objects are encrypted under. */
function judgeReplicaKey(args: StackValidationArgs, replication: Replication, rule: ReplicationRule, where: string, report: Report): void {
    const keyArn = isUnknown(rule.destination) || isUnknown(rule.destination?.encryptionConfiguration) ? "unknown" : rule.destination?.encryptionConfiguration?.replicaKmsKeyId;
    if (keyArn === "unknown") {
        markUndecided(args, replication.config.urn, "rules");
        return;
    }
    if (!keyArn) {
        return;
    }
    const primary = encryptionKeysOf(args, replication.source);
    if (typeof keyArn === "string" && !isUnknown(keyArn)) {
        if (primary.arns.includes(keyArn)) {
            report(`[DB-05, BAK-02] ${where} encrypts the replicas under the primary bucket's own KMS key: disabling or deleting that one key loses both copies. Give the replica a KMS key of its own, in its region.`, replication.config.urn);
        }
        return;
    }
    const builtKeys = builtFrom(replication.config, "rules", [KMS_KEY_TYPE]);
    if (builtKeys.length === 0 || builtKeys.some((k) => primary.keys.includes(k))) {
        markUndecided(args, replication.config.urn, "rules");
    }
}

/** The rule's destination: a backup bucket of the stack, not the source, in another region. */
function judgeDestination(args: StackValidationArgs, replication: Replication, rule: ReplicationRule, backups: readonly PolicyResource[], where: string, report: Report): void {
    const destination = destinationOf(args, replication, rule);
    if (destination === "unknown") {
        markUndecided(args, replication.config.urn, "rules");
        return;
    }
    if (destination === "none") {
        report(
            `[BAK-02] ${where} writes to bucket ${JSON.stringify(rule.destination?.bucket)}, which this stack does not manage: nothing here checks its encryption, versioning, access or lifecycle. ` +
                "Declare the replica bucket in the stack, built like the primary (infra/components/offsite.ts).",
            replication.config.urn,
        );
        return;
    }
    if (destination === replication.source) {
        report(`[BAK-02] ${where} replicates the bucket into itself. Point \`destination.bucket\` at the replica bucket's ARN.`, replication.config.urn);
        return;
    }
    const tags = destination.props as { tags?: unknown; tagsAll?: unknown };
    if (!backups.includes(destination) && (containsUnknown(tags.tags) || containsUnknown(tags.tagsAll))) {
        markUndecided(args, destination.urn, "tags"); // its tag may yet make it a backup bucket
    } else if (!backups.includes(destination)) {
        report(
            `[BAK-02] ${where} writes to bucket ${bucketLabel(destination)}, which is not a backup bucket, so the rules for backup buckets (encryption, versioning, TLS, access, lifecycle, logging, upload guards) do not reach it. ` +
                "Tag it 'bulwark:purpose' = 'backups' and give it a backup bucket's companions.",
            replication.config.urn,
        );
    }
    const sourceRegion = regionOf(replication.source, configuredPrimaryRegion());
    const destinationRegion = regionOf(destination);
    if (sourceRegion === undefined || destinationRegion === undefined) {
        markUndecided(args, destination.urn, "region");
    } else if (sourceRegion === destinationRegion) {
        report(
            `[BAK-02] ${where} writes to bucket ${bucketLabel(destination)} in ${destinationRegion}, the primary's region: an outage or loss of the region takes both copies. Create the replica bucket in another region (\`region\`).`,
            replication.config.urn,
        );
    }
}

function judgeReplication(args: StackValidationArgs, replication: Replication, backups: readonly PolicyResource[], report: Report): void {
    const rules = rulesOf(replication.config);
    const where = (label: string) => `Replication '${replication.config.name}' of backup bucket ${bucketLabel(replication.source)}, ${label},`;
    if (rules === "unknown") {
        markUndecided(args, replication.config.urn, "rules");
        return;
    }
    if (rules.some((r) => isUnknown(r.status))) {
        markUndecided(args, replication.config.urn, "rules");
    }
    const enabled = rules.filter((r) => r.status === "Enabled");
    if (enabled.length === 0 && !rules.some((r) => isUnknown(r.status))) {
        report(`[BAK-02] Replication '${replication.config.name}' of backup bucket ${bucketLabel(replication.source)} has no enabled rule, so nothing is copied. Set a rule's \`status\` to 'Enabled'.`, replication.config.urn);
    }
    rules.forEach((rule, i) => {
        if (rule.status !== "Enabled") {
            return;
        }
        const label = where(ruleLabel(rule, i));
        for (const check of RULE_CHECKS) {
            const problem = check.judge(rule);
            if (problem === "unknown") {
                markUndecided(args, replication.config.urn, "rules");
            } else if (problem) {
                report(`[${check.control}] ${label} ${problem}`, replication.config.urn);
            }
        }
        judgeReplicaKey(args, replication, rule, label, report);
        judgeDestination(args, replication, rule, backups, label, report);
    });
}

export const awsBackupBucketReplication = stackPolicy({
    name: "aws-backup-bucket-replication",
    controls: ["BAK-02", "BAK-04", "DB-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Each replication of a backup bucket (aws.s3.BucketReplicationConfig) copies the whole bucket with an enabled " +
        "rule that includes SSE-KMS objects, does not replicate delete markers, encrypts replicas under a KMS key that " +
        "is not the primary's, and writes to a backup bucket of the stack in another region. When the stack sets " +
        "bulwark:offsiteBackup.replica, every backup bucket that is not itself a replica must be replicated.",
    remediationSteps:
        "Set offsiteBackup.replica.region (the program then builds the replica: infra/components/offsite.ts), or give " +
        "the replication rule `status: 'Enabled'`, `filter: {}`, `deleteMarkerReplication: { status: 'Disabled' }`, " +
        "`sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } }` and a destination bucket (a tagged " +
        "backup bucket in another region) with `encryptionConfiguration: { replicaKmsKeyId: <its own key's ARN> }`.",
    configSchema: { properties: { ...BACKUP_BUCKET_CONFIG_SCHEMA } },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<BackupBucketConfig>();
        const { backups, replications } = replicationsOf(args, config);
        for (const replication of replications) {
            judgeReplication(args, replication, backups, reportViolation);
        }
        const replica = configuredReplica();
        if (replica === undefined) {
            return;
        }
        // The replicas themselves need no replication: a bucket some rule writes to (known or built from), or one
        // in the configured replica region (a replica whose replication is missing is still a replica).
        const inReplicaRegion = backups.filter((b) => replica.region !== undefined && regionOf(b) === replica.region);
        const replicas = new Set(
            replications.flatMap((r) => {
                const rules = rulesOf(r.config);
                return rules === "unknown" ? [] : rules.map((rule) => destinationOf(args, r, rule)).filter((d): d is PolicyResource => typeof d === "object");
            }).concat(inReplicaRegion),
        );
        const replicated = new Set(replications.map((r) => r.source));
        for (const bucket of backups) {
            if (!replicated.has(bucket) && !replicas.has(bucket)) {
                reportViolation(
                    `[BAK-02] Backup bucket ${bucketLabel(bucket)} is not replicated, although the stack sets ${CONFIG_NAMESPACE}:offsiteBackup.replica` +
                        `${replica.region ? ` (region ${replica.region})` : ""}: its backups have one off-site copy. ` +
                        "Add an aws.s3.BucketReplicationConfig to the replica bucket, or remove offsiteBackup.replica.",
                    bucket.urn,
                );
            }
        }
    },
});
