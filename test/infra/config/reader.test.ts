// The reader: structured and secret config are read one way for every key, and every problem is collected into one
// ConfigError instead of stopping at the first.
import * as assert from "node:assert/strict";
import { SECRET_CONFIG_KEYS } from "../../../tools/mocks/stack-run";
import { assertRejected, assertWellFormed, configError, json, load } from "./helpers";

describe("infra config validation (loadConfig): the reader", () => {
    describe("rejected values", () => {
        for (const key of SECRET_CONFIG_KEYS) {
            it(`${key}: set in plain text instead of as a secret`, () => {
                const problem = assertRejected("prod", {}, key, { plainKeys: [key], message: /plain text.*SEC-01/ });
                assert.match(problem.fix, /--secret/);
            });
        }

        it("resources: invalid structured config (not JSON)", () => {
            assertRejected("dev", { resources: "{backend: {memoryMb: 512}" }, "resources", { message: /not valid structured config/ });
        });

        it("backupRetention: invalid structured config (not JSON)", () => {
            assertRejected("dev", { backupRetention: "daily=7" }, "backupRetention", { message: /not valid structured config/ });
        });

        // `bulwark:backend: null` in a stack file arrives as "null": reported, not a TypeError.
        it("backend, resources, offsiteBackup: null instead of an object", () => {
            for (const key of ["backend", "resources", "offsiteBackup"]) {
                assertRejected("dev", { [key]: "null" }, key);
            }
        });
    });

    describe("reporting", () => {
        it("reports every invalid value in one error", () => {
            const error = configError(() =>
                load("dev", {
                    environment: "qa",
                    httpsPort: "70000",
                    baseImage: "debian:latest",
                    corsOrigins: json(["*"]),
                    backupSchedule: "never",
                    alertWebhookUrl: "ftp://example.com",
                }),
            );
            const keys = error.problems.map((p) => p.key).sort();
            assert.deepEqual(keys, ["alertWebhookUrl", "backupSchedule", "baseImage", "corsOrigins", "environment", "httpsPort"]);
            assert.match(error.message, /^bulwark: 6 configuration problems; nothing was deployed\./);
            for (const problem of error.problems) {
                assertWellFormed(error, problem);
            }
        });
    });
});
