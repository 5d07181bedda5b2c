// BAK-02 / DB-05 / BAK-05: what may be uploaded into a backup bucket. Versioning keeps a replaced backup only for
// the noncurrent-version window, and a put-only key can still replace every backup by PUTting its key again; a
// PUT naming another KMS key (or none) stores a backup the stack's key does not protect. So each backup
// bucket's policy must deny, to every principal, s3:PutObject without If-None-Match (conditional writes: S3
// answers 412 for a key that exists), without SSE-KMS, and under any KMS key but the stack's; and, when the
// stack lists the addresses uploads come from (bulwark:offsiteBackup.allowedSourceCidrs), from anywhere else.
// A Deny counts only when nothing narrows it: its one condition is the guard's.
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { containsUnknown, isUnknown } from "../lib/engine-values";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { CONFIG_NAMESPACE, configuredObject, engineStackConfig } from "../lib/stack-config";
import { KMS_KEY_TYPE, PolicyStatement, S3_COMPANIONS, asList, bucketNamesIn, isEveryone } from "./lib/aws-refs";
import { BACKUP_BUCKET_CONFIG_SCHEMA, BackupBucketConfig, attachedTo, backupBuckets, namesOf } from "./lib/backup-buckets";

interface Config extends BackupBucketConfig {
    allowedSourceCidrs: string[];
}

/** A guard's verdict for one statement or one bucket: fit, unfit, or not decidable before apply. */
type Verdict = "ok" | "bad" | "unknown";

const worst = (verdicts: readonly Verdict[]): Verdict => (verdicts.includes("bad") ? "bad" : verdicts.includes("unknown") ? "unknown" : "ok");
const best = (verdicts: readonly Verdict[]): Verdict => (verdicts.includes("ok") ? "ok" : verdicts.includes("unknown") ? "unknown" : "bad");

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** The stack config key the program reads the upload addresses from (infra/config.ts). */
export const SOURCE_CIDRS_KEY = { object: "offsiteBackup", field: "allowedSourceCidrs" } as const;

/**
 * A document's statements, keeping values unknown at preview in place: a document given as an object may know
 * its structure while an ARN in it is unknown. A document unknown as a whole (JSON text built from an unknown
 * value, as the AWS provider's Check makes of a typed document) is "unknown".
 */
function statementsOf(policy: unknown): PolicyStatement[] | "unknown" | "invalid" {
    if (isUnknown(policy)) {
        return "unknown";
    }
    let doc = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return "invalid";
        }
    }
    const statement = doc && typeof doc === "object" ? (doc as { Statement?: unknown }).Statement : undefined;
    if (isUnknown(statement)) {
        return "unknown";
    }
    const list = Array.isArray(statement) ? statement : statement ? [statement] : [];
    return list.filter((s): s is PolicyStatement => !!s && typeof s === "object");
}

/** IAM's wildcard match (* and ?), case-insensitive as action names are. */
function matches(pattern: string, value: string): boolean {
    const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${re}$`, "i").test(value);
}

/** The bucket a document guards: its names, and whether the document was built from the bucket (ARNs unknown at preview). */
interface Target {
    readonly names: readonly string[];
    readonly builtFromBucket: boolean;
}

/** A Deny of s3:PutObject to every principal on the bucket's objects, judged on what is known. */
function denyOfUploads(statement: PolicyStatement, target: Target): Verdict {
    if (statement.Effect !== "Deny" && !isUnknown(statement.Effect)) {
        return "bad";
    }
    const principal: Verdict = containsUnknown(statement.Principal) ? "unknown" : isEveryone(statement.Principal) ? "ok" : "bad";
    const action: Verdict = containsUnknown(statement.Action)
        ? "unknown"
        : asList(statement.Action).some((a) => matches(a, "s3:PutObject"))
          ? "ok"
          : "bad";
    // It must cover every key of the bucket: a Deny scoped to a prefix leaves the other keys unguarded.
    const coversBucket = (r: string) => r === "*" || target.names.some((n) => bucketNamesIn([r]).includes(n) && matches(r, `${r.split(":::")[0]}:::${n}/any-key`));
    // An unknown ARN built from the bucket is taken as "<bucket ARN>/*": the program's only form (offsite.ts).
    const resource: Verdict = asList(statement.Resource).some(coversBucket)
        ? "ok"
        : containsUnknown(statement.Resource)
          ? target.builtFromBucket
              ? "ok"
              : "unknown"
          : target.names.length === 0
            ? "unknown"
            : "bad";
    return worst([isUnknown(statement.Effect) ? "unknown" : "ok", principal, action, resource]);
}

/** The statement's only condition as [operator, key, values], or "unknown"; undefined when it has none or several. */
function soleCondition(statement: PolicyStatement): [string, string, unknown[]] | "unknown" | undefined {
    const condition = statement.Condition as unknown;
    if (isUnknown(condition)) {
        return "unknown";
    }
    if (!condition || typeof condition !== "object") {
        return undefined;
    }
    const blocks = Object.entries(condition as Record<string, unknown>);
    if (blocks.length !== 1 || !blocks[0][1] || typeof blocks[0][1] !== "object" || isUnknown(blocks[0][1])) {
        return blocks.length === 1 && isUnknown(blocks[0][1]) ? "unknown" : undefined;
    }
    const keys = Object.entries(blocks[0][1] as Record<string, unknown>);
    if (keys.length !== 1) {
        return undefined;
    }
    const [key, value] = keys[0];
    return [blocks[0][0], key.toLowerCase(), Array.isArray(value) ? value : [value]];
}

/** Judges the condition of a Deny of uploads: `test` gets operator, key and values. */
type ConditionTest = (operator: string, key: string, values: unknown[]) => Verdict;

function guarded(statements: readonly PolicyStatement[], target: Target, test: ConditionTest): Verdict {
    return best(
        statements.map((st) => {
            const condition = soleCondition(st);
            const conditionVerdict: Verdict = condition === "unknown" ? "unknown" : condition === undefined ? "bad" : test(...condition);
            return worst([denyOfUploads(st, target), conditionVerdict]);
        }),
    );
}

const valuesVerdict = (values: unknown[], fit: (v: string) => boolean): Verdict =>
    values.length === 0 ? "bad" : worst(values.map((v) => (isUnknown(v) ? "unknown" : typeof v === "string" && fit(v) ? "ok" : "bad")));

const deniesOverwrites: ConditionTest = (operator, key, values) => {
    if (key !== "s3:if-none-match") {
        return "bad";
    }
    // Null true: the header is absent. StringNotEquals "*": absent, or anything but S3's one accepted value.
    if (operator === "Null") {
        return valuesVerdict(values.map((v) => (typeof v === "boolean" ? String(v) : v)), (v) => v === "true");
    }
    return operator === "StringNotEquals" ? valuesVerdict(values, (v) => v === "*") : "bad";
};

const deniesUnencrypted: ConditionTest = (operator, key, values) =>
    operator === "StringNotEquals" && key === "s3:x-amz-server-side-encryption" ? valuesVerdict(values, (v) => KMS_ALGORITHMS.includes(v)) : "bad";

/** The KMS key ARNs of the stack; `complete` is false when one of them is unknown at preview. */
function stackKeys(args: StackValidationArgs): { arns: string[]; complete: boolean } {
    const keys = args.resources.filter((r) => r.type === KMS_KEY_TYPE);
    const arns = keys.map((k) => k.props.arn).filter((a): a is string => typeof a === "string" && !isUnknown(a));
    return { arns, complete: arns.length === keys.length };
}

function deniesOtherKeys(args: StackValidationArgs, bucketPolicy: PolicyResource): ConditionTest {
    const { arns, complete } = stackKeys(args);
    // An ARN unknown at preview is the stack's key when the document was built from a KMS key of the stack.
    const fromStackKey = (bucketPolicy.propertyDependencies.policy ?? []).some((d) => d.type === KMS_KEY_TYPE);
    return (operator, key, values) => {
        if (operator !== "StringNotEquals" || key !== "s3:x-amz-server-side-encryption-aws-kms-key-id" || values.length === 0) {
            return "bad";
        }
        return worst(
            values.map((v) => {
                if (isUnknown(v)) {
                    return fromStackKey ? "ok" : "unknown";
                }
                return typeof v === "string" && arns.includes(v) ? "ok" : complete ? "bad" : "unknown";
            }),
        );
    };
}

function deniesOtherSources(required: readonly string[]): ConditionTest {
    return (operator, key, values) =>
        operator === "NotIpAddress" && key === "aws:sourceip" ? valuesVerdict(values, (v) => required.includes(v)) : "bad";
}

/** The upload addresses: the policy config's list when set, else the stack's bulwark:offsiteBackup.allowedSourceCidrs. */
function requiredSources(config: Config): { cidrs: string[]; source: string } {
    if (config.allowedSourceCidrs.length > 0) {
        return { cidrs: config.allowedSourceCidrs, source: "the policy config's allowedSourceCidrs" };
    }
    const key = `${CONFIG_NAMESPACE}:${SOURCE_CIDRS_KEY.object}`;
    const cidrs = configuredObject(engineStackConfig() ?? {}, SOURCE_CIDRS_KEY.object)[SOURCE_CIDRS_KEY.field];
    return {
        cidrs: Array.isArray(cidrs) ? cidrs.filter((c): c is string => typeof c === "string") : [],
        source: `the stack's ${key}.${SOURCE_CIDRS_KEY.field}`,
    };
}

const statementFix = (sid: string, condition: string) =>
    `{ Sid: '${sid}', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: '<bucket ARN>/*', Condition: ${condition} }`;

export const awsBackupBucketUploadGuards = stackPolicy({
    name: "aws-backup-bucket-upload-guards",
    controls: ["BAK-02", "DB-05", "BAK-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Each backup bucket's policy denies s3:PutObject, to every principal and with no other condition: without " +
        "If-None-Match (s3:if-none-match, so no upload replaces a backup), without SSE-KMS " +
        "(s3:x-amz-server-side-encryption), under a KMS key that is not one of the stack's " +
        "(s3:x-amz-server-side-encryption-aws-kms-key-id), and, when upload addresses are configured (policy config " +
        "allowedSourceCidrs, else the stack's bulwark:offsiteBackup.allowedSourceCidrs), from any other address " +
        "(NotIpAddress aws:SourceIp). Backup buckets are found as in aws-backup-bucket-hardened.",
    remediationSteps:
        "Add to the backup bucket's aws.s3.BucketPolicy the Deny statements of infra/components/offsite.ts " +
        "uploadGuardStatements: DenyOverwrites (Null s3:if-none-match true), DenyUnencryptedUploads (StringNotEquals " +
        "s3:x-amz-server-side-encryption aws:kms), DenyOtherKmsKeys (StringNotEquals " +
        "s3:x-amz-server-side-encryption-aws-kms-key-id <the stack key's ARN>) and, with configured addresses, " +
        "DenyUploadsFromElsewhere (NotIpAddress aws:SourceIp <the CIDRs>); uploaders send If-None-Match: * and the key's ARN.",
    configSchema: {
        properties: {
            ...BACKUP_BUCKET_CONFIG_SCHEMA,
            allowedSourceCidrs: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "CIDRs uploads must come from; empty: the stack's bulwark:offsiteBackup.allowedSourceCidrs (none: any address)",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const sources = requiredSources(config);
        for (const bucket of backupBuckets(args, config)) {
            const names = namesOf(bucket);
            const bucketName = names[0] ?? bucket.name;
            const policies = attachedTo(args, bucket, S3_COMPANIONS.policy);
            const report = (control: string, problem: string, fix: string) =>
                reportViolation(`[${control}] Backup bucket '${bucketName}' ${problem}. ${fix}`, bucket.urn);
            /** Reports when no bucket policy has the guard; one not decidable before apply is left to apply. */
            const judge = (test: (p: PolicyResource) => ConditionTest, onBad: () => void) => {
                const verdict =
                    policies.length === 0
                        ? "bad"
                        : best(
                              policies.map((p) => {
                                  const statements = statementsOf(p.props.policy);
                                  if (statements === "unknown" || statements === "invalid") {
                                      return statements === "unknown" ? "unknown" : "bad";
                                  }
                                  const builtFromBucket = (p.propertyDependencies.policy ?? []).includes(bucket);
                                  return guarded(statements, { names, builtFromBucket }, test(p));
                              }),
                          );
                if (verdict === "unknown") {
                    policies.forEach((p) => markUndecided(args, p.urn, "policy"));
                } else if (verdict === "bad") {
                    onBad();
                }
            };
            const where = policies.length ? "its bucket policy has no" : "it has no bucket policy, so no";
            judge(
                () => deniesOverwrites,
                () =>
                    report(
                        "BAK-02",
                        `lets an upload overwrite a backup: ${where} Deny of s3:PutObject without If-None-Match`,
                        `Add ${statementFix("DenyOverwrites", "{ Null: { 's3:if-none-match': 'true' } }")} to its aws.s3.BucketPolicy ` +
                            "and send If-None-Match: * with each upload (S3 then answers 412 for a key that exists).",
                    ),
            );
            judge(
                () => deniesUnencrypted,
                () =>
                    report(
                        "BAK-02, DB-05",
                        `accepts uploads without SSE-KMS: ${where} Deny of s3:PutObject whose s3:x-amz-server-side-encryption is not aws:kms`,
                        `Add ${statementFix("DenyUnencryptedUploads", "{ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }")}.`,
                    ),
            );
            judge(
                (p) => deniesOtherKeys(args, p),
                () =>
                    report(
                        "BAK-02, DB-05",
                        `accepts uploads under a KMS key that is not the stack's: ${where} Deny of s3:PutObject whose ` +
                            "s3:x-amz-server-side-encryption-aws-kms-key-id is not the ARN of the stack's KMS key",
                        `Add ${statementFix("DenyOtherKmsKeys", "{ StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.arn } }")} ` +
                            "and send that ARN with each upload (x-amz-server-side-encryption-aws-kms-key-id).",
                    ),
            );
            if (sources.cidrs.length > 0) {
                judge(
                    () => deniesOtherSources(sources.cidrs),
                    () =>
                        report(
                            "BAK-05",
                            `accepts uploads from addresses outside ${sources.source} (${sources.cidrs.join(", ")}): ${where} Deny of ` +
                                "s3:PutObject whose aws:SourceIp is outside them",
                            `Add ${statementFix("DenyUploadsFromElsewhere", `{ NotIpAddress: { 'aws:SourceIp': [${sources.cidrs.map((c) => `'${c}'`).join(", ")}] } }`)}.`,
                        ),
                );
            }
        }
    },
});
