// Security options as the Docker daemon reads HostConfig.SecurityOpt (moby daemon/daemon_unix.go
// parseSecurityOpt): "no-new-privileges" and "disable" (SELinux labelling off) stand alone; any other entry is
// key=value, or key:value (the deprecated separator) when it holds no "="; keys are case-sensitive and nothing is
// trimmed; a later entry of the same key wins. The pack accepts options from an allow-list only.

export type SecurityOptKey = "no-new-privileges" | "label" | "apparmor" | "seccomp" | "writable-cgroups" | "systempaths";

export interface SecurityOpt {
    readonly raw: string;
    /** The key as Docker reads it; undefined when Docker refuses the entry. */
    readonly key: string | undefined;
    readonly value: string | undefined;
}

/** One entry, split as the daemon splits it. */
export function parseSecurityOpt(raw: string): SecurityOpt {
    if (raw === "no-new-privileges") {
        return { raw, key: "no-new-privileges", value: undefined };
    }
    if (raw === "disable") {
        // The daemon takes a bare "disable" as label=disable.
        return { raw, key: "label", value: "disable" };
    }
    const sep = raw.includes("=") ? "=" : raw.includes(":") ? ":" : undefined;
    if (sep === undefined) {
        return { raw, key: undefined, value: undefined };
    }
    const at = raw.indexOf(sep);
    return { raw, key: raw.slice(0, at), value: raw.slice(at + 1) };
}

/** Go's strconv.ParseBool, which the daemon applies to no-new-privileges. */
export function parseGoBool(value: string): boolean | undefined {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
    return undefined;
}

/** The allow-lists a container's options are judged by. */
export interface SecurityOptRules {
    /** seccomp profiles besides Docker's default (unset, or "builtin"): exact values, e.g. a reviewed JSON profile. */
    readonly allowedSeccompProfiles: readonly string[];
    /** AppArmor profiles: "docker-default" by default. */
    readonly allowedAppArmorProfiles: readonly string[];
}

export const DEFAULT_APPARMOR_PROFILES: readonly string[] = ["docker-default"];

/** What a container's options make of no-new-privileges: undefined when no entry sets it. */
export function noNewPrivileges(opts: readonly SecurityOpt[]): boolean | undefined {
    let result: boolean | undefined;
    for (const opt of opts) {
        if (opt.key === "no-new-privileges") {
            result = opt.value === undefined ? true : parseGoBool(opt.value) ?? false;
        }
    }
    return result;
}

/** Why one entry is refused, or undefined when the allow-list accepts it. */
export function securityOptProblem(opt: SecurityOpt, rules: SecurityOptRules): string | undefined {
    switch (opt.key) {
        case undefined:
            return "is not an option Docker accepts (key=value, case-sensitive, no spaces)";
        case "no-new-privileges":
            return opt.value === undefined || parseGoBool(opt.value) !== undefined
                ? undefined
                : `sets no-new-privileges to "${opt.value}", which is not a boolean Docker accepts`;
        case "seccomp":
            if (opt.value === "builtin" || rules.allowedSeccompProfiles.includes(opt.value ?? "")) {
                return undefined;
            }
            if (opt.value === "unconfined") {
                return "switches off the seccomp syscall filter";
            }
            return opt.value?.trimStart().startsWith("{")
                ? "replaces Docker's seccomp profile with an inline profile that is not in the policy's allowedSeccompProfiles"
                : "names a seccomp profile that is not in the policy's allowedSeccompProfiles";
        case "apparmor":
            if (rules.allowedAppArmorProfiles.includes(opt.value ?? "")) {
                return undefined;
            }
            return opt.value === "unconfined"
                ? "switches off the AppArmor profile"
                : "names an AppArmor profile that is not in the policy's allowedAppArmorProfiles";
        case "label":
            return opt.value === "disable"
                ? "switches off SELinux labelling"
                : "overrides the SELinux label Docker gives the container (its type, user, role or level)";
        case "systempaths":
            return "switches off the masking of sensitive /proc and /sys paths";
        case "writable-cgroups":
            return "makes the cgroup filesystem writable";
        default:
            return "is not an option on the allow-list (no-new-privileges, seccomp, apparmor)";
    }
}
