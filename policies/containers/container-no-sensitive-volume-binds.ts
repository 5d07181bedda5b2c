// CON-09: a Volume of the local driver with bind options (`o: bind`, `device: /etc`) is a bind mount by another
// name: a container mounting it reaches the host path without any bind mount for container-no-sensitive-host-mounts
// to see. So the Volume itself is judged, and every container that mounts it.
import { PolicyResource } from "@pulumi/policy";
import { hostPathSensitivity, isRuntimeSocket, isUnknown, normalizeHostPath, VOLUME_TYPE } from "bulwark-vocabulary";
import { markUndecided, undecidedFields } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { containerLabel, containerProps, containersOf, volumeMountsOf } from "../lib/docker-refs";

/** The host path a local Volume binds (`o` holds bind or rbind), undefined when it is an ordinary volume. */
function bindDevice(props: Record<string, unknown>): string | undefined {
    const driver = props.driver;
    const opts = props.driverOpts as Record<string, unknown> | undefined;
    if ((driver !== undefined && driver !== "local") || !opts || typeof opts.o !== "string" || typeof opts.device !== "string") {
        return undefined;
    }
    const binds = opts.o.split(",").some((o) => ["bind", "rbind"].includes(o.trim()));
    return binds ? opts.device : undefined;
}

/** Why a bound host path is forbidden, or undefined. Unlike a bind mount, no allow list applies: pick another path. */
function deviceProblem(device: string): string | undefined {
    const hostPath = normalizeHostPath(device);
    return isRuntimeSocket(hostPath) ? "a container runtime socket (root on the host)" : hostPathSensitivity(hostPath);
}

export const containerNoSensitiveVolumeBinds = stackPolicy({
    name: "container-no-sensitive-volume-binds",
    description:
        "Docker volumes of the local driver with bind options (`driverOpts: { o: \"bind\", device }`) must not bind a " +
        "container runtime socket or a sensitive host path (the list of container-no-sensitive-host-mounts), and no " +
        "container may mount such a volume.",
    controls: ["CON-09"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Point the volume's `device` at a dedicated directory (e.g. /srv/bulwark-backups, as bulwark:backupVolumeHostPath " +
        "expects) or drop the bind options to use a plain named volume.",
    validateStack: (args, reportViolation) => {
        // Volume URN -> why its device is forbidden; volumes whose device is unknown until apply.
        const sensitive = new Map<string, string>();
        const undecidedVolumes = new Set<PolicyResource>();
        const volumes = args.resources.filter((r) => r.type === VOLUME_TYPE);
        for (const v of volumes) {
            if (undecidedFields(args, v.urn, v.props, ["driver", "driverOpts"]).size > 0) {
                undecidedVolumes.add(v);
                continue;
            }
            const device = bindDevice(v.props);
            const why = device === undefined ? undefined : deviceProblem(device);
            if (device !== undefined && why) {
                sensitive.set(v.urn, why);
                reportViolation(
                    `[CON-09] Volume '${v.props.name ?? v.name}' binds the host path "${device}" (\`driverOpts.device\`), ${why}: ` +
                        "any container mounting it reaches that path; bind a dedicated directory instead.",
                    v.urn,
                );
            }
        }
        if (sensitive.size === 0 && undecidedVolumes.size === 0) {
            return;
        }
        const byName = new Map<string, PolicyResource>();
        for (const v of volumes) {
            if (typeof v.props.name === "string" && !isUnknown(v.props.name)) {
                byName.set(v.props.name, v);
            }
        }
        const nameUnknown = volumes.some((v) => !byName.has(v.props.name as string));
        for (const c of containersOf(args.resources)) {
            const props = containerProps(c);
            for (const mount of volumeMountsOf(props)) {
                // A name unknown at preview: the engine's property dependencies still say which Volumes it comes from.
                const fieldRoot = mount.field.replace(/[[.].*$/, "");
                const candidates =
                    mount.volume !== undefined
                        ? [byName.get(mount.volume)].filter((v): v is PolicyResource => v !== undefined)
                        : (c.propertyDependencies[fieldRoot] ?? []).filter((r) => r.type === VOLUME_TYPE);
                const bad = candidates.find((v) => sensitive.has(v.urn));
                if (bad) {
                    reportViolation(
                        `[CON-09] Container ${containerLabel(props, c.name)} mounts the volume '${bad.props.name ?? bad.name}' ` +
                            `(\`${mount.field}\`), which binds ${sensitive.get(bad.urn)}: remove the mount.`,
                        c.urn,
                    );
                } else if (
                    candidates.some((v) => undecidedVolumes.has(v)) ||
                    (candidates.length === 0 && (mount.volume === undefined || nameUnknown))
                ) {
                    markUndecided(args, c.urn, `${mount.field} (a volume binding a sensitive host path?)`);
                }
            }
        }
    },
});
