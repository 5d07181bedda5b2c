// Runs CrossGuard policies the way the Pulumi engine's analyzer does (see @pulumi/policy's server.js):
// resource policies see each resource's inputs, stack policies see every resource's outputs with parents and
// dependencies linked, config is the schema defaults overlaid with the user's values, and `notApplicable`
// ends a validation without a violation. Used by the unit tests, `policy:check` and the benchmark, so all
// three judge exactly alike without a Pulumi CLI.
import {
    EnforcementLevel,
    PolicyPackConfig,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import { BulwarkPolicy, BulwarkResourcePolicy, BulwarkStackPolicy, isStackPolicy } from "../policies/lib/policy";
import { ControlId } from "../policies/controls";

/** A resource as the engine knows it after the program registered it. */
export interface EngineResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** What the program passed: resource policies see these. */
    readonly inputs: Record<string, any>;
    /** What the provider returned: stack policies see these. Defaults to the inputs. */
    readonly outputs?: Record<string, any>;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Record<string, readonly string[]>;
    readonly protect?: boolean;
}

export interface Violation {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly urn?: string;
    readonly message: string;
    readonly controls: readonly ControlId[];
}

export interface EvaluationOptions {
    /** Policy pack config, as given with `--policy-pack-config`: a level or an object per policy. */
    readonly config?: PolicyPackConfig;
    readonly stackTags?: ReadonlyMap<string, string>;
}

export interface EvaluationResult {
    readonly violations: Violation[];
    /** Policy name -> reasons it declared itself not applicable. */
    readonly notApplicable: Map<string, string[]>;
}

// Not an Error: most (policy, resource) pairs end this way, and capturing a stack trace for each one made
// large stacks slow.
class NotApplicable {
    constructor(readonly reason: string | undefined) {}
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

function pulumiTypeOf(resourceClass: unknown): string | undefined {
    return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const token = pulumiTypeOf(resourceClass);
    if (token) {
        return token === type;
    }
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

const SECRET_KEY = "4dabf18193072939515e22adb298388d"; // Pulumi's specialSigKey
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"; // Pulumi's specialSecretSig

/** Values with secrets unwrapped, as the analyzer deserializes them before any policy runs. */
function withoutSecretWrappers(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutSecretWrappers);
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_KEY] === SECRET_SIG) {
            return withoutSecretWrappers(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutSecretWrappers(v)]));
    }
    return value;
}

// Each resource is unwrapped once, however many policies read it.
const plainCache = new WeakMap<object, Record<string, any>>();
function plain(props: Record<string, any>): Record<string, any> {
    let result = plainCache.get(props);
    if (!result) {
        result = withoutSecretWrappers(props) as Record<string, any>;
        plainCache.set(props, result);
    }
    return result;
}

function options(resource: EngineResource): PolicyResourceOptions {
    return {
        protect: resource.protect ?? false,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    } as PolicyResourceOptions;
}

export function levelOf(policy: BulwarkPolicy, config?: PolicyPackConfig): EnforcementLevel {
    const entry = config?.[policy.name];
    const configured = typeof entry === "string" ? entry : entry?.enforcementLevel;
    const level = configured ?? policy.enforcementLevel;
    // The engine runs remediations first; a violation that survives one is reported as mandatory.
    return level === "remediate" ? "mandatory" : level;
}

/** The schema defaults overlaid with the user's values, without the enforcement level. */
export function configOf(policy: BulwarkPolicy, config?: PolicyPackConfig): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) {
            result[key] = schema.default;
        }
    }
    const entry = config?.[policy.name];
    if (entry && typeof entry === "object") {
        for (const [key, value] of Object.entries(entry)) {
            if (key !== "enforcementLevel") {
                result[key] = value;
            }
        }
    }
    return result;
}

export function resourceArgs(
    policy: BulwarkPolicy,
    resource: EngineResource,
    opts: EvaluationOptions = {},
): ResourceValidationArgs {
    const props = plain(resource.inputs);
    return {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: options(resource),
        stackTags: opts.stackTags ?? new Map(),
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => configOf(policy, opts.config) as T,
        notApplicable: throwNotApplicable,
    };
}

/** Links parents and dependencies by URN, as the engine does before a stack validation. */
export function stackResources(resources: readonly EngineResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const linked = resources.map((r) => {
        const props = plain(r.outputs ?? r.inputs);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: options(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(r.type, resourceClass),
            asType: ((resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(r.urn, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        const resource = linked[i];
        resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
        resource.dependencies = (r.dependencies ?? []).flatMap((urn) => byUrn.get(urn) ?? []);
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
            resource.propertyDependencies[key] = urns.flatMap((urn) => byUrn.get(urn) ?? []);
        }
    });
    return linked;
}

export function stackArgs(
    policy: BulwarkPolicy,
    resources: PolicyResource[],
    opts: EvaluationOptions = {},
): StackValidationArgs {
    return {
        resources,
        stackTags: opts.stackTags ?? new Map(),
        getConfig: <T extends object>() => configOf(policy, opts.config) as T,
        notApplicable: throwNotApplicable,
    };
}

export interface PolicyOutcome {
    /** Messages reported, in order. For stack policies each carries the URN it named, if any. */
    readonly violations: { message: string; urn?: string }[];
    /** Set when the policy declared itself not applicable. */
    readonly notApplicable?: string;
}

async function capture(run: (report: (message: string, urn?: string) => void) => unknown): Promise<PolicyOutcome> {
    const violations: { message: string; urn?: string }[] = [];
    try {
        await run((message, urn) => violations.push({ message, urn }));
        return { violations };
    } catch (e) {
        if (e instanceof NotApplicable) {
            return { violations, notApplicable: e.reason ?? "not applicable" };
        }
        throw e;
    }
}

/** One resource policy against one resource, every validation function in order. */
export async function runResourcePolicy(
    policy: BulwarkResourcePolicy,
    resource: EngineResource,
    opts: EvaluationOptions = {},
): Promise<PolicyOutcome> {
    const validations = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : policy.validateResource
          ? [policy.validateResource]
          : [];
    const args = resourceArgs(policy, resource, opts);
    return capture(async (report) => {
        for (const validate of validations) {
            await validate(args, (message) => report(message, resource.urn));
        }
    });
}

export async function runStackPolicy(
    policy: BulwarkStackPolicy,
    resources: readonly EngineResource[],
    opts: EvaluationOptions = {},
): Promise<PolicyOutcome> {
    const args = stackArgs(policy, stackResources(resources), opts);
    return capture((report) => policy.validateStack(args, report));
}

/** The remediated inputs, or undefined when the policy has no remediation or changed nothing. */
export async function remediate(
    policy: BulwarkResourcePolicy,
    resource: EngineResource,
    opts: EvaluationOptions = {},
): Promise<Record<string, any> | undefined> {
    if (!policy.remediateResource) {
        return undefined;
    }
    try {
        const result = await policy.remediateResource(resourceArgs(policy, resource, opts));
        return result ?? undefined;
    } catch (e) {
        // As in the engine: a remediation that declares itself not applicable changes nothing.
        if (e instanceof NotApplicable) {
            return undefined;
        }
        throw e;
    }
}

/** Every resource policy against every resource, then every stack policy against the whole set. */
export async function evaluate(
    policies: readonly BulwarkPolicy[],
    resources: readonly EngineResource[],
    opts: EvaluationOptions = {},
): Promise<EvaluationResult> {
    const violations: Violation[] = [];
    const notApplicable = new Map<string, string[]>();
    const linked = stackResources(resources);
    for (const policy of policies) {
        const level = levelOf(policy, opts.config);
        if (level === "disabled") {
            continue;
        }
        const outcomes: PolicyOutcome[] = [];
        if (isStackPolicy(policy)) {
            outcomes.push(await capture((report) => policy.validateStack(stackArgs(policy, linked, opts), report)));
        } else {
            for (const resource of resources) {
                outcomes.push(await runResourcePolicy(policy, resource, opts));
            }
        }
        for (const outcome of outcomes) {
            if (outcome.notApplicable) {
                const reasons = notApplicable.get(policy.name);
                if (reasons) {
                    reasons.push(outcome.notApplicable);
                } else {
                    notApplicable.set(policy.name, [outcome.notApplicable]);
                }
            }
            for (const v of outcome.violations) {
                violations.push({ policy: policy.name, level, urn: v.urn, message: v.message, controls: policy.controls });
            }
        }
    }
    return { violations, notApplicable };
}
