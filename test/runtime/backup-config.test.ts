// The backup keys are a configuration error before any resource exists (BAK-01, BAK-03): loadConfig
// (infra/config/), fed by a plain map ConfigSource, rejects a recipient that does not match the identity
// and a prod stack without the identity, naming the key and never echoing the secret. No engine needed.
import * as assert from "node:assert/strict";
import { ConfigError, ConfigSource, loadConfig } from "../../infra/config";
import { ageKeyPair } from "../../tools/runtime/backup";
import { stackInput } from "../../tools/mocks/stack-run";

/** Pulumi.prod.yaml with generated secrets (a valid prod stack), then `overrides`; undefined removes a key. */
function prodSource(overrides: Record<string, string | undefined>): ConfigSource {
    const input = stackInput("prod", overrides);
    const secrets = new Set(input.secretKeys);
    return { stack: input.stack, get: (key) => input.config[key], isSecret: (key) => secrets.has(key) };
}

function problemsOf(source: ConfigSource): ConfigError {
    try {
        loadConfig(source);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e;
    }
    assert.fail("the config loaded");
}

describe("backup key configuration (loadConfig)", () => {
    it("accepts a prod stack whose recipient matches its identity", () => {
        const pair = ageKeyPair();
        const config = loadConfig(prodSource({ backupAgeRecipient: pair.recipient, backupAgeIdentity: pair.identity }));
        assert.ok("recipient" in config.backupAge);
        assert.equal(config.backupAge.recipient, pair.recipient);
    });

    it("rejects a recipient that does not match the identity, naming backupAgeRecipient", () => {
        const identity = ageKeyPair().identity;
        const error = problemsOf(prodSource({ backupAgeRecipient: ageKeyPair().recipient, backupAgeIdentity: identity }));
        assert.deepEqual(error.problems.map((p) => p.key), ["backupAgeRecipient"]);
        assert.match(error.message, /bulwark:backupAgeRecipient: does not match backupAgeIdentity/);
        assert.ok(!error.message.includes(identity), "the identity is never echoed");
    });

    it("rejects a prod stack with a recipient and no identity, naming backupAgeIdentity", () => {
        const error = problemsOf(prodSource({ backupAgeRecipient: ageKeyPair().recipient, backupAgeIdentity: undefined }));
        assert.deepEqual(error.problems.map((p) => p.key), ["backupAgeIdentity"]);
        assert.match(error.message, /bulwark:backupAgeIdentity: must be the age secret key/);
    });

    it("rejects a prod stack with neither key, naming backupAgeRecipient", () => {
        const error = problemsOf(prodSource({ backupAgeRecipient: undefined, backupAgeIdentity: undefined }));
        assert.deepEqual(error.problems.map((p) => p.key), ["backupAgeRecipient"]);
        assert.match(error.message, /required in prod/);
    });

    it("rejects an identity kept in plain text", () => {
        const pair = ageKeyPair();
        const input = stackInput("prod", { backupAgeRecipient: pair.recipient, backupAgeIdentity: pair.identity });
        const source: ConfigSource = { stack: input.stack, get: (key) => input.config[key], isSecret: (key) => key !== "backupAgeIdentity" && input.secretKeys.includes(key) };
        const error = problemsOf(source);
        assert.deepEqual(error.problems.map((p) => p.key), ["backupAgeIdentity"]);
        assert.match(error.message, /plain text/);
        assert.ok(!error.message.includes(pair.identity));
    });
});
