// DB-05/BAK-02: the customer-managed key that encrypts off-site backups rotates
// yearly, and a scheduled deletion waits long enough to be noticed and cancelled: deleting the key makes every
// backup encrypted with it unreadable.
import { KMS_KEY_TYPE } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { isUnknown } from "./lib/aws-refs";

interface Config {
    minDeletionWindowDays: number;
}

interface KeyProps {
    readonly enableKeyRotation?: boolean;
    readonly deletionWindowInDays?: number;
    readonly customerMasterKeySpec?: string;
    readonly description?: string;
}

/** AWS's own default when deletionWindowInDays is not set. */
const AWS_DEFAULT_DELETION_WINDOW = 30;

export const awsKmsKeyRotation = resourcePolicy({
    name: "aws-kms-key-rotation",
    controls: ["DB-05", "BAK-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "A symmetric aws.kms.Key has enableKeyRotation true and a deletionWindowInDays of at least 30 days " +
        "(configurable, 7..30), so the backup key rotates and cannot be destroyed quickly.",
    remediationSteps:
        "Set `enableKeyRotation: true` and `deletionWindowInDays: 30` (or leave it unset: AWS defaults to 30) on the " +
        "aws.kms.Key that encrypts the backups.",
    configSchema: {
        properties: {
            minDeletionWindowDays: {
                type: "integer",
                minimum: 7,
                maximum: 30,
                default: 30,
                description: "Shortest accepted deletion window in days (AWS allows 7..30)",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== KMS_KEY_TYPE) {
            args.notApplicable(`only applies to ${KMS_KEY_TYPE}`);
        }
        const config = args.getConfig<Config>();
        const props = args.props as KeyProps;
        const undecided = undecidedFields(args, args.urn, props as Record<string, unknown>, ["customerMasterKeySpec", "enableKeyRotation", "deletionWindowInDays"]);
        if (undecided.has("customerMasterKeySpec")) {
            return;
        }
        const spec = props.customerMasterKeySpec;
        if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") {
            args.notApplicable(`automatic rotation does not apply to ${spec} keys`);
        }
        if (props.enableKeyRotation !== true && !isUnknown(props, "enableKeyRotation")) {
            reportViolation(
                `[DB-05, BAK-02] KMS key '${args.name}' does not enable automatic rotation (enableKeyRotation is ` +
                    `${String(props.enableKeyRotation ?? "unset")}). Set \`enableKeyRotation: true\`.`,
            );
        }
        const window = isUnknown(props, "deletionWindowInDays") ? undefined : (props.deletionWindowInDays ?? AWS_DEFAULT_DELETION_WINDOW);
        if (typeof window === "number" && window < config.minDeletionWindowDays) {
            reportViolation(
                `[DB-05, BAK-02] KMS key '${args.name}' has deletionWindowInDays ${window}; at least ${config.minDeletionWindowDays} ` +
                    "days are required so that an accidental or malicious deletion can be cancelled before the backups " +
                    `become unreadable. Set \`deletionWindowInDays: ${config.minDeletionWindowDays}\`.`,
            );
        }
    },
});
