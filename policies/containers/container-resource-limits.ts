// CON-08: without limits one container (or one runaway request) can starve the host and every other service.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { MAX_CONTAINER_CPUS, MAX_CONTAINER_MEMORY_MB } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { cpuLimit } from "../lib/parse/cpu";
import { resourcePolicy } from "../lib/policy";

interface ResourceLimitsConfig {
    readonly maxMemoryMb: number;
    readonly maxCpus: number;
}

export const containerResourceLimits = resourcePolicy({
    name: "container-resource-limits",
    description:
        "Containers must set a memory limit (at most `maxMemoryMb`), a CPU limit (`cpus` or `cpuQuota`) that, as " +
        "Docker computes it (quota over period, cpuset size), allows at most `maxCpus` CPUs, and no swap beyond the " +
        "memory limit.",
    controls: ["CON-08"],
    severity: "medium",
    enforcementLevel: "mandatory",
    remediationSteps:
        'Set `memory` (MB), `memorySwap` equal to `memory` (no swap on top), and `cpus` (e.g. "0.5") on the ' +
        "container, sized from the service's measured usage.",
    configSchema: {
        properties: {
            maxMemoryMb: {
                type: "integer",
                minimum: 1,
                default: MAX_CONTAINER_MEMORY_MB,
                description: "The largest memory limit, in MB, a single container may have.",
            },
            maxCpus: {
                type: "number",
                exclusiveMinimum: 0,
                default: MAX_CONTAINER_CPUS,
                description: "The most CPUs a single container may be allowed (`cpus`, `cpuQuota` over `cpuPeriod`, `cpuSet`).",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        const { maxMemoryMb, maxCpus } = args.getConfig<ResourceLimitsConfig>();
        const undecided = undecidedFields(args, args.urn, container, ["memory", "memorySwap", "cpus", "cpuQuota", "cpuPeriod", "cpuSet"]);
        const memory = typeof container.memory === "number" ? container.memory : undefined;

        if (undecided.has("memory")) {
            // judged at apply
        } else if (memory === undefined || memory <= 0) {
            const state = memory === undefined ? "not set" : `${memory}`;
            reportViolation(
                `container has no memory limit (\`memory\` is ${state}): set \`memory\` in MB, e.g. 512 (CON-08)`,
            );
        } else if (memory > maxMemoryMb) {
            reportViolation(
                `container \`memory\` is ${memory} MB, above the allowed maximum of ${maxMemoryMb} MB: lower it, or ` +
                    "raise `maxMemoryMb` in the policy config (CON-08)",
            );
        }

        const cpuFields = ["cpus", "cpuQuota", "cpuPeriod", "cpuSet"] as const;
        if (!cpuFields.some((f) => undecided.has(f))) {
            const verdict = cpuLimit(container, maxCpus);
            for (const problem of verdict.problems) {
                reportViolation(`container ${problem} (CON-08)`);
            }
            if (verdict.limit === undefined && verdict.problems.length === 0) {
                reportViolation('container has no CPU limit: set `cpus` (e.g. "0.5") or a positive `cpuQuota` (CON-08)');
            }
        }

        // memorySwap is memory + swap; 0 means "not set" to the provider, -1 means unlimited swap.
        const swap = typeof container.memorySwap === "number" ? container.memorySwap : undefined;
        if (undecided.has("memorySwap") || undecided.has("memory")) {
            // judged at apply
        } else if (swap !== undefined && swap < 0) {
            reportViolation(
                `container allows unlimited swap (\`memorySwap\` is ${swap}): set \`memorySwap\` equal to \`memory\` (CON-08)`,
            );
        } else if (swap !== undefined && swap > 0 && memory !== undefined && memory > 0 && swap > memory) {
            reportViolation(
                `container \`memorySwap\` (${swap} MB) exceeds \`memory\` (${memory} MB), letting it swap ` +
                    `${swap - memory} MB beyond its limit: set \`memorySwap\` equal to \`memory\` (CON-08)`,
            );
        }
    }),
});
