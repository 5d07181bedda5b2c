// NET-01/DB-02: the networks that reach the database are the data networks.
// They must be internal, and only the application, the database and the backup job may join them, so that
// nothing else (the proxy, the off-site uploader, a debugging container) can open a connection to the database.
import { PolicyResource } from "@pulumi/policy";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { Role, ROLES } from "bulwark-vocabulary";
import { DATABASE_IMAGE_PATTERNS_SCHEMA, attachmentsOf, containerLabel, containerProps, networkInternal, networkProps, networksOf, quoteList } from "../lib/docker-refs";
import { databaseVerdictOf, describeStructure, placeAll } from "../lib/roles";

interface Config {
    dataNetworkRoles: string[];
    databaseImagePatterns: string[];
}

export const networkDataNetworkInternal = stackPolicy({
    name: "network-data-network-internal",
    controls: ["NET-01", "DB-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Every Docker network a database container is attached to is internal, and every other container on such " +
        "a network is placed (by its component, label and image: policies/lib/roles.ts) in one of the allowed data-network " +
        "roles (app, database, backup by default); a container the pack cannot place joins none.",
    remediationSteps:
        "Declare the data network with `internal: true`, and attach to it only the application backend, the " +
        "database and the backup job; give other containers their own networks (edge, egress).",
    configSchema: {
        properties: {
            dataNetworkRoles: {
                type: "array",
                items: { type: "string" },
                default: ["app", "database", "backup"],
                description: "bulwark.role values allowed on a network the database is attached to",
            },
            databaseImagePatterns: DATABASE_IMAGE_PATTERNS_SCHEMA,
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const networks = networksOf(args.resources);
        const placements = placeAll(args.resources);
        const containers = [...placements.keys()];
        const verdicts = new Map(containers.map((c) => [c, databaseVerdictOf(c, placements.get(c)!, config.databaseImagePatterns)]));
        // The roles allowed on a data network, as roles; a configured name that is no role allows nothing.
        const allowed = new Set(config.dataNetworkRoles.filter((r): r is Role => (ROLES as readonly string[]).includes(r)));
        const databases = containers.filter((c) => verdicts.get(c) === true);
        for (const [container, verdict] of verdicts) {
            if (verdict === undefined) {
                markUndecided(args, container.urn, "labels/image (is it a database?)");
            }
        }

        // Data networks, each with the databases that make it one (for the message).
        const dataNetworks = new Map<PolicyResource, string[]>();
        for (const db of databases) {
            for (const { network } of attachmentsOf(containerProps(db), networks, db)) {
                // Unresolvable references are reported by network-database-internal-only.
                if (network) {
                    dataNetworks.set(network, [...(dataNetworks.get(network) ?? []), containerLabel(containerProps(db), db.name)]);
                }
            }
        }

        // Which containers sit on each network, computed once rather than per data network.
        const databaseSet = new Set(databases);
        const membersByNetwork = new Map<PolicyResource, PolicyResource[]>();
        for (const container of containers) {
            if (databaseSet.has(container)) {
                continue;
            }
            for (const { network, ref } of attachmentsOf(containerProps(container), networks, container)) {
                if (ref === undefined) {
                    markUndecided(args, container.urn, "networksAdvanced");
                }
                const members = network && dataNetworks.has(network) ? membersByNetwork.get(network) ?? [] : undefined;
                if (network && members && !members.includes(container)) {
                    members.push(container);
                    membersByNetwork.set(network, members);
                }
            }
        }

        for (const [network, dbLabels] of dataNetworks) {
            const props = networkProps(network);
            const netName = props.name ?? network.name;
            const internal = networkInternal(network);
            if (internal === "unknown") {
                markUndecided(args, network.urn, "internal");
            } else if (!internal) {
                reportViolation(
                    `[NET-01, DB-02] Network '${netName}' carries database container ${dbLabels.join(", ")} but is not internal ` +
                        "(`internal` is not true), so it routes to the host and the outside. Set `internal: true` on it.",
                    network.urn,
                );
            }
            for (const container of membersByNetwork.get(network) ?? []) {
                const cprops = containerProps(container);
                const placement = placements.get(container)!;
                if (placement.role === undefined && placement.undecided.length > 0) {
                    placement.undecided.forEach((field) => markUndecided(args, container.urn, field));
                } else if (placement.role === undefined || !allowed.has(placement.role)) {
                    const found = placement.role ? `placed as '${placement.role}'` : `placed in no role: ${describeStructure(placement.chain)}`;
                    reportViolation(
                        `[NET-01, DB-02] Container ${containerLabel(cprops, container.name)} (role '${placement.label ?? "unset"}', ${found}) is attached to ` +
                            `data network '${netName}', which reaches database ${dbLabels.join(", ")}; only roles ` +
                            `${quoteList(config.dataNetworkRoles)} may join it. Detach it from '${netName}' and give it its own network.`,
                        container.urn,
                    );
                }
            }
        }
    },
});
