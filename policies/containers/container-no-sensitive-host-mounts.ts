// CON-09: a bind mount of a container runtime socket is root on the host, and a bind mount of a system path
// lets the container read host secrets or rewrite the host.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { hostPathSensitivity, isRuntimeSocket, normalizeHostPath } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface HostMountsConfig {
    readonly allowedHostPaths: readonly string[];
}

interface HostBind {
    readonly field: string;
    readonly hostPath: string;
}

/** Every host path the container bind-mounts: `mounts` of type bind and `volumes` with a hostPath. */
function hostBinds(container: { mounts?: unknown; volumes?: unknown }): HostBind[] {
    const binds: HostBind[] = [];
    const mounts = Array.isArray(container.mounts) ? container.mounts : [];
    mounts.forEach((m: { type?: unknown; source?: unknown } | undefined, i) => {
        if (typeof m?.type === "string" && m.type.toLowerCase() === "bind" && typeof m.source === "string") {
            binds.push({ field: `mounts[${i}].source`, hostPath: m.source });
        }
    });
    const volumes = Array.isArray(container.volumes) ? container.volumes : [];
    volumes.forEach((v: { hostPath?: unknown } | undefined, i) => {
        if (typeof v?.hostPath === "string" && v.hostPath.trim() !== "") {
            binds.push({ field: `volumes[${i}].hostPath`, hostPath: v.hostPath });
        }
    });
    return binds;
}

export const containerNoSensitiveHostMounts = resourcePolicy({
    name: "container-no-sensitive-host-mounts",
    description:
        "Containers must not bind-mount a container runtime socket (docker.sock, containerd.sock, ...) or a " +
        "sensitive host path (/, /etc, /proc, /sys, /dev, /boot, /root, /var/lib/docker, /var/run, /run, " +
        "anything under /etc, /proc, /sys, /dev, /boot, /root or /var/lib/docker, or a directory containing one).",
    controls: ["CON-09"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove the bind mount. Keep service data in named Docker volumes (`mounts` of type \"volume\"). If a " +
        "specific host path is truly needed (e.g. /etc/ssl/certs read-only), list its exact path in this " +
        "policy's `allowedHostPaths` config; a runtime socket can never be allowed.",
    configSchema: {
        properties: {
            allowedHostPaths: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Exact host paths that may be bind-mounted although sensitive. Never a runtime socket.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["mounts", "volumes"]).size > 0) {
            return;
        }
        const configured = args.getConfig<HostMountsConfig>().allowedHostPaths;
        const allowed = new Set(
            (Array.isArray(configured) ? configured : []).filter((p) => typeof p === "string").map(normalizeHostPath),
        );
        for (const bind of hostBinds(container)) {
            const hostPath = normalizeHostPath(bind.hostPath);
            if (isRuntimeSocket(hostPath)) {
                reportViolation(
                    `container bind-mounts the container runtime socket "${bind.hostPath}" (\`${bind.field}\`): it ` +
                        "controls the runtime, i.e. root on the host, even when read-only; remove the mount (CON-09)",
                );
                continue;
            }
            const why = hostPathSensitivity(hostPath);
            if (why && !allowed.has(hostPath)) {
                reportViolation(
                    `container bind-mounts "${bind.hostPath}" (\`${bind.field}\`), ${why}: remove the mount or use a ` +
                        "named volume; if this exact path is really needed, list it in `allowedHostPaths` (CON-09)",
                );
            }
        }
    }),
});
