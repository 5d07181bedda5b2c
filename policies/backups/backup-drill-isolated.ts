// BAK-03: the restore drill decrypts backups with the age identity, so it runs with no network at all: a
// compromise of the drill cannot send the decrypted data or the key anywhere.
import { markUndecided, undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { bearsRestrictionsOf, placeByStructure, resourceTypeChain } from "../lib/roles";
import { attachedNetworkNames, containerLabel, publishesPorts, roleUnknown, validateContainer } from "../lib/docker-refs";

interface Config {
    drillRole: string;
}

export const backupDrillIsolated = resourcePolicy({
    name: "backup-drill-isolated",
    controls: ["BAK-03"],
    severity: "medium",
    enforcementLevel: "advisory",
    description: "The restore-drill container (bulwark.role 'backup-drill') uses networkMode 'none': no networks, no published ports.",
    remediationSteps:
        "Give the restore drill no networks (networkMode 'none', empty networksAdvanced) and no ports; it reads " +
        "backups from the backup volume mounted read-only and restores into a throwaway server inside itself.",
    configSchema: {
        properties: {
            drillRole: { type: "string", default: "backup-drill", description: "bulwark.role of the restore-drill container" },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        if (roleUnknown(props)) {
            markUndecided(args, args.urn, "labels");
            return;
        }
        // Its rules bind the container placed in the role and any container whose label claims it.
        if (!bearsRestrictionsOf(placeByStructure(resourceTypeChain(args), props, { "backup-drill": config.drillRole }), "backup-drill")) {
            args.notApplicable(`only applies to the '${config.drillRole}' container`);
        }
        const label = containerLabel(props, args.name);
        const undecided = undecidedFields(args, args.urn, props as Record<string, unknown>, ["networkMode", "networksAdvanced", "ports", "publishAllPorts"]);
        if (undecided.has("networkMode")) {
            // judged at apply
        } else if (props.networkMode !== "none") {
            reportViolation(
                `[BAK-03] Restore-drill container ${label} uses networkMode '${props.networkMode ?? "unset (default bridge)"}'; ` +
                    "it holds the age identity and decrypted data, so it must have no network. Set networkMode 'none'.",
            );
        }
        const names = undecided.has("networksAdvanced") ? [] : attachedNetworkNames(props);
        if (names.length > 0) {
            reportViolation(
                `[BAK-03] Restore-drill container ${label} is attached to ${names.length} network(s) through networksAdvanced. ` +
                    "Remove them so the drill has no network.",
            );
        }
        if (!undecided.has("ports") && !undecided.has("publishAllPorts") && publishesPorts(props)) {
            reportViolation(`[BAK-03] Restore-drill container ${label} publishes ports. Remove \`ports\` and \`publishAllPorts\`.`);
        }
    }),
});
