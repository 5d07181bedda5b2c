// The shape every bulwark policy has: Pulumi's policy types plus the controls it enforces.
// Policies are built with these helpers so that metadata (framework, tags, severity) is never forgotten.
import {
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyResource,
    ResourceRemediation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { ControlId } from "bulwark-vocabulary";
import { declareUndecided } from "./inconclusive";
import { recordInputs, stackPolicyStarts, withSeenInputs } from "./seen-inputs";

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

// @pulumi/policy's special-proxy key: reading it returns the object behind the unknown-checking proxy.
const PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * The props as the engine sent them, without the proxy that throws on an unknown value: unknown values are the
 * engine's sentinel string (tools/analyzer/wire.ts), which the policies test for with `isUnknown`. A check that
 * forgets to fails closed: the sentinel is no valid image, user or flag.
 */
export function rawProps<T = Record<string, any>>(props: unknown): T {
    // Remediations get two proxies: the unknown check around the secret-preserving one, whose target holds
    // secrets as policy.Secret objects, so returning a copy of it keeps every secret a secret.
    let current = props;
    for (;;) {
        const target = current && typeof current === "object" ? (current as Record<string, unknown>)[PROXY_TARGET] : undefined;
        if (!target || target === current) {
            return current as T;
        }
        current = target;
    }
}

type Typed<F> = F & { __pulumiType?: string };

/** Keeps the type tag @pulumi/policy uses to skip a policy for other resource types without calling it. */
function keepType<F extends Function, G extends Function>(from: Typed<F>, to: Typed<G>): G {
    if (from.__pulumiType) {
        to.__pulumiType = from.__pulumiType;
    }
    return to;
}

function rawResourceArgs(args: ResourceValidationArgs): ResourceValidationArgs {
    const props = rawProps(args.props);
    return { ...args, props, asType: ((c: unknown) => (args.isType(c as never) ? props : undefined)) as ResourceValidationArgs["asType"] };
}

function rawValidation(validate: ResourceValidation): ResourceValidation {
    return keepType(validate, async (args: ResourceValidationArgs, report: Parameters<ResourceValidation>[1]) => {
        const raw = rawResourceArgs(args);
        recordInputs(args.urn, raw.props);
        await validate(raw, report);
        declareUndecided(raw, report);
    });
}

function rawRemediation(remediate: ResourceRemediation): ResourceRemediation {
    return keepType(remediate, (args: ResourceValidationArgs) => remediate(rawResourceArgs(args)));
}

/** The stack's resources with raw props, their parent and dependency links pointing at each other again. */
function rawResources(resources: readonly PolicyResource[]): PolicyResource[] {
    const copies = new Map<PolicyResource, PolicyResource>();
    for (const r of resources) {
        const props = withSeenInputs(r.urn, rawProps<Record<string, unknown>>(r.props));
        copies.set(r, { ...r, props, asType: ((c: unknown) => (r.isType(c as never) ? props : undefined)) as PolicyResource["asType"] });
    }
    const relink = (r: PolicyResource) => copies.get(r) ?? r;
    for (const [original, copy] of copies) {
        copy.parent = original.parent && relink(original.parent);
        copy.dependencies = original.dependencies.map(relink);
        copy.propertyDependencies = Object.fromEntries(Object.entries(original.propertyDependencies).map(([k, v]) => [k, v.map(relink)]));
    }
    return [...copies.values()];
}

function rawStackValidation(name: string, validate: StackValidation): StackValidation {
    return keepType(validate, async (args: StackValidationArgs, report: Parameters<StackValidation>[1]) => {
        stackPolicyStarts(name);
        const raw: StackValidationArgs = { ...args, resources: rawResources(args.resources) };
        await validate(raw, report);
        declareUndecided(raw, report);
    });
}

export function resourcePolicy(policy: BulwarkResourcePolicy): BulwarkResourcePolicy {
    const validations = policy.validateResource;
    return withMetadata({
        ...policy,
        validateResource: Array.isArray(validations) ? validations.map(rawValidation) : validations && rawValidation(validations),
        remediateResource: policy.remediateResource && rawRemediation(policy.remediateResource),
    });
}

export function stackPolicy(policy: BulwarkStackPolicy): BulwarkStackPolicy {
    return withMetadata({ ...policy, validateStack: rawStackValidation(policy.name, policy.validateStack) });
}

export function isStackPolicy(policy: BulwarkPolicy): policy is BulwarkStackPolicy {
    return typeof (policy as BulwarkStackPolicy).validateStack === "function";
}
