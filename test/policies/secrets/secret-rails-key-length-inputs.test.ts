import * as assert from "node:assert/strict";
import { secretRailsKeyLengthInputs as policy } from "../../../policies/secrets/secret-rails-key-length-inputs";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { JWT_SECRET, SECRET_KEY_BASE, devStack, find, unrelated, withEnv, withUnknownEnv } from "../fixtures/stack";

const backend = () => find(devStack(), "app-backend");

describe("secret-rails-key-length-inputs (SEC-02)", () => {
    it("#1 the dev backend passes on its own inputs", async () => {
        assert.deepEqual((await runResourcePolicy(policy, backend())).violations, []);
    });

    it("#2 a short SECRET_KEY_BASE or JWT_SECRET is refused before the container is created, without its value", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { SECRET_KEY_BASE: SECRET_KEY_BASE.slice(0, 64), JWT_SECRET: JWT_SECRET.slice(0, 32) }));
        assert.equal(violations.length, 2);
        assert.match(violations[0].message, /SECRET_KEY_BASE is 64 characters; at least 128/);
        assert.match(violations[1].message, /JWT_SECRET carries about 16 bytes/);
        assert.ok(violations.every((v) => !v.message.includes(SECRET_KEY_BASE.slice(0, 64))));
    });

    it("#3 entries unknown at preview are left to the stack policy, which sees what they derive from", async () => {
        const outcome = await runResourcePolicy(policy, withUnknownEnv(backend(), "SECRET_KEY_BASE"));
        assert.deepEqual([outcome.violations, outcome.inconclusive], [[], []]);
    });

    it("#4 other resource types are not judged", async () => {
        assert.deepEqual((await runResourcePolicy(policy, unrelated())).violations, []);
    });
});
