import * as assert from "node:assert/strict";
import { secretRailsKeyLength as policy } from "../../../policies/secrets/secret-rails-key-length";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { JWT_SECRET, SECRET_KEY_BASE, devStack, find, prodStack, replace, withEnv, withUnknownEnv } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const BACKEND = "app-backend";

describe("secret-rails-key-length (SEC-02)", () => {
    it("#1 compliant stacks (128-hex SECRET_KEY_BASE, 64-hex JWT_SECRET) pass", async () => {
        assert.deepEqual((await runStackPolicy(policy, devStack())).violations, []);
        assert.deepEqual((await runStackPolicy(policy, prodStack())).violations, []);
    });

    it("#2 a 64-character SECRET_KEY_BASE is rejected on the container's URN", async () => {
        const resources = replace(devStack(), BACKEND, (r) => withEnv(r, { SECRET_KEY_BASE: SECRET_KEY_BASE.slice(0, 64) }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, BACKEND).urn);
        assert.match(violations[0].message, /\[SEC-02\] Container 'dev-backend': SECRET_KEY_BASE is 64 characters; at least 128/);
        assert.ok(!violations[0].message.includes(SECRET_KEY_BASE.slice(0, 64)));
    });

    it("#3 a 32-hex-character (16-byte) JWT_SECRET is rejected", async () => {
        const resources = replace(devStack(), BACKEND, (r) => withEnv(r, { JWT_SECRET: JWT_SECRET.slice(0, 32) }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /JWT_SECRET carries about 16 bytes.*at least 32.*64 hex/);
    });

    it("#4 a base64 JWT_SECRET of 32 bytes passes; a 24-character one is rejected", async () => {
        const b64 = Buffer.from(JWT_SECRET, "hex").toString("base64");
        assert.deepEqual((await runStackPolicy(policy, replace(devStack(), BACKEND, (r) => withEnv(r, { JWT_SECRET: b64 })))).violations, []);
        const short = replace(devStack(), BACKEND, (r) => withEnv(r, { JWT_SECRET: b64.slice(0, 24) }));
        assert.equal((await runStackPolicy(policy, short)).violations.length, 1);
    });

    it("#5 the check applies to any container that carries the variables", async () => {
        const resources = replace(devStack(), "app-frontend", (r) => withEnv(r, { SECRET_KEY_BASE: "abc" }));
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "app-frontend").urn);
    });

    it("#6 values unknown at preview, with no random resource behind them, are refused with the fix", async () => {
        const resources = replace(devStack(), BACKEND, (r) => withUnknownEnv(withUnknownEnv(r, "SECRET_KEY_BASE"), "JWT_SECRET"));
        const outcome = await runStackPolicy(policy, resources);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs[SECRET_KEY_BASE]", "envs[JWT_SECRET]"]);
        assert.match(outcome.violations[0].message, /generate it from random\.RandomBytes with `length: 64` of this stack/);
    });

    it("#6b values unknown at preview are decided by the random resource their envs depend on, by its own length", async () => {
        const unknown = replace(devStack(), BACKEND, (r) => withUnknownEnv(withUnknownEnv(r, "SECRET_KEY_BASE"), "JWT_SECRET"));
        const dependingOn = (...names: string[]) =>
            replace(unknown, BACKEND, (r) => ({ ...r, propertyDependencies: { envs: names.map((n) => find(devStack(), n).urn) } }));
        assert.deepEqual((await runStackPolicy(policy, dependingOn("secrets-secret-key-base", "secrets-jwt-secret"))).violations, []);
        // 32 bytes is enough for the JWT key, not for SECRET_KEY_BASE (64 hex characters of 128).
        const weak = await runStackPolicy(policy, dependingOn("secrets-jwt-secret"));
        assertOnlyRefusals(weak);
        assert.deepEqual(weak.inconclusive.map((i) => i.field), ["envs[SECRET_KEY_BASE]"]);
    });

    it("#7 config minJwtSecretBytes 64 rejects the 32-byte JWT secret", async () => {
        const { violations } = await runStackPolicy(policy, devStack(), { config: { "secret-rails-key-length": { minJwtSecretBytes: 64 } } });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /JWT_SECRET/);
    });
});
