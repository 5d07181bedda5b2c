// CON-09: a Volume of the local driver with bind options (`o: bind`, `device: /etc`) is a bind mount by another
// name: a container mounting it reaches the host path without any bind mount for container-no-sensitive-host-mounts
// to see. So the Volume itself is judged, and every container that mounts it.
import { PolicyResource } from "@pulumi/policy";
import { containsUnknown, isUnknown, VOLUME_TYPE } from "bulwark-vocabulary";
import { markUndecided, unknownCannotMatter } from "../lib/inconclusive";
import { driverOptsDevice, hostPathProblem, hostPathRule } from "../lib/parse/host-path";
import { stackPolicy } from "../lib/policy";
import { engineStackConfig } from "../lib/stack-config";
import { containerLabel, containerProps, containersOf, volumeMountsOf } from "../lib/docker-refs";

/**
 * The host path a local Volume binds or mounts (its driver options' `device`), undefined when it is an ordinary
 * volume. Another driver's options are that driver's own.
 */
export function bindDevice(props: Record<string, unknown>): string | undefined {
    // A driver unknown at preview (computed when the program sets none) is the local one by default.
    const driver = props.driver;
    return driver !== undefined && driver !== "local" && !isUnknown(driver) ? undefined : driverOptsDevice(props.driverOpts);
}

/** Why a Volume's bound host path is refused under the stack's host-path rule (only its backup directory), or undefined. */
export function deviceProblem(device: string): string | undefined {
    return hostPathProblem(device, hostPathRule(engineStackConfig() ?? {}));
}

export const containerNoSensitiveVolumeBinds = stackPolicy({
    name: "container-no-sensitive-volume-binds",
    description:
        "Docker volumes of the local driver that bind or mount a host path (`driverOpts.device`) must bind a directory " +
        "under the stack's own backup directory (bulwark:backupVolumeHostPath), resolved as the host resolves it, and " +
        "no container may mount a volume that binds anything else.",
    controls: ["CON-09"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Point the volume's `device` at the stack's backup directory (`pulumi config set backupVolumeHostPath " +
        "/srv/bulwark-backups`, a dedicated filesystem) or drop the driver options to use a plain named volume.",
    validateStack: (args, reportViolation) => {
        // Volume URN -> why its device is forbidden; volumes whose device is unknown until apply.
        const sensitive = new Map<string, string>();
        const undecidedVolumes = new Set<PolicyResource>();
        const volumes = args.resources.filter((r) => r.type === VOLUME_TYPE);
        const rule = hostPathRule(engineStackConfig() ?? {});
        for (const v of volumes) {
            if (
                ["driver", "driverOpts"].some((f) => containsUnknown(v.props[f])) &&
                unknownCannotMatter(
                    "driver/driverOpts of a docker.Volume in the stack view",
                    "Docker assigns `driver` on create, so the stack view of a preview has it unknown; the Volume's own inputs are " +
                        "judged by container-volume-no-sensitive-bind before it is created, and it refuses them when unknown",
                )
            ) {
                undecidedVolumes.add(v);
                continue;
            }
            const device = bindDevice(v.props);
            const why = device === undefined ? undefined : hostPathProblem(device, rule);
            if (device !== undefined && why) {
                sensitive.set(v.urn, `the host path "${device}", ${why}`);
                reportViolation(
                    `[CON-09] Volume '${v.props.name ?? v.name}' binds the host path "${device}" (\`driverOpts.device\`), ${why}: ` +
                        "any container mounting it reaches that path; bind a directory under the stack's backup directory instead.",
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
                } else if (candidates.length === 0 && (mount.volume === undefined || nameUnknown)) {
                    // Neither a name nor a dependency on a Volume of the stack: nothing says what it mounts.
                    markUndecided(
                        args,
                        c.urn,
                        `${mount.field} (a volume binding a sensitive host path?)`,
                        "name the volume with a literal, or take it from a docker.Volume of this stack (`volume.name`), whose own " +
                            "driver options container-volume-no-sensitive-bind judges",
                    );
                }
                // A mount of a Volume of the stack whose options are unknown in the stack view: that Volume is judged
                // on its own inputs by container-volume-no-sensitive-bind, which refuses it if they bind a sensitive path.
            }
        }
    },
});
