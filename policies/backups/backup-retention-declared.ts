// BAK-04 / CMP-01: the local rotation of backups is declared, so old backups are pruned on a known schedule
// rather than kept forever or lost to a full disk.
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { bearsRestrictionsOf, placeByStructure, resourceTypeChain } from "../lib/roles";
import { containerLabel, envsOf, roleUnknown, undecidedEnv, validateContainer } from "../lib/docker-refs";

interface Config {
    backupRole: string;
    minKeepDaily: number;
    minKeepWeekly: number;
    minKeepMonthly: number;
}

export const backupRetentionDeclared = resourcePolicy({
    name: "backup-retention-declared",
    controls: ["BAK-04", "CMP-01"],
    severity: "medium",
    enforcementLevel: "mandatory",
    description:
        "The backup container (bulwark.role 'backup') declares its rotation: BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY and " +
        "BACKUP_KEEP_MONTHLY as whole numbers of at least 1 (configurable minimums).",
    remediationSteps:
        "Set BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY and BACKUP_KEEP_MONTHLY on the backup job (bulwark config " +
        "`backupRetention`), e.g. 7 / 4 / 6, and document them as the retention policy.",
    configSchema: {
        properties: {
            backupRole: { type: "string", default: "backup", description: "bulwark.role of the backup job container" },
            minKeepDaily: { type: "integer", minimum: 1, default: 1, description: "Fewest daily backups to keep" },
            minKeepWeekly: { type: "integer", minimum: 1, default: 1, description: "Fewest weekly backups to keep" },
            minKeepMonthly: { type: "integer", minimum: 1, default: 1, description: "Fewest monthly backups to keep" },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        if (roleUnknown(props)) {
            markUndecided(args, args.urn, "labels");
            return;
        }
        // Its rules bind the container placed in the role and any container whose label claims it.
        if (!bearsRestrictionsOf(placeByStructure(resourceTypeChain(args), props, { "backup": config.backupRole }), "backup")) {
            args.notApplicable(`only applies to the '${config.backupRole}' container`);
        }
        const envs = envsOf(props);
        const label = containerLabel(props, args.name);
        const required: [string, number][] = [
            ["BACKUP_KEEP_DAILY", config.minKeepDaily],
            ["BACKUP_KEEP_WEEKLY", config.minKeepWeekly],
            ["BACKUP_KEEP_MONTHLY", config.minKeepMonthly],
        ];
        for (const [name, min] of required) {
            const entry = envs.get(name);
            if (!entry) {
                if (!envs.isMissing(name)) {
                    undecidedEnv(args, args.urn, name);
                    continue;
                }
                reportViolation(`[BAK-04, CMP-01] Backup container ${label} does not set ${name}, so its retention is undeclared. Add ${name}=<count >= ${min}>.`);
                continue;
            }
            const count = entry.value !== undefined && /^\s*\d+\s*$/.test(entry.value) ? Number(entry.value) : NaN;
            if (!Number.isSafeInteger(count) || count < min) {
                reportViolation(
                    `[BAK-04, CMP-01] Backup container ${label}: ${name}='${entry.value}' is not a whole number >= ${min}. ` +
                        `Set ${name} to how many backups of that period to keep (>= ${min}).`,
                );
            }
        }
    }),
});
