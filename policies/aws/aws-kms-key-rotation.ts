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
    readonly keySpec?: string;
    readonly description?: string;
}

/**
 * The key specs KMS cannot rotate automatically: asymmetric (RSA, ECC, SM2, ML-DSA) and HMAC keys
 * (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html, "Supported KMS keys"). An allow-list of
 * exemptions: SYMMETRIC_DEFAULT (which the provider's Check fills in on every key), a spec this list does not know,
 * or no spec at all are all judged as symmetric keys, which must rotate.
 */
export const NON_ROTATABLE_KEY_SPECS: readonly string[] = [
    "RSA_2048", "RSA_3072", "RSA_4096",
    "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519",
    "SM2",
    "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
    "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
];

/** The fields that name a key's spec: `keySpec` (KMS's current name) and the deprecated `customerMasterKeySpec`. */
const SPEC_FIELDS = ["keySpec", "customerMasterKeySpec"] as const;

/** AWS's own default when deletionWindowInDays is not set. */
const AWS_DEFAULT_DELETION_WINDOW = 30;

export const awsKmsKeyRotation = resourcePolicy({
    name: "aws-kms-key-rotation",
    controls: ["DB-05", "BAK-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Every aws.kms.Key whose spec (keySpec or the deprecated customerMasterKeySpec) is not an asymmetric or HMAC " +
        "spec KMS cannot rotate (SYMMETRIC_DEFAULT, an unknown spec and no spec all count as symmetric) has enableKeyRotation true and a deletionWindowInDays of at least 30 days " +
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
        const undecided = undecidedFields(args, args.urn, props as Record<string, unknown>, [...SPEC_FIELDS, "enableKeyRotation", "deletionWindowInDays"]);
        if (SPEC_FIELDS.some((f) => undecided.has(f))) {
            return;
        }
        // Exempt only a spec KMS cannot rotate, named by either field: a SYMMETRIC_DEFAULT key must rotate.
        const exempt = SPEC_FIELDS.map((f) => props[f]).find((spec): spec is string => typeof spec === "string" && NON_ROTATABLE_KEY_SPECS.includes(spec));
        if (exempt !== undefined) {
            args.notApplicable(`automatic rotation does not apply to ${exempt} keys`);
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
