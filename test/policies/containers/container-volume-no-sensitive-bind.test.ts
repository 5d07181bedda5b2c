import * as assert from "node:assert/strict";
import { containerVolumeNoSensitiveBind as policy } from "../../../policies/containers/container-volume-no-sensitive-bind";
import { Analyzer, runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { devStack, prodStack, unrelated, volume, withProps } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const bind = (device: unknown, driver?: string) =>
    withProps(volume("dev", "backups"), { ...(driver === undefined ? {} : { driver }), driverOpts: { type: "none", o: "bind", device } });

describe("container-volume-no-sensitive-bind (CON-09)", () => {
    it("#1 every volume of the dev and prod stacks passes on its own inputs", async () => {
        for (const r of [...devStack(), ...prodStack()].filter((r) => r.type === "docker:index/volume:Volume")) {
            assert.deepEqual((await runResourcePolicy(policy, r)).violations, [], r.name);
        }
    });

    it("#2 a volume binding /etc is refused, with no driver as with driver local (Docker's default)", async () => {
        for (const driver of [undefined, "local"]) {
            const { violations } = await runResourcePolicy(policy, bind("/etc", driver));
            assert.equal(violations.length, 1, String(driver));
            assert.match(violations[0].message, /\[CON-09\] Volume 'dev-backups' binds the host path "\/etc" \(`driverOpts.device`\), a sensitive host path/);
        }
    });

    it("#3 a dedicated directory passes only as the stack's bulwark:backupVolumeHostPath, which the engine hands the pack", async () => {
        const outcome = await runResourcePolicy(policy, bind("/srv/bulwark-backups"));
        assert.equal(outcome.violations.length, 1);
        assert.match(outcome.violations[0].message, /sets no bulwark:backupVolumeHostPath/);
        const analyzer = await Analyzer.start({ stackConfig: { "bulwark:backupVolumeHostPath": "/srv/bulwark-backups" } });
        try {
            const result = await analyzer.evaluate([bind("/srv/bulwark-backups")], {}, { stack: false });
            assert.deepEqual(result.violations.filter((v) => v.policy === policy.name), []);
        } finally {
            await analyzer.stop();
        }
    });

    it("#4 driverOpts, a device or a driver unknown at preview is refused, naming the field and the fix", async () => {
        for (const [r, field] of [
            [withProps(volume("dev", "backups"), { driverOpts: UNKNOWN }), "driverOpts"],
            [bind(UNKNOWN), "driverOpts"],
            [withProps(bind("/srv/x"), { driver: UNKNOWN }), "driver"],
        ] as const) {
            const outcome = await runResourcePolicy(policy, r);
            assertOnlyRefusals(outcome);
            assert.deepEqual(outcome.inconclusive.map((i) => i.field), [field]);
            assert.match(outcome.violations[0].message, /as literals or from the stack config/);
        }
    });

    it("#5 other resource types are not judged", async () => {
        assert.deepEqual((await runResourcePolicy(policy, unrelated())).violations, []);
    });
});
