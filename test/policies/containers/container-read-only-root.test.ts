import { containerReadOnlyRoot as policy } from "../../../policies/containers/container-read-only-root";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-read-only-root (CON-06)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 readOnly: false is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ readOnly: false }));
        assertViolations(outcome, 1, /writable \(`readOnly` is false\).*set `readOnly: true`.*CON-06/);
    });

    it("#3 a missing readOnly is rejected (Docker's default is writable)", async () => {
        const outcome = await runResourcePolicy(policy, container({ readOnly: undefined }));
        assertViolations(outcome, 1, /`readOnly` is not set and Docker defaults to writable/);
    });

    it("#4 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
