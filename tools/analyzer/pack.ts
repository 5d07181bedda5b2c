// Starts the policy pack exactly as the Pulumi CLI does for a Node.js pack (NewPolicyAnalyzer in
// sdk/go/common/resource/plugin/analyzer_plugin.go): `run-policy-pack <engine-address> .` from the pack's own
// node_modules, with the pack's folder as working directory, so ts-node type-checks it with the pack's own
// tsconfig and TypeScript. The pack prints the port of its analyzer gRPC server on stdout; the client below
// speaks that interface.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

export const POLICY_PACK_DIR = path.resolve(__dirname, "..", "..", "policies");

/** The pack could not be started or stopped answering. */
export class PackError extends Error {}

const START_TIMEOUT_MS = 120_000;
// The engine's address is the CLI's own gRPC server; the Node.js pack only logs through it, so none is needed.
const NO_ENGINE = "127.0.0.1:0";

const running = new Set<ChildProcess>();
let hooked = false;

/** The pack must not outlive its caller, even one ended by a signal (a CI timeout, Ctrl-C). */
function stopWithThisProcess(child: ChildProcess): void {
    running.add(child);
    child.once("exit", () => running.delete(child));
    if (hooked) {
        return;
    }
    hooked = true;
    const killAll = () => running.forEach((c) => c.kill("SIGKILL"));
    process.once("exit", killAll);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.once(signal, () => {
            killAll();
            process.kill(process.pid, signal);
        });
    }
}

type Unary<Req, Res> = (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown;

function call<Req, Res>(client: analyzerRpc.AnalyzerClient, method: Unary<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
        method.call(client, request, (error, response) => (error ? reject(new PackError(error.details || error.message)) : resolve(response)));
    });
}

/** A running policy pack and a client connected to it. */
export class RunningPack {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerRpc.AnalyzerClient,
        readonly dir: string,
    ) {}

    /**
     * Starts the pack in `dir` (default: this project's policies/) and waits for its port. The stack's config goes
     * into PULUMI_CONFIG, as the Node.js language host passes it after the engine's ConfigureStack (RunPlugin in
     * pulumi-language-nodejs); the pack reads it there (policies/lib/stack-config.ts).
     */
    static async start(dir = POLICY_PACK_DIR, stackConfig: Readonly<Record<string, string>> = {}): Promise<RunningPack> {
        const runner = path.join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        if (!fs.existsSync(runner)) {
            throw new PackError(
                `the policy pack's dependencies are not installed (no ${path.relative(process.cwd(), runner)}): ` +
                    `run \`npm ci --omit=dev\` in ${dir} (the project's \`npm ci\` does it)`,
            );
        }
        const child = spawn(process.execPath, [runner, NO_ENGINE, "."], {
            cwd: dir,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, PULUMI_CONFIG: JSON.stringify(stackConfig) },
        });
        stopWithThisProcess(child);
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            let stderr = "";
            const timer = setTimeout(() => fail(`no port after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
            const fail = (why: string) => {
                clearTimeout(timer);
                child.kill("SIGKILL");
                reject(new PackError(`the policy pack in ${dir} failed to start: ${why}${stderr ? `\n${stderr.trim()}` : ""}`));
            };
            child.stdout!.on("data", (d: Buffer) => {
                stdout += d.toString();
                const line = stdout.split("\n")[0];
                if (stdout.includes("\n") || /^\d+$/.test(line.trim())) {
                    const parsed = Number(line.trim());
                    if (Number.isInteger(parsed) && parsed > 0) {
                        clearTimeout(timer);
                        resolve(parsed);
                    } else {
                        fail(`unexpected output ${JSON.stringify(line)}`);
                    }
                }
            });
            child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("error", (e) => fail(e.message));
            child.on("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
        });
        // Whatever the pack logs later (a policy's console.log) must not mix into a caller's --json stdout.
        child.stdout!.removeAllListeners("data");
        child.stdout!.on("data", (d: Buffer) => process.stderr.write(d));
        child.removeAllListeners("exit");
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new RunningPack(child, client, dir);
    }

    info(): Promise<analyzerProto.AnalyzerInfo> {
        return call(this.client, this.client.getAnalyzerInfo, new Empty());
    }

    pluginInfo(): Promise<pluginProto.PluginInfo> {
        return call(this.client, this.client.getPluginInfo, new Empty());
    }

    configure(request: analyzerProto.ConfigureAnalyzerRequest): Promise<unknown> {
        return call(this.client, this.client.configure, request);
    }

    configureStack(request: analyzerProto.AnalyzerStackConfigureRequest): Promise<unknown> {
        return call(this.client, this.client.configureStack, request);
    }

    analyze(request: analyzerProto.AnalyzeRequest): Promise<analyzerProto.AnalyzeResponse> {
        return call(this.client, this.client.analyze, request);
    }

    analyzeStack(request: analyzerProto.AnalyzeStackRequest): Promise<analyzerProto.AnalyzeResponse> {
        return call(this.client, this.client.analyzeStack, request);
    }

    remediate(request: analyzerProto.AnalyzeRequest): Promise<analyzerProto.RemediateResponse> {
        return call(this.client, this.client.remediate, request);
    }

    /** Closes the connection and stops the pack process. */
    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
            return;
        }
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
    }
}
