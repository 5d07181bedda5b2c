// The stack's basics: environment, domain, public ports, publishAddress, dataSubnet and logRotation.
import * as assert from "node:assert/strict";
import { LIMITS, loadConfig } from "../../../infra/config";
import { mapSource } from "../../../tools/mocks/stack-run";
import { assertRejected, assertWellFormed, configError, json, load } from "./helpers";

describe("infra config validation (loadConfig): stack basics", () => {
    describe("valid configurations", () => {
        it("takes the environment from the stack name when it is not set", () => {
            const error = configError(() => loadConfig(mapSource("prod-eu", {})));
            // Every prod requirement is reported at once: the stack was treated as prod.
            const keys = new Set(error.problems.map((p) => p.key));
            for (const key of ["domain", "publishAddress", "tlsCertificate", "tlsPrivateKey", "backendImage", "frontendImage", "backupAgeRecipient", "offsiteBackup.enabled", "googleClientSecret"]) {
                assert.ok(keys.has(key), `missing prod requirement ${key}; got ${[...keys].join(", ")}`);
            }
            for (const problem of error.problems) {
                assertWellFormed(error, problem);
            }
        });

        it("binds the proxy to loopback in dev unless publishAddress says otherwise (IPv4, IPv6 or 0.0.0.0 on purpose)", () => {
            assert.equal(load("dev").publishAddress, "127.0.0.1");
            for (const address of ["0.0.0.0", "192.0.2.10", "2001:db8::1"]) assert.equal(load("dev", { publishAddress: address }).publishAddress, address);
            assert.equal(load("prod").publishAddress, "203.0.113.10");
        });
    });

    describe("rejected values", () => {
        it("environment: a value other than dev or prod", () => {
            assertRejected("dev", { environment: "staging" }, "environment", { message: /staging/ });
        });

        it("domain: not a lower-case host name", () => {
            assertRejected("dev", { domain: "https://App.example.com/" }, "domain");
        });

        it("domain: missing in prod", () => {
            assertRejected("prod", { domain: undefined, corsOrigins: json(["https://app.example.com"]) }, "domain", { message: /required in prod/ });
        });

        for (const value of ["0", "70000", "abc"]) {
            it(`httpsPort: ${JSON.stringify(value)}`, () => {
                assertRejected("dev", { httpsPort: value }, "httpsPort", { message: new RegExp(JSON.stringify(value)) });
            });
        }

        it("httpPort: equal to httpsPort", () => {
            assertRejected("dev", { httpsPort: "8443", httpPort: "8443" }, "httpPort", { message: /differ/ });
        });

        it("publishAddress: missing in prod, where binding every interface must be a choice", () => {
            assertRejected("prod", { publishAddress: undefined }, "publishAddress", { message: /required in prod: the host address the proxy's ports bind to/ });
        });

        for (const value of ["localhost", "203.0.113.300", "0.0.0.0/0"]) {
            it(`publishAddress: ${JSON.stringify(value)} (not an IP address)`, () => {
                assertRejected("dev", { publishAddress: value }, "publishAddress", { message: new RegExp(JSON.stringify(value).replace(/[./]/g, "\\$&")) });
            });
        }

        it(`logRotation.maxSizeMb: below ${LIMITS.logMaxSizeMb.min}`, () => {
            assertRejected("dev", { logRotation: json({ maxSizeMb: LIMITS.logMaxSizeMb.min - 1 }) }, "logRotation.maxSizeMb");
        });

        it(`logRotation.maxFiles: above ${LIMITS.logMaxFiles.max}`, () => {
            assertRejected("dev", { logRotation: json({ maxFiles: LIMITS.logMaxFiles.max + 1 }) }, "logRotation.maxFiles");
        });

        for (const subnet of ["8.8.8.0/24", "172.32.0.0/24", "172.29.10.0", "172.29.10.0/8", "10.0.0.300/24"]) {
            it(`dataSubnet: ${JSON.stringify(subnet)}`, () => {
                assertRejected("dev", { dataSubnet: subnet }, "dataSubnet", { message: /private IPv4 CIDR/ });
            });
        }
    });
});
