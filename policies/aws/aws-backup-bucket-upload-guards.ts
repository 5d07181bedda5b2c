// BAK-02 / DB-05 / BAK-05: what may be uploaded into a backup bucket. Versioning keeps a replaced backup only for
// the noncurrent-version window, and a put-only key can still replace every backup by PUTting its key again; a
// PUT naming another KMS key (or none) stores a backup the stack's key does not protect. So each backup
// bucket's policy must deny, to every principal, every upload call (single PUT or multipart) that could replace a
// backup (no If-None-Match: S3 answers 412 for a key that exists), that names another encryption than SSE-KMS or
// another KMS key than the stack's; and, when the stack lists the addresses uploads come from
// (bulwark:offsiteBackup.allowedSourceCidrs), from anywhere else. A Deny counts only when nothing narrows it.
import { StackValidationArgs } from "@pulumi/policy";
import { CONFIG_NAMESPACE, containsUnknown, isUnknown, KMS_KEY_TYPE, S3_COMPANIONS } from "bulwark-vocabulary";
import { markUndecided, policyDocumentUnknownAtPreview } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { configuredObject, engineStackConfig } from "../lib/stack-config";
import { PolicyStatement, asList, bucketNamesIn, isEveryone } from "./lib/aws-refs";
import { BACKUP_BUCKET_CONFIG_SCHEMA, BackupBucketConfig, attachedTo, backupBuckets, namesOf } from "./lib/backup-buckets";

interface Config extends BackupBucketConfig {
    allowedSourceCidrs: string[];
}

/** A guard's verdict for one statement or one bucket: fit, unfit, or not decidable before apply. */
type Verdict = "ok" | "bad" | "unknown";

const worst = (verdicts: readonly Verdict[]): Verdict => (verdicts.includes("bad") ? "bad" : verdicts.includes("unknown") ? "unknown" : "ok");
const best = (verdicts: readonly Verdict[]): Verdict => (verdicts.includes("ok") ? "ok" : verdicts.includes("unknown") ? "unknown" : "bad");

/** The stack config key the program reads the upload addresses from (infra/config/offsite.ts). */
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

// --- requests a guard must refuse -----------------------------------------------------------------------
// A guard is judged by the requests it must deny, not by its wording: each is the request context of an S3
// call the identity could make (all authorise as s3:PutObject), with the condition keys S3 sets for it. A Deny
// counts for a request only if it applies whatever the request leaves open (other keys take the value that
// escapes the Deny), so a Deny narrowed by any other condition does not count.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html: S3 sets
// s3:ObjectCreationOperation false on CreateMultipartUpload, UploadPart and UploadPartCopy, true on the calls that
// create the object (PutObject, CompleteMultipartUpload), which alone take If-None-Match. The SSE headers
// travel on PutObject and CreateMultipartUpload only.

/** A value a request carries: a literal, "a key of the stack", "a key that is not", "an address outside the allowed ones". */
type RequestValue = string | { readonly symbol: "stackKey" | "otherKey" | "outside" };
/** A request context: condition key (lower case) to value; null: the request does not carry the key. */
type RequestContext = Readonly<Record<string, RequestValue | null>>;

const OCO = "s3:objectcreationoperation";
const INM = "s3:if-none-match";
const SSE = "s3:x-amz-server-side-encryption";
const SSE_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
const SSE_C = "s3:x-amz-server-side-encryption-customer-algorithm";
const STACK_KEY: RequestValue = { symbol: "stackKey" };
const OTHER_KEY: RequestValue = { symbol: "otherKey" };

/** What the uploader sends when it does everything right, per call; a bad request changes one thing. */
const CALLS = {
    PutObject: { [OCO]: "true", [INM]: "*", [SSE]: "aws:kms", [SSE_KEY]: STACK_KEY, [SSE_C]: null },
    CreateMultipartUpload: { [OCO]: "false", [INM]: null, [SSE]: "aws:kms", [SSE_KEY]: STACK_KEY, [SSE_C]: null },
    UploadPart: { [OCO]: "false", [INM]: null, [SSE]: null, [SSE_KEY]: null, [SSE_C]: null },
    CompleteMultipartUpload: { [OCO]: "true", [INM]: "*", [SSE]: null, [SSE_KEY]: null, [SSE_C]: null },
} satisfies Record<string, RequestContext>;

type Call = keyof typeof CALLS;
interface BadRequest {
    readonly what: string;
    readonly context: RequestContext;
}
const bad = (call: Call, what: string, change: RequestContext): BadRequest => ({ what: `${call} ${what}`, context: { ...CALLS[call], ...change } });

/** Requests that would replace a backup: the object-creating calls without If-None-Match. */
export const OVERWRITES: readonly BadRequest[] = [
    bad("PutObject", "without If-None-Match", { [INM]: null }),
    bad("CompleteMultipartUpload", "without If-None-Match", { [INM]: null }),
];
/** Requests that would store a backup under another encryption than SSE-KMS: SSE-S3 or a customer's key (SSE-C). */
export const OTHER_ENCRYPTION: readonly BadRequest[] = (["PutObject", "CreateMultipartUpload"] as const).flatMap((call) => [
    bad(call, "with SSE-S3", { [SSE]: "AES256", [SSE_KEY]: null }),
    bad(call, "with SSE-S3 naming the stack's key", { [SSE]: "AES256" }),
    bad(call, "with SSE-C", { [SSE]: null, [SSE_KEY]: null, [SSE_C]: "AES256" }),
]);
/** Requests that would store a backup under a KMS key that is not the stack's: another key, or none (aws/s3). */
export const OTHER_KEYS: readonly BadRequest[] = (["PutObject", "CreateMultipartUpload"] as const).flatMap((call) => [
    bad(call, "under another KMS key", { [SSE_KEY]: OTHER_KEY }),
    bad(call, "naming no KMS key", { [SSE_KEY]: null }),
]);
/** Every call of an upload, from an address outside the allowed ones. */
const FROM_ELSEWHERE: readonly BadRequest[] = (Object.keys(CALLS) as Call[]).map((call) => bad(call, "from elsewhere", { "aws:sourceip": { symbol: "outside" } }));

/** What the evaluation needs to know of the stack: its KMS keys, and the allowed addresses. */
interface Known {
    readonly stackKeys: readonly string[];
    /** False when a KMS key of the stack has an ARN unknown at preview. */
    readonly keysComplete: boolean;
    /** An unknown ARN in the document is the stack's key when the document was built from one. */
    readonly unknownIsStackKey: boolean;
    readonly allowedSources: readonly string[];
}

type Truth = "true" | "false" | "unknown";
const not = (t: Truth): Truth => (t === "true" ? "false" : t === "false" ? "true" : "unknown");
const any = (ts: readonly Truth[]): Truth => (ts.includes("true") ? "true" : ts.includes("unknown") ? "unknown" : "false");
const all = (ts: readonly Truth[]): Truth => (ts.includes("false") ? "false" : ts.includes("unknown") ? "unknown" : "true");
const truth = (b: boolean): Truth => (b ? "true" : "false");
const asVerdict = (t: Truth): Verdict => (t === "true" ? "ok" : t === "false" ? "bad" : "unknown");

/** Whether a condition value names the request's value; a symbol is the value that escapes the Deny. */
function equals(value: unknown, actual: RequestValue, known: Known): Truth {
    if (typeof actual === "string") {
        // IAM compares strings case-sensitively; only Bool values are words.
        return isUnknown(value) ? "unknown" : truth(String(value) === actual);
    }
    if (actual.symbol === "outside") {
        // An address outside the allowed ones can be inside any CIDR that is not one of them.
        return isUnknown(value) ? "unknown" : truth(!known.allowedSources.includes(String(value)));
    }
    if (isUnknown(value)) {
        return known.unknownIsStackKey ? truth(actual.symbol === "stackKey") : "unknown";
    }
    const ofStack = known.stackKeys.includes(String(value));
    if (!ofStack && !known.keysComplete) {
        return "unknown";
    }
    // "Another key" is any key but the stack's, so also the one this value names.
    return truth(actual.symbol === "stackKey" ? ofStack : !ofStack);
}

const NEGATED = /^(StringNotEquals|StringNotEqualsIgnoreCase|StringNotLike|ArnNotEquals|ArnNotLike|NotIpAddress)$/;
const POSITIVE = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress|Bool)$/;

/** One condition entry against a request; a key the request leaves open takes the value that escapes the Deny. */
function conditionHolds(operator: string, key: string, values: unknown[], request: RequestContext, known: Known): Truth {
    if (!(key in request)) {
        return "false";
    }
    const actual = request[key];
    if (operator === "Null") {
        return any(values.map((v) => (isUnknown(v) ? "unknown" : truth(String(v).toLowerCase() === String(actual === null)))));
    }
    const ifExists = operator.endsWith("IfExists");
    const base = ifExists ? operator.slice(0, -"IfExists".length) : operator;
    if (actual === null) {
        // IAM: a missing key fails a positive operator and satisfies a negated one; IfExists satisfies either.
        return ifExists || NEGATED.test(base) ? "true" : "false";
    }
    if (NEGATED.test(base)) {
        return not(any(values.map((v) => equals(v, actual, known))));
    }
    return POSITIVE.test(base) ? any(values.map((v) => equals(v, actual, known))) : "false";
}

/** Whether a statement's conditions all hold for the request (no condition: it applies to every request). */
function conditionsHold(statement: PolicyStatement, request: RequestContext, known: Known): Truth {
    const condition = statement.Condition as unknown;
    if (isUnknown(condition)) {
        return "unknown";
    }
    if (condition === undefined || condition === null) {
        return "true";
    }
    if (typeof condition !== "object") {
        return "false";
    }
    const entries = Object.entries(condition as Record<string, unknown>).flatMap(([operator, block]): Truth[] => {
        if (isUnknown(block)) {
            return ["unknown"];
        }
        if (!block || typeof block !== "object") {
            return ["false"];
        }
        return Object.entries(block as Record<string, unknown>).map(([key, value]) =>
            conditionHolds(operator, key.toLowerCase(), Array.isArray(value) ? value : [value], request, known),
        );
    });
    return all(entries);
}

/** Whether the statements refuse the request: some Deny of uploads applies to it. */
function refused(statements: readonly PolicyStatement[], target: Target, request: BadRequest, known: Known): Verdict {
    return best(statements.map((st) => worst([denyOfUploads(st, target), asVerdict(conditionsHold(st, request.context, known))])));
}

/**
 * Whether a document's Deny statements refuse a request: "deny", "allow" or "unknown". Exported for the program's
 * tests: the guards must still let an upload's own calls through (CALLS) while they refuse the bad ones.
 */
export function evaluateUpload(statements: readonly PolicyStatement[], bucketName: string, request: RequestContext, known: Known): "deny" | "allow" | "unknown" {
    const verdict = refused(statements, { names: [bucketName], builtFromBucket: false }, { what: "", context: request }, known);
    return verdict === "ok" ? "deny" : verdict === "bad" ? "allow" : "unknown";
}
export { CALLS as UPLOAD_CALLS };
export type { RequestContext, Known };

/** The KMS key ARNs of the stack; `keysComplete` is false when one of them is unknown at preview. */
function stackKeys(args: StackValidationArgs): { stackKeys: string[]; keysComplete: boolean } {
    const keys = args.resources.filter((r) => r.type === KMS_KEY_TYPE);
    const arns = keys.map((k) => k.props.arn).filter((a): a is string => typeof a === "string" && !isUnknown(a));
    return { stackKeys: arns, keysComplete: arns.length === keys.length };
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
        "Each backup bucket's policy refuses, with Deny statements of s3:PutObject to every principal that nothing " +
        "narrows, every upload call (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload) that could " +
        "replace a backup (PutObject or CompleteMultipartUpload without If-None-Match: s3:if-none-match, " +
        "s3:ObjectCreationOperation), that names another encryption than SSE-KMS (SSE-S3, SSE-C) or a KMS key that is " +
        "not the stack's (or none, which is aws/s3), and, when upload addresses are configured (policy config " +
        "allowedSourceCidrs, else the stack's bulwark:offsiteBackup.allowedSourceCidrs), that comes from any other " +
        "address (aws:SourceIp). Statements are judged by the requests they refuse, so equivalent forms count. A call " +
        "naming no encryption gets the bucket's default (aws-backup-bucket-hardened). Backup buckets are found as in " +
        "aws-backup-bucket-hardened.",
    remediationSteps:
        "Add to the backup bucket's aws.s3.BucketPolicy the Deny statements of infra/components/offsite.ts " +
        "uploadGuardStatements: DenyOverwrites (Null s3:if-none-match true, BoolIfExists s3:ObjectCreationOperation " +
        "true), DenyOtherEncryption, DenyOtherKmsKeys and DenyKmsWithoutKey (each with Null <the header's key> false, " +
        "so that UploadPart, which names none, passes), DenyCustomerKeys (Null " +
        "s3:x-amz-server-side-encryption-customer-algorithm false) and, with configured addresses, " +
        "DenyUploadsFromElsewhere (NotIpAddress aws:SourceIp <the CIDRs>); uploaders send If-None-Match: * on PutObject " +
        "and CompleteMultipartUpload, and aws:kms with the key's ARN on PutObject and CreateMultipartUpload.",
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
        const keys = stackKeys(args);
        for (const bucket of backupBuckets(args, config)) {
            const names = namesOf(bucket);
            const bucketName = names[0] ?? bucket.name;
            const policies = attachedTo(args, bucket, S3_COMPANIONS.policy);
            const report = (control: string, problem: string, fix: string) =>
                reportViolation(`[${control}] Backup bucket '${bucketName}' ${problem}. ${fix}`, bucket.urn);
            /** The requests no bucket policy refuses; undecidable ones before apply are left to apply. */
            const judge = (requests: readonly BadRequest[], onBad: (through: string) => void) => {
                const verdicts = requests.map((request) =>
                    policies.length === 0
                        ? "bad"
                        : best(
                              policies.map((p): Verdict => {
                                  const statements = statementsOf(p.props.policy);
                                  if (statements === "unknown" || statements === "invalid") {
                                      return statements === "unknown" ? "unknown" : "bad";
                                  }
                                  const deps = p.propertyDependencies.policy ?? [];
                                  const known: Known = {
                                      ...keys,
                                      // An ARN unknown at preview is the stack's key when the document was built from a KMS key of the stack.
                                      unknownIsStackKey: deps.some((d) => d.type === KMS_KEY_TYPE),
                                      allowedSources: sources.cidrs,
                                  };
                                  return refused(statements, { names, builtFromBucket: deps.includes(bucket) }, request, known);
                              }),
                          ),
                );
                const through = requests.filter((_, i) => verdicts[i] === "bad").map((r) => r.what);
                if (through.length > 0) {
                    onBad(through.join(", "));
                } else if (verdicts.includes("unknown")) {
                    // A document unknown as a whole (the known gap) vs. one whose structure is known with an ARN the
                    // pack cannot place: the latter is refused.
                    policies.forEach((p) =>
                        isUnknown(p.props.policy)
                            ? policyDocumentUnknownAtPreview(args, p.urn, "policy", p.propertyDependencies.policy ?? [])
                            : markUndecided(args, p.urn, "policy", "build the ARNs in the document from the stack's own bucket and KMS key (their `.arn`), so a preview can place them"),
                    );
                }
            };
            const where = policies.length ? "its bucket policy does not refuse" : "it has no bucket policy to refuse";
            judge(OVERWRITES, (through) =>
                report(
                    "BAK-02",
                    `lets an upload overwrite a backup: ${where} ${through}`,
                    `Add ${statementFix("DenyOverwrites", "{ Null: { 's3:if-none-match': 'true' }, BoolIfExists: { 's3:ObjectCreationOperation': 'true' } }")} ` +
                        "to its aws.s3.BucketPolicy and send If-None-Match: * with each PutObject and CompleteMultipartUpload (S3 then answers 412 for a key that exists).",
                ),
            );
            judge(OTHER_ENCRYPTION, (through) =>
                report(
                    "BAK-02, DB-05",
                    `accepts uploads under another encryption than SSE-KMS: ${where} ${through}`,
                    `Add ${statementFix("DenyOtherEncryption", "{ Null: { 's3:x-amz-server-side-encryption': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }")} ` +
                        `and ${statementFix("DenyCustomerKeys", "{ Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } }")}.`,
                ),
            );
            judge(OTHER_KEYS, (through) =>
                report(
                    "BAK-02, DB-05",
                    `accepts uploads under a KMS key that is not the stack's: ${where} ${through}`,
                    `Add ${statementFix("DenyOtherKmsKeys", "{ Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.arn } }")} ` +
                        `and ${statementFix("DenyKmsWithoutKey", "{ Null: { 's3:x-amz-server-side-encryption': 'false', 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' } }")}, ` +
                        "and send that ARN with each PutObject and CreateMultipartUpload (x-amz-server-side-encryption-aws-kms-key-id).",
                ),
            );
            if (sources.cidrs.length > 0) {
                judge(FROM_ELSEWHERE, (through) =>
                    report(
                        "BAK-05",
                        `accepts uploads from addresses outside ${sources.source} (${sources.cidrs.join(", ")}): ${where} ${through}`,
                        `Add ${statementFix("DenyUploadsFromElsewhere", `{ NotIpAddress: { 'aws:SourceIp': [${sources.cidrs.map((c) => `'${c}'`).join(", ")}] } }`)}.`,
                    ),
                );
            }
        }
    },
});
