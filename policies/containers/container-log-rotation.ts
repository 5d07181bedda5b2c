// LOG-04 / CMP-01: container logs must be kept, and kept bounded: an unrotated json-file log fills the disk,
// and the "none" driver throws away the audit trail.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface LogRotationConfig {
    readonly allowedLogDrivers: readonly string[];
}

/** Drivers that write to the Docker host's disk and rotate only when told to. */
const LOCAL_DRIVERS = ["json-file", "local"];
const EXAMPLE_OPTS = '{ "max-size": "10m", "max-file": "5" }';

export const containerLogRotation = resourcePolicy({
    name: "container-log-rotation",
    description:
        "Containers must set a log driver from `allowedLogDrivers` (never \"none\"); the local drivers " +
        "(json-file, local) must bound retention with `max-size` and `max-file`.",
    controls: ["LOG-04", "CMP-01"],
    severity: "medium",
    enforcementLevel: "mandatory",
    remediationSteps:
        `Set \`logDriver: "json-file"\` and \`logOpts: ${EXAMPLE_OPTS}\` on the container. To ship logs off the ` +
        "host instead, use a driver such as fluentd or awslogs and add it to this policy's `allowedLogDrivers`.",
    configSchema: {
        properties: {
            allowedLogDrivers: {
                type: "array",
                items: { type: "string" },
                default: ["json-file", "local"],
                description: 'Log drivers containers may use. "none" is rejected even if listed.',
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["logDriver", "logOpts"]).size > 0) {
            return;
        }
        const configured = args.getConfig<LogRotationConfig>().allowedLogDrivers;
        const allowed = Array.isArray(configured) ? configured : [];
        const driver = typeof container.logDriver === "string" ? container.logDriver.trim() : "";
        if (driver === "") {
            reportViolation(
                "container sets no `logDriver`, so the daemon default applies, which does not rotate by default: set " +
                    `\`logDriver: "json-file"\` with \`logOpts: ${EXAMPLE_OPTS}\` (LOG-04, CMP-01)`,
            );
            return;
        }
        if (driver === "none") {
            reportViolation(
                `container discards its logs (\`logDriver: "none"\`): use "json-file" with \`logOpts: ${EXAMPLE_OPTS}\` (LOG-04, CMP-01)`,
            );
            return;
        }
        if (!allowed.includes(driver)) {
            reportViolation(
                `container \`logDriver\` "${driver}" is not in \`allowedLogDrivers\` [${allowed.join(", ")}]: use ` +
                    `"json-file" with \`logOpts: ${EXAMPLE_OPTS}\`, or allow the driver in the policy config (LOG-04, CMP-01)`,
            );
            return;
        }
        if (!LOCAL_DRIVERS.includes(driver)) {
            return; // An allowed shipping driver: retention is the log store's job.
        }
        const opts: Record<string, unknown> = container.logOpts ?? {};
        const maxSize = opts["max-size"] === undefined ? undefined : String(opts["max-size"]).trim();
        const maxFile = opts["max-file"] === undefined ? undefined : String(opts["max-file"]).trim();
        if (maxSize === undefined) {
            reportViolation(
                `container logs grow without bound: \`logOpts\` has no "max-size" for driver "${driver}"; set it, e.g. "10m" (LOG-04, CMP-01)`,
            );
        } else if (!/^\d+(\.\d+)?[kmg]$/i.test(maxSize) || Number.parseFloat(maxSize) <= 0) {
            reportViolation(
                `container \`logOpts\` "max-size" "${maxSize}" is not a positive size with a unit: use e.g. "10m" or "1g" (LOG-04, CMP-01)`,
            );
        }
        if (maxFile === undefined) {
            reportViolation(
                `container log retention is unbounded: \`logOpts\` has no "max-file" for driver "${driver}"; set it, e.g. "5" (LOG-04, CMP-01)`,
            );
        } else if (!/^\d+$/.test(maxFile) || Number(maxFile) < 1) {
            reportViolation(
                `container \`logOpts\` "max-file" "${maxFile}" is not an integer >= 1: use e.g. "5" (LOG-04, CMP-01)`,
            );
        }
    }),
});
