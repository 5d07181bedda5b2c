import * as assert from "node:assert/strict";
import { containerRestartPolicy as policy } from "../../../policies/containers/container-restart-policy";
import { evaluate, runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-restart-policy (LOG-06)", () => {
    for (const restart of ["unless-stopped", "always", "on-failure"]) {
        it(`#1 compliant restart "${restart}" passes`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ restart })));
        });
    }

    it("#2 a missing restart is reported", async () => {
        const outcome = await runResourcePolicy(policy, container({ restart: undefined }));
        assertViolations(outcome, 1, /will not restart.*`restart` is not set \(defaults to "no"\).*"unless-stopped".*LOG-06/);
    });

    it('#3 restart "no" is reported', async () => {
        assertViolations(await runResourcePolicy(policy, container({ restart: "no" })), 1, /`restart` is "no"/);
    });

    it("#4 the violation is advisory", async () => {
        const result = await evaluate([container({ restart: "no" })]);
        const mine = result.violations.filter((v) => v.policy === policy.name);
        assert.equal(mine.length, 1);
        assert.equal(mine[0].level, "advisory");
    });

    it("#5 config can make it mandatory", async () => {
        const result = await evaluate([container({ restart: "no" })], {
            config: { "container-restart-policy": "mandatory" },
        });
        assert.deepEqual(result.violations.filter((v) => v.policy === policy.name).map((v) => v.level), ["mandatory"]);
    });

    it("#6 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
