// Runs a Pulumi program without an engine. Pulumi's mock monitor answers every registration with what the real
// provider would return (provider-model.ts): in an update, the values it assigns on create; in a preview, the
// checked inputs with every assigned value unknown, so the program sees exactly the unknowns `pulumi preview`
// gives it. Every registration is recorded as the engine receives it: the inputs in wire form (secrets and
// unknowns as the Node.js SDK marshals them), the provider's checked inputs and outputs, URN, parent,
// dependencies and property dependencies.
import * as pulumi from "@pulumi/pulumi";
import type { EngineResource } from "../analyzer/judge";
import { SIG_KEY } from "bulwark-vocabulary";
import { defaultProvider, PASS_THROUGH_SOURCE, simulate } from "./provider-model";

export interface MockRunOptions {
    readonly project: string;
    readonly stack: string;
    /** Full keys ("bulwark:domain") to raw string values; objects and lists as JSON. */
    readonly config?: Readonly<Record<string, string>>;
    readonly secretKeys?: readonly string[];
    /** A preview of a new stack: every value a provider assigns on create is unknown. */
    readonly preview?: boolean;
}

/** A registration as the engine saw it. `inputs` are what the program sent; `checkedInputs` what Analyze gets. */
export interface RecordedResource extends EngineResource {
    readonly custom: boolean;
    readonly retainOnDelete?: boolean;
    /** The provider source the outputs are modelled on. */
    readonly providerSource: string;
}

export interface ProgramRun {
    readonly resources: RecordedResource[];
    readonly outputs: Record<string, unknown>;
}

interface Struct {
    toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): Struct | undefined;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
}
interface RegisterResponse {
    getUrn(): string;
    setUrn(urn: string): void;
}
type Callback = (err: unknown, response: RegisterResponse | undefined) => void;
interface OutputsRequest {
    getUrn(): string;
    setUrn(urn: string): void;
    getOutputs(): Struct | undefined;
}
interface Monitor {
    registerResource(req: RegisterRequest & { getProvider(): string }, callback: Callback): Promise<void>;
    registerResourceOutputs(req: OutputsRequest, callback: (err: unknown, response: unknown) => void): Promise<void> | void;
}

/** The engine's root resource: every resource the program registers without a parent is its child. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** The Stack resource's URN and name, as the engine makes them: `<project>-<stack>`. */
export function stackUrn(project: string, stack: string): string {
    return `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${project}-${stack}`;
}

/**
 * A URN as the engine makes it (pulumi/pulumi sdk/go/common/resource/urn.go NewURN): the parent's qualified type
 * chain, then this type; the root Stack's type is left out of its children's chains. The SDK's mock monitor puts
 * only the immediate parent's type there.
 */
export function engineUrn(project: string, stack: string, type: string, name: string, parent: string | undefined): string {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * Installs recording mocks for one program run. Call before the program registers anything; await
 * `finish()` after it has run to get every registration once all outputs have settled.
 */
export async function installRecordingMocks(opts: MockRunOptions): Promise<{ finish(stackOutputs?: Record<string, unknown>): Promise<ProgramRun> }> {
    const preview = opts.preview ?? false;
    const registered: RecordedResource[] = [];
    // The wire inputs of the registration being answered, by type and name: the monitor hands newResource a
    // deserialized copy, in which an unknown is no longer the engine's sentinel.
    const wireInputs = new Map<string, Record<string, unknown>>();
    const simulated = new Map<string, ReturnType<typeof simulate>>();
    pulumi.runtime.setAllConfig({ ...(opts.config ?? {}) }, [...(opts.secretKeys ?? [])]);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const key = `${args.type}::${args.name}`;
                const result = simulate(args.type, args.name, wireInputs.get(key) ?? {}, { preview, custom: args.custom });
                simulated.set(key, result);
                return { id: result.id, state: result.outputs };
            },
            call: (args) => args.inputs,
        },
        opts.project,
        opts.stack,
        preview,
    );
    // The engine's root resource, registered before anything else; the program's exports are its outputs.
    const root = stackUrn(opts.project, opts.stack);
    registered.push({
        type: STACK_TYPE,
        name: `${opts.project}-${opts.stack}`,
        urn: root,
        custom: false,
        inputs: {},
        checkedInputs: {},
        outputs: {},
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        providerSource: PASS_THROUGH_SOURCE,
    });
    // The engine registers a package's default provider before the first resource that uses it.
    const defaultProviders = new Map<string, RecordedResource | undefined>();
    const defaultProviderFor = (type: string): RecordedResource | undefined => {
        const pkg = type.split(":")[0];
        if (!defaultProviders.has(pkg)) {
            const provider = defaultProvider(opts.project, opts.stack, pkg);
            defaultProviders.set(pkg, provider);
            if (provider) {
                registered.push(provider);
            }
        }
        return defaultProviders.get(pkg);
    };
    // The mock monitor drops parents, dependencies and options, and makes URNs with only the immediate parent's
    // type; wrap it to keep them and to answer with the engine's URN, so the program, dependencies and parents all
    // carry the engine's URNs. mockUrns maps them back for the mock monitor's own bookkeeping.
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    const mockUrns = new Map<string, string>();
    const byUrn = new Map<string, RecordedResource>();
    monitor.registerResource = (req, callback) => {
        const key = `${req.getType()}::${req.getName()}`;
        const inputs = req.getObject()?.toJavaScript() ?? {};
        wireInputs.set(key, inputs);
        const parent = req.getParent() || root;
        const urn = engineUrn(opts.project, opts.stack, req.getType(), req.getName(), parent);
        const provider = req.getCustom() && !req.getType().startsWith("pulumi:providers:") && !req.getProvider() ? defaultProviderFor(req.getType()) : undefined;
        return register(req, (err, response) => {
            const result = simulated.get(key);
            if (!err && response && result) {
                mockUrns.set(urn, response.getUrn());
                response.setUrn(urn);
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((value, name) => {
                    propertyDependencies[name] = value.getUrnsList();
                });
                const record: RecordedResource = {
                    type: req.getType(),
                    name: req.getName(),
                    urn,
                    custom: req.getCustom(),
                    inputs,
                    checkedInputs: result.checkedInputs,
                    // The planned state in a preview, the state after create in an update; the id among them where the
                    // provider's schema has one (unknown in a preview of a create).
                    outputs: result.outputs,
                    parent,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    providerSource: result.source,
                    ...(provider ? { provider: { type: provider.type, name: provider.name, urn: provider.urn, properties: provider.inputs } } : {}),
                };
                registered.push(record);
                byUrn.set(urn, record);
            }
            callback(err, response);
        });
    };
    // A component's registerOutputs: the engine keeps them as its outputs (the stack view shows them).
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, callback) => {
        const urn = req.getUrn();
        const record = byUrn.get(urn);
        if (record) {
            byUrn.set(urn, { ...record, outputs: req.getOutputs()?.toJavaScript() ?? {} });
        }
        req.setUrn(mockUrns.get(urn) ?? urn);
        return registerOutputs(req, callback);
    };
    return {
        finish: async (stackOutputs?: Record<string, unknown>) => {
            await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
            const resources = registered.map((r) => byUrn.get(r.urn) ?? r);
            if (stackOutputs) {
                // The Node.js host registers the program's exports as the Stack's outputs, in wire form.
                const outputs = await pulumi.runtime.serializeProperties("stack outputs", stackOutputs);
                resources[0] = { ...resources[0], outputs: withoutResourceReferences(outputs) as Record<string, unknown> };
            }
            return { resources, outputs: {} };
        },
    };
}

/** resource.ResourceReferenceSig: how the SDK marshals a Resource in a property value. */
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/**
 * An exported Resource as the engine hands it to an analyzer, which does not accept resource references
 * (plugin.MarshalProperties without KeepResources): its id when it has one, else its URN.
 */
function withoutResourceReferences(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutResourceReferences);
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
            return typeof record.id === "string" && record.id !== "" ? record.id : record.urn;
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutResourceReferences(v)]));
    }
    return value;
}

/** Runs `program` under recording mocks and resolves its exported outputs. */
export async function runUnderMocks(program: () => unknown, opts: MockRunOptions): Promise<ProgramRun> {
    const recorder = await installRecordingMocks(opts);
    const exported = await program();
    const outputs = exported && typeof exported === "object" ? await resolveOutputs(exported as Record<string, unknown>) : {};
    const run = await recorder.finish(exported && typeof exported === "object" ? (exported as Record<string, unknown>) : undefined);
    return { resources: run.resources, outputs };
}

/** Every exported value with its Outputs resolved; secrets keep a marker so tests can tell them apart. */
export async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(exported)) {
        result[key] = await resolveValue(value);
    }
    return result;
}

export class SecretValue {
    constructor(readonly value: unknown) {}
}

async function resolveValue(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const internal = output as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
        const [inner, secret] = await Promise.all([internal.promise(), internal.isSecret]);
        const resolved = await resolveValue(inner);
        return secret ? new SecretValue(resolved) : resolved;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(resolveValue));
    }
    if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        return resolveOutputs(value as Record<string, unknown>);
    }
    return value;
}
