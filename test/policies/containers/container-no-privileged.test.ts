import { containerNoPrivileged as policy } from "../../../policies/containers/container-no-privileged";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-no-privileged (CON-07)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 privileged: true is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ privileged: true }));
        assertViolations(outcome, 1, /privileged.*`privileged: true`.*capabilities\.adds.*CON-07/);
    });

    it("#3 privileged: false passes", async () => {
        assertPasses(await runResourcePolicy(policy, container({ privileged: false })));
    });

    it("#4 a mapped host device is rejected and named", async () => {
        const outcome = await runResourcePolicy(policy, container({ devices: [{ hostPath: "/dev/fuse" }] }));
        assertViolations(outcome, 1, /host devices.*\/dev\/fuse.*remove `devices`/);
    });

    it("#5 privileged with devices reports both problems", async () => {
        const outcome = await runResourcePolicy(
            policy,
            container({ privileged: true, devices: [{ hostPath: "/dev/sda", containerPath: "/dev/xvda" }] }),
        );
        assertViolations(outcome, 2, /`privileged: true`/, /\/dev\/sda/);
    });

    it("#6 an empty devices list passes", async () => {
        assertPasses(await runResourcePolicy(policy, container({ devices: [] })));
    });

    it("#7 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
