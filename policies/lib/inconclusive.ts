// Fail closed on unknowns (issue 22 item 5). A check that needs a value the engine does not know yet (an id, a
// built image, a value derived from a generated secret or from any other resource's output) cannot prove the
// value safe in `pulumi preview`, so it refuses it: each such value is a violation at the policy's own level
// (a mandatory policy blocks the preview), whose message says which value of which resource is unknown and how
// to make it known. The policy's other checks still run. @pulumi/policy would turn a policy that reads an unknown
// into an advisory "can't run" note, so the policies read raw props (policy.ts) and test values with isUnknown.
//
// The one exception is an unknown that cannot change the verdict, and the policy says why where it skips it:
// unknownCannotMatter(args, urn, field, reason). The reason is recorded (documentedUnknowns) so that a reader
// and the tests can list every place the pack accepts an unknown.
//
// The message is structured (UNKNOWN_PREFIX, the field, the URN, the fix) so that tools list each field
// (tools/analyzer/judge.ts reads it back with parseUnknownViolation).
import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { containsUnknown } from "bulwark-vocabulary";

export const UNKNOWN_PREFIX = "unknown in preview: ";

/** What to do, said when a call site gives no fix of its own. */
export const DEFAULT_UNKNOWN_FIX =
    "the policy cannot prove a value it cannot see, so it refuses it. Make the value known at preview: write it as a literal or " +
    "read it from the stack config (pulumi config set), not computed from another resource's output";

export interface UndecidedField {
    /** Property path, e.g. "image" or "envs[SECRET_KEY_BASE]". */
    readonly field: string;
    readonly urn: string;
    /** How to make the value known, or what to do instead. */
    readonly fix?: string;
}

const SEPARATOR = " — ";

/** The violation message for one unknown value: "unknown in preview: <field> of <urn> — <fix>". */
export function formatUnknown(f: UndecidedField): string {
    return `${UNKNOWN_PREFIX}${f.field} of ${f.urn}${SEPARATOR}${f.fix ?? DEFAULT_UNKNOWN_FIX}`;
}

const PARSE = /^unknown in preview: (.+?) of (urn:pulumi:\S*) — (.*)$/s;

/** The field of a violation message written by formatUnknown; undefined for any other message. */
export function parseUnknownViolation(message: string): UndecidedField | undefined {
    const m = PARSE.exec(message);
    return m ? { field: m[1], urn: m[2], fix: m[3] } : undefined;
}

type Args = ResourceValidationArgs | StackValidationArgs;
const undecided = new WeakMap<Args, UndecidedField[]>();

/**
 * Records that a check of `urn` cannot be decided because `field` is unknown: reported as a violation when the
 * policy body has run (declareUndecided). `fix` says how to make it known; the default says literal or config.
 */
export function markUndecided(args: Args, urn: string, field: string, fix?: string): void {
    const list = undecided.get(args) ?? [];
    if (!list.some((f) => f.urn === urn && f.field === field)) {
        list.push({ urn, field, fix });
    }
    undecided.set(args, list);
}

/** Called once the policy body has run: reports each undecided field as a violation at the policy's level. */
export function declareUndecided(args: Args, reportViolation: (message: string, urn?: string) => void): void {
    const list = undecided.get(args);
    undecided.delete(args);
    for (const f of list ?? []) {
        reportViolation(formatUnknown(f), f.urn);
    }
}

/**
 * Marks each of `fields` whose value is unknown, or holds an unknown anywhere inside, as undecided; returns them,
 * so the policy skips the checks that read them and runs the rest.
 */
export function undecidedFields(args: Args, urn: string, props: Record<string, unknown>, fields: readonly string[], fix?: string): Set<string> {
    const result = new Set<string>();
    for (const field of fields) {
        if (containsUnknown(props[field])) {
            markUndecided(args, urn, field, fix);
            result.add(field);
        }
    }
    return result;
}

/** An unknown a policy accepts, with the reason it gives at the call site. */
export interface DocumentedUnknown {
    readonly field: string;
    readonly reason: string;
}

const documented = new Map<string, DocumentedUnknown>();

/**
 * Accepts that `field` is unknown because it cannot change the verdict, for the `reason` given (say why at the
 * call site: e.g. an image id that a docker.Image of the same stack computes from a build the pack has checked).
 * Returns true, so a call site reads `if (isUnknown(v) && unknownCannotMatter(...)) continue;`.
 */
export function unknownCannotMatter(field: string, reason: string): true {
    documented.set(`${field}\n${reason}`, { field, reason });
    return true;
}

/** Every unknown the pack has accepted so far in this process, with its reason. */
export function documentedUnknowns(): DocumentedUnknown[] {
    return [...documented.values()];
}

/**
 * A KNOWN GAP, kept apart from unknownCannotMatter because here the unknown can matter: an IAM or S3 policy
 * document that interpolates ARNs of the stack's own buckets, keys, users and roles. The AWS bridge turns a
 * document holding any unknown into one unknown string (tools/mocks/provider-model.ts, jsonDocument), and a new
 * stack's ARNs are all unknown in a preview (a KMS key's ARN carries its generated id), so no preview of a new
 * stack can read the document. It is accepted, recorded here, and judged with every value known when `pulumi up`
 * sends it (before the step for the resource policies, after the update for the stack policies). Closing the gap
 * needs ARNs known at preview (explicit bucket names, the account id in stack config; for KMS, conditions on
 * kms:ResourceAliases instead of key ARNs) or an engine that sends documents with unknown leaves.
 * `dependsOn`: for a stack policy, the resources the document's property depends on; a document unknown without
 * depending on any resource of the stack is refused as any other unknown.
 */
export function policyDocumentUnknownAtPreview(args: Args, urn: string, field: string, dependsOn?: readonly unknown[]): void {
    if (dependsOn !== undefined && dependsOn.length === 0) {
        markUndecided(args, urn, field, "the document is unknown and depends on no resource of this stack: write it from literals and the stack's own ARNs");
        return;
    }
    documented.set(`${field}\nGAP`, {
        field: `${field} (IAM/S3 policy document)`,
        reason: "GAP: unknown as a whole in a new stack's preview because it interpolates the stack's own ARNs; judged when `pulumi up` sends it",
    });
}
