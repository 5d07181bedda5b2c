// NET-01: every service runs on user-defined networks, which give per-stack isolation and DNS by alias. The
// default bridge connects every container on the host, and host mode drops network isolation altogether.
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { PREDEFINED_NETWORKS, attachedNetworkNames, containerLabel, networkModeOf, networksUnknown, quoteList, validateContainer } from "../lib/docker-refs";

interface Config {
    allowedNetworkModes: string[];
}

export const networkUserDefined = resourcePolicy({
    name: "network-user-defined",
    controls: ["NET-01"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Containers are attached to user-defined Docker networks through `networksAdvanced` (or have no network " +
        "at all with networkMode 'none'); the default bridge, 'default', host mode, another container's namespace " +
        "and no network declaration are rejected.",
    remediationSteps:
        "Declare the container's networks as docker.Network resources of the stack and attach them with " +
        "`networksAdvanced: [{ name: network.name }]`; remove `networkMode` unless it is 'none'.",
    configSchema: {
        properties: {
            allowedNetworkModes: {
                type: "array",
                items: { type: "string" },
                default: ["none"],
                description: "networkMode values accepted besides unset (and a user network also listed in networksAdvanced)",
            },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        if (undecidedFields(args, args.urn, props as Record<string, unknown>, ["networkMode", "networksAdvanced"]).size > 0) {
            return;
        }
        const label = containerLabel(props, args.name);
        const names = attachedNetworkNames(props);
        const mode = networkModeOf(props);
        const fix = "Attach it to the stack's user-defined networks with `networksAdvanced` and remove `networkMode`.";

        const predefined = names.filter((n): n is string => n !== undefined && PREDEFINED_NETWORKS.includes(n));
        if (predefined.length > 0) {
            reportViolation(
                `[NET-01] Container ${label} lists Docker's predefined network(s) ${quoteList(predefined)} in networksAdvanced; ` +
                    `these are not user-defined. ${fix}`,
            );
        }

        if (typeof mode === "string" && mode !== "") {
            if (config.allowedNetworkModes.includes(mode)) {
                if (mode === "none" && names.length > 0) {
                    reportViolation(
                        `[NET-01] Container ${label} sets networkMode 'none' but also lists networks in networksAdvanced. ` +
                            "Keep one: 'none' for an isolated job, or the user-defined networks.",
                    );
                }
                return;
            }
            // A user network may be repeated as networkMode as long as it is also declared in networksAdvanced.
            const isUserNetwork = !PREDEFINED_NETWORKS.includes(mode) && !mode.startsWith("container:") && names.includes(mode);
            if (!isUserNetwork) {
                const why = mode === "host"
                    ? "shares the host's network stack"
                    : mode.startsWith("container:")
                      ? "joins another container's network namespace"
                      : PREDEFINED_NETWORKS.includes(mode)
                        ? "puts it on Docker's default bridge, shared with every container on the host"
                        : "names a network without declaring it in networksAdvanced";
                reportViolation(`[NET-01] Container ${label} uses networkMode '${mode}', which ${why}. ${fix}`);
            }
            return;
        }

        if (names.length === 0 && !networksUnknown(props)) {
            reportViolation(
                `[NET-01] Container ${label} declares no network, so Docker attaches it to the default bridge network. ` +
                    `${fix} Use networkMode 'none' for a container that needs no network.`,
            );
        }
    }),
});
