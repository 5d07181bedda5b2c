// The TLS proxy as an outside scanner sees it (NET-04, NET-06): Debian's testssl.sh against the published
// loopback port. Only protocols, cipher categories, forward secrecy, HSTS and the known TLS vulnerabilities
// are judged; certificate findings are expected for the self-signed development certificate.
import { spawnSync } from "node:child_process";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeLive, runtimeSession, SESSION_TIMEOUT_MS } from "./fixture";

interface Finding {
    readonly id: string;
    readonly severity: string;
    readonly finding: string;
}

/** Debian installs testssl.sh as `testssl`; upstream checkouts call it testssl.sh. */
function testsslBinary(): string | undefined {
    return ["testssl", "testssl.sh"].find((bin) => spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0);
}

const BAD = new Set(["LOW", "MEDIUM", "HIGH", "CRITICAL"]);
/** Vulnerability ids of testssl's -U section (3.0 and 3.2). */
const VULNERABILITIES = ["heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego", "secure_client_renego", "CRIME_TLS", "BREACH", "POODLE_SSL", "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST", "LUCKY13", "RC4", "opossum"];

describeLive("runtime: TLS as testssl.sh sees it", function () {
    let findings: Finding[];
    const byId = (id: string) => findings.find((f) => f.id === id);

    before(async function () {
        this.timeout(SESSION_TIMEOUT_MS);
        const s = await runtimeSession();
        const bin = testsslBinary();
        if (!bin) throw new Error("testssl.sh is not installed: run scripts/setup-host.sh (apt-get install -y testssl.sh)");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-testssl-"));
        const json = path.join(dir, "testssl.json");
        // By name, so that testssl sends the SNI the proxy serves (it refuses the handshake for any other), at
        // the published loopback address.
        const target = `localhost:${s.ports.https}`;
        // -p protocols, -s cipher categories, -f forward secrecy, -h headers (HSTS), -U vulnerabilities.
        const run = spawnSync(bin, ["--quiet", "--color", "0", "--warnings", "batch", "--ip", "127.0.0.1", "--jsonfile", json, "-p", "-s", "-f", "-h", "-U", target], {
            encoding: "utf8",
            timeout: 8 * 60_000,
        });
        if (!fs.existsSync(json)) throw new Error(`testssl wrote no JSON (exit ${run.status}, ${run.error?.message ?? ""}):\n${(run.stdout + run.stderr).slice(-2000)}`);
        findings = JSON.parse(fs.readFileSync(json, "utf8")) as Finding[];
        fs.rmSync(dir, { recursive: true, force: true });
        const show = findings.filter((f) => /^(SSLv2|SSLv3|TLS1(_[123])?|cipherlist_.*|P?FS|P?FS_ECDHE_curves|HSTS.*|cipher_order)$/.test(f.id));
        console.log(`      testssl ${target}:\n${show.map((f) => `        ${f.id.padEnd(22)} ${f.severity.padEnd(8)} ${f.finding}`).join("\n")}`);
    });

    it("offers TLS 1.2 and 1.3 only", () => {
        for (const id of ["SSLv2", "SSLv3", "TLS1", "TLS1_1"]) assert.match(byId(id)?.finding ?? "missing", /^not offered/, id);
        for (const id of ["TLS1_2", "TLS1_3"]) assert.match(byId(id)?.finding ?? "missing", /^offered/, id);
    });

    it("offers no NULL, anonymous, export, low, 3DES or CBC-only (non-AEAD) ciphers", () => {
        const categories = findings.filter((f) => f.id.startsWith("cipherlist_"));
        assert.ok(categories.length >= 6, `cipher categories missing from the report: ${categories.map((f) => f.id).join(", ")}`);
        for (const f of categories) {
            if (/^cipherlist_STRONG/.test(f.id)) continue;
            assert.match(f.finding, /^not offered/, `${f.id}: ${f.finding}`);
        }
        assert.match(byId("cipherlist_STRONG")?.finding ?? byId("cipherlist_STRONG_FS")?.finding ?? "missing", /^offered/);
        assert.match(byId("PFS")?.finding ?? byId("FS")?.finding ?? "missing", /^offered/, "forward secrecy");
        const flagged = findings.filter((f) => /^(cipherlist_|cipher-|P?FS)/.test(f.id) && BAD.has(f.severity));
        assert.deepEqual(flagged, [], "cipher findings flagged as not OK");
    });

    it("sends HSTS with max-age 63072000 and includeSubDomains", () => {
        assert.match(byId("HSTS_time")?.finding ?? "missing", /=63072000 seconds/);
        assert.equal(byId("HSTS_time")?.severity, "OK");
        assert.match(byId("HSTS_subdomains")?.finding ?? "missing", /includes subdomains/);
    });

    it("is not vulnerable to the known TLS attacks testssl checks", () => {
        const vulns = findings.filter((f) => VULNERABILITIES.some((v) => f.id === v || f.id.startsWith(`${v}_`) || f.id.startsWith(`${v}-`)));
        assert.ok(vulns.length >= 10, `vulnerability section missing: ${vulns.map((f) => f.id).join(", ")}`);
        assert.deepEqual(vulns.filter((f) => BAD.has(f.severity)), []);
        assert.deepEqual(findings.filter((f) => f.id === "scanProblem" && f.severity === "FATAL"), []);
    });
});
