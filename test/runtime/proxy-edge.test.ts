// The TLS proxy at the edge, on the real engine, with the program's recorded settings (tmpfs sizes, memory,
// environment) and a fast upstream stand-in that reports what reached it (issue 13):
// - NET-04: only the configured name is served. A handshake for another name, or without SNI, is refused; a
//   request whose Host names another host gets 421 and never reaches the app (Host header poisoning).
// - The upstream sees the configured name as Host and X-Forwarded-Host, and X-Forwarded-For from the
//   connection, never the client's own value.
// - APP-05: concurrent maximum-size uploads all reach the app whole: nginx streams request bodies instead of
//   spooling them to its temp tmpfs, which two buffered maximum-size uploads used to fill.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as https from "node:https";
import * as path from "node:path";
import * as tls from "node:tls";
import { buildImage, docker, logs, programContainer, programEnv, requireEngine, Sandbox, waitFor } from "../../tools/runtime/backup";

interface Echo {
    method: string;
    url: string;
    host: string | null;
    xForwardedFor: string | null;
    xForwardedHost: string | null;
    bytes: number;
    sha256: string;
}

const HTTPS_PORT = 8443;

describe("the TLS proxy at the edge (real engine, upstream stand-in)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    const env = () => programEnv("proxy");
    let address: string;
    let serverName: string;

    /** One HTTPS request to the proxy container; SNI and Host default to the configured name. */
    const request = (
        o: { method?: string; path: string; sni?: string; host?: string; headers?: Record<string, string>; body?: Buffer },
    ): Promise<{ status: number; text: string }> =>
        new Promise((resolve, reject) => {
            const req = https.request(
                {
                    host: address,
                    port: HTTPS_PORT,
                    servername: o.sni ?? serverName,
                    method: o.method ?? "GET",
                    path: o.path,
                    headers: { Host: o.host ?? serverName, ...o.headers, ...(o.body ? { "Content-Length": o.body.length } : {}) },
                    rejectUnauthorized: false,
                    agent: false,
                    timeout: 120_000,
                },
                (res) => {
                    let text = "";
                    res.on("data", (d: Buffer) => (text += d.toString("utf8")));
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
                },
            );
            req.on("timeout", () => req.destroy(new Error(`no answer to ${o.method ?? "GET"} ${o.path} within 120 s`)));
            req.on("error", reject);
            req.end(o.body);
        });

    const handshake = (servername: string): Promise<{ ok: boolean; code?: string }> =>
        new Promise((resolve) => {
            const socket = tls.connect({ host: address, port: HTTPS_PORT, servername, rejectUnauthorized: false, timeout: 10_000 });
            socket.once("secureConnect", () => {
                resolve({ ok: true });
                socket.end();
            });
            socket.once("timeout", () => socket.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
            socket.once("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code }));
        });

    before(async function () {
        requireEngine();
        serverName = env().SERVER_NAME;
        const edge = box.network("edge", false);
        const upstreams = [env().BACKEND_UPSTREAM, env().FRONTEND_UPSTREAM].map((u) => ({ alias: u.split(":")[0], port: u.split(":")[1] }));
        const stub = box.run({
            name: box.name("upstream"),
            image: buildImage("backup"),
            network: edge,
            aliases: upstreams.map((u) => u.alias),
            memoryMb: 256,
            tmpfs: [{ path: "/tmp", sizeMb: 16 }],
            binds: [
                { source: process.execPath, target: "/opt/node/bin/node" },
                { source: path.join(__dirname, "..", "..", "tools", "runtime", "upstream-stub.js"), target: "/opt/upstream-stub.js" },
            ],
            env: { UPSTREAM_PORTS: [...new Set(upstreams.map((u) => u.port))].join(",") },
            command: ["/opt/node/bin/node", "/opt/upstream-stub.js"],
        });
        await waitFor("the upstream stand-in", 30_000, () => logs(stub).includes("upstream_stub_listening"));
        // The proxy as the program defines it: its user, tmpfs sizes, memory and environment.
        const proxy = box.run({
            name: box.name("proxy"),
            image: buildImage("proxy"),
            like: "proxy",
            network: edge,
            env: env(),
            command: programContainer("proxy").Cmd ?? [],
        });
        address = docker(["inspect", "-f", `{{(index .NetworkSettings.Networks "${edge}").IPAddress}}`, proxy]).stdout.trim();
        assert.match(address, /^\d+\.\d+\.\d+\.\d+$/, logs(proxy));
        // Up once it completes a handshake for its name (sooner than the first health probe).
        const deadline = Date.now() + 60_000;
        while (!(await handshake(serverName)).ok) {
            if (Date.now() > deadline) throw new Error(`the proxy did not come up within 60 s:\n${logs(proxy)}`);
            await new Promise((r) => setTimeout(r, 500));
        }
    });

    after(() => box.cleanup());

    it("NET-04: serves the configured name; the app sees it as Host and X-Forwarded-Host, and the client's address as X-Forwarded-For", async () => {
        const r = await request({ path: "/api/echo", headers: { "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "evil.example" } });
        assert.equal(r.status, 200, r.text);
        const echo = JSON.parse(r.text) as Echo;
        assert.equal(echo.host, serverName);
        assert.equal(echo.xForwardedHost, serverName);
        assert.ok(echo.xForwardedFor && !echo.xForwardedFor.includes("203.0.113.7"), `the client's X-Forwarded-For reached the app: ${echo.xForwardedFor}`);
        assert.match(String(echo.xForwardedFor), /^\d+\.\d+\.\d+\.\d+$/, "one address, the connection's");
    });

    it("NET-04: a forged Host (or absolute URI) with the right SNI gets 421 and never reaches the app", async () => {
        for (const forged of ["evil.example", `evil.example:${HTTPS_PORT}`]) {
            const r = await request({ path: "/api/echo", host: forged });
            assert.equal(r.status, 421, `Host: ${forged} answered ${r.status}: ${r.text.slice(0, 200)}`);
            assert.ok(!r.text.includes('"sha256"'), "the upstream answered");
        }
        // The configured name with a port is the same host.
        assert.equal((await request({ path: "/api/echo", host: `${serverName}:${HTTPS_PORT}` })).status, 200);
    });

    it("NET-04: refuses the handshake for another name and without SNI", async () => {
        assert.deepEqual(await handshake(serverName), { ok: true });
        for (const name of ["evil.example", ""]) {
            const h = await handshake(name);
            assert.equal(h.ok, false, `handshake with SNI ${JSON.stringify(name)} was accepted`);
            assert.equal(h.code, "ERR_SSL_TLSV1_UNRECOGNIZED_NAME", `SNI ${JSON.stringify(name)}`);
        }
    });

    it("refuses a configuration value with a line break, which would add nginx directives of its own", () => {
        for (const key of ["SERVER_NAME", "BACKEND_UPSTREAM", "AUTH_ROUTES"]) {
            const values = { ...env(), [key]: `${env()[key]}\n        return 200 planted;` };
            const r = docker(["run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL", "--user", String(programContainer("proxy").User),
                "--tmpfs", "/run/nginx:size=8m", "--tmpfs", "/tmp:size=8m", ...Object.keys(values).flatMap((k) => ["-e", k]), buildImage("proxy")], { env: values, allowFail: true });
            assert.equal(r.code, 1, `${key}: ${r.stdout}${r.stderr}`);
            assert.match(r.stderr, new RegExp(`proxy-entrypoint: ${key} must be a single line .*; it contains a line break`));
        }
    });

    it("APP-05: four concurrent maximum-size uploads all reach the app whole", async () => {
        const limitMb = Number(env().CLIENT_MAX_BODY_MB);
        const tmpfs = /\bsize=(\d+)m/.exec(programContainer("proxy").HostConfig.Tmpfs?.["/var/lib/nginx"] ?? "")?.[1];
        const bodies = Array.from({ length: 4 }, () => crypto.randomBytes(limitMb * 1024 * 1024));
        const results = await Promise.all(
            bodies.map((body) => request({ method: "POST", path: "/api/upload", body, headers: { "Content-Type": "application/octet-stream" } })),
        );
        results.forEach((r, i) => {
            assert.equal(r.status, 200, `upload ${i + 1} of 4 (${limitMb} MB each, nginx temp tmpfs ${tmpfs} MB): ${r.status} ${r.text.slice(0, 200)}`);
            const echo = JSON.parse(r.text) as Echo;
            assert.equal(echo.bytes, bodies[i].length);
            assert.equal(echo.sha256, crypto.createHash("sha256").update(bodies[i]).digest("hex"));
        });
    });
});
