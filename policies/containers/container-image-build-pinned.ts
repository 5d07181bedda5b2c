// CON-01, CON-02: an image the stack builds is only as trusted as what it is built FROM. The pack reads the
// Dockerfile the docker.Image names (its build inputs are known in a preview) and requires every FROM of every
// stage, after ARG substitution, to be an earlier stage, `scratch`, or an allowed base pinned by digest: the
// stack's configured baseImage, or Debian (docker.io/library/debian) by digest, or a local image ID
// (content-addressed, as images/base/build-base.sh --id gives). A Dockerfile the pack cannot read is refused: what
// cannot be read cannot be proven safe. Relative paths are resolved against the program's project directory (the
// folder holding Pulumi.yaml, found upward from where the pack runs, or `projectDir`).
import * as fs from "node:fs";
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { CONFIG_NAMESPACE, containsUnknown, isUnknown } from "bulwark-vocabulary";
import { fromLines } from "../lib/dockerfile";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { engineStackConfig } from "../lib/stack-config";
import { isImageId, parseImageReference } from "./container-image-immutable";

interface Config {
    readonly allowedBaseRepositories: readonly string[];
    readonly projectDir: string;
}

/** The folder holding Pulumi.yaml, found upward from `from`; `from` itself when none is. */
export function projectDirFrom(from: string): string {
    for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            return path.resolve(from);
        }
    }
}

/** Why a FROM base is not allowed, or undefined. */
export function baseProblem(image: string, allowedRepositories: ReadonlySet<string>, configuredBase: string | undefined): string | undefined {
    if (isImageId(image)) {
        return undefined; // a local image ID names exactly one content
    }
    const ref = parseImageReference(image);
    if (!ref) {
        return "is not a valid image reference";
    }
    if (!ref.digest || !/^sha256:[a-f0-9]{64}$/.test(ref.digest)) {
        return `${ref.repository} is not pinned by digest (repository@sha256:<64 hex>)`;
    }
    const configured = configuredBase ? parseImageReference(configuredBase) : undefined;
    if (configured && configured.repository === ref.repository && configured.digest === ref.digest) {
        return undefined;
    }
    return allowedRepositories.has(ref.repository) ? undefined : `${ref.repository} is not an allowed base (the configured baseImage or a digest-pinned Debian)`;
}

export const containerImageBuildPinned = resourcePolicy({
    name: "container-image-build-pinned",
    controls: ["CON-01", "CON-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Every docker.Image the stack builds has a Dockerfile the pack can read, and each of its FROM lines (every " +
        "stage, --platform forms, ARG-substituted bases with the build's args) is an earlier stage, scratch, or an " +
        "allowed base pinned by digest: the stack's baseImage, a digest-pinned Debian (allowedBaseRepositories), or a " +
        "local image ID.",
    remediationSteps:
        "Build FROM ${BASE_IMAGE} with the stack's baseImage (debian:bookworm-slim@sha256:<digest>, `pulumi config set " +
        "baseImage ...`), or pin the FROM as repository@sha256:<digest> of an allowed base. Keep the Dockerfile at the " +
        "path the docker.Image names (build.dockerfile, or build.context/Dockerfile).",
    configSchema: {
        properties: {
            allowedBaseRepositories: {
                type: "array",
                items: { type: "string" },
                default: ["docker.io/library/debian"],
                description: "Repositories a Dockerfile may build FROM (by digest), besides the stack's configured baseImage",
            },
            projectDir: {
                type: "string",
                default: "",
                description: "The program's project directory, for relative build paths (default: the folder holding Pulumi.yaml above the pack)",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Image, (image, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const build = (image as unknown as { build?: unknown }).build;
        const fix = "Give the docker.Image a build.context (and build.dockerfile) known at preview, under the project.";
        if (isUnknown(build)) {
            markUndecided(args, args.urn, "build", fix);
            return;
        }
        if (!build || typeof build !== "object") {
            reportViolation(`[CON-01, CON-02] docker.Image '${args.name}': it has no build, so its FROM lines cannot be checked. ${fix}`);
            return;
        }
        const b = build as { context?: unknown; dockerfile?: unknown; args?: unknown };
        const unknownPaths = (["context", "dockerfile"] as const).filter((k) => containsUnknown(b[k]));
        if (unknownPaths.length > 0) {
            unknownPaths.forEach((k) => markUndecided(args, args.urn, `build.${k}`, fix));
            return;
        }
        const projectDir = config.projectDir || projectDirFrom(process.cwd());
        const context = path.resolve(projectDir, typeof b.context === "string" ? b.context : ".");
        const dockerfile = typeof b.dockerfile === "string" && b.dockerfile ? path.resolve(projectDir, b.dockerfile) : path.join(context, "Dockerfile");
        let text: string;
        try {
            text = fs.readFileSync(dockerfile, "utf8");
        } catch {
            reportViolation(`[CON-01, CON-02] docker.Image '${args.name}': its Dockerfile (${path.relative(projectDir, dockerfile) || dockerfile}) cannot be read, so its FROM lines cannot be checked. ${fix}`);
            return;
        }
        const buildArgs: Record<string, string | undefined> = {};
        if (b.args && typeof b.args === "object") {
            for (const [k, v] of Object.entries(b.args as Record<string, unknown>)) {
                buildArgs[k] = typeof v === "string" && !isUnknown(v) ? v : undefined;
            }
        }
        const allowed = new Set(
            (config.allowedBaseRepositories ?? []).map((r) => parseImageReference(r)?.repository).filter((r): r is string => r !== undefined),
        );
        const configuredBase = (engineStackConfig() ?? {})[`${CONFIG_NAMESPACE}:baseImage`];
        const froms = fromLines(text, buildArgs);
        if (froms.length === 0) {
            reportViolation(`[CON-01, CON-02] docker.Image '${args.name}': its Dockerfile has no FROM line the pack can read. ${fix}`);
        }
        for (const from of froms) {
            if (from.internal) {
                continue;
            }
            const via = from.args.length > 0 ? ` (through build arg ${from.args.join(", ")})` : "";
            const unknownArgs = from.args.filter((a) => b.args && typeof b.args === "object" && isUnknown((b.args as Record<string, unknown>)[a]));
            if (from.unresolved && unknownArgs.length > 0) {
                unknownArgs.forEach((a) => markUndecided(args, args.urn, `build.args.${a}`, "Give the build arg a value known at preview (a literal or the stack config), a digest-pinned base."));
                continue;
            }
            if (from.unresolved) {
                reportViolation(
                    `[CON-01, CON-02] docker.Image '${args.name}': FROM on line ${from.line} of its Dockerfile reads a build arg with no known value${via}. ` +
                        "Give the arg a digest-pinned default or pass it in build.args.",
                );
                continue;
            }
            const found = baseProblem(from.image, allowed, configuredBase);
            // A base read from a build arg is never described: the text would be the arg's value, which may be anything.
            const problem = found && from.args.length > 0 ? "the base it names is not an allowed base pinned by digest (the configured baseImage or a digest-pinned Debian)" : found;
            if (problem) {
                reportViolation(
                    `[CON-01, CON-02] docker.Image '${args.name}': FROM on line ${from.line} of its Dockerfile${via}: ${problem}. ` +
                        "Build FROM the stack's baseImage or a Debian base pinned as repository@sha256:<digest>.",
                );
            }
        }
    }),
});
