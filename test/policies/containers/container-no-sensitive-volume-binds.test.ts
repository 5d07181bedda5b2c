import * as assert from "node:assert/strict";
import { containerNoSensitiveVolumeBinds as policy } from "../../../policies/containers/container-no-sensitive-volume-binds";
import { EngineResource, runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { devStack, find, prodStack, replace, volume, withMount, withProps } from "../fixtures/stack";

const BACKUP = "backup-job";
const VOLUME = "dev-backups";

/** The backup volume as infra/components/backup.ts makes it when bulwark:backupVolumeHostPath is set. */
const bindVolume = (device: string) => withProps(volume("dev", "backups"), { driver: "local", driverOpts: { type: "none", o: "bind", device } });
const stackWith = (device: string) => [...replace(devStack(), BACKUP, (r) => withMount(r, VOLUME, "/backups")), bindVolume(device)];

describe("container-no-sensitive-volume-binds (CON-09)", () => {
    it("#1 the dev and prod stacks pass", async () => {
        assert.deepEqual((await runStackPolicy(policy, devStack())).violations, []);
        assert.deepEqual((await runStackPolicy(policy, prodStack())).violations, []);
    });

    it("#2 a backupVolumeHostPath-style volume on a dedicated directory passes", async () => {
        const outcome = await runStackPolicy(policy, stackWith("/srv/bulwark-backups"));
        assert.deepEqual(outcome.violations, []);
        assert.equal(outcome.notApplicable, undefined);
    });

    it("#3 a volume binding /etc is rejected, and the container mounting it", async () => {
        const outcome = await runStackPolicy(policy, stackWith("/etc"));
        const messages = outcome.violations.map((v) => v.message);
        assert.equal(messages.length, 2, messages.join("\n"));
        assert.match(messages.join("\n"), /Volume 'dev-backups' binds the host path "\/etc" \(`driverOpts.device`\), a sensitive host path/);
        assert.match(messages.join("\n"), /Container 'dev-backup' mounts the volume 'dev-backups' \(`mounts\[0\]\.source`\), which binds a sensitive host path/);
    });

    for (const device of ["/var/run", "/", "/proc/1", "/var", "/srv/../etc/", "/run/docker.sock"]) {
        it(`#4 a volume binding ${device} is rejected`, async () => {
            const outcome = await runStackPolicy(policy, [...devStack(), bindVolume(device)]);
            assert.equal(outcome.violations.length, 1, outcome.violations.map((v) => v.message).join("\n"));
        });
    }

    it("#5 a device unknown at preview is inconclusive: no violation, no can't-run note", async () => {
        const unknownDevice = (r: EngineResource) => withProps(r, { driverOpts: UNKNOWN });
        const outcome = await runStackPolicy(policy, replace(stackWith("/etc"), "backup-backups", unknownDevice));
        assert.deepEqual(outcome.violations, []);
        assert.deepEqual(outcome.inconclusive.map((i) => i.kind), ["deferred", "deferred"]);
        assert.deepEqual(
            outcome.inconclusive.map((i) => i.field).sort(),
            ["driverOpts", "mounts[0].source (a volume binding a sensitive host path?)"],
        );
    });

    it("#6 a mount whose name is unknown at preview is judged by its property dependency on the volume", async () => {
        const stack = stackWith("/etc");
        const vol = find(stack, "backup-backups");
        const unknownSource = (r: EngineResource) => ({
            ...withProps(r, { mounts: [{ type: "volume", source: UNKNOWN, target: "/backups" }] }),
            propertyDependencies: { mounts: [vol.urn] },
        });
        const outcome = await runStackPolicy(policy, replace(stack, BACKUP, unknownSource));
        assert.equal(outcome.violations.length, 2);
        assert.match(outcome.violations.map((v) => v.message).join("\n"), /Container 'dev-backup' mounts the volume 'dev-backups' \(`mounts\[0\]\.source`/);
    });

    it("#7 a volume of another driver is not a host bind", async () => {
        const other = withProps(volume("dev", "backups"), { driver: "nfs", driverOpts: { o: "bind", device: "/etc" } });
        assert.deepEqual((await runStackPolicy(policy, [...devStack(), other])).violations, []);
    });
});
