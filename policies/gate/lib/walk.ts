// Judges one resource's inputs against the gate's classification: every key classified, no refused field set.
// Shared by gate-fields-classified and the tests that generate attacks from the same table.
import { BRIDGE_DEFAULTS_KEY, isUnknown } from "bulwark-vocabulary";
import { Fields, Rule, Scalar } from "./classification";

export interface FieldFinding {
    /** The field's path: `mounts[].volumeOptions.driverOptions` (list elements are not named by index, fact 5). */
    readonly path: string;
    /** `unknown`: a value unknown in this preview where the gate must see it (refused as any unknown is). */
    readonly kind: "unclassified" | "refused" | "unknown-shape" | "unknown";
    /** What to do about it. */
    readonly fix: string;
    /** The value, when it is a short scalar that may be shown (never for a field that may hold a secret). */
    readonly shown?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Whether a refused field's value counts as not set: absent, or a value the rule allows. */
export function notSet(rule: Extract<Rule, { kind: "refused" }>, value: unknown): boolean {
    if (value === undefined || value === null) {
        return true;
    }
    if (isUnknown(value)) {
        return false;
    }
    // Provider inputs arrive as strings ("false"); compare by their text.
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (rule.unless?.some((u: Scalar) => String(u) === text)) {
        return true;
    }
    return typeof value === "string" && rule.unlessMatches !== undefined && rule.unlessMatches.test(value);
}

function show(value: unknown): string | undefined {
    if (typeof value === "boolean" || typeof value === "number") {
        return String(value);
    }
    return typeof value === "string" && value.length <= 80 ? JSON.stringify(value) : undefined;
}

/**
 * A structured value the engine sent as its JSON text (a provider's object inputs arrive so); any other string
 * where an object or map is classified is returned as it is and judged as a shape the gate cannot read.
 */
function structured(value: unknown): unknown {
    if (typeof value !== "string" || isUnknown(value) || !/^\s*[[{]/.test(value)) {
        return value;
    }
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
}

function walkValue(rule: Rule, raw: unknown, path: string, out: FieldFinding[]): void {
    if (raw === undefined || raw === null) {
        return;
    }
    const value = rule.kind === "object" || rule.kind === "map" ? structured(raw) : raw;
    switch (rule.kind) {
        case "safe":
        case "checked":
            return;
        case "refused":
            if (isUnknown(value)) {
                out.push({ path, kind: "unknown", fix: `a field the pack refuses unless it is unset or a known safe value must be known at preview (a literal or the stack config); otherwise ${rule.fix}` });
            } else if (!notSet(rule, value)) {
                out.push({ path, kind: "refused", fix: rule.fix, shown: show(value) });
            }
            return;
        case "map":
            if (isUnknown(value)) {
                if (rule.values.kind !== "safe" && rule.values.kind !== "checked") {
                    out.push({ path, kind: "unknown", fix: `give \`${path}\` as literal keys and values, known before apply, so each key can be classified` });
                }
                return;
            }
            if (isObject(value)) {
                for (const [key, v] of Object.entries(value)) {
                    if (key !== BRIDGE_DEFAULTS_KEY) {
                        walkValue(rule.values, v, `${path}.${key}`, out);
                    }
                }
            } else {
                out.push({ path, kind: "unknown-shape", fix: `give \`${path}\` as a map of keys to values` });
            }
            return;
        case "object":
            if (Array.isArray(value)) {
                value.forEach((element) => walkValue(rule, element, `${path}[]`, out));
            } else if (isObject(value)) {
                walkFields(rule.fields, value, `${path}.`, out);
            } else if (isUnknown(value)) {
                // The program computed the whole object (or list element): its keys cannot be classified.
                out.push({ path, kind: "unknown", fix: `give \`${path}\` as a literal object whose values may be outputs, so its fields are known before apply` });
            } else {
                out.push({ path, kind: "unknown-shape", fix: `give \`${path}\` as an object with the fields the provider declares` });
            }
            return;
    }
}

export function walkFields(fields: Fields, props: Record<string, unknown>, prefix: string, out: FieldFinding[]): FieldFinding[] {
    for (const [key, value] of Object.entries(props)) {
        if (key === BRIDGE_DEFAULTS_KEY) {
            continue;
        }
        const rule = fields[key];
        const path = `${prefix}${key}`;
        if (!rule) {
            if (value !== undefined && value !== null) {
                out.push({ path, kind: "unclassified", fix: `remove \`${path}\`: the pack does not know this field, so it cannot prove it safe` });
            }
            continue;
        }
        walkValue(rule, value, path, out);
    }
    return out;
}
