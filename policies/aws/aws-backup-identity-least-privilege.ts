// BAK-06: the backup system has its own credentials that can only add backups. With s3:PutObject (which covers
// every call of a multipart upload) and s3:AbortMultipartUpload (its own unfinished uploads) alone, a stolen
// uploader key cannot read, list or delete the backup history. Writing to an SSE-KMS bucket also needs
// kms:GenerateDataKey, and a multipart upload kms:Decrypt (S3 reads the encrypted parts back before it completes:
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html, Permissions); both are allowed
// separately and only on named key ARNs, and Decrypt, which reads, only through S3 (kms:ViaService).
import { IAM_POLICY_TYPES } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";
import { policyDocumentUnknownAtPreview } from "../lib/inconclusive";
import { BACKUP_IDENTITY_MARKER_SCHEMA, asList, isBackupIdentityPolicy, parsePolicyDocument, quoteIam, statementLabel } from "./lib/aws-refs";

/** KMS actions that read: allowed only with a kms:ViaService condition, so the key works through S3 alone. */
const KMS_READ_ACTIONS = ["kms:decrypt"];

interface Config {
    backupIdentityMarker: string;
    allowedActions: string[];
    allowedKmsActions: string[];
}

interface IamPolicyProps {
    readonly name?: string;
    readonly namePrefix?: string;
    readonly user?: string;
    readonly role?: string;
    readonly policy?: unknown;
    readonly tags?: unknown;
}

export const awsBackupIdentityLeastPrivilege = resourcePolicy({
    name: "aws-backup-identity-least-privilege",
    controls: ["BAK-06"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "IAM policies (UserPolicy, RolePolicy, Policy) of the backup identity (name, identity or tag containing " +
        "'backup') allow only the configured actions (s3:PutObject and s3:AbortMultipartUpload by default, plus " +
        "kms:GenerateDataKey and kms:Decrypt on named KMS key ARNs for SSE-KMS and multipart uploads, kms:Decrypt only " +
        "under a kms:ViaService condition) on named resources: no '*' or 's3:*' action, no NotAction, no Resource '*'.",
    remediationSteps:
        "Give the backup identity the policy of infra/components/offsite.ts uploaderPolicy: s3:PutObject and " +
        "s3:AbortMultipartUpload on 'arn:aws:s3:::<backup bucket>/*', kms:GenerateDataKey on the backup key's ARN, and " +
        "kms:Decrypt on it with Condition { StringEquals: { 'kms:ViaService': 's3.<region>.amazonaws.com' } }. " +
        "Use a separate identity for restores and administration.",
    configSchema: {
        properties: {
            backupIdentityMarker: BACKUP_IDENTITY_MARKER_SCHEMA,
            allowedActions: {
                type: "array",
                items: { type: "string" },
                default: ["s3:PutObject", "s3:AbortMultipartUpload"],
                description: "The only actions the backup identity may be allowed",
            },
            allowedKmsActions: {
                type: "array",
                items: { type: "string" },
                default: ["kms:GenerateDataKey", "kms:Decrypt"],
                description: "KMS actions needed to write to an SSE-KMS bucket (kms:Decrypt for multipart uploads); allowed only on key ARNs without wildcards, kms:Decrypt only under kms:ViaService",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!IAM_POLICY_TYPES.includes(args.type)) {
            args.notApplicable("only applies to IAM UserPolicy, RolePolicy and Policy");
        }
        const config = args.getConfig<Config>();
        const props = args.props as IamPolicyProps;
        if (!isBackupIdentityPolicy(args.name, props as Record<string, unknown>, config.backupIdentityMarker)) {
            args.notApplicable("not a policy of the backup identity");
        }
        const where = `IAM policy '${args.name}' of the backup identity`;
        const doc = parsePolicyDocument(props.policy);
        if (doc.kind === "unknown") {
            policyDocumentUnknownAtPreview(args, args.urn, "policy");
            return;
        }
        if (doc.kind === "invalid") {
            reportViolation(`[BAK-06] ${where}: the policy document ${doc.reason}. Give a valid IAM policy JSON.`);
            return;
        }
        const allowed = config.allowedActions.map((a) => a.toLowerCase());
        const allowedKms = config.allowedKmsActions.map((a) => a.toLowerCase());
        doc.statements.forEach((statement, i) => {
            if (statement.Effect !== "Allow") {
                return;
            }
            const label = statementLabel(statement, i);
            if (statement.NotAction !== undefined) {
                reportViolation(`[BAK-06] ${where}: ${label} uses NotAction, which allows every other action. List the allowed actions with Action.`);
            }
            if (statement.NotResource !== undefined) {
                reportViolation(`[BAK-06] ${where}: ${label} uses NotResource, which allows every other resource. List the backup bucket's ARN with Resource.`);
            }
            const actions = asList(statement.Action);
            const wildcards = actions.filter((a) => a.includes("*"));
            if (wildcards.length > 0) {
                reportViolation(
                    `[BAK-06] ${where}: ${label} allows wildcard action(s) ${quoteIam(wildcards)}. Allow only ${quoteIam(config.allowedActions)}.`,
                );
            }
            const kms = actions.filter((a) => !a.includes("*") && allowedKms.includes(a.toLowerCase()) && !allowed.includes(a.toLowerCase()));
            const extra = actions.filter((a) => !a.includes("*") && !allowed.includes(a.toLowerCase()) && !kms.includes(a));
            const wildResources = asList(statement.Resource).filter((r) => r.includes("*") && r !== "*");
            if (kms.length > 0 && wildResources.length > 0) {
                reportViolation(
                    `[BAK-06] ${where}: ${label} allows ${quoteIam(kms)} on ${quoteIam(wildResources)}. Name the backup key's ARN ` +
                        "(arn:aws:kms:<region>:<account>:key/<id>) instead of a pattern.",
                );
            }
            const reads = kms.filter((a) => KMS_READ_ACTIONS.includes(a.toLowerCase()));
            const viaService = Object.values(statement.Condition ?? {}).some(
                (block) => block && typeof block === "object" && Object.keys(block).some((k) => k.toLowerCase() === "kms:viaservice"),
            );
            if (reads.length > 0 && !viaService) {
                reportViolation(
                    `[BAK-06] ${where}: ${label} allows ${quoteIam(reads)} without a kms:ViaService condition, so the key decrypts outside S3 too. ` +
                        "Add Condition { StringEquals: { 'kms:ViaService': 's3.<region>.amazonaws.com' } }.",
                );
            }
            if (extra.length > 0) {
                reportViolation(
                    `[BAK-06] ${where}: ${label} allows ${quoteIam(extra)}, beyond the backup identity's ${quoteIam(config.allowedActions)}. ` +
                        "Remove them (restores and administration use a separate identity).",
                );
            }
            if (asList(statement.Resource).includes("*")) {
                reportViolation(`[BAK-06] ${where}: ${label} applies to Resource '*'. Limit it to 'arn:aws:s3:::<backup bucket>/*'.`);
            }
        });
    },
});
