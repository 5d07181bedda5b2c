// DB-03/BAK-01: every database has a backup job that can reach it and encrypts
// to an age *public* key. Holding only the recipient, the job can write new backups but cannot decrypt old
// ones, so a compromised backup container does not leak the backup history. For the same reason the restore
// drill's keyring (every identity the stack has had) is mounted in the drill alone.
import { PolicyResource } from "@pulumi/policy";
import { AGE_IDENTITIES_CONTENTS, isUnknown, RANDOM_TYPES, VOLUME_CONTENTS_LABEL, VOLUME_TYPE } from "bulwark-vocabulary";
import { markUndecided, unknownCannotMatter } from "../lib/inconclusive";
import { labelValue } from "../lib/labels";
import { stackPolicy } from "../lib/policy";
import { DATABASE_IMAGE_PATTERNS_SCHEMA, attachmentsOf, containerLabel, containerProps, envsOf, networkKey, networksOf, volumeMountsOf, ContainerProps } from "../lib/docker-refs";
import { bearsRestrictionsOf, databaseVerdictOf, placeAll } from "../lib/roles";

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
export function backupProblems(resource: PolicyResource, undecided: (name: string) => void): string[] {
    return backupEnvProblems(containerProps(resource), undecided);
}

/** backupProblems on a container's props (the resource policy's inputs, or the stack view's). */
export function backupEnvProblems(props: ContainerProps, undecided: (name: string) => void): string[] {
    const envs = envsOf(props);
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
        const placements = placeAll(args.resources, { backup: config.backupRole, "backup-drill": config.drillRole });
        const containers = [...placements.keys()];
        // Only a placed backup job (Backup component, label, image) backs a database up; one that merely claims
        // the role is held to the job's rules on its own settings.
        const backups = containers.filter((c) => placements.get(c)!.role === "backup");
        const judgedAsBackups = containers.filter((c) => bearsRestrictionsOf(placements.get(c)!, "backup"));
        // A container whose placement is undecided until apply may be a backup job too.
        const maybeBackups = containers.filter((c) => placements.get(c)!.role === undefined && placements.get(c)!.undecided.length > 0);

        // The age identity decrypts every backup: only the placed restore drill may hold one.
        for (const c of containers) {
            const placement = placements.get(c)!;
            if (placement.role === "backup-drill" || judgedAsBackups.includes(c)) {
                continue;
            }
            if (placement.role === undefined && placement.undecided.length > 0) {
                // It may be the restore drill once its labels or networks are known.
                placement.undecided.forEach((field) => markUndecided(args, c.urn, `${field} (is it the restore drill?)`));
                continue;
            }
            for (const { name, value } of envsOf(containerProps(c)).values()) {
                if (value?.includes(AGE_SECRET_KEY)) {
                    reportViolation(
                        `[BAK-01] Container ${containerLabel(containerProps(c), c.name)}: env ${name} holds an age secret key, which ` +
                            `decrypts every backup; only the restore drill (role '${config.drillRole}' of the Backup component) may hold it. ` +
                            "Remove it and keep the identity offline or in the restore drill.",
                        c.urn,
                    );
                }
            }
        }

        for (const backup of judgedAsBackups) {
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
            // The recipient of a key the stack generates (random.RandomBytes) is computed from it, so it is unknown in
            // a preview: accepted when the job's envs depend on such a key; `pulumi up` reads the value itself before
            // the job is created (backup-job-settings-inputs). Anything else unknown is refused with the fix.
            const generatedKey = (backup.propertyDependencies.envs ?? []).some(
                (r) => r.type === RANDOM_TYPES.bytes && typeof r.props.length === "number" && r.props.length >= 32,
            );
            const undecided = (name: string) => {
                if (
                    name === "BACKUP_AGE_RECIPIENT" &&
                    generatedKey &&
                    unknownCannotMatter(
                        "envs[BACKUP_AGE_RECIPIENT] of a backup job",
                        "derived from an age key the stack generates (a random.RandomBytes its envs depend on); backup-job-settings-inputs " +
                            "checks the value itself when `pulumi up` sends it, before the job is created",
                    )
                ) {
                    return;
                }
                markUndecided(
                    args,
                    backup.urn,
                    `envs[${name}]`,
                    `set ${name} from the stack config (bulwark:${name === "BACKUP_SCHEDULE" ? "backupSchedule" : "backupAgeRecipient"}) as a literal, ` +
                        "so a preview can read it; a value computed from another resource's output is unknown until apply",
                );
            };
            for (const problem of backupProblems(backup, undecided)) {
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
            const placement = placements.get(c)!;
            if (placement.role === "backup-drill") {
                continue;
            }
            for (const mount of volumeMountsOf(props)) {
                if (mount.volume !== undefined && keyringNames.has(mount.volume)) {
                    if (placement.role === undefined && placement.undecided.length > 0) {
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
            const isDatabase = databaseVerdictOf(db, placements.get(db)!, config.databaseImagePatterns);
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
