// Captures what the Pulumi program registers for a stack, without an engine: the program (infra/index.ts,
// package.json's main) runs under tools/mocks/runtime.ts with the stack's Pulumi.<stack>.yaml config, and the
// recorded docker.Container / Network / Volume / Image inputs are returned with secrets unwrapped and each
// container's dependencies resolved to other containers, so the harness can start them in the program's order.
import * as path from "node:path";
import { CONTAINER_TYPE, IMAGE_TYPE, NETWORK_TYPE, VOLUME_TYPE } from "bulwark-vocabulary";
import { isSecret, isUnknown } from "../analyzer/wire";
import { installRecordingMocks } from "../mocks/runtime";
import type { EngineResource } from "../analyzer/judge";
import { loadStackConfig } from "../mocks/stack-config";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

type Inputs = Readonly<Record<string, unknown>>;

export interface CapturedResource {
    /** The Pulumi resource name (not the Docker name, which is inputs.name). */
    readonly resourceName: string;
    readonly urn: string;
    readonly inputs: Inputs;
}

export interface CapturedContainer extends CapturedResource {
    /** Resource names of the containers this one waits for (dependsOn, through its parents too). */
    readonly dependsOn: readonly string[];
}

export interface CapturedImage {
    /** Directory name under images/. */
    readonly name: string;
    /** The digest reference containers were given (fake under mocks). */
    readonly repoDigest: string;
    readonly buildArgs: Readonly<Record<string, string>>;
}

export interface CapturedStack {
    readonly stack: string;
    readonly containers: readonly CapturedContainer[];
    readonly networks: readonly CapturedResource[];
    readonly volumes: readonly CapturedResource[];
    readonly images: readonly CapturedImage[];
}

export interface CaptureOptions {
    /** Which Pulumi.<configStack>.yaml to load (e.g. "dev"). */
    readonly configStack: string;
    /** The stack name the program runs as; every Docker name is prefixed with it. */
    readonly stackName: string;
    /** Bare config keys (without "bulwark:") that replace the file's values, e.g. ports chosen at run time. */
    readonly overrides?: Readonly<Record<string, string>>;
    readonly projectDir?: string;
}

/** Replaces Pulumi's secret wrappers by their values; an unknown value is an error (nothing to run). */
export function unwrapSecrets(value: unknown, where = "inputs"): unknown {
    if (isUnknown(value)) {
        throw new Error(`${where} is unknown under the mocks; the harness can only run fully known inputs`);
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrapSecrets(v, `${where}[${i}]`));
    }
    if (isSecret(value)) {
        return unwrapSecrets(value.value, where);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, `${where}.${k}`)]));
    }
    return value;
}

export async function captureStack(opts: CaptureOptions): Promise<CapturedStack> {
    const projectDir = opts.projectDir ?? PROJECT_DIR;
    const stackConfig = loadStackConfig(projectDir, opts.configStack, true);
    if (stackConfig.encrypted.length > 0) {
        throw new Error(
            `Pulumi.${opts.configStack}.yaml has encrypted values (${stackConfig.encrypted.join(", ")}); ` +
                `the runtime harness runs without the stack's secrets provider. Pass them as overrides or use a stack without secure: values.`,
        );
    }
    const config: Record<string, string> = { ...stackConfig.config };
    for (const [key, value] of Object.entries(opts.overrides ?? {})) {
        config[`${stackConfig.project}:${key}`] = value;
    }

    const recorder = await installRecordingMocks({ project: stackConfig.project, stack: opts.stackName, config, secretKeys: stackConfig.secretKeys });
    // Run the real entry point; drop it from the module cache first so a second capture registers again.
    const entry = require.resolve(path.join(projectDir, "infra", "index"));
    delete require.cache[entry];
    require(entry);
    const run = await recorder.finish();
    return fromRegistrations(opts.stackName, run.resources);
}

/** Splits recorded registrations into what the harness creates. Exported for tests. */
export function fromRegistrations(stack: string, resources: readonly EngineResource[]): CapturedStack {
    const of = (type: string): CapturedResource[] =>
        resources
            .filter((r) => r.type === type)
            .map((r) => ({ resourceName: r.name, urn: r.urn, inputs: unwrapSecrets(r.inputs, `${r.name}.inputs`) as Inputs }));

    const containers = of(CONTAINER_TYPE);
    if (containers.length === 0) {
        throw new Error("the program registered no docker.Container; is infra/index.ts the entry point and the config valid?");
    }
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const containerUrns = new Set(containers.map((c) => c.urn));
    const childrenOf = new Map<string, string[]>();
    for (const r of resources) {
        if (r.parent) childrenOf.set(r.parent, [...(childrenOf.get(r.parent) ?? []), r.urn]);
    }
    // A dependency on a component means every container under it (that is how dependsOn on a component works).
    const containersUnder = (urn: string): string[] =>
        containerUrns.has(urn) ? [urn] : (childrenOf.get(urn) ?? []).flatMap(containersUnder);
    const ancestors = (urn: string): string[] => {
        const parent = byUrn.get(urn)?.parent;
        return parent ? [parent, ...ancestors(parent)] : [];
    };
    const nameOf = new Map(containers.map((c) => [c.urn, c.resourceName]));

    const withDeps: CapturedContainer[] = containers.map((c) => {
        const own = new Set([c.urn, ...ancestors(c.urn)]);
        const deps = new Set<string>();
        for (const urn of own) {
            for (const dep of byUrn.get(urn)?.dependencies ?? []) {
                for (const target of containersUnder(dep)) {
                    if (!own.has(target)) deps.add(nameOf.get(target) as string);
                }
            }
        }
        return { ...c, dependsOn: [...deps].sort() };
    });

    const images: CapturedImage[] = resources
        .filter((r) => r.type === IMAGE_TYPE)
        .map((r) => {
            const build = (r.inputs.build ?? {}) as { dockerfile?: string; args?: Record<string, string> };
            const repoDigest = r.outputs?.repoDigest;
            if (typeof build.dockerfile !== "string" || typeof repoDigest !== "string") {
                throw new Error(`docker.Image ${r.name} has no build dockerfile or repoDigest under the mocks`);
            }
            // images/<name>/Dockerfile: the context is images/ for every image (the shared hardening step).
            return { name: path.basename(path.dirname(build.dockerfile)), repoDigest, buildArgs: { ...(build.args ?? {}) } };
        });

    return { stack, containers: withDeps, networks: of(NETWORK_TYPE), volumes: of(VOLUME_TYPE), images };
}
