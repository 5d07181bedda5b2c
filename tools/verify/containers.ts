// Reads a stack's state from the Docker engine itself: its containers by label (inspect, processes from
// `docker top`, and the kernel's view of PID 1 from /proc when the engine is local), and its networks.
import * as fs from "node:fs";
import { LABELS } from "bulwark-vocabulary";
import { Engine } from "../runtime/engine-api";

/** The parts of GET /containers/{id}/json the audit reads. */
export interface ContainerInspect {
    Id: string;
    Name: string;
    /** The AppArmor profile the engine applied: "" where the host has no AppArmor, "unconfined" for none. */
    AppArmorProfile?: string;
    Config: {
        User: string;
        Env: string[] | null;
        Labels: Record<string, string> | null;
        Healthcheck?: { Test?: string[] | null } | null;
        Cmd?: string[] | null;
        Entrypoint?: string[] | null;
    };
    State: { Status: string; Running: boolean; Pid: number; Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] | null } | null };
    RestartCount: number;
    HostConfig: {
        ReadonlyRootfs: boolean;
        Privileged: boolean;
        CapAdd: string[] | null;
        CapDrop: string[] | null;
        SecurityOpt: string[] | null;
        Memory: number;
        MemorySwap: number;
        NanoCpus: number;
        CpuQuota: number;
        PidsLimit: number | null;
        Ulimits: { Name: string; Soft: number; Hard: number }[] | null;
        NetworkMode: string;
        PidMode: string;
        IpcMode: string;
        UsernsMode: string;
        UTSMode: string;
        PortBindings: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
        PublishAllPorts: boolean;
        Binds: string[] | null;
        RestartPolicy: { Name: string };
        LogConfig: { Type: string; Config: Record<string, string> | null };
    };
    Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[] | null;
    NetworkSettings: {
        Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
        Networks: Record<string, { IPAddress: string; Aliases: string[] | null }> | null;
    };
}

export interface Process {
    readonly pid: number;
    readonly uid: number;
    readonly command: string;
}

/** PID 1 of the container as the host kernel sees it (local engines only). */
export interface KernelView {
    readonly uids: readonly number[];
    readonly capEff: bigint;
    readonly noNewPrivs: boolean;
    /** The Seccomp mode of /proc/<pid>/status (0 none, 1 strict, 2 filter); undefined when the kernel has no seccomp. */
    readonly seccomp?: number;
}

export interface ContainerInfo {
    readonly name: string;
    readonly service: string;
    readonly role: string;
    readonly inspect: ContainerInspect;
    /** From `docker top`; empty when the container is not running. */
    readonly processes: readonly Process[];
    readonly kernel?: KernelView;
}

export interface NetworkInfo {
    readonly name: string;
    readonly internal: boolean;
    readonly subnets: readonly string[];
}

/** The engine's own confinement, from GET /info SecurityOptions ("name=seccomp,profile=default", "name=apparmor"). */
export interface EngineSecurity {
    /** The profile the engine applies to a container with no seccomp option; undefined when it has no seccomp. */
    readonly seccompProfile?: string;
    readonly apparmor: boolean;
}

export interface StackState {
    readonly stack: string;
    readonly engine: EngineSecurity;
    readonly containers: readonly ContainerInfo[];
    readonly networks: readonly NetworkInfo[];
}

export function engineSecurity(securityOptions: readonly string[] | null | undefined): EngineSecurity {
    const options = (securityOptions ?? []).map((o) => new Map(o.split(",").map((kv) => (kv.includes("=") ? (kv.split(/=(.*)/s, 2) as [string, string]) : ["name", kv]))));
    const seccomp = options.find((o) => o.get("name") === "seccomp");
    return {
        seccompProfile: seccomp ? seccomp.get("profile") || "default" : undefined,
        apparmor: options.some((o) => o.get("name") === "apparmor"),
    };
}

const filters = (labels: readonly string[]) => JSON.stringify({ label: labels });

/** Reads /proc/<pid>/status, but only if that pid really is in this container's cgroup. */
export function kernelView(pid: number, containerId: string): KernelView | undefined {
    try {
        if (pid <= 0 || !fs.readFileSync(`/proc/${pid}/cgroup`, "utf8").includes(containerId)) return undefined;
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status)?.[1]?.trim() ?? "";
        return {
            uids: field("Uid").split(/\s+/).map(Number),
            capEff: BigInt(`0x${field("CapEff") || "0"}`),
            noNewPrivs: field("NoNewPrivs") === "1",
            seccomp: field("Seccomp") === "" ? undefined : Number(field("Seccomp")),
        };
    } catch {
        return undefined;
    }
}

/**
 * Host processes running as `uid` (real uid) outside the container: the nproc limit counts them against the
 * container's budget. Read from /proc, so only meaningful where the engine is local (the container has a kernel view).
 */
export function uidProcessesOutside(uid: number, containerId: string, proc = "/proc"): number[] {
    const outside: number[] = [];
    for (const entry of fs.readdirSync(proc)) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const real = /^Uid:\s*(\d+)/m.exec(fs.readFileSync(`${proc}/${entry}/status`, "utf8"))?.[1];
            if (Number(real) !== uid) continue;
            if (!fs.readFileSync(`${proc}/${entry}/cgroup`, "utf8").includes(containerId)) outside.push(Number(entry));
        } catch {
            // The process ended while we read it.
        }
    }
    return outside.sort((a, b) => a - b);
}

async function processesOf(engine: Engine, id: string): Promise<Process[]> {
    const top = await engine.request<{ Titles: string[]; Processes: string[][] }>("GET", `/containers/${id}/top`, undefined, { ps_args: "-o pid,uid,comm" });
    const pidAt = top.Titles.indexOf("PID");
    const uidAt = top.Titles.indexOf("UID");
    return top.Processes.map((p) => ({ pid: Number(p[pidAt]), uid: Number(p[uidAt]), command: p[p.length - 1] }));
}

export async function loadStackState(engine: Engine, stack: string): Promise<StackState> {
    const info = await engine.request<{ SecurityOptions?: string[] | null }>("GET", "/info");
    const listed = await engine.request<{ Id: string }[]>("GET", "/containers/json", undefined, {
        all: true,
        filters: filters([`${LABELS.project}=bulwark`, `${LABELS.stack}=${stack}`]),
    });
    const containers = await Promise.all(
        listed.map(async ({ Id }): Promise<ContainerInfo> => {
            const inspect = await engine.request<ContainerInspect>("GET", `/containers/${Id}/json`);
            const labels = inspect.Config.Labels ?? {};
            return {
                name: inspect.Name.replace(/^\//, ""),
                service: labels[LABELS.service] ?? "",
                role: labels[LABELS.role] ?? "",
                inspect,
                processes: inspect.State.Running ? await processesOf(engine, Id) : [],
                kernel: inspect.State.Running ? kernelView(inspect.State.Pid, Id) : undefined,
            };
        }),
    );
    const networks = await engine.request<{ Name: string; Internal: boolean; IPAM?: { Config?: { Subnet?: string }[] | null } }[]>("GET", "/networks", undefined, {
        filters: filters([`${LABELS.stack}=${stack}`]),
    });
    return {
        stack,
        engine: engineSecurity(info.SecurityOptions),
        containers: containers.sort((a, b) => a.name.localeCompare(b.name)),
        networks: networks.map((n) => ({ name: n.Name, internal: n.Internal, subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "").filter(Boolean) })),
    };
}

/** One variable from the container's configured environment (never the whole list: it holds secrets). */
export function envValue(c: ContainerInfo, key: string): string | undefined {
    const entry = (c.inspect.Config.Env ?? []).find((e) => e.startsWith(`${key}=`));
    return entry?.slice(key.length + 1);
}
