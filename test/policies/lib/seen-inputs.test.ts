// What Analyze saw serves the stack policies of one evaluation, and only where the planned state hides a value
// the program set (policies/lib/seen-inputs.ts).
import * as assert from "node:assert/strict";
import { recordInputs, setInInputs, stackPolicyStarts, withSeenInputs } from "../../../policies/lib/seen-inputs";
import { UNKNOWN } from "../../../tools/analyzer/wire";

const URN = "urn:pulumi:dev::bulwark::docker:index/container:Container::backend";

describe("seen inputs: what Analyze saw, for the stack policies of the same evaluation", () => {
    it("#1 a whole unknown in the planned state is read from the inputs; known values and unknown inputs are kept", () => {
        stackPolicyStarts("p"); // a fresh evaluation
        recordInputs(URN, { envs: ["A=1", UNKNOWN], user: "10201:10201", image: UNKNOWN });
        stackPolicyStarts("p");
        const planned = { envs: UNKNOWN, user: "10201:10201", image: UNKNOWN, hostname: UNKNOWN };
        assert.deepEqual(withSeenInputs(URN, planned), { envs: ["A=1", UNKNOWN], user: "10201:10201", image: UNKNOWN, hostname: UNKNOWN });
        recordInputs(URN, { mounts: [{ target: "/x", __defaults: [] }] });
        assert.deepEqual(withSeenInputs(URN, { mounts: UNKNOWN }), { mounts: [{ target: "/x" }] }, "the bridge's __defaults is not in the stack view");
        assert.deepEqual(withSeenInputs("urn:pulumi:dev::bulwark::docker:index/container:Container::other", { envs: UNKNOWN }), { envs: UNKNOWN });
    });

    it("#2 a stack policy that runs again without Analyze in between finds nothing: another evaluation's inputs are never read", () => {
        recordInputs(URN, { envs: ["A=1"] });
        stackPolicyStarts("p");
        stackPolicyStarts("q");
        assert.deepEqual(withSeenInputs(URN, { envs: UNKNOWN }), { envs: ["A=1"] }, "every policy of one AnalyzeStack reads it");
        stackPolicyStarts("p");
        assert.deepEqual(withSeenInputs(URN, { envs: UNKNOWN }), { envs: UNKNOWN });
    });

    it("#4 whether the program set a property: false for one the provider computes, undefined for a resource never seen", () => {
        recordInputs(URN, { internal: true, driver: null });
        stackPolicyStarts("p");
        assert.equal(setInInputs(URN, "internal"), true);
        assert.equal(setInInputs(URN, "driver"), false);
        assert.equal(setInInputs(URN, "ipv6"), false);
        assert.equal(setInInputs("urn:pulumi:dev::bulwark::docker:index/network:Network::never", "internal"), undefined);
    });

    it("#3 the first Analyze after a stack was judged starts afresh", () => {
        recordInputs(URN, { envs: ["OLD=1"] });
        stackPolicyStarts("p");
        recordInputs("urn:pulumi:dev::bulwark::docker:index/network:Network::data", { internal: true });
        assert.deepEqual(withSeenInputs(URN, { envs: UNKNOWN }), { envs: UNKNOWN });
    });
});
