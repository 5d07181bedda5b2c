// A violation message ends up in CI logs and PR comments, so it must never carry a secret value (issue 22 item 9).
// Every policy of the pack judges the program's own dev and prod stacks with one break per secret-bearing field:
// each secret env entry (and a connection URL's password) replaced by a weak literal and by a strong one, and
// each docker.Image given a build arg holding a secret (named as the Dockerfiles never read it, and as the base
// they read). No message may contain any of those values, nor any secret the stack itself holds.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { isSecretEnvName } from "bulwark-vocabulary";
import { Analyzer, EngineResource } from "../../tools/analyzer/judge";
import { isSecret, UNKNOWN } from "../../tools/analyzer/wire";
import { engineConfig, runStack } from "../../tools/mocks/stack-run";
import { CONTAINER_TYPE, IMAGE_TYPE } from "bulwark-vocabulary";

type Props = Record<string, any>;

const unwrap = (v: unknown): unknown => (isSecret(v) ? unwrap(v.value) : v);

/** The container's env entries as strings (secret wrappers opened). */
function envList(props: Props): string[] | undefined {
    const envs = unwrap(props.envs);
    return Array.isArray(envs) ? envs.map((e) => String(unwrap(e))) : undefined;
}

function withProps(r: EngineResource, patch: Props): EngineResource {
    const apply = (p: Props | undefined) => (p ? { ...p, ...patch } : p);
    return { ...r, inputs: apply(r.inputs)!, checkedInputs: apply(r.checkedInputs), outputs: apply(r.outputs) };
}

interface Break {
    readonly where: string;
    readonly value: string;
    readonly resources: EngineResource[];
}

/** One changed stack per secret-bearing field and per kind of value. */
function breaks(stack: readonly EngineResource[]): Break[] {
    const result: Break[] = [];
    const weak = () => `changeme-${randomBytes(4).toString("hex")}`;
    const strong = () => randomBytes(36).toString("base64url");
    stack.forEach((r, index) => {
        const props = r.checkedInputs ?? r.inputs;
        const replaceAt = (patch: Props, where: string, value: string) =>
            result.push({ where, value, resources: stack.map((s, i) => (i === index ? withProps(s, patch) : s)) });
        if (r.type === CONTAINER_TYPE) {
            const envs = envList(props) ?? [];
            envs.forEach((entry, i) => {
                const eq = entry.indexOf("=");
                const name = entry.slice(0, eq);
                const url = /^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)([^@/]*)(@.*)$/i.exec(entry.slice(eq + 1));
                for (const value of [weak(), strong()]) {
                    if (isSecretEnvName(name)) {
                        replaceAt({ envs: envs.map((e, j) => (j === i ? `${name}=${value}` : e)) }, `${r.name} env ${name}`, value);
                    } else if (url) {
                        replaceAt({ envs: envs.map((e, j) => (j === i ? `${name}=${url[1]}${value}${url[3]}` : e)) }, `${r.name} ${name} password`, value);
                    }
                }
            });
        }
        if (r.type === IMAGE_TYPE) {
            const build = unwrap(props.build) as Props;
            for (const arg of ["DATABASE_PASSWORD", "SECRET_KEY_BASE", "BASE_IMAGE"]) {
                const value = strong().toLowerCase().replace(/[^a-z0-9]/g, "x");
                replaceAt({ build: { ...build, args: { ...(build.args ?? {}), [arg]: value } } }, `${r.name} build arg ${arg}`, value);
            }
        }
    });
    return result;
}

/** Every secret value the stack holds: secret-named env values and everything inside a secret wrapper. */
function secretsOf(stack: readonly EngineResource[]): string[] {
    const found = new Set<string>();
    const walk = (v: unknown, inSecret: boolean): void => {
        if (isSecret(v)) {
            return walk(v.value, true);
        }
        if (typeof v === "string") {
            if (inSecret) {
                const eq = v.indexOf("=");
                found.add(eq > 0 && /^[A-Z_][A-Z0-9_]*$/.test(v.slice(0, eq)) ? v.slice(eq + 1) : v);
            }
            return;
        }
        if (Array.isArray(v)) {
            return v.forEach((x) => walk(x, inSecret));
        }
        if (v && typeof v === "object") {
            Object.values(v).forEach((x) => walk(x, inSecret));
        }
    };
    for (const r of stack) {
        walk(r.checkedInputs ?? r.inputs, false);
        for (const entry of envList(r.checkedInputs ?? r.inputs) ?? []) {
            const eq = entry.indexOf("=");
            if (isSecretEnvName(entry.slice(0, eq))) {
                found.add(entry.slice(eq + 1));
            }
        }
    }
    // Only values long enough to be told apart from the words of a message.
    return [...found].filter((s) => s.length >= 12 && s !== UNKNOWN);
}

describe("no violation message carries a secret value", function () {
    this.timeout(600_000);
    for (const stackName of ["dev", "prod"]) {
        it(`#1 ${stackName}: every policy, one break per secret-bearing field, as an update and as a preview`, async () => {
            const run = await runStack(stackName);
            const stack: EngineResource[] = run.resources;
            const judge = await Analyzer.start({ stackConfig: engineConfig(run.input) });
            try {
                const own = secretsOf(stack);
                assert.ok(own.length >= 3, `only ${own.length} secrets found in the ${stackName} stack`);
                const all = breaks(stack);
                assert.ok(all.length >= 10, `only ${all.length} breaks`);
                const leaks: string[] = [];
                let rejected = 0;
                for (const b of all) {
                    for (const preview of [false, true]) {
                        const result = await judge.evaluate(b.resources, { stack: stackName, preview });
                        rejected += result.violations.length > 0 ? 1 : 0;
                        for (const v of result.violations) {
                            for (const secret of [b.value, ...own]) {
                                if (v.message.includes(secret)) {
                                    leaks.push(`${b.where} (${preview ? "preview" : "update"}): ${v.policy} prints a secret`);
                                }
                            }
                        }
                    }
                }
                assert.deepEqual(leaks, []);
                // The breaks are real: most of them are violations, so the messages were actually produced.
                assert.ok(rejected >= all.length, `only ${rejected} of ${all.length * 2} judged breaks gave any violation`);
            } finally {
                await judge.stop();
            }
        });
    }
});
