// A fully compliant docker.Container, as the engine hands its inputs to resource policies. Each test case
// changes one field of it, so a violation can only come from that field.
import * as assert from "node:assert/strict";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_TYPE, NETWORK_TYPE } from "bulwark-vocabulary";
import { EngineResource, PolicyOutcome } from "../../../tools/analyzer/judge";
import { runStack } from "../../../tools/mocks/stack-run";

/** Container inputs with every Input<T> resolved, as a policy sees them. */
export type ContainerInputs = pulumi.Unwrap<docker.ContainerArgs>;

/** Fields to change; a field given as undefined is removed, as if the program never set it. */
export type ContainerChanges = { [K in keyof ContainerInputs]?: ContainerInputs[K] | undefined };

export const DIGEST = "sha256:" + "4f5a8c1e9b2d7360".repeat(4);
export const COMPLIANT_IMAGE = `bulwark/backend@${DIGEST}`;

export function compliantContainerInputs(): ContainerInputs {
    return {
        image: COMPLIANT_IMAGE,
        user: "10001:10001",
        readOnly: true,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        memory: 512,
        memorySwap: 512,
        cpus: "1.0",
        healthcheck: {
            tests: ["CMD", "/usr/local/bin/healthcheck"],
            interval: "30s",
            timeout: "5s",
            retries: 3,
            startPeriod: "20s",
        },
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "5" },
        restart: "unless-stopped",
        ulimits: [
            { name: "nproc", soft: 512, hard: 512 },
            { name: "nofile", soft: 4096, hard: 4096 },
        ],
        labels: [
            { label: "bulwark.role", value: "app" },
            { label: "bulwark.controls", value: "CON-05,CON-06" },
        ],
        networksAdvanced: [{ name: "dev-edge" }],
    };
}

function urn(type: string, name: string): string {
    return `urn:pulumi:test::bulwark::${type}::${name}`;
}

/** The compliant container with `changes` applied, as an engine resource. */
export function container(changes: ContainerChanges = {}, name = "backend"): EngineResource {
    const inputs: Record<string, unknown> = { ...compliantContainerInputs(), ...changes };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) {
            delete inputs[key];
        }
    }
    return { type: CONTAINER_TYPE, name, urn: urn(CONTAINER_TYPE, name), inputs };
}

/** A resource that is not a container, for the not-applicable case. */
export function network(name = "dev-edge"): EngineResource {
    const type = NETWORK_TYPE;
    return { type, name, urn: urn(type, name), inputs: { name, internal: false } };
}

/** Asserts the exact number of violations and that each pattern matches one of the messages. */
export function assertViolations(outcome: PolicyOutcome, count: number, ...patterns: RegExp[]): void {
    const messages = outcome.violations.map((v) => v.message);
    assert.equal(outcome.notApplicable, undefined, `unexpectedly not applicable: ${outcome.notApplicable}`);
    assert.equal(messages.length, count, `expected ${count} violation(s), got:\n  ${messages.join("\n  ")}`);
    for (const pattern of patterns) {
        assert.ok(messages.some((m) => pattern.test(m)), `no message matches ${pattern}:\n  ${messages.join("\n  ")}`);
    }
}

export function assertPasses(outcome: PolicyOutcome): void {
    assertViolations(outcome, 0);
}

/**
 * The containers the program itself registers for the dev and for the prod stack (under the mocks) give `judge`
 * no violation; each stack must register more than `atLeast` containers, so an empty run cannot pass.
 */
export async function assertProgramContainersPass(judge: (containers: EngineResource[]) => Promise<readonly unknown[]>, atLeast: number): Promise<void> {
    for (const stack of ["dev", "prod"]) {
        const containers = (await runStack(stack)).containers();
        assert.ok(containers.length > atLeast, `${stack}: only ${containers.length} containers`);
        assert.deepEqual(await judge(containers), [], stack);
    }
}

export function assertNotApplicable(outcome: PolicyOutcome): void {
    assert.equal(outcome.violations.length, 0);
    assert.match(outcome.notApplicable ?? "", /docker:index\/container:Container/);
}
