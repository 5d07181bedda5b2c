// Finds a program's project and entry file and runs it in a fresh Node process (program-child.ts) under the
// recording mocks. A fresh process, because a program's module cache, its ts-node settings and a stray
// process.exit must not touch the checker; the child gets its config over IPC, so secrets never show in argv or
// the environment.
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ProgramConfig } from "./config";
// Types only: the parent stays light; the program's SDKs are loaded in the child alone.
import type { ChildReply, ChildRequest } from "./program-child";
import { CACHE_ENV } from "./transpile-cache";
import type { RecordedResource } from "../mocks/runtime";

/** The program could not be found, started or run to the end. */
export class ProgramError extends Error {}

export interface ProgramLocation {
    /** The folder holding Pulumi.yaml: the program's working directory, as under `pulumi preview`. */
    readonly projectDir: string;
    readonly entry: string;
}

const CHILD = path.join(__dirname, "program-child.ts");
const TRANSPILE_CACHE = path.join(__dirname, "transpile-cache.ts");
const CACHE_DIR = path.resolve(__dirname, "..", "..", "node_modules", ".cache", "bulwark-policy-check");

/** Walks up from `start` to the first folder holding Pulumi.yaml. */
function findProjectDir(start: string, shown: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new ProgramError(`--program ${shown}: no Pulumi.yaml in it or any folder above it`);
        }
    }
}

/** A directory's entry: its package.json "main", else index.ts (what Pulumi's Node.js host runs). */
function entryOfDirectory(dir: string, shown: string): string {
    const manifest = path.join(dir, "package.json");
    const main = fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { main?: unknown }).main : undefined;
    const candidates = typeof main === "string" ? [main, `${main}.ts`, path.join(main, "index.ts")] : ["index.ts"];
    const found = candidates.map((c) => path.resolve(dir, c)).find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (!found) {
        const wanted = typeof main === "string" ? `package.json "main" (${main})` : "index.ts";
        throw new ProgramError(`--program ${shown}: the directory has no ${wanted}`);
    }
    return found;
}

/** Resolves --program (default: `defaultRoot`, this project) to its project folder and entry file. */
export function locateProgram(program: string | undefined, defaultRoot: string): ProgramLocation {
    const shown = program ?? defaultRoot;
    const target = path.resolve(shown);
    if (!fs.existsSync(target)) {
        throw new ProgramError(`--program ${shown}: no such file or directory`);
    }
    const isDir = fs.statSync(target).isDirectory();
    if (!isDir && !/\.[cm]?[jt]s$/.test(target)) {
        throw new ProgramError(`--program ${shown}: expected a .ts or .js file or a directory`);
    }
    const entry = isDir ? entryOfDirectory(target, shown) : target;
    return { projectDir: findProjectDir(isDir ? target : path.dirname(target), shown), entry };
}

/** ts-node settings for the child: the program's own tsconfig if it has one, always CommonJS, never type-checked. */
function tsNodeEnv(projectDir: string): NodeJS.ProcessEnv {
    const tsconfig = path.join(projectDir, "tsconfig.json");
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        TS_NODE_TRANSPILE_ONLY: "true",
        TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs", moduleResolution: "node" }),
        [CACHE_ENV]: CACHE_DIR,
    };
    delete env.TS_NODE_PROJECT;
    delete env.TS_NODE_SKIP_PROJECT;
    if (fs.existsSync(tsconfig)) {
        env.TS_NODE_PROJECT = tsconfig;
    } else {
        env.TS_NODE_SKIP_PROJECT = "true";
    }
    return env;
}

/** Runs the program in a child process, as an update or as a preview of a new stack; returns what it registered. */
export function runProgram(location: ProgramLocation, config: ProgramConfig, preview: boolean): Promise<RecordedResource[]> {
    const child = fork(CHILD, [], {
        cwd: location.projectDir,
        env: tsNodeEnv(location.projectDir),
        execArgv: ["-r", require.resolve("ts-node/register"), "-r", TRANSPILE_CACHE],
        // The program's own console output goes to stderr, so that --json keeps stdout to one object.
        stdio: ["ignore", 2, "inherit", "ipc"],
    });
    const request: ChildRequest = { entry: location.entry, ...config, preview };
    return new Promise((resolve, reject) => {
        let ready = false;
        let reply: ChildReply | undefined;
        child.on("message", (message: ChildReply) => {
            if ("ready" in message) {
                ready = true;
                child.send(request);
            } else {
                reply = message;
            }
        });
        child.on("error", (e) => reject(new ProgramError(`cannot start the program: ${e.message}`)));
        // "close", not "exit": it comes after the IPC channel has delivered the last reply.
        child.on("close", (code, signal) => {
            if (reply && "resources" in reply) {
                resolve(reply.resources);
            } else if (reply && "error" in reply) {
                reject(new ProgramError(`the program failed: ${reply.error}`));
            } else if (ready) {
                reject(new ProgramError(`the program exited (${signal ?? `code ${code}`}) before it finished (a process.exit in the program?)`));
            } else {
                // The policy pack or the checker itself failed to load; its error is on stderr above.
                reject(new ProgramError(`the checker's child process failed to start (${signal ?? `code ${code}`}); see the error above`));
            }
        });
    });
}
