import * as assert from "node:assert/strict";
import { containerNoSensitiveVolumeBinds as policy } from "../../../policies/containers/container-no-sensitive-volume-binds";
import { Analyzer, EngineResource, runResourcePolicy, runStackPolicy } from "../../../tools/analyzer/judge";
import { containerVolumeNoSensitiveBind as volumePolicy } from "../../../policies/containers/container-volume-no-sensitive-bind";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { devStack, find, prodStack, replace, volume, withMount, withProps } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

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

    // The engine hands the pack the stack's config when it starts it: one pack per backup directory.
    const judgedWith = async (dir: string | undefined, resources: EngineResource[]) => {
        const analyzer = await Analyzer.start({ stackConfig: dir === undefined ? {} : { "bulwark:backupVolumeHostPath": dir } });
        try {
            const result = await analyzer.evaluate(resources, {}, { resources: false });
            return {
                violations: result.violations.filter((v) => v.policy === policy.name),
                notApplicable: result.notApplicable.get(policy.name)?.[0],
            };
        } finally {
            await analyzer.stop();
        }
    };

    it("#2 the volume on the stack's backupVolumeHostPath passes, in any spelling that resolves there", async () => {
        for (const device of ["/srv/bulwark-backups", "/srv/bulwark-backups/", "/srv//bulwark-backups/daily"]) {
            const outcome = await judgedWith("/srv/bulwark-backups", stackWith(device));
            assert.deepEqual(outcome.violations, [], device);
            assert.equal(outcome.notApplicable, undefined);
        }
    });

    it("#2b stricter since issue 22: a dedicated directory that is not the stack's backupVolumeHostPath is refused", async () => {
        for (const [dir, device] of [[undefined, "/srv/bulwark-backups"], ["/srv/bulwark-backups", "/srv/other"], ["/srv/bulwark-backups", "/srv/bulwark-backups/../other"], ["/etc", "/etc/x"]] as const) {
            const outcome = await judgedWith(dir, stackWith(device));
            assert.equal(outcome.violations.length, 2, `${dir} ${device}`);
        }
    });

    it("#3 a volume binding /etc is rejected, and the container mounting it", async () => {
        const outcome = await runStackPolicy(policy, stackWith("/etc"));
        const messages = outcome.violations.map((v) => v.message);
        assert.equal(messages.length, 2, messages.join("\n"));
        assert.match(messages.join("\n"), /Volume 'dev-backups' binds the host path "\/etc" \(`driverOpts.device`\), a sensitive host path/);
        assert.match(messages.join("\n"), /Container 'dev-backup' mounts the volume 'dev-backups' \(`mounts\[0\]\.source`\), which binds the host path "\/etc", a sensitive host path/);
    });

    for (const device of ["/var/run", "/", "/proc/1", "/var", "/srv/../etc/", "/run/docker.sock"]) {
        it(`#4 a volume binding ${device} is rejected`, async () => {
            const outcome = await runStackPolicy(policy, [...devStack(), bindVolume(device)]);
            assert.equal(outcome.violations.length, 1, outcome.violations.map((v) => v.message).join("\n"));
        });
    }

    it("#5 a device unknown in the stack view is left to the Volume's own resource policy, which refuses it", async () => {
        const unknownDevice = (r: EngineResource) => withProps(r, { driverOpts: UNKNOWN });
        const stack = replace(stackWith("/etc"), "backup-backups", unknownDevice);
        const outcome = await runStackPolicy(policy, stack);
        assert.deepEqual([outcome.violations, outcome.inconclusive], [[], []]);
        const own = await runResourcePolicy(volumePolicy, find(stack, "backup-backups"));
        assertOnlyRefusals(own);
        assert.deepEqual(own.inconclusive.map((i) => [i.field, i.urn?.split("::").pop()]), [["driverOpts", "backup-backups"]]);
        assert.match(own.violations[0].message, /driverOpts of urn:\S+::backup-backups — write the volume's `driver` and `driverOpts` as literals or from the stack config/);
    });

    it("#5b while a Volume's options are unknown, a mount whose source is unknown and depends on no Volume of the stack is refused, saying how to name it", async () => {
        const unknownSource = (r: EngineResource) => withProps(r, { mounts: [{ type: "volume", source: UNKNOWN, target: "/backups" }] });
        const unknownDevice = (r: EngineResource) => withProps(r, { driverOpts: UNKNOWN });
        const outcome = await runStackPolicy(policy, replace(replace(stackWith("/etc"), "backup-backups", unknownDevice), BACKUP, unknownSource));
        assertOnlyRefusals(outcome);
        assert.match(outcome.violations[0].message, /^unknown in preview: mounts\[0\]\.source .* of urn:\S+::backup-job — name the volume with a literal, or take it from a docker\.Volume of this stack/);
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

    it("#7 a volume of another driver is not a host bind (that driver's options are its own)", async () => {
        const other = withProps(volume("dev", "backups"), { driver: "nfs", driverOpts: { o: "bind", device: "/etc" } });
        assert.deepEqual((await runStackPolicy(policy, [...devStack(), other])).violations, []);
    });
});
