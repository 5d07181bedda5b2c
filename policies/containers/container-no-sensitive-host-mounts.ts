// CON-09: a bind mount of a container runtime socket is root on the host, and a bind mount of a system path
// lets the container read host secrets or rewrite the host. A list of sensitive paths is never complete
// (/run/containerd, a home directory, a path through a symlink), so the rule is positive: a container binds a host
// path only under the stack's own backup directory (bulwark:backupVolumeHostPath), or at an exact path the pack's
// config allows; every spelling is resolved as the host would first (policies/lib/parse/host-path.ts).
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { isRuntimeSocket, normalizeHostPath } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { hostBindsOf, hostPathProblem, hostPathRule } from "../lib/parse/host-path";
import { resourcePolicy } from "../lib/policy";
import { engineStackConfig } from "../lib/stack-config";

interface HostMountsConfig {
    readonly allowedHostPaths: readonly string[];
}

export const containerNoSensitiveHostMounts = resourcePolicy({
    name: "container-no-sensitive-host-mounts",
    description:
        "Containers bind host paths (`mounts` of type bind, volume mounts whose driver options bind a device, " +
        "`volumes[].hostPath`, a `volumes[].volumeName` that is a path) only under the stack's own backup " +
        "directory (bulwark:backupVolumeHostPath) or at an exact path listed in `allowedHostPaths`; never a " +
        "container runtime socket. Paths are resolved as the host resolves them (.., //, /var/run -> /run, merged /usr).",
    controls: ["CON-09"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove the bind mount. Keep service data in named Docker volumes (`mounts` of type \"volume\"); backups go to " +
        "the directory set with `pulumi config set backupVolumeHostPath <dir>`. If a specific host path is truly " +
        "needed (e.g. /etc/ssl/certs read-only), list its exact path in this policy's `allowedHostPaths` config; a " +
        "runtime socket can never be allowed.",
    configSchema: {
        properties: {
            allowedHostPaths: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Exact host paths that may be bind-mounted besides the stack's backup directory. Never a runtime socket.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["mounts", "volumes"]).size > 0) {
            return;
        }
        const rule = hostPathRule(engineStackConfig() ?? {}, args.getConfig<HostMountsConfig>().allowedHostPaths);
        for (const bind of hostBindsOf(container)) {
            if (isRuntimeSocket(normalizeHostPath(bind.hostPath))) {
                reportViolation(
                    `container bind-mounts the container runtime socket "${bind.hostPath}" (\`${bind.field}\`): it ` +
                        "controls the runtime, i.e. root on the host, even when read-only; remove the mount (CON-09)",
                );
                continue;
            }
            const why = hostPathProblem(bind.hostPath, rule);
            if (why) {
                reportViolation(
                    `container bind-mounts "${bind.hostPath}" (\`${bind.field}\`), ${why}: remove the mount or use a ` +
                        "named volume; if this exact path is really needed, list it in `allowedHostPaths` (CON-09)",
                );
            }
        }
    }),
});
