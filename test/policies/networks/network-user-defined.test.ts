import * as assert from "node:assert/strict";
import { networkUserDefined as policy } from "../../../policies/networks/network-user-defined";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, resourceViolations, unrelated, withNetworks, withProps, withUnknown } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const backend = () => find(devStack(), "app-backend");

describe("network-user-defined (NET-01)", () => {
    it("#1 compliant dev and prod containers (user networks, drill with 'none') pass", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 networkMode 'bridge' is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(backend(), { networkMode: "bridge", networksAdvanced: [] }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[NET-01\] Container 'dev-backend' uses networkMode 'bridge'.*default bridge/);
    });

    it("#3 networkMode 'host' is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(backend(), { networkMode: "host" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /'host'.*shares the host's network stack/);
    });

    it("#4 networkMode 'default' and 'container:<id>' are rejected", async () => {
        for (const mode of ["default", "container:abc123"]) {
            const { violations } = await runResourcePolicy(policy, withProps(backend(), { networkMode: mode }));
            assert.equal(violations.length, 1, mode);
        }
    });

    it("#5 a container with no network at all is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(backend(), { networksAdvanced: undefined }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /declares no network/);
    });

    it("#6 a predefined network listed in networksAdvanced is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withNetworks(backend(), ["dev-edge", "bridge"]));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /predefined network\(s\) 'bridge'/);
    });

    it("#7 networkMode naming a user network also in networksAdvanced passes; one not declared is rejected", async () => {
        assert.deepEqual((await runResourcePolicy(policy, withProps(backend(), { networkMode: "dev-edge" }))).violations, []);
        const { violations } = await runResourcePolicy(policy, withProps(backend(), { networkMode: "other-net" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /without declaring it in networksAdvanced/);
    });

    it("#8 networkMode 'none' together with networks is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(backend(), { networkMode: "none" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /'none' but also lists networks/);
    });

    it("#9 config allowedNetworkModes without 'none' rejects the restore drill", async () => {
        const drill = find(devStack(), "backup-drill");
        const { violations } = await runResourcePolicy(policy, drill, { config: { "network-user-defined": { allowedNetworkModes: [] } } });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /networkMode 'none'/);
    });

    it("#10 networksAdvanced unknown at preview is not judged", async () => {
        const outcome = await runResourcePolicy(policy, withUnknown(backend(), "networksAdvanced"));
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["networksAdvanced"]);
    });

    it("#11 other resource types are not applicable", async () => {
        const outcome = await runResourcePolicy(policy, unrelated());
        assert.ok(outcome.notApplicable);
        assert.deepEqual(outcome.violations, []);
    });
});
