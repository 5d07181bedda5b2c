// CON-07: a privileged container, or one given host devices, is root on the host in all but name.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

export const containerNoPrivileged = resourcePolicy({
    name: "container-no-privileged",
    description:
        "Containers must not run privileged or have host devices mapped in: either gives the container " +
        "direct access to the host kernel and hardware, bypassing every other confinement.",
    controls: ["CON-07"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove `privileged: true` (or set it to false) and remove `devices`. Grant the single capability the " +
        "service needs through `capabilities.adds` instead, after dropping ALL.",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        const undecided = undecidedFields(args, args.urn, container, ["privileged", "devices"]);
        if (!undecided.has("privileged") && container.privileged === true) {
            reportViolation(
                "container is privileged (`privileged: true`): it gets every capability and all host devices; " +
                    "remove `privileged` and add back only the capabilities it needs via `capabilities.adds` (CON-07)",
            );
        }
        const devices = !undecided.has("devices") && Array.isArray(container.devices) ? container.devices : [];
        if (devices.length > 0) {
            const paths = devices.map((d) => (typeof d?.hostPath === "string" ? d.hostPath : "<unknown>")).join(", ");
            reportViolation(
                `container maps host devices (\`devices\`: ${paths}): device access escapes the container; ` +
                    "remove `devices` (CON-07)",
            );
        }
    }),
});
