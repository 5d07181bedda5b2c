// The pack is its own package: the Pulumi CLI runs it from its folder with the folder's own node_modules, so its
// dependencies must resolve after a production install, TypeScript and ts-node included (the CLI type-checks the
// pack at start). A copy of policies/ alone, installed with `npm ci --omit=dev`, is started the way the CLI starts
// it and must serve every policy and judge a resource.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../policies/all";
import { Analyzer } from "../../tools/analyzer/judge";
import { POLICY_PACK_DIR } from "../../tools/analyzer/pack";
import { container } from "../policies/containers/fixtures";

describe("the policy pack as its own package (npm ci --omit=dev in a copy of policies/)", function () {
    this.timeout(300_000);
    let dir: string;
    let analyzer: Analyzer | undefined;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-pack-"));
        fs.cpSync(POLICY_PACK_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
        // The project's own install has filled npm's cache with exactly these versions.
        execFileSync("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, stdio: "pipe" });
    });

    after(async () => {
        await analyzer?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("#1 the copy has no file outside itself to import", () => {
        const outside = fs
            .readdirSync(dir, { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts") && !f.startsWith("node_modules"))
            .flatMap((f) => [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/from "(\.[^"]+)"/g)].map((m) => path.resolve(dir, path.dirname(f), m[1])))
            .filter((target) => !target.startsWith(dir));
        assert.deepEqual(outside, []);
    });

    it("#2 starts as the CLI starts it, type-checked, and serves every policy of the pack", async () => {
        analyzer = await Analyzer.start({ dir });
        assert.deepEqual(analyzer.policies.map((p) => p.name).sort(), allPolicies.map((p) => p.name).sort());
    });

    it("#3 judges a resource: a root container is a mandatory violation", async () => {
        const result = await analyzer!.evaluate([container({ user: "0:0" })]);
        assert.deepEqual(result.violations.filter((v) => v.level === "mandatory").map((v) => v.policy), ["container-non-root-user"]);
    });
});
