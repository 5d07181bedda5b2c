// Typed, validated stack configuration. Every key is read and checked here, before any resource exists:
// a bad value stops the program with one message per problem, naming the key and the fix.
import { isIP, isIPv4, isIPv6 } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, DEFAULT_PUBLIC_PORTS, DEV_PUBLISH_ADDRESS, hostPathSensitivity, MAX_CONTAINER_MEMORY_MB, normalizeHostPath } from "bulwark-vocabulary";
import { ageRecipientFromIdentity, identityLine, isAgeIdentity, isAgeRecipient } from "../age";
import type { NonRootUser, ServiceResources } from "../hardening";

export const NAMESPACE = CONFIG_NAMESPACE;

export type Environment = "dev" | "prod";
export type TlsMode = "self-signed" | "provided";
/** "drill" is the restore drill's own: it restores the whole database, so it may use more CPU than the backup job. */
export const SERVICES = ["proxy", "backend", "frontend", "database", "backup", "drill"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface BackupRetention {
    readonly daily: number;
    readonly weekly: number;
    readonly monthly: number;
}

/** How the stack runs an application image: its user, its health probe and the paths it must write. */
export interface AppServiceConfig {
    readonly user: NonRootUser;
    readonly healthCommand: readonly [string, ...string[]];
    readonly writablePaths: readonly string[];
}

export interface OffsiteBackupConfig {
    readonly enabled: boolean;
    /** Explicit bucket name; omitted, AWS names it from the stack. */
    readonly bucketName?: string;
    readonly region: string;
    readonly kmsKeyDeletionWindowDays: number;
    /** IAM principals (ARNs) besides the backup identity that may read the bucket. */
    readonly adminPrincipalArns: readonly string[];
    /** Days a replaced or deleted object version is kept before the lifecycle removes it. */
    readonly noncurrentVersionDays: number;
    /** Source CIDRs uploads may come from; empty: any address (the bucket policy then has no aws:SourceIp rule). */
    readonly allowedSourceCidrs: readonly string[];
    /**
     * Generations of the uploader's IAM access key, oldest first (default ["1"]); each is an aws.iam.AccessKey,
     * the uploader uses the last. Rotation: append a generation, `pulumi up`; then drop the old one, `pulumi up`.
     * IAM allows two access keys per user, so at most two.
     */
    readonly accessKeys: readonly [string, ...string[]];
    /** A second copy in another region, under its own KMS key (offsiteBackup.replica); absent: one copy. */
    readonly replica?: OffsiteReplicaConfig;
}

/** Where the backup bucket replicates to: another region, so one region's outage or loss keeps a copy. */
export interface OffsiteReplicaConfig {
    readonly region: string;
    /** Explicit bucket name; omitted, AWS names it from the stack. */
    readonly bucketName?: string;
}

export interface BulwarkConfig {
    readonly stack: string;
    readonly environment: Environment;
    readonly domain: string;
    readonly httpsPort: number;
    readonly httpPort: number;
    /** Host address the proxy's ports bind to: loopback in dev, the operator's choice (required) in prod. */
    readonly publishAddress: string;
    readonly tls:
        | { readonly mode: "self-signed" }
        | { readonly mode: "provided"; readonly certificate: pulumi.Output<string>; readonly privateKey: pulumi.Output<string> };
    /** Digest-pinned base for the images the stack builds. */
    readonly baseImage: string;
    /** Prebuilt application images; undefined means "build the demo stand-in from images/". */
    readonly backendImage?: string;
    readonly frontendImage?: string;
    readonly backend: AppServiceConfig;
    readonly frontend: AppServiceConfig;
    /** The internal data network's CIDR; pg_hba admits only it. */
    /** Undefined: Docker assigns a free range, so stacks sharing a host never collide. */
    readonly dataSubnet?: string;
    readonly resources: Readonly<Record<ServiceName, ServiceResources>>;
    readonly corsOrigins: readonly string[];
    readonly jwtAccessTtlSeconds: number;
    readonly jwtRefreshTtlSeconds: number;
    readonly backupSchedule: string;
    readonly restoreDrillSchedule: string;
    readonly backupRetention: BackupRetention;
    /**
     * The age key pair. From config in prod (identity secret); generated in dev when neither is set, so
     * the embedded default runs with no setup.
     */
    readonly backupAge: { readonly recipient: string; readonly identity: pulumi.Output<string> } | { readonly generate: true };
    readonly offsiteBackup: OffsiteBackupConfig;
    readonly authRateLimit: { readonly requestsPerMinute: number; readonly burst: number };
    readonly requestBodyLimitMb: number;
    readonly googleClientSecret?: pulumi.Output<string>;
    readonly logRotation: { readonly maxSizeMb: number; readonly maxFiles: number };
    /** Secret config: the URL usually carries a token (issue 13). */
    readonly alertWebhookUrl?: pulumi.Output<string>;
    /**
     * A host directory, on a filesystem of its own that the operator mounted and sized, to hold the backup
     * volume (a local bind volume), so backups cannot fill the disk the database lives on (issue 13).
     */
    readonly backupVolumeHostPath?: string;
}

/** Where raw config comes from: Pulumi's config in a program, a plain map in tests. */
export interface ConfigSource {
    readonly stack: string;
    /** The raw string for `bulwark:<key>`, or undefined. Object values arrive as JSON. */
    get(key: string): string | undefined;
    isSecret(key: string): boolean;
}

export class ConfigError extends Error {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(
            `bulwark: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}; nothing was deployed.\n` +
                problems.map((p) => `  - ${NAMESPACE}:${p.key}: ${p.message} Fix: ${p.fix}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export interface ConfigProblem {
    readonly key: string;
    readonly message: string;
    readonly fix: string;
}

export function pulumiConfigSource(): ConfigSource {
    // isConfigSecret is not in the typings but is how the SDK itself tells secret config apart.
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return {
        stack: pulumi.getStack(),
        get: (key) => pulumi.runtime.getConfig(`${NAMESPACE}:${key}`),
        isSecret: (key) => runtimeConfig.isConfigSecret?.(`${NAMESPACE}:${key}`) ?? false,
    };
}

export const DEFAULT_BASE_IMAGE =
    "debian:bookworm-slim@sha256:3783cc01769c7b2b1b83a5c5ad96c815348e28ed7da68e2e3687004faa906251";

export const DEFAULT_RESOURCES: Readonly<Record<ServiceName, ServiceResources>> = {
    proxy: { memoryMb: 128, cpus: 0.5 },
    backend: { memoryMb: 512, cpus: 1 },
    frontend: { memoryMb: 128, cpus: 0.5 },
    database: { memoryMb: 1024, cpus: 1 },
    backup: { memoryMb: 512, cpus: 1 },
    // Two CPUs: the drill's restore is CPU-bound (decrypt, decompress, pg_restore and its server), and at
    // equal CPU weight it still yields half the host to live services under contention (issue 10).
    drill: { memoryMb: 512, cpus: 2 },
};

export const LIMITS = {
    memoryMb: { min: 64, max: MAX_CONTAINER_MEMORY_MB },
    cpus: { min: 0.05, max: 64 },
    jwtAccessTtlSeconds: { min: 60, max: 3600 },
    jwtRefreshTtlSeconds: { min: 3600, max: 2592000 },
    retention: { daily: { min: 1, max: 365 }, weekly: { min: 0, max: 104 }, monthly: { min: 0, max: 120 } },
    kmsKeyDeletionWindowDays: { min: 7, max: 30 },
    noncurrentVersionDays: { min: 1, max: 3650 },
    requestsPerMinute: { min: 1, max: 600 },
    burst: { min: 0, max: 100 },
    requestBodyLimitMb: { min: 1, max: 1024 },
    logMaxSizeMb: { min: 1, max: 1024 },
    logMaxFiles: { min: 1, max: 100 },
} as const;

/** Defaults for the demo stand-ins built from images/ (dev) and for user images (a Rails 7.1+ layout). */
export const APP_DEFAULTS = {
    demo: {
        backend: { user: "10201:10201", healthCommand: ["/usr/local/bin/healthcheck"], writablePaths: ["/tmp"] },
        frontend: { user: "10301:10301", healthCommand: ["/usr/local/bin/healthcheck"], writablePaths: ["/tmp"] },
    },
    custom: {
        backend: { user: "1000:1000", healthCommand: ["curl", "-fsS", "--max-time", "4", "http://127.0.0.1:3000/up"], writablePaths: ["/tmp", "/rails/tmp", "/rails/log"] },
        // Not the backend's uid: each container needs its own for nproc to bound it (CON-08).
        frontend: { user: "1001:1001", healthCommand: ["curl", "-fsS", "--max-time", "4", "http://127.0.0.1:8080/"], writablePaths: ["/tmp"] },
    },
} as const satisfies Record<string, Record<"backend" | "frontend", AppServiceConfig>>;


const DIGEST = /@sha256:[0-9a-f]{64}$/;
export const LOCAL_IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role|root|group)(\/[\w+=,.@/-]+)?$/;

/** An IPv4 or IPv6 CIDR narrower than "everywhere" (/0 would make the source-IP rule a no-op). */
export function isSourceCidr(value: unknown): boolean {
    const [address, prefix, ...rest] = typeof value === "string" ? value.split("/") : [];
    const max = isIPv4(address ?? "") ? 32 : isIPv6(address ?? "") ? 128 : 0;
    return rest.length === 0 && prefix !== undefined && /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= max;
}

/** Five-field cron: minute hour day-of-month month day-of-week, with *, lists, ranges and steps. */
export function isCron(expr: string): boolean {
    const fields = expr.trim().split(/\s+/);
    const bounds: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    if (fields.length !== 5) {
        return false;
    }
    return fields.every((field, i) =>
        field.split(",").every((part) => {
            const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
            if (!m) {
                return false;
            }
            const [lo, hi] = bounds[i];
            const nums = [m[2], m[3]].filter((n) => n !== undefined).map(Number);
            const step = m[4] === undefined ? 1 : Number(m[4]);
            const ordered = nums.length < 2 || nums[0] <= nums[1];
            return step >= 1 && ordered && nums.every((n) => n >= lo && n <= hi);
        }),
    );
}

/** IAM's limit of access keys per user: a rotation holds the old and the new key, never a third. */
export const MAX_ACCESS_KEYS = 2;
/** The generation whose AccessKey keeps the name (and URN) the single key had before rotation existed. */
export const FIRST_ACCESS_KEY_GENERATION = "1";
/** A generation name: part of a Pulumi resource name, so letters, digits, '.', '_' and '-'. */
const ACCESS_KEY_GENERATION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/**
 * offsiteBackup.accessKeys: one or two distinct generation names, oldest first. `pulumi config set --path`
 * stores `2` as a number, so integers are taken as their decimal names. Anything else is a problem, and the
 * default generation stands in so the rest of the config is still checked.
 */
function accessKeyGenerations(value: unknown, problem: (key: string, message: string, fix: string) => void): readonly [string, ...string[]] {
    const key = "offsiteBackup.accessKeys";
    const fallback: [string] = [FIRST_ACCESS_KEY_GENERATION];
    if (value === undefined) {
        return fallback;
    }
    const names = Array.isArray(value) ? value.map((v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? String(v) : v)) : undefined;
    if (!names || names.length === 0 || !names.every((n): n is string => typeof n === "string" && ACCESS_KEY_GENERATION.test(n))) {
        problem(
            key,
            `must be a list of one or two access key generation names (letters, digits, '.', '_', '-'; such as ["1"] or ["1", "2"]), got ${JSON.stringify(value)}.`,
            "run `pulumi config rm --path offsiteBackup.accessKeys` to keep the one key of generation \"1\", or `pulumi config set --path 'offsiteBackup.accessKeys[0]' 1`.",
        );
        return fallback;
    }
    const repeated = names.findIndex((n, i) => names.indexOf(n) !== i);
    if (repeated >= 0) {
        problem(
            key,
            `lists the generation ${JSON.stringify(names[repeated])} twice (${JSON.stringify(names)}); each generation is one access key, so each name must be new.`,
            `run \`pulumi config rm --path 'offsiteBackup.accessKeys[${repeated}]'\`, or give it a name not listed yet.`,
        );
        return fallback;
    }
    if (names.length > MAX_ACCESS_KEYS) {
        problem(
            key,
            `lists ${names.length} generations (${JSON.stringify(names)}); IAM allows at most ${MAX_ACCESS_KEYS} access keys per user, so a rotation holds the old key and the new one only (BAK-06).`,
            `finish the running rotation first: run \`pulumi config rm --path 'offsiteBackup.accessKeys[${MAX_ACCESS_KEYS}]'\` (and any later entry), ` +
                `and once the uploader's last pass succeeded with ${JSON.stringify(names[MAX_ACCESS_KEYS - 1])}, run \`pulumi config rm --path 'offsiteBackup.accessKeys[0]'\` and \`pulumi up\`; ` +
                "then add the next generation (docs/runbooks.md, \"Rotate the off-site uploader's access key\").",
        );
        return fallback;
    }
    return names as [string, ...string[]];
}

/**
 * offsiteBackup.replica: { region, bucketName? }. The region must be another than the primary's (a copy in the
 * same region shares its outages), and the copy exists only with the primary.
 */
function offsiteReplica(
    value: unknown,
    primary: { enabled: boolean; region: string; bucketName?: string },
    problem: (key: string, message: string, fix: string) => void,
): OffsiteReplicaConfig | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const remove = "or remove it with `pulumi config rm --path offsiteBackup.replica` to keep one off-site copy.";
    if (typeof value !== "object" || Array.isArray(value)) {
        problem("offsiteBackup.replica", `must be an object with a region (and optionally a bucketName), got ${JSON.stringify(value)}.`, `run \`pulumi config set --path offsiteBackup.replica.region eu-west-1\`, ${remove}`);
        return undefined;
    }
    const raw = value as { region?: unknown; bucketName?: unknown };
    if (!primary.enabled) {
        problem("offsiteBackup.replica", "is set while offsiteBackup.enabled is false: the replica copies the off-site bucket, which does not exist.", `run \`pulumi config set --path offsiteBackup.enabled true\`, ${remove}`);
        return undefined;
    }
    const region = raw.region;
    if (typeof region !== "string" || !AWS_REGION.test(region)) {
        problem("offsiteBackup.replica.region", `is not an AWS region: ${JSON.stringify(region ?? "")}.`, "run `pulumi config set --path offsiteBackup.replica.region eu-west-1` (another region than offsiteBackup.region).");
        return undefined;
    }
    if (region === primary.region) {
        problem("offsiteBackup.replica.region", `is ${region}, the primary bucket's region too: a copy in the same region shares its outages (BAK-02).`, "set another region: `pulumi config set --path offsiteBackup.replica.region <region>`.");
        return undefined;
    }
    const bucketName = raw.bucketName;
    if (bucketName !== undefined && (typeof bucketName !== "string" || !BUCKET_NAME.test(bucketName) || bucketName === primary.bucketName)) {
        const why = bucketName === primary.bucketName ? "is the primary bucket's name too" : "is not a valid S3 bucket name";
        problem("offsiteBackup.replica.bucketName", `${why}: ${JSON.stringify(bucketName)}.`, "use 3-63 lower-case letters, digits, dots and hyphens (not the primary's name), or remove it to let AWS name the bucket.");
        return undefined;
    }
    return { region, ...(typeof bucketName === "string" ? { bucketName } : {}) };
}

/** `{ [key]: value }` when there is a value, else nothing: absent config stays absent in the parsed object. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The site's public origin: https://domain, with the port only when it is not 443. */
export function publicOrigin(domain: string, httpsPort: number): string {
    return `https://${domain}${httpsPort === 443 ? "" : `:${httpsPort}`}`;
}

/** Reads and checks every key; throws one ConfigError listing all problems. */
export function loadConfig(source: ConfigSource = pulumiConfigSource()): BulwarkConfig {
    const problems: ConfigProblem[] = [];
    const problem = (key: string, message: string, fix: string) => problems.push({ key, message, fix });

    const raw = (key: string) => {
        const value = source.get(key);
        return value === undefined || value === "" ? undefined : value;
    };
    const text = (key: string, fallback: string) => raw(key) ?? fallback;
    const json = <T>(key: string, fallback: T): T => {
        const value = raw(key);
        if (value === undefined) {
            return fallback;
        }
        try {
            return JSON.parse(value) as T;
        } catch {
            problem(key, `is not valid structured config (${JSON.stringify(value)}).`, `set it with \`pulumi config set --path '${key}...' VALUE\` or as a YAML object/list in Pulumi.<stack>.yaml.`);
            return fallback;
        }
    };
    /** A structured key that must hold a map (YAML object); anything else is reported, never ignored. */
    const object = (key: string): Record<string, unknown> => {
        const value = json<unknown>(key, {});
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            problem(key, `must be a map of settings, got ${JSON.stringify(value)}.`, `set its fields with \`pulumi config set --path '${key}.<field>' VALUE\`, or remove it with \`pulumi config rm ${key}\`.`);
            return {};
        }
        return value as Record<string, unknown>;
    };
    const number = (key: string, fallback: number, min: number, max: number, integer = true): number => {
        const value = raw(key);
        return checkNumber(key, value === undefined ? fallback : Number(value), min, max, integer, value);
    };
    const checkNumber = (key: string, n: unknown, min: number, max: number, integer: boolean, shown: unknown = n): number => {
        if (typeof n !== "number" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
            problem(key, `must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${JSON.stringify(shown)}.`, `run \`pulumi config set ${key} <${min}..${max}>\`.`);
            return min;
        }
        return n;
    };
    const bool = (key: string, value: unknown, fallback: boolean): boolean => {
        if (value === undefined) {
            return fallback;
        }
        if (typeof value === "boolean") {
            return value;
        }
        if (value === "true" || value === "false") {
            return value === "true";
        }
        problem(key, `must be true or false, got ${JSON.stringify(value)}.`, `run \`pulumi config set --path ${key} true\` (or false).`);
        return fallback;
    };
    /** A value that must never sit in plain config: it is accepted only as a Pulumi secret. */
    const secret = (key: string): pulumi.Output<string> | undefined => {
        const value = raw(key);
        if (value === undefined) {
            return undefined;
        }
        if (!source.isSecret(key)) {
            problem(key, "is stored in plain text in the stack config (SEC-01).", `remove it and run \`pulumi config set --secret ${key} ...\`.`);
        }
        return pulumi.secret(value);
    };

    // Environment: explicit, or taken from the stack's name.
    const envValue = text("environment", /^prod/.test(source.stack) ? "prod" : "dev");
    if (envValue !== "dev" && envValue !== "prod") {
        problem("environment", `must be "dev" or "prod", got ${JSON.stringify(envValue)}.`, "run `pulumi config set environment prod` (or dev).");
    }
    const environment: Environment = envValue === "prod" ? "prod" : "dev";
    const prod = environment === "prod";

    const domain = text("domain", prod ? "" : "localhost");
    if (!domain) {
        problem("domain", "is required in prod.", "run `pulumi config set domain app.example.com`.");
    } else if (!HOSTNAME.test(domain)) {
        problem("domain", `must be a lower-case host name, got ${JSON.stringify(domain)}.`, "run `pulumi config set domain app.example.com` (no scheme, no port, no path).");
    }

    const problemsBeforePorts = problems.length;
    const httpsPort = number("httpsPort", DEFAULT_PUBLIC_PORTS.httpsPort, 1, 65535);
    const httpPort = number("httpPort", DEFAULT_PUBLIC_PORTS.httpPort, 1, 65535);
    if (problems.length === problemsBeforePorts && httpsPort === httpPort) {
        problem("httpPort", `must differ from httpsPort (both ${httpPort}).`, "run `pulumi config set httpPort 80` and `pulumi config set httpsPort 443`.");
    }
    // CIS Docker 5.14: published ports bind to a chosen address, never silently to every interface.
    const publishAddress = text("publishAddress", prod ? "" : DEV_PUBLISH_ADDRESS);
    if (!publishAddress) {
        problem(
            "publishAddress",
            "is required in prod: the host address the proxy's ports bind to.",
            "run `pulumi config set publishAddress <the host's public IP>` (0.0.0.0, every interface, also needs allowWildcardAddress in the policy config of network-published-ports-bound).",
        );
    } else if (isIP(publishAddress) === 0) {
        problem("publishAddress", `must be an IPv4 or IPv6 address, got ${JSON.stringify(publishAddress)}.`, "run `pulumi config set publishAddress 203.0.113.10` (an address of this host, not a name).");
    }

    // TLS: dev may generate a self-signed certificate; prod must bring a real one, as secrets.
    const tlsModeValue = text("tlsMode", prod ? "provided" : "self-signed");
    let tls: BulwarkConfig["tls"] = { mode: "self-signed" };
    if (tlsModeValue !== "self-signed" && tlsModeValue !== "provided") {
        problem("tlsMode", `must be "self-signed" or "provided", got ${JSON.stringify(tlsModeValue)}.`, "run `pulumi config set tlsMode provided`.");
    } else if (tlsModeValue === "self-signed" && prod) {
        problem("tlsMode", "is self-signed, which browsers reject; prod needs a real certificate (NET-04).", "run `pulumi config set tlsMode provided` and set tlsCertificate and tlsPrivateKey as secrets.");
    } else if (tlsModeValue === "provided") {
        const certificate = secret("tlsCertificate");
        const privateKey = secret("tlsPrivateKey");
        const certText = raw("tlsCertificate");
        const keyText = raw("tlsPrivateKey");
        if (!certText || !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(certText)) {
            problem("tlsCertificate", "must be a PEM certificate chain when tlsMode is provided.", "run `pulumi config set --secret tlsCertificate < fullchain.pem`.");
        }
        if (!keyText || !/-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (RSA |EC )?PRIVATE KEY-----/.test(keyText)) {
            problem("tlsPrivateKey", "must be a PEM private key when tlsMode is provided.", "run `pulumi config set --secret tlsPrivateKey < privkey.pem`.");
        }
        if (certificate && privateKey) {
            tls = { mode: "provided", certificate, privateKey };
        }
    }

    const baseImage = text("baseImage", DEFAULT_BASE_IMAGE);
    // A local image ID (from images/base/build-base.sh on hosts without a registry) is content-addressed too.
    if (!DIGEST.test(baseImage) && !LOCAL_IMAGE_ID.test(baseImage)) {
        problem("baseImage", `must be pinned by digest (name@sha256:<64 hex>) or be a local image ID (sha256:<64 hex>), got ${JSON.stringify(baseImage)} (CON-02).`, "run `pulumi config set baseImage debian:bookworm-slim@sha256:...`, or on a host without a registry `pulumi config set baseImage $(bash images/base/build-base.sh --id)`.");
    }

    const image = (key: "backendImage" | "frontendImage"): string | undefined => {
        const value = raw(key);
        if (value === undefined) {
            if (prod) {
                problem(key, "is required in prod: the demo stand-ins are for dev only.", `run \`pulumi config set ${key} registry.example.com/team/app@sha256:<digest>\`.`);
            }
            return undefined;
        }
        if (/\s/.test(value) || !/^[a-z0-9]/.test(value)) {
            problem(key, `is not an image reference: ${JSON.stringify(value)}.`, `run \`pulumi config set ${key} registry.example.com/team/app@sha256:<digest>\`.`);
        } else if (prod && !DIGEST.test(value)) {
            problem(key, `must be pinned by digest in prod (name@sha256:<64 hex>), got ${JSON.stringify(value)} (LOG-07).`, `run \`pulumi config set ${key} ${value.replace(/[:@].*$/, "")}@sha256:<digest>\` with the digest your registry reports.`);
        } else if (!DIGEST.test(value) && (/:latest$/.test(value) || !/:[\w][\w.-]*$/.test(value.split("/").pop() ?? ""))) {
            problem(key, `uses a mutable tag (${JSON.stringify(value)}); a redeploy could run different code (LOG-07).`, `pin it: \`pulumi config set ${key} name@sha256:<digest>\` or a version tag.`);
        }
        return value;
    };
    const backendImage = image("backendImage");
    const frontendImage = image("frontendImage");

    const appService = (key: "backend" | "frontend", custom: boolean): AppServiceConfig => {
        const defaults = custom ? APP_DEFAULTS.custom[key] : APP_DEFAULTS.demo[key];
        const given = object(key);
        const user = given.user ?? defaults.user;
        // Compare as numbers: "00:00" is root too.
        const ids = typeof user === "string" && /^\d+:\d+$/.test(user) ? user.split(":").map(Number) : [];
        if (ids.length !== 2 || ids.includes(0)) {
            problem(`${key}.user`, `must be a numeric non-root uid:gid such as "1000:1000", got ${JSON.stringify(user)} (CON-05).`, `run \`pulumi config set --path ${key}.user 1000:1000\` with the uid your image runs as.`);
        }
        const healthCommand = given.healthCommand ?? defaults.healthCommand;
        if (!Array.isArray(healthCommand) || healthCommand.length === 0 || !healthCommand.every((c) => typeof c === "string" && c !== "")) {
            problem(`${key}.healthCommand`, `must be a non-empty list of strings (exec form), got ${JSON.stringify(healthCommand)} (LOG-05).`, `run \`pulumi config set --path '${key}.healthCommand[0]' curl\` and so on for each argument.`);
        }
        const writablePaths = given.writablePaths ?? defaults.writablePaths;
        if (!Array.isArray(writablePaths) || !writablePaths.every((p) => typeof p === "string" && /^\/[\w./-]*[\w-]$/.test(p) && !p.includes(".."))) {
            problem(`${key}.writablePaths`, `must be a list of absolute paths below / (never / itself), got ${JSON.stringify(writablePaths)} (CON-06).`, `run \`pulumi config set --path '${key}.writablePaths[0]' /tmp\`.`);
        }
        return { user: user as NonRootUser, healthCommand: healthCommand as [string, ...string[]], writablePaths: writablePaths as string[] };
    };
    const backend = appService("backend", backendImage !== undefined);
    const frontend = appService("frontend", frontendImage !== undefined);
    // CON-08: nproc, the only process limit the provider offers, counts per uid across the host.
    const uidOf = (user: string) => user.split(":")[0];
    if (/^\d+:\d+$/.test(backend.user) && /^\d+:\d+$/.test(frontend.user) && Number(uidOf(backend.user)) === Number(uidOf(frontend.user))) {
        problem(
            "frontend.user",
            `runs as uid ${uidOf(frontend.user)}, like backend.user: the nproc limit counts a uid's processes across the host, so the two would share one process budget (CON-08).`,
            `give the frontend a uid of its own: \`pulumi config set --path frontend.user ${Number(uidOf(backend.user)) + 1}:${frontend.user.split(":")[1]}\` (the group may stay).`,
        );
    }

    // Unset, Docker picks a range no other network on the host uses (a fixed default collided between stacks).
    const dataSubnet = raw("dataSubnet") === undefined ? undefined : text("dataSubnet", "");
    const cidr = dataSubnet === undefined ? undefined : /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(dataSubnet);
    const octets = cidr ? cidr.slice(1, 5).map(Number) : [];
    const privateRange = octets[0] === 10 || (octets[0] === 172 && octets[1] >= 16 && octets[1] <= 31) || (octets[0] === 192 && octets[1] === 168);
    if (dataSubnet !== undefined && (!cidr || octets.some((o) => o > 255) || Number(cidr[5]) < 16 || Number(cidr[5]) > 28 || !privateRange)) {
        problem("dataSubnet", `must be a private IPv4 CIDR from /16 to /28, got ${JSON.stringify(dataSubnet)}.`, "run `pulumi config set dataSubnet 172.29.10.0/24` with a range no other network on the host uses.");
    }

    const resourcesRaw = object("resources") as Record<string, Partial<ServiceResources>>;
    const resources = {} as Record<ServiceName, ServiceResources>;
    for (const unknownService of Object.keys(resourcesRaw).filter((s) => !(SERVICES as readonly string[]).includes(s))) {
        problem(`resources.${unknownService}`, `names no service; services are ${SERVICES.join(", ")}.`, `remove it with \`pulumi config rm --path resources.${unknownService}\`.`);
    }
    for (const service of SERVICES) {
        const given = resourcesRaw[service] ?? {};
        if (given === null || typeof given !== "object") {
            problem(`resources.${service}`, `must be a map with memoryMb and cpus, got ${JSON.stringify(given)}.`, `run \`pulumi config set --path resources.${service}.memoryMb 512\`.`);
        }
        resources[service] = {
            memoryMb: checkNumber(`resources.${service}.memoryMb`, given?.memoryMb ?? DEFAULT_RESOURCES[service].memoryMb, LIMITS.memoryMb.min, LIMITS.memoryMb.max, true),
            cpus: checkNumber(`resources.${service}.cpus`, given?.cpus ?? DEFAULT_RESOURCES[service].cpus, LIMITS.cpus.min, LIMITS.cpus.max, false),
        };
    }

    const corsOrigins = json<unknown>("corsOrigins", [publicOrigin(domain || "localhost", httpsPort)]);
    if (!Array.isArray(corsOrigins) || corsOrigins.length === 0 || !corsOrigins.every((o) => typeof o === "string")) {
        problem("corsOrigins", "must be a non-empty list of origins.", "run `pulumi config set --path 'corsOrigins[0]' https://app.example.com`.");
    } else {
        for (const origin of corsOrigins as string[]) {
            if (origin.includes("*")) {
                problem("corsOrigins", `contains the wildcard ${JSON.stringify(origin)}; any site could call the API with the user's credentials (APP-01).`, "list each allowed origin, e.g. `pulumi config set --path 'corsOrigins[0]' https://app.example.com`.");
            } else if (!/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin) && !(!prod && /^http:\/\/localhost(:\d{1,5})?$/.test(origin))) {
                problem("corsOrigins", `has ${JSON.stringify(origin)}, which is not an https origin (scheme://host[:port], no path).`, "use origins like https://app.example.com.");
            }
        }
    }

    const jwtAccessTtlSeconds = number("jwtAccessTtlSeconds", 900, LIMITS.jwtAccessTtlSeconds.min, LIMITS.jwtAccessTtlSeconds.max);
    const jwtRefreshTtlSeconds = number("jwtRefreshTtlSeconds", 1209600, LIMITS.jwtRefreshTtlSeconds.min, LIMITS.jwtRefreshTtlSeconds.max);
    if (jwtRefreshTtlSeconds <= jwtAccessTtlSeconds) {
        problem("jwtRefreshTtlSeconds", "must be longer than jwtAccessTtlSeconds, or refresh tokens would expire first.", "run `pulumi config set jwtRefreshTtlSeconds 1209600`.");
    }

    const backupSchedule = text("backupSchedule", "15 3 * * *");
    if (!isCron(backupSchedule)) {
        problem("backupSchedule", `must be a five-field cron expression, got ${JSON.stringify(backupSchedule)}.`, "run `pulumi config set backupSchedule '15 3 * * *'` (daily at 03:15).");
    }
    const restoreDrillSchedule = text("restoreDrillSchedule", "45 4 * * 0");
    if (!isCron(restoreDrillSchedule)) {
        problem("restoreDrillSchedule", `must be a five-field cron expression, got ${JSON.stringify(restoreDrillSchedule)}.`, "run `pulumi config set restoreDrillSchedule '45 4 * * 0'` (Sundays at 04:45).");
    }

    const retentionRaw = object("backupRetention");
    const backupRetention: BackupRetention = {
        daily: checkNumber("backupRetention.daily", retentionRaw.daily ?? 7, LIMITS.retention.daily.min, LIMITS.retention.daily.max, true),
        weekly: checkNumber("backupRetention.weekly", retentionRaw.weekly ?? 4, LIMITS.retention.weekly.min, LIMITS.retention.weekly.max, true),
        monthly: checkNumber("backupRetention.monthly", retentionRaw.monthly ?? 6, LIMITS.retention.monthly.min, LIMITS.retention.monthly.max, true),
    };

    // The backup job only ever gets the recipient (public key); the identity goes to the restore drill.
    const recipient = raw("backupAgeRecipient");
    const identityText = raw("backupAgeIdentity");
    const identity = secret("backupAgeIdentity");
    let backupAge: BulwarkConfig["backupAge"] = { generate: true };
    if (recipient === undefined && identityText === undefined) {
        if (prod) {
            problem("backupAgeRecipient", "is required in prod: backups are encrypted to this age public key (BAK-01).", "run `age-keygen -o backup.key`, then `pulumi config set backupAgeRecipient age1...` and `pulumi config set --secret backupAgeIdentity < backup.key`.");
        }
    } else if (recipient === undefined || !isAgeRecipient(recipient)) {
        problem("backupAgeRecipient", `must be an age X25519 public key (age1...), got ${JSON.stringify(recipient ?? "")}.`, "run `age-keygen -y backup.key` and set its output with `pulumi config set backupAgeRecipient`.");
    } else if (identityText === undefined || !isAgeIdentity(identityText)) {
        problem("backupAgeIdentity", "must be the age secret key (AGE-SECRET-KEY-1...) matching backupAgeRecipient; the restore drill needs it (BAK-03).", "run `pulumi config set --secret backupAgeIdentity < backup.key`.");
    } else if (ageRecipientFromIdentity(identityText) !== recipient) {
        problem("backupAgeRecipient", "does not match backupAgeIdentity: backups would be encrypted to a key the restore drill cannot open.", "set both from the same key file: `age-keygen -y backup.key` gives the recipient.");
    } else if (identity) {
        // `pulumi config set --secret backupAgeIdentity < backup.key` keeps age-keygen's comment lines; the drill
        // takes exactly one identity line.
        backupAge = { recipient, identity: identity.apply(identityLine) };
    }

    const offsiteRaw = object("offsiteBackup");
    const offsiteEnabled = bool("offsiteBackup.enabled", offsiteRaw.enabled, false);
    const region = typeof offsiteRaw.region === "string" ? offsiteRaw.region : "eu-central-1";
    if (offsiteEnabled && !AWS_REGION.test(region)) {
        problem("offsiteBackup.region", `is not an AWS region: ${JSON.stringify(region)}.`, "run `pulumi config set --path offsiteBackup.region eu-central-1`.");
    }
    const bucketName = offsiteRaw.bucketName;
    if (bucketName !== undefined && (typeof bucketName !== "string" || !BUCKET_NAME.test(bucketName))) {
        problem("offsiteBackup.bucketName", `is not a valid S3 bucket name: ${JSON.stringify(bucketName)}.`, "use 3-63 lower-case letters, digits, dots and hyphens, or remove it to let AWS name the bucket.");
    }
    const admins = offsiteRaw.adminPrincipalArns ?? [];
    if (!Array.isArray(admins) || !admins.every((a) => typeof a === "string" && ARN.test(a))) {
        problem("offsiteBackup.adminPrincipalArns", `must be a list of IAM ARNs (arn:aws:iam::<account>:user/... or role/...), got ${JSON.stringify(admins)} (BAK-05).`, "run `pulumi config set --path 'offsiteBackup.adminPrincipalArns[0]' arn:aws:iam::123456789012:role/backup-admin`.");
    }
    const sourceCidrs = offsiteRaw.allowedSourceCidrs ?? [];
    if (!Array.isArray(sourceCidrs) || !sourceCidrs.every(isSourceCidr)) {
        problem("offsiteBackup.allowedSourceCidrs", `must be a list of IPv4 or IPv6 CIDRs with a prefix of at least /1 (such as "203.0.113.0/24"), got ${JSON.stringify(sourceCidrs)}.`, "run `pulumi config set --path 'offsiteBackup.allowedSourceCidrs[0]' 203.0.113.7/32` with the host's public egress address, or remove the key to accept uploads from any address.");
    }
    const accessKeys = accessKeyGenerations(offsiteRaw.accessKeys, problem);
    const offsiteBackup: OffsiteBackupConfig = {
        enabled: offsiteEnabled,
        bucketName: typeof bucketName === "string" ? bucketName : undefined,
        region,
        kmsKeyDeletionWindowDays: checkNumber("offsiteBackup.kmsKeyDeletionWindowDays", offsiteRaw.kmsKeyDeletionWindowDays ?? 30, LIMITS.kmsKeyDeletionWindowDays.min, LIMITS.kmsKeyDeletionWindowDays.max, true),
        adminPrincipalArns: Array.isArray(admins) ? (admins as string[]) : [],
        noncurrentVersionDays: checkNumber("offsiteBackup.noncurrentVersionDays", offsiteRaw.noncurrentVersionDays ?? 30, LIMITS.noncurrentVersionDays.min, LIMITS.noncurrentVersionDays.max, true),
        allowedSourceCidrs: Array.isArray(sourceCidrs) ? sourceCidrs.filter(isSourceCidr) : [],
        accessKeys,
        ...optional("replica", offsiteReplica(offsiteRaw.replica, { enabled: offsiteEnabled, region, bucketName: typeof bucketName === "string" ? bucketName : undefined }, problem)),
    };
    if (offsiteEnabled && offsiteBackup.adminPrincipalArns.length === 0) {
        problem("offsiteBackup.adminPrincipalArns", "is empty: the bucket policy lets only the uploader and these admins touch backups, so nobody could restore (BAK-05).", "run `pulumi config set --path 'offsiteBackup.adminPrincipalArns[0]' arn:aws:iam::<account>:role/<backup-admin>`.");
    }
    if (prod && !offsiteEnabled) {
        problem("offsiteBackup.enabled", "is false in prod; backups must also be stored off-site (BAK-02).", "run `pulumi config set --path offsiteBackup.enabled true` and set offsiteBackup.region.");
    }

    const rateRaw = object("authRateLimit");
    const authRateLimit = {
        requestsPerMinute: checkNumber("authRateLimit.requestsPerMinute", rateRaw.requestsPerMinute ?? 10, LIMITS.requestsPerMinute.min, LIMITS.requestsPerMinute.max, true),
        burst: checkNumber("authRateLimit.burst", rateRaw.burst ?? 5, LIMITS.burst.min, LIMITS.burst.max, true),
    };

    const requestBodyLimitMb = number("requestBodyLimitMb", 10, LIMITS.requestBodyLimitMb.min, LIMITS.requestBodyLimitMb.max);

    const googleClientSecret = secret("googleClientSecret");
    if (prod && !googleClientSecret) {
        problem("googleClientSecret", "is required in prod for Google sign-in (SEC-01).", "run `pulumi config set --secret googleClientSecret <value from the Google console>`.");
    }

    const logRaw = object("logRotation");
    const logRotation = {
        maxSizeMb: checkNumber("logRotation.maxSizeMb", logRaw.maxSizeMb ?? 10, LIMITS.logMaxSizeMb.min, LIMITS.logMaxSizeMb.max, true),
        maxFiles: checkNumber("logRotation.maxFiles", logRaw.maxFiles ?? 5, LIMITS.logMaxFiles.min, LIMITS.logMaxFiles.max, true),
    };

    // The URL is a credential (its path or query holds the token): secret config only, and never echoed.
    const alertWebhookUrl = secret("alertWebhookUrl");
    const alertWebhookRaw = raw("alertWebhookUrl");
    if (alertWebhookRaw !== undefined && !/^https:\/\/[^\s"\\]+$/.test(alertWebhookRaw)) {
        problem("alertWebhookUrl", "must be an https URL without spaces, quotes or backslashes.", "run `pulumi config set --secret alertWebhookUrl https://hooks.example.com/...`.");
    }

    const backupVolumeHostPath = raw("backupVolumeHostPath");
    if (backupVolumeHostPath !== undefined) {
        const fix = "mount a filesystem of its own (a disk or LV sized for the backups) on the Docker host, e.g. at /srv/bulwark-backups, owned by the backup uid:gid with mode 0750 (README), then run `pulumi config set backupVolumeHostPath /srv/bulwark-backups`.";
        if (!/^\/[A-Za-z0-9._\/-]+$/.test(backupVolumeHostPath) || normalizeHostPath(backupVolumeHostPath) !== backupVolumeHostPath) {
            problem("backupVolumeHostPath", `must be an absolute, normalized host path of letters, digits, ".", "_", "-" and "/", got ${JSON.stringify(backupVolumeHostPath)}.`, fix);
        } else {
            const why = hostPathSensitivity(backupVolumeHostPath);
            if (why) {
                problem("backupVolumeHostPath", `${JSON.stringify(backupVolumeHostPath)} is ${why} (CON-09).`, fix);
            }
        }
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        stack: source.stack,
        environment,
        domain,
        httpsPort,
        httpPort,
        publishAddress,
        tls,
        baseImage,
        backendImage,
        frontendImage,
        backend,
        frontend,
        dataSubnet,
        resources,
        corsOrigins: corsOrigins as string[],
        jwtAccessTtlSeconds,
        jwtRefreshTtlSeconds,
        backupSchedule,
        restoreDrillSchedule,
        backupRetention,
        backupAge,
        offsiteBackup,
        authRateLimit,
        requestBodyLimitMb,
        googleClientSecret,
        logRotation,
        alertWebhookUrl,
        backupVolumeHostPath,
    };
}
