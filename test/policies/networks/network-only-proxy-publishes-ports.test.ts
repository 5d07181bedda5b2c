import * as assert from "node:assert/strict";
import { networkOnlyProxyPublishesPorts as policy } from "../../../policies/networks/network-only-proxy-publishes-ports";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, replace, withProps, withRole } from "../fixtures/stack";

describe("network-only-proxy-publishes-ports (NET-03)", () => {
    it("#1 compliant dev stack (only the proxy publishes 80 and 443) passes", async () => {
        const outcome = await runStackPolicy(policy, devStack());
        assert.deepEqual(outcome.violations, []);
    });

    it("#2 compliant prod stack with the off-site uploader passes", async () => {
        assert.deepEqual((await runStackPolicy(policy, prodStack())).violations, []);
    });

    it("#3 the database publishing 5432 is rejected on the database's URN", async () => {
        const resources = replace(devStack(), "database-container", (r) => withProps(r, { ports: [{ internal: 5432, external: 5432 }] }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "database-container").urn);
        assert.match(violations[0].message, /\[NET-03\].*'dev-database'.*role 'database'.*'5432'.*'edge-proxy'/);
    });

    it("#4 an app container with publishAllPorts is rejected", async () => {
        const resources = replace(devStack(), "app-frontend", (r) => withProps(r, { publishAllPorts: true }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "app-frontend").urn);
        assert.match(violations[0].message, /publishAllPorts/);
    });

    it("#5 a container without a role label that publishes a port is rejected", async () => {
        const resources = replace(devStack(), "app-backend", (r) => withProps(withRole(r, undefined), { ports: [{ internal: 3000, external: 3000 }] }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /role 'unset'/);
    });

    it("#6 the proxy publishing a port outside the allowed list is rejected", async () => {
        const resources = replace(devStack(), "proxy-container", (r) =>
            withProps(r, { ports: [...r.inputs.ports, { internal: 9000, external: 8081 }] }),
        );
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "proxy-container").urn);
        assert.match(violations[0].message, /host port 8081.*'80', '443'/);
    });

    it("#7 the proxy with publishAllPorts is rejected", async () => {
        const resources = replace(devStack(), "proxy-container", (r) => withProps(r, { publishAllPorts: true }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /Proxy container .* publishAllPorts/);
    });

    it("#8 config allowedPublishedPorts without 80 rejects the proxy's HTTP port", async () => {
        const { violations } = await runStackPolicy(policy, devStack(), {
            config: { "network-only-proxy-publishes-ports": { allowedPublishedPorts: [443] } },
        });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /host port 80 /);
    });

    it("#9 config proxyRole moves the permission: the old proxy is rejected", async () => {
        const { violations } = await runStackPolicy(policy, devStack(), {
            config: { "network-only-proxy-publishes-ports": { proxyRole: "ingress" } },
        });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /only the 'ingress' container may publish ports/);
    });

    it("#10 an unknown external port at preview is not judged", async () => {
        const resources = replace(devStack(), "proxy-container", (r) => withProps(r, { ports: [{ internal: 8443 }] }));
        assert.deepEqual((await runStackPolicy(policy, resources)).violations, []);
    });
});
