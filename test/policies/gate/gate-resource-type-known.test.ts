import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COMPONENT_TYPES, PROVIDER_TYPES, STACK_TYPE } from "bulwark-vocabulary";
import { gateResourceTypeKnown as policy } from "../../../policies/gate/gate-resource-type-known";
import { EngineResource, runResourcePolicy } from "../../../tools/analyzer/judge";
import { gateExceptions, POLICY_CONFIG_FILE, renderCompliance } from "../../../tools/compliance/report";
import { assertPasses, assertViolations, container } from "../containers/fixtures";

const resource = (type: string, name: string, inputs: Record<string, unknown> = {}): EngineResource => ({
    type,
    name,
    urn: `urn:pulumi:dev::bulwark::${type}::${name}`,
    inputs,
});

describe("gate-resource-type-known (CON-07, NET-01)", () => {
    it("#1 a container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 the Stack, every component of the program and the default providers pass (as the engine sends them)", async () => {
        assertPasses(await runResourcePolicy(policy, resource(STACK_TYPE, "bulwark-dev")));
        for (const type of Object.values(COMPONENT_TYPES)) {
            assertPasses(await runResourcePolicy(policy, resource(type, "x")));
        }
        for (const type of Object.values(PROVIDER_TYPES)) {
            assertPasses(await runResourcePolicy(policy, resource(type, "default_5_2_0", { version: "5.2.0" })));
        }
    });

    it("#3 a swarm service is refused, naming the type, why and the fix", async () => {
        const outcome = await runResourcePolicy(policy, resource("docker:index/service:Service", "db"));
        assertViolations(outcome, 1, /'db' is of type docker:index\/service:Service.*swarm service.*exceptions/);
    });

    it("#4 a dynamic provider resource and an unknown component are refused", async () => {
        assertViolations(await runResourcePolicy(policy, resource("pulumi-nodejs:dynamic:Resource", "run")), 1, /dynamic provider runs arbitrary code/);
        assertViolations(await runResourcePolicy(policy, resource("acme:index:Wrapper", "w")), 1, /acme:index:Wrapper.*cannot prove it safe/);
    });

    it("#5 a managed-policy attachment to a stack identity is refused", async () => {
        const outcome = await runResourcePolicy(policy, resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
        assertViolations(outcome, 1, /managed policy attached to a stack identity/);
    });

    it("#6 a type listed as an exception with a reason passes; other types are still refused", async () => {
        const config = { [policy.name]: { exceptions: [{ type: "random:index/randomPet:RandomPet", reason: "names only, no secret" }] } };
        assertPasses(await runResourcePolicy(policy, resource("random:index/randomPet:RandomPet", "pet"), { config }));
        assertViolations(await runResourcePolicy(policy, resource("random:index/randomUuid:RandomUuid", "id"), { config }), 1, /RandomUuid/);
    });

    it("#7 an exception without a reason is invalid config", async () => {
        const config = { [policy.name]: { exceptions: [{ type: "random:index/randomPet:RandomPet", reason: " " }] } };
        await assert.rejects(runResourcePolicy(policy, resource("random:index/randomPet:RandomPet", "pet"), { config }));
    });
});

describe("gate-resource-type-known exceptions in the compliance report", () => {
    it("#8 lists each configured exception with its reason, and says when there is none", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "gate-exceptions-"));
        try {
            assert.match(renderCompliance(root, []), /## Resource types allowed by exception\n\n.*\n\nNone configured\./);
            fs.writeFileSync(
                path.join(root, POLICY_CONFIG_FILE),
                JSON.stringify({ [policy.name]: { exceptions: [{ type: "random:index/randomPet:RandomPet", reason: "container names only" }] } }),
            );
            assert.deepEqual(gateExceptions(root), [{ type: "random:index/randomPet:RandomPet", reason: "container names only" }]);
            assert.match(renderCompliance(root, []), /\| random:index\/randomPet:RandomPet \| container names only \|/);
        } finally {
            fs.rmSync(root, { recursive: true });
        }
    });
});
