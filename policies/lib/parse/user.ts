// User and group specs as Docker resolves them (moby/sys/user GetExecUser): `user` is "user[:group]", split at the
// first ":"; each part is a number (Go's strconv.Atoi: leading zeros and a sign accepted, so "00" and "+0" are 0)
// or a name looked up in the image's /etc/passwd or /etc/group, which the pack cannot read: any name may be uid or
// gid 0. Without a group the process gets the user's primary group from the image, or gid 0 when the image has no
// entry for the uid. So the pack's positive rule: both parts plain decimal numbers, neither 0. `groupAdds`
// entries are groups the same way.

/** The largest id Docker accepts (user.maxId). */
export const MAX_ID = 2147483647;

/** An id written as a plain decimal number above 0 (leading zeros allowed: Docker reads "010001" as 10001). */
export function plainNonRootId(part: string): number | undefined {
    if (!/^\d+$/.test(part)) {
        return undefined;
    }
    const id = Number(part);
    return id > 0 && id <= MAX_ID ? id : undefined;
}

/** True when Docker would read `part` as id 0 for certain: "0", "00", "+0", "-0", "root". */
export function isRootId(part: string): boolean {
    return part === "root" || /^[+-]?0+$/.test(part);
}

export interface UserSpec {
    readonly user: string;
    readonly group: string | undefined;
}

export function parseUserSpec(spec: string): UserSpec {
    const at = spec.indexOf(":");
    return at < 0 ? { user: spec, group: undefined } : { user: spec.slice(0, at), group: spec.slice(at + 1) };
}

export type UserProblem =
    | { kind: "empty" }
    | { kind: "root"; part: "user" | "group" }
    | { kind: "name"; part: "user" | "group" }
    | { kind: "no-group" };

/** What keeps `spec` from being proven non-root, or undefined when uid and gid are both plain non-zero numbers. */
export function userSpecProblem(spec: string): UserProblem | undefined {
    if (spec === "") {
        return { kind: "empty" };
    }
    const { user, group } = parseUserSpec(spec);
    if (isRootId(user)) {
        return { kind: "root", part: "user" };
    }
    if (plainNonRootId(user) === undefined) {
        return { kind: "name", part: "user" };
    }
    if (group === undefined) {
        return { kind: "no-group" };
    }
    if (isRootId(group)) {
        return { kind: "root", part: "group" };
    }
    return plainNonRootId(group) === undefined ? { kind: "name", part: "group" } : undefined;
}

/** Why a `groupAdds` entry is refused, or undefined when it is a plain non-zero gid. */
export function groupAddProblem(group: string): string | undefined {
    if (isRootId(group)) {
        return "is group 0 (root)";
    }
    return plainNonRootId(group) === undefined
        ? "is not a plain non-zero gid (a name may be any group, root included, in the image)"
        : undefined;
}
