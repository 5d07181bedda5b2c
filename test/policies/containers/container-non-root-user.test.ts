import { containerNonRootUser as policy } from "../../../policies/containers/container-non-root-user";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

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

    // Stricter since issue 22: without a group the process gets the image's group for the uid, or gid 0.
    it("#5 a numeric uid without a group is rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ user: "10001" })), 1, /gives no group.*gid 0/);
    });

    // Stricter since issue 22: group 0 is root's group in every spelling.
    for (const user of ["10001:0", "10001:00", "10001:root"]) {
        it(`#6 a non-root uid with the root group "${user}" is rejected`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ user })), 1, /runs as root.*group 0/);
        });
    }

    // Stricter since issue 22: requireNumericUid is gone; a name may be uid 0 in the image, so it is never proof.
    for (const user of ["rails:rails", "rails", "10001:rails", " 10001:10001", "+10001:10001"]) {
        it(`#7 "${user}" is rejected: a name (or a number spelled as Docker would not read it plainly) proves nothing`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ user })), 1, /name.*numeric non-root uid:gid/);
        });
    }

    it("#8 leading zeros read as Docker reads them pass", async () => {
        assertPasses(await runResourcePolicy(policy, container({ user: "010001:010001" })));
    });

    for (const group of ["0", "00", "root", "wheel"]) {
        it(`#9 groupAdds ["${group}"] is rejected`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ groupAdds: [group] })), 1, /`groupAdds\[0\]`.*numeric non-zero gids/);
        });
    }

    it("#9b numeric non-zero groupAdds pass", async () => {
        assertPasses(await runResourcePolicy(policy, container({ groupAdds: ["10010", "10011"] })));
    });

    it("#10 a group without a user is rejected", async () => {
        assertViolations(await runResourcePolicy(policy, container({ user: ":10001" })), 1, /names no user/);
    });

    it("#11 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
