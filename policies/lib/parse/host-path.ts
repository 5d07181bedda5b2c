// Host paths as Docker binds them, and the pack's positive rule for them: a container reaches a host path only
// under the stack's own backup directory (bulwark:backupVolumeHostPath, the one host path the program binds), or
// at an exact path the pack's own config allows. Paths are resolved as the host would (vocabulary/host-paths.ts):
// "..", ".", "//", trailing slashes, /var/run -> /run, merged /usr. Every field Docker turns into a bind is read:
// `mounts` of type bind, a volume mount whose driver options bind a device, `volumes[].hostPath`, and a
// `volumes[].volumeName` that is an absolute path (Docker binds it as a host path).
import { CONFIG_NAMESPACE, hostPathSensitivity, isRuntimeSocket, isUnderHostPath, isUnknown, resolveHostPath } from "bulwark-vocabulary";

/** A host path a container or volume binds, and the field it is set in. */
export interface HostBind {
    readonly field: string;
    readonly hostPath: string;
}

type Props = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === "string" && !isUnknown(v) ? v : undefined);

/**
 * The host path that local-driver options bind or mount, or undefined: `device` is what the local driver mounts
 * (with `o=bind` a host directory, with another `type` a block device or remote export); no device, no host path.
 */
export function driverOptsDevice(opts: unknown): string | undefined {
    if (!opts || typeof opts !== "object") {
        return undefined;
    }
    return text((opts as Props).device);
}

/** Every host path a container's inputs make Docker bind. Entries unknown at preview are left to the caller. */
export function hostBindsOf(container: { mounts?: unknown; volumes?: unknown }): HostBind[] {
    const binds: HostBind[] = [];
    const mounts = Array.isArray(container.mounts) ? container.mounts : [];
    mounts.forEach((m: Props | undefined, i) => {
        const type = text(m?.type)?.toLowerCase();
        const source = text(m?.source);
        if (type === "bind" && source !== undefined) {
            binds.push({ field: `mounts[${i}].source`, hostPath: source });
        }
        const options = m?.volumeOptions as Props | undefined;
        const device = driverOptsDevice(options?.driverOptions);
        if (device !== undefined) {
            binds.push({ field: `mounts[${i}].volumeOptions.driverOptions.device`, hostPath: device });
        }
    });
    const volumes = Array.isArray(container.volumes) ? container.volumes : [];
    volumes.forEach((v: Props | undefined, i) => {
        const hostPath = text(v?.hostPath);
        if (hostPath !== undefined && hostPath !== "") {
            binds.push({ field: `volumes[${i}].hostPath`, hostPath });
        }
        // Docker takes a volume "name" that starts with "/" as a host path to bind.
        const name = text(v?.volumeName);
        if (name !== undefined && name.startsWith("/")) {
            binds.push({ field: `volumes[${i}].volumeName`, hostPath: name });
        }
    });
    return binds;
}

/** Where host paths may be bound: the stack's backup directory (when it is itself acceptable) and exact paths. */
export interface HostPathRule {
    /** The resolved backup directory, or undefined when the stack sets none (or one that is refused). */
    readonly root: string | undefined;
    /** The configured backup directory as the stack spelled it, when set. */
    readonly configuredRoot: string | undefined;
    /** Why the configured root is refused, if it is. */
    readonly rootProblem: string | undefined;
    /** Exact resolved paths the pack's own config allows. */
    readonly exact: ReadonlySet<string>;
}

export const BACKUP_ROOT_KEY = `${CONFIG_NAMESPACE}:backupVolumeHostPath`;

/** The rule for a stack: its config (as the engine hands it) names the backup directory; the pack's config may add exact paths. */
export function hostPathRule(stackConfig: Readonly<Record<string, string>>, allowedExact: unknown = []): HostPathRule {
    const configuredRoot = stackConfig[BACKUP_ROOT_KEY];
    // The stack cannot widen its own reach: a backup directory that is itself sensitive allows nothing.
    const rootProblem = configuredRoot === undefined ? undefined : hostPathSensitivity(configuredRoot);
    const root = configuredRoot !== undefined && rootProblem === undefined ? resolveHostPath(configuredRoot) : undefined;
    const exact = new Set(
        (Array.isArray(allowedExact) ? allowedExact : [])
            .filter((p): p is string => typeof p === "string")
            .map(resolveHostPath)
            .filter((p): p is string => p !== undefined),
    );
    return { root, configuredRoot, rootProblem, exact };
}

/** Why binding `hostPath` is refused under `rule`, or undefined when it is allowed. */
export function hostPathProblem(hostPath: string, rule: HostPathRule): string | undefined {
    const resolved = resolveHostPath(hostPath);
    if (resolved === undefined) {
        return "not an absolute host path (Docker binds only absolute paths; no spaces around it)";
    }
    if (isRuntimeSocket(resolved)) {
        return "a container runtime socket (root on the host, even read-only); it can never be allowed";
    }
    if (rule.root !== undefined && isUnderHostPath(resolved, rule.root)) {
        return undefined;
    }
    if (rule.exact.has(resolved)) {
        return undefined;
    }
    const sensitive = hostPathSensitivity(hostPath);
    const where =
        rule.root !== undefined
            ? `outside the stack's backup directory ${rule.root} (${BACKUP_ROOT_KEY})`
            : rule.configuredRoot !== undefined
              ? `not allowed: the stack's ${BACKUP_ROOT_KEY} "${rule.configuredRoot}" is ${rule.rootProblem}, so no host path is`
              : `not allowed: the stack sets no ${BACKUP_ROOT_KEY}, the only host directory a container may reach`;
    return sensitive ? `${sensitive}, ${where}` : where;
}
