// The proxy benchmark's containers: the real proxy image (images/proxy, built FROM the base the program
// records) with the program's recorded settings for the dev stack's proxy — user, read-only root, capabilities,
// memory and CPU, tmpfs, ulimits, init, logging, environment, health check, published ports on loopback — in
// front of a fast upstream stand-in (tools/runtime/upstream-stub.js) on a bench-only Docker network; the
// stand-in's backend port is published on loopback too, for the direct runs.
//
// The stand-in runs as a container on the proxy's network, not on the host: the proxy then reaches it as it
// reaches the stack's backend (Docker DNS for the BACKEND_UPSTREAM alias, bridge network), without any change
// to the proxy's environment, and both targets the bench compares are entered the same way (a port Docker
// publishes on 127.0.0.1), so the only difference between them is the proxy hop itself. The stand-in gets as
// many CPUs as the host has (node serves on one thread, so in effect one core: more than the proxy's 0.5) and
// 256 MB, so its own CPU is not what limits the proxied runs.
//
// Everything created here carries the bench label and is removed by down(), which run.ts also calls on a
// failure and on SIGINT/SIGTERM.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineHandle, ensureEngine } from "../../tools/runtime/dockerd";
import { EngineError } from "../../tools/runtime/engine-api";
import { containerSpec, ContainerCreateBody, HostConfig } from "../../tools/runtime/engine-map";
import { freeDataSubnet, freeLoopbackPorts, randomStackName } from "../../tools/runtime/host";
import { buildImage } from "../../tools/runtime/images";
import { captureWithBase, recordedBaseImage } from "../../tools/runtime/recorded";

export const PUBLISH_HOST = "127.0.0.1";
export const BENCH_LABEL = "bulwark.bench";
export const UPSTREAM_STUB = path.resolve(__dirname, "..", "..", "tools", "runtime", "upstream-stub.js");
const UPSTREAM_MEMORY_MB = 256;
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A create body with what the stand-in needs beyond the program's fields: its own entrypoint and two read-only binds. */
type StandInBody = Omit<ContainerCreateBody, "HostConfig"> & { Entrypoint: string[]; HostConfig: HostConfig & { Binds: string[] } };

export interface RigLimits {
    readonly proxyCpus: number;
    readonly proxyMemoryMb: number;
    readonly upstreamCpus: number;
    readonly upstreamMemoryMb: number;
}

/** A container's CPU counters (Engine API stats, cgroup v1 or v2 alike). */
export interface CpuCounters {
    readonly usageNs: number;
    readonly periods: number;
    readonly throttledPeriods: number;
}

interface Stats {
    cpu_stats: { cpu_usage: { total_usage: number }; throttling_data?: { periods: number; throttled_periods: number } };
}

export class ProxyRig {
    private readonly containers: string[] = [];
    private readonly networks: string[] = [];
    private handle: EngineHandle | undefined;
    private closed = false;
    private teardown: Promise<string[]> | undefined;
    /** Engine calls that create something; down() waits for them, so nothing appears after it. */
    private readonly inflight = new Set<Promise<unknown>>();
    /** Filled by up(). */
    proxyUrl = "";
    directUrl = "";
    serverName = "";
    limits: RigLimits = { proxyCpus: NaN, proxyMemoryMb: NaN, upstreamCpus: NaN, upstreamMemoryMb: NaN };

    constructor(
        private readonly log: (msg: string) => void,
        readonly id = randomStackName(),
    ) {}

    private get engine() {
        if (!this.handle) throw new Error("the rig is not up");
        return this.handle.engine;
    }

    private async creating(what: string, work: () => Promise<unknown>): Promise<void> {
        if (this.closed) throw new Error(`not creating ${what}: the bench is being torn down`);
        const p = work();
        this.inflight.add(p);
        try {
            await p;
        } finally {
            this.inflight.delete(p);
        }
    }

    private async createAndStart(name: string, body: unknown): Promise<void> {
        this.containers.push(name);
        await this.creating(`container ${name}`, async () => {
            await this.engine.request("POST", "/containers/create", body, { name });
            await this.engine.request("POST", `/containers/${encodeURIComponent(name)}/start`);
        });
    }

    /** Builds the proxy image, starts the stand-in and the proxy, and waits until GET `urlPath` answers 200 both ways. */
    async up(urlPath: string, ready: (url: string, serverName?: string) => Promise<boolean>): Promise<void> {
        this.handle = await ensureEngine(this.log);
        const [httpsPort, httpPort, directPort] = await freeLoopbackPorts(3);
        this.log(`recording the program's dev stack (as ${this.id})`);
        const captured = await captureWithBase({ configStack: "dev", stackName: this.id, overrides: { httpsPort: String(httpsPort), httpPort: String(httpPort) }, log: this.log });
        const recorded = captured.containers.find((c) => c.resourceName === "proxy");
        if (!recorded) throw new Error(`the program's dev stack has no proxy container (has: ${captured.containers.map((c) => c.resourceName).join(", ")})`);
        const imageName = captured.images.find((i) => i.repoDigest === recorded.inputs.image)?.name;
        if (!imageName) throw new Error(`the proxy's image ${String(recorded.inputs.image)} is not one the program builds from images/`);
        const base = recordedBaseImage(captured);
        this.log(`building images/${imageName} FROM ${base}`);
        const build = await buildImage(imageName, base);
        if (!build.ok) throw new Error(build.error);
        const proxy = containerSpec("proxy", recorded.inputs, { image: () => build.tag, publishHost: PUBLISH_HOST }).body;
        const env = Object.fromEntries((proxy.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
        const upstreams = [env.BACKEND_UPSTREAM, env.FRONTEND_UPSTREAM].map((u) => ({ alias: u.split(":")[0], port: u.split(":")[1] }));
        this.serverName = env.SERVER_NAME;

        // A subnet chosen like the runtime harness's (never the dev stack's 172.29.10.0/24, nothing in use).
        const network = `${this.id}-bench`;
        const subnet = await freeDataSubnet(this.engine);
        this.networks.push(network);
        await this.creating(`network ${network}`, () =>
            this.engine.request("POST", "/networks/create", {
                Name: network,
                Driver: "bridge",
                CheckDuplicate: true,
                Labels: { [BENCH_LABEL]: this.id },
                IPAM: { Config: [{ Subnet: subnet }] },
            }),
        );

        const upstreamCpus = os.cpus().length;
        const upstream: StandInBody = {
            // Any image of the stack with a glibc userland runs the host's node; the proxy's is already built.
            Image: build.tag,
            Entrypoint: ["/opt/node/bin/node", "/opt/upstream-stub.js"],
            Cmd: [],
            User: proxy.User,
            Env: [`UPSTREAM_PORTS=${[...new Set(upstreams.map((u) => u.port))].join(",")}`],
            Labels: { [BENCH_LABEL]: this.id },
            ExposedPorts: { [`${upstreams[0].port}/tcp`]: {} },
            Healthcheck: { Test: ["NONE"], Interval: 0, Timeout: 0, Retries: 0, StartPeriod: 0 },
            HostConfig: {
                ReadonlyRootfs: true,
                CapDrop: ["ALL"],
                SecurityOpt: ["no-new-privileges:true"],
                Init: true,
                Memory: UPSTREAM_MEMORY_MB * MB,
                MemorySwap: UPSTREAM_MEMORY_MB * MB,
                NanoCpus: upstreamCpus * 1e9,
                NetworkMode: network,
                PortBindings: { [`${upstreams[0].port}/tcp`]: [{ HostIp: PUBLISH_HOST, HostPort: String(directPort) }] },
                Binds: [`${fs.realpathSync(process.execPath)}:/opt/node/bin/node:ro`, `${UPSTREAM_STUB}:/opt/upstream-stub.js:ro`],
            },
            NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [...new Set(upstreams.map((u) => u.alias))] } } },
        };
        await this.createAndStart(this.upstreamContainer, upstream);

        // The proxy exactly as recorded, but on the bench network and labelled as the bench's (not as a stack's,
        // which `verify` and the runtime tests look for).
        await this.createAndStart(this.proxyContainer, {
            ...proxy,
            Labels: { [BENCH_LABEL]: this.id },
            HostConfig: { ...proxy.HostConfig, NetworkMode: network },
            NetworkingConfig: { EndpointsConfig: { [network]: {} } },
        });
        this.limits = {
            proxyCpus: (proxy.HostConfig.NanoCpus ?? NaN) / 1e9,
            proxyMemoryMb: (proxy.HostConfig.Memory ?? NaN) / MB,
            upstreamCpus,
            upstreamMemoryMb: UPSTREAM_MEMORY_MB,
        };
        this.proxyUrl = `https://${PUBLISH_HOST}:${httpsPort}${urlPath}`;
        this.directUrl = `http://${PUBLISH_HOST}:${directPort}${urlPath}`;

        const deadline = Date.now() + 60_000;
        for (const [what, url, serverName] of [["the upstream stand-in", this.directUrl, undefined], ["the proxy", this.proxyUrl, this.serverName]] as const) {
            while (!(await ready(url, serverName))) {
                if (Date.now() > deadline) {
                    const logs = await Promise.all(this.containers.map(async (c) => `--- ${c} ---\n${await this.engine.logs(c, { tail: 20 }).catch((e: Error) => e.message)}`));
                    throw new Error(`${what} does not answer GET ${url} with 200 within 60 s\n${logs.join("\n")}`);
                }
                await sleep(500);
            }
        }
    }

    get proxyContainer(): string {
        return `${this.id}-bench-proxy`;
    }

    get upstreamContainer(): string {
        return `${this.id}-bench-upstream`;
    }

    async cpu(container: string): Promise<CpuCounters> {
        const s = await this.engine.request<Stats>("GET", `/containers/${encodeURIComponent(container)}/stats`, undefined, { stream: false, "one-shot": true });
        const t = s.cpu_stats.throttling_data;
        return { usageNs: s.cpu_stats.cpu_usage.total_usage, periods: t?.periods ?? 0, throttledPeriods: t?.throttled_periods ?? 0 };
    }

    /** Running containers on the engine that are not this bench's (they skew the figures). */
    async others(): Promise<string[]> {
        const list = await this.engine.request<{ Names: string[]; Labels: Record<string, string> }[]>("GET", "/containers/json");
        return list.filter((c) => c.Labels[BENCH_LABEL] !== this.id).map((c) => c.Names[0].replace(/^\//, ""));
    }

    /**
     * Removes the containers, then the network (404 is fine); stops the engine if up() started it. Returns what
     * could not be removed. A second call (a signal during the normal teardown) waits for the same teardown.
     */
    down(): Promise<string[]> {
        this.teardown ??= this.removeAll();
        return this.teardown;
    }

    private async removeAll(): Promise<string[]> {
        this.closed = true;
        await Promise.allSettled([...this.inflight]);
        if (!this.handle) return [];
        const problems: string[] = [];
        const remove = async (what: string, p: string, query?: Record<string, boolean>) => {
            try {
                await this.engine.request("DELETE", p, undefined, query);
            } catch (e) {
                if (!(e instanceof EngineError && e.status === 404)) problems.push(`${what}: ${(e as Error).message}`);
            }
        };
        await Promise.all(this.containers.map((c) => remove(`container ${c}`, `/containers/${encodeURIComponent(c)}`, { force: true, v: true })));
        for (const n of this.networks) await remove(`network ${n}`, `/networks/${encodeURIComponent(n)}`);
        await this.handle.stop();
        return problems;
    }
}
