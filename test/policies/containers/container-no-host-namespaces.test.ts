import { containerNoHostNamespaces as policy } from "../../../policies/containers/container-no-host-namespaces";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-no-host-namespaces (CON-09, NET-02)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it('#2 networkMode "host" is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ networkMode: "host" }));
        assertViolations(outcome, 1, /host's network stack \(`networkMode: "host"`\).*`networksAdvanced`.*CON-09, NET-02/);
    });

    for (const field of ["pidMode", "ipcMode", "usernsMode", "cgroupnsMode"] as const) {
        it(`#3 ${field} "host" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ [field]: "host" }));
            assertViolations(outcome, 1, new RegExp(`\`${field}: "host"\`.*remove \`${field}\``));
        });
    }

    it('#4 networkMode "container:..." is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ networkMode: "container:bulwark-proxy" }));
        assertViolations(outcome, 1, /joins another container's namespace \(`networkMode: "container:bulwark-proxy"`\)/);
    });

    it('#5 pidMode "container:..." is rejected', async () => {
        const outcome = await runResourcePolicy(policy, container({ pidMode: "container:abc123" }));
        assertViolations(outcome, 1, /joins another container's namespace.*processes/);
    });

    it("#6 every host namespace at once reports each one", async () => {
        const outcome = await runResourcePolicy(
            policy,
            container({ networkMode: "host", pidMode: "host", ipcMode: "host", usernsMode: "host", cgroupnsMode: "host" }),
        );
        assertViolations(outcome, 5, /networkMode/, /pidMode/, /ipcMode/, /usernsMode/, /cgroupnsMode/);
    });

    for (const [field, mode] of [
        ["networkMode", "bridge"],
        ["networkMode", "none"],
        ["ipcMode", "private"],
        ["ipcMode", "shareable"],
        ["cgroupnsMode", "private"],
    ] as const) {
        it(`#7 ${field} "${mode}" passes`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ [field]: mode })));
        });
    }

    it("#8 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
