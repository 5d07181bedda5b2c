// CON-07: no-new-privileges stops setuid binaries and file capabilities from raising a process's privileges,
// and the seccomp / AppArmor / SELinux profiles must stay on: "unconfined" turns the kernel's filters off, an
// inline seccomp profile can allow every syscall, a label override can make the process spc_t. So options come
// from an allow-list, parsed as the daemon parses them (policies/lib/parse/security-opt.ts).
import * as docker from "@pulumi/docker";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { containsUnknown } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { DEFAULT_APPARMOR_PROFILES, noNewPrivileges, parseSecurityOpt, SecurityOpt, securityOptProblem } from "../lib/parse/security-opt";
import { resourcePolicy } from "../lib/policy";

const NO_NEW_PRIVILEGES = "no-new-privileges";
const FIX = `"${NO_NEW_PRIVILEGES}:true"`;

function securityOpts(value: unknown): SecurityOpt[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").map(parseSecurityOpt) : [];
}

const strings = (v: unknown, fallback: readonly string[]): readonly string[] =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : fallback;

export const containerNoNewPrivileges = resourcePolicy({
    name: "container-no-new-privileges",
    description:
        "Containers must set the `no-new-privileges` security option, and may set no other security option but a " +
        "seccomp profile from `allowedSeccompProfiles` (or Docker's \"builtin\") and an AppArmor profile from " +
        "`allowedAppArmorProfiles` (docker-default): no unconfined profile, inline seccomp profile, SELinux label " +
        "override or /proc unmasking. With enforcement level `remediate`, " +
        `${FIX} is added automatically.`,
    controls: ["CON-07"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        `Add ${FIX} to the container's \`securityOpts\`, and remove any "seccomp=unconfined", ` +
        '"apparmor=unconfined", "systempaths=unconfined", "label=..." or inline seccomp entry; if a syscall is really ' +
        "needed, review a profile and list it in this policy's `allowedSeccompProfiles`.",
    configSchema: {
        properties: {
            allowedSeccompProfiles: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Exact seccomp values accepted besides Docker's default (unset or \"builtin\"), e.g. a reviewed JSON profile",
            },
            allowedAppArmorProfiles: {
                type: "array",
                items: { type: "string" },
                default: [...DEFAULT_APPARMOR_PROFILES],
                description: "AppArmor profiles a container may name",
            },
        },
    },
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
        const config = args.getConfig<{ allowedSeccompProfiles?: unknown; allowedAppArmorProfiles?: unknown }>();
        const rules = {
            allowedSeccompProfiles: strings(config.allowedSeccompProfiles, []),
            allowedAppArmorProfiles: strings(config.allowedAppArmorProfiles, DEFAULT_APPARMOR_PROFILES),
        };
        for (const opt of opts) {
            const problem = securityOptProblem(opt, rules);
            // A malformed no-new-privileges value is already reported as not setting it to true.
            if (problem && opt.key !== NO_NEW_PRIVILEGES) {
                reportViolation(`container \`securityOpts\` entry "${opt.raw}" ${problem}: remove it (CON-07)`);
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
