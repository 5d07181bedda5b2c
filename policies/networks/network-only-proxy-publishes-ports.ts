// NET-03: the TLS reverse proxy is the only door into the stack. Any other container that publishes a port
// bypasses TLS, HSTS, rate limits and the access log, so it is rejected wherever it appears. The proxy itself
// publishes the host ports the stack configures (bulwark:httpsPort / httpPort, as the engine hands them to the
// pack), so moving a stack to other ports is a config change, not a policy exception.
import { CONFIG_NAMESPACE } from "bulwark-vocabulary";
import { markUndecided, undecidedFields } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { containerLabel, containerProps, publishedPorts, quoteList } from "../lib/docker-refs";
import { describeStructure, placeAll } from "../lib/roles";
import { configuredPublicPorts, engineStackConfig } from "../lib/stack-config";

interface Config {
    proxyRole: string;
    allowedPublishedPorts: number[];
}

interface AllowedPorts {
    readonly ports: number[];
    /** Where the list comes from, for the message. */
    readonly source: string;
    /** Stack config values that are not port numbers. */
    readonly malformed: string[];
}

function allowedPorts(config: Config): AllowedPorts {
    if (config.allowedPublishedPorts.length > 0) {
        return { ports: config.allowedPublishedPorts, source: "the policy config's allowedPublishedPorts", malformed: [] };
    }
    const configured = configuredPublicPorts(engineStackConfig() ?? {});
    return {
        ports: configured.flatMap((c) => (c.port === undefined ? [] : [c.port])),
        source: `the stack's ${configured.map((c) => `${CONFIG_NAMESPACE}:${c.key}`).join(" and ")}`,
        malformed: configured.filter((c) => c.port === undefined).map((c) => `${CONFIG_NAMESPACE}:${c.key} = ${JSON.stringify(c.raw)}`),
    };
}

export const networkOnlyProxyPublishesPorts = stackPolicy({
    name: "network-only-proxy-publishes-ports",
    controls: ["NET-03"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Only the public entry container (the TLS reverse proxy, placed by its component, label and image: " +
        "policies/lib/roles.ts) may publish ports; a container the pack cannot place publishes none, " +
        "and only the host ports the stack configures (httpsPort and httpPort; 443 and 80 by default).",
    remediationSteps:
        "Remove `ports` and `publishAllPorts` from every container except the reverse proxy; reach internal " +
        "services through the proxy over the user-defined networks. On the proxy, publish only the stack's " +
        "httpsPort and httpPort, each with an explicit `external` value.",
    configSchema: {
        properties: {
            proxyRole: { type: "string", default: "edge-proxy", description: "bulwark.role label value the proxy (placed by its structure) is recognised by" },
            allowedPublishedPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                // Empty means "the ports the stack configures", which the pack reads from the stack's config.
                default: [],
                description: "Host ports the proxy may publish; empty (the default): the stack's httpsPort and httpPort",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const allowed = allowedPorts(config);
        const allowedText = `${allowed.ports.length ? `only ${quoteList(allowed.ports)} (${allowed.source})` : `no port (${allowed.source})`} ` +
            `${allowed.ports.length === 1 ? "is" : "are"} allowed` +
            (allowed.malformed.length ? `; not a port number: ${allowed.malformed.join(", ")}` : "");
        for (const [container, placement] of placeAll(args.resources, { "edge-proxy": config.proxyRole })) {
            const props = containerProps(container);
            const label = containerLabel(props, container.name);
            const undecided = undecidedFields(args, container.urn, props as Record<string, unknown>, ["ports", "publishAllPorts"]);
            if (undecided.size > 0) {
                continue;
            }
            const ports = publishedPorts(props);
            const publishes = ports.length > 0 || props.publishAllPorts === true;
            const isProxy = placement.role === "edge-proxy";
            if (!isProxy && publishes && placement.undecided.length > 0) {
                placement.undecided.forEach((field) => markUndecided(args, container.urn, field));
                continue;
            }
            if (!isProxy) {
                if (publishes) {
                    const what = ports.length > 0
                        ? `publishes host port(s) ${quoteList(ports.map((p) => p.external ?? `random->${p.internal}`))}`
                        : "sets publishAllPorts";
                    // A label alone does not make the proxy: say what the pack found instead.
                    const found = placement.role
                        ? `placed as '${placement.role}'`
                        : `not placed as the proxy: ${describeStructure(placement.chain)}${placement.imageProblem ? ", and its image is not the proxy's" : ""}`;
                    reportViolation(
                        `[NET-03] Container ${label} (role '${placement.label ?? "unset"}', ${found}) ${what}, but only the '${config.proxyRole}' ` +
                            "container of the Proxy component, run from the image built from images/proxy, may publish ports. " +
                            "Remove `ports`/`publishAllPorts` and route traffic through the reverse proxy.",
                        container.urn,
                    );
                }
                continue;
            }
            if (props.publishAllPorts === true) {
                reportViolation(
                    `[NET-03] Proxy container ${label} sets publishAllPorts, which publishes every exposed port on a random ` +
                        `host port. Remove it and list the ports explicitly: ${allowedText}.`,
                    container.urn,
                );
            }
            for (const port of ports) {
                // An unset external port is one Docker picks at random when it creates the container: never provable.
                if (port.external === undefined) {
                    reportViolation(
                        `[NET-03] Proxy container ${label} publishes container port ${port.internal} on a host port Docker picks ` +
                            `at random (no \`external\`); ${allowedText}. Give each port an explicit \`external\` (pulumi config set httpsPort/httpPort).`,
                        container.urn,
                    );
                } else if (!allowed.ports.includes(port.external)) {
                    reportViolation(
                        `[NET-03] Proxy container ${label} publishes host port ${port.external} (container port ${port.internal}); ` +
                            `${allowedText}. Publish the stack's configured ports (pulumi config set httpsPort/httpPort), or set ` +
                            "`allowedPublishedPorts` in the policy config if another port is really needed.",
                        container.urn,
                    );
                }
            }
        }
    },
});
