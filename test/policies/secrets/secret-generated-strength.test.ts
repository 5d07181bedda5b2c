import * as assert from "node:assert/strict";
import { secretGeneratedStrength as policy } from "../../../policies/secrets/secret-generated-strength";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { TYPES, devStack, find, resource, resourceViolations, unrelated, withProps, withUnknown } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

describe("secret-generated-strength (SEC-02)", () => {
    it("#1 compliant generators (64-byte Rails secret, 32-byte JWT, 48-char password) pass", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
    });

    it("#2 a RandomPassword shorter than 32 is rejected", async () => {
        const r = withProps(find(devStack(), "secrets-database-password"), { length: 16 });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[SEC-02\] RandomPassword 'secrets-database-password' has length 16; at least 32/);
    });

    it("#3 a RandomBytes shorter than 32 is rejected", async () => {
        const r = withProps(find(devStack(), "secrets-jwt-secret"), { length: 16 });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /RandomBytes 'secrets-jwt-secret' has length 16/);
    });

    it("#4 the Rails secret_key_base RandomBytes needs 64 bytes", async () => {
        const r = withProps(find(devStack(), "secrets-secret-key-base"), { length: 32 });
        const { violations } = await runResourcePolicy(policy, r);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /Rails secret_key_base.*at least 64/);
    });

    it("#5 a RandomString named like a secret shorter than 32 is rejected; a name suffix is not applicable", async () => {
        const token = resource(TYPES.randomString, "api-token", { length: 20, special: false });
        assert.equal((await runResourcePolicy(policy, token)).violations.length, 1);
        const suffix = await runResourcePolicy(policy, resource(TYPES.randomString, "bucket-suffix", { length: 8 }));
        assert.ok(suffix.notApplicable);
        assert.deepEqual(suffix.violations, []);
    });

    it("#6 a RandomId named like a secret with a small byteLength is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, resource(TYPES.randomId, "session-key", { byteLength: 8 }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /RandomId 'session-key' has byteLength 8/);
    });

    it("#7 config minPasswordLength 64 rejects the 48-character database password", async () => {
        const r = find(devStack(), "secrets-database-password");
        const { violations } = await runResourcePolicy(policy, r, { config: { "secret-generated-strength": { minPasswordLength: 64 } } });
        assert.equal(violations.length, 1);
    });

    it("#8 a length unknown at preview is not judged", async () => {
        const r = withUnknown(find(devStack(), "secrets-jwt-secret"), "length");
        const outcome = await runResourcePolicy(policy, r);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["length"]);
    });

    it("#9 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
        assert.ok((await runResourcePolicy(policy, find(devStack(), "app-backend"))).notApplicable);
    });
});
