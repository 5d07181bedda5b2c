// DB-05/BAK-02: the customer-managed key that encrypts off-site backups must stay manageable. With
// bypassPolicyLockoutSafetyCheck true, AWS accepts a key policy that locks every principal out of the key for
// good (no one can change its policy, rotate, disable or schedule it again), and a key without a description
// cannot be told apart from a stray one, so it is the one that gets disabled or deleted in a clean-up: either way
// every backup encrypted with it becomes unreadable.
import { KMS_KEY_TYPE } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface KeyProps {
    readonly bypassPolicyLockoutSafetyCheck?: unknown;
    readonly description?: unknown;
}

export const awsKmsKeyLockoutGuard = resourcePolicy({
    name: "aws-kms-key-lockout-guard",
    controls: ["DB-05", "BAK-02"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "An aws.kms.Key never sets bypassPolicyLockoutSafetyCheck to true (AWS then accepts a key policy that locks " +
        "everyone out of the key for good) and has a non-empty description naming what it protects, so the backup key " +
        "stays manageable and is never mistaken for a stray key.",
    remediationSteps:
        "Remove `bypassPolicyLockoutSafetyCheck` from the aws.kms.Key (or set it to false) and set `description` to what " +
        "the key protects, e.g. `description: \"bulwark prod off-site backups\"`.",
    validateResource: (args, reportViolation) => {
        if (args.type !== KMS_KEY_TYPE) {
            args.notApplicable(`only applies to ${KMS_KEY_TYPE}`);
        }
        const props = args.props as KeyProps;
        const undecided = undecidedFields(args, args.urn, props as Record<string, unknown>, ["bypassPolicyLockoutSafetyCheck", "description"]);
        // Anything but an explicit false or unset counts: the provider takes "true" for true as well.
        const bypass = props.bypassPolicyLockoutSafetyCheck;
        if (!undecided.has("bypassPolicyLockoutSafetyCheck") && bypass !== undefined && bypass !== null && bypass !== false && bypass !== "false") {
            reportViolation(
                `[DB-05, BAK-02] KMS key '${args.name}' sets bypassPolicyLockoutSafetyCheck ${JSON.stringify(bypass)}: AWS then ` +
                    "accepts a key policy that locks every principal out of the key for good, and the backups encrypted with it " +
                    "can no longer be managed or read. Remove `bypassPolicyLockoutSafetyCheck` (or set it to false).",
            );
        }
        const description = props.description;
        if (!undecided.has("description") && (typeof description !== "string" || description.trim() === "")) {
            const found = description === undefined || description === null ? "unset" : typeof description === "string" ? "empty" : `not a string (${JSON.stringify(description)})`;
            reportViolation(
                `[DB-05, BAK-02] KMS key '${args.name}' has no description (description is ${found}), so it cannot be told ` +
                    "apart from a stray key and risks being disabled or deleted in a clean-up. Set `description` to what the key " +
                    "protects, e.g. `description: \"bulwark <stack> off-site backups\"`.",
            );
        }
    },
});
