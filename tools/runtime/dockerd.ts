// Reuses the Docker engine when one answers, or starts dockerd in the background and remembers that it did,
// so that the harness stops exactly the daemon it started and never one somebody else runs.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Engine } from "./engine-api";

export interface EngineHandle {
    readonly engine: Engine;
    /** The pid of the dockerd this process started; undefined when an existing engine was reused. */
    readonly startedPid?: number;
    /** Stops the daemon if (and only if) this process started it. Idempotent. */
    stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

const DEFAULT_SOCKET = "/var/run/docker.sock";

/**
 * `extraArgs` go to dockerd when it has to be started (a test uses them to run a private daemon with its own
 * data and exec roots); a non-default socket is passed as --host.
 */
export async function ensureEngine(log: (msg: string) => void = () => undefined, engine = new Engine(), extraArgs: readonly string[] = []): Promise<EngineHandle> {
    if (await engine.ping()) {
        log(`reusing the Docker engine at ${engine.socketPath}`);
        return { engine, stop: async () => undefined };
    }
    if (process.getuid?.() !== 0) {
        throw new Error(`no Docker engine answers at ${engine.socketPath}, and starting dockerd needs root; start Docker (or run scripts/setup-host.sh as root)`);
    }
    const logFile = path.join(fs.mkdtempSync("/tmp/bulwark-dockerd-"), "dockerd.log");
    const out = fs.openSync(logFile, "a");
    log(`no engine at ${engine.socketPath}; starting dockerd (log: ${logFile})`);
    let child;
    try {
        const host = engine.socketPath === DEFAULT_SOCKET ? [] : [`--host=unix://${engine.socketPath}`];
        child = spawn("dockerd", [...host, ...extraArgs], { detached: true, stdio: ["ignore", out, out] });
    } finally {
        fs.closeSync(out);
    }
    const pid = child.pid;
    if (pid === undefined) {
        throw new Error("could not start dockerd: is docker.io installed? (scripts/setup-host.sh)");
    }
    child.unref();
    let exited: number | null = null;
    child.on("exit", (code) => {
        exited = code ?? -1;
    });

    const tail = () => fs.readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await engine.ping())) {
        if (exited !== null) {
            throw new Error(`dockerd exited with code ${exited} during start-up; last log lines:\n${tail()}`);
        }
        if (Date.now() > deadline) {
            process.kill(pid, "SIGTERM");
            throw new Error(`dockerd did not answer within ${START_TIMEOUT_MS / 1000}s; last log lines:\n${tail()}`);
        }
        await sleep(500);
    }
    log(`dockerd ${pid} is up`);

    let stopped = false;
    return {
        engine,
        startedPid: pid,
        stop: async () => {
            const running = () => exited === null && alive(pid);
            if (stopped || !running()) {
                stopped = true;
                return;
            }
            stopped = true;
            log(`stopping the dockerd this run started (${pid})`);
            process.kill(pid, "SIGTERM");
            const until = Date.now() + STOP_TIMEOUT_MS;
            while (running() && Date.now() < until) await sleep(250);
            if (running()) {
                log(`dockerd ${pid} ignored SIGTERM for ${STOP_TIMEOUT_MS / 1000}s; sending SIGKILL`);
                process.kill(pid, "SIGKILL");
            }
        },
    };
}
