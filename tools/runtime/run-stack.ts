// Creates a captured stack on the real engine (volumes, networks, then containers in the program's dependency
// order, each waiting for health like the provider's `wait: true`) and removes all of it again. Teardown goes
// by the names the stack declares as well as by what was created, so a half-finished start is cleaned too.
import { CapturedContainer, CapturedStack } from "./capture";
import { Engine, EngineError } from "./engine-api";
import { ContainerCreateBody, containerSpec, EngineContainerSpec, networkSpec, volumeSpec } from "./engine-map";

export interface StackRunOptions {
    readonly engine: Engine;
    readonly captured: CapturedStack;
    /** Recorded image reference -> local image. */
    readonly image: (ref: string) => string;
    /** Host address for published ports (the harness uses 127.0.0.1). */
    readonly publishHost?: string;
    /** Containers (resource names) not to start, with the reason, e.g. their image did not build. */
    readonly skip?: ReadonlyMap<string, string>;
    readonly log?: (msg: string) => void;
}

export type ContainerStatus = "healthy" | "running" | "failed" | "skipped";

export interface ContainerOutcome {
    readonly resourceName: string;
    readonly name: string;
    readonly status: ContainerStatus;
    readonly seconds: number;
    readonly error?: string;
}

interface InspectedState {
    State: {
        Status: string;
        Running: boolean;
        Restarting: boolean;
        ExitCode: number;
        Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] | null };
    };
    RestartCount: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const notFound = (e: unknown) => e instanceof EngineError && e.status === 404;

export class StackRun {
    private readonly containers = new Set<string>();
    private readonly networks = new Set<string>();
    private readonly volumes = new Set<string>();
    /** Creates still talking to the engine; teardown waits for them so nothing appears after it. */
    private readonly inflight = new Set<Promise<unknown>>();
    private closing = false;
    private readonly log: (msg: string) => void;
    readonly specs: ReadonlyMap<string, EngineContainerSpec>;

    constructor(private readonly opts: StackRunOptions) {
        this.log = opts.log ?? (() => undefined);
        // Map everything before creating anything: an unmapped field stops the run with nothing to clean up.
        this.specs = new Map(opts.captured.containers.map((c) => [c.resourceName, containerSpec(c.resourceName, c.inputs, { image: opts.image, publishHost: opts.publishHost })]));
        for (const v of opts.captured.volumes) this.volumes.add(volumeSpec(v.resourceName, v.inputs).Name);
        for (const n of opts.captured.networks) this.networks.add(networkSpec(n.resourceName, n.inputs).Name);
        for (const spec of this.specs.values()) this.containers.add(spec.name);
    }

    get engine(): Engine {
        return this.opts.engine;
    }

    /** Creates volumes and networks, then starts containers once the containers they depend on are healthy. */
    async up(): Promise<ContainerOutcome[]> {
        const { engine, captured } = this.opts;
        const guarded = async (path: string, body: unknown) => {
            if (this.closing) throw new Error("the stack is being torn down");
            const work = engine.request("POST", path, body);
            this.inflight.add(work);
            await work.finally(() => this.inflight.delete(work));
        };
        for (const v of captured.volumes) await guarded("/volumes/create", volumeSpec(v.resourceName, v.inputs));
        for (const n of captured.networks) await guarded("/networks/create", networkSpec(n.resourceName, n.inputs));
        const outcomes = new Map<string, Promise<ContainerOutcome>>();
        const byName = new Map(captured.containers.map((c) => [c.resourceName, c]));
        const start = (c: CapturedContainer): Promise<ContainerOutcome> => {
            let outcome = outcomes.get(c.resourceName);
            if (!outcome) {
                outcome = (async () => {
                    const deps = await Promise.all(c.dependsOn.map((d) => start(byName.get(d) as CapturedContainer)));
                    const spec = this.specs.get(c.resourceName) as EngineContainerSpec;
                    const blocked = deps.filter((d) => d.status === "failed" || d.status === "skipped");
                    const skipReason = this.opts.skip?.get(c.resourceName);
                    if (skipReason || blocked.length) {
                        const error = skipReason ?? `not started: it depends on ${blocked.map((b) => `${b.name} (${b.status})`).join(", ")}`;
                        this.log(`skipping ${spec.name}: ${error}`);
                        return { resourceName: c.resourceName, name: spec.name, status: "skipped" as const, seconds: 0, error };
                    }
                    return this.startOne(c.resourceName, spec);
                })();
                outcomes.set(c.resourceName, outcome);
            }
            return outcome;
        };
        return Promise.all(captured.containers.map(start));
    }

    private async startOne(resourceName: string, spec: EngineContainerSpec): Promise<ContainerOutcome> {
        const started = Date.now();
        const seconds = () => Math.round((Date.now() - started) / 1000);
        try {
            await this.create(spec.name, spec.body, spec.extraNetworks);
            this.log(`started ${spec.name}${spec.wait.enabled ? `; waiting up to ${spec.wait.timeoutSeconds}s for healthy` : ""}`);
            if (!spec.wait.enabled) {
                return { resourceName, name: spec.name, status: "running", seconds: seconds() };
            }
            await this.waitHealthy(spec.name, spec.wait.timeoutSeconds);
            this.log(`${spec.name} is healthy after ${seconds()}s`);
            return { resourceName, name: spec.name, status: "healthy", seconds: seconds() };
        } catch (e) {
            this.log(`${spec.name} failed: ${(e as Error).message}`);
            return { resourceName, name: spec.name, status: "failed", seconds: seconds(), error: (e as Error).message };
        }
    }

    /** Creates, connects and starts one container; it is torn down with the stack. */
    async create(name: string, body: ContainerCreateBody, extraNetworks: readonly { name: string; aliases: string[] }[] = []): Promise<void> {
        if (this.closing) throw new Error(`not creating ${name}: the stack is being torn down`);
        const { engine } = this.opts;
        this.containers.add(name);
        const work = (async () => {
            await engine.request("POST", "/containers/create", body, { name });
            for (const net of extraNetworks) {
                await engine.request("POST", `/networks/${encodeURIComponent(net.name)}/connect`, {
                    Container: name,
                    EndpointConfig: net.aliases.length ? { Aliases: net.aliases } : {},
                });
            }
            await engine.request("POST", `/containers/${encodeURIComponent(name)}/start`);
        })();
        this.inflight.add(work);
        try {
            await work;
        } finally {
            this.inflight.delete(work);
        }
    }

    /** Polls until the health check passes; fails fast on unhealthy or exit, with the evidence in the message. */
    async waitHealthy(name: string, timeoutSeconds: number): Promise<void> {
        const { engine } = this.opts;
        const deadline = Date.now() + timeoutSeconds * 1000;
        for (;;) {
            const info = await engine.request<InspectedState>("GET", `/containers/${encodeURIComponent(name)}/json`);
            const health = info.State.Health?.Status;
            if (health === "healthy") return;
            const problem =
                health === "unhealthy"
                    ? "is unhealthy"
                    : !info.State.Running || info.State.Restarting || info.RestartCount > 0
                      ? `exited (status ${info.State.Status}, exit code ${info.State.ExitCode}, restarts ${info.RestartCount})`
                      : health === undefined
                        ? "has no health check"
                        : Date.now() > deadline
                          ? `is not healthy after ${timeoutSeconds}s (health: ${health})`
                          : undefined;
            if (problem) {
                const last = info.State.Health?.Log?.slice(-1)[0];
                const probe = last ? `last health check: exit ${last.ExitCode}, output ${JSON.stringify(last.Output.trim().slice(-500))}` : "no health check has run yet";
                const logs = await engine.logs(name, { tail: 30 }).catch((e: Error) => `(logs unavailable: ${e.message})`);
                throw new Error(`container ${name} ${problem}; ${probe}\n--- docker logs ${name} (last 30 lines) ---\n${logs.trimEnd()}`);
            }
            await sleep(1000);
        }
    }

    /** Removes containers, then networks, then volumes; returns what could not be removed (404 is fine). */
    async down(): Promise<string[]> {
        const { engine } = this.opts;
        this.closing = true;
        await Promise.allSettled([...this.inflight]);
        const problems: string[] = [];
        const remove = async (what: string, path: string, query?: Record<string, boolean>) => {
            try {
                await engine.request("DELETE", path, undefined, query);
            } catch (e) {
                if (!notFound(e)) problems.push(`${what}: ${(e as Error).message}`);
            }
        };
        await Promise.all([...this.containers].map((c) => remove(`container ${c}`, `/containers/${encodeURIComponent(c)}`, { force: true, v: true })));
        for (const n of this.networks) await remove(`network ${n}`, `/networks/${encodeURIComponent(n)}`);
        for (const v of this.volumes) await remove(`volume ${v}`, `/volumes/${encodeURIComponent(v)}`);
        return problems;
    }
}
