// One-shot probe containers for the isolation tests: the base image, a nobody user and the stack's own
// hardening (copied from a stack container's create body), on one network, running a short bash script.
// They carry no bulwark labels, so the live audit never counts them as part of the stack.
import { randomBytes } from "node:crypto";
import type { ContainerCreateBody } from "../../tools/runtime/engine-map";
import type { RuntimeSession } from "../../tools/runtime/session";

export interface ProbeResult {
    readonly exitCode: number;
    readonly output: string;
}

/** Runs `script` in a hardened throwaway container on `network`; the container is removed afterwards. */
export async function runProbe(session: RuntimeSession, network: string, script: string): Promise<ProbeResult> {
    const template = session.run.specs.get("app-frontend")?.body.HostConfig;
    if (!template) throw new Error("no app-frontend container spec to copy the hardening from");
    const name = `${session.stackName}-probe-${randomBytes(3).toString("hex")}`;
    const body: ContainerCreateBody = {
        Image: session.baseImage,
        User: "65534:65534",
        Cmd: ["bash", "-c", script],
        HostConfig: {
            ReadonlyRootfs: template.ReadonlyRootfs,
            Privileged: template.Privileged,
            CapAdd: template.CapAdd,
            CapDrop: template.CapDrop,
            SecurityOpt: template.SecurityOpt,
            Memory: template.Memory,
            MemorySwap: template.MemorySwap,
            NanoCpus: template.NanoCpus,
            Ulimits: template.Ulimits,
            Init: template.Init,
            LogConfig: template.LogConfig,
            NetworkMode: network,
        },
        NetworkingConfig: { EndpointsConfig: { [network]: {} } },
    };
    const engine = session.engine;
    try {
        await session.run.create(name, body);
        const waited = await engine.request<{ StatusCode: number }>("POST", `/containers/${name}/wait`, undefined, undefined, 60_000);
        return { exitCode: waited.StatusCode, output: await engine.logs(name) };
    } finally {
        await engine.request("DELETE", `/containers/${name}`, undefined, { force: true }).catch(() => undefined);
    }
}

/** A bash script printing resolve=yes|no and tcp=open|closed for a host name and an address. */
export const reachScript = (hostName: string, ip: string, port: number): string =>
    [
        `if getent hosts ${hostName} >/dev/null; then echo resolve=yes; else echo resolve=no; fi`,
        `if timeout 3 bash -c '</dev/tcp/${ip}/${port}' 2>/dev/null; then echo tcp=open; else echo tcp=closed; fi`,
    ].join("\n");
