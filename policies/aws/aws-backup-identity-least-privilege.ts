// BAK-06: the backup system has its own credentials that can only add backups. With s3:PutObject alone, a
// stolen uploader key cannot read, list or delete the backup history (versioning keeps overwrites). Writing to
// an SSE-KMS bucket also needs kms:GenerateDataKey, which is allowed separately and only on named key ARNs.
import { resourcePolicy } from "../lib/policy";
import { markUndecided } from "../lib/inconclusive";
import { BACKUP_IDENTITY_MARKER_SCHEMA, IAM_POLICY_TYPES, asList, isBackupIdentityPolicy, parsePolicyDocument, quoteIam, statementLabel } from "./lib/aws-refs";

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
        "'backup') allow only the configured actions (s3:PutObject by default, plus kms:GenerateDataKey on named KMS " +
        "key ARNs for SSE-KMS) on named resources: no '*' or 's3:*' action, no NotAction, no Resource '*'.",
    remediationSteps:
        "Give the backup identity a policy with one Allow statement: Action 's3:PutObject' on " +
        "'arn:aws:s3:::<backup bucket>/*', and kms:GenerateDataKey on the backup key's ARN only. " +
        "Use a separate identity for restores and administration.",
    configSchema: {
        properties: {
            backupIdentityMarker: BACKUP_IDENTITY_MARKER_SCHEMA,
            allowedActions: {
                type: "array",
                items: { type: "string" },
                default: ["s3:PutObject"],
                description: "The only actions the backup identity may be allowed",
            },
            allowedKmsActions: {
                type: "array",
                items: { type: "string" },
                default: ["kms:GenerateDataKey"],
                description: "KMS actions needed to write to an SSE-KMS bucket; allowed only on key ARNs without wildcards",
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
            markUndecided(args, args.urn, "policy");
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
