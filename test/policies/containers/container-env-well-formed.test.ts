import * as assert from "node:assert/strict";
import { containerEnvWellFormed as policy } from "../../../policies/containers/container-env-well-formed";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { assertOnlyRefusals } from "../refusals";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-env-well-formed (SEC-01, NET-05, APP-01)", () => {
    it("#1 compliant container passes, and a well-formed list", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
        assertPasses(await runResourcePolicy(policy, container({ envs: ["RAILS_ENV=production", "RAILS_FORCE_SSL=true", "EMPTY=", "_X1=a=b"] })));
    });

    it("#2 a duplicate name is rejected once, whatever the values; the message carries no value", async () => {
        const outcome = await runResourcePolicy(policy, container({ envs: ["RAILS_FORCE_SSL=true", "A=1", "RAILS_FORCE_SSL=false", "RAILS_FORCE_SSL=true"] }));
        assertViolations(outcome, 1, /env "RAILS_FORCE_SSL" more than once.*Docker keeps the last value/);
        const secret = await runResourcePolicy(policy, container({ envs: ["SECRET_KEY_BASE=s3cr3t-one", "SECRET_KEY_BASE=s3cr3t-two"] }));
        assertViolations(secret, 1, /SECRET_KEY_BASE/);
        assert.ok(!/s3cr3t/.test(secret.violations[0].message));
    });

    for (const entry of [" RAILS_FORCE_SSL=true", "RAILS_FORCE_SSL =true", "RAILS-FORCE-SSL=true", "1X=1", "=x"]) {
        it(`#3 a malformed name ${JSON.stringify(entry)} is rejected`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ envs: [entry] })), 1, /is not NAME=value/);
        });
    }

    it("#4 an entry without '=' is rejected without echoing what may be a value", async () => {
        const outcome = await runResourcePolicy(policy, container({ envs: ["SECRET_KEY_BASE: abcdef-not-for-logs"] }));
        assertViolations(outcome, 1, /"SECRET_KEY_BASE"… \(an entry without "="\)/);
        assert.ok(!/abcdef/.test(outcome.violations[0].message));
    });

    it("#5 unknown entries at preview are not judged here; a whole unknown list is refused, naming the field", async () => {
        assertPasses(await runResourcePolicy(policy, container({ envs: ["A=1", UNKNOWN] })));
        const outcome = await runResourcePolicy(policy, container({ envs: UNKNOWN as unknown as string[] }));
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["envs"]);
    });

    it("#6 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
