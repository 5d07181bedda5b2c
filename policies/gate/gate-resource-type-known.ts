// Issue 22 item 1: a closed world over resource types. A resource whose type the pack does not check is refused,
// whatever it is (a swarm service, a plugin, a dynamic provider, an unknown component): the pack cannot prove it
// safe. Exceptions are a list in the policy config, each with a reason, shown by the compliance report.
import { resourcePolicy } from "../lib/policy";
import { CLASSIFICATION, REFUSED_TYPES } from "./lib/classification";

export interface TypeException {
    readonly type: string;
    readonly reason: string;
}

interface Config {
    exceptions: TypeException[];
}

export const GATE_RESOURCE_TYPE_KNOWN = "gate-resource-type-known";

export const gateResourceTypeKnown = resourcePolicy({
    name: GATE_RESOURCE_TYPE_KNOWN,
    description:
        "Every resource is of a type the pack checks (the program's docker, random and AWS resources, its components, " +
        "the Stack and the providers); any other type is refused unless the policy config lists it as an exception " +
        "with a reason.",
    controls: ["CON-07", "NET-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Replace the resource with one of the types the pack checks (a docker.Container instead of a docker.Service, " +
        "an inline IAM policy instead of a managed-policy attachment), or, after review, list its type under " +
        `\`{"${GATE_RESOURCE_TYPE_KNOWN}": {"exceptions": [{"type": "<type>", "reason": "<why it is safe>"}]}}\` in the policy config.`,
    configSchema: {
        properties: {
            exceptions: {
                type: "array",
                default: [],
                description: "Resource types allowed although the pack does not check them, each with the reason it is safe.",
                items: {
                    type: "object",
                    required: ["type", "reason"],
                    additionalProperties: false,
                    properties: {
                        type: { type: "string", minLength: 1, description: "the type token, e.g. docker:index/service:Service" },
                        reason: { type: "string", minLength: 1, pattern: "\\S", description: "why this type is safe in this stack" },
                    },
                },
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (CLASSIFICATION[args.type]) {
            return;
        }
        const config = args.getConfig<Config>();
        if ((config.exceptions ?? []).some((e) => e.type === args.type)) {
            return;
        }
        const why = REFUSED_TYPES[args.type] ?? "the pack has no rules for this type, so it cannot prove it safe";
        reportViolation(
            `resource '${args.name}' is of type ${args.type}, which the pack does not check: ${why}. Use a type the pack ` +
                `checks, or list it under "${GATE_RESOURCE_TYPE_KNOWN}".exceptions with a reason in the policy config.`,
        );
    },
});
