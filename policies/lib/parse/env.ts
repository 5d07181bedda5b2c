// Env lists exactly as Docker applies them (moby container.ReplaceOrAppendEnvValues): an entry is split at its
// first "=", nothing is trimmed (" RAILS_FORCE_SSL" is a variable of its own, not RAILS_FORCE_SSL), a later entry
// of the same name replaces an earlier one, and an entry without "=" unsets the image's variable of that name.
// The list keeps what a policy needs to refuse the tricks: duplicates, names a shell could not export, entries
// without a value.

/** One env entry. `value` is undefined when the entry has no "=" (Docker then unsets the variable). */
export interface EnvEntry {
    readonly name: string;
    readonly value: string | undefined;
}

/** A name a POSIX shell and Rails read as one variable: letters, digits and "_", not starting with a digit. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A container's env list, parsed. */
export class EnvList {
    constructor(
        private readonly entries: ReadonlyMap<string, EnvEntry>,
        /** Some entries (or the whole list) are unknown at preview, so a name not seen may still be set. */
        readonly hasUnknown: boolean,
        /** Names set more than once (Docker keeps the last). */
        readonly duplicates: readonly string[] = [],
        /** Entries whose name is not a well-formed variable name, or that have no "=". */
        readonly malformed: readonly EnvEntry[] = [],
    ) {}

    get(name: string): EnvEntry | undefined {
        return this.entries.get(name);
    }

    has(name: string): boolean {
        return this.entries.has(name);
    }

    /** True only when the name is certainly not set: absent and no entry is unknown. */
    isMissing(name: string): boolean {
        return !this.entries.has(name) && !this.hasUnknown;
    }

    values(): IterableIterator<EnvEntry> {
        return this.entries.values();
    }
}

/**
 * Parses a Docker env list of "K=V". Entries that are not strings are unknown at preview (an Output the engine
 * could not resolve); the value of a name is its last entry's, as in Docker. `isUnknown` tells the engine's
 * unknown sentinel (passed in so this file has no imports).
 */
export function parseEnvList(envs: unknown, present: boolean, isUnknown: (v: unknown) => boolean): EnvList {
    const result = new Map<string, EnvEntry>();
    if (!Array.isArray(envs)) {
        // A list given but unknown as a whole hides every name.
        return new EnvList(result, present && isUnknown(envs));
    }
    let hasUnknown = false;
    const duplicates = new Set<string>();
    const malformed: EnvEntry[] = [];
    for (const entry of envs) {
        if (typeof entry !== "string" || isUnknown(entry)) {
            hasUnknown = true;
            continue;
        }
        const eq = entry.indexOf("=");
        const parsed: EnvEntry = eq < 0 ? { name: entry, value: undefined } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
        if (eq < 0 || !ENV_NAME.test(parsed.name)) {
            malformed.push(parsed);
        }
        if (result.has(parsed.name)) {
            duplicates.add(parsed.name);
        }
        // Last one wins; an entry without "=" unsets the name, so a policy sees it as set to nothing.
        result.set(parsed.name, parsed);
    }
    return new EnvList(result, hasUnknown, [...duplicates], malformed);
}
