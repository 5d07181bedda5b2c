// How the Pulumi engine marshals values for an analyzer (MarshalProperties with KeepUnknowns and KeepSecrets,
// sdk/go/common/resource/plugin/rpc.go). The policies read raw props (lib/policy.ts), so they meet these forms
// directly; tools/analyzer writes them. One definition for both sides.

/** plugin.UnknownStringValue: what the engine sends for a value not known until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** resource.SigKey and resource.SecretSig: `{[SIG_KEY]: SECRET_SIG, value}` marks a secret. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * pulumi-terraform-bridge's bookkeeping key (pkg/reservedkeys: Defaults): its Check records in each nested object
 * the fields it defaulted, so resource policies meet it in their inputs; the stack view never holds it.
 */
export const BRIDGE_DEFAULTS_KEY = "__defaults";

/** The value without the bridge's nested `__defaults` keys: what the provider plans and returns as state. */
export function withoutBridgeDefaults(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutBridgeDefaults);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).filter(([k]) => k !== BRIDGE_DEFAULTS_KEY).map(([k, v]) => [k, withoutBridgeDefaults(v)]));
    }
    return value;
}

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** True when the value, or anything inside it, is unknown. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (value && typeof value === "object") {
        return Object.values(value).some(containsUnknown);
    }
    return false;
}
