// DB-05/BAK-05: the key that encrypts the backups decides who can read them. A key policy (the aws.kms.Key's
// `policy` or an aws.kms.KeyPolicy) or a grant (aws.kms.Grant) that lets in '*' or another account hands the
// backups to whoever that is, whatever the bucket policy says. Only the stack's own account and identities may
// be named; a key without a policy gets KMS's default one (the account's root alone), which is the stack's own.
import { KMS_GRANT_TYPE, KMS_KEY_POLICY_TYPE, KMS_KEY_TYPE } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { isUnknown, parsePolicyDocument, statementLabel } from "./lib/aws-refs";
import { foreignPrincipals, OWN_ACCOUNT_NOTE, ownAccount } from "./lib/principals";

const TYPES = [KMS_KEY_TYPE, KMS_KEY_POLICY_TYPE, KMS_GRANT_TYPE];

export const awsKmsKeyPolicyRestrictsPrincipals = resourcePolicy({
    name: "aws-kms-key-policy-restricts-principals",
    controls: ["DB-05", "BAK-05"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "A KMS key policy (aws.kms.Key `policy`, aws.kms.KeyPolicy) allows only the stack's own AWS account and " +
        "identities (by ARN or account id): never '*' in any spelling (with or without a condition), another account, a " +
        "federated, canonical-user or service principal, nor NotPrincipal; an aws.kms.Grant's grantee and retiring " +
        "principals are the stack's own too. " +
        OWN_ACCOUNT_NOTE,
    remediationSteps:
        "Leave the key's `policy` unset (KMS then gives the account's root alone the key) or name only principals of the " +
        "stack's account; grant other accounts nothing on the backup key.",
    validateResource: (args, reportViolation) => {
        if (!TYPES.includes(args.type)) {
            args.notApplicable(`only applies to ${TYPES.join(", ")}`);
        }
        const own = ownAccount();
        const props = args.props as Record<string, unknown>;
        if (args.type === KMS_GRANT_TYPE) {
            for (const field of ["granteePrincipal", "retiringPrincipal"]) {
                const value = props[field];
                if (isUnknown(props, field)) {
                    markUndecided(args, args.urn, field);
                } else if (value !== undefined && value !== null) {
                    const problems = foreignPrincipals({ Effect: "Allow", Principal: { AWS: value } }, own, []);
                    problems.forEach((p) =>
                        reportViolation(`[DB-05, BAK-05] KMS grant '${args.name}': ${field} is ${p}. Grant the stack's key to the stack's own identities only.`),
                    );
                }
            }
            return;
        }
        const where = `${args.type === KMS_KEY_TYPE ? "KMS key" : "KMS key policy"} '${args.name}'`;
        if (args.type === KMS_KEY_TYPE && (props.policy === undefined || props.policy === null || props.policy === "")) {
            return; // KMS's default key policy: the account's root.
        }
        const doc = parsePolicyDocument(props.policy);
        if (doc.kind === "unknown") {
            markUndecided(args, args.urn, "policy");
            return;
        }
        if (doc.kind === "invalid") {
            reportViolation(`[DB-05, BAK-05] ${where}: the key policy ${doc.reason}. Give a valid key policy JSON.`);
            return;
        }
        doc.statements.forEach((statement, i) => {
            if (statement.Effect === "Deny") {
                return;
            }
            foreignPrincipals(statement, own, []).forEach((p) =>
                reportViolation(
                    `[DB-05, BAK-05] ${where}: ${statementLabel(statement, i)} allows ${p}. Name only the stack's own account ` +
                        "(arn:aws:iam::<account>:root) and identities as Principal, or leave the key's policy unset.",
                ),
            );
        });
    },
});
