// Running the real program entry (infra/index.ts) under the recording mocks: `runStack` returns every registered
// resource, the resource options the engine was sent and the program's resolved stack outputs, for a stack file's
// config with generated prod secrets. The infra and policy tests and bench:policy run the program through it.
import * as crypto from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
    BUCKET_ACL_TYPES,
    BUCKET_POLICY_TYPE,
    BUCKET_TYPE,
    CONTAINER_TYPE,
    IAM_ACCESS_KEY_TYPE,
    IAM_MANAGED_POLICY_TYPE,
    IAM_ROLE_POLICY_TYPE,
    IAM_ROLE_TYPE,
    IAM_USER_POLICY_TYPE,
    IAM_USER_TYPE,
    IMAGE_TYPE,
    KMS_KEY_TYPE,
    LABELS,
    NETWORK_TYPE,
    RANDOM_TYPES,
    S3_COMPANIONS,
    VOLUME_TYPE,
} from "bulwark-vocabulary";
import { ageIdentityFromSecretBytes, ageRecipientFromIdentity } from "../../infra/age";
import { ConfigSource, NAMESPACE } from "../../infra/config";
import { labelValue } from "../../policies/lib/labels";
import { installRecordingMocks, resolveOutputs, SecretValue } from "./runtime";
import { EngineResource } from "../analyzer/judge";
import { isSecret } from "../analyzer/wire";
import { loadStackConfig } from "./stack-config";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
export const ENTRY = path.join(PROJECT_DIR, "infra", "index.ts");

/** The type tokens the tests look resources up by (the provider ones from the vocabulary). */
export const TYPES = {
    stack: "bulwark:stack:BulwarkStack",
    container: CONTAINER_TYPE,
    network: NETWORK_TYPE,
    volume: VOLUME_TYPE,
    image: IMAGE_TYPE,
    randomBytes: RANDOM_TYPES.bytes,
    randomPassword: RANDOM_TYPES.password,
    randomString: RANDOM_TYPES.string,
    randomId: RANDOM_TYPES.id,
    kmsKey: KMS_KEY_TYPE,
    bucket: BUCKET_TYPE,
    bucketSse: S3_COMPANIONS.encryption[0],
    bucketVersioning: S3_COMPANIONS.versioning[0],
    bucketPublicAccessBlock: S3_COMPANIONS.publicAccessBlock[0],
    bucketPolicy: BUCKET_POLICY_TYPE,
    bucketLifecycle: S3_COMPANIONS.lifecycle[0],
    bucketLogging: S3_COMPANIONS.logging[0],
    bucketAcl: BUCKET_ACL_TYPES[0],
    bucketAclV2: BUCKET_ACL_TYPES[1],
    iamUser: IAM_USER_TYPE,
    iamRole: IAM_ROLE_TYPE,
    iamUserPolicy: IAM_USER_POLICY_TYPE,
    iamRolePolicy: IAM_ROLE_POLICY_TYPE,
    iamPolicy: IAM_MANAGED_POLICY_TYPE,
    accessKey: IAM_ACCESS_KEY_TYPE,
} as const;

/** Raw config without the `bulwark:` prefix; an undefined value means "not set". */
export type ConfigMap = Record<string, string | undefined>;

/** A ConfigSource over a plain map, as loadConfig reads it in a program. */
export function mapSource(stack: string, map: ConfigMap, secretKeys: Iterable<string> = []): ConfigSource {
    const secrets = new Set(secretKeys);
    return { stack, get: (k) => map[k], isSecret: (k) => secrets.has(k) };
}

// ---- generated secrets ----------------------------------------------------------------------------------

const randomBase64 = (bytes: number) => crypto.randomBytes(bytes).toString("base64").replace(/(.{64})/g, "$1\n");

export function pemBlock(label: string, bytes = 300): string {
    return `-----BEGIN ${label}-----\n${randomBase64(bytes)}\n-----END ${label}-----\n`;
}

export interface AgeKeyPair {
    readonly identity: string;
    readonly recipient: string;
}

export function generateAgeKeyPair(): AgeKeyPair {
    const identity = ageIdentityFromSecretBytes(crypto.randomBytes(32));
    return { identity, recipient: ageRecipientFromIdentity(identity) };
}

export interface ProdSecrets {
    readonly tlsCertificate: string;
    readonly tlsPrivateKey: string;
    readonly googleClientSecret: string;
    readonly backupAgeIdentity: string;
    readonly backupAgeRecipient: string;
}

/** Keys whose values are only accepted as Pulumi secrets. */
export const SECRET_CONFIG_KEYS = ["tlsCertificate", "tlsPrivateKey", "googleClientSecret", "backupAgeIdentity"] as const;
/** Secret config that no stack needs, set as a secret when a test gives it. */
export const OPTIONAL_SECRET_CONFIG_KEYS = ["alertWebhookUrl"] as const;

/** Fresh values for every secret a prod stack needs; generated per run, never kept in the repository. */
export function generateProdSecrets(): ProdSecrets {
    const age = generateAgeKeyPair();
    return {
        tlsCertificate: pemBlock("CERTIFICATE", 600) + pemBlock("CERTIFICATE", 600),
        tlsPrivateKey: pemBlock("PRIVATE KEY", 120),
        googleClientSecret: `GOCSPX-${crypto.randomBytes(21).toString("base64url")}`,
        backupAgeIdentity: age.identity,
        backupAgeRecipient: age.recipient,
    };
}

// ---- stack config ---------------------------------------------------------------------------------------

/** Pulumi.<stack>.yaml's config without the namespace prefix ({} when the file does not exist). */
export function stackFileConfig(stack: string): ConfigMap {
    const file = loadStackConfig(PROJECT_DIR, stack, false);
    const prefix = `${NAMESPACE}:`;
    const map: ConfigMap = {};
    for (const [key, value] of Object.entries(file.config)) {
        if (key.startsWith(prefix)) {
            map[key.slice(prefix.length)] = value;
        }
    }
    return map;
}

export interface StackInput {
    readonly stack: string;
    readonly config: ConfigMap;
    readonly secretKeys: readonly string[];
    /** The generated secrets, when the stack is prod. */
    readonly secrets?: ProdSecrets;
}

/**
 * The stack file's config, plus generated secrets (marked secret) for prod with the age recipient replaced by
 * the generated identity's, then `overrides` (undefined removes a key). `plainKeys` are left out of secretKeys.
 */
export function stackInput(stack: string, overrides: ConfigMap = {}, plainKeys: readonly string[] = []): StackInput {
    const config: ConfigMap = { ...stackFileConfig(stack) };
    let secrets: ProdSecrets | undefined;
    if ((config.environment ?? (/^prod/.test(stack) ? "prod" : "dev")) === "prod") {
        secrets = generateProdSecrets();
        Object.assign(config, secrets);
    }
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = value;
        }
    }
    const secretKeys = [...SECRET_CONFIG_KEYS, ...OPTIONAL_SECRET_CONFIG_KEYS].filter((k) => config[k] !== undefined && !plainKeys.includes(k));
    return { stack, config, secretKeys, secrets };
}

// ---- secret markers in recorded inputs -------------------------------------------------------------------

// Recorded inputs mark secrets in the engine's wire form: isSecret (tools/analyzer/wire) tells them.

/** The value with every secret marker removed, at any depth. */
export function unwrap<T = any>(value: unknown): T {
    if (isSecret(value)) {
        return unwrap(value.value);
    }
    if (Array.isArray(value)) {
        return value.map((v) => unwrap(v)) as T;
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)])) as T;
    }
    return value as T;
}

// ---- running the program ------------------------------------------------------------------------------------

export interface RegistrationOptions {
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
}

export interface ProgramResult {
    readonly input: StackInput;
    readonly resources: EngineResource[];
    readonly outputs: Record<string, unknown>;
    /** Resource options as sent to the engine, by URN. */
    readonly options: ReadonlyMap<string, RegistrationOptions>;
    /** What the program threw while it was being loaded, if anything. */
    readonly error?: unknown;
}

interface OptionsRequest {
    getType(): string;
    getName(): string;
    hasProtect?(): boolean;
    getProtect(): boolean;
    hasRetainondelete?(): boolean;
    getRetainondelete(): boolean;
}
interface UrnResponse {
    getUrn(): string;
}
type RegisterFn = (req: OptionsRequest, callback: (err: unknown, res: UrnResponse | undefined) => void) => Promise<void>;

/**
 * Runs infra/index.ts as `pulumi up` would, under the recording mocks. The entry module is evicted from
 * require's cache first, so every call is a fresh program run; the rest of infra/ is stateless and stays cached
 * (so ConfigError thrown by the run is the class the tests import).
 */
/** The stack's config as the engine hands it to a program and to a policy pack: "bulwark:<key>" -> string. */
export function engineConfig(input: StackInput): Record<string, string> {
    return Object.fromEntries(
        Object.entries(input.config)
            .filter((e): e is [string, string] => e[1] !== undefined)
            .map(([k, v]) => [`${NAMESPACE}:${k}`, v]),
    );
}

export async function runProgram(input: StackInput, preview = false): Promise<ProgramResult> {
    const config = engineConfig(input);
    const recorder = await installRecordingMocks({
        project: "bulwark",
        stack: input.stack,
        config,
        secretKeys: input.secretKeys.map((k) => `${NAMESPACE}:${k}`),
        preview,
    });
    // The recorder keeps inputs but not resource options; keep protect/retainOnDelete as the engine gets them.
    const options = new Map<string, RegistrationOptions>();
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterFn };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, res) => {
            if (!err && res) {
                options.set(res.getUrn(), {
                    protect: req.hasProtect === undefined || req.hasProtect() ? req.getProtect() : undefined,
                    retainOnDelete: req.hasRetainondelete === undefined || req.hasRetainondelete() ? req.getRetainondelete() : undefined,
                });
            }
            callback(err, res);
        });

    delete require.cache[require.resolve(ENTRY)];
    let exported: Record<string, unknown> = {};
    let error: unknown;
    try {
        exported = require(ENTRY) as Record<string, unknown>;
    } catch (e) {
        error = e;
    }
    const outputs = error === undefined ? await resolveOutputs({ ...exported }) : {};
    const run = await recorder.finish(error === undefined ? { ...exported } : undefined);
    return { input, resources: run.resources, outputs, options, error };
}

/** A program run that must succeed, with finders over what it registered. */
export async function runStack(stack: string, overrides: ConfigMap = {}, preview = false): Promise<StackRun> {
    const result = await runProgram(stackInput(stack, overrides), preview);
    if (result.error !== undefined) {
        throw result.error;
    }
    return new StackRun(result);
}

export type Env = Record<string, string>;

export class StackRun {
    readonly input: StackInput;
    readonly resources: EngineResource[];
    readonly outputs: Record<string, unknown>;
    readonly options: ReadonlyMap<string, RegistrationOptions>;

    constructor(result: ProgramResult) {
        this.input = result.input;
        this.resources = result.resources;
        this.outputs = result.outputs;
        this.options = result.options;
    }

    get stack(): string {
        return this.input.stack;
    }

    byType(type: string): EngineResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of a type (matching `predicate`); fails the test when there is not exactly one. */
    one(type: string, predicate: (r: EngineResource) => boolean = () => true, what = type): EngineResource {
        const found = this.byType(type).filter(predicate);
        if (found.length !== 1) {
            throw new Error(`expected exactly one ${what}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
        }
        return found[0];
    }

    byUrn(urn: string): EngineResource | undefined {
        return this.resources.find((r) => r.urn === urn);
    }

    containers(): EngineResource[] {
        return this.byType(TYPES.container);
    }

    /** Service names, from the `bulwark.service` label. */
    services(): string[] {
        return this.containers().map((c) => serviceOf(c));
    }

    container(service: string): EngineResource {
        return this.one(TYPES.container, (c) => serviceOf(c) === service, `container with ${LABELS.service}=${service}`);
    }

    networks(): EngineResource[] {
        return this.byType(TYPES.network);
    }

    /** The network named `<stack>-<purpose>`. */
    network(purpose: string): EngineResource {
        return this.one(TYPES.network, (n) => n.inputs.name === `${this.stack}-${purpose}`, `network ${this.stack}-${purpose}`);
    }

    volumes(): EngineResource[] {
        return this.byType(TYPES.volume);
    }

    volume(volumeName: string): EngineResource {
        return this.one(TYPES.volume, (v) => v.inputs.name === volumeName, `volume ${volumeName}`);
    }

    optionsOf(r: EngineResource): RegistrationOptions {
        return this.options.get(r.urn) ?? {};
    }

    /** The configured value (string) of a key, as the run saw it. */
    cfg(key: string): string | undefined {
        return this.input.config[key];
    }

    /** The configured value of an object/list key, parsed. */
    cfgJson<T = any>(key: string): T | undefined {
        const raw = this.input.config[key];
        return raw === undefined ? undefined : (JSON.parse(raw) as T);
    }
}

export function serviceOf(container: EngineResource): string {
    return labelValue(unwrap(container.inputs.labels), LABELS.service) ?? "";
}

export function labelOf(container: EngineResource, key: string): string | undefined {
    return labelValue(unwrap(container.inputs.labels), key);
}

/** A container's environment as a map (secret markers removed). */
export function envOf(container: EngineResource): Env {
    const envs = unwrap<string[] | undefined>(container.inputs.envs) ?? [];
    return Object.fromEntries(
        envs.map((e) => {
            const eq = e.indexOf("=");
            return [e.slice(0, eq), e.slice(eq + 1)];
        }),
    );
}

/** Names of the networks a container joins (networksAdvanced). */
export function networksOf(container: EngineResource): string[] {
    return (unwrap<{ name: string }[] | undefined>(container.inputs.networksAdvanced) ?? []).map((n) => n.name);
}

/** The `-c name=value` settings of the postgres command line. */
export function postgresSettings(command: readonly string[]): Record<string, string> {
    const settings: Record<string, string> = {};
    command.forEach((arg, i) => {
        if (arg === "-c" && i + 1 < command.length) {
            const value = command[i + 1];
            const eq = value.indexOf("=");
            settings[value.slice(0, eq)] = value.slice(eq + 1);
        }
    });
    return settings;
}

/** Every string in a value, at any depth (outputs included; SecretValue wrappers are opened). */
export function stringsIn(value: unknown): string[] {
    if (value instanceof SecretValue) {
        return stringsIn(value.value);
    }
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        return value.flatMap(stringsIn);
    }
    if (value && typeof value === "object") {
        return Object.values(value).flatMap(stringsIn);
    }
    return [];
}

export { SecretValue };
