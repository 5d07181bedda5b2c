import * as assert from "node:assert/strict";
import { containerCgroupParent as policy } from "../../../policies/containers/container-cgroup-parent";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { devStack, prodStack, resourceViolations } from "../fixtures/stack";
import { assertNotApplicable, assertPasses, assertProgramContainersPass, assertViolations, container, network } from "./fixtures";
import { assertOnlyRefusals } from "../refusals";

const allow = (...parents: string[]) => ({ config: { "container-cgroup-parent": { allowedCgroupParents: parents } } });

describe("container-cgroup-parent (CON-08)", () => {
    it("#1 compliant container passes, and so do the program-shaped dev and prod stacks", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 the program's own dev and prod containers pass", async function () {
        this.timeout(300_000);
        await assertProgramContainersPass((containers) => resourceViolations(policy, containers), 3);
    });

    it("#3 a custom cgroupParent is rejected, naming the container, the field, the value and the fix", async () => {
        const outcome = await runResourcePolicy(policy, container({ name: "dev-backend", cgroupParent: "/unlimited" }));
        assertViolations(
            outcome,
            1,
            /^container 'dev-backend' sets `cgroupParent: "\/unlimited"`: it runs outside the cgroup the engine gives containers, so the limits .* do not apply to it; remove `cgroupParent`, or .* list it in `allowedCgroupParents` \(CON-08\)$/,
        );
    });

    it("#4 a systemd slice as cgroupParent is rejected by default (allowedCgroupParents is empty)", async () => {
        assertViolations(await runResourcePolicy(policy, container({ cgroupParent: "bulwark.slice" })), 1, /`cgroupParent: "bulwark\.slice"`/);
    });

    it('#5 an empty cgroupParent (the engine\'s default parent) passes', async () => {
        assertPasses(await runResourcePolicy(policy, container({ cgroupParent: "" })));
    });

    it("#6 config allowedCgroupParents accepts that exact parent", async () => {
        assertPasses(await runResourcePolicy(policy, container({ cgroupParent: "bulwark.slice" }), allow("bulwark.slice")));
    });

    it("#7 config allowedCgroupParents does not extend to other parents", async () => {
        const outcome = await runResourcePolicy(policy, container({ cgroupParent: "other.slice" }), allow("bulwark.slice"));
        assertViolations(outcome, 1, /`cgroupParent: "other\.slice"`/);
    });

    it("#8 a cgroupParent unknown at preview is inconclusive, not passed", async () => {
        const outcome = await runResourcePolicy(policy, container({ cgroupParent: UNKNOWN }), { preview: true });
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => [i.field, i.kind]), [["cgroupParent", "refused"]]);
    });

    it("#9 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
