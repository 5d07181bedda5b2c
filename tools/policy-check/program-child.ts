// The child side of `policy:check`: receives one request over IPC, runs the program under the recording mocks
// (as an update, or as a preview of a new stack) and replies with what it registered, or with the error that
// stopped it. Started by program.ts with ts-node registered for the program's own tsconfig; the parent judges
// the registrations with the real policy pack meanwhile started.
import Module = require("node:module");
import * as path from "node:path";
import type { ProgramConfig } from "./config";
import { installRecordingMocks, RecordedResource, resolveOutputs } from "../mocks/runtime";

export interface ChildRequest extends ProgramConfig {
    readonly entry: string;
    readonly preview: boolean;
}

/** `ready` first (a request sent before the child listens would be lost), then one of the others. */
export type ChildReply = { readonly ready: true } | { readonly resources: RecordedResource[] } | { readonly error: string };

const SDK = "@pulumi/pulumi";

/**
 * Makes every `require("@pulumi/pulumi...")` resolve to the SDK the mocks were installed on. A program with its
 * own node_modules would otherwise load a second SDK that knows nothing of the mocks and looks for an engine.
 */
function shareSdk(): void {
    const sdkDir = path.dirname(require.resolve(`${SDK}/package.json`));
    const moduleInternals = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
    const resolve = moduleInternals._resolveFilename;
    moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]): string {
        const redirected = request === SDK || request.startsWith(`${SDK}/`) ? path.join(sdkDir, request.slice(SDK.length)) : request;
        return resolve.call(this, redirected, ...rest);
    };
}

/**
 * What Pulumi's Node.js host does with a program module: a function export (or default export) is run, and what
 * the module or the function exports becomes stack outputs, so an output that fails fails the run.
 */
async function runExports(exported: unknown): Promise<Record<string, unknown> | undefined> {
    const module = exported as { __esModule?: boolean; default?: unknown } | undefined;
    const main = module?.__esModule && typeof module.default === "function" ? module.default : exported;
    const outputs = typeof main === "function" ? await main() : await exported;
    if (outputs && typeof outputs === "object") {
        const { default: _ignored, ...stackOutputs } = outputs as Record<string, unknown>;
        await resolveOutputs(stackOutputs);
        return stackOutputs;
    }
    return undefined;
}

async function runProgram(request: ChildRequest): Promise<RecordedResource[]> {
    const recorder = await installRecordingMocks({
        project: request.project,
        stack: request.stack,
        config: request.config,
        secretKeys: request.secretKeys,
        preview: request.preview,
    });
    shareSdk();
    const stackOutputs = await runExports(require(request.entry));
    return (await recorder.finish(stackOutputs)).resources;
}

const BUILT_IN_ERRORS: readonly Function[] = [Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * An error of its own class (ConfigError, ...) is a message meant for the user; a built-in one (TypeError, ...)
 * is a bug, where the stack says where it happened.
 */
export function describeError(e: unknown): string {
    if (!(e instanceof Error)) {
        return String(e);
    }
    if (!BUILT_IN_ERRORS.includes(e.constructor) || !e.stack) {
        return e.message;
    }
    // Only the program's own frames: Node's loader, ts-node and this runner say nothing about the bug.
    const lines = e.stack.split("\n");
    const isFrame = (line: string) => /^\s+at /.test(line);
    const own = lines.filter((l) => isFrame(l) && !/\(node:|node_modules/.test(l) && !l.includes(`/${path.basename(__filename)}:`)).slice(0, 8);
    return [...lines.filter((l) => !isFrame(l)), ...own].join("\n");
}

let replied = false;

function reply(message: ChildReply): void {
    if (replied) {
        return;
    }
    replied = true;
    process.send!(message, () => process.exit(0));
}

if (require.main === module) {
    const fail = (e: unknown) => reply({ error: describeError(e) });
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);
    process.once("message", (request: ChildRequest) => {
        runProgram(request).then((resources) => reply({ resources }), fail);
    });
    process.send!({ ready: true } satisfies ChildReply);
}
