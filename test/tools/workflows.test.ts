// The CI templates in .github/workflows: valid GitHub workflow files (checked offline by action-validator, whose
// schema ships in the npm package), and wired as documented: tests, the image scan, and the policy pack on
// every preview and every deployment.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { BUILT_IMAGES } from "../../infra/components/images";
import { ROOT } from "./run-check";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    "continue-on-error"?: boolean | string;
    env?: Record<string, string>;
}
interface Job {
    needs?: string | string[];
    environment?: { name: string; url?: string };
    strategy?: { matrix: Record<string, unknown[]> };
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
/** Where the PR preview checks out the base branch's pack (preview.yml). */
const BASE_PACK_DIR = "base-pack";
const VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");

/** The inputs pulumi/actions@v6 declares in its action.yml; a misspelt one would be ignored silently. */
const PULUMI_ACTION_INPUTS = [
    "command", "stack-name", "work-dir", "comment-on-pr", "comment-on-pr-number", "comment-on-summary", "github-token",
    "cloud-url", "secrets-provider", "parallel", "message", "config-map", "expect-no-changes", "diff", "replace",
    "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment",
    "color", "exclude-protected", "plan", "suppress-outputs", "suppress-progress", "always-include-summary",
    "pulumi-version", "pulumi-version-file", "continue-on-error", "log-verbosity", "log-flow", "debug",
];

function load(name: string): Workflow {
    return yaml.load(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
}

function stepsOf(workflow: Workflow): Step[] {
    return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

function usesStep(job: Job, action: string): Step {
    const step = job.steps.find((s) => s.uses?.split("@")[0] === action);
    assert.ok(step, `no ${action} step`);
    return step;
}

/** checkout, Node 20, npm ci and npm test, in that order. */
function assertInstallsAndTests(job: Job): void {
    const index = (test: (s: Step) => boolean) => job.steps.findIndex(test);
    const order = [
        index((s) => s.uses?.startsWith("actions/checkout@") === true),
        index((s) => s.uses?.startsWith("actions/setup-node@") === true && String(s.with?.["node-version"]) === "20"),
        index((s) => s.run === "npm ci"),
        index((s) => s.run === "npm test"),
    ];
    assert.ok(order.every((i) => i >= 0), `missing checkout/setup-node 20/npm ci/npm test: ${order}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order, "steps out of order");
}

/** The pulumi/actions step running `command`: known inputs only, the pack, the stack, and the access token from secrets. */
function assertPulumiStep(job: Job, command: string, pack = "policies"): Step {
    const step = job.steps.find((s) => s.uses?.split("@")[0] === "pulumi/actions" && s.with?.command === command);
    assert.ok(step, `no pulumi/actions step running ${command}`);
    assert.equal(step.uses, "pulumi/actions@v6");
    const inputs = step.with ?? {};
    assert.deepEqual(Object.keys(inputs).filter((k) => !PULUMI_ACTION_INPUTS.includes(k)), [], "unknown pulumi/actions inputs");
    assert.equal(inputs.command, command);
    assert.equal(inputs.policyPacks, pack);
    // The work tree's pack (deploy) must exist; the base branch's (preview) is checked out by the workflow itself.
    const local = pack.startsWith(`${BASE_PACK_DIR}/`) ? pack.slice(BASE_PACK_DIR.length + 1) : pack;
    assert.ok(fs.existsSync(path.join(ROOT, local, "PulumiPolicy.yaml")), "policyPacks must name the pack folder");
    assert.ok(inputs["stack-name"], "stack-name");
    assert.equal(step.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    return step;
}

describe("CI workflow templates", function () {
    this.timeout(30_000);

    for (const name of ["preview.yml", "deploy.yml", "audit.yml"]) {
        it(`${name} is a valid GitHub workflow (action-validator, offline)`, () => {
            assert.ok(fs.existsSync(VALIDATOR), "run npm ci: @action-validator/cli is a devDependency");
            const run = spawnSync(VALIDATOR, [path.join(WORKFLOWS, name)], { encoding: "utf8" });
            assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
        });
    }

    describe("preview.yml", () => {
        const workflow = load("preview.yml");

        it("runs on pull requests: install, test, then a preview with the policy pack commented on the PR", () => {
            assert.ok("pull_request" in workflow.on);
            assertInstallsAndTests(workflow.jobs.test);
            const preview = workflow.jobs.preview;
            assert.deepEqual(preview.needs, ["test", "scan-images"]);
            const step = assertPulumiStep(preview, "preview", `${BASE_PACK_DIR}/policies`);
            assert.equal(step.with?.["comment-on-pr"], true);
        });

        // Issue 22 item 7: the judge is not the defendant. A PR that edits policies/ or vocabulary/ must be judged
        // by the base branch's pack, so the preview checks out the base commit's pack on its own and runs that one.
        it("judges the pull request with the BASE branch's policy pack, not the PR's own", () => {
            const steps = workflow.jobs.preview.steps;
            const checkout = steps.findIndex((s) => s.uses?.split("@")[0] === "actions/checkout" && s.with?.path === BASE_PACK_DIR);
            assert.ok(checkout >= 0, `no checkout into ${BASE_PACK_DIR}`);
            const base = steps[checkout].with ?? {};
            assert.equal(base.ref, "${{ github.event.pull_request.base.sha }}", "the base commit, not the PR's head");
            assert.deepEqual(String(base["sparse-checkout"]).trim().split(/\s+/).sort(), ["policies", "vocabulary"], "the pack and the vocabulary it imports");
            assert.equal(base["persist-credentials"], false);
            const install = steps.findIndex((s) => s.run === `npm ci --prefix ${BASE_PACK_DIR}/policies --omit=dev --no-audit --no-fund`);
            const preview = steps.indexOf(assertPulumiStep(workflow.jobs.preview, "preview", `${BASE_PACK_DIR}/policies`));
            assert.ok(checkout < install && install < preview, `checkout ${checkout}, install ${install}, preview ${preview}`);
            // No step between the base pack's checkout and the preview writes into it from the PR's tree.
            assert.deepEqual(steps.slice(checkout + 1, preview).filter((s) => s.run !== undefined && s.run.includes(BASE_PACK_DIR) && s !== steps[install]), []);
            // The PR's own pack is never the one run: no pulumi step names policies/ of the work tree.
            assert.deepEqual(steps.filter((s) => s.with?.policyPacks === "policies"), []);
        });

        it("a change to the pack, the vocabulary or the workflows needs a code owner's review (CODEOWNERS)", () => {
            const file = path.join(ROOT, ".github", "CODEOWNERS");
            assert.ok(fs.existsSync(file), ".github/CODEOWNERS");
            const rules = fs
                .readFileSync(file, "utf8")
                .split("\n")
                .map((l) => l.trim())
                .filter((l) => l !== "" && !l.startsWith("#"))
                .map((l) => l.split(/\s+/));
            for (const dir of ["/policies/", "/vocabulary/", "/.github/"]) {
                // The last matching rule wins in CODEOWNERS: the one for this folder must name an owner.
                const rule = rules.filter(([pattern]) => pattern === dir || pattern === "*").pop();
                assert.ok(rule && rule[0] === dir && rule.length > 1 && rule.slice(1).every((o) => /^@[\w.-]+(\/[\w.-]+)?$/.test(o)), `${dir}: ${JSON.stringify(rule)}`);
            }
        });

        it("CON-03 scans every image the stack builds and fails on fixable HIGH/CRITICAL vulnerabilities", () => {
            const scan = workflow.jobs["scan-images"];
            assert.deepEqual([...(scan.strategy?.matrix.image ?? [])].sort(), [...BUILT_IMAGES].sort());
            for (const image of BUILT_IMAGES) {
                assert.ok(fs.existsSync(path.join(ROOT, "images", image, "Dockerfile")), `images/${image}/Dockerfile`);
            }
            const trivy = usesStep(scan, "aquasecurity/trivy-action");
            assert.equal(trivy.with?.["image-ref"], "bulwark/${{ matrix.image }}:scan");
            assert.equal(trivy.with?.severity, "HIGH,CRITICAL");
            assert.equal(trivy.with?.["exit-code"], "1");
            const build = scan.steps.find((s) => s.run?.startsWith("docker build"));
            assert.match(build?.run ?? "", /--tag "bulwark\/\$\{\{ matrix\.image \}\}:scan" --file "images\/\$\{\{ matrix\.image \}\}\/Dockerfile" images$/);
        });

        it("CMP-07 regenerates the compliance report and keeps it with the run", () => {
            const steps = workflow.jobs.test.steps;
            assert.ok(steps.some((s) => s.run?.startsWith("npm run --silent compliance")));
            assert.equal(usesStep(workflow.jobs.test, "actions/upload-artifact").with?.path, "compliance.md");
        });
    });

    describe("deploy.yml", () => {
        const workflow = load("deploy.yml");

        it("runs on pushes to main: install and test, then `pulumi up` with the policy pack", () => {
            assert.deepEqual((workflow.on.push as { branches: string[] }).branches, ["main"]);
            assertInstallsAndTests(workflow.jobs.test);
            assert.equal(workflow.jobs.deploy.needs, "test");
            assertPulumiStep(workflow.jobs.deploy, "up");
        });

        it("runs `pulumi up` only after a preview with the same policy pack passed, in the same job", () => {
            const steps = workflow.jobs.deploy.steps;
            const preview = steps.indexOf(assertPulumiStep(workflow.jobs.deploy, "preview"));
            const up = steps.indexOf(assertPulumiStep(workflow.jobs.deploy, "up"));
            assert.ok(preview >= 0 && preview < up, `preview at ${preview}, up at ${up}`);
            const between = steps.slice(preview + 1, up);
            assert.deepEqual(between.filter((s) => s.if !== undefined || s["continue-on-error"] !== undefined), [], "nothing lets a failed preview through");
            assert.equal(steps[preview]["continue-on-error"], undefined, "a failed preview must fail the job");
        });

        it("never runs two deployments of a stack at once, nor cancels a running one", () => {
            assert.match(workflow.concurrency?.group ?? "", /^deploy-/);
            assert.equal(workflow.concurrency?.["cancel-in-progress"], false);
        });

        it("deploys only through the protected production environment", () => {
            assert.equal(workflow.jobs.deploy.environment?.name, "production");
        });
    });

    describe("audit.yml", () => {
        const workflow = load("audit.yml");

        it("CMP-04 runs the live audit on a schedule on the Docker host and keeps its JSON report", () => {
            const schedule = workflow.on.schedule as { cron: string }[];
            assert.ok(Array.isArray(schedule) && schedule.length > 0, "no schedule");
            const job = workflow.jobs.verify as Job & { "runs-on": string[] };
            assert.ok(job["runs-on"].includes("self-hosted"), "verify reads the local Docker engine: it must run on the host");
            const audit = job.steps.find((s) => s.run?.startsWith("npm run --silent verify"));
            assert.match(audit?.run ?? "", /--json > verify\.json$/);
            const upload = usesStep(job, "actions/upload-artifact");
            assert.equal(upload.if, "always()", "the report is kept when the audit fails");
            assert.equal(upload.with?.path, "verify.json");
            assert.ok(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.verify, "npm run verify exists");
        });
    });

    it("pins every action to a version", () => {
        for (const step of [...stepsOf(load("preview.yml")), ...stepsOf(load("deploy.yml")), ...stepsOf(load("audit.yml"))].filter((s) => s.uses)) {
            assert.match(step.uses!, /@v?\d+(\.\d+)*$/, step.uses);
        }
    });
});
