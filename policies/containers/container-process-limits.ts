// CON-08: the Docker provider has no pids limit, so nproc and nofile ulimits are what bounds a fork bomb or a
// descriptor leak. Advisory: nproc counts every process of the uid on the host, so it needs tuning per host.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface ProcessLimitsConfig {
    readonly maxNproc: number;
    readonly maxNofile: number;
}

interface Ulimit {
    readonly name: string;
    readonly soft: number;
    readonly hard: number;
}

function ulimits(value: unknown): Ulimit[] {
    if (!Array.isArray(value)) {
        return [];
    }
    return value.filter(
        (u): u is Ulimit => !!u && typeof u.name === "string" && typeof u.soft === "number" && typeof u.hard === "number",
    );
}

export const containerProcessLimits = resourcePolicy({
    name: "container-process-limits",
    description:
        "Containers should set `nproc` and `nofile` ulimits, with soft <= hard and hard limits within " +
        "`maxNproc` and `maxNofile`.",
    controls: ["CON-08"],
    severity: "low",
    enforcementLevel: "advisory",
    remediationSteps:
        'Add `ulimits: [{ name: "nproc", soft: 512, hard: 512 }, { name: "nofile", soft: 4096, hard: 4096 }]` ' +
        "to the container, sized for the service.",
    configSchema: {
        properties: {
            maxNproc: {
                type: "integer",
                minimum: 1,
                default: 4096,
                description: "The highest hard nproc limit a container may set.",
            },
            maxNofile: {
                type: "integer",
                minimum: 1,
                default: 65536,
                description: "The highest hard nofile limit a container may set.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["ulimits"]).size > 0) {
            return;
        }
        const config = args.getConfig<ProcessLimitsConfig>();
        const limits = ulimits(container.ulimits);
        const checks = [
            { name: "nproc", max: config.maxNproc, key: "maxNproc", example: 512 },
            { name: "nofile", max: config.maxNofile, key: "maxNofile", example: 4096 },
        ];
        for (const check of checks) {
            const limit = limits.find((u) => u.name.trim().toLowerCase() === check.name);
            if (!limit) {
                reportViolation(
                    `container has no ${check.name} ulimit: add { name: "${check.name}", soft: ${check.example}, ` +
                        `hard: ${check.example} } to \`ulimits\` (CON-08)`,
                );
                continue;
            }
            // -1 is "unlimited" to Docker.
            if (limit.hard < 0 || limit.soft < 0) {
                reportViolation(
                    `container ${check.name} ulimit is unlimited (soft ${limit.soft}, hard ${limit.hard}): set both to at ` +
                        `most ${check.max} (CON-08)`,
                );
                continue;
            }
            if (limit.soft > limit.hard) {
                reportViolation(
                    `container ${check.name} ulimit soft limit ${limit.soft} exceeds its hard limit ${limit.hard}: ` +
                        "set soft <= hard (CON-08)",
                );
            }
            if (limit.hard > check.max) {
                reportViolation(
                    `container ${check.name} ulimit hard limit ${limit.hard} is above the maximum ${check.max}: lower it, ` +
                        `or raise \`${check.key}\` in the policy config (CON-08)`,
                );
            }
        }
    }),
});
