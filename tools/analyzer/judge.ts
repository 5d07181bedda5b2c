// The one judge of the project: the real @pulumi/policy analyzer, started as the CLI starts it (pack.ts) and sent
// requests shaped like the engine's. Each resource goes to `Analyze` with its checked inputs (after the
// remediations of policies set to `remediate`, as the engine runs them first), then the whole set to
// `AnalyzeStack` with outputs, parent, dependencies and property dependencies. Unknowns and secrets travel in
// the engine's wire form (wire.ts). The unit tests, `policy:check`, `npm run compliance` and the benchmark all
// go through here.
import type { PolicyPackConfig } from "@pulumi/policy";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { ControlId } from "bulwark-vocabulary";
import { parseUnknownViolation } from "../../policies/lib/inconclusive";
import { PolicyInfo, PolicySettings, reconcile } from "./config";
import { RunningPack } from "./pack";
import { wireSafe } from "./wire";

/** A resource as the engine knows it after the program registered it; property values in wire form. */
export interface EngineResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** What the program registered, in wire form. Resource policies see these unless checkedInputs is given. */
    readonly inputs: Record<string, any>;
    /** The inputs after the provider's Check (schema defaults, auto-names): what the engine sends to Analyze. */
    readonly checkedInputs?: Record<string, any>;
    /** What the provider returned (or, in a preview, will return): stack policies see these. Default: inputs. */
    readonly outputs?: Record<string, any>;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Record<string, readonly string[]>;
    readonly protect?: boolean;
    /** The provider resource the engine names in Analyze and AnalyzeStack (a default provider when none is given). */
    readonly provider?: ProviderReference;
}

/** A provider as the engine describes it to an analyzer (AnalyzerProviderResource). */
export interface ProviderReference {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly properties: Record<string, any>;
}

function providerResource(provider: ProviderReference): analyzerProto.AnalyzerProviderResource {
    const resource = new analyzerProto.AnalyzerProviderResource();
    resource.setType(provider.type);
    resource.setName(provider.name);
    resource.setUrn(provider.urn);
    resource.setProperties(struct(provider.properties));
    return resource;
}

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";

export interface Violation {
    readonly policy: string;
    readonly level: Level;
    readonly urn?: string;
    readonly message: string;
    readonly controls: readonly ControlId[];
}

/**
 * A check the pack could not decide because a value is unknown until apply. Since the pack fails closed, each
 * "refused" one is also in `violations`, at the policy's level, with the fix in its message.
 */
export interface Inconclusive {
    readonly policy: string;
    /** The policy's configured level: a mandatory one is decided again at `pulumi up`. */
    readonly level: Level;
    readonly urn?: string;
    readonly field: string;
    /**
     * "refused": the policy ran its other checks and refused this value as unknown (a violation at its level, also
     * listed in `violations`); "cant-run": the analyzer stopped the whole policy on an unknown value
     * (@pulumi/policy's advisory "can't run … during preview" note), which the pack's raw props never let happen.
     */
    readonly kind: "refused" | "cant-run";
}

export interface Remediated {
    readonly policy: string;
    readonly urn: string;
}

export interface EvaluationOptions {
    /** Policy pack config, as given with `--policy-pack-config`. */
    readonly config?: PolicyPackConfig;
    /** Told to the pack through ConfigureStack, as the engine does. */
    readonly stack?: string;
    readonly project?: string;
    readonly preview?: boolean;
}

export interface EvaluationResult {
    readonly violations: Violation[];
    readonly inconclusive: Inconclusive[];
    readonly remediated: Remediated[];
    /** Policy name -> reasons it declared itself not applicable. */
    readonly notApplicable: Map<string, string[]>;
}

const LEVEL_NAMES: Record<number, Level> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
};
const LEVEL_VALUES: Record<Level, analyzerProto.EnforcementLevel> = {
    advisory: analyzerProto.EnforcementLevel.ADVISORY,
    mandatory: analyzerProto.EnforcementLevel.MANDATORY,
    remediate: analyzerProto.EnforcementLevel.REMEDIATE,
    disabled: analyzerProto.EnforcementLevel.DISABLED,
};

// @pulumi/policy's note when a policy read an unknown value: "can't run policy 'x' from policy pack … during
// preview: string value at .image can't be known during preview".
const CANT_RUN = /^can't run (?:policy|remediation) '([^']+)'.* during preview: .*? value at \.(\S+) can't be known/s;

// Requests in flight at once: the pack answers them one after another, but the round trips overlap.
const WINDOW = 64;

function struct(value: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(wireSafe(value) as Record<string, never>);
}

function checked(resource: EngineResource): Record<string, unknown> {
    return resource.checkedInputs ?? resource.inputs;
}

function options(resource: EngineResource): analyzerProto.AnalyzerResourceOptions {
    const opts = new analyzerProto.AnalyzerResourceOptions();
    opts.setProtect(resource.protect ?? false);
    opts.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
    if (resource.parent) {
        opts.setParent(resource.parent);
    }
    return opts;
}

function analyzeRequest(resource: EngineResource, props: Record<string, unknown>): analyzerProto.AnalyzeRequest {
    const request = new analyzerProto.AnalyzeRequest();
    request.setUrn(resource.urn);
    request.setType(resource.type);
    request.setName(resource.name);
    request.setProperties(struct(props));
    request.setOptions(options(resource));
    if (resource.provider) {
        request.setProvider(providerResource(resource.provider));
    }
    return request;
}

function stackRequest(resources: readonly EngineResource[]): analyzerProto.AnalyzeStackRequest {
    const request = new analyzerProto.AnalyzeStackRequest();
    request.setResourcesList(
        resources.map((r) => {
            const resource = new analyzerProto.AnalyzerResource();
            resource.setUrn(r.urn);
            resource.setType(r.type);
            resource.setName(r.name);
            resource.setProperties(struct(r.outputs ?? checked(r)));
            resource.setOptions(options(r));
            if (r.provider) {
                resource.setProvider(providerResource(r.provider));
            }
            resource.setParent(r.parent ?? "");
            resource.setDependenciesList([...(r.dependencies ?? [])]);
            const deps = resource.getPropertydependenciesMap();
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                // As the engine: properties without dependencies are left out.
                if (urns.length > 0) {
                    const entry = new analyzerProto.AnalyzerPropertyDependencies();
                    entry.setUrnsList([...urns]);
                    deps.set(key, entry);
                }
            }
            return resource;
        }),
    );
    return request;
}

function policyInfos(info: analyzerProto.AnalyzerInfo): PolicyInfo[] {
    return info.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            enforcementLevel: LEVEL_NAMES[p.getEnforcementlevel()],
            configSchema: schema && {
                properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>,
                required: schema.getRequiredList(),
            },
            tags: p.getTagsList(),
            type: p.getPolicyType() === analyzerProto.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
        };
    });
}

/** A started pack with its policies, configured the way the CLI configures it. */
/** Analyzers started and not yet stopped: a pack process left running keeps the test runner from exiting. */
const running = new Set<Analyzer>();

/** Stops every Analyzer still running and says how many there were (the test hooks fail a run that leaked one). */
export async function stopLeakedAnalyzers(): Promise<number> {
    const leaked = [...running];
    await Promise.all(leaked.map((a) => a.stop()));
    return leaked.length;
}

export class Analyzer {
    private configured?: string;
    private stackConfigured?: string;
    private settings = new Map<string, PolicySettings>();

    private constructor(
        readonly pack: RunningPack,
        readonly policies: readonly PolicyInfo[],
        readonly stackConfig: Readonly<Record<string, string>>,
    ) {}

    /**
     * Starts the pack. `stackConfig` is the stack's config ("namespace:key" -> string), which the engine hands the
     * pack at start and cannot change afterwards: judging another stack's config needs another Analyzer.
     */
    static async start(options: { dir?: string; stackConfig?: Readonly<Record<string, string>> } = {}): Promise<Analyzer> {
        const stackConfig = options.stackConfig ?? {};
        const pack = await RunningPack.start(options.dir, stackConfig);
        try {
            const analyzer = new Analyzer(pack, policyInfos(await pack.info()), stackConfig);
            running.add(analyzer);
            return analyzer;
        } catch (e) {
            await pack.stop();
            throw e;
        }
    }

    stop(): Promise<void> {
        running.delete(this);
        return this.pack.stop();
    }

    /** Reconciles and validates `config` against the policies' schemas and sends it, unless it is already set. */
    async configure(config: PolicyPackConfig | undefined): Promise<Map<string, PolicySettings>> {
        const key = JSON.stringify(config ?? {});
        if (this.configured !== key) {
            const settings = reconcile(this.policies, config);
            const request = new analyzerProto.ConfigureAnalyzerRequest();
            const map = request.getPolicyconfigMap();
            for (const [name, s] of settings) {
                const entry = new analyzerProto.PolicyConfig();
                entry.setEnforcementlevel(LEVEL_VALUES[s.enforcementLevel]);
                entry.setProperties(Struct.fromJavaScript(s.properties as Record<string, never>));
                map.set(name, entry);
            }
            await this.pack.configure(request);
            this.configured = key;
            this.settings = settings;
        }
        return this.settings;
    }

    private async configureStack(opts: EvaluationOptions): Promise<void> {
        const key = JSON.stringify([opts.stack, opts.project, opts.preview ?? false]);
        if (this.stackConfigured !== key) {
            const request = new analyzerProto.AnalyzerStackConfigureRequest();
            request.setStack(opts.stack ?? "dev");
            request.setProject(opts.project ?? "bulwark");
            request.setDryRun(opts.preview ?? false);
            const config = request.getConfigMap();
            Object.entries(this.stackConfig).forEach(([k, v]) => config.set(k, v));
            await this.pack.configureStack(request);
            this.stackConfigured = key;
        }
    }

    private controlsOf(policy: string): readonly ControlId[] {
        return (this.policies.find((p) => p.name === policy)?.tags ?? []) as ControlId[];
    }

    /** Runs the remediations first, as the engine does for every resource; returns the new inputs. */
    private async remediated(resource: EngineResource, into: Remediated[]): Promise<Record<string, unknown>> {
        let props: Record<string, unknown> = checked(resource);
        const response = await this.pack.remediate(analyzeRequest(resource, props));
        for (const r of response.getRemediationsList()) {
            const changed = r.getProperties();
            if (changed) {
                props = changed.toJavaScript() as Record<string, unknown>;
                into.push({ policy: r.getPolicyname(), urn: resource.urn });
            }
        }
        return props;
    }

    /** Every resource through `Analyze`, then all of them through `AnalyzeStack`, as in a preview or update. */
    async evaluate(resources: readonly EngineResource[], opts: EvaluationOptions = {}, phases: { resources?: boolean; stack?: boolean } = {}): Promise<EvaluationResult> {
        const settings = await this.configure(opts.config);
        await this.configureStack(opts);
        const result: EvaluationResult = { violations: [], inconclusive: [], remediated: [], notApplicable: new Map() };
        const responses: analyzerProto.AnalyzeResponse[] = new Array(resources.length);
        let next = 0;
        const worker = async () => {
            for (let i = next++; i < resources.length; i = next++) {
                const resource = resources[i];
                // As the engine: Remediate first, then Analyze with what the remediations left.
                const props = await this.remediated(resource, result.remediated);
                responses[i] = await this.pack.analyze(analyzeRequest(resource, props));
            }
        };
        // The engine never sends AnalyzeStack without first sending every resource to Analyze, in the same pack
        // process (what Analyze saw is what the stack policies read where the planned state collapses a set):
        // a stack evaluation does the same, and reports the resource phase only when it is asked for.
        if (phases.resources !== false || phases.stack !== false) {
            await Promise.all(Array.from({ length: Math.min(WINDOW, resources.length) }, worker));
        }
        if (phases.resources !== false) {
            responses.forEach((response, i) => this.collect(response, resources[i].urn, settings, result));
        }
        if (phases.stack !== false) {
            this.collect(await this.pack.analyzeStack(stackRequest(resources)), undefined, settings, result);
        }
        return result;
    }

    private collect(response: analyzerProto.AnalyzeResponse, urn: string | undefined, settings: Map<string, PolicySettings>, into: EvaluationResult): void {
        const levelOf = (policy: string): Level => {
            const level = settings.get(policy)?.enforcementLevel ?? "advisory";
            return level === "remediate" ? "mandatory" : level;
        };
        for (const d of response.getDiagnosticsList()) {
            const message = d.getMessage();
            const cantRun = CANT_RUN.exec(message);
            if (cantRun) {
                into.inconclusive.push({ policy: cantRun[1], level: levelOf(cantRun[1]), urn: d.getUrn() || urn, field: cantRun[2], kind: "cant-run" });
                continue;
            }
            // @pulumi/policy sends "<policy description>\n<message>"; the description is the policy's, not the finding's.
            const description = d.getDescription();
            const violation: Violation = {
                policy: d.getPolicyname(),
                level: LEVEL_NAMES[d.getEnforcementlevel()],
                urn: d.getUrn() || urn,
                message: description && message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message,
                controls: this.controlsOf(d.getPolicyname()),
            };
            into.violations.push(violation);
            const unknown = parseUnknownViolation(violation.message);
            if (unknown) {
                into.inconclusive.push({ policy: violation.policy, level: violation.level, urn: unknown.urn || violation.urn, field: unknown.field, kind: "refused" });
            }
        }
        for (const n of response.getNotApplicableList()) {
            const policy = n.getPolicyName();
            const reasons = into.notApplicable.get(policy);
            if (reasons) {
                reasons.push(n.getReason());
            } else {
                into.notApplicable.set(policy, [n.getReason()]);
            }
        }
    }
}

// ---- one shared analyzer per process, for the tests and tools that judge many small sets ----------------

let shared: Promise<Analyzer> | undefined;

export function sharedAnalyzer(): Promise<Analyzer> {
    shared ??= Analyzer.start();
    return shared;
}

export async function stopSharedAnalyzer(): Promise<void> {
    const running = shared;
    shared = undefined;
    if (running) {
        await (await running).stop();
    }
}

export async function evaluate(resources: readonly EngineResource[], opts: EvaluationOptions = {}): Promise<EvaluationResult> {
    return (await sharedAnalyzer()).evaluate(resources, opts);
}

/** What one policy made of one resource or one stack. */
export interface PolicyOutcome {
    readonly violations: { message: string; urn?: string; level: Level }[];
    /** Set when the policy declared itself not applicable. */
    readonly notApplicable?: string;
    readonly inconclusive: Inconclusive[];
}

function outcomeOf(policy: { name: string }, result: EvaluationResult): PolicyOutcome {
    return {
        violations: result.violations.filter((v) => v.policy === policy.name).map((v) => ({ message: v.message, urn: v.urn, level: v.level })),
        notApplicable: result.notApplicable.get(policy.name)?.[0],
        inconclusive: result.inconclusive.filter((i) => i.policy === policy.name),
    };
}

/** One resource through `Analyze` only (no stack validation); the named policy's findings. */
export async function runResourcePolicy(policy: { name: string }, resource: EngineResource, opts: EvaluationOptions = {}): Promise<PolicyOutcome> {
    return outcomeOf(policy, await (await sharedAnalyzer()).evaluate([resource], opts, { stack: false }));
}

/** A whole stack through `Analyze` and `AnalyzeStack`; the named policy's findings. */
export async function runStackPolicy(policy: { name: string }, resources: readonly EngineResource[], opts: EvaluationOptions = {}): Promise<PolicyOutcome> {
    return outcomeOf(policy, await (await sharedAnalyzer()).evaluate(resources, opts, { resources: false }));
}

/** The inputs after the named policy's remediation at level `remediate`; undefined when it changed nothing. */
export async function remediate(policy: { name: string }, resource: EngineResource, opts: EvaluationOptions = {}): Promise<Record<string, any> | undefined> {
    const analyzer = await sharedAnalyzer();
    const own = opts.config?.[policy.name];
    const settings = own && typeof own === "object" ? { ...own, enforcementLevel: "remediate" } : "remediate";
    await analyzer.configure({ ...(opts.config ?? {}), [policy.name]: settings } as PolicyPackConfig);
    const response = await analyzer.pack.remediate(analyzeRequest(resource, checked(resource)));
    const mine = response.getRemediationsList().filter((r) => r.getPolicyname() === policy.name && r.getProperties());
    return mine.length > 0 ? (mine[mine.length - 1].getProperties()!.toJavaScript() as Record<string, any>) : undefined;
}
