// What the real providers do with a resource, for every type the stack registers: the defaults their Check adds
// to the inputs (resource policies see the checked inputs), the values they assign on create (stack policies
// and the program see these after `pulumi up`), and which of those are unknown in `pulumi preview` (a preview of
// a create knows only the checked inputs). Each entry names the provider source it is taken from. The mocks,
// `policy:check` and the runtime capture all read this one model, so a mocked value is never one the real
// provider would not return.
import { createHash } from "node:crypto";
import * as path from "node:path";
import {
    BUCKET_POLICY_TYPE,
    BUCKET_TYPE,
    CONTAINER_TYPE,
    containsUnknown,
    IAM_ACCESS_KEY_TYPE,
    IAM_ROLE_POLICY_TYPE,
    IAM_ROLE_TYPE,
    IAM_USER_POLICY_TYPE,
    IAM_USER_TYPE,
    IMAGE_TYPE,
    KMS_ALIAS_TYPE,
    KMS_KEY_TYPE,
    NETWORK_TYPE,
    RANDOM_TYPES,
    S3_COMPANIONS,
    VOLUME_TYPE,
    withoutBridgeDefaults,
} from "bulwark-vocabulary";
import { UNKNOWN } from "../analyzer/wire";
import { bridgeCheck, frameworkDefaults, markSensitive, plannedState, PROVIDER_SCHEMA } from "./provider-schema";

type Props = Record<string, unknown>;

export interface ModelContext {
    readonly type: string;
    /** The Pulumi resource name (not the physical name). */
    readonly name: string;
    /** Deterministic bytes for this resource, so runs and reports repeat. */
    bytes(n: number, salt?: string): Buffer;
    hex(n: number, salt?: string): string;
}

export interface ProviderEntry {
    /** Where this behaviour is taken from. */
    readonly source: string;
    /** Check: what the provider adds to the program's inputs (schema defaults, auto-names). Known in a preview. */
    readonly check?: (inputs: Props, ctx: ModelContext) => Props;
    /** Values the provider assigns on create; each key is unknown in a preview of a create. */
    readonly computed: (inputs: Props, ctx: ModelContext) => Props;
    /** Optional+Computed fields: the program's value when it gave one, else assigned on create (unknown in a preview). */
    readonly computedIfAbsent?: (inputs: Props, ctx: ModelContext) => Props;
    /** The resource's ID after create; the engine has none in a preview of a create. */
    readonly id: (inputs: Props, outputs: Props, ctx: ModelContext) => string;
}

const ACCOUNT = "123456789012";
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

function chars(bytes: Buffer, alphabet: string): string {
    return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Only the keys the program left out: a schema default never overrides a given value. */
function defaults(inputs: Props, values: Props): Props {
    return Object.fromEntries(Object.entries(values).filter(([k]) => inputs[k] === undefined));
}

/** Pulumi's auto-naming (the bridge's Check): "<resource name>-<7 hex>", known from Check on, so known in preview. */
function autoName(ctx: ModelContext): string {
    return `${ctx.name}-${ctx.hex(4).slice(0, 7)}`;
}

const TF_DOCKER = "kreuzwerker/terraform-provider-docker internal/provider/resource_docker_";
// The bridge (v3.136+) fills only defaults that are not falsy (pulumi-terraform-bridge#2618): false, 0 and "" are left out.
const BRIDGE_CHECK = "schema Defaults that are not falsy, applied to the inputs by pulumi-terraform-bridge's Check (applyDefaults)";

/** Go's time.Duration.String() of a Docker duration ("60s" -> "1m0s"); an unparsable value is left as it is. */
function goDurationOf(value: unknown): unknown {
    const match = typeof value === "string" ? /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value) : null;
    if (!match || value === "") {
        return value;
    }
    const total = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** What the docker provider reads back from `docker inspect` for values the program set: Docker's normal forms. */
function readBack(inputs: Props): Props {
    const result: Props = {};
    if (typeof inputs.cpus === "string" && /^\d+(\.\d+)?$/.test(inputs.cpus)) {
        const n = Number(inputs.cpus);
        result.cpus = Number.isInteger(n * 10) ? n.toFixed(1) : String(n);
    }
    const hc = inputs.healthcheck as Props | undefined;
    if (hc && typeof hc === "object") {
        result.healthcheck = { ...hc, ...Object.fromEntries(["interval", "timeout", "startPeriod", "startInterval"].filter((k) => k in hc).map((k) => [k, goDurationOf(hc[k])])) };
    }
    return result;
}

/** pulumi-docker's host platform: linux/<GOARCH>. */
const HOST_PLATFORM = `linux/${process.arch === "x64" ? "amd64" : process.arch === "arm64" ? "arm64" : process.arch}`;

const awsRegion = (inputs: Props) => (typeof inputs.region === "string" ? inputs.region : "eu-central-1");

/** Go's json.Marshal of a map: object keys sorted, no spaces. */
function goJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(goJson).join(",")}]`;
    }
    if (value && typeof value === "object") {
        const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

const JSON_DOCUMENT =
    "pulumi/pulumi-aws provider/resources.go (`policy`: Type string, AltTypes PolicyDocument, Transform " +
    "tfbridge.TransformJSONDocument) and pulumi/pulumi-terraform-bridge pkg/tfbridge/transforms.go, applied in Check " +
    "(makeTerraformInputs, then MakeTerraformOutputs): a typed document becomes its JSON text (json.Marshal, keys " +
    "sorted), and one holding any unknown value becomes unknown as a whole";

const JSON_DOCUMENT_SHORT = "a JSON document (the same bridge transform as `policy`)";

/** The bridge's TransformJSONDocument on a document input: JSON text kept, a document marshalled, unknown if any part is. */
function jsonDocument(inputs: Props, key = "policy"): Props {
    const document = inputs[key];
    if (document === undefined || typeof document === "string") {
        return {};
    }
    return { [key]: containsUnknown(document) ? UNKNOWN : goJson(document) };
}

/** Sub-resources of a bucket: their ID is the bucket's name, assigned on create. */
const bucketChild = (source: string): ProviderEntry => ({
    source,
    computed: () => ({}),
    id: (inputs) => String(inputs.bucket),
});

/** pulumi-docker image.go: build.dockerfile (default <context>/Dockerfile), relative to the context. */
function dockerfileInContext(build: Props | undefined): string {
    const context = typeof build?.context === "string" ? build.context : ".";
    return typeof build?.dockerfile === "string" ? path.relative(context, build.dockerfile) : "Dockerfile";
}

export const PROVIDER_MODEL: Readonly<Record<string, ProviderEntry>> = {
    [CONTAINER_TYPE]: {
        source:
            `${TF_DOCKER}container.go (Check's defaults and which attributes are sets or computed: provider-schema/schemas.json; values assigned on create: bridge, network_data, exit_code, container_logs; ` +
            "read back after create: cpus with one decimal, health check durations as Go's Duration.String(), as the " +
            "first real `pulumi up` showed)",
        computed: (inputs, ctx) => ({
            ...readBack(inputs),
            bridge: "",
            exitCode: 0,
            containerLogs: "",
            networkDatas: (Array.isArray(inputs.networksAdvanced) ? inputs.networksAdvanced : []).map((n, i) => ({
                networkName: (n as Props).name,
                ipAddress: `172.29.${i}.${2 + (ctx.bytes(1, `ip${i}`)[0] % 200)}`,
                ipPrefixLength: 24,
                gateway: `172.29.${i}.1`,
                macAddress: `02:42:${ctx.hex(4, `mac${i}`).match(/../g)!.join(":")}`,
                globalIpv6Address: "",
                globalIpv6PrefixLength: 0,
                ipv6Gateway: "",
            })),
        }),
        // Read back from `docker inspect` after create: Docker's own defaults for what the program left out.
        computedIfAbsent: (_inputs, ctx) => ({
            hostname: ctx.hex(6),
            command: [],
            entrypoints: [],
            envs: [],
            labels: [],
            securityOpts: [],
            runtime: "runc",
            stopSignal: "SIGTERM",
            stopTimeout: 0,
            shmSize: 64,
            logDriver: "json-file",
            ipcMode: "private",
            init: false,
        }),
        id: (_inputs, _outputs, ctx) => ctx.hex(32),
    },
    [IMAGE_TYPE]: {
        source:
            "pulumi/pulumi-docker provider/image.go (native resource; with skipPush the image is only built locally, " +
            "and repoDigest is the local image ID, sha256:<64 hex>, never repository@digest; with buildOnPreview " +
            "false nothing is built in a preview, so every build output is unknown; provider.go Check sets buildOnPreview, " +
            "build.context and build.dockerfile, build.contextDigest (a hash of the context) and build.platform, the host's)",
        check: (inputs, ctx) => {
            const build = inputs.build && typeof inputs.build === "object" && !containsUnknown(inputs.build) ? (inputs.build as Props) : undefined;
            const context = typeof build?.context === "string" ? build.context : ".";
            return {
                buildOnPreview: typeof inputs.buildOnPreview === "boolean" ? inputs.buildOnPreview : false,
                ...(build || inputs.build === undefined
                    ? {
                          build: {
                              ...(build ?? {}),
                              context,
                              dockerfile: typeof build?.dockerfile === "string" ? build.dockerfile : path.join(context, "Dockerfile"),
                              // Generated: a sha256 of the context's files (hashContext), here of the resource.
                              contextDigest: ctx.hex(32, "context-digest"),
                              platform: typeof build?.platform === "string" ? build.platform : HOST_PLATFORM,
                          },
                      }
                    : {}),
            };
        },
        computed: (inputs, ctx) => ({
            repoDigest: `sha256:${ctx.hex(32, "image-id")}`,
            baseImageName: inputs.imageName,
            registryServer: "",
            context: (inputs.build as Props | undefined)?.context ?? ".",
            // image.go returns the Dockerfile relative to the context (clibuild.GetContextFromLocalDir).
            dockerfile: dockerfileInContext(inputs.build as Props | undefined),
            platform: "",
        }),
        id: (_inputs, outputs) => String(outputs.repoDigest),
    },
    [NETWORK_TYPE]: {
        source:
            `${TF_DOCKER}network.go (Check's defaults: provider-schema/schemas.json; computed: id, scope; ipam_config Optional+Computed, read back by ` +
            "flattenIpamConfigSpec; an absent one is the range dockerd assigns from its default-address-pools, 172.17-31.0.0/16)",
        computed: () => ({ scope: "local" }),
        computedIfAbsent: (_inputs, ctx) => {
            const second = 18 + (parseInt(ctx.hex(1), 16) % 14);
            return {
                driver: "bridge",
                options: {},
                ipamConfigs: [{ subnet: `172.${second}.0.0/16`, gateway: `172.${second}.0.1`, ipRange: "", auxAddress: {} }],
            };
        },
        id: (_inputs, _outputs, ctx) => ctx.hex(32),
    },
    [VOLUME_TYPE]: {
        source: `${TF_DOCKER}volume.go (computed: id, mountpoint)`,
        computed: (inputs, ctx) => ({ mountpoint: `/var/lib/docker/volumes/${inputs.name ?? ctx.name}/_data` }),
        computedIfAbsent: () => ({ driver: "local", driverOpts: {} }),
        id: (inputs, _outputs, ctx) => String(inputs.name ?? ctx.hex(32)),
    },
    [RANDOM_TYPES.password]: {
        source:
            "hashicorp/terraform-provider-random internal/provider/resource_password.go (Plugin Framework: no defaults in " +
            'Check, the schema\'s in the plan (provider-schema/schemas.json); computed: result, bcrypt_hash; id "none")',
        computed: (inputs, ctx) => {
            const alphabet = ALPHANUMERIC + (inputs.special === false ? "" : SPECIAL);
            return {
                result: chars(ctx.bytes(Number(inputs.length ?? 16), "result"), alphabet),
                bcryptHash: `$2a$10$${chars(ctx.bytes(53, "bcrypt"), ALPHANUMERIC)}`,
            };
        },
        id: () => "none",
    },
    [RANDOM_TYPES.bytes]: {
        source: "hashicorp/terraform-provider-random internal/provider/resource_bytes.go (computed: base64, hex; no id attribute, so no id among the outputs; the engine's id = base64)",
        computed: (inputs, ctx) => {
            const bytes = ctx.bytes(Number(inputs.length ?? 32), "bytes");
            return { hex: bytes.toString("hex"), base64: bytes.toString("base64") };
        },
        id: (_inputs, outputs) => String(outputs.base64),
    },
    [BUCKET_TYPE]: {
        source:
            "pulumi/pulumi-aws (bridged hashicorp/terraform-provider-aws internal/service/s3/bucket.go; auto-naming " +
            "of `bucket` in Check, so the name is known in a preview; computed: arn, region, domain names, hosted zone)",
        check: (inputs, ctx) => defaults(inputs, { bucket: autoName(ctx) }),
        computed: (inputs) => {
            const bucket = String(inputs.bucket);
            return {
                arn: `arn:aws:s3:::${bucket}`,
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${bucket}.s3.${awsRegion(inputs)}.amazonaws.com`,
                hostedZoneId: "Z21DNDUVLTQW6Q",
            };
        },
        computedIfAbsent: (inputs) => ({ region: awsRegion(inputs) }),
        id: (inputs) => String(inputs.bucket),
    },
    [KMS_KEY_TYPE]: {
        source: `hashicorp/terraform-provider-aws internal/service/kms/key.go (${BRIDGE_CHECK}; computed: arn, key_id, policy when not given)`,
        check: (inputs) =>
            defaults(inputs, {
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                isEnabled: true,
                keyUsage: "ENCRYPT_DECRYPT",
            }),
        computed: (inputs, ctx) => {
            const keyId = [ctx.hex(4), ctx.hex(2, "b"), ctx.hex(2, "c"), ctx.hex(2, "d"), ctx.hex(6, "e")].join("-");
            return { keyId, arn: `arn:aws:kms:${awsRegion(inputs)}:${ACCOUNT}:key/${keyId}` };
        },
        computedIfAbsent: () => ({ multiRegion: false, rotationPeriodInDays: 365 }),
        id: (_inputs, outputs) => String(outputs.keyId),
    },
    [KMS_ALIAS_TYPE]: {
        source: "hashicorp/terraform-provider-aws internal/service/kms/alias.go (computed: arn, target_key_arn)",
        computed: (inputs) => ({ arn: `arn:aws:kms:${awsRegion(inputs)}:${ACCOUNT}:${inputs.name}`, targetKeyArn: `arn:aws:kms:${awsRegion(inputs)}:${ACCOUNT}:key/${inputs.targetKeyId}` }),
        id: (inputs) => String(inputs.name),
    },
    [IAM_USER_TYPE]: {
        source: `hashicorp/terraform-provider-aws internal/service/iam/user.go (${BRIDGE_CHECK}; computed: arn, unique_id)`,
        check: (inputs, ctx) => defaults(inputs, { name: autoName(ctx), path: "/" }),
        computed: (inputs, ctx) => ({ arn: `arn:aws:iam::${ACCOUNT}:user${inputs.path ?? "/"}${inputs.name}`, uniqueId: `AIDA${chars(ctx.bytes(17), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}` }),
        id: (inputs) => String(inputs.name),
    },
    [IAM_ROLE_TYPE]: {
        source: `hashicorp/terraform-provider-aws internal/service/iam/role.go (${BRIDGE_CHECK}; computed: arn, unique_id); \`assumeRolePolicy\` as ${JSON_DOCUMENT_SHORT}`,
        check: (inputs, ctx) => ({
            ...defaults(inputs, { name: autoName(ctx), path: "/", maxSessionDuration: 3600 }),
            ...jsonDocument(inputs, "assumeRolePolicy"),
        }),
        computed: (inputs, ctx) => ({ arn: `arn:aws:iam::${ACCOUNT}:role${inputs.path ?? "/"}${inputs.name}`, uniqueId: `AROA${chars(ctx.bytes(17), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}` }),
        id: (inputs) => String(inputs.name),
    },
    [IAM_USER_POLICY_TYPE]: {
        source: `hashicorp/terraform-provider-aws internal/service/iam/user_policy.go (auto-named \`name\`; id user:name); ${JSON_DOCUMENT}`,
        check: (inputs, ctx) => ({ ...defaults(inputs, { name: autoName(ctx) }), ...jsonDocument(inputs) }),
        computed: () => ({}),
        id: (inputs) => `${inputs.user}:${inputs.name}`,
    },
    [IAM_ROLE_POLICY_TYPE]: {
        source: `hashicorp/terraform-provider-aws internal/service/iam/role_policy.go (auto-named \`name\`; id role:name); ${JSON_DOCUMENT}`,
        check: (inputs, ctx) => ({ ...defaults(inputs, { name: autoName(ctx) }), ...jsonDocument(inputs) }),
        computed: () => ({}),
        id: (inputs) => `${inputs.role}:${inputs.name}`,
    },
    [IAM_ACCESS_KEY_TYPE]: {
        source: "hashicorp/terraform-provider-aws internal/service/iam/access_key.go (computed: id, secret, create_date, ses_smtp_password_v4)",
        check: (inputs) => defaults(inputs, { status: "Active" }),
        computed: (_inputs, ctx) => ({
            secret: chars(ctx.bytes(40, "secret"), ALPHANUMERIC + "/+"),
            sesSmtpPasswordV4: chars(ctx.bytes(44, "smtp"), ALPHANUMERIC),
            // pulumi/pulumi-aws bridges hashicorp/terraform-provider-aws internal/service/iam/access_key.go (the
            // former resource_aws_iam_access_key.go), which sets create_date from the CreateAccessKey response
            // (AccessKey.CreateDate, RFC 3339, second precision): the time of the create. A key the mocks create is
            // created today; the start of the UTC day keeps runs and reports repeatable within the day, where a
            // fixed date would age past every rotation limit (aws-access-key-max-age) as the calendar moves on.
            createDate: `${new Date().toISOString().slice(0, 10)}T00:00:00Z`,
        }),
        id: (_inputs, _outputs, ctx) => `AKIA${chars(ctx.bytes(16, "id"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
    },
    [BUCKET_POLICY_TYPE]: {
        ...bucketChild(`hashicorp/terraform-provider-aws internal/service/s3/bucket_policy.go (id = bucket); ${JSON_DOCUMENT}`),
        check: (inputs) => jsonDocument(inputs),
    },
    [S3_COMPANIONS.versioning[0]]: bucketChild("hashicorp/terraform-provider-aws internal/service/s3/bucket_versioning.go (id = bucket)"),
    [S3_COMPANIONS.logging[0]]: bucketChild("hashicorp/terraform-provider-aws internal/service/s3/bucket_logging.go (id = bucket)"),
    [S3_COMPANIONS.publicAccessBlock[0]]: bucketChild(
        "hashicorp/terraform-provider-aws internal/service/s3/bucket_public_access_block.go (id = bucket)",
    ),
    [S3_COMPANIONS.ownershipControls[0]]: bucketChild(
        "hashicorp/terraform-provider-aws internal/service/s3/bucket_ownership_controls.go (id = bucket)",
    ),
    [S3_COMPANIONS.encryption[0]]: bucketChild(
        "hashicorp/terraform-provider-aws internal/service/s3/bucket_server_side_encryption_configuration.go (id = bucket)",
    ),
    [S3_COMPANIONS.replication[0]]: bucketChild(
        "hashicorp/terraform-provider-aws internal/service/s3/bucket_replication_configuration.go (id = bucket)",
    ),
    [S3_COMPANIONS.lifecycle[0]]: bucketChild(
        "hashicorp/terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go (id = bucket)",
    ),
};

export const PASS_THROUGH_SOURCE = "pulumi/pulumi pkg/resource/deploy (providers' and components' outputs are what the program set)";

/** Providers and component resources: the engine keeps their inputs as outputs. */
const PASS_THROUGH: ProviderEntry = {
    source: PASS_THROUGH_SOURCE,
    computed: () => ({}),
    id: (_inputs, _outputs, ctx) => (ctx.type.startsWith("pulumi:providers:") ? ctx.hex(16) : ""),
};

/** A type the model does not list: only its ID is computed. Tests may register such types; the stack does not. */
const UNLISTED: ProviderEntry = {
    source: "no provider source: a type the stack does not register (tests only); only its ID is computed",
    computed: () => ({}),
    id: (_inputs, _outputs, ctx) => `${ctx.name}-${ctx.hex(4)}`,
};

export function entryFor(type: string, custom = true): ProviderEntry {
    if (!custom || type.startsWith("pulumi:providers:")) {
        return PASS_THROUGH;
    }
    return PROVIDER_MODEL[type] ?? UNLISTED;
}

function contextFor(type: string, name: string): ModelContext {
    const seed = `${type}::${name}`;
    const bytes = (n: number, salt = "") => {
        const chunks: Buffer[] = [];
        let total = 0;
        for (let i = 0; total < n; i++) {
            const chunk = createHash("sha256").update(`${seed}#${salt}#${i}`).digest();
            chunks.push(chunk);
            total += chunk.length;
        }
        return Buffer.concat(chunks).subarray(0, n);
    };
    return { type, name, bytes, hex: (n, salt) => bytes(n, salt).toString("hex") };
}

/** What the engine gets from a provider for one resource: the checked inputs, then the state after create or in a preview. */
export interface ProviderResult {
    /** What Analyze gets: the inputs after Check, nested `__defaults` included. */
    readonly checkedInputs: Props;
    readonly id: string;
    /** What AnalyzeStack gets: the planned state in a preview, the state after create in an update; `id` among them where the engine sends one. */
    readonly outputs: Props;
    readonly source: string;
}

/** Whether the engine's view of a resource carries an id: only where the provider's schema has one (fact 8). */
function sendsId(type: string, custom: boolean): boolean {
    if (!custom || type.startsWith("pulumi:providers:")) {
        return false;
    }
    const schema = PROVIDER_SCHEMA[type];
    // A native provider's type (docker Image) or an unlisted test type: the Image sends none; test types keep one.
    return schema ? schema.hasId : type !== IMAGE_TYPE;
}

export function simulate(type: string, name: string, inputs: Props, opts: { preview: boolean; custom?: boolean }): ProviderResult {
    const custom = opts.custom ?? true;
    const entry = entryFor(type, custom);
    const schema = custom ? PROVIDER_SCHEMA[type] : undefined;
    const ctx = contextFor(type, name);
    const entryChecked = { ...inputs, ...(entry.check?.(inputs, ctx) ?? {}) };
    const checkedInputs = schema ? markSensitive(bridgeCheck(entryChecked, schema), schema) : entryChecked;
    // The provider's state never carries the bridge's bookkeeping.
    const state = withoutBridgeDefaults(checkedInputs) as Props;
    const computed = entry.computed(state, ctx);
    const ifAbsent = defaults(state, entry.computedIfAbsent?.(state, ctx) ?? {});
    const assigned = { ...ifAbsent, ...computed };
    const withId = sendsId(type, custom);
    if (opts.preview) {
        // The plan keeps what the program gave (Docker's read-back forms come after create); the rest is unknown.
        const unknown = Object.fromEntries(Object.keys(assigned).filter((k) => state[k] === undefined).map((k) => [k, UNKNOWN]));
        const planned = schema ? plannedState(state, schema) : state;
        return { checkedInputs, id: "", outputs: { ...planned, ...unknown, ...(withId ? { id: UNKNOWN } : {}) }, source: entry.source };
    }
    const created = { ...state, ...(schema ? frameworkDefaults(state, schema) : {}), ...assigned };
    // Sensitive outputs stay plain here: the bridge's MarkSchemaSecrets on outputs (fact 9) is not modelled yet.
    const outputs = created;
    const id = entry.id(created, created, ctx);
    return { checkedInputs, id, outputs: withId ? { ...outputs, id } : outputs, source: entry.source };
}

/** The version of the installed @pulumi/<pkg> SDK, which the engine asks for as the package's default provider. */
function sdkVersion(pkg: string): string | undefined {
    try {
        return (require(`@pulumi/${pkg}/package.json`) as { version: string }).version.replace(/^v/, "");
    } catch {
        return undefined;
    }
}

/**
 * The default provider the engine registers for a package the program uses without an explicit provider
 * (pulumi/pulumi pkg/resource/deploy/providers/registry.go: `default_<version with _>`, no parent, its inputs
 * the version the SDK asked for; no id in a preview). Undefined for a package with no SDK installed (test types).
 */
export function defaultProvider(project: string, stack: string, pkg: string) {
    const version = sdkVersion(pkg);
    if (version === undefined || pkg === "pulumi") {
        return undefined;
    }
    const type = `pulumi:providers:${pkg}`;
    const name = `default_${version.replace(/[.-]/g, "_")}`;
    const inputs = { version };
    return {
        type,
        name,
        urn: `urn:pulumi:${stack}::${project}::${type}::${name}`,
        custom: true,
        inputs,
        checkedInputs: inputs,
        outputs: inputs,
        dependencies: [] as string[],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        providerSource: PASS_THROUGH_SOURCE,
    };
}
