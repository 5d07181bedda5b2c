// The bases a Dockerfile builds FROM, resolved as BuildKit resolves them: line continuations joined, comments
// dropped, global ARGs (before the first FROM) with their defaults overridden by the build's args, `$X`, `${X}`,
// `${X:-default}` and `${X-default}` substituted, `--platform=...` flags skipped, and a FROM naming an earlier
// stage (`AS name`) recognised as that stage rather than an image.

export interface FromLine {
    /** 1-based line of the FROM instruction. */
    readonly line: number;
    /** The base after substitution. */
    readonly image: string;
    /** The build args the FROM line reads (their names only; values never reach a message). */
    readonly args: readonly string[];
    /** An earlier stage, or `scratch` (no image at all). */
    readonly internal: boolean;
    /** A variable it reads has no value. */
    readonly unresolved: boolean;
}

function logicalLines(text: string): { line: number; text: string }[] {
    const result: { line: number; text: string }[] = [];
    let current = "";
    let start = 0;
    text.split(/\r?\n/).forEach((raw, i) => {
        if (current === "" && /^\s*#/.test(raw)) {
            return;
        }
        if (current === "") {
            start = i + 1;
        }
        if (/\\\s*$/.test(raw)) {
            current += raw.replace(/\\\s*$/, " ");
            return;
        }
        current += raw;
        if (current.trim() !== "") {
            result.push({ line: start, text: current.trim() });
        }
        current = "";
    });
    if (current.trim() !== "") {
        result.push({ line: start, text: current.trim() });
    }
    return result;
}

function substitute(value: string, vars: ReadonlyMap<string, string | undefined>): { text: string; args: string[]; unresolved: boolean } {
    const args: string[] = [];
    let unresolved = false;
    const text = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, braced, fallback, bare) => {
        const name = braced ?? bare;
        args.push(name);
        const v = vars.get(name);
        if (v !== undefined && v !== "") {
            return v;
        }
        if (fallback !== undefined) {
            return fallback;
        }
        unresolved = true;
        return "";
    });
    return { text, args, unresolved };
}

/** Every FROM of a Dockerfile, given the build's args (unknown values are passed as undefined). */
export function fromLines(dockerfile: string, buildArgs: Readonly<Record<string, string | undefined>>): FromLine[] {
    const vars = new Map<string, string | undefined>();
    const stages = new Set<string>();
    const result: FromLine[] = [];
    let seenFrom = false;
    for (const { line, text } of logicalLines(dockerfile)) {
        const match = /^(\w+)\s*(.*)$/s.exec(text);
        if (!match) {
            continue;
        }
        const instruction = match[1].toUpperCase();
        const rest = match[2];
        if (instruction === "ARG" && !seenFrom) {
            for (const decl of rest.split(/\s+/).filter(Boolean)) {
                const eq = decl.indexOf("=");
                const name = eq < 0 ? decl : decl.slice(0, eq);
                const fallback = eq < 0 ? undefined : decl.slice(eq + 1).replace(/^["']|["']$/g, "");
                vars.set(name, name in buildArgs ? buildArgs[name] : fallback);
            }
        } else if (instruction === "FROM") {
            seenFrom = true;
            const words = rest.split(/\s+/).filter((w) => !w.startsWith("--"));
            const { text: image, args, unresolved } = substitute(words[0] ?? "", vars);
            const asIndex = words.findIndex((w) => w.toUpperCase() === "AS");
            const internal = image.toLowerCase() === "scratch" || stages.has(image.toLowerCase());
            result.push({ line, image, args, internal, unresolved: unresolved || image === "" });
            if (asIndex > 0 && words[asIndex + 1]) {
                stages.add(words[asIndex + 1].toLowerCase());
            }
        }
    }
    return result;
}
