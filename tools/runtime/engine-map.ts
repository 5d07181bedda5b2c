// Maps the inputs the Pulumi program registers for docker.Container, docker.Network and docker.Volume (as
// recorded by tools/mocks/runtime.ts) to Docker Engine API create bodies, so that the runtime test runs the
// stack with exactly those settings. Every input field needs an explicit rule here: a field this file does
// not know is an error, never silently dropped, because a dropped field would be a hardening setting the
// test claims to run but does not.

export class UnmappedFieldError extends Error {
    constructor(resource: string, field: string) {
        super(
            `${resource}: input "${field}" has no Engine API mapping in tools/runtime/engine-map.ts. ` +
                `Add a rule for it (or an explicit reason to ignore it) so the runtime test runs what the program registers.`,
        );
        this.name = "UnmappedFieldError";
    }
}

export class InvalidInputError extends Error {
    constructor(resource: string, field: string, problem: string) {
        super(`${resource}: input "${field}" ${problem}`);
        this.name = "InvalidInputError";
    }
}

/** Engine API ContainerCreate body (the subset the mapping writes). */
export interface ContainerCreateBody {
    Image: string;
    User?: string;
    Cmd?: string[];
    Env?: string[];
    Labels?: Record<string, string>;
    ExposedPorts?: Record<string, Record<string, never>>;
    Healthcheck?: { Test: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
    HostConfig: HostConfig;
    NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases?: string[] }> };
}

export interface HostConfig {
    ReadonlyRootfs?: boolean;
    Tmpfs?: Record<string, string>;
    Mounts?: { Type: "volume"; Source: string; Target: string; ReadOnly: boolean }[];
    Privileged?: boolean;
    CapAdd?: string[];
    CapDrop?: string[];
    SecurityOpt?: string[];
    Memory?: number;
    MemorySwap?: number;
    ShmSize?: number;
    NanoCpus?: number;
    Ulimits?: { Name: string; Soft: number; Hard: number }[];
    Init?: boolean;
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    RestartPolicy?: { Name: string };
    LogConfig?: { Type: string; Config: Record<string, string> };
}

export interface NetworkAttachment {
    readonly name: string;
    readonly aliases: string[];
}

export interface EngineContainerSpec {
    readonly name: string;
    readonly body: ContainerCreateBody;
    /**
     * Networks after the first. API 1.41 attaches one network at create; the others are connected before
     * the container starts. (The Docker provider creates on the default bridge, disconnects it and connects
     * each network; both end with the same attachments, this way without a moment on the default bridge.)
     */
    readonly extraNetworks: NetworkAttachment[];
    /** docker.Container `wait`/`waitTimeout`: harness behaviour (wait for healthy after start), not API. */
    readonly wait: { readonly enabled: boolean; readonly timeoutSeconds: number };
}

export interface ContainerMapOptions {
    /** Rewrites the recorded image reference (a fake digest under mocks) to a locally built image. */
    readonly image: (ref: string) => string;
    /** When set, published ports bind to this host address instead of the recorded `ip` (harness: loopback). */
    readonly publishHost?: string;
}

type Json = unknown;
type Inputs = Readonly<Record<string, Json>>;

const MB = 1024 * 1024;
/** Provider default for waitTimeout (seconds). */
const DEFAULT_WAIT_TIMEOUT = 60;

// Small strict readers: each names the resource and field it failed on.
function str(res: string, field: string, v: Json): string {
    if (typeof v !== "string") throw new InvalidInputError(res, field, `must be a string, got ${JSON.stringify(v)}`);
    return v;
}
function bool(res: string, field: string, v: Json): boolean {
    if (typeof v !== "boolean") throw new InvalidInputError(res, field, `must be a boolean, got ${JSON.stringify(v)}`);
    return v;
}
function num(res: string, field: string, v: Json): number {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new InvalidInputError(res, field, `must be a number, got ${JSON.stringify(v)}`);
    return v;
}
function strList(res: string, field: string, v: Json): string[] {
    if (!Array.isArray(v)) throw new InvalidInputError(res, field, `must be a list of strings, got ${JSON.stringify(v)}`);
    return v.map((x, i) => str(res, `${field}[${i}]`, x));
}
function list(res: string, field: string, v: Json): Json[] {
    if (!Array.isArray(v)) throw new InvalidInputError(res, field, `must be a list, got ${JSON.stringify(v)}`);
    return v;
}
/** An object whose keys must all be in `known` (nested fields are as strict as top-level ones). */
function obj(res: string, field: string, v: Json, known: readonly string[]): Record<string, Json> {
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new InvalidInputError(res, field, `must be an object, got ${JSON.stringify(v)}`);
    for (const key of Object.keys(v)) {
        if (!known.includes(key) && (v as Record<string, Json>)[key] !== undefined) throw new UnmappedFieldError(res, `${field}.${key}`);
    }
    return v as Record<string, Json>;
}
function strMap(res: string, field: string, v: Json): Record<string, string> {
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new InvalidInputError(res, field, `must be a map of strings, got ${JSON.stringify(v)}`);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(res, `${field}.${k}`, x)]));
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go duration ("30s", "1m30s", "500ms") to nanoseconds, as the Engine API wants. */
export function durationToNanos(text: string): number {
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
        throw new Error(`"${text}" is not a duration like 30s, 1m30s or 500ms`);
    }
    return Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS[unit], 0));
}

function duration(res: string, field: string, v: Json): number {
    try {
        return durationToNanos(str(res, field, v));
    } catch (e) {
        throw new InvalidInputError(res, field, (e as Error).message);
    }
}

type ContainerRule = (value: Json, out: ContainerDraft) => void;

interface ContainerDraft {
    readonly res: string;
    readonly opts: ContainerMapOptions;
    name?: string;
    body: ContainerCreateBody;
    networkMode?: string;
    networks: NetworkAttachment[];
    wait: { enabled: boolean; timeoutSeconds: number };
}

/** One rule per docker.ContainerArgs field the program may set. */
const CONTAINER_RULES: Readonly<Record<string, ContainerRule>> = {
    name: (v, d) => {
        d.name = str(d.res, "name", v);
    },
    image: (v, d) => {
        d.body.Image = d.opts.image(str(d.res, "image", v));
    },
    user: (v, d) => {
        d.body.User = str(d.res, "user", v);
    },
    command: (v, d) => {
        d.body.Cmd = strList(d.res, "command", v);
    },
    envs: (v, d) => {
        d.body.Env = strList(d.res, "envs", v);
    },
    readOnly: (v, d) => {
        d.body.HostConfig.ReadonlyRootfs = bool(d.res, "readOnly", v);
    },
    tmpfs: (v, d) => {
        d.body.HostConfig.Tmpfs = strMap(d.res, "tmpfs", v);
    },
    mounts: (v, d) => {
        d.body.HostConfig.Mounts = list(d.res, "mounts", v).map((m, i) => {
            const f = `mounts[${i}]`;
            const mount = obj(d.res, f, m, ["type", "source", "target", "readOnly"]);
            // Only named volumes: a bind mount would put host paths in the container (CON-09).
            if (mount.type !== "volume") throw new InvalidInputError(d.res, `${f}.type`, `is ${JSON.stringify(mount.type)}; only "volume" mounts are mapped`);
            return {
                Type: "volume" as const,
                Source: str(d.res, `${f}.source`, mount.source),
                Target: str(d.res, `${f}.target`, mount.target),
                ReadOnly: mount.readOnly === undefined ? false : bool(d.res, `${f}.readOnly`, mount.readOnly),
            };
        });
    },
    privileged: (v, d) => {
        d.body.HostConfig.Privileged = bool(d.res, "privileged", v);
    },
    capabilities: (v, d) => {
        const caps = obj(d.res, "capabilities", v, ["adds", "drops"]);
        d.body.HostConfig.CapAdd = caps.adds === undefined ? [] : strList(d.res, "capabilities.adds", caps.adds);
        d.body.HostConfig.CapDrop = caps.drops === undefined ? [] : strList(d.res, "capabilities.drops", caps.drops);
    },
    securityOpts: (v, d) => {
        d.body.HostConfig.SecurityOpt = strList(d.res, "securityOpts", v);
    },
    // The provider takes megabytes; the API takes bytes.
    memory: (v, d) => {
        d.body.HostConfig.Memory = num(d.res, "memory", v) * MB;
    },
    memorySwap: (v, d) => {
        const mb = num(d.res, "memorySwap", v);
        d.body.HostConfig.MemorySwap = mb < 0 ? -1 : mb * MB;
    },
    shmSize: (v, d) => {
        d.body.HostConfig.ShmSize = num(d.res, "shmSize", v) * MB;
    },
    cpus: (v, d) => {
        const cpus = Number(str(d.res, "cpus", v));
        if (!(cpus > 0)) throw new InvalidInputError(d.res, "cpus", `must be a positive number of CPUs, got ${JSON.stringify(v)}`);
        d.body.HostConfig.NanoCpus = Math.round(cpus * 1e9);
    },
    ulimits: (v, d) => {
        d.body.HostConfig.Ulimits = list(d.res, "ulimits", v).map((u, i) => {
            const f = `ulimits[${i}]`;
            const limit = obj(d.res, f, u, ["name", "soft", "hard"]);
            return { Name: str(d.res, `${f}.name`, limit.name), Soft: num(d.res, `${f}.soft`, limit.soft), Hard: num(d.res, `${f}.hard`, limit.hard) };
        });
    },
    init: (v, d) => {
        d.body.HostConfig.Init = bool(d.res, "init", v);
    },
    networkMode: (v, d) => {
        d.networkMode = str(d.res, "networkMode", v);
    },
    networksAdvanced: (v, d) => {
        d.networks = list(d.res, "networksAdvanced", v).map((n, i) => {
            const f = `networksAdvanced[${i}]`;
            const net = obj(d.res, f, n, ["name", "aliases"]);
            return { name: str(d.res, `${f}.name`, net.name), aliases: net.aliases === undefined ? [] : strList(d.res, `${f}.aliases`, net.aliases) };
        });
    },
    ports: (v, d) => {
        for (const [i, p] of list(d.res, "ports", v).entries()) {
            const f = `ports[${i}]`;
            const port = obj(d.res, f, p, ["internal", "external", "protocol", "ip"]);
            const key = `${num(d.res, `${f}.internal`, port.internal)}/${port.protocol === undefined ? "tcp" : str(d.res, `${f}.protocol`, port.protocol)}`;
            const hostIp = d.opts.publishHost ?? (port.ip === undefined ? "0.0.0.0" : str(d.res, `${f}.ip`, port.ip));
            const hostPort = port.external === undefined ? "" : String(num(d.res, `${f}.external`, port.external));
            d.body.ExposedPorts = { ...d.body.ExposedPorts, [key]: {} };
            const bindings = d.body.HostConfig.PortBindings ?? {};
            bindings[key] = [...(bindings[key] ?? []), { HostIp: hostIp, HostPort: hostPort }];
            d.body.HostConfig.PortBindings = bindings;
        }
    },
    healthcheck: (v, d) => {
        const h = obj(d.res, "healthcheck", v, ["tests", "interval", "timeout", "retries", "startPeriod"]);
        d.body.Healthcheck = {
            Test: strList(d.res, "healthcheck.tests", h.tests),
            Interval: h.interval === undefined ? 0 : duration(d.res, "healthcheck.interval", h.interval),
            Timeout: h.timeout === undefined ? 0 : duration(d.res, "healthcheck.timeout", h.timeout),
            Retries: h.retries === undefined ? 0 : num(d.res, "healthcheck.retries", h.retries),
            StartPeriod: h.startPeriod === undefined ? 0 : duration(d.res, "healthcheck.startPeriod", h.startPeriod),
        };
    },
    restart: (v, d) => {
        d.body.HostConfig.RestartPolicy = { Name: str(d.res, "restart", v) };
    },
    logDriver: (v, d) => {
        d.body.HostConfig.LogConfig = { Type: str(d.res, "logDriver", v), Config: d.body.HostConfig.LogConfig?.Config ?? {} };
    },
    logOpts: (v, d) => {
        d.body.HostConfig.LogConfig = { Type: d.body.HostConfig.LogConfig?.Type ?? "json-file", Config: strMap(d.res, "logOpts", v) };
    },
    labels: (v, d) => {
        d.body.Labels = labelMap(d.res, v);
    },
    wait: (v, d) => {
        d.wait.enabled = bool(d.res, "wait", v);
    },
    waitTimeout: (v, d) => {
        d.wait.timeoutSeconds = num(d.res, "waitTimeout", v);
    },
};

export const MAPPED_CONTAINER_FIELDS: readonly string[] = Object.keys(CONTAINER_RULES);

/** docker.Container inputs -> Engine API create body, networks to connect, and the harness's wait. */
export function containerSpec(resourceName: string, inputs: Inputs, opts: ContainerMapOptions): EngineContainerSpec {
    const res = `docker.Container ${resourceName}`;
    const draft: ContainerDraft = {
        res,
        opts,
        body: { Image: "", HostConfig: {} },
        networks: [],
        wait: { enabled: false, timeoutSeconds: DEFAULT_WAIT_TIMEOUT },
    };
    for (const [field, value] of Object.entries(inputs)) {
        if (value === undefined || value === null) continue;
        const rule = CONTAINER_RULES[field];
        if (!rule) throw new UnmappedFieldError(res, field);
        rule(value, draft);
    }
    if (!draft.name) throw new InvalidInputError(res, "name", "is missing; the harness needs the container name");
    if (!draft.body.Image) throw new InvalidInputError(res, "image", "is missing");

    const [first, ...rest] = draft.networks;
    if (draft.networkMode !== undefined && first) {
        throw new InvalidInputError(res, "networkMode", `is "${draft.networkMode}" and networksAdvanced is set; the program sets one or the other`);
    }
    if (first) {
        draft.body.HostConfig.NetworkMode = first.name;
        draft.body.NetworkingConfig = { EndpointsConfig: { [first.name]: first.aliases.length ? { Aliases: first.aliases } : {} } };
    } else if (draft.networkMode !== undefined) {
        draft.body.HostConfig.NetworkMode = draft.networkMode;
    }
    return { name: draft.name, body: draft.body, extraNetworks: rest, wait: draft.wait };
}

/** Engine API NetworkCreate body. */
export interface NetworkCreateBody {
    Name: string;
    Driver: string;
    Internal: boolean;
    CheckDuplicate: true;
    IPAM?: { Config: { Subnet: string }[] };
    Labels: Record<string, string>;
}

export function networkSpec(resourceName: string, inputs: Inputs): NetworkCreateBody {
    const res = `docker.Network ${resourceName}`;
    const known = ["name", "driver", "internal", "ipamConfigs", "labels"];
    for (const [field, value] of Object.entries(inputs)) {
        if (value !== undefined && value !== null && !known.includes(field)) throw new UnmappedFieldError(res, field);
    }
    const body: NetworkCreateBody = {
        Name: str(res, "name", inputs.name),
        Driver: inputs.driver === undefined ? "bridge" : str(res, "driver", inputs.driver),
        Internal: inputs.internal === undefined ? false : bool(res, "internal", inputs.internal),
        CheckDuplicate: true,
        Labels: labelMap(res, inputs.labels),
    };
    if (inputs.ipamConfigs !== undefined) {
        body.IPAM = {
            Config: list(res, "ipamConfigs", inputs.ipamConfigs).map((c, i) => ({ Subnet: str(res, `ipamConfigs[${i}].subnet`, obj(res, `ipamConfigs[${i}]`, c, ["subnet"]).subnet) })),
        };
    }
    return body;
}

/** Engine API VolumeCreate body. */
export interface VolumeCreateBody {
    Name: string;
    Labels: Record<string, string>;
}

export function volumeSpec(resourceName: string, inputs: Inputs): VolumeCreateBody {
    const res = `docker.Volume ${resourceName}`;
    for (const [field, value] of Object.entries(inputs)) {
        if (value !== undefined && value !== null && !["name", "labels"].includes(field)) throw new UnmappedFieldError(res, field);
    }
    return { Name: str(res, "name", inputs.name), Labels: labelMap(res, inputs.labels) };
}

function labelMap(res: string, v: Json): Record<string, string> {
    if (v === undefined) return {};
    return Object.fromEntries(
        list(res, "labels", v).map((l, i) => {
            const label = obj(res, `labels[${i}]`, l, ["label", "value"]);
            return [str(res, `labels[${i}].label`, label.label), str(res, `labels[${i}].value`, label.value)];
        }),
    );
}
