// SEC-02: generated secrets are only as strong as their length. The document asks for a 64-byte Rails secret,
// a JWT secret of at least 32 random bytes and a database password of at least 32 random bytes; the random
// resources' `length`/`byteLength` inputs are where that is decided.
import { isUnknown, RANDOM_TYPES } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

const { password: RANDOM_PASSWORD, bytes: RANDOM_BYTES, string: RANDOM_STRING, id: RANDOM_ID } = RANDOM_TYPES;

/** RandomString/RandomId are also used for name suffixes; only those named like a secret are judged. */
const SECRET_RESOURCE_NAME = /(secret|password|passwd|token|jwt|credential|key)/i;
/** The Rails secret_key_base needs 64 bytes, more than other secrets. */
const RAILS_SECRET_NAME = /(secret[-_]?key[-_]?base|rails[-_]?secret)/i;

interface Config {
    minPasswordLength: number;
    minBytes: number;
    minStringLength: number;
    minRailsSecretBytes: number;
}

interface RandomProps {
    readonly length?: number;
    readonly byteLength?: number;
}

export const secretGeneratedStrength = resourcePolicy({
    name: "secret-generated-strength",
    controls: ["SEC-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Generated secrets are long enough: RandomPassword length >= 32, RandomBytes length >= 32 (>= 64 for the " +
        "Rails secret_key_base), and RandomString/RandomId named like a secret >= 32 characters/bytes.",
    remediationSteps:
        "Raise the random resource's `length` (or `byteLength`) to at least the configured minimum; the new value " +
        "replaces the secret, so roll the dependent containers in the same update.",
    configSchema: {
        properties: {
            minPasswordLength: { type: "integer", minimum: 1, default: 32, description: "Minimum RandomPassword length" },
            minBytes: { type: "integer", minimum: 1, default: 32, description: "Minimum RandomBytes length / RandomId byteLength" },
            minStringLength: { type: "integer", minimum: 1, default: 32, description: "Minimum length of a secret RandomString" },
            minRailsSecretBytes: {
                type: "integer",
                minimum: 1,
                default: 64,
                description: "Minimum RandomBytes length for a resource named like the Rails secret_key_base",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const props = args.props as RandomProps;
        const check = (actual: number | undefined, min: number, what: string, field: string) => {
            if (isUnknown(actual)) {
                markUndecided(args, args.urn, field);
            } else if (typeof actual === "number" && actual < min) {
                reportViolation(
                    `[SEC-02] ${what} '${args.name}' has ${field} ${actual}; at least ${min} is required for a secret. ` +
                        `Set \`${field}: ${min}\` or more.`,
                );
            }
        };
        switch (args.type) {
            case RANDOM_PASSWORD:
                check(props.length, config.minPasswordLength, "RandomPassword", "length");
                return;
            case RANDOM_BYTES: {
                const isRails = RAILS_SECRET_NAME.test(args.name);
                check(props.length, isRails ? Math.max(config.minRailsSecretBytes, config.minBytes) : config.minBytes, isRails ? "RandomBytes (Rails secret_key_base)" : "RandomBytes", "length");
                return;
            }
            case RANDOM_STRING:
                if (!SECRET_RESOURCE_NAME.test(args.name)) {
                    args.notApplicable("RandomString not named like a secret");
                }
                check(props.length, config.minStringLength, "RandomString", "length");
                return;
            case RANDOM_ID:
                if (!SECRET_RESOURCE_NAME.test(args.name)) {
                    args.notApplicable("RandomId not named like a secret");
                }
                check(props.byteLength, config.minBytes, "RandomId", "byteLength");
                return;
            default:
                args.notApplicable("only applies to @pulumi/random secret generators");
        }
    },
});
