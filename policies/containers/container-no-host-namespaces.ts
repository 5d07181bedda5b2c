// CON-09 / NET-02: sharing a host namespace removes the isolation between the container and the host: its
// network stack (and every port on it), its processes, its IPC, its user mapping or its cgroups.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

/** The namespace settings, what "host" shares, and whether "container:<id>" is also rejected. */
const NAMESPACES = [
    { field: "networkMode", what: "the host's network stack", joinsContainer: true },
    { field: "pidMode", what: "the host's process table", joinsContainer: true },
    { field: "ipcMode", what: "the host's IPC (shared memory, semaphores)", joinsContainer: false },
    { field: "usernsMode", what: "the host's user namespace (disables user remapping)", joinsContainer: false },
    { field: "cgroupnsMode", what: "the host's cgroup namespace", joinsContainer: false },
] as const;

export const containerNoHostNamespaces = resourcePolicy({
    name: "container-no-host-namespaces",
    description:
        "Containers must not share the host's network, PID, IPC, user or cgroup namespace, and must not join " +
        "another container's network or PID namespace.",
    controls: ["CON-09", "NET-02"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove `networkMode`, `pidMode`, `ipcMode`, `usernsMode` and `cgroupnsMode` set to \"host\" (or " +
        "\"container:...\"). Attach the container to user-defined networks with `networksAdvanced`, and publish " +
        "only the ports the edge proxy needs.",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        const undecided = undecidedFields(args, args.urn, container, NAMESPACES.map((ns) => ns.field));
        for (const ns of NAMESPACES) {
            const raw = container[ns.field];
            if (typeof raw !== "string" || undecided.has(ns.field)) {
                continue;
            }
            const mode = raw.trim().toLowerCase();
            if (mode === "host") {
                reportViolation(
                    `container shares ${ns.what} (\`${ns.field}: "host"\`): remove \`${ns.field}\`` +
                        (ns.field === "networkMode" ? " and attach user-defined networks via `networksAdvanced`" : "") +
                        " (CON-09, NET-02)",
                );
            } else if (ns.joinsContainer && mode.startsWith("container:")) {
                reportViolation(
                    `container joins another container's namespace (\`${ns.field}: "${raw}"\`), sharing its ` +
                        `${ns.field === "networkMode" ? "network stack" : "processes"}: remove \`${ns.field}\` (CON-09, NET-02)`,
                );
            }
        }
    }),
});
