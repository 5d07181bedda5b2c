// CON-09 (CIS Docker Benchmark 5.20, KICS "Shared Host ... Mount Propagation"): a bind mount with shared
// propagation is a two-way channel between the host's mount table and the container's. Whatever the host mounts
// under the source later (a USB disk, another container's volume, a secrets tmpfs) appears in the container, and
// whatever the container mounts under the target propagates back onto the host. "slave"/"rslave" only let host
// mounts in and "private"/"rprivate" (the default) neither way, so only the shared modes are rejected.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { isUnknown } from "bulwark-vocabulary";
import { containerLabel } from "../lib/docker-refs";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

/** Propagation modes that let mounts cross between host and container in both directions. */
const SHARED_MODES: readonly string[] = ["shared", "rshared"];

function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}

export const containerMountPropagation = resourcePolicy({
    name: "container-mount-propagation",
    description:
        "Container mounts must not use shared mount propagation (`mounts[].bindOptions.propagation` \"shared\" or " +
        "\"rshared\"): host mounts would propagate into the container and the container's mounts out onto the host.",
    controls: ["CON-09"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove `bindOptions.propagation` from the mount (Docker's default is \"rprivate\"), or set it to \"rprivate\", " +
        "\"private\", \"rslave\" or \"slave\" if the container must see mounts the host makes later.",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        const mounts: unknown = container.mounts;
        if (isUnknown(mounts)) {
            markUndecided(args, args.urn, "mounts");
            return;
        }
        if (!Array.isArray(mounts)) {
            return;
        }
        const label = containerLabel(container as { name?: string }, args.name);
        mounts.forEach((mount: unknown, i) => {
            // Only the values that decide are waited for: an unknown source or target leaves the propagation known.
            const bindOptions = asRecord(mount)?.bindOptions;
            const propagation = asRecord(bindOptions)?.propagation;
            const path: [string, unknown][] = [["", mount], [".bindOptions", bindOptions], [".bindOptions.propagation", propagation]];
            const unknownAt = path.find(([, v]) => isUnknown(v));
            if (unknownAt) {
                markUndecided(args, args.urn, `mounts[${i}]${unknownAt[0]}`);
                return;
            }
            if (typeof propagation !== "string" || !SHARED_MODES.includes(propagation.trim().toLowerCase())) {
                return;
            }
            const m = mount as { source?: unknown; target?: unknown };
            const where = [
                typeof m.source === "string" && !isUnknown(m.source) ? `"${m.source}"` : "its source",
                typeof m.target === "string" && !isUnknown(m.target) ? ` at "${m.target}"` : "",
            ].join("");
            reportViolation(
                `container ${label} mounts ${where} with shared propagation (\`mounts[${i}].bindOptions.propagation: ` +
                    `"${propagation}"\`): mounts the host makes under the source appear in the container, and mounts the ` +
                    "container makes there propagate onto the host; remove `propagation` (default \"rprivate\") or set " +
                    "\"rprivate\", or \"rslave\" if host mounts must reach the container (CON-09)",
            );
        });
    }),
});
