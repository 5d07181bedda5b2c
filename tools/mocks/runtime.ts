// Runs a Pulumi program without an engine. Pulumi's mock monitor answers every registration with what the real
// provider would return (provider-model.ts): in an update, the values it assigns on create; in a preview, the
// checked inputs with every assigned value unknown, so the program sees exactly the unknowns `pulumi preview`
// gives it. Every registration is recorded as the engine receives it: the inputs in wire form (secrets and
// unknowns as the Node.js SDK marshals them), the provider's checked inputs and outputs, URN, parent,
// dependencies and property dependencies.
import * as pulumi from "@pulumi/pulumi";
import type { EngineResource } from "../analyzer/judge";
import { UNKNOWN } from "../analyzer/wire";
import { simulate } from "./provider-model";

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
}
type Callback = (err: unknown, response: RegisterResponse | undefined) => void;
interface Monitor {
    registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}

/**
 * Installs recording mocks for one program run. Call before the program registers anything; await
 * `finish()` after it has run to get every registration once all outputs have settled.
 */
export async function installRecordingMocks(opts: MockRunOptions): Promise<{ finish(): Promise<ProgramRun> }> {
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
    // The mock monitor drops parents, dependencies and options; wrap it to keep them, as the engine would.
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const key = `${req.getType()}::${req.getName()}`;
        const inputs = req.getObject()?.toJavaScript() ?? {};
        wireInputs.set(key, inputs);
        return register(req, (err, response) => {
            const result = simulated.get(key);
            if (!err && response && result) {
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((value, name) => {
                    propertyDependencies[name] = value.getUrnsList();
                });
                registered.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: response.getUrn(),
                    custom: req.getCustom(),
                    inputs,
                    checkedInputs: result.checkedInputs,
                    // Bridged providers return the ID among the outputs too; in a preview of a create it is unknown.
                    outputs: req.getCustom() ? { ...result.outputs, id: result.id || (preview ? UNKNOWN : "") } : result.outputs,
                    parent: req.getParent() || undefined,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    providerSource: result.source,
                });
            }
            callback(err, response);
        });
    };
    return {
        finish: async () => {
            await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
            return { resources: registered, outputs: {} };
        },
    };
}

/** Runs `program` under recording mocks and resolves its exported outputs. */
export async function runUnderMocks(program: () => unknown, opts: MockRunOptions): Promise<ProgramRun> {
    const recorder = await installRecordingMocks(opts);
    const exported = await program();
    const outputs = exported && typeof exported === "object" ? await resolveOutputs(exported as Record<string, unknown>) : {};
    const run = await recorder.finish();
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
