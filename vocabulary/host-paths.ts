// Host paths a container must never reach, and how the host resolves a path before Docker binds it: the policies
// container-no-sensitive-host-mounts and container-no-sensitive-volume-binds (CON-09) and the program's check of
// bulwark:backupVolumeHostPath use the same facts. The pack allows host paths only under the stack's own backup
// directory; the sensitive lists say which directories can never be that directory.

/** Host paths that must not be mounted, nor any directory that contains them. */
export const SENSITIVE_PATHS = [
    "/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/home", "/usr", "/var/lib/docker", "/var/lib/containerd",
    "/var/lib/kubelet", "/var/log", "/run",
];

/** Sensitive paths whose every sub-path is sensitive too (host config, kernel interfaces, devices, runtimes' state and sockets, users' homes, programs). */
export const SENSITIVE_TREES = [
    "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/home", "/usr", "/var/lib/docker", "/var/lib/containerd",
    "/var/lib/kubelet", "/var/log", "/run",
];

/**
 * Symbolic links every current Linux host has (merged /usr, /var/run and /var/lock into /run): the kernel follows
 * them before Docker binds the path, so "/var/run/docker.sock" is "/run/docker.sock" and "/lib/../etc" is "/usr/etc".
 */
export const HOST_SYMLINKS: Readonly<Record<string, string>> = {
    "/var/run": "/run",
    "/var/lock": "/run/lock",
    "/bin": "/usr/bin",
    "/sbin": "/usr/sbin",
    "/lib": "/usr/lib",
    "/lib32": "/usr/lib32",
    "/lib64": "/usr/lib64",
    "/libx32": "/usr/libx32",
};

/** Sockets that control a container runtime; the path can be anywhere, so they are matched by name. */
export const RUNTIME_SOCKETS = ["docker.sock", "containerd.sock", "podman.sock", "crio.sock"];

export function isRuntimeSocket(p: string): boolean {
    return RUNTIME_SOCKETS.some((s) => p.endsWith(s));
}

/**
 * The path the host's kernel reaches for `p`, as far as it can be told without the host: "." and empty
 * components dropped, ".." taken after the known symlinks above are followed (as the kernel walks), no trailing
 * slash. Undefined when `p` is not an absolute path (Docker refuses a relative bind source; no trimming either:
 * " /etc" is not "/etc") or holds a NUL.
 */
export function resolveHostPath(p: string): string | undefined {
    if (!p.startsWith("/") || p.includes("\0")) {
        return undefined;
    }
    let parts: string[] = [];
    for (const component of p.split("/")) {
        if (component === "" || component === ".") {
            continue;
        }
        if (component === "..") {
            parts.pop();
            continue;
        }
        parts.push(component);
        // Followed at each step, so "/var/run/.." is "/" (the link's target's parent), not "/var".
        for (let hops = 0; hops < 8; hops++) {
            const target = HOST_SYMLINKS[`/${parts.join("/")}`];
            if (target === undefined) {
                break;
            }
            parts = target.split("/").filter((c) => c !== "");
        }
    }
    return `/${parts.join("/")}`;
}

/** "/var/run//docker.sock/" and "/var/run/../run/docker.sock" name the same file as their resolved form "/run/docker.sock". */
export function normalizeHostPath(p: string): string {
    return resolveHostPath(p) ?? p;
}

/** True when host path `p` is `root` or inside it (both resolved). */
export function isUnderHostPath(p: string, root: string): boolean {
    const path = resolveHostPath(p);
    const base = resolveHostPath(root);
    return path !== undefined && base !== undefined && (path === base || path.startsWith(base === "/" ? "/" : `${base}/`));
}

/** Why a host path is sensitive, or undefined when it is not. */
export function hostPathSensitivity(raw: string): string | undefined {
    const p = resolveHostPath(raw);
    if (p === undefined) {
        return "not an absolute host path";
    }
    if (isRuntimeSocket(p)) {
        return "a container runtime socket (root on the host)";
    }
    const shown = p === raw ? "" : ` (${p} on the host)`;
    if (SENSITIVE_PATHS.includes(p)) {
        return `a sensitive host path${shown}`;
    }
    const tree = SENSITIVE_TREES.find((t) => p.startsWith(`${t}/`));
    if (tree) {
        return `inside the sensitive host path ${tree}${shown}`;
    }
    // Mounting a parent (e.g. /var) exposes everything sensitive below it.
    const inside = SENSITIVE_PATHS.filter((s) => s !== "/" && s.startsWith(`${p}/`));
    return inside.length ? `a host directory containing ${inside.join(", ")}${shown}` : undefined;
}
