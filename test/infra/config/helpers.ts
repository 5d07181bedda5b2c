// Shared by the config tests, one file per section of infra/config/.
// Config validation: every invalid value is reported as a ConfigError problem naming `bulwark:<key>`, with a
// message and a fix, before any resource exists. Each case starts from a valid stack (Pulumi.dev.yaml, or
// Pulumi.prod.yaml with generated secrets) and breaks one value, so a problem can only come from that value.
import * as assert from "node:assert/strict";
import { ConfigError, ConfigProblem, loadConfig, NAMESPACE } from "../../../infra/config";
import { ConfigMap, mapSource, stackInput } from "../../../tools/mocks/stack-run";

export type StackKind = "dev" | "prod";

export function load(stack: StackKind, overrides: ConfigMap = {}, plainKeys: readonly string[] = []) {
    const input = stackInput(stack, overrides, plainKeys);
    return loadConfig(mapSource(input.stack, input.config, input.secretKeys));
}

export function configError(fn: () => unknown): ConfigError {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        return e;
    }
    assert.fail("expected a ConfigError, but the config loaded");
}

export function assertWellFormed(error: ConfigError, problem: ConfigProblem): void {
    assert.ok(problem.message.trim().length > 0, `${problem.key}: empty message`);
    assert.ok(problem.fix.trim().length > 0, `${problem.key}: empty fix`);
    assert.ok(error.message.includes(`${NAMESPACE}:${problem.key}: ${problem.message}`), `the error text does not name ${NAMESPACE}:${problem.key}`);
    assert.ok(error.message.includes(problem.fix), `the error text does not carry the fix for ${problem.key}`);
}

/**
 * Loads the stack with `overrides` and asserts it is rejected for `key` (and, unless `others` allows it, for
 * nothing else), with a well-formed problem whose message matches `message` when given.
 */
export function assertRejected(
    stack: StackKind,
    overrides: ConfigMap,
    key: string,
    opts: { message?: RegExp; plainKeys?: readonly string[]; others?: readonly string[] } = {},
): ConfigProblem {
    const error = configError(() => load(stack, overrides, opts.plainKeys));
    const problem = error.problems.find((p) => p.key === key);
    assert.ok(problem, `no problem for ${key}; got ${error.problems.map((p) => p.key).join(", ")}`);
    assertWellFormed(error, problem);
    if (opts.message) {
        assert.match(problem.message, opts.message);
    }
    const unexpected = error.problems.filter((p) => p.key !== key && !(opts.others ?? []).includes(p.key));
    assert.deepEqual(unexpected, [], `problems other than ${key}`);
    return problem;
}

export const json = (value: unknown) => JSON.stringify(value);
