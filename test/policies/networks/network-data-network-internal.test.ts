import * as assert from "node:assert/strict";
import { networkDataNetworkInternal as policy } from "../../../policies/networks/network-data-network-internal";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, replace, withNetworks, withProps, withRole } from "../fixtures/stack";

describe("network-data-network-internal (NET-01, DB-02)", () => {
    it("#1 compliant dev stack (data network internal, only app/database/backup on it) passes", async () => {
        assert.deepEqual((await runStackPolicy(policy, devStack())).violations, []);
    });

    it("#2 compliant prod stack (uploader on its own egress network) passes", async () => {
        assert.deepEqual((await runStackPolicy(policy, prodStack())).violations, []);
    });

    it("#3 a data network that is not internal is rejected on the network's URN", async () => {
        const resources = replace(devStack(), "networks-data", (r) => withProps(r, { internal: false }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "networks-data").urn);
        assert.match(violations[0].message, /\[NET-01, DB-02\] Network 'dev-data' carries database container 'dev-database' but is not internal/);
    });

    it("#4 the proxy attached to the data network is rejected on the proxy's URN", async () => {
        const resources = replace(devStack(), "proxy-container", (r) => withNetworks(r, ["dev-edge", "dev-data"]));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "proxy-container").urn);
        assert.match(violations[0].message, /role 'edge-proxy'.*data network 'dev-data'.*'app', 'database', 'backup'/);
    });

    it("#5 the off-site uploader attached to the data network is rejected", async () => {
        const resources = replace(prodStack(), "backup-uploader", (r) => withNetworks(r, ["prod-egress", "prod-data"]));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "backup-uploader").urn);
    });

    it("#6 an unlabelled container on the data network is rejected", async () => {
        const resources = replace(devStack(), "app-backend", (r) => withRole(r, undefined));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /role 'unset'/);
    });

    it("#7 a container attached by the network's id is recognised", async () => {
        const stack = devStack();
        const dataId = find(stack, "networks-data").outputs!.id as string;
        const resources = replace(stack, "proxy-container", (r) => withNetworks(r, ["dev-edge", dataId]));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "proxy-container").urn);
    });

    it("#8 config dataNetworkRoles without 'backup' rejects the backup job", async () => {
        const { violations } = await runStackPolicy(policy, devStack(), {
            config: { "network-data-network-internal": { dataNetworkRoles: ["app", "database"] } },
        });
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(devStack(), "backup-job").urn);
    });

    it("#9 a stack whose database shares the edge network makes the edge network a data network", async () => {
        const resources = replace(devStack(), "database-container", (r) => withNetworks(r, ["dev-data", "dev-edge"]));
        const { violations } = await runStackPolicy(policy, resources);
        // edge is not internal, and the proxy sits on it
        assert.ok(violations.some((v) => v.urn === find(resources, "networks-edge").urn));
        assert.ok(violations.some((v) => v.urn === find(resources, "proxy-container").urn));
    });
});
