// The harness starts dockerd only when no engine answers, and stops only a daemon it started. A private
// daemon stands in for "no engine": own socket, data and exec roots, no iptables, no sysctl changes, and its
// own throwaway bridge. (Never --bridge=none: dockerd then deletes the host's docker0, which breaks the
// engine everyone else on the host uses.)
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureEngine } from "../../tools/runtime/dockerd";
import { Engine } from "../../tools/runtime/engine-api";
import { describeLive } from "./fixture";

/** Whether a host network interface exists (docker0 is the one a careless daemon start deletes). */
const linkExists = (name: string): boolean => spawnSync("ip", ["link", "show", name]).status === 0;

function ip(...args: string[]): void {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ip ${args.join(" ")} failed: ${r.stderr}`);
}

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

describeLive("runtime: dockerd lifecycle", function () {
    this.timeout(120_000);

    it("reuses a running engine and leaves it running", async function () {
        const engine = new Engine();
        assert.equal(await engine.ping(), true, `no engine answers at ${engine.socketPath}; the root hook (test/runtime/hooks.ts) starts one before any suite`);
        const handle = await ensureEngine(() => undefined, engine);
        assert.equal(handle.startedPid, undefined);
        await handle.stop();
        assert.equal(await engine.ping(), true, "stop() of a reused engine must not stop it");
    });

    it("refuses to start dockerd without root, and says what to do", async function () {
        const dir = fs.mkdtempSync("/tmp/bulwark-noengine-");
        // Seen as another user, whoever runs the suite: the branch must not depend on who that is.
        const getuid = process.getuid;
        process.getuid = () => 1000;
        try {
            await assert.rejects(ensureEngine(() => undefined, new Engine(path.join(dir, "docker.sock"))), /starting dockerd needs root; start Docker \(or run scripts\/setup-host\.sh as root\)/);
        } finally {
            process.getuid = getuid;
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("starts dockerd when none answers, and stops exactly that daemon", async function () {
        // Not a skip: a run that cannot check this must not report it as passed (CI runs as root).
        assert.equal(process.getuid?.(), 0, "this test starts a private dockerd, which needs root: run the runtime suite as root (sudo npm run test:runtime), as CI does");
        const dir = fs.mkdtempSync("/tmp/bulwark-dind-");
        const bridge = `bwt${randomBytes(3).toString("hex")}`;
        const engine = new Engine(path.join(dir, "docker.sock"));
        const hadDocker0 = linkExists("docker0");
        ip("link", "add", bridge, "type", "bridge");
        try {
            assert.equal(await engine.ping(), false);
            const handle = await ensureEngine(() => undefined, engine, [
                `--data-root=${dir}/data`,
                `--exec-root=${dir}/exec`,
                `--pidfile=${dir}/docker.pid`,
                `--bridge=${bridge}`,
                "--iptables=false",
                "--ip-forward=false",
                "--ip-masq=false",
            ]);
            assert.ok(handle.startedPid, "no pid recorded for the started daemon");
            assert.equal(await engine.ping(), true);
            await handle.stop();
            assert.equal(alive(handle.startedPid), false, `dockerd ${handle.startedPid} still runs after stop()`);
            assert.equal(await engine.ping(), false);
            assert.equal(await new Engine().ping(), true, "the host's engine must still answer");
        } finally {
            spawnSync("ip", ["link", "del", bridge]);
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.equal(linkExists("docker0"), hadDocker0, "the private daemon changed the host's docker0");
    });
});
