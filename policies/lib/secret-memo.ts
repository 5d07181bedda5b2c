// What `Analyze` saw of each container's env list, for the stack policy that judges where secrets come from
// (secret-env-generated). In a preview the stack policy gets the provider's planned state, where a set-typed
// property with one unknown element is one unknown (/work/shared/engine-facts.md fact 1): a container whose env
// list holds a generated secret hides every other entry, a literal secret included. `Analyze` gets the checked
// inputs element by element, and the engine calls it for every resource, in the same pack process, before
// `AnalyzeStack`. So secret-env-not-inline records here, as digests only, the secret entries it saw; the stack
// policy reads them when its own view is unknown, and clears them once the stack has been judged.
import { SecretEntry } from "./secret-sources";

export interface SeenEnvs {
    readonly entries: readonly SecretEntry[];
    /** Entries unknown until apply (their names too). */
    readonly unknown: number;
    /** The env list is unknown as a whole. */
    readonly wholeUnknown: boolean;
}

const seen = new Map<string, SeenEnvs>();

export function recordSeenEnvs(urn: string, envs: SeenEnvs): void {
    seen.set(urn, envs);
}

export function seenEnvs(urn: string): SeenEnvs | undefined {
    return seen.get(urn);
}

/** Forgets what was seen: called once a stack has been judged, so the next preview starts from its own requests. */
export function forgetSeenEnvs(): void {
    seen.clear();
}
