// Builds the stack's images locally: the Debian base from images/base/build-base.sh (reused when present),
// then every images/<name>/Dockerfile with BASE_IMAGE set to it, tagged bulwark/<name>:dev. One `docker
// build` per image, two at a time (the host has two cores and the builds mostly wait on apt and dpkg), with
// the program's context (images/, for the shared hardening step) and Dockerfile (buildPaths).
//
//   npm run images:build [-- name ...]
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildPaths, builderFor } from "../../infra/components/images";

export const IMAGES_DIR = path.resolve(__dirname, "..", "..", "images");
export const BASE_SCRIPT = path.join(IMAGES_DIR, "base", "build-base.sh");
/** build-base.sh's exit status when the existing base lacks its signature-verified label. */
export const BASE_UNVERIFIED_EXIT = 2;
export const LOCAL_TAG = "dev";

export const localTag = (name: string): string => `bulwark/${name}:${LOCAL_TAG}`;

/** Directories under images/ that hold a Dockerfile (images/base holds the base script instead). */
export function imageNames(dir = IMAGES_DIR): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "Dockerfile")))
        .map((e) => e.name)
        .sort();
}

export interface BuildResult {
    readonly name: string;
    readonly tag: string;
    readonly ok: boolean;
    /** The BASE_IMAGE it was built FROM. */
    readonly baseImage: string;
    readonly seconds: number;
    /** Why it failed, with the end of the build output. */
    readonly error?: string;
}

interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly output: string;
}

function run(cmd: string, args: readonly string[], onLine?: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
        let stdout = "";
        let output = "";
        const feed = (isStdout: boolean) => (chunk: Buffer) => {
            const text = chunk.toString("utf8");
            if (isStdout) stdout += text;
            output += text;
            if (onLine) text.split("\n").filter(Boolean).forEach(onLine);
        };
        child.stdout.on("data", feed(true));
        child.stderr.on("data", feed(false));
        child.on("error", (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, output }));
    });
}

const tail = (text: string, lines = 25) => text.trimEnd().split("\n").slice(-lines).join("\n");

/** Makes sure the local Debian base exists (building it with debootstrap if not); returns its name, or with `id` its image ID. */
export async function ensureBaseImage(log: (line: string) => void = () => undefined, rebuild = false, id = false): Promise<string> {
    let res = await run(BASE_SCRIPT, [...(rebuild ? ["--rebuild"] : []), ...(id ? ["--id"] : [])], log);
    if (res.code === BASE_UNVERIFIED_EXIT && !rebuild) {
        // The script refuses a base not built with the archive's signature verified; a test run asked for a usable
        // base, so it rebuilds once (about 3 minutes) rather than failing every runtime test on a stale image.
        log("build-base: rebuilding the unverified base with --rebuild");
        res = await run(BASE_SCRIPT, ["--rebuild", ...(id ? ["--id"] : [])], log);
    }
    const name = res.stdout.trim().split("\n").pop() ?? "";
    if (res.code !== 0 || !name) {
        throw new Error(`images/base/build-base.sh failed (exit ${res.code}):\n${tail(res.output)}`);
    }
    return name;
}

/** `docker build`'s environment: the builder the program picks for this base (BuildKit reads FROM sha256:<id> as a repository). */
export function buildEnv(baseImage: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return builderFor(baseImage) === "BuilderV1" ? { ...env, DOCKER_BUILDKIT: "0" } : env;
}

/** `docker build`'s arguments for images/<name>, as the program builds it: context images/, its own Dockerfile. */
export function dockerBuildArgs(name: string, baseImage: string, tag: string, ...options: string[]): string[] {
    const { context, dockerfile } = buildPaths(name);
    return ["build", ...options, "--build-arg", `BASE_IMAGE=${baseImage}`, "--tag", tag, "--file", dockerfile, context];
}

export async function buildImage(name: string, baseImage: string, log: (line: string) => void = () => undefined): Promise<BuildResult> {
    const started = Date.now();
    const dir = path.join(IMAGES_DIR, name);
    const tag = localTag(name);
    const seconds = () => Math.round((Date.now() - started) / 1000);
    if (!fs.existsSync(path.join(dir, "Dockerfile"))) {
        return { name, tag, ok: false, baseImage, seconds: 0, error: `images/${name}/Dockerfile does not exist` };
    }
    const res = await run("docker", dockerBuildArgs(name, baseImage, tag), (line) => log(`[${name}] ${line}`), buildEnv(baseImage));
    if (res.code !== 0) {
        return { name, tag, ok: false, baseImage, seconds: seconds(), error: `docker build of images/${name} failed (exit ${res.code}):\n${tail(res.output)}` };
    }
    return { name, tag, ok: true, baseImage, seconds: seconds() };
}

/** Builds the images `parallel` at a time; never throws for a failed build (see each result). */
export async function buildImages(names: readonly string[], baseImage: string, log: (line: string) => void = () => undefined, parallel = 2): Promise<BuildResult[]> {
    const results: BuildResult[] = [];
    const queue = [...names];
    const worker = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
            log(`building ${localTag(name)} from images/${name} (BASE_IMAGE=${baseImage})`);
            const result = await buildImage(name, baseImage, log);
            log(result.ok ? `built ${result.tag} in ${result.seconds}s` : `FAILED ${result.tag}: ${result.error}`);
            results.push(result);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
    return names.map((n) => results.find((r) => r.name === n) as BuildResult);
}

async function main(argv: readonly string[]): Promise<number> {
    const verbose = argv.includes("--verbose");
    const wanted = argv.filter((a) => !a.startsWith("--"));
    const available = imageNames();
    const unknown = wanted.filter((n) => !available.includes(n));
    if (unknown.length) {
        console.error(`no images/<name>/Dockerfile for: ${unknown.join(", ")} (have: ${available.join(", ")})`);
        return 2;
    }
    const log = (line: string) => {
        if (verbose || !line.startsWith("[")) console.error(line);
    };
    const base = await ensureBaseImage(log, argv.includes("--rebuild-base"));
    const results = await buildImages(wanted.length ? wanted : available, base, log);
    console.log("\nimage                      result  seconds");
    for (const r of results) console.log(`${r.tag.padEnd(27)}${(r.ok ? "ok" : "FAILED").padEnd(8)}${r.seconds}`);
    const failed = results.filter((r) => !r.ok);
    for (const r of failed) console.error(`\n${r.tag}: ${r.error}`);
    return failed.length ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: Error) => {
            console.error(e.message);
            process.exit(1);
        },
    );
}
