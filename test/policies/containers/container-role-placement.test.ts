import * as assert from "node:assert/strict";
import { COMPONENT_TYPES } from "bulwark-vocabulary";
import { containerRolePlacement as policy } from "../../../policies/containers/container-role-placement";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { assertOnlyRefusals } from "../refusals";
import { container, devStack, find, prodStack, resourceViolations, withNetworks, withProps, withRole } from "../fixtures/stack";

/** The container with its URN chain as the SDK's mocks write it: the parent's type only, the rest in the parent's URN. */
function mockUrns(r: ReturnType<typeof find>) {
    const [head, name] = [r.urn.slice(0, r.urn.lastIndexOf("::")), r.urn.slice(r.urn.lastIndexOf("::") + 2)];
    const types = head.split("::")[2].split("$");
    return { ...r, urn: `${head.split("::").slice(0, 2).join("::")}::${types.slice(-2).join("$")}::${name}` };
}

describe("container-role-placement (NET-01, NET-03, DB-02, BAK-01)", () => {
    it("#1 every container of the compliant dev and prod stacks is placed by its structure and label", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 each container relabelled as every other role is rejected, naming the label and the structure", async () => {
        const stack = devStack();
        for (const name of ["proxy-container", "app-backend", "database-container", "backup-job"]) {
            for (const role of ["edge-proxy", "app", "database"]) {
                const original = find(stack, name);
                const r = withRole(original, role);
                const { violations } = await runResourcePolicy(policy, r);
                const expected = (original.inputs.labels as { label: string; value: string }[]).some((l) => l.value === role) ? 0 : 1;
                assert.equal(violations.length, expected, `${name} as ${role}`);
                if (expected) {
                    assert.match(violations[0].message, new RegExp(`labelled \`bulwark.role\`='${role}', but it is parented to .*bulwark:docker:HardenedContainer`));
                }
            }
        }
    });

    it("#3 a container of a role component without its label is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withRole(find(devStack(), "database-container"), undefined));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /has no `bulwark.role` label although it is parented to .*bulwark:stack:Database/);
    });

    it("#4 a container labelled with a role outside every component is rejected; unlabelled it is not this policy's", async () => {
        const outside = container("extra-proxy", { role: "edge-proxy", service: "extra", networks: ["dev-edge"], component: null });
        const { violations } = await runResourcePolicy(policy, outside);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /'edge-proxy', but it is parented to no component, which places it in no role/);
        assert.deepEqual((await runResourcePolicy(policy, withRole(outside, undefined))).violations, []);
    });

    it("#5 the Backup component's roles are told apart by the label; the restore drill must have no network", async () => {
        const job = find(devStack(), "backup-job");
        assert.deepEqual((await runResourcePolicy(policy, withRole(job, "backup-uploader"))).violations, []);
        const { violations } = await runResourcePolicy(policy, withRole(job, "backup-drill"));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /a role that has no network, but it joins one/);
        const drill = find(devStack(), "backup-drill");
        assert.equal((await runResourcePolicy(policy, withProps(withNetworks(drill, ["dev-data"]), { networkMode: undefined }))).violations.length, 1);
    });

    it("#6 a container under a HardenedContainer directly under the stack, or under a role component without one, is placed nowhere", async () => {
        for (const component of [COMPONENT_TYPES.stack, COMPONENT_TYPES.images]) {
            const r = container("stray", { role: "database", service: "stray", networks: ["dev-data"], component });
            assert.equal((await runResourcePolicy(policy, r)).violations.length, 1, component);
        }
    });

    it("#7 the mocks' URNs (the parent's type only) are completed from the parent's URN", async () => {
        const db = mockUrns(find(devStack(), "database-container"));
        assert.deepEqual((await runResourcePolicy(policy, db)).violations, []);
        assert.equal((await runResourcePolicy(policy, withRole(db, "edge-proxy"))).violations.length, 1);
    });

    it("#8 labels unknown until apply: a role container is refused, not placed, naming the field", async () => {
        const outcome = await runResourcePolicy(policy, withProps(find(devStack(), "proxy-container"), { labels: UNKNOWN }), { preview: true });
        assertOnlyRefusals(outcome);
        assert.ok(outcome.inconclusive.some((i) => i.field === "labels"), JSON.stringify(outcome));
    });
});
