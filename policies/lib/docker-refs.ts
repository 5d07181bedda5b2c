// Reading Docker provider resources the way the bulwark program shapes them: env lists of "K=V", containers
// found by their bulwark.role label, and a container's networksAdvanced[].name resolved to a docker Network of
// the stack (by name or id). Resource policies get raw inputs and stack policies get PolicyResources, so the
// helpers take plain props and leave the iteration to the caller.
import * as docker from "@pulumi/docker";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, validateResourceOfType } from "@pulumi/policy";
import { CONTAINER_TYPE, containsUnknown, IMAGE_TYPE, isUnknown, LABELS, NETWORK_TYPE } from "bulwark-vocabulary";
import { markUndecided } from "./inconclusive";
import { labelValue } from "./labels";
import { setInInputs } from "./seen-inputs";
import { EnvEntry, EnvList, parseEnvList } from "./parse/env";

export type { EnvEntry };
export { EnvList };

/**
 * A resource validation for docker Containers only, with their props typed. Built on validateResourceOfType so
 * the engine can skip other resource types without calling the policy.
 */
export function validateContainer(
    validate: (props: ContainerProps, args: ResourceValidationArgs, reportViolation: ReportViolation) => void,
): ResourceValidation {
    return validateResourceOfType(docker.Container, (container, args, reportViolation) =>
        validate(container as unknown as ContainerProps, args, reportViolation),
    );
}
/** The container properties the network, secret, app and backup policies read. */
export interface ContainerProps {
    readonly name?: string;
    readonly image?: string;
    readonly labels?: unknown;
    readonly envs?: unknown;
    readonly networkMode?: string;
    readonly networksAdvanced?: unknown;
    readonly ports?: unknown;
    readonly publishAllPorts?: boolean;
    readonly mounts?: unknown;
    readonly volumes?: unknown;
}

export interface NetworkProps {
    readonly id?: string;
    readonly name?: string;
    readonly internal?: boolean;
    readonly driver?: string;
}

export interface PortProps {
    readonly internal?: number;
    readonly external?: number;
    readonly ip?: string;
    readonly protocol?: string;
}

/** Roles that legitimately run database client images (pg_dump, restore drill) and are not databases. */
export const BACKUP_FAMILY_ROLES: readonly string[] = ["backup", "backup-drill", "backup-uploader"];

export const DEFAULT_DATABASE_IMAGE_PATTERNS: readonly string[] = ["postgres", "mysql", "mariadb", "mongo", "redis"];

/** The config schema entry every database-aware policy shares. */
export const DATABASE_IMAGE_PATTERNS_SCHEMA = {
    type: "array",
    items: { type: "string" },
    default: [...DEFAULT_DATABASE_IMAGE_PATTERNS],
    description: "Image repository substrings that identify a database container without a role label",
} as const satisfies PolicyConfigJSONSchema;

/** Docker's predefined networks: none of them is a user-defined, isolated network. */
export const PREDEFINED_NETWORKS: readonly string[] = ["bridge", "default", "host", "none"];

/** Parses a Docker env list as Docker applies it (policies/lib/parse/env.ts). */
export function parseEnvs(envs: unknown, present = envs !== undefined): EnvList {
    return parseEnvList(envs, present, isUnknown);
}

/** A container's envs, treating an `envs` key that is present but undefined as unknown at preview. */
export function envsOf(props: ContainerProps): EnvList {
    return parseEnvs(props.envs, "envs" in props);
}

/**
 * Records that env variable `name` could not be judged: it is absent, but entries unknown until apply may set it.
 * The policy's other checks go on; `pulumi up` decides this one.
 */
export function undecidedEnv(args: Parameters<typeof markUndecided>[0], urn: string, name: string): void {
    markUndecided(args, urn, `envs[${name}]`);
}

/**
 * True when an application setting `name` is not visible but may be among the entries unknown until apply. Only
 * an application container (role "app") or one outside the profile (no role) can hold application settings; a
 * database, proxy or backup container's unknown entries are its own secrets.
 */
export function appEnvMayHide(props: ContainerProps, envs: EnvList, name: string): boolean {
    const role = roleOf(props);
    return !envs.has(name) && !envs.isMissing(name) && (role === undefined || role === "app");
}

/** The value of one env variable: undefined if absent or unknown. */
export function envValue(props: ContainerProps, name: string): string | undefined {
    return envsOf(props).get(name)?.value;
}

export function roleOf(props: ContainerProps): string | undefined {
    return labelValue(props.labels, LABELS.role);
}

/** True when the role cannot be read yet: the labels, or a label that may be the role, are unknown until apply. */
export function roleUnknown(props: ContainerProps): boolean {
    if (roleOf(props) !== undefined) {
        return false;
    }
    const labels = props.labels;
    return isUnknown(labels) || (Array.isArray(labels) && labels.some((l) => containsUnknown(l)));
}

/** A readable name for messages: the docker container name, else the pulumi resource name. */
export function containerLabel(props: ContainerProps, resourceName: string): string {
    return typeof props.name === "string" && props.name ? `'${props.name}'` : `'${resourceName}'`;
}

/** The image's repository, without registry tag or digest, lower-cased: "bulwark/postgres@sha256:.." -> "bulwark/postgres". */
export function imageRepository(image: unknown): string | undefined {
    if (typeof image !== "string" || !image || isUnknown(image)) {
        return undefined;
    }
    const withoutDigest = image.split("@")[0];
    // A ":" after the last "/" is a tag; one before it is a registry port.
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.indexOf(":", lastSlash + 1);
    return (colon < 0 ? withoutDigest : withoutDigest.slice(0, colon)).toLowerCase();
}

/**
 * A container is a database when labelled so, or, unlabelled or labelled as something other than a backup job,
 * when its image matches a database image pattern. Backup roles are excluded because they run database client
 * images on purpose.
 */
export function isDatabaseContainer(props: ContainerProps, imagePatterns: readonly string[] = DEFAULT_DATABASE_IMAGE_PATTERNS): boolean {
    const role = roleOf(props);
    if (role === "database") {
        return true;
    }
    if (role !== undefined && BACKUP_FAMILY_ROLES.includes(role)) {
        return false;
    }
    const repository = imageRepository(props.image);
    return repository !== undefined && imagePatterns.some((p) => p && repository.includes(p.toLowerCase()));
}

/**
 * The image repository a stack container runs, lower-cased: from its `image` when that names one, else from the
 * `imageName` of the docker.Image of this stack it was built from (its property dependency), which is known in a
 * preview even though the built image is not. Undefined when neither tells.
 */
export function imageRepositoryOf(container: PolicyResource): string | undefined {
    const image = containerProps(container).image;
    const direct = typeof image === "string" && !/^sha256:[a-f0-9]{64}$/.test(image.trim()) ? imageRepository(image) : undefined;
    if (direct) {
        return direct;
    }
    const built = (container.propertyDependencies.image ?? []).find((r) => r.type === IMAGE_TYPE);
    return built ? imageRepository((built.props as { imageName?: unknown }).imageName) : undefined;
}

/**
 * Whether a stack container is a database (see isDatabaseContainer), or undefined when that cannot be told before
 * apply: its role label and its image are both unknown.
 */
export function databaseVerdict(container: PolicyResource, imagePatterns: readonly string[] = DEFAULT_DATABASE_IMAGE_PATTERNS): boolean | undefined {
    const props = containerProps(container);
    const role = roleOf(props);
    if (role === "database") {
        return true;
    }
    if (role !== undefined && BACKUP_FAMILY_ROLES.includes(role)) {
        return false;
    }
    const repository = imageRepositoryOf(container);
    if (repository !== undefined && imagePatterns.some((p) => p && repository.includes(p.toLowerCase()))) {
        return true;
    }
    // No repository to match: an image unknown until apply may still be a database's; a bare ID names none.
    return roleUnknown(props) || (repository === undefined && isUnknown(props.image)) ? undefined : false;
}

/** The names given in networksAdvanced; entries whose name is unknown at preview are returned as undefined. */
export function attachedNetworkNames(props: ContainerProps): (string | undefined)[] {
    if (!Array.isArray(props.networksAdvanced)) {
        return [];
    }
    return props.networksAdvanced.map((n: unknown) => {
        const name = n && typeof n === "object" ? (n as { name?: unknown }).name : undefined;
        return typeof name === "string" && !isUnknown(name) ? name : undefined;
    });
}

/**
 * The network mode that governs the container. The provider's Check fills in networkMode "bridge" when the program
 * sets none, and with networksAdvanced given it creates the container on "bridge", disconnects it from there and
 * connects the listed networks (kreuzwerker/terraform-provider-docker resourceDockerContainerCreate), so "bridge"
 * beside user networks means the user networks only.
 */
export function networkModeOf(props: ContainerProps): string | undefined {
    const mode = props.networkMode;
    if (typeof mode !== "string" || isUnknown(mode)) {
        return undefined;
    }
    const listed = isUnknown(props.networksAdvanced) || (Array.isArray(props.networksAdvanced) && props.networksAdvanced.length > 0);
    return mode === "bridge" && listed ? undefined : mode;
}

/** True when networksAdvanced is given but unknown as a whole at preview. */
export function networksUnknown(props: ContainerProps): boolean {
    return isUnknown(props.networksAdvanced);
}

export function publishedPorts(props: ContainerProps): PortProps[] {
    return Array.isArray(props.ports) ? props.ports.filter((p): p is PortProps => !!p && typeof p === "object") : [];
}

/** True when the container publishes anything on the host. */
export function publishesPorts(props: ContainerProps): boolean {
    return props.publishAllPorts === true || publishedPorts(props).length > 0;
}

export function containersOf(resources: readonly PolicyResource[]): PolicyResource[] {
    return resources.filter((r) => r.type === CONTAINER_TYPE);
}

/** The stack's docker Networks, indexed by name and id so lookups stay constant-time on large stacks. */
export class NetworkIndex {
    private readonly byRef = new Map<string, PolicyResource>();

    constructor(readonly all: readonly PolicyResource[]) {
        for (const network of all) {
            const { name, id } = networkProps(network);
            for (const ref of [name, id]) {
                // An ID is unknown in a preview of a create; it never stands for a network then.
                if (typeof ref === "string" && !isUnknown(ref) && !this.byRef.has(ref)) {
                    this.byRef.set(ref, network);
                }
            }
        }
    }

    resolve(ref: string): PolicyResource | undefined {
        return this.byRef.get(ref);
    }

    /** Some network's name is unknown until apply, so a reference that resolves to none may still be one of them. */
    get hasUnknownNames(): boolean {
        return this.all.some((n) => isUnknown(networkProps(n).name));
    }
}

export function networksOf(resources: readonly PolicyResource[]): NetworkIndex {
    return new NetworkIndex(resources.filter((r) => r.type === NETWORK_TYPE));
}

export function containerProps(resource: PolicyResource): ContainerProps {
    return resource.props as ContainerProps;
}

export function networkProps(resource: PolicyResource): NetworkProps {
    return resource.props as NetworkProps;
}

/**
 * Whether a network is internal: "unknown" only where the program computes `internal`. Left unset, it is unknown
 * in a preview's planned state too, but the provider creates the network with Docker's default: not internal.
 */
export function networkInternal(network: PolicyResource): boolean | "unknown" {
    const internal = networkProps(network).internal;
    if (isUnknown(internal)) {
        return setInInputs(network.urn, "internal") === false ? false : "unknown";
    }
    return internal === true;
}

/** The docker Network a container refers to by name or id, as networksAdvanced and networkMode allow both. */
export function resolveNetwork(ref: string, networks: NetworkIndex): PolicyResource | undefined {
    return networks.resolve(ref);
}

/** The network a container is attached to, resolved against the stack's networks. */
export interface Attachment {
    /** The name or id the container uses; undefined when unknown at preview. */
    readonly ref: string | undefined;
    readonly network: PolicyResource | undefined;
}

/**
 * The networks a container joins. A reference unknown until apply (a network's ID, in a preview) is resolved through
 * the engine's property dependencies: the docker Networks that `networksAdvanced` was built from. Only when those
 * do not tell either is an attachment left with neither ref nor network: the caller cannot decide it yet.
 */
export function attachmentsOf(props: ContainerProps, networks: NetworkIndex, container?: PolicyResource): Attachment[] {
    const refs = networksUnknown(props) ? [undefined] : attachedNetworkNames(props);
    const result: Attachment[] = refs
        .filter((ref): ref is string => ref !== undefined)
        .map((ref) => ({ ref, network: resolveNetwork(ref, networks) }));
    if (refs.some((ref) => ref === undefined)) {
        const joined = new Set(result.map((a) => a.network));
        const viaDependencies = (container?.propertyDependencies.networksAdvanced ?? []).filter((r) => r.type === NETWORK_TYPE && !joined.has(r));
        for (const network of viaDependencies) {
            const name = networkProps(network).name;
            result.push({ ref: typeof name === "string" && !isUnknown(name) ? name : network.name, network });
        }
        if (viaDependencies.length === 0) {
            result.push({ ref: undefined, network: undefined });
        }
    }
    return result;
}

/** A stable key for "the same network": the Network's URN when it resolves, else the raw reference. */
export function networkKey(attachment: Attachment): string | undefined {
    return attachment.network?.urn ?? attachment.ref;
}

/** A named volume a container mounts: the field it is set in, and the volume's name (undefined: unknown until apply). */
export interface VolumeMountRef {
    readonly field: string;
    readonly volume: string | undefined;
}

/**
 * The named volumes a container mounts: `mounts` of type "volume" and `volumes` with a volumeName. Bind and tmpfs
 * mounts are not volumes; a whole list unknown at preview is one unknown reference.
 */
export function volumeMountsOf(props: ContainerProps): VolumeMountRef[] {
    const refs: VolumeMountRef[] = [];
    const known = (value: unknown) => (typeof value === "string" && !isUnknown(value) ? value : undefined);
    for (const [field, key, isVolume] of [
        ["mounts", "source", (m: Record<string, unknown>) => m.type === "volume" || isUnknown(m.type)],
        ["volumes", "volumeName", (v: Record<string, unknown>) => v.volumeName !== undefined && v.hostPath === undefined],
    ] as const) {
        const list = props[field];
        if (isUnknown(list)) {
            refs.push({ field, volume: undefined });
        } else if (Array.isArray(list)) {
            list.forEach((entry: unknown, i) => {
                if (isUnknown(entry)) {
                    refs.push({ field: `${field}[${i}]`, volume: undefined });
                } else if (entry && typeof entry === "object" && isVolume(entry as Record<string, unknown>)) {
                    refs.push({ field: `${field}[${i}].${key}`, volume: known((entry as Record<string, unknown>)[key]) });
                }
            });
        }
    }
    return refs;
}

/** Formats a list for messages: ["a", "b"] -> "'a', 'b'". */
export function quoteList(values: readonly (string | number)[]): string {
    return values.map((v) => `'${v}'`).join(", ");
}
