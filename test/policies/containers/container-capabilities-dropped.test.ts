import * as assert from "node:assert/strict";
import { containerCapabilitiesDropped as policy } from "../../../policies/containers/container-capabilities-dropped";
import { remediate, runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const allow = (...caps: string[]) => ({ config: { "container-capabilities-dropped": { allowedCapabilities: caps } } });

describe("container-capabilities-dropped (CON-07)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 missing capabilities are rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ capabilities: undefined }));
        assertViolations(outcome, 1, /no `capabilities.drops` set.*\["ALL"\].*CON-07/);
    });

    it("#3 drops without ALL are rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ capabilities: { drops: ["NET_RAW", "MKNOD"] } }));
        assertViolations(outcome, 1, /drops are \[NET_RAW, MKNOD\]/);
    });

    for (const all of ["all", "CAP_ALL", " All "]) {
        it(`#4 drops "${all}" counts as ALL`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ capabilities: { drops: [all] } })));
        });
    }

    it("#5 an add not in allowedCapabilities (default empty) is rejected", async () => {
        const outcome = await runResourcePolicy(
            policy,
            container({ capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] } }),
        );
        assertViolations(outcome, 1, /adds capability NET_BIND_SERVICE.*not in `allowedCapabilities` \(empty\)/);
    });

    it("#6 config allowedCapabilities accepts the add, in any spelling", async () => {
        const resource = container({ capabilities: { drops: ["ALL"], adds: ["cap_net_bind_service", "CHOWN"] } });
        assertPasses(await runResourcePolicy(policy, resource, allow("NET_BIND_SERVICE", "CAP_CHOWN")));
    });

    for (const cap of ["SYS_ADMIN", "CAP_NET_ADMIN", "sys_ptrace", "SYS_MODULE", "BPF", "ALL"]) {
        it(`#7 dangerous add ${cap} is rejected even when allowed by config`, async () => {
            const resource = container({ capabilities: { drops: ["ALL"], adds: [cap] } });
            const outcome = await runResourcePolicy(policy, resource, allow(cap));
            assertViolations(outcome, 1, /gives control over the host and cannot be allowed by configuration/);
        });
    }

    it("#8 no drops and a dangerous add report both problems", async () => {
        const outcome = await runResourcePolicy(policy, container({ capabilities: { adds: ["SYS_ADMIN"] } }));
        assertViolations(outcome, 2, /default capabilities/, /SYS_ADMIN/);
    });

    it("#9 remediation adds drops [\"ALL\"] when missing, keeping the adds", async () => {
        const resource = container({ capabilities: { drops: ["NET_RAW"], adds: ["CHOWN"] } });
        const fixed = await remediate(policy, resource);
        assert.deepEqual(fixed?.capabilities, { drops: ["NET_RAW", "ALL"], adds: ["CHOWN"] });
        assert.equal(fixed?.user, "10001:10001", "other inputs are kept");
        const after = await runResourcePolicy(policy, { ...resource, inputs: fixed ?? {} }, allow("CHOWN"));
        assertPasses(after);
    });

    it("#10 remediation adds capabilities when the field is missing", async () => {
        const fixed = await remediate(policy, container({ capabilities: undefined }));
        assert.deepEqual(fixed?.capabilities, { drops: ["ALL"] });
    });

    it("#11 remediation changes nothing on a compliant container", async () => {
        assert.equal(await remediate(policy, container()), undefined);
    });

    it("#12 the policy stays mandatory although it can remediate", () => {
        assert.equal(policy.enforcementLevel, "mandatory");
        assert.equal(typeof policy.remediateResource, "function");
    });

    it("#13 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
