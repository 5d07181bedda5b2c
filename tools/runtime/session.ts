// One runtime session: engine (reused or started), base and images built, the dev stack captured from the
// program under a random stack name and run on the engine with the proxy on free loopback ports, and on
// close everything removed again (and the engine stopped if this session started it). SIGINT/SIGTERM run the
// same teardown, so an interrupted run leaves nothing behind.
import { CapturedStack } from "./capture";
import { EngineHandle, ensureEngine } from "./dockerd";
import { Engine } from "./engine-api";
import { freeDataSubnet, freeLoopbackPorts, randomStackName } from "./host";
import { BuildResult, buildImages, imageNames, localTag } from "./images";
import { captureWithBase, recordedBaseImage } from "./recorded";
import { ContainerOutcome, StackRun } from "./run-stack";

export interface SessionOptions {
    /** Which Pulumi.<stack>.yaml the program reads (default dev). */
    readonly configStack?: string;
    readonly log?: (msg: string) => void;
}

export interface SessionPorts {
    readonly https: number;
    readonly http: number;
}

export const PUBLISH_HOST = "127.0.0.1";

export class RuntimeSession {
    private closed = false;
    private readonly onSignal: (signal: NodeJS.Signals) => void;

    private constructor(
        private readonly handle: EngineHandle,
        /** The base the images were built FROM: the BASE_IMAGE the program records (tools/runtime/recorded.ts). */
        readonly baseImage: string,
        readonly stackName: string,
        readonly ports: SessionPorts,
        readonly dataSubnet: string,
        readonly captured: CapturedStack,
        readonly builds: readonly BuildResult[],
        readonly run: StackRun,
        readonly outcomes: readonly ContainerOutcome[],
        private readonly log: (msg: string) => void,
    ) {
        this.onSignal = (signal) => {
            this.log(`${signal}: tearing the stack down before exiting`);
            void this.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
        };
    }

    get engine(): Engine {
        return this.handle.engine;
    }

    get proxyHttpsUrl(): string {
        return `https://${PUBLISH_HOST}:${this.ports.https}`;
    }

    get proxyHttpUrl(): string {
        return `http://${PUBLISH_HOST}:${this.ports.http}`;
    }

    /** The Docker name of a container by its Pulumi resource name (e.g. "database" -> "rt1a2b3c-database"). */
    containerName(resourceName: string): string {
        const spec = this.run.specs.get(resourceName);
        if (!spec) throw new Error(`the stack has no container resource "${resourceName}" (have: ${[...this.run.specs.keys()].join(", ")})`);
        return spec.name;
    }

    static async start(opts: SessionOptions = {}): Promise<RuntimeSession> {
        const log = opts.log ?? ((msg: string) => console.error(`[runtime] ${msg}`));
        const handle = await ensureEngine(log);
        let run: StackRun | undefined;
        let session: RuntimeSession | undefined;
        // Until the session object exists, a signal or an error must still clean up what was made.
        let interrupted: NodeJS.Signals | undefined;
        const early = (signal: NodeJS.Signals) => {
            interrupted = signal;
            log(`${signal}: removing what this run created, then exiting`);
            void (async () => {
                await run?.down();
                await handle.stop();
            })().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
        };
        process.once("SIGINT", early);
        process.once("SIGTERM", early);
        try {
            const stackName = randomStackName();
            const [https, http] = await freeLoopbackPorts(2);
            const dataSubnet = await freeDataSubnet(handle.engine);
            log(`capturing the program as stack ${stackName} (config: Pulumi.${opts.configStack ?? "dev"}.yaml; https ${https}, http ${http}, data ${dataSubnet})`);
            const captured = await captureWithBase({
                configStack: opts.configStack ?? "dev",
                stackName,
                overrides: { httpsPort: String(https), httpPort: String(http), dataSubnet },
                log,
            });

            // Built FROM what the program records, not a base of the harness's own choosing.
            const base = recordedBaseImage(captured);
            const names = imageNames();
            const builds = await buildImages(names, base, (line) => {
                if (!line.startsWith("[")) log(line);
            });

            // Containers run the image built here from the same images/<name> directory the program builds.
            const imageOf = new Map(captured.images.map((i) => [i.repoDigest, i.name]));
            const image = (ref: string) => {
                const name = imageOf.get(ref);
                if (!name) throw new Error(`container image ${ref} is not one the program builds from images/; the harness runs locally built images only`);
                return localTag(name);
            };
            const skip = new Map<string, string>();
            for (const c of captured.containers) {
                const name = imageOf.get(String(c.inputs.image));
                const build = builds.find((b) => b.name === name);
                if (name && !build?.ok) {
                    skip.set(c.resourceName, `image ${localTag(name)} is not available: ${build?.error ?? `images/${name}/Dockerfile does not exist`}`);
                }
            }

            run = new StackRun({ engine: handle.engine, captured, image, publishHost: PUBLISH_HOST, skip, log });
            log(`starting ${captured.containers.length} containers on ${captured.networks.length} networks with ${captured.volumes.length} volumes`);
            const outcomes = await run.up();
            if (interrupted) throw new Error(`interrupted by ${interrupted}`);
            session = new RuntimeSession(handle, base, stackName, { https, http }, dataSubnet, captured, builds, run, outcomes, log);
            process.on("SIGINT", session.onSignal);
            process.on("SIGTERM", session.onSignal);
            return session;
        } catch (e) {
            const problems = (await run?.down()) ?? [];
            await handle.stop();
            throw problems.length ? new Error(`${(e as Error).message}\n(teardown problems: ${problems.join("; ")})`) : e;
        } finally {
            process.removeListener("SIGINT", early);
            process.removeListener("SIGTERM", early);
        }
    }

    /** Removes every container, network and volume of the run; stops the engine if this run started it. */
    async close(): Promise<string[]> {
        if (this.closed) return [];
        this.closed = true;
        process.removeListener("SIGINT", this.onSignal);
        process.removeListener("SIGTERM", this.onSignal);
        this.log(`tearing down stack ${this.stackName}`);
        const problems = await this.run.down();
        await this.handle.stop();
        return problems;
    }
}
