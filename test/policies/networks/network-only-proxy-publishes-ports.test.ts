import * as assert from "node:assert/strict";
import { networkOnlyProxyPublishesPorts as policy } from "../../../policies/networks/network-only-proxy-publishes-ports";
import { Analyzer, runStackPolicy } from "../../../tools/analyzer/judge";
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
        assert.match(violations[0].message, /host port 8081.*only '443', '80' \(the stack's bulwark:httpsPort and bulwark:httpPort\)/);
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
        assert.match(violations[0].message, /host port 80 .*only '443' \(the policy config's allowedPublishedPorts\) is allowed/);
    });

    it("#9 config proxyRole moves the permission: the old proxy is rejected", async () => {
        const { violations } = await runStackPolicy(policy, devStack(), {
            config: { "network-only-proxy-publishes-ports": { proxyRole: "ingress" } },
        });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /only the 'ingress' container of the Proxy component, run from the image built from images\/proxy, may publish ports/);
    });

    it("#10 a proxy port with no `external` (a host port Docker picks at random) is rejected: it cannot be proven allowed", async () => {
        const resources = replace(devStack(), "proxy-container", (r) => withProps(r, { ports: [{ internal: 8443 }] }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /publishes container port 8443 on a host port Docker picks at random/);
    });

    // The engine hands the pack the stack's config at start (PULUMI_CONFIG); the proxy's ports follow it.
    describe("with the stack's config as the engine hands it", () => {
        const onPorts = (https: number, http: number) =>
            replace(devStack(), "proxy-container", (r) => withProps(r, { ports: [{ internal: 8443, external: https }, { internal: 8080, external: http }] }));
        let analyzer: Analyzer | undefined;
        afterEach(async () => {
            await analyzer?.stop();
            analyzer = undefined;
        });
        const judged = async (stackConfig: Record<string, string>, resources = onPorts(18443, 18080)) => {
            analyzer = await Analyzer.start({ stackConfig });
            return (await analyzer.evaluate(resources, {}, { resources: false })).violations.filter((v) => v.policy === policy.name);
        };

        it("#11 a stack configured for 18443/18080 may publish them", async () => {
            assert.deepEqual(await judged({ "bulwark:httpsPort": "18443", "bulwark:httpPort": "18080" }), []);
        });

        it("#12 ... and nothing else: the default 443 on that stack is rejected", async () => {
            const violations = await judged({ "bulwark:httpsPort": "18443", "bulwark:httpPort": "18080" }, onPorts(443, 18080));
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /host port 443 .*only '18443', '18080'/);
        });

        it("#13 the policy config's allowedPublishedPorts, when set, wins over the stack's ports", async () => {
            analyzer = await Analyzer.start({ stackConfig: { "bulwark:httpsPort": "18443", "bulwark:httpPort": "18080" } });
            const { violations } = await analyzer.evaluate(onPorts(18443, 18080), {
                config: { "network-only-proxy-publishes-ports": { allowedPublishedPorts: [443, 80] } },
            }, { resources: false });
            assert.equal(violations.filter((v) => v.policy === policy.name).length, 2);
        });

        it("#14 a stack port that is not a number is named in the message", async () => {
            const violations = await judged({ "bulwark:httpsPort": "https", "bulwark:httpPort": "18080" });
            assert.equal(violations.length, 1);
            assert.match(violations[0].message, /host port 18443 .*not a port number: bulwark:httpsPort = "https"/);
        });
    });
});
