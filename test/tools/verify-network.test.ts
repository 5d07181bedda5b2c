// The live audit's NET-04 name checks against local TLS servers: a lenient one that, like the old proxy, shakes
// hands for any name and forwards any Host must fail both rows; a server that answers 421 to another Host passes
// the forged-Host row. The real proxy passing both is test/runtime/verify.test.ts ("passes every check").
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Engine } from "../../tools/runtime/engine-api";
import { NETWORK_CHECKS, NetworkContext } from "../../tools/verify/network";

const SERVER_NAME = "app.example.test";

function selfSigned(): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-net-"));
    try {
        const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", `/CN=${SERVER_NAME}`, "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return { key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"), cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const check = (name: string) => {
    const c = NETWORK_CHECKS.find((x) => x.name === name);
    assert.ok(c, `verify has no check ${name}`);
    return c;
};

describe("verify: the proxy serves only its configured name (NET-04)", () => {
    const credentials = selfSigned();
    let server: https.Server;
    let ctx: NetworkContext;

    /** `hostOnly`: answer 421 to a Host other than SERVER_NAME, as nginx's catch-all server does. */
    async function start(hostOnly: boolean): Promise<void> {
        server = https.createServer(credentials, (req, res) => {
            const host = String(req.headers.host ?? "").replace(/:\d+$/, "");
            res.writeHead(hostOnly && host !== SERVER_NAME ? 421 : 200).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const target = { host: "127.0.0.1", httpsPort: (server.address() as AddressInfo).port, serverName: SERVER_NAME, authRoute: "/api/login", authBurst: 5, bodyLimitMb: 1 };
        ctx = { target, engine: undefined as unknown as Engine, since: 0 };
    }

    afterEach(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    });

    it("fails tls-other-names-refused on a server that shakes hands for any name, and says which", async () => {
        await start(false);
        const out = await check("tls-other-names-refused").run(ctx);
        assert.equal(out.ok, false);
        assert.match(out.detail, /handshake accepted for a name other than app\.example\.test: verify-unknown-name\.invalid: TLSv1\.3; no SNI: TLSv1\.3/);
    });

    it("fails forged-host-rejected when a forged Host gets an answer from behind the proxy", async () => {
        await start(false);
        const out = await check("forged-host-rejected").run(ctx);
        assert.equal(out.ok, false);
        assert.match(out.detail, /answered 200, expected 421/);
    });

    it("passes forged-host-rejected when another Host gets 421", async () => {
        await start(true);
        const out = await check("forged-host-rejected").run(ctx);
        assert.deepEqual(out, { ok: true, detail: "Host: verify-forged-host.invalid with SNI app.example.test: 421 Misdirected Request" });
    });

    it("both rows carry NET-04", () => {
        for (const name of ["tls-other-names-refused", "forged-host-rejected"]) assert.deepEqual(check(name).controls, ["NET-04"]);
    });
});
