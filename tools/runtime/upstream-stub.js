// A fast upstream standing in for the backend and the frontend behind the proxy (test/runtime/proxy-edge.test.ts
// and bench/proxy): it reads every request body to the end and answers with what it received (byte count and
// sha256 of the body, the headers the proxy set, which stand-in answered (`instance`, its host name) and on which
// of its connections the request came (`connection`, numbered from 1 per port), so a test can tell what reached
// the app and whether the proxy reuses its upstream connections; a GET costs a
// hash of nothing and a small JSON.stringify, and nothing is logged per request. Plain Node, no dependencies:
// it runs in a hardened container with the host's node bind-mounted.
"use strict";
const crypto = require("node:crypto");
const http = require("node:http");
const os = require("node:os");

const ports = String(process.env.UPSTREAM_PORTS || "").split(",").filter(Boolean).map(Number);
if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    console.error("upstream-stub: UPSTREAM_PORTS must be a comma-separated list of ports");
    process.exit(2);
}

function handle(req, res) {
    const hash = crypto.createHash("sha256");
    let bytes = 0;
    req.on("data", (chunk) => {
        bytes += chunk.length;
        hash.update(chunk);
    });
    req.on("end", () => {
        const body = JSON.stringify({
            method: req.method,
            url: req.url,
            host: req.headers.host ?? null,
            xForwardedFor: req.headers["x-forwarded-for"] ?? null,
            xForwardedHost: req.headers["x-forwarded-host"] ?? null,
            xRealIp: req.headers["x-real-ip"] ?? null,
            bytes,
            sha256: hash.digest("hex"),
            instance: os.hostname(),
            connection: connectionNumbers.get(req.socket) ?? null,
        });
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
        res.end(body);
    });
}

/** Each accepted connection's number on its server. */
const connectionNumbers = new WeakMap();
let listening = 0;
for (const port of ports) {
    const server = http.createServer(handle);
    let accepted = 0;
    server.on("connection", (socket) => connectionNumbers.set(socket, ++accepted));
    server.listen(port, "0.0.0.0", () => {
        if (++listening === ports.length) console.log(JSON.stringify({ event: "upstream_stub_listening", ports }));
    });
}
