// The pack is its own package: the Pulumi CLI runs it from its folder with the folder's own node_modules, so its
// dependencies must resolve after a production install, TypeScript and ts-node included (the CLI type-checks the
// pack at start). Its one local dependency is the vocabulary (file:../vocabulary). A copy of policies/ beside a
// copy of vocabulary/, installed with `npm ci --omit=dev`, is started the way the CLI starts it and must serve
// every policy and judge a resource.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../policies/all";
import { Analyzer } from "../../tools/analyzer/judge";
import { POLICY_PACK_DIR } from "../../tools/analyzer/pack";
import { COMPONENT_TYPES, CONTAINER_TYPE } from "bulwark-vocabulary";
import { COMPLIANT_IMAGE, container } from "../policies/containers/fixtures";

/**
 * The app's container as the program places it (policies/lib/roles.ts): the child of a HardenedContainer under the
 * App component, its chain in its URN, running the app image its stack config names (as a prod stack does). So the
 * pack has nothing against it but the change a test makes.
 */
function appContainer(changes: Parameters<typeof container>[0] = {}) {
    const resource = container(changes);
    const chain = [COMPONENT_TYPES.app, COMPONENT_TYPES.hardenedContainer, CONTAINER_TYPE].join("$");
    return { ...resource, urn: `urn:pulumi:test::bulwark::${chain}::${resource.name}` };
}
const STACK_CONFIG = { "bulwark:backendImage": COMPLIANT_IMAGE };

describe("the policy pack as its own package (npm ci --omit=dev in a copy of policies/)", function () {
    this.timeout(300_000);
    let root: string;
    let dir: string;
    let analyzer: Analyzer | undefined;
    const withoutModules = { recursive: true, filter: (src: string) => !src.includes(`${path.sep}node_modules`) };

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-pack-"));
        dir = path.join(root, "policies");
        fs.cpSync(POLICY_PACK_DIR, dir, withoutModules);
        fs.cpSync(path.resolve(POLICY_PACK_DIR, "..", "vocabulary"), path.join(root, "vocabulary"), withoutModules);
        // The project's own install has filled npm's cache with exactly these versions.
        execFileSync("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, stdio: "pipe" });
    });

    after(async () => {
        await analyzer?.stop();
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("#1 the copy imports its own files and the packages it declares, nothing else", () => {
        const declared = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies);
        const imports = fs
            .readdirSync(dir, { recursive: true, encoding: "utf8" })
            .filter((f) => f.endsWith(".ts") && !f.startsWith("node_modules"))
            .flatMap((f) => [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/^(?:import|export)\b[^;]*?\bfrom "([^"]+)";/gm)].map((m) => ({ file: f, module: m[1] })));
        const outside = imports.filter((i) => i.module.startsWith(".") && !path.resolve(dir, path.dirname(i.file), i.module).startsWith(dir));
        const undeclared = imports.filter((i) => !i.module.startsWith(".") && !i.module.startsWith("node:") && !declared.includes(packageOf(i.module)));
        assert.deepEqual(outside, []);
        assert.deepEqual(undeclared, []);
        assert.ok(imports.some((i) => i.module === "bulwark-vocabulary"), "the pack reads the shared vocabulary");
    });

    it("#2 starts as the CLI starts it, type-checked, and serves every policy of the pack", async () => {
        analyzer = await Analyzer.start({ dir, stackConfig: STACK_CONFIG });
        assert.deepEqual(analyzer.policies.map((p) => p.name).sort(), allPolicies.map((p) => p.name).sort());
    });

    it("#3 judges a resource: a root container is a mandatory violation", async () => {
        const mandatory = async (changes: Parameters<typeof container>[0]) =>
            (await analyzer!.evaluate([appContainer(changes)])).violations.filter((v) => v.level === "mandatory").map((v) => v.policy);
        assert.deepEqual(await mandatory({}), [], "the placed app container, unchanged");
        assert.deepEqual(await mandatory({ user: "0:0" }), ["container-non-root-user"]);
    });
});

/** "@pulumi/policy/schema" -> "@pulumi/policy", "bulwark-vocabulary" -> itself. */
function packageOf(module: string): string {
    const parts = module.split("/");
    return module.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
