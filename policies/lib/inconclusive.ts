// A check that reads a value the engine does not know yet (an id, a built image, a value derived from a
// generated secret) can decide nothing in `pulumi preview`. @pulumi/policy would turn the whole policy into an
// advisory "can't run" note, so the pack never lets a policy read an unknown value: each check that meets one
// is recorded here, the policy's other checks still run, and at the end the policy declares itself not
// applicable with a reason naming every undecided field. `pulumi up` decides them: its inputs are known.
// The reason is structured so that tools can list each field (tools/analyzer reads it back).
import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { containsUnknown } from "bulwark-vocabulary";

export const INCONCLUSIVE_PREFIX = "inconclusive until apply: ";

export interface UndecidedField {
    /** Property path, e.g. "image" or "envs[3]". */
    readonly field: string;
    readonly urn: string;
}

const SEPARATOR = "; ";

export function formatInconclusive(fields: readonly UndecidedField[]): string {
    return INCONCLUSIVE_PREFIX + fields.map((f) => `${f.field} of ${f.urn}`).join(SEPARATOR);
}

/** The fields of a not-applicable reason written by formatInconclusive; undefined for any other reason. */
export function parseInconclusive(reason: string): UndecidedField[] | undefined {
    if (!reason.startsWith(INCONCLUSIVE_PREFIX)) {
        return undefined;
    }
    return reason
        .slice(INCONCLUSIVE_PREFIX.length)
        .split(SEPARATOR)
        .map((part) => {
            const at = part.lastIndexOf(" of urn:");
            return at < 0 ? { field: part, urn: "" } : { field: part.slice(0, at), urn: part.slice(at + 4) };
        });
}

type Args = ResourceValidationArgs | StackValidationArgs;
const undecided = new WeakMap<Args, UndecidedField[]>();

/** Records that a check of `urn` could not be decided because `field` is unknown. */
export function markUndecided(args: Args, urn: string, field: string): void {
    const list = undecided.get(args) ?? [];
    if (!list.some((f) => f.urn === urn && f.field === field)) {
        list.push({ urn, field });
    }
    undecided.set(args, list);
}

/** Called once the policy body has run: declares the undecided fields, if any (this ends the validation). */
export function declareUndecided(args: Args): void {
    const list = undecided.get(args);
    if (list && list.length > 0) {
        undecided.delete(args);
        args.notApplicable(formatInconclusive(list));
    }
}

/**
 * Marks each of `fields` whose value is unknown, or holds an unknown anywhere inside, as undecided; returns them,
 * so the policy skips the checks that read them and runs the rest.
 */
export function undecidedFields(args: Args, urn: string, props: Record<string, unknown>, fields: readonly string[]): Set<string> {
    const result = new Set<string>();
    for (const field of fields) {
        if (containsUnknown(props[field])) {
            markUndecided(args, urn, field);
            result.add(field);
        }
    }
    return result;
}
