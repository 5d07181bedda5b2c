// LOG-06: a container that exits stays down unless Docker is told to bring it back.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

const RESTART_POLICIES = ["unless-stopped", "always", "on-failure"];

export const containerRestartPolicy = resourcePolicy({
    name: "container-restart-policy",
    description:
        'Long-running containers should restart on failure: `restart` is "unless-stopped", "always" or "on-failure".',
    controls: ["LOG-06"],
    severity: "low",
    // Advisory: one-shot containers (a backup run, a restore drill) rightly do not restart.
    enforcementLevel: "advisory",
    remediationSteps:
        'Set `restart: "unless-stopped"` on the container (or "on-failure" with `maxRetryCount` for jobs that ' +
        "should give up).",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["restart"]).size > 0) {
            return;
        }
        const restart = typeof container.restart === "string" ? container.restart.trim() : undefined;
        if (restart !== undefined && RESTART_POLICIES.includes(restart)) {
            return;
        }
        const state = restart === undefined ? "is not set (defaults to \"no\")" : `is "${restart}"`;
        reportViolation(
            `container will not restart after a failure: \`restart\` ${state}; set it to "unless-stopped" (LOG-06)`,
        );
    }),
});
