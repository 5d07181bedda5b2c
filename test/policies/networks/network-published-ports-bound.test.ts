import { assertOnlyRefusals } from "../refusals";
import * as assert from "node:assert/strict";
import type { PolicyPackConfig } from "@pulumi/policy";
import { networkPublishedPortsBound as policy } from "../../../policies/networks/network-published-ports-bound";
import { Analyzer, runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { devStack, find, resourceViolations, unrelated, withProps } from "../fixtures/stack";

const proxy = () => find(devStack(), "proxy-container");
const onAddress = (ip: string | undefined) =>
    withProps(proxy(), { ports: [{ internal: 8443, external: 443, ...(ip === undefined ? {} : { ip }) }, { internal: 8080, external: 80, ...(ip === undefined ? {} : { ip }) }] });

describe("network-published-ports-bound (NET-03)", () => {
    it("#1 compliant dev stack (the proxy's ports on loopback, nothing else published) passes", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
    });

    it("#2 a port without ip (the provider's 0.0.0.0) is rejected, naming the port and the config key", async () => {
        const { violations } = await runResourcePolicy(policy, withProps(proxy(), { ports: [{ internal: 8443, external: 443 }] }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[NET-03\] host port 443 -> 8443 binds every interface of the host \(no ip: the provider's 0\.0\.0\.0\).*pulumi config set publishAddress/);
    });

    it("#3 the wildcards 0.0.0.0 and :: are rejected when the stack chose no address", async () => {
        for (const ip of ["0.0.0.0", "::"]) {
            const { violations } = await runResourcePolicy(policy, onAddress(ip));
            assert.equal(violations.length, 2, ip);
            assert.match(violations[0].message, new RegExp(`binds every interface of the host \\('${ip.replace(/\./g, "\\.")}'\\)`));
        }
    });

    it("#4 a specific address (IPv4 or IPv6) passes", async () => {
        for (const ip of ["203.0.113.10", "2001:db8::10", "::1"]) {
            assert.deepEqual((await runResourcePolicy(policy, onAddress(ip))).violations, [], ip);
        }
    });

    it("#5 an ip unknown at preview is refused, named", async () => {
        const r = withProps(proxy(), { ports: [{ internal: 8443, external: 443, ip: UNKNOWN }] });
        const outcome = await runResourcePolicy(policy, r);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["ports"]);
    });

    it("#6 other resource types are not applicable", async () => {
        assert.deepEqual((await runResourcePolicy(policy, unrelated())).violations, []);
    });

    // The engine hands the pack the stack's config at start (PULUMI_CONFIG): the address follows publishAddress.
    describe("with the stack's config as the engine hands it", () => {
        let analyzer: Analyzer | undefined;
        afterEach(async () => {
            await analyzer?.stop();
            analyzer = undefined;
        });
        const judged = async (stackConfig: Record<string, string>, ip: string | undefined, config?: PolicyPackConfig) => {
            // One pack at a time: a second start in the same test must not leak the first (mocha would not exit).
            await analyzer?.stop();
            analyzer = await Analyzer.start({ stackConfig });
            return (await analyzer.evaluate([onAddress(ip)], { config }, { resources: true })).violations.filter((v) => v.policy === policy.name);
        };

        it("#7 ports on the stack's publishAddress pass", async () => {
            assert.deepEqual(await judged({ "bulwark:publishAddress": "198.51.100.7" }, "198.51.100.7"), []);
        });

        it("#8 ports on another address than the stack's publishAddress are rejected, naming both", async () => {
            const violations = await judged({ "bulwark:publishAddress": "198.51.100.7" }, "127.0.0.1");
            assert.equal(violations.length, 2);
            assert.match(violations[0].message, /binds '127\.0\.0\.1', but the stack's bulwark:publishAddress is '198\.51\.100\.7'/);
        });

        it("#9 a wildcard publishAddress passes only with the pack's allowWildcardAddress; no ip at all does not", async () => {
            const wildcard = await judged({ "bulwark:publishAddress": "0.0.0.0" }, "0.0.0.0");
            assert.equal(wildcard.length, 2);
            assert.match(wildcard[0].message, /binds every interface of the host \('0\.0\.0\.0'\), as the stack's bulwark:publishAddress asks: a stack cannot widen its own exposure.*"allowWildcardAddress": true/);
            assert.deepEqual(await judged({ "bulwark:publishAddress": "0.0.0.0" }, "0.0.0.0", { [policy.name]: { allowWildcardAddress: true } }), []);
            const violations = await judged({ "bulwark:publishAddress": "198.51.100.7" }, undefined);
            assert.equal(violations.length, 2);
            assert.match(violations[0].message, /binds every interface \(no ip\), but the stack's bulwark:publishAddress is '198\.51\.100\.7'/);
        });
    });
});
