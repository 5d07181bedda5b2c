// The shape every bulwark policy has: Pulumi's policy types plus the controls it enforces.
// Policies are built with these helpers so that metadata (framework, tags, severity) is never forgotten.
import {
    EnforcementLevel,
    PolicyComplianceFramework,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import { ControlId } from "../controls";

export const FRAMEWORK: PolicyComplianceFramework = {
    name: "bulwark-security-requirements",
    version: "1.0",
    reference: "shared/controls.md",
    specification: "Production Security Configuration (Rails API, JS frontend, PostgreSQL on Docker)",
};

export interface BulwarkPolicyMetadata {
    /** The catalog controls this policy enforces; at least one. */
    readonly controls: readonly [ControlId, ...ControlId[]];
    readonly severity: Severity;
    /** "mandatory" for every rule the document states as a must; "advisory" for "consider" and judgement calls. */
    readonly enforcementLevel: EnforcementLevel;
    readonly description: string;
    readonly remediationSteps: string;
}

export type BulwarkResourcePolicy = ResourceValidationPolicy & BulwarkPolicyMetadata;
export type BulwarkStackPolicy = StackValidationPolicy & BulwarkPolicyMetadata;
export type BulwarkPolicy = BulwarkResourcePolicy | BulwarkStackPolicy;

function withMetadata<T extends BulwarkPolicy>(policy: T): T {
    return { ...policy, framework: FRAMEWORK, tags: [...policy.controls] };
}

export function resourcePolicy(policy: BulwarkResourcePolicy): BulwarkResourcePolicy {
    return withMetadata(policy);
}

export function stackPolicy(policy: BulwarkStackPolicy): BulwarkStackPolicy {
    return withMetadata(policy);
}

export function isStackPolicy(policy: BulwarkPolicy): policy is BulwarkStackPolicy {
    return typeof (policy as BulwarkStackPolicy).validateStack === "function";
}
