// LOG-05: without a health check Docker only knows whether the process exists, not whether it serves.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

const EXAMPLE = '["CMD", "/usr/local/bin/healthcheck"]';

export const containerHealthCheck = resourcePolicy({
    name: "container-health-check",
    description:
        "Containers must define their own health check: `healthcheck.tests` starting with CMD or CMD-SHELL " +
        "and a command, never NONE (which switches the image's check off).",
    controls: ["LOG-05"],
    severity: "medium",
    enforcementLevel: "mandatory",
    remediationSteps:
        `Set \`healthcheck\` on the container, e.g. { tests: ${EXAMPLE}, interval: "30s", timeout: "5s", ` +
        'retries: 3, startPeriod: "20s" }, probing the service\'s health endpoint.',
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["healthcheck"]).size > 0) {
            return;
        }
        const healthcheck = container.healthcheck;
        if (healthcheck === undefined || healthcheck === null) {
            reportViolation(`container has no \`healthcheck\`: add one, e.g. tests ${EXAMPLE} (LOG-05)`);
            return;
        }
        const tests = Array.isArray(healthcheck.tests) ? healthcheck.tests : undefined;
        if (tests === undefined || tests.length === 0) {
            reportViolation(`container \`healthcheck.tests\` is empty: set a probe command, e.g. ${EXAMPLE} (LOG-05)`);
            return;
        }
        const [kind, ...command] = tests;
        if (kind === "NONE") {
            reportViolation(
                `container disables its health check (\`healthcheck.tests\` is ["NONE", ...]): set a probe command, e.g. ${EXAMPLE} (LOG-05)`,
            );
        } else if (kind !== "CMD" && kind !== "CMD-SHELL") {
            // "" would inherit the image's check, which this stack does not control; anything else Docker rejects.
            reportViolation(
                `container \`healthcheck.tests\` starts with "${kind}" instead of "CMD" or "CMD-SHELL": write it as ${EXAMPLE} (LOG-05)`,
            );
        } else if (!command.some((c) => typeof c === "string" && c.trim() !== "")) {
            reportViolation(
                `container \`healthcheck.tests\` is "${kind}" without a command: add the probe, e.g. ${EXAMPLE} (LOG-05)`,
            );
        }
    }),
});
