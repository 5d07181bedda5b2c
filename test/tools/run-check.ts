// Runs `policy:check` the way a user or CI does: in its own process, reading its exit code and both streams.
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(ROOT, "test", "fixtures");

export interface CheckRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

export function runCheck(args: readonly string[]): Promise<CheckRun> {
    const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), path.join(ROOT, "tools", "policy-check", "main.ts"), ...args], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

/** Runs every job with at most one per CPU at a time: more would only slow each one down. */
export async function inParallel<K extends string>(jobs: Record<K, readonly string[]>): Promise<Record<K, CheckRun>> {
    const queue = Object.entries(jobs) as [K, readonly string[]][];
    const results = {} as Record<K, CheckRun>;
    const worker = async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
            results[job[0]] = await runCheck(job[1]);
        }
    };
    await Promise.all(Array.from({ length: Math.max(2, os.cpus().length) }, worker));
    return results;
}

/** Describes a run for assertion messages. */
export function shown(run: CheckRun): string {
    return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}
