// CON-06: an immutable root filesystem stops an intruder from planting binaries or editing the app.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

export const containerReadOnlyRoot = resourcePolicy({
    name: "container-read-only-root",
    description:
        "Containers must run with a read-only root filesystem; paths the service writes to are tmpfs mounts " +
        "or volumes.",
    controls: ["CON-06"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set `readOnly: true` on the container. Give each path the service must write to (e.g. /tmp, " +
        "/app/tmp, /var/run/postgresql) a `tmpfs` entry or a volume mount.",
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["readOnly"]).size > 0 || container.readOnly === true) {
            return;
        }
        const state = container.readOnly === false ? "`readOnly` is false" : "`readOnly` is not set and Docker defaults to writable";
        reportViolation(
            `container root filesystem is writable (${state}): set \`readOnly: true\` and mount tmpfs or volumes ` +
                "for the paths the service writes to (CON-06)",
        );
    }),
});
