// Backups on the host: when they and the restore drill run, how many are kept, the age key pair they are
// encrypted to, where the alerts go and which filesystem holds them. The off-site copy is offsite.ts.
import type * as pulumi from "@pulumi/pulumi";
import { hostPathSensitivity, normalizeHostPath } from "bulwark-vocabulary";
import { ageRecipientFromIdentity, identityLine, isAgeIdentity, isAgeRecipient } from "../age";
import { LIMITS } from "./defaults";
import { isCron } from "./patterns";
import type { ConfigReader } from "./reader";
import type { BackupRetention, BulwarkConfig } from "./types";

export type BackupsConfig = Pick<BulwarkConfig, "backupSchedule" | "restoreDrillSchedule" | "backupRetention" | "backupAge">;

export function parseBackups(r: ConfigReader, prod: boolean): BackupsConfig {
    const backupSchedule = r.text("backupSchedule", "15 3 * * *");
    if (!isCron(backupSchedule)) {
        r.problem("backupSchedule", `must be a five-field cron expression, got ${JSON.stringify(backupSchedule)}.`, "run `pulumi config set backupSchedule '15 3 * * *'` (daily at 03:15).");
    }
    const restoreDrillSchedule = r.text("restoreDrillSchedule", "45 4 * * 0");
    if (!isCron(restoreDrillSchedule)) {
        r.problem("restoreDrillSchedule", `must be a five-field cron expression, got ${JSON.stringify(restoreDrillSchedule)}.`, "run `pulumi config set restoreDrillSchedule '45 4 * * 0'` (Sundays at 04:45).");
    }
    const backupRetention = parseRetention(r);
    const backupAge = parseBackupAge(r, prod);
    return { backupSchedule, restoreDrillSchedule, backupRetention, backupAge };
}

function parseRetention(r: ConfigReader): BackupRetention {
    const retentionRaw = r.object("backupRetention");
    return {
        daily: r.checkNumber("backupRetention.daily", retentionRaw.daily ?? 7, LIMITS.retention.daily.min, LIMITS.retention.daily.max, true),
        weekly: r.checkNumber("backupRetention.weekly", retentionRaw.weekly ?? 4, LIMITS.retention.weekly.min, LIMITS.retention.weekly.max, true),
        monthly: r.checkNumber("backupRetention.monthly", retentionRaw.monthly ?? 6, LIMITS.retention.monthly.min, LIMITS.retention.monthly.max, true),
    };
}

/** The backup job only ever gets the recipient (public key); the identity goes to the restore drill. */
function parseBackupAge(r: ConfigReader, prod: boolean): BulwarkConfig["backupAge"] {
    const recipient = r.raw("backupAgeRecipient");
    const identityText = r.raw("backupAgeIdentity");
    const identity = r.secret("backupAgeIdentity");
    if (recipient === undefined && identityText === undefined) {
        if (prod) {
            r.problem("backupAgeRecipient", "is required in prod: backups are encrypted to this age public key (BAK-01).", "run `age-keygen -o backup.key`, then `pulumi config set backupAgeRecipient age1...` and `pulumi config set --secret backupAgeIdentity < backup.key`.");
        }
    } else if (recipient === undefined || !isAgeRecipient(recipient)) {
        r.problem("backupAgeRecipient", `must be an age X25519 public key (age1...), got ${JSON.stringify(recipient ?? "")}.`, "run `age-keygen -y backup.key` and set its output with `pulumi config set backupAgeRecipient`.");
    } else if (identityText === undefined || !isAgeIdentity(identityText)) {
        r.problem("backupAgeIdentity", "must be the age secret key (AGE-SECRET-KEY-1...) matching backupAgeRecipient; the restore drill needs it (BAK-03).", "run `pulumi config set --secret backupAgeIdentity < backup.key`.");
    } else if (ageRecipientFromIdentity(identityText) !== recipient) {
        r.problem("backupAgeRecipient", "does not match backupAgeIdentity: backups would be encrypted to a key the restore drill cannot open.", "set both from the same key file: `age-keygen -y backup.key` gives the recipient.");
    } else if (identity) {
        // `pulumi config set --secret backupAgeIdentity < backup.key` keeps age-keygen's comment lines; the drill
        // takes exactly one identity line.
        return { recipient, identity: identity.apply(identityLine) };
    }
    return { generate: true };
}

/** The URL is a credential (its path or query holds the token): secret config only, and never echoed. */
export function parseAlertWebhook(r: ConfigReader): pulumi.Output<string> | undefined {
    const alertWebhookUrl = r.secret("alertWebhookUrl");
    const alertWebhookRaw = r.raw("alertWebhookUrl");
    if (alertWebhookRaw !== undefined && !/^https:\/\/[^\s"\\]+$/.test(alertWebhookRaw)) {
        r.problem("alertWebhookUrl", "must be an https URL without spaces, quotes or backslashes.", "run `pulumi config set --secret alertWebhookUrl https://hooks.example.com/...`.");
    }
    return alertWebhookUrl;
}

/** A host directory for the backup volume: normalized, absolute, and nowhere sensitive (CON-09). */
export function parseBackupVolumeHostPath(r: ConfigReader): string | undefined {
    const backupVolumeHostPath = r.raw("backupVolumeHostPath");
    if (backupVolumeHostPath !== undefined) {
        const fix = "mount a filesystem of its own (a disk or LV sized for the backups) on the Docker host, e.g. at /srv/bulwark-backups, owned by the backup uid:gid with mode 0750 (README), then run `pulumi config set backupVolumeHostPath /srv/bulwark-backups`.";
        if (!/^\/[A-Za-z0-9._\/-]+$/.test(backupVolumeHostPath) || normalizeHostPath(backupVolumeHostPath) !== backupVolumeHostPath) {
            r.problem("backupVolumeHostPath", `must be an absolute, normalized host path of letters, digits, ".", "_", "-" and "/", got ${JSON.stringify(backupVolumeHostPath)}.`, fix);
        } else {
            const why = hostPathSensitivity(backupVolumeHostPath);
            if (why) {
                r.problem("backupVolumeHostPath", `${JSON.stringify(backupVolumeHostPath)} is ${why} (CON-09).`, fix);
            }
        }
    }
    return backupVolumeHostPath;
}
