import * as assert from "node:assert/strict";
import { appJwtLifetimeBounded as policy } from "../../../policies/app/app-jwt-lifetime-bounded";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, resourceViolations, unrelated, withEnv, withUnknownEnv } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const backend = () => find(devStack(), "app-backend");

describe("app-jwt-lifetime-bounded (APP-02)", () => {
    it("#1 compliant containers (access 900 s, refresh 14 days) pass", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 JWT_SECRET without JWT_ACCESS_TTL_SECONDS is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { JWT_ACCESS_TTL_SECONDS: null }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[APP-02\] Container 'dev-backend' signs JWTs .* does not set JWT_ACCESS_TTL_SECONDS.*60\.\.3600/);
    });

    it("#3 JWT_SECRET without JWT_REFRESH_TTL_SECONDS is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { JWT_REFRESH_TTL_SECONDS: null }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /JWT_REFRESH_TTL_SECONDS/);
    });

    it("#4 an access lifetime above 3600 or below 60 seconds is rejected", async () => {
        for (const ttl of ["86400", "30", "0"]) {
            const { violations } = await runResourcePolicy(policy, withEnv(backend(), { JWT_ACCESS_TTL_SECONDS: ttl }));
            assert.equal(violations.length, 1, ttl);
            assert.match(violations[0].message, /outside the allowed 60\.\.3600 seconds/);
        }
    });

    it("#5 a refresh lifetime above 30 days is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { JWT_REFRESH_TTL_SECONDS: "31536000" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /JWT_REFRESH_TTL_SECONDS=31536000 is outside the allowed 1\.\.2592000/);
    });

    it("#6 a lifetime that is not a whole number is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { JWT_ACCESS_TTL_SECONDS: "15m" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /'15m' is not a whole number of seconds/);
    });

    it("#7 config maxAccessTtlSeconds 600 rejects the 900-second access lifetime", async () => {
        const { violations } = await runResourcePolicy(policy, backend(), { config: { "app-jwt-lifetime-bounded": { maxAccessTtlSeconds: 600 } } });
        assert.equal(violations.length, 1);
    });

    it("#8 config maxRefreshTtlSeconds 604800 rejects the 14-day refresh lifetime", async () => {
        const { violations } = await runResourcePolicy(policy, backend(), { config: { "app-jwt-lifetime-bounded": { maxRefreshTtlSeconds: 604800 } } });
        assert.equal(violations.length, 1);
    });

    it("#9 a container without JWT_SECRET needs no lifetimes; unknown entries are not judged", async () => {
        assert.deepEqual((await runResourcePolicy(policy, find(devStack(), "app-frontend"))).violations, []);
        const r = withEnv(withUnknownEnv(backend(), "DATABASE_URL"), { JWT_ACCESS_TTL_SECONDS: null });
        const outcome = await runResourcePolicy(policy, r);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs[JWT_ACCESS_TTL_SECONDS]"]);
    });

    it("#10 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });
});
