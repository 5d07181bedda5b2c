import * as assert from "node:assert/strict";
import { containerNoNewPrivileges as policy } from "../../../policies/containers/container-no-new-privileges";
import { remediate, runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

describe("container-no-new-privileges (CON-07)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    for (const opt of ["no-new-privileges", "no-new-privileges=true", "no-new-privileges:1"]) {
        it(`#2 "${opt}" is accepted`, async () => {
            assertPasses(await runResourcePolicy(policy, container({ securityOpts: [opt] })));
        });
    }

    it("#3 missing securityOpts are rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ securityOpts: undefined }));
        assertViolations(outcome, 1, /does not set no-new-privileges.*"no-new-privileges:true".*`securityOpts`.*CON-07/);
    });

    it("#4 securityOpts without no-new-privileges are rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ securityOpts: ["apparmor=docker-default"] }));
        assertViolations(outcome, 1, /does not set no-new-privileges/);
    });

    it("#5 no-new-privileges:false is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ securityOpts: ["no-new-privileges:false"] }));
        assertViolations(outcome, 1, /disables no-new-privileges/);
    });

    it("#6 a later no-new-privileges=false overrides an earlier true", async () => {
        const opts = ["no-new-privileges:true", "no-new-privileges=false"];
        assertViolations(await runResourcePolicy(policy, container({ securityOpts: opts })), 1, /disables/);
    });

    for (const opt of ["seccomp=unconfined", "seccomp:unconfined", "apparmor=unconfined", "apparmor:unconfined"]) {
        it(`#7 "${opt}" is rejected`, async () => {
            const outcome = await runResourcePolicy(
                policy,
                container({ securityOpts: ["no-new-privileges:true", opt] }),
            );
            assertViolations(outcome, 1, new RegExp(`"${opt}" switches off the (seccomp|AppArmor).*remove it`));
        });
    }

    for (const opt of ["systempaths=unconfined", "label:disable"]) {
        it(`#8 "${opt}" is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container({ securityOpts: ["no-new-privileges", opt] }));
            assertViolations(outcome, 1, /switches off/);
        });
    }

    // Stricter since issue 22: a profile must be on the allow-list (the daemon reads the value as the profile's JSON).
    it("#9 a seccomp profile passes only from allowedSeccompProfiles", async () => {
        const profile = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}';
        const opts = ["no-new-privileges:true", `seccomp=${profile}`];
        assertViolations(await runResourcePolicy(policy, container({ securityOpts: opts })), 1, /inline profile.*allowedSeccompProfiles/);
        const config = { config: { "container-no-new-privileges": { allowedSeccompProfiles: [profile] } } };
        assertPasses(await runResourcePolicy(policy, container({ securityOpts: opts }), config));
        assertPasses(await runResourcePolicy(policy, container({ securityOpts: ["no-new-privileges", "seccomp=builtin", "apparmor=docker-default"] })));
    });

    for (const opt of ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}', "label=type:spc_t", "label:user:system_u", "disable", "apparmor=custom", "Seccomp=unconfined", "writable-cgroups=true"]) {
        it(`#9b "${opt}" is rejected (allow-list, issue 22)`, async () => {
            assertViolations(await runResourcePolicy(policy, container({ securityOpts: ["no-new-privileges", opt] })), 1, /remove it \(CON-07\)/);
        });
    }

    it("#10 remediation adds no-new-privileges:true and keeps other options", async () => {
        const fixed = await remediate(policy, container({ securityOpts: ["apparmor=docker-default"] }));
        assert.deepEqual(fixed?.securityOpts, ["apparmor=docker-default", "no-new-privileges:true"]);
    });

    it("#11 remediation replaces an explicit false and then the container passes", async () => {
        const resource = container({ securityOpts: ["no-new-privileges=false"] });
        const fixed = await remediate(policy, resource);
        assert.deepEqual(fixed?.securityOpts, ["no-new-privileges:true"]);
        assertPasses(await runResourcePolicy(policy, { ...resource, inputs: fixed ?? {} }));
    });

    it("#12 remediation of missing securityOpts adds the option", async () => {
        const fixed = await remediate(policy, container({ securityOpts: undefined }));
        assert.deepEqual(fixed?.securityOpts, ["no-new-privileges:true"]);
    });

    it("#13 remediation changes nothing on a compliant container", async () => {
        assert.equal(await remediate(policy, container()), undefined);
    });

    it("#14 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
