import * as assert from "node:assert/strict";
import { appRailsForceSsl as policy } from "../../../policies/app/app-rails-force-ssl";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertOnlyRefusals } from "../refusals";
import { devStack, find, prodStack, resourceViolations, unrelated, withEnv, withUnknownEnv } from "../fixtures/stack";

const backend = () => find(devStack(), "app-backend");

describe("app-rails-force-ssl (NET-05)", () => {
    it("#1 compliant containers (RAILS_ENV=production, RAILS_FORCE_SSL=true) pass", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 production without RAILS_FORCE_SSL is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { RAILS_FORCE_SSL: null }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[NET-05\] Container 'dev-backend' runs RAILS_ENV=production without RAILS_FORCE_SSL\. Add RAILS_FORCE_SSL=true/);
    });

    it("#3 production with RAILS_FORCE_SSL=false (or another value) is rejected", async () => {
        for (const value of ["false", "0", ""]) {
            const { violations } = await runResourcePolicy(policy, withEnv(backend(), { RAILS_FORCE_SSL: value }));
            assert.equal(violations.length, 1, value);
        }
    });

    it("#4 RAILS_FORCE_SSL=TRUE in any case passes", async () => {
        assert.deepEqual((await runResourcePolicy(policy, withEnv(backend(), { RAILS_FORCE_SSL: "TRUE" }))).violations, []);
    });

    it("#5 a development container without RAILS_FORCE_SSL passes", async () => {
        const r = withEnv(backend(), { RAILS_ENV: "development", RAILS_FORCE_SSL: null });
        assert.deepEqual((await runResourcePolicy(policy, r)).violations, []);
    });

    it("#6 config productionValues adds 'staging'", async () => {
        const r = withEnv(backend(), { RAILS_ENV: "staging", RAILS_FORCE_SSL: null });
        const config = { "app-rails-force-ssl": { productionValues: ["production", "staging"] } };
        assert.equal((await runResourcePolicy(policy, r, { config })).violations.length, 1);
    });

    it("#7 in production, RAILS_FORCE_SSL left to entries unknown at preview is refused (fail closed)", async () => {
        // Stricter since issue 22: this was inconclusive, which a preview does not block.
        const r = withEnv(withUnknownEnv(backend(), "JWT_SECRET"), { RAILS_FORCE_SSL: null });
        const outcome = await runResourcePolicy(policy, r);
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs[RAILS_FORCE_SSL]"]);
        assert.match(outcome.violations[0].message, /runs RAILS_ENV=production: add RAILS_FORCE_SSL=true as a literal entry/);
    });

    it("#9 production is recognised however it is said: RACK_ENV, APP_ENV, any case, surrounding spaces", async () => {
        const spellings: Record<string, string | null>[] = [
            { RAILS_ENV: null, RACK_ENV: "production" },
            { RAILS_ENV: "Production" },
            { RAILS_ENV: " PRODUCTION " },
            { RAILS_ENV: null, APP_ENV: "production" },
            { RAILS_ENV: "development", RACK_ENV: "production" },
        ];
        for (const env of spellings) {
            const { violations } = await runResourcePolicy(policy, withEnv(backend(), { ...env, RAILS_FORCE_SSL: "false" }));
            assert.equal(violations.length, 1, JSON.stringify(env));
            assert.match(violations[0].message, /runs (RAILS|RACK|APP)_ENV=\S+ with RAILS_FORCE_SSL=false/);
        }
    });

    it("#8 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });
});
