// What `Analyze` saw of each resource's inputs, for the stack policies of a preview. A stack policy gets the
// provider's planned state, where a set-typed property holding one unknown element is one unknown (engine-facts
// fact 1): a container's env list with one generated secret hides every other entry, an S3 encryption rule set
// naming a new KMS key hides its algorithm. `Analyze` gets the checked inputs element by element, and the engine
// calls it for every resource, in the same pack process, before `AnalyzeStack`. The planned value of a property
// the program sets is the value it sets, so where the planned state holds a whole unknown and the inputs hold the
// property, the stack policies read the inputs; unknown elements stay unknown and are refused as any other.
// A pack process judges one update; one kept alive across evaluations (the tests' shared pack) must never read a
// stack with another evaluation's inputs. So what Analyze recorded serves one AnalyzeStack: each stack policy
// reads it once, a policy that comes back finds it gone (a stack judged again without Analyze), and the first
// Analyze after a stack was judged starts afresh.
import { isUnknown, withoutBridgeDefaults } from "bulwark-vocabulary";

const seen = new Map<string, Readonly<Record<string, unknown>>>();
const readBy = new Set<string>();

/** Records a resource's inputs as `Analyze` got them. */
export function recordInputs(urn: string, props: Readonly<Record<string, unknown>>): void {
    if (readBy.size > 0) {
        seen.clear();
        readBy.clear();
    }
    seen.set(urn, props);
}

/** Called as stack policy `policy` starts: a second call of the same policy belongs to another evaluation. */
export function stackPolicyStarts(policy: string): void {
    if (readBy.has(policy)) {
        seen.clear();
        readBy.clear();
    }
    readBy.add(policy);
}

/** The planned state with each property that is a whole unknown there, but set in the inputs, read from the inputs. */
export function withSeenInputs<T extends Record<string, unknown>>(urn: string, planned: T): T {
    const inputs = seen.get(urn);
    if (!inputs) {
        return planned;
    }
    let result: T | undefined;
    for (const [key, value] of Object.entries(planned)) {
        const input = inputs[key];
        if (isUnknown(value) && input !== undefined && input !== null && !isUnknown(input)) {
            result = result ?? { ...planned };
            // The stack view never holds the bridge's nested `__defaults` (engine fact 4); the inputs do.
            (result as Record<string, unknown>)[key] = withoutBridgeDefaults(input);
        }
    }
    return result ?? planned;
}

/**
 * Whether the program set `key` on the resource, as `Analyze` saw it: false means the provider computes it (a
 * planned-state unknown that will be the provider's default), undefined that Analyze did not see the resource.
 */
export function setInInputs(urn: string, key: string): boolean | undefined {
    const inputs = seen.get(urn);
    return inputs === undefined ? undefined : inputs[key] !== undefined && inputs[key] !== null;
}
