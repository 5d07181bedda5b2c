import { containerHealthCheck as policy } from "../../../policies/containers/container-health-check";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-health-check (LOG-05)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 a missing healthcheck is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ healthcheck: undefined }));
        assertViolations(outcome, 1, /no `healthcheck`: add one.*"CMD".*LOG-05/);
    });

    it("#3 a healthcheck without tests is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ healthcheck: { interval: "30s" } }));
        assertViolations(outcome, 1, /`healthcheck.tests` is empty/);
    });

    it("#4 empty tests are rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ healthcheck: { tests: [] } })), 1, /is empty/);
    });

    it('#5 tests ["NONE"] is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ healthcheck: { tests: ["NONE"] } }));
        assertViolations(outcome, 1, /disables its health check/);
    });

    it("#6 CMD-SHELL with a command passes", async () => {
        const healthcheck = { tests: ["CMD-SHELL", "pg_isready -U postgres"], interval: "10s" };
        assertPasses(await runResourcePolicy(policy, container({ healthcheck })));
    });

    it("#7 a test that does not start with CMD or CMD-SHELL is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ healthcheck: { tests: ["curl", "-f", "http://localhost/up"] } }));
        assertViolations(outcome, 1, /starts with "curl" instead of "CMD" or "CMD-SHELL"/);
    });

    it("#8 CMD without a command is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ healthcheck: { tests: ["CMD"] } }));
        assertViolations(outcome, 1, /"CMD" without a command/);
    });

    it("#9 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
