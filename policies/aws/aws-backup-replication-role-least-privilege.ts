// BAK-06: the identity that copies backups to the replica can do that and nothing more. S3 assumes the role a
// backup bucket's replication names; if anyone else can assume it, or its policies allow more than reading
// the source's versions and writing replicas (a delete, s3:ReplicateDelete, a wildcard, a KMS key usable outside
// S3), it becomes a second, broader backup credential. Managed policies are refused: their documents are not in
// the stack, so nothing here can judge them.
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { containsUnknown, IAM_ROLE_POLICY_ATTACHMENT_TYPE, IAM_ROLE_POLICY_TYPE, isUnknown as unknownValue } from "bulwark-vocabulary";
import { markUndecided, policyDocumentUnknownAtPreview, unknownCannotMatter } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { PolicyStatement, asList, parsePolicyDocument, quoteIam, statementLabel } from "./lib/aws-refs";
import { BACKUP_BUCKET_CONFIG_SCHEMA, BackupBucketConfig } from "./lib/backup-buckets";
import { OWN_ACCOUNT_NOTE, ownAccount } from "./lib/principals";
import { replicationsOf, roleOf } from "./lib/replication";

/** What S3 replication of SSE-KMS objects needs (AWS S3 User Guide, "Setting up permissions" for replication). */
export const REPLICATION_ACTIONS: readonly string[] = [
    "s3:GetReplicationConfiguration",
    "s3:ListBucket",
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
    "s3:ReplicateObject",
    "s3:ReplicateTags",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
];

/** Principals that may assume a replication role: S3 (and S3 Batch Operations, which replicates existing objects). */
const REPLICATION_SERVICES: readonly string[] = ["s3.amazonaws.com", "batchoperations.s3.amazonaws.com"];

/** Problems of one Allow statement of the role's permissions. */
function permissionProblems(st: PolicyStatement): string[] {
    const problems: string[] = [];
    if (st.NotAction !== undefined || st.NotResource !== undefined) {
        problems.push("uses NotAction or NotResource, which allows everything else");
    }
    const actions = asList(st.Action);
    const extra = actions.filter((a) => !REPLICATION_ACTIONS.some((r) => r.toLowerCase() === a.toLowerCase()));
    if (extra.length > 0) {
        problems.push(`allows ${quoteIam(extra)}, beyond what replication needs`);
    }
    if (asList(st.Resource).includes("*")) {
        problems.push("applies to Resource '*'");
    }
    const kms = actions.filter((a) => a.toLowerCase().startsWith("kms:"));
    const viaService = Object.values(st.Condition ?? {}).some((block) => block && typeof block === "object" && Object.keys(block).some((k) => k.toLowerCase() === "kms:viaservice"));
    if (kms.length > 0 && !viaService) {
        problems.push(`allows ${quoteIam(kms)} without a kms:ViaService condition, so the key works outside S3 too`);
    }
    return problems;
}

/** Problems of the trust policy: only S3 may assume the role. */
function trustProblems(document: unknown, own: { account: string } | { problem: string }): string[] | "unknown" {
    const doc = parsePolicyDocument(document);
    if (doc.kind === "unknown") {
        return "unknown";
    }
    if (doc.kind === "invalid") {
        return [`its trust policy ${doc.reason}`];
    }
    return doc.statements.flatMap((st, i) => {
        if (st.Effect !== "Allow") {
            return [];
        }
        const principal = st.Principal as { Service?: unknown } | undefined;
        const others = principal && typeof principal === "object" ? Object.keys(principal).filter((k) => k !== "Service") : ["*"];
        const services = asList(principal?.Service).filter((s) => !REPLICATION_SERVICES.includes(s));
        const problems =
            others.length > 0 || services.length > 0 || st.NotPrincipal !== undefined
                ? [`its trust policy's ${statementLabel(st, i)} lets ${JSON.stringify(st.Principal ?? st.NotPrincipal)} assume it, not S3 alone`]
                : [];
        const source = sourceAccountProblem(st, own);
        return source ? [...problems, `its trust policy's ${statementLabel(st, i)} ${source}`] : problems;
    });
}

/**
 * Issue 22 item 8: S3 assumes the role for whichever bucket names it, so without aws:SourceAccount a bucket of
 * another account could have S3 replicate through this role (the confused deputy). The condition must be an
 * exact match (StringEquals) on the stack's own account alone.
 */
function sourceAccountProblem(st: PolicyStatement, own: { account: string } | { problem: string }): string | undefined {
    const values = Object.entries(st.Condition ?? {})
        .filter(([operator]) => operator === "StringEquals")
        .flatMap(([, block]) => Object.entries(block ?? {}).filter(([key]) => key.toLowerCase() === "aws:sourceaccount"))
        .flatMap(([, value]) => (Array.isArray(value) ? value : [value]));
    if (values.length === 0) {
        return "has no StringEquals aws:SourceAccount condition, so S3 may assume it for another account's bucket";
    }
    if ("problem" in own) {
        return `names aws:SourceAccount ${JSON.stringify(values)}, but the stack's account is not known (${own.problem})`;
    }
    return values.every((v) => v === own.account) ? undefined : `names aws:SourceAccount ${JSON.stringify(values)}, not the stack's account ${own.account} alone`;
}

/** The role's permission documents: inline policies of the role, and RolePolicy resources naming it. */
function permissionDocuments(args: StackValidationArgs, role: PolicyResource): { source: string; urn: string; field: string; document: unknown }[] {
    const roleName = role.props.name;
    const attachedToRole = (r: PolicyResource) => (typeof r.props.role === "string" && r.props.role === roleName) || (r.propertyDependencies.role ?? []).includes(role);
    const inline = Array.isArray(role.props.inlinePolicies) ? (role.props.inlinePolicies as { name?: string; policy?: unknown }[]) : [];
    return [
        ...inline.map((p, i) => ({ source: `inline policy '${p?.name ?? i + 1}'`, urn: role.urn, field: "inlinePolicies", document: p?.policy })),
        ...args.resources.filter((r) => r.type === IAM_ROLE_POLICY_TYPE && attachedToRole(r)).map((r) => ({ source: `RolePolicy '${r.name}'`, urn: r.urn, field: "policy", document: r.props.policy })),
    ];
}

function judgeRole(args: StackValidationArgs, role: PolicyResource, report: (message: string, urn: string) => void): void {
    const where = `Replication role '${role.props.name ?? role.name}' of a backup bucket`;
    const trust = trustProblems(role.props.assumeRolePolicy, ownAccount());
    if (trust === "unknown") {
        markUndecided(args, role.urn, "assumeRolePolicy");
    } else {
        trust.forEach((p) =>
            report(`[BAK-06] ${where}: ${p}. Let only { Service: 's3.amazonaws.com' } assume it, with Condition { StringEquals: { 'aws:SourceAccount': '<the stack's account>' } }.`, role.urn),
        );
    }
    const declared = role.props.managedPolicyArns;
    const declaredUnknown =
        unknownValue(declared) &&
        unknownCannotMatter(
            "managedPolicyArns of a replication role",
            "computed by AWS when the program does not set it, so unknown in a new stack's preview; a value the program sets is judged on the role's inputs by aws-iam-no-attached-policies (which refuses it unknown), and attachments are refused as resource types",
        );
    const managed = [
        ...(declaredUnknown ? [] : asList(declared)),
        ...args.resources.filter((r) => r.type === IAM_ROLE_POLICY_ATTACHMENT_TYPE && (r.props.role === role.props.name || (r.propertyDependencies.role ?? []).includes(role))).map((r) => r.name),
    ];
    if (managed.length > 0) {
        report(`[BAK-06] ${where} has managed policies attached (${quoteIam(managed)}), whose permissions the stack cannot judge. Give it one inline RolePolicy with the replication actions alone.`, role.urn);
    }
    for (const doc of permissionDocuments(args, role)) {
        const parsed = parsePolicyDocument(doc.document);
        if (parsed.kind === "unknown") {
            policyDocumentUnknownAtPreview(args, doc.urn, doc.field, args.resources.find((r) => r.urn === doc.urn)?.propertyDependencies[doc.field] ?? []);
            continue;
        }
        if (parsed.kind === "invalid") {
            report(`[BAK-06] ${where}: ${doc.source} ${parsed.reason}. Give a valid IAM policy JSON.`, doc.urn);
            continue;
        }
        parsed.statements.forEach((st, i) => {
            if (st.Effect === "Allow" && !containsUnknown(st)) {
                permissionProblems(st).forEach((p) =>
                    report(`[BAK-06] ${where}: ${doc.source}, ${statementLabel(st, i)}, ${p}. Allow only ${quoteIam(REPLICATION_ACTIONS)} on the two buckets and keys, KMS through S3 (kms:ViaService).`, doc.urn),
                );
            } else if (st.Effect === "Allow") {
                markUndecided(args, doc.urn, doc.field);
            }
        });
    }
}

export const awsBackupReplicationRoleLeastPrivilege = stackPolicy({
    name: "aws-backup-replication-role-least-privilege",
    controls: ["BAK-06"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "The IAM role a backup bucket's replication names is a role of the stack that only S3 may assume, and only " +
        "for the stack's own account (a StringEquals aws:SourceAccount condition naming it), with no " +
        "managed policies, whose inline policies allow only what replication of SSE-KMS objects needs (reading the " +
        "source's versions, s3:ReplicateObject and s3:ReplicateTags, kms:Decrypt/Encrypt/GenerateDataKey under a " +
        "kms:ViaService condition): no delete, no s3:ReplicateDelete, no wildcard, no Resource '*'. " +
        OWN_ACCOUNT_NOTE,
    remediationSteps:
        "Use the role infra/components/offsite.ts builds (replicationRolePolicy): trust { Service: 's3.amazonaws.com' } " +
        "under Condition { StringEquals: { 'aws:SourceAccount': <account> } }, " +
        "one RolePolicy with the replication actions on the source and replica ARNs and KMS actions bound to S3 by kms:ViaService.",
    configSchema: { properties: { ...BACKUP_BUCKET_CONFIG_SCHEMA } },
    validateStack: (args, reportViolation) => {
        const { replications } = replicationsOf(args, args.getConfig<BackupBucketConfig>());
        const judged = new Set<PolicyResource>();
        for (const replication of replications) {
            const role = roleOf(args, replication.config);
            if (role === "unknown") {
                markUndecided(args, replication.config.urn, "role");
            } else if (role === "none") {
                reportViolation(
                    `[BAK-06] Replication '${replication.config.name}' assumes role ${JSON.stringify(replication.config.props.role)}, which this stack does not manage, so nothing here checks what it may do. Declare the role in the stack.`,
                    replication.config.urn,
                );
            } else if (!judged.has(role)) {
                judged.add(role);
                judgeRole(args, role, reportViolation);
            }
        }
    },
});
