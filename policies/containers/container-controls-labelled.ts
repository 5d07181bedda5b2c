// CMP-07: the compliance report and the live audit read each container's role and controls from its labels,
// so a container without them is invisible to the review.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { isControlId, LABELS, ROLES } from "bulwark-vocabulary";
import { labelValue } from "../lib/labels";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

export const containerControlsLabelled = resourcePolicy({
    name: "container-controls-labelled",
    description:
        `Containers should carry the \`${LABELS.role}\` label (one of ${ROLES.join(", ")}) and the ` +
        `\`${LABELS.controls}\` label listing the catalog control IDs their settings implement.`,
    controls: ["CMP-07"],
    severity: "low",
    enforcementLevel: "advisory",
    remediationSteps:
        `Add labels { label: "${LABELS.role}", value: "<role>" } and { label: "${LABELS.controls}", value: ` +
        '"CON-05,CON-06,..." } to the container, using the IDs of shared/controls.md.',
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["labels"]).size > 0) {
            return;
        }
        const role = labelValue(container.labels, LABELS.role)?.trim();
        if (role === undefined || role === "") {
            reportViolation(
                `container has no \`${LABELS.role}\` label: add one with a value from ${ROLES.join(", ")} (CMP-07)`,
            );
        } else if (!(ROLES as readonly string[]).includes(role)) {
            reportViolation(
                `container \`${LABELS.role}\` label "${role}" is not a known role: use one of ${ROLES.join(", ")} (CMP-07)`,
            );
        }

        const controls = labelValue(container.labels, LABELS.controls);
        const ids = (controls ?? "").split(",").map((id) => id.trim()).filter((id) => id !== "");
        if (ids.length === 0) {
            reportViolation(
                `container has no \`${LABELS.controls}\` label (or it is empty): list the control IDs its settings ` +
                    'carry, comma-separated, e.g. "CON-05,CON-06" (CMP-07)',
            );
            return;
        }
        const unknown = ids.filter((id) => !isControlId(id));
        if (unknown.length > 0) {
            reportViolation(
                `container \`${LABELS.controls}\` label names unknown control IDs ${unknown.join(", ")}: use IDs from ` +
                    "the control catalog (shared/controls.md), e.g. CON-05 (CMP-07)",
            );
        }
    }),
});
