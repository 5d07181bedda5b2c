// CON-07: no-new-privileges stops setuid binaries and file capabilities from raising a process's privileges,
// and the seccomp / AppArmor / SELinux profiles must stay on: "unconfined" turns the kernel's filters off.
import * as docker from "@pulumi/docker";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { containsUnknown } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

const NO_NEW_PRIVILEGES = "no-new-privileges";
const FIX = `"${NO_NEW_PRIVILEGES}:true"`;

interface SecurityOpt {
    readonly raw: string;
    readonly key: string;
    readonly value: string | undefined;
}

/** Docker takes "key=value" and the older "key:value"; the first separator splits. */
function parseSecurityOpt(raw: string): SecurityOpt {
    const trimmed = raw.trim();
    const at = trimmed.search(/[=:]/);
    return at < 0
        ? { raw, key: trimmed.toLowerCase(), value: undefined }
        : { raw, key: trimmed.slice(0, at).toLowerCase(), value: trimmed.slice(at + 1).trim() };
}

function securityOpts(value: unknown): SecurityOpt[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").map(parseSecurityOpt) : [];
}

/** The value Docker ends up with: a bare flag means true, and a later entry overrides an earlier one. */
function noNewPrivileges(opts: readonly SecurityOpt[]): boolean | undefined {
    let result: boolean | undefined;
    for (const opt of opts) {
        if (opt.key === NO_NEW_PRIVILEGES) {
            result = opt.value === undefined || /^(1|t|true)$/i.test(opt.value);
        }
    }
    return result;
}

/** Options that switch a kernel confinement off, with what each one disables. */
const UNCONFINED: readonly { key: string; value: string; what: string }[] = [
    { key: "seccomp", value: "unconfined", what: "the seccomp syscall filter" },
    { key: "apparmor", value: "unconfined", what: "the AppArmor profile" },
    { key: "systempaths", value: "unconfined", what: "the masking of sensitive /proc and /sys paths" },
    { key: "label", value: "disable", what: "SELinux labelling" },
];

export const containerNoNewPrivileges = resourcePolicy({
    name: "container-no-new-privileges",
    description:
        "Containers must set the `no-new-privileges` security option, and must not switch off seccomp, " +
        "AppArmor, SELinux labelling or /proc masking. With enforcement level `remediate`, " +
        `${FIX} is added automatically.`,
    controls: ["CON-07"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        `Add ${FIX} to the container's \`securityOpts\`, and remove any "seccomp=unconfined", ` +
        '"apparmor=unconfined", "systempaths=unconfined" or "label=disable" entry (use a custom profile ' +
        "instead if a syscall is really needed).",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["securityOpts"]).size > 0) {
            return;
        }
        const opts = securityOpts(container.securityOpts);
        const nnp = noNewPrivileges(opts);
        if (nnp === undefined) {
            reportViolation(
                "container does not set no-new-privileges: setuid binaries can regain privileges; add " +
                    `${FIX} to \`securityOpts\` (CON-07)`,
            );
        } else if (!nnp) {
            reportViolation(
                `container disables no-new-privileges in \`securityOpts\`: replace that entry with ${FIX} (CON-07)`,
            );
        }
        for (const opt of opts) {
            const off = UNCONFINED.find((u) => u.key === opt.key && opt.value?.toLowerCase() === u.value);
            if (off) {
                reportViolation(
                    `container \`securityOpts\` entry "${opt.raw}" switches off ${off.what}: remove it (CON-07)`,
                );
            }
        }
    }),
    // Setting no-new-privileges only takes away; an explicit "false" is replaced, since it is the violation.
    remediateResource: remediateResourceOfType(docker.Container, (container) => {
        const raw = Array.isArray(container.securityOpts) ? container.securityOpts : [];
        if (containsUnknown(raw) || noNewPrivileges(securityOpts(raw)) === true) {
            return undefined;
        }
        const kept = raw.filter((o) => typeof o !== "string" || parseSecurityOpt(o).key !== NO_NEW_PRIVILEGES);
        return { ...container, securityOpts: [...kept, `${NO_NEW_PRIVILEGES}:true`] };
    }),
});
