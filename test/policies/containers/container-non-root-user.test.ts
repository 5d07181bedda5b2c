import { containerNonRootUser as policy } from "../../../policies/containers/container-non-root-user";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const NAMES_ALLOWED = { config: { "container-non-root-user": { requireNumericUid: false } } };

describe("container-non-root-user (CON-05)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 a missing user is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ user: undefined }));
        assertViolations(outcome, 1, /sets no `user`.*"10001:10001".*CON-05/);
    });

    it("#3 an empty user is rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ user: "  " })), 1, /sets no `user`/);
    });

    for (const user of ["0", "0:0", "root", "root:root", "00:1000", "0:10001"]) {
        it(`#4 root user "${user}" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ user }));
            assertViolations(outcome, 1, new RegExp(`runs as root \\(user "${user}"\\).*numeric non-root uid:gid`));
        });
    }

    it("#5 a numeric uid without a group passes", async () => {
        assertPasses(await runResourcePolicy(policy, container({ user: "10001" })));
    });

    it("#6 a non-root uid with the root group passes (only the user part decides)", async () => {
        assertPasses(await runResourcePolicy(policy, container({ user: "10001:0" })));
    });

    it("#7 a user name is rejected while requireNumericUid is true (default)", async () => {
        const outcome = await runResourcePolicy(policy, container({ user: "rails:rails" }));
        assertViolations(outcome, 1, /user name.*numeric non-root uid:gid/);
    });

    it("#8 config requireNumericUid: false accepts a non-root user name", async () => {
        assertPasses(await runResourcePolicy(policy, container({ user: "rails:rails" }), NAMES_ALLOWED));
    });

    it("#9 config requireNumericUid: false still rejects root", async () => {
        const outcome = await runResourcePolicy(policy, container({ user: "root" }), NAMES_ALLOWED);
        assertViolations(outcome, 1, /runs as root/);
    });

    it("#10 a group without a user is rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ user: ":10001" })), 1, /names no user/);
    });

    it("#11 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
