// BAK-01, decided per container before it is created: backup-job-per-database is a stack policy, which `pulumi up`
// runs only after the update; this one reads a backup job's own encryption and schedule settings from its inputs,
// so `up` refuses a job without an age recipient, with one that is not an age public key, with an empty
// schedule, or holding an age secret key, before the step. In a preview, entries unknown until apply are left to
// backup-job-per-database, which relates them to what they are derived from.
import { unknownCannotMatter } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { containerLabel, envsOf, roleOf, validateContainer } from "../lib/docker-refs";
import { backupEnvProblems } from "./backup-job-per-database";

const AGE_SECRET_KEY = "AGE-SECRET-KEY-";

export const backupJobSettingsInputs = resourcePolicy({
    name: "backup-job-settings-inputs",
    controls: ["BAK-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "A backup container (bulwark.role 'backup') sets BACKUP_SCHEDULE and a BACKUP_AGE_RECIPIENT that is an age public " +
        "key (age1...), and holds no age secret key, judged on its own inputs before it is created.",
    remediationSteps:
        "Set BACKUP_SCHEDULE (cron) and BACKUP_AGE_RECIPIENT (the age public key) in the backup job's env; remove any " +
        "AGE-SECRET-KEY value (the identity belongs to the restore drill only).",
    configSchema: {
        properties: {
            backupRole: { type: "string", default: "backup", description: "bulwark.role of the backup job container" },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const { backupRole } = args.getConfig<{ backupRole: string }>();
        if (roleOf(props) !== backupRole) {
            return;
        }
        const label = containerLabel(props, args.name);
        for (const { name, value } of envsOf(props).values()) {
            if (value?.includes(AGE_SECRET_KEY)) {
                reportViolation(`[BAK-01] Backup container ${label}: env ${name} holds an age secret key; give it only BACKUP_AGE_RECIPIENT.`);
            }
        }
        const hidden = (name: string) =>
            unknownCannotMatter(
                `envs[${name}] (entries unknown at preview) of a backup job, per resource`,
                "a resource policy cannot see what an unknown entry derives from; backup-job-per-database (a stack policy, which sees " +
                    "the engine's property dependencies) decides it in the preview, and `pulumi up` sends this policy every value",
            );
        for (const problem of backupEnvProblems(props, hidden)) {
            reportViolation(`[BAK-01] Backup container ${label} ${problem}. Set it in the backup job's env.`);
        }
    }),
});
