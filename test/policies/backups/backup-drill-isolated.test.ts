import * as assert from "node:assert/strict";
import { backupDrillIsolated as policy } from "../../../policies/backups/backup-drill-isolated";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, resourceViolations, unrelated, withNetworks, withProps, withRole } from "../fixtures/stack";

const drill = () => find(devStack(), "backup-drill");

describe("backup-drill-isolated (BAK-03)", () => {
    it("#1 compliant restore drill (networkMode 'none') passes", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 is advisory", () => {
        assert.equal(policy.enforcementLevel, "advisory");
    });

    it("#3 a drill on the data network is rejected", async () => {
        const r = withNetworks(withProps(drill(), { networkMode: undefined }), ["dev-data"]);
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 2);
        assert.match(violations[0].message, /\[BAK-03\] Restore-drill container 'dev-restore-drill' uses networkMode 'unset \(default bridge\)'/);
        assert.match(violations[1].message, /attached to 1 network\(s\)/);
    });

    it("#4 a drill in bridge or host mode is rejected", async () => {
        for (const mode of ["bridge", "host"]) {
            const { violations } = await runResourcePolicy(policy, withProps(drill(), { networkMode: mode }));
            assert.equal(violations.length, 1, mode);
        }
    });

    it("#5 a drill publishing ports is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(drill(), { ports: [{ internal: 5432, external: 5432 }] }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /publishes ports/);
    });

    it("#6 config drillRole judges a differently labelled drill", async () => {
        const r = withProps(withRole(drill(), "restore-test"), { networkMode: "bridge" });
        assert.ok((await runResourcePolicy(policy, r)).notApplicable);
        const { violations } = await runResourcePolicy(policy, r, { config: { "backup-drill-isolated": { drillRole: "restore-test" } } });
        assert.equal(violations.length, 1);
    });

    it("#7 containers of other roles and other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, find(devStack(), "backup-job"))).notApplicable);
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });
});
