import { containerControlsLabelled as policy } from "../../../policies/containers/container-controls-labelled";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const labels = (role?: string, controls?: string) => ({
    labels: [
        ...(role === undefined ? [] : [{ label: "bulwark.role", value: role }]),
        ...(controls === undefined ? [] : [{ label: "bulwark.controls", value: controls }]),
        { label: "bulwark.project", value: "bulwark" },
    ],
});

describe("container-controls-labelled (CMP-07)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 no labels at all report role and controls", async () => {
        const outcome = await runResourcePolicy(policy, container({ labels: undefined }));
        assertViolations(outcome, 2, /no `bulwark.role` label.*edge-proxy.*CMP-07/, /no `bulwark.controls` label/);
    });

    it("#3 a missing role is reported", async () => {
        assertViolations(await runResourcePolicy(policy, container(labels(undefined, "CON-05"))), 1, /no `bulwark.role` label/);
    });

    it("#4 an unknown role is reported", async () => {
        const outcome = await runResourcePolicy(policy, container(labels("worker", "CON-05")));
        assertViolations(outcome, 1, /`bulwark.role` label "worker" is not a known role: use one of edge-proxy, app, database/);
    });

    it("#5 a missing or empty controls label is reported", async () => {
        assertViolations(await runResourcePolicy(policy, container(labels("app"))), 1, /no `bulwark.controls` label/);
        assertViolations(await runResourcePolicy(policy, container(labels("app", " , "))), 1, /or it is empty/);
    });

    it("#6 unknown control IDs are reported by name", async () => {
        const outcome = await runResourcePolicy(policy, container(labels("database", "CON-05, CON-99,con-06")));
        assertViolations(outcome, 1, /unknown control IDs CON-99, con-06/);
    });

    it("#7 every role with catalog IDs passes", async () => {
        for (const role of ["edge-proxy", "app", "database", "backup", "backup-drill", "backup-uploader"]) {
            assertPasses(await runResourcePolicy(policy, container(labels(role, "CON-05,NET-02, LOG-04"))));
        }
    });

    it("#8 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
