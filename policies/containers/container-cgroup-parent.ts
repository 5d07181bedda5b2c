// CON-08 (CIS Docker Benchmark 5.25 "Ensure that cgroup usage is confirmed", KICS "Cgroup Not Default"): the
// engine puts every container under its own cgroup (docker/ or system.slice/docker-<id>.scope), where the host's
// limits and accounting for containers apply. `cgroupParent` moves the container under another parent, out of
// them: a slice without limits, or one shared with host services. A host slice set up on purpose is allowed by
// listing it in `allowedCgroupParents`.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { containerLabel } from "../lib/docker-refs";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface CgroupParentConfig {
    readonly allowedCgroupParents: readonly string[];
}

export const containerCgroupParent = resourcePolicy({
    name: "container-cgroup-parent",
    description:
        "Containers must stay in the cgroup the engine gives them: `cgroupParent` must not be set, unless to a parent " +
        "listed in `allowedCgroupParents`.",
    controls: ["CON-08"],
    severity: "medium",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove `cgroupParent` from the container and bound it with `memory`, `cpus` and `ulimits` instead. If the " +
        "host has a cgroup slice set up for it on purpose (with its own limits), list that exact parent in this " +
        "policy's `allowedCgroupParents` config.",
    configSchema: {
        properties: {
            allowedCgroupParents: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Exact cgroup parents (e.g. \"bulwark.slice\") that containers may be placed under.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["cgroupParent"]).size > 0) {
            return;
        }
        const parent: unknown = container.cgroupParent;
        // Unset or empty: the engine's default parent.
        if (typeof parent !== "string" || parent.trim() === "") {
            return;
        }
        const configured = args.getConfig<CgroupParentConfig>().allowedCgroupParents;
        const allowed = new Set((Array.isArray(configured) ? configured : []).filter((p) => typeof p === "string").map((p) => p.trim()));
        if (allowed.has(parent.trim())) {
            return;
        }
        reportViolation(
            `container ${containerLabel(container as { name?: string }, args.name)} sets \`cgroupParent: "${parent}"\`: it ` +
                "runs outside the cgroup the engine gives containers, so the limits and accounting set there do not " +
                "apply to it; remove `cgroupParent`, or if this host slice is set up on purpose, list it in " +
                "`allowedCgroupParents` (CON-08)",
        );
    }),
});
