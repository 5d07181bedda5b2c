// Issue 22 item 2: a closed world over fields. Every input field of a known type is safe at any value, checked by
// a named policy, or refused when set (classification.ts); a field the pack does not know, or a refused one set to
// anything but the provider's own default, is a violation naming the field and the fix. The engine's `__defaults`
// bookkeeping key is skipped (engine-facts fact 4).
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { CLASSIFICATION } from "./lib/classification";
import { walkFields } from "./lib/walk";

export const gateFieldsClassified = resourcePolicy({
    name: "gate-fields-classified",
    description:
        "Every input field of every resource is one the pack classifies (safe at any value, or checked by a named " +
        "policy), and no field the pack refuses is set: gpus, sysctls, runtime, host paths in volumes, " +
        "fromContainer, device rules, namespace modes, extra hosts, another daemon for the docker provider, ...",
    controls: ["CON-07", "CON-09"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Remove the field named in the violation (each message says what to use instead). A field the pack does not " +
        "know yet must be classified in policies/gate/classification.ts, with the policy that checks it, before it can be used.",
    validateResource: (args, reportViolation) => {
        const known = CLASSIFICATION[args.type];
        if (!known || !("fields" in known)) {
            return; // unknown types: gate-resource-type-known; inert types: nothing acts on their inputs
        }
        for (const finding of walkFields(known.fields, args.props as Record<string, unknown>, "", [])) {
            if (finding.kind === "unknown") {
                // Fail closed through the one mechanism every policy uses, so tools list it as a refused check.
                markUndecided(args, args.urn, finding.path, finding.fix);
                continue;
            }
            const value = finding.shown === undefined ? "" : ` (${finding.shown})`;
            const what =
                finding.kind === "unclassified"
                    ? `sets \`${finding.path}\`${value}, a field the pack does not classify`
                    : finding.kind === "refused"
                      ? `sets \`${finding.path}\`${value}, which the pack refuses`
                      : `gives \`${finding.path}\` in a shape the pack cannot read field by field`;
            reportViolation(`${args.type.split(":").pop()} '${args.name}' ${what}: ${finding.fix}.`);
        }
    },
});
