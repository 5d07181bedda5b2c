import * as assert from "node:assert/strict";
import { containerDistinctUids as policy } from "../../../policies/containers/container-distinct-uids";
import { runStackPolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { assertProgramContainersPass } from "./fixtures";
import { devStack, find, replace, unrelated, withProps } from "../fixtures/stack";

/** The dev fixture with each container's user set, by resource name. */
const withUsers = (users: Record<string, unknown>) =>
    Object.entries(users).reduce((stack, [name, user]) => replace(stack, name, (r) => withProps(r, { user })), devStack());

const DISTINCT = { "proxy-container": "10101:10101", "app-backend": "10201:10201", "app-frontend": "10301:10301", "database-container": "10401:10401" };

describe("container-distinct-uids (CON-08)", () => {
    it("#1 containers with distinct uids pass, sharing a group or not", async () => {
        assert.deepEqual((await runStackPolicy(policy, withUsers(DISTINCT))).violations, []);
        assert.deepEqual((await runStackPolicy(policy, withUsers({ ...DISTINCT, "app-frontend": "10302:10201" }))).violations, []);
    });

    it("#2 the program's own dev and prod containers pass", async function () {
        this.timeout(300_000);
        await assertProgramContainersPass(async (containers) => (await runStackPolicy(policy, containers)).violations, 5);
    });

    it("#3 two containers on one uid: the second is rejected, naming both and why", async () => {
        const resources = withUsers({ ...DISTINCT, "app-frontend": "10201:10301" });
        const { violations } = await runStackPolicy(policy, resources);
        assert.equal(violations.length, 1);
        assert.equal(violations[0].urn, find(resources, "app-frontend").urn);
        assert.match(violations[0].message, /^\[CON-08\] Container 'dev-frontend' runs as uid 10201, like 'dev-backend': the nproc ulimit counts .* one process budget/);
    });

    it("#4 a bare uid and uid:gid are the same uid; three sharers give two violations", async () => {
        const { violations } = await runStackPolicy(policy, withUsers({ ...DISTINCT, "app-backend": "1000", "app-frontend": "1000:1000", "database-container": " 1000:5 " }));
        assert.equal(violations.length, 2);
        assert.match(violations[1].message, /uid 1000, like 'dev-backend', 'dev-frontend'/);
    });

    it("#5 root, names and unset users are left to container-non-root-user", async () => {
        const { violations } = await runStackPolicy(policy, withUsers({ ...DISTINCT, "app-backend": "0:0", "app-frontend": "0", "database-container": "postgres", "proxy-container": undefined }));
        assert.deepEqual(violations, []);
    });

    it("#6 a user unknown at preview is refused, naming the container and the fix, and the others are still judged", async () => {
        const { violations } = await runStackPolicy(policy, withUsers({ ...DISTINCT, "app-backend": UNKNOWN, "app-frontend": "10101:10101" }));
        assert.equal(violations.length, 2);
        assert.match(violations[0].message, /'dev-frontend' runs as uid 10101, like 'dev-proxy'/);
        assert.match(violations[1].message, /^unknown in preview: user of urn:pulumi:\S+::app-backend — .*literal/);
    });

    it("#7 a stack of other resources is not applicable", async () => {
        assert.deepEqual((await runStackPolicy(policy, [unrelated()])).violations, []);
    });
});
