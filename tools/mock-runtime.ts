// Runs a Pulumi program without an engine: Pulumi's mock monitor answers every registration with realistic
// provider outputs (random values of the requested length, image digests, ARNs), and every registration is
// recorded with its URN, parent, dependencies, inputs and outputs, the way the engine hands them to policies.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { EngineResource } from "./policy-engine";

export interface MockRunOptions {
    readonly project: string;
    readonly stack: string;
    /** Full keys ("bulwark:domain") to raw string values; objects and lists as JSON. */
    readonly config?: Readonly<Record<string, string>>;
    readonly secretKeys?: readonly string[];
    /** A preview run: Pulumi marks outputs that depend on unknowns as unknown. */
    readonly preview?: boolean;
}

export interface ProgramRun {
    readonly resources: EngineResource[];
    readonly outputs: Record<string, unknown>;
}

const ACCOUNT = "123456789012";
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** Deterministic bytes for a resource, so that runs and their reports are repeatable. */
function bytesFor(seed: string, length: number): Buffer {
    const chunks: Buffer[] = [];
    for (let i = 0; Buffer.concat(chunks).length < length; i++) {
        chunks.push(createHash("sha256").update(`${seed}#${i}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
}

function charsFor(seed: string, length: number, alphabet: string): string {
    return [...bytesFor(seed, length)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** What a provider would return for a new resource of this type. */
export function realisticOutputs(type: string, name: string, inputs: Record<string, any>): { id: string; state: Record<string, any> } {
    const seed = `${type}::${name}`;
    const hex = (n: number) => bytesFor(seed, n).toString("hex");
    const region = typeof inputs.region === "string" ? inputs.region : "eu-central-1";
    switch (type) {
        case "random:index/randomBytes:RandomBytes": {
            const bytes = bytesFor(seed, Number(inputs.length ?? 32));
            return { id: "none", state: { ...inputs, hex: bytes.toString("hex"), base64: bytes.toString("base64") } };
        }
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString": {
            const alphabet = ALPHANUMERIC + (inputs.special === false ? "" : SPECIAL);
            const result = charsFor(seed, Number(inputs.length ?? 16), alphabet);
            return { id: "none", state: { ...inputs, result, bcryptHash: `$2a$10$${charsFor(seed + "bcrypt", 53, ALPHANUMERIC)}` } };
        }
        case "docker:index/image:Image": {
            const imageName = String(inputs.imageName);
            const repository = imageName.replace(/:[^/:]+$/, "");
            return { id: `sha256:${hex(32)}`, state: { ...inputs, imageName, repoDigest: `${repository}@sha256:${hex(32)}` } };
        }
        case "docker:index/network:Network":
        case "docker:index/volume:Volume":
        case "docker:index/container:Container":
            return { id: hex(32), state: { ...inputs, name: inputs.name ?? name } };
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-${hex(4)}`;
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}`, region } };
        }
        case "aws:kms/key:Key": {
            const keyId = [hex(4), hex(2), hex(2), hex(2), hex(6)].join("-");
            return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}` } };
        }
        case "aws:iam/user:User":
        case "aws:iam/role:Role": {
            const userName = inputs.name ?? name;
            const kind = type.endsWith("User") ? "user" : "role";
            return { id: userName, state: { ...inputs, name: userName, arn: `arn:aws:iam::${ACCOUNT}:${kind}/${userName}` } };
        }
        case "aws:iam/accessKey:AccessKey": {
            const id = `AKIA${charsFor(seed, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`;
            return { id, state: { ...inputs, secret: charsFor(seed + "secret", 40, ALPHANUMERIC + "/+") } };
        }
        default:
            return { id: `${name}-id`, state: { ...inputs } };
    }
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
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
    const registered: EngineResource[] = [];
    const inputsByKey = new Map<string, { inputs: Record<string, any>; outputs: Record<string, any> }>();
    pulumi.runtime.setAllConfig({ ...(opts.config ?? {}) }, [...(opts.secretKeys ?? [])]);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const { id, state } = realisticOutputs(args.type, args.name, args.inputs);
                inputsByKey.set(`${args.type}::${args.name}`, { inputs: args.inputs, outputs: { ...state, id } });
                return { id, state };
            },
            call: (args) => args.inputs,
        },
        opts.project,
        opts.stack,
        opts.preview ?? false,
    );
    // The mock monitor drops parents and dependencies; wrap it to keep them, as the engine would.
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, response) => {
            if (!err && response) {
                const recorded = inputsByKey.get(`${req.getType()}::${req.getName()}`);
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((value, key) => {
                    propertyDependencies[key] = value.getUrnsList();
                });
                registered.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: response.getUrn(),
                    inputs: recorded?.inputs ?? {},
                    outputs: recorded?.outputs ?? {},
                    parent: req.getParent() || undefined,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                });
            }
            callback(err, response);
        });
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
