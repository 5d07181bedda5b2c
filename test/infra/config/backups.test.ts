// Backups on the host: schedules, retention, the age key pair, the alert webhook and the backup volume's host path.
import * as assert from "node:assert/strict";
import { LIMITS } from "../../../infra/config";
import { envOf, generateAgeKeyPair, runStack } from "../../../tools/mocks/stack-run";
import { assertRejected, json, load } from "./helpers";

describe("infra config validation (loadConfig): backups", () => {
    describe("valid configurations", () => {
        it("accepts an alert webhook URL given as a secret, and a backup volume host path", () => {
            const config = load("dev", { alertWebhookUrl: "https://hooks.example.com/T0/secret-token", backupVolumeHostPath: "/srv/bulwark-backups" });
            assert.ok(config.alertWebhookUrl, "alertWebhookUrl");
            assert.equal(config.backupVolumeHostPath, "/srv/bulwark-backups");
        });
    });

    describe("rejected values", () => {
        for (const schedule of ["daily", "61 3 * * *", "15 3 * *", "15 3 * * 8", "*/0 3 * * *"]) {
            it(`backupSchedule: ${JSON.stringify(schedule)} is not cron`, () => {
                assertRejected("dev", { backupSchedule: schedule }, "backupSchedule", { message: /cron/ });
            });
        }

        it("restoreDrillSchedule: not cron", () => {
            assertRejected("dev", { restoreDrillSchedule: "45 4 * * sunday" }, "restoreDrillSchedule", { message: /cron/ });
        });

        it("backupRetention.daily: 0", () => {
            assertRejected("dev", { backupRetention: json({ daily: 0 }) }, "backupRetention.daily");
        });

        it("backupRetention.monthly: above the maximum", () => {
            assertRejected("dev", { backupRetention: json({ monthly: LIMITS.retention.monthly.max + 1 }) }, "backupRetention.monthly");
        });

        it("backupAgeRecipient: not an age public key", () => {
            const pair = generateAgeKeyPair();
            assertRejected("prod", { backupAgeRecipient: pair.recipient.slice(0, -1) + (pair.recipient.endsWith("q") ? "p" : "q") }, "backupAgeRecipient", {
                message: /age X25519 public key/,
            });
        });

        it("backupAgeRecipient: an ssh key instead of an age key", () => {
            assertRejected("dev", { backupAgeRecipient: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB", backupAgeIdentity: generateAgeKeyPair().identity }, "backupAgeRecipient");
        });

        it("backupAgeRecipient: does not match backupAgeIdentity", () => {
            assertRejected("prod", { backupAgeRecipient: generateAgeKeyPair().recipient }, "backupAgeRecipient", { message: /does not match/ });
        });

        it("backupAgeIdentity: missing while a recipient is set", () => {
            assertRejected("dev", { backupAgeRecipient: generateAgeKeyPair().recipient }, "backupAgeIdentity", { message: /BAK-03/ });
        });

        it("backupAgeIdentity: an age-keygen file, comment lines and all, reaches the drill as its identity line alone", async () => {
            // README: `pulumi config set --secret backupAgeIdentity < backup.key`; the drill takes exactly one line.
            const pair = generateAgeKeyPair();
            const keyFile = `# created: 2026-11-28T05:00:00Z\n# public key: ${pair.recipient}\n${pair.identity}\n`;
            const run = await runStack("prod", { backupAgeRecipient: pair.recipient, backupAgeIdentity: keyFile });
            assert.equal(envOf(run.container("restore-drill")).BACKUP_AGE_IDENTITY, pair.identity);
        });

        it("backupAgeIdentity: not an age secret key", () => {
            assertRejected("prod", { backupAgeIdentity: "AGE-SECRET-KEY-1NOTAKEY" }, "backupAgeIdentity");
        });

        it("backupAgeRecipient: missing in prod", () => {
            assertRejected("prod", { backupAgeRecipient: undefined, backupAgeIdentity: undefined }, "backupAgeRecipient", { message: /required in prod.*BAK-01/ });
        });

        it("alertWebhookUrl: not https", () => {
            assertRejected("dev", { alertWebhookUrl: "http://hooks.example.com/bulwark" }, "alertWebhookUrl", { message: /https/ });
        });

        // The URL carries the webhook's token (issue 13).
        it("alertWebhookUrl: set in plain text instead of as a secret", () => {
            const problem = assertRejected("dev", { alertWebhookUrl: "https://hooks.example.com/T0/secret-token" }, "alertWebhookUrl", { plainKeys: ["alertWebhookUrl"], message: /plain text.*SEC-01/ });
            assert.match(problem.fix, /pulumi config set --secret alertWebhookUrl/);
        });

        for (const hostPath of ["srv/backups", "/srv/../etc/backups", "/srv//backups", "/srv/bulwark backups", "/etc/bulwark-backups", "/var/lib/docker/volumes/backups", "/var"]) {
            it(`backupVolumeHostPath: ${JSON.stringify(hostPath)}`, () => {
                const problem = assertRejected("dev", { backupVolumeHostPath: hostPath }, "backupVolumeHostPath");
                assert.match(problem.fix, /pulumi config set backupVolumeHostPath \/srv\/bulwark-backups/);
            });
        }
    });
});
