// Property values in the form the engine sends them to an analyzer (bulwark-vocabulary engine-values): fixtures,
// the mocks and the analyzer client all speak it, so what a policy reads here is what it reads under Pulumi.
import { SECRET_SIG, SIG_KEY } from "bulwark-vocabulary";

export { isUnknown, SECRET_SIG, SIG_KEY, UNKNOWN } from "bulwark-vocabulary";

/** A secret value in wire form. */
export function secret(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value };
}

export function isSecret(value: unknown): value is { value: unknown } {
    return !!value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/**
 * A JSON-safe copy for a protobuf Struct: keys whose value is undefined are dropped, as the engine never sends
 * them (a property the program did not set is absent, not null).
 */
export function wireSafe(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => (v === undefined ? null : wireSafe(v)));
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, wireSafe(v)]),
        );
    }
    return value;
}
