// The proxy's upstreams on the real engine (issue 10), with the program's recorded settings and the upstream
// stand-in (tools/runtime/upstream-stub.js), which says which instance answered and on which of its connections:
// - keep-alive: requests on one client connection reach the app over one kept-alive upstream connection, not a
//   new one each (proxy_pass with a variable, as before, opened a TCP connection per request);
// - the proxy still follows its upstreams by name: one that goes away gets 502 for its routes, and one that comes
//   back at another address is served again once the entrypoint's watcher has looked the name up again;
// - a proxy started before its upstreams exist starts, answers 502 for their routes and serves once they appear;
//   its watcher is nginx's child and reaped by it, the health probe fails once it has stopped, and the container
//   stops cleanly (nginx's exit code) with it running.
import * as assert from "node:assert/strict";
import * as https from "node:https";
import * as path from "node:path";
import * as tls from "node:tls";
import { buildImage, docker, exec, logs, programContainer, programEnv, requireEngine, Sandbox, sleep } from "../../tools/runtime/backup";

interface Echo {
    url: string;
    instance: string;
    connection: number;
}

const HTTPS_PORT = 8443;
/** The watcher looks the names up every 5 s (RESOLVE_INTERVAL in proxy-entrypoint); this leaves a generous margin. */
const FOLLOW_MS = 45_000;

describe("the TLS proxy's upstreams: keep-alive, and names followed as they move (real engine, upstream stand-in)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const env = () => programEnv("proxy");
    const upstreams = () => [env().BACKEND_UPSTREAM, env().FRONTEND_UPSTREAM].map((u) => ({ alias: u.split(":")[0], port: u.split(":")[1] }));
    const serverName = () => env().SERVER_NAME;

    const ip = (container: string, network: string) => {
        const a = docker(["inspect", "-f", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]).stdout.trim();
        assert.match(a, /^\d+\.\d+\.\d+\.\d+$/, `${container} has no address on ${network}:\n${logs(container)}`);
        return a;
    };

    /** A stand-in for the backend and the frontend; `aliases: false` gives it none (it only takes an address). */
    const startStandIn = async (network: string, what: string, aliases = true): Promise<{ container: string; instance: string; address: string }> => {
        const container = box.run({
            name: box.name(what),
            image: buildImage("backup"),
            network,
            aliases: aliases ? [...new Set(upstreams().map((u) => u.alias))] : [],
            memoryMb: 256,
            tmpfs: [{ path: "/tmp", sizeMb: 16 }],
            binds: [
                { source: process.execPath, target: "/opt/node/bin/node" },
                { source: path.join(__dirname, "..", "..", "tools", "runtime", "upstream-stub.js"), target: "/opt/upstream-stub.js" },
            ],
            env: { UPSTREAM_PORTS: [...new Set(upstreams().map((u) => u.port))].join(",") },
            command: ["/opt/node/bin/node", "/opt/upstream-stub.js"],
        });
        await until(`${container} to listen`, 30_000, async () => logs(container).includes("upstream_stub_listening"));
        return { container, instance: docker(["inspect", "-f", "{{.Config.Hostname}}", container]).stdout.trim(), address: ip(container, network) };
    };

    const handshake = (address: string): Promise<boolean> =>
        new Promise((resolve) => {
            const socket = tls.connect({ host: address, port: HTTPS_PORT, servername: serverName(), rejectUnauthorized: false, timeout: 10_000 });
            socket.once("secureConnect", () => {
                resolve(true);
                socket.end();
            });
            socket.once("timeout", () => socket.destroy(new Error("timeout")));
            socket.once("error", () => resolve(false));
        });

    /** The proxy as the program defines it (user, tmpfs, memory, environment, health check), up once it completes a handshake. */
    const startProxy = async (network: string, what: string): Promise<{ container: string; address: string }> => {
        const container = box.run({ name: box.name(what), image: buildImage("proxy"), like: "proxy", network, env: env(), command: programContainer("proxy").Cmd ?? [] });
        const address = ip(container, network);
        await until(`${container} to complete a TLS handshake`, 60_000, () => handshake(address));
        return { container, address };
    };

    /** One GET through the proxy, with the configured name as SNI and Host; `agent` for a kept-alive client connection. */
    const get = (address: string, urlPath: string, agent: https.Agent | false = false): Promise<{ status: number; text: string }> =>
        new Promise((resolve, reject) => {
            const req = https.request(
                { host: address, port: HTTPS_PORT, servername: serverName(), path: urlPath, headers: { Host: serverName() }, rejectUnauthorized: false, agent, timeout: 30_000 },
                (res) => {
                    let text = "";
                    res.on("data", (d: Buffer) => (text += d.toString("utf8")));
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
                },
            );
            req.on("timeout", () => req.destroy(new Error(`no answer to GET ${urlPath} within 30 s`)));
            req.on("error", reject);
            req.end();
        });

    /** Polls `probe` until it is true; a generous wait, never a timing assertion. */
    async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!(await probe().catch(() => false))) {
            if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
            await sleep(500);
        }
    }

    /** Both routes (the backend's /api/ and the frontend's /) answer with `status`, and with 200 from `instance`. */
    const bothRoutes = async (address: string, status: number, instance?: string): Promise<boolean> => {
        for (const urlPath of ["/api/echo", "/"]) {
            const r = await get(address, urlPath);
            if (r.status !== status) return false;
            if (instance !== undefined && (JSON.parse(r.text) as Echo).instance !== instance) return false;
        }
        return true;
    };

    /** The container's processes, from /proc (the image has no ps). */
    const processes = (container: string): { pid: number; ppid: number; state: string; cmd: string }[] => {
        const r = exec(container, ["sh", "-c", 'for d in /proc/[0-9]*; do [ -r "$d/status" ] && printf "%s\\t%s\\t%s\\n" "$(awk \'/^PPid|^State/ { printf "%s ", $2 }\' "$d/status")" "${d#/proc/}" "$(tr "\\0" " " <"$d/cmdline")"; done']);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout
            .split("\n")
            .filter(Boolean)
            .map((line) => {
                const [stateAndPpid, pid, cmd] = line.split("\t");
                const [state, ppid] = stateAndPpid.trim().split(" ");
                return { pid: Number(pid), ppid: Number(ppid), state, cmd: cmd.trim() };
            });
    };

    /** The entrypoint's shell, which lives on as the watcher after it has exec'd nginx. */
    const isWatcher = (p: { cmd: string }) => /^\/bin\/sh \/usr\/local\/bin\/proxy-entrypoint$/.test(p.cmd);

    before(() => requireEngine());
    after(() => box.cleanup());

    describe("a proxy in front of a running upstream", () => {
        let network: string;
        let proxy: { container: string; address: string };
        let first: { container: string; instance: string; address: string };

        before(async () => {
            network = box.network("edge", false);
            first = await startStandIn(network, "upstream-1");
            proxy = await startProxy(network, "proxy");
        });

        it("keeps upstream connections alive: 20 requests on one client connection reach each upstream over at most 2 connections", async () => {
            const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
            try {
                for (const urlPath of ["/api/echo", "/"]) {
                    const seen: number[] = [];
                    for (let i = 0; i < 20; i++) {
                        const r = await get(proxy.address, urlPath, agent);
                        assert.equal(r.status, 200, r.text);
                        seen.push((JSON.parse(r.text) as Echo).connection);
                    }
                    const distinct = new Set(seen).size;
                    assert.ok(distinct <= 2, `GET ${urlPath}: the upstream saw the 20 requests on ${distinct} connections (${seen.join(", ")}); the proxy does not reuse them`);
                }
            } finally {
                agent.destroy();
            }
        });

        it("follows an upstream that goes away (502) and comes back at another address (served from there)", async () => {
            assert.ok(await bothRoutes(proxy.address, 200, first.instance), "the first stand-in serves both routes");
            docker(["rm", "-f", first.container]);
            await until("both routes to answer 502 once the upstream is gone", FOLLOW_MS, () => bothRoutes(proxy.address, 502));
            // Another container takes the address the first one had (Docker may hand it out again), so that the
            // new stand-in gets a different one: a proxy that kept the old address would not reach it.
            await startStandIn(network, "spacer", false);
            const second = await startStandIn(network, "upstream-2");
            assert.notEqual(second.address, first.address, "precondition: the new stand-in has another address");
            await until(`both routes to be served by the new stand-in at ${second.address}`, FOLLOW_MS, () => bothRoutes(proxy.address, 200, second.instance));
            assert.match(logs(proxy.container), /proxy-entrypoint: upstreams now .*nginx reloads/);
        });

        it("stops cleanly with the watcher running: nginx's exit code, not Docker's kill", () => {
            assert.ok(processes(proxy.container).some(isWatcher), "the watcher runs");
            // The stop signal (SIGQUIT, through Docker's init) ends nginx gracefully; the watcher goes with the
            // container instead of holding it up until Docker kills it (exit code 137).
            const stop = docker(["stop", "--time", "60", proxy.container], { allowFail: true });
            assert.equal(stop.code, 0, stop.stderr);
            const state = docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}", proxy.container]).stdout.trim();
            assert.equal(state, "exited 0 false", logs(proxy.container));
        });
    });

    describe("a proxy started before its upstreams exist", () => {
        let network: string;
        let proxy: { container: string; address: string };

        before(async () => {
            network = box.network("edge-late", false);
            proxy = await startProxy(network, "proxy-early");
        });

        it("starts, is healthy, and answers 502 for the upstreams' routes", async () => {
            assert.ok(await bothRoutes(proxy.address, 502), `the routes of the missing upstreams do not answer 502:\n${logs(proxy.container)}`);
            const health = exec(proxy.container, ["/usr/local/bin/healthcheck"]);
            assert.equal(health.code, 0, health.stdout + health.stderr);
        });

        it("serves them once they appear", async () => {
            const standIn = await startStandIn(network, "upstream-late");
            await until(`both routes to be served by the stand-in at ${standIn.address}`, FOLLOW_MS, () => bothRoutes(proxy.address, 200, standIn.instance));
        });

        it("runs the watcher as nginx's child, which reaps it; the health probe fails when it has stopped", async () => {
            const procs = processes(proxy.container);
            const master = procs.filter((p) => p.cmd.startsWith("nginx: master process"));
            assert.equal(master.length, 1, JSON.stringify(procs));
            const watchers = procs.filter(isWatcher);
            assert.equal(watchers.length, 1, `one watcher: ${JSON.stringify(procs)}`);
            assert.equal(watchers[0].ppid, master[0].pid, "the watcher is nginx's child");
            assert.deepEqual(procs.filter((p) => p.state === "Z"), [], "no zombies after the reload");
            assert.equal(exec(proxy.container, ["/usr/local/bin/healthcheck"]).code, 0);

            assert.equal(exec(proxy.container, ["sh", "-c", `kill ${watchers[0].pid}`]).code, 0);
            await until("the killed watcher to be reaped", 30_000, async () => !processes(proxy.container).some((p) => p.pid === watchers[0].pid));
            assert.deepEqual(processes(proxy.container).filter((p) => p.state === "Z"), [], "no zombies");
            assert.ok(await bothRoutes(proxy.address, 200), "nginx serves on without its watcher");
            // The stamp as the stopped watcher leaves it, a minute on, without waiting that minute.
            assert.equal(exec(proxy.container, ["touch", "-d", "@0", "/run/nginx/upstreams.checked"]).code, 0);
            const health = exec(proxy.container, ["/usr/local/bin/healthcheck"]);
            assert.equal(health.code, 1, "the probe passes without a watcher");
            assert.match(health.stderr, /the upstream watcher has not run for \d+ s/);
        });
    });
});
