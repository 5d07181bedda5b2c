// BAK-06: the stack's IAM identities hold only the permissions written in the stack's own documents, which
// the pack judges (the backup identity's put-only policy, the replication role's). A managed policy attached by
// ARN (AdministratorAccess, say), or membership in a group with its own policies, gives an identity permissions
// no document in the stack shows, so nothing here can judge them: each such resource is refused.
import { IAM_ATTACHMENT_TYPES, IAM_ROLE_TYPE, IAM_USER_TYPE } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

const FIX = "Give the identity an inline policy (aws.iam.UserPolicy / RolePolicy) with the actions it needs, which the pack judges.";

export const awsIamNoAttachedPolicies = resourcePolicy({
    name: "aws-iam-no-attached-policies",
    controls: ["BAK-06"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "No IAM policy attachment (User/Role/Group PolicyAttachment, PolicyAttachment, the *PolicyAttachmentsExclusive " +
        "resources), group membership (UserGroupMembership, GroupMembership) or managedPolicyArns on a User or Role: an " +
        "identity's permissions are its inline documents, which the pack judges.",
    remediationSteps: FIX,
    validateResource: (args, reportViolation) => {
        if (IAM_ATTACHMENT_TYPES.includes(args.type)) {
            const props = args.props as Record<string, unknown>;
            const what = props.policyArn ?? props.policyArns ?? props.groups ?? props.group;
            reportViolation(
                `[BAK-06] ${args.type.split(":").pop()} '${args.name}' attaches ${typeof what === "string" ? `'${what}'` : "permissions"} ` +
                    `to ${String(props.user ?? props.role ?? props.users ?? props.roles ?? props.groups ?? "an identity")} outside the stack's own documents. ${FIX}`,
            );
            return;
        }
        if (args.type !== IAM_USER_TYPE && args.type !== IAM_ROLE_TYPE) {
            args.notApplicable("only applies to IAM attachments, users and roles");
        }
        const props = args.props as Record<string, unknown>;
        if (undecidedFields(args, args.urn, props, ["managedPolicyArns"]).size > 0) {
            return;
        }
        const managed = props.managedPolicyArns;
        if (Array.isArray(managed) ? managed.length > 0 : managed !== undefined && managed !== null) {
            reportViolation(`[BAK-06] IAM identity '${args.name}' has managedPolicyArns ${JSON.stringify(managed)}, whose permissions no document in the stack shows. ${FIX}`);
        }
    },
});
