// NET-01/NET-02/DB-02: the database must be reachable only over internal
// user-defined networks. An internal Docker network has no route to the host or the outside, so attaching the
// database to nothing else, and publishing nothing, keeps it off the host network.
import { isUnknown } from "bulwark-vocabulary";
import { markUndecided, undecidedFields } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { DATABASE_IMAGE_PATTERNS_SCHEMA, attachmentsOf, containerLabel, containerProps, networkInternal, networkModeOf, networkProps, networksOf, publishedPorts, resolveNetwork } from "../lib/docker-refs";
import { databaseVerdictOf, placeAll } from "../lib/roles";

interface Config {
    databaseImagePatterns: string[];
}

export const networkDatabaseInternalOnly = stackPolicy({
    name: "network-database-internal-only",
    controls: ["NET-01", "NET-02", "DB-02"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "A database container (the Database component's, one labelled 'database', or one placed in no role running a " +
        "database image: policies/lib/roles.ts) is " +
        "attached only to internal user-defined Docker networks of this stack, publishes no ports and does not use " +
        "the host, default bridge or another container's network.",
    remediationSteps:
        "Attach the database only to the stack's data network (a docker.Network with `internal: true`) through " +
        "`networksAdvanced`, remove `ports`, `publishAllPorts` and `networkMode`, and let the application reach it " +
        "by its network alias.",
    configSchema: {
        properties: {
            databaseImagePatterns: DATABASE_IMAGE_PATTERNS_SCHEMA,
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const networks = networksOf(args.resources);
        for (const [container, placement] of placeAll(args.resources)) {
            const props = containerProps(container);
            const isDatabase = databaseVerdictOf(container, placement, config.databaseImagePatterns);
            if (isDatabase === undefined) {
                markUndecided(args, container.urn, "labels/image (is it a database?)");
                continue;
            }
            if (!isDatabase) {
                continue;
            }
            const label = containerLabel(props, container.name);
            const report = (problem: string, fix: string) =>
                reportViolation(`[NET-01, NET-02, DB-02] Database container ${label} ${problem}. ${fix}`, container.urn);

            const undecided = undecidedFields(args, container.urn, props as Record<string, unknown>, ["ports", "publishAllPorts", "networkMode"]);
            const ports = undecided.has("ports") ? [] : publishedPorts(props);
            if (ports.length > 0) {
                report(
                    `publishes port(s) ${ports.map((p) => `${p.external ?? "random"}->${p.internal}`).join(", ")} on the host`,
                    "Remove `ports`; the application reaches the database over the internal data network.",
                );
            }
            if (props.publishAllPorts === true) {
                report("sets publishAllPorts", "Remove `publishAllPorts`.");
            }

            const attachments = attachmentsOf(props, networks, container);
            const mode = networkModeOf(props);
            if (undecided.has("networkMode")) {
                // judged at apply
            } else if (mode === "host" || (typeof mode === "string" && mode.startsWith("container:"))) {
                report(
                    `uses networkMode '${mode}', which shares a host or container network namespace`,
                    "Remove `networkMode` and attach it to the internal data network through `networksAdvanced`.",
                );
            } else if ((mode === "bridge" || mode === "default") && attachments.length === 0) {
                // With user networks declared the provider may still report "bridge" as the mode; only a container
                // with no user network is really on the default bridge.
                report(
                    `is on Docker's default bridge network (networkMode '${mode}'), which is not internal`,
                    "Attach it to the internal data network through `networksAdvanced` instead.",
                );
            } else if ((mode === undefined || mode === "") && attachments.length === 0) {
                report(
                    "declares no network, so Docker puts it on the default bridge network, which is not internal",
                    "Attach it to the internal data network through `networksAdvanced`.",
                );
            } else if (typeof mode === "string" && mode !== "" && !["bridge", "default", "none"].includes(mode) && !attachments.some((a) => a.ref === mode)) {
                // A user network given as networkMode only is judged like a networksAdvanced entry.
                const network = resolveNetwork(mode, networks);
                if (!network || networkProps(network).internal !== true) {
                    report(
                        `uses networkMode '${mode}', which is ${network ? "not an internal network" : "not a network this stack declares"}`,
                        "Remove `networkMode` and attach it to the internal data network through `networksAdvanced`.",
                    );
                }
            }

            for (const attachment of attachments) {
                if (attachment.ref === undefined) {
                    markUndecided(args, container.urn, "networksAdvanced");
                    continue;
                }
                if (!attachment.network && networks.hasUnknownNames) {
                    markUndecided(args, container.urn, `networksAdvanced (${attachment.ref})`);
                } else if (!attachment.network) {
                    report(
                        `is attached to network '${attachment.ref}', which is not a docker.Network this stack declares, so ` +
                            "it cannot be proven internal",
                        "Attach it to a network this stack declares with `internal: true` (the data network).",
                    );
                } else {
                    const internal = networkInternal(attachment.network);
                    const given = networkProps(attachment.network).internal;
                    if (internal === "unknown") {
                        markUndecided(args, attachment.network.urn, "internal");
                    } else if (!internal) {
                        report(
                            `is attached to network '${attachment.ref}', which is not internal (${isUnknown(given) ? "internal not set: Docker's default is false" : `internal: ${String(given ?? false)}`})`,
                            "Detach it from that network and use only the stack's data network, declared with `internal: true`.",
                        );
                    }
                }
            }
        }
    },
});
