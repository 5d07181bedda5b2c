// The one hardening profile. Every container of the stack is created from a ServiceProfile through
// hardenedContainerArgs(), which writes docker.ContainerArgs as a literal: a field name Docker does not know
// fails type-checking, and no spread can smuggle one in. Services differ only in what the profile lets them
// say (image, user, writable paths, networks, health check); the security settings are not theirs to change.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ControlId, GrantableCapability, isSecretEnvName, LABELS, Role } from "bulwark-vocabulary";

/** A numeric, non-root "uid:gid": names could resolve to root inside an image. */
export type NonRootUser = `${number}:${number}`;

/** A service's memory and CPU limits (CON-08); config sets them per service (`resources.<service>`). */
export interface ServiceResources {
    readonly memoryMb: number;
    readonly cpus: number;
}

export interface TmpfsMount {
    readonly path: string;
    readonly sizeMb: number;
    /** Octal mode such as "0700". */
    readonly mode: string;
}

export interface VolumeMount {
    readonly volume: docker.Volume;
    readonly path: string;
    readonly readOnly: boolean;
}

export interface NetworkAttachment {
    readonly network: docker.Network;
    readonly aliases: readonly string[];
}

export interface PublishedPort {
    readonly containerPort: number;
    readonly hostPort: number;
    /** The host address the port binds to (CIS Docker 5.14); never left to the provider's 0.0.0.0. */
    readonly hostAddress: string;
}

export interface HealthCheck {
    /** Exec form, without the leading "CMD": the probe runs without a shell. */
    readonly command: readonly [string, ...string[]];
    readonly intervalSeconds?: number;
    readonly timeoutSeconds?: number;
    readonly retries?: number;
    readonly startPeriodSeconds?: number;
}

export interface LogRotation {
    readonly maxSizeMb: number;
    readonly maxFiles: number;
}

export interface ServiceProfile {
    readonly stack: string;
    readonly service: string;
    readonly role: Role;
    readonly image: pulumi.Input<string>;
    readonly user: NonRootUser;
    readonly resources: ServiceResources;
    readonly healthCheck: HealthCheck;
    readonly logRotation: LogRotation;
    /** Networks to join; empty means no network at all (networkMode "none"). */
    readonly networks: readonly NetworkAttachment[];
    readonly tmpfs?: readonly TmpfsMount[];
    readonly volumes?: readonly VolumeMount[];
    /** Only the edge proxy publishes ports (NET-03); the policy pack rejects it anywhere else. */
    readonly publish?: readonly PublishedPort[];
    readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
    readonly command?: readonly string[];
    readonly addCapabilities?: readonly { readonly capability: GrantableCapability; readonly reason: string }[];
    /** Upper bound on processes (nproc ulimit); the Docker provider has no pids limit. */
    readonly maxProcesses?: number;
    readonly maxOpenFiles?: number;
    /** /dev/shm size; Docker's 64 MB default is too small for PostgreSQL's parallel workers. */
    readonly sharedMemoryMb?: number;
    /** Controls this service's own settings carry, besides the profile's. */
    readonly controls?: readonly ControlId[];
}

/** Controls every hardened container carries by construction. */
export const PROFILE_CONTROLS: readonly ControlId[] = ["CON-05", "CON-06", "CON-07", "CON-08", "CON-09", "LOG-04", "LOG-05", "LOG-06"];

/**
 * Durations and CPU counts in the form the docker provider reads back from Docker (Go's time.Duration.String(),
 * "1m0s"; cpus with at least one decimal, "1.0"): any other spelling of the same value shows as a change on every
 * `pulumi up` and replaces the container (seen in the first real field test).
 */
export function goDuration(totalSeconds: number): string {
    const h = Math.floor(totalSeconds / 3600);
    const m = Math.floor((totalSeconds % 3600) / 60);
    const s = totalSeconds % 60;
    return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

export function dockerCpus(cpus: number): string {
    return Number.isInteger(cpus * 10) ? cpus.toFixed(1) : String(cpus);
}

const seconds = goDuration;

export function hardenedContainerArgs(p: ServiceProfile): docker.ContainerArgs {
    const controls = [...new Set([...PROFILE_CONTROLS, ...(p.controls ?? [])])].sort();
    const [uid, gid] = p.user.split(":");
    const env = Object.entries(p.env ?? {});
    // SEC-01: the pack sees values, not where they came from (@pulumi/policy unwraps secrets before a policy
    // runs), so a strong-looking secret written in code passes it. Here the source is still visible: a secret
    // must arrive as an Output (from @pulumi/random or secret config), never as a string literal.
    const literal = env.filter(([k, v]) => isSecretEnvName(k) && typeof v === "string").map(([k]) => k);
    if (literal.length > 0) {
        throw new Error(
            `${p.stack}-${p.service}: env ${literal.join(", ")} ${literal.length > 1 ? "are" : "is a"} string literal${literal.length > 1 ? "s" : ""} in code (SEC-01). ` +
                "Generate the value with @pulumi/random or read it with config.requireSecret, and pass the Output.",
        );
    }
    return {
        name: `${p.stack}-${p.service}`,
        image: p.image,
        user: p.user,
        command: p.command ? [...p.command] : undefined,
        envs: env.length ? env.map(([k, v]) => pulumi.interpolate`${k}=${v}`) : undefined,

        // CON-06: nothing writes to the image; writable paths are tmpfs owned by the service's uid, or volumes.
        readOnly: true,
        tmpfs: Object.fromEntries(
            (p.tmpfs ?? []).map((t) => [t.path, `rw,noexec,nosuid,nodev,size=${t.sizeMb}m,uid=${uid},gid=${gid},mode=${t.mode}`]),
        ),
        mounts: (p.volumes ?? []).map((v) => ({ type: "volume", source: v.volume.name, target: v.path, readOnly: v.readOnly })),

        // CON-07: no privileges beyond what the profile grants, and none gained later through setuid binaries.
        privileged: false,
        capabilities: { drops: ["ALL"], adds: (p.addCapabilities ?? []).map((c) => c.capability) },
        securityOpts: ["no-new-privileges:true"],

        // CON-08: memory without swap on top, a CPU share, and bounded processes and files.
        memory: p.resources.memoryMb,
        memorySwap: p.resources.memoryMb,
        shmSize: p.sharedMemoryMb,
        cpus: dockerCpus(p.resources.cpus),
        ulimits: [
            { name: "nproc", soft: p.maxProcesses ?? 256, hard: p.maxProcesses ?? 256 },
            { name: "nofile", soft: p.maxOpenFiles ?? 4096, hard: p.maxOpenFiles ?? 4096 },
        ],
        // Reaps zombies and forwards signals for services that are not built as PID 1.
        init: true,

        // CON-09 / NET-01: user-defined networks only; no host namespaces are ever set.
        networkMode: p.networks.length === 0 ? "none" : undefined,
        networksAdvanced: p.networks.map((n) => ({ name: n.network.name, aliases: [...n.aliases] })),
        ports: (p.publish ?? []).map((port) => ({ internal: port.containerPort, external: port.hostPort, ip: port.hostAddress, protocol: "tcp" })),

        // LOG-05 / LOG-06: a health check, restarts on failure, and the stack waits for health on create.
        healthcheck: {
            tests: ["CMD", ...p.healthCheck.command],
            interval: seconds(p.healthCheck.intervalSeconds ?? 30),
            timeout: seconds(p.healthCheck.timeoutSeconds ?? 5),
            retries: p.healthCheck.retries ?? 3,
            startPeriod: seconds(p.healthCheck.startPeriodSeconds ?? 30),
        },
        restart: "unless-stopped",
        wait: true,
        waitTimeout: 180,

        // LOG-04: bounded local logs.
        logDriver: "json-file",
        logOpts: { "max-size": `${p.logRotation.maxSizeMb}m`, "max-file": `${p.logRotation.maxFiles}` },

        labels: [
            { label: LABELS.project, value: "bulwark" },
            { label: LABELS.stack, value: p.stack },
            { label: LABELS.service, value: p.service },
            { label: LABELS.role, value: p.role },
            { label: LABELS.controls, value: controls.join(",") },
        ],
    };
}

export interface HardenedContainerArgs {
    readonly profile: ServiceProfile;
}

/** A container built from the profile, as a component so its URN names the service. */
export class HardenedContainer extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: HardenedContainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.hardenedContainer, name, {}, opts);
        this.container = new docker.Container(name, hardenedContainerArgs(args.profile), { parent: this });
        this.name = this.container.name;
        this.registerOutputs({ name: this.name });
    }
}
