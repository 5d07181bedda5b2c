import * as assert from "node:assert/strict";
import { appRailsForceSsl as policy } from "../../../policies/app/app-rails-force-ssl";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
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

    it("#7 entries unknown at preview may hide RAILS_FORCE_SSL and are not judged", async () => {
        const r = withEnv(withUnknownEnv(backend(), "JWT_SECRET"), { RAILS_FORCE_SSL: null });
        const outcome = await runResourcePolicy(policy, r);
        assert.deepEqual(outcome.violations, []);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs[RAILS_FORCE_SSL]"]);
    });

    it("#8 other resource types are not applicable", async () => {
        assert.ok((await runResourcePolicy(policy, unrelated())).notApplicable);
    });
});
