// Whole stacks through loadConfig: the committed stack files and the embedded default load, and the program entry
// stops on a ConfigError before it registers any resource.
import * as assert from "node:assert/strict";
import { APP_DEFAULTS, ConfigError, DEFAULT_BASE_IMAGE, DEFAULT_RESOURCES, loadConfig } from "../../../infra/config";
import { mapSource, runProgram, stackInput } from "../../../tools/mocks/stack-run";
import { json, load } from "./helpers";

describe("infra config validation (loadConfig): whole stacks", () => {
    describe("valid configurations", () => {
        it("loads Pulumi.dev.yaml as it is", () => {
            const config = load("dev");
            assert.equal(config.environment, "dev");
            assert.equal(config.tls.mode, "self-signed");
        });

        it("loads Pulumi.prod.yaml once its secrets are set (as secrets)", () => {
            const config = load("prod");
            assert.equal(config.environment, "prod");
            assert.equal(config.tls.mode, "provided");
            assert.ok("recipient" in config.backupAge);
            assert.equal(config.offsiteBackup.enabled, true);
        });

        it("loads the embedded default with no config at all (dev)", () => {
            const config = loadConfig(mapSource("dev", {}));
            assert.equal(config.environment, "dev");
            assert.equal(config.domain, "localhost");
            assert.equal(config.tls.mode, "self-signed");
            assert.deepEqual(config.backupAge, { generate: true });
            assert.equal(config.baseImage, DEFAULT_BASE_IMAGE);
            assert.equal(config.dataSubnet, undefined, "Docker assigns the data network's range");
            assert.deepEqual(config.resources, DEFAULT_RESOURCES);
            assert.equal(config.backendImage, undefined);
            assert.deepEqual(config.backend, APP_DEFAULTS.demo.backend);
            assert.equal(config.offsiteBackup.enabled, false);
        });
    });

    describe("reporting", () => {
        it("the program entry (infra/index.ts) throws the ConfigError before registering any resource", async () => {
            const input = stackInput("prod", { corsOrigins: json(["*"]), httpsPort: "0" });
            const run = await runProgram(input);
            assert.ok(run.error instanceof ConfigError, `expected a ConfigError, got ${String(run.error)}`);
            assert.deepEqual(run.error.problems.map((p) => p.key).sort(), ["corsOrigins", "httpsPort"]);
            // Only the engine's root Stack resource, which exists before the program runs.
            assert.deepEqual(run.resources.map((r) => r.type), ["pulumi:pulumi:Stack"], `registered: ${run.resources.map((r) => r.name).join(", ")}`);
        });

        it("the program entry reads secrets through Pulumi's secret config (plain text is refused)", async () => {
            const run = await runProgram(stackInput("prod", {}, ["googleClientSecret"]));
            assert.ok(run.error instanceof ConfigError, `expected a ConfigError, got ${String(run.error)}`);
            assert.deepEqual(
                run.error.problems.map((p) => p.key),
                ["googleClientSecret"],
            );
            assert.deepEqual(run.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
        });
    });
});
