// Host paths a container must never reach: the policies container-no-sensitive-host-mounts and
// container-no-sensitive-volume-binds (CON-09) and the program's check of bulwark:backupVolumeHostPath use the same list.
import * as path from "node:path";

/** Host paths that must not be mounted, nor any directory that contains them. */
export const SENSITIVE_PATHS = ["/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/lib/docker", "/var/run", "/run"];

/** Sensitive paths whose every sub-path is sensitive too (host config, kernel interfaces, devices, images). */
export const SENSITIVE_TREES = ["/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/lib/docker"];

/** Sockets that control a container runtime; the path can be anywhere, so they are matched by name. */
export const RUNTIME_SOCKETS = ["docker.sock", "containerd.sock", "podman.sock", "crio.sock"];

export function isRuntimeSocket(p: string): boolean {
    return RUNTIME_SOCKETS.some((s) => p.endsWith(s));
}

/** "/var/run//docker.sock/" and "/var/run/../run/docker.sock" name the same file as their normal form. */
export function normalizeHostPath(p: string): string {
    const normal = path.posix.normalize(p.trim());
    return normal.length > 1 ? normal.replace(/\/+$/, "") : normal;
}

/** Why a host path is sensitive, or undefined when it is not. */
export function hostPathSensitivity(p: string): string | undefined {
    if (SENSITIVE_PATHS.includes(p)) {
        return "a sensitive host path";
    }
    const tree = SENSITIVE_TREES.find((t) => p.startsWith(`${t}/`));
    if (tree) {
        return `inside the sensitive host path ${tree}`;
    }
    // Mounting a parent (e.g. /var) exposes everything sensitive below it.
    const inside = SENSITIVE_PATHS.filter((s) => s !== "/" && s.startsWith(`${p}/`));
    return inside.length ? `a host directory containing ${inside.join(", ")}` : undefined;
}
