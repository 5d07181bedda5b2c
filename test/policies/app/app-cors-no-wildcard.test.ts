import * as assert from "node:assert/strict";
import { appCorsNoWildcard as policy } from "../../../policies/app/app-cors-no-wildcard";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { devStack, find, prodStack, resourceViolations, unrelated, withEnv, withUnknownEnv } from "../fixtures/stack";
import { assertOnlyRefusals } from "../refusals";

const backend = () => find(devStack(), "app-backend");
const withCors = (value: string) => withEnv(backend(), { CORS_ORIGINS: value });

describe("app-cors-no-wildcard (APP-01)", () => {
    it("#1 compliant containers (CORS_ORIGINS=https://app.example.com) pass", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 a comma list of https origins passes", async () => {
        assert.deepEqual((await runResourcePolicy(policy, withCors("https://app.example.com, https://admin.example.com:8443"))).violations, []);
    });

    it("#3 a bare wildcard is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withCors("*"));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[APP-01\] Container 'dev-backend': CORS_ORIGINS origin '\*' is a wildcard/);
    });

    it("#4 a wildcard inside a list or a subdomain pattern is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withCors("https://app.example.com,https://*.example.com"));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /'https:\/\/\*\.example\.com' is a wildcard/);
    });

    it("#5 an http origin is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withCors("http://app.example.com"));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /uses http instead of https/);
    });

    it("#6 http://localhost is rejected by default", async () => {
        const { violations } = await runResourcePolicy(policy, withCors("http://localhost:5173"));
        assert.equal(violations.length, 1);
    });

    it("#7 config allowLocalhost accepts http://localhost outside production only, and still rejects other http origins", async () => {
        const config = { "app-cors-no-wildcard": { allowLocalhost: true } };
        const development = (value: string) => withEnv(backend(), { RAILS_ENV: "development", CORS_ORIGINS: value });
        assert.deepEqual((await runResourcePolicy(policy, development("http://localhost:5173"), { config })).violations, []);
        assert.equal((await runResourcePolicy(policy, development("http://evil.example"), { config })).violations.length, 1);
        // Stricter since issue 22: production, however it is said, never gets the development allowance.
        const envs: Record<string, string | null>[] = [{}, { RAILS_ENV: "development", RACK_ENV: "Production" }, { RAILS_ENV: null, NODE_ENV: " production " }];
        for (const env of envs) {
            const r = withEnv(backend(), { ...env, CORS_ORIGINS: "http://localhost:5173" });
            assert.equal((await runResourcePolicy(policy, r, { config })).violations.length, 1, JSON.stringify(env));
        }
    });

    it("#8 a value that is not an origin ('null', a bare host) is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withCors("null app.example.com"));
        assert.equal(violations.length, 2);
    });

    it("#9 config corsEnvNames judges another variable", async () => {
        const r = withEnv(backend(), { ALLOWED_ORIGINS: "*" });
        assert.deepEqual((await runResourcePolicy(policy, r)).violations, []);
        const { violations } = await runResourcePolicy(policy, r, { config: { "app-cors-no-wildcard": { corsEnvNames: ["CORS_ORIGINS", "ALLOWED_ORIGINS"] } } });
        assert.equal(violations.length, 1);
    });

    it("#10 a value unknown at preview is not judged: it is inconclusive, named", async () => {
        const outcome = await runResourcePolicy(policy, withUnknownEnv(backend(), "CORS_ORIGINS"));
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs[CORS_ORIGINS]"]);
    });

    it("#11 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });
});
