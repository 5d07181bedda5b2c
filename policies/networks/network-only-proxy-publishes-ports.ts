// NET-03: the TLS reverse proxy is the only door into the stack. Any other container that publishes a port
// bypasses TLS, HSTS, rate limits and the access log, so it is rejected wherever it appears.
import { markUndecided, undecidedFields } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import {
    containerLabel,
    containerProps,
    containersOf,
    publishedPorts,
    quoteList,
    roleOf,
    roleUnknown,
} from "../lib/docker-refs";

interface Config {
    proxyRole: string;
    allowedPublishedPorts: number[];
}

export const networkOnlyProxyPublishesPorts = stackPolicy({
    name: "network-only-proxy-publishes-ports",
    controls: ["NET-03"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Only the public entry container (the TLS reverse proxy, by its bulwark.role label) may publish ports, " +
        "and only the configured host ports (80 and 443 by default).",
    remediationSteps:
        "Remove `ports` and `publishAllPorts` from every container except the reverse proxy; reach internal " +
        "services through the proxy over the user-defined networks. On the proxy, publish only the allowed host " +
        "ports with an explicit `external` value.",
    configSchema: {
        properties: {
            proxyRole: { type: "string", default: "edge-proxy", description: "bulwark.role value of the container allowed to publish ports" },
            allowedPublishedPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                // The standard web ports and their unprivileged alternates (the dev stack publishes 8443/8080).
                default: [80, 443, 8080, 8443],
                description: "Host ports the proxy may publish",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        for (const container of containersOf(args.resources)) {
            const props = containerProps(container);
            const label = containerLabel(props, container.name);
            const role = roleOf(props);
            const undecided = undecidedFields(args, container.urn, props as Record<string, unknown>, ["ports", "publishAllPorts"]);
            if (undecided.size > 0) {
                continue;
            }
            const ports = publishedPorts(props);
            if (role !== config.proxyRole && (ports.length > 0 || props.publishAllPorts === true) && roleUnknown(props)) {
                markUndecided(args, container.urn, "labels");
                continue;
            }
            if (role !== config.proxyRole) {
                if (ports.length > 0 || props.publishAllPorts === true) {
                    const what = ports.length > 0
                        ? `publishes host port(s) ${quoteList(ports.map((p) => p.external ?? `random->${p.internal}`))}`
                        : "sets publishAllPorts";
                    reportViolation(
                        `[NET-03] Container ${label} (role '${role ?? "unset"}') ${what}, but only the '${config.proxyRole}' ` +
                            "container may publish ports. Remove `ports`/`publishAllPorts` and route traffic through the reverse proxy.",
                        container.urn,
                    );
                }
                continue;
            }
            if (props.publishAllPorts === true) {
                reportViolation(
                    `[NET-03] Proxy container ${label} sets publishAllPorts, which publishes every exposed port on a random ` +
                        `host port. Remove it and list the ports explicitly (allowed: ${quoteList(config.allowedPublishedPorts)}).`,
                    container.urn,
                );
            }
            for (const port of ports) {
                // An unset external port is unknown at preview (Docker picks it later); it is judged once known.
                if (port.external !== undefined && !config.allowedPublishedPorts.includes(port.external)) {
                    reportViolation(
                        `[NET-03] Proxy container ${label} publishes host port ${port.external} (container port ${port.internal}); ` +
                            `only ${quoteList(config.allowedPublishedPorts)} are allowed. Remove the port or extend ` +
                            "`allowedPublishedPorts` in the policy config if it is really needed.",
                        container.urn,
                    );
                }
            }
        }
    },
});
