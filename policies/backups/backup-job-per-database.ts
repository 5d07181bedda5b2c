// DB-03/BAK-01: every database has a backup job that can reach it and encrypts
// to an age *public* key. Holding only the recipient, the job can write new backups but cannot decrypt old
// ones, so a compromised backup container does not leak the backup history. For the same reason the restore
// drill's keyring (every identity the stack has had) is mounted in the drill alone.
import { PolicyResource } from "@pulumi/policy";
import { AGE_IDENTITIES_CONTENTS, isUnknown, VOLUME_CONTENTS_LABEL, VOLUME_TYPE } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { labelValue } from "../lib/labels";
import { stackPolicy } from "../lib/policy";
import { DATABASE_IMAGE_PATTERNS_SCHEMA, attachmentsOf, containerLabel, containerProps, containersOf, databaseVerdict, envsOf, networkKey, networksOf, roleOf, roleUnknown, undecidedEnv, volumeMountsOf } from "../lib/docker-refs";

interface Config {
    backupRole: string;
    drillRole: string;
    databaseImagePatterns: string[];
}

const AGE_SECRET_KEY = "AGE-SECRET-KEY-";

/**
 * The problems of one backup container's encryption and schedule settings; empty when it is fit. `undecided`
 * gets each setting that may be among its env entries unknown until apply.
 */
function backupProblems(resource: PolicyResource, undecided: (name: string) => void): string[] {
    const envs = envsOf(containerProps(resource));
    const problems: string[] = [];
    const recipient = envs.get("BACKUP_AGE_RECIPIENT");
    if (!recipient) {
        if (envs.isMissing("BACKUP_AGE_RECIPIENT")) {
            problems.push("sets no BACKUP_AGE_RECIPIENT, so its backups are not encrypted to a public key");
        } else {
            undecided("BACKUP_AGE_RECIPIENT");
        }
    } else if (recipient.value !== undefined) {
        const recipients = recipient.value.split(/[\s,]+/).filter(Boolean);
        if (recipients.length === 0 || recipients.some((r) => !r.startsWith("age1"))) {
            problems.push("has a BACKUP_AGE_RECIPIENT that is not an age public key (age1...)");
        }
    }
    const schedule = envs.get("BACKUP_SCHEDULE");
    if ((!schedule && envs.isMissing("BACKUP_SCHEDULE")) || (schedule?.value !== undefined && schedule.value.trim() === "")) {
        problems.push("sets no BACKUP_SCHEDULE, so backups do not run regularly");
    } else if (!schedule) {
        undecided("BACKUP_SCHEDULE");
    }
    return problems;
}

export const backupJobPerDatabase = stackPolicy({
    name: "backup-job-per-database",
    controls: ["DB-03", "BAK-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Each database container has a backup container (bulwark.role 'backup') on one of its networks, with a " +
        "BACKUP_SCHEDULE and a BACKUP_AGE_RECIPIENT that is an age public key (age1...); no backup container holds " +
        "an age secret key (AGE-SECRET-KEY-...); the drill keyring volume (label bulwark.contents=age-identities) is " +
        "mounted by no container but the restore drill (bulwark.role 'backup-drill').",
    remediationSteps:
        "Add the backup job (role 'backup') on the database's data network with BACKUP_SCHEDULE (cron) and " +
        "BACKUP_AGE_RECIPIENT set to the age recipient (public key). Keep the age identity only in the restore drill " +
        "and offline; remove any AGE-SECRET-KEY value from the backup job's env, and mount the drill keyring volume in the " +
        "restore drill only.",
    configSchema: {
        properties: {
            backupRole: { type: "string", default: "backup", description: "bulwark.role of the backup job container" },
            drillRole: { type: "string", default: "backup-drill", description: "bulwark.role of the restore-drill container, the one that may mount the drill keyring" },
            databaseImagePatterns: DATABASE_IMAGE_PATTERNS_SCHEMA,
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const networks = networksOf(args.resources);
        const containers = containersOf(args.resources);
        const backups = containers.filter((c) => roleOf(containerProps(c)) === config.backupRole);
        // A container whose labels are unknown until apply may be a backup job too.
        const maybeBackups = containers.filter((c) => roleUnknown(containerProps(c)));

        for (const backup of backups) {
            const label = containerLabel(containerProps(backup), backup.name);
            for (const { name, value } of envsOf(containerProps(backup)).values()) {
                if (value?.includes(AGE_SECRET_KEY)) {
                    reportViolation(
                        `[BAK-01] Backup container ${label}: env ${name} holds an age secret key, so the job could decrypt ` +
                            "every past backup. Give it only BACKUP_AGE_RECIPIENT (the public key) and keep the identity offline " +
                            "or in the restore drill.",
                        backup.urn,
                    );
                }
            }
            for (const problem of backupProblems(backup, (name) => undecidedEnv(args, backup.urn, name))) {
                reportViolation(`[BAK-01] Backup container ${label} ${problem}. Set it in the backup job's env.`, backup.urn);
            }
        }

        // The drill keyring holds the identity of every key the stack has had: a container that mounts it can read
        // every backup, so only the drill may.
        const keyrings = args.resources.filter(
            (r) => r.type === VOLUME_TYPE && labelValue(r.props.labels, VOLUME_CONTENTS_LABEL) === AGE_IDENTITIES_CONTENTS,
        );
        const keyringNames = new Set(keyrings.map((v) => v.props.name).filter((n): n is string => typeof n === "string" && !isUnknown(n)));
        const keyringNameUnknown = keyringNames.size < keyrings.length;
        for (const c of keyrings.length > 0 ? containers : []) {
            const props = containerProps(c);
            if (roleOf(props) === config.drillRole) {
                continue;
            }
            for (const mount of volumeMountsOf(props)) {
                if (mount.volume !== undefined && keyringNames.has(mount.volume)) {
                    if (roleUnknown(props)) {
                        markUndecided(args, c.urn, "labels (is it the restore drill?)");
                        continue;
                    }
                    reportViolation(
                        `[BAK-01] Container ${containerLabel(props, c.name)} mounts the drill keyring volume '${mount.volume}' ` +
                            `(\`${mount.field}\`), which holds the age identity of every key the stack has had, so it could decrypt ` +
                            `every backup. Only the restore drill (role '${config.drillRole}') may mount it: remove the mount.`,
                        c.urn,
                    );
                } else if (mount.volume === undefined || keyringNameUnknown) {
                    markUndecided(args, c.urn, `${mount.field} (the drill keyring?)`);
                }
            }
        }

        // Networks some backup job is on, computed once rather than per database.
        const networkKeys = (cs: readonly PolicyResource[]) => cs.flatMap((c) => attachmentsOf(containerProps(c), networks, c).map(networkKey));
        const backupAttachments = networkKeys(backups);
        const backedUpNetworks = new Set(backupAttachments.filter((k): k is string => k !== undefined));
        // Whether a network left unreached may yet be reached once unknowns are known: an unknown attachment of a
        // backup job, or a container that may be a backup job.
        const reachMayGrow = backupAttachments.includes(undefined) || maybeBackups.length > 0;
        for (const db of containers) {
            const props = containerProps(db);
            const isDatabase = databaseVerdict(db, config.databaseImagePatterns);
            if (isDatabase === undefined) {
                markUndecided(args, db.urn, "labels/image (is it a database?)");
                continue;
            }
            if (!isDatabase) {
                continue;
            }
            const attachments = attachmentsOf(props, networks, db);
            const reached = attachments.some((a) => {
                const key = networkKey(a);
                return key !== undefined && backedUpNetworks.has(key);
            });
            if (!reached && (reachMayGrow || attachments.some((a) => a.ref === undefined))) {
                markUndecided(args, db.urn, "backup job on its networks");
            } else if (!reached) {
                reportViolation(
                    `[DB-03, BAK-01] Database container ${containerLabel(props, db.name)} has no backup container (role ` +
                        `'${config.backupRole}') on any of its networks, so it is not backed up. Add the backup job on its data ` +
                        "network with BACKUP_SCHEDULE and BACKUP_AGE_RECIPIENT.",
                    db.urn,
                );
            }
        }
    },
});
