// The backup containers' alert webhook (LOG-06, SEC-03, issue 13): its URL carries a token, so it must reach
// curl on stdin as a config line, never on curl's command line (which /proc/PID/cmdline and `ps` show to every
// process of the container). Runs the image's own alert() with curl replaced by a shell function that records
// exactly what curl would have been given.
import * as assert from "node:assert/strict";
import { BACKUP_USER, buildImage, docker, jsonLines } from "../../tools/runtime/backup";

const TOKEN = "T0KEN-b7f3c1d9e2a4";

function alertWith(url: string): { argv: string[]; config: string; events: Record<string, unknown>[] } {
    const script = String.raw`
source /usr/local/lib/bulwark-backup/common.sh
curl() { printf '%s\n' "$@" >/tmp/curl.argv; cat >/tmp/curl.config; }
alert backup_failed '{"stage":"test"}'
echo "--argv--"; cat /tmp/curl.argv 2>/dev/null
echo "--config--"; cat /tmp/curl.config 2>/dev/null`;
    const r = docker(
        ["run", "--rm", "--network", "none", "--user", BACKUP_USER, "--read-only", "--cap-drop", "ALL", "--tmpfs", "/tmp:rw,noexec,size=8m,mode=1777",
            "-e", "ALERT_WEBHOOK_URL", buildImage("backup"), "bash", "-c", script],
        { env: { ALERT_WEBHOOK_URL: url }, allowFail: true },
    );
    const [head, rest = ""] = r.stdout.split("--argv--\n");
    const [argv, config = ""] = rest.split("--config--\n");
    return { argv: argv.split("\n").filter(Boolean), config, events: jsonLines(head) };
}

describe("backup alert webhook (real image)", function () {
    this.timeout(600_000);

    it("LOG-06, SEC-03: posts with the URL on curl's stdin, not its command line", () => {
        const url = `https://hooks.example.com/services/${TOKEN}?x="q"`;
        const { argv, config, events } = alertWith(url);
        assert.ok(argv.length > 0, "curl was called");
        assert.ok(!argv.some((a) => a.includes(TOKEN)), `the token is on curl's command line: ${argv.join(" ")}`);
        assert.ok(argv.includes("-K") && argv[argv.indexOf("-K") + 1] === "-", `curl reads its config from stdin: ${argv.join(" ")}`);
        assert.equal(config, `url = "https://hooks.example.com/services/${TOKEN}?x=\\"q\\""\n`, "one config line, quotes escaped");
        assert.ok(argv.some((a) => a.includes('"event":"backup_failed"')), "the body is the alert");
        assert.ok(events.some((e) => e.event === "alert_sent"));
        assert.ok(!JSON.stringify(events).includes(TOKEN), "the URL is never logged");
    });

    it("refuses a URL with a line break (it would add a curl option), and says so", () => {
        const { argv, events } = alertWith(`https://hooks.example.com/${TOKEN}\noutput = "/tmp/x"`);
        assert.deepEqual(argv, [], "curl was not called");
        const failed = events.find((e) => e.event === "alert_failed");
        assert.match(String(failed?.note), /line break/);
        assert.ok(!JSON.stringify(events).includes(TOKEN));
    });
});
