// A preview must not turn a policy off: for every property of every resource the program registers for the dev and
// prod stacks (and each element or field one level down), the value made unknown, as the engine sends a value not
// known until apply, must give no "can't run during preview" note from the real analyzer, and no violation but the
// pack's refusal of an unknown value (fail closed: "unknown in preview: <field> of <urn> — <fix>"), listed again as
// a "refused" undecided check. A value no check needs may stay unknown.
import * as assert from "node:assert/strict";
import { Analyzer, EngineResource } from "../../tools/analyzer/judge";
import { isSecret, UNKNOWN } from "../../tools/analyzer/wire";
import { UNKNOWN_PREFIX } from "../../policies/lib/inconclusive";
import { engineConfig, runStack } from "../../tools/mocks/stack-run";

type Props = Record<string, unknown>;

/** Every path to make unknown: top-level keys, and each element or field one level below them. */
function paths(props: Props): (string | number)[][] {
    const result: (string | number)[][] = [];
    for (const [key, value] of Object.entries(props)) {
        result.push([key]);
        if (isSecret(value)) {
            continue; // a secret is unknown as a whole; the engine never sends half a wrapper
        }
        if (Array.isArray(value)) {
            value.forEach((v, i) => {
                result.push([key, i]);
                if (v && typeof v === "object" && !Array.isArray(v) && !isSecret(v)) {
                    Object.keys(v).forEach((k) => result.push([key, i, k]));
                }
            });
        } else if (value && typeof value === "object") {
            Object.entries(value).forEach(([k, v]) => !isSecret(v) && result.push([key, k]));
        }
    }
    return result;
}

function withUnknownAt(props: Props, path: (string | number)[]): Props {
    const copy = structuredClone(props);
    let target: any = copy;
    for (const step of path.slice(0, -1)) {
        target = target[step];
    }
    target[path[path.length - 1]] = UNKNOWN;
    return copy;
}


describe("unknown values in a preview: refused or not needed, never a can't-run note, for any property", function () {
    this.timeout(600_000);
    let analyzer: Analyzer | undefined;
    afterEach(async () => {
        await analyzer?.stop();
        analyzer = undefined;
    });

    for (const stackName of ["dev", "prod"]) {
        it(`#1 ${stackName}: each property of each resource, made unknown, is refused as unknown at worst`, async () => {
            const problems: string[] = [];
            let cases = 0;
            const run = await runStack(stackName);
            const stack: EngineResource[] = run.resources;
            // The pack gets the stack's config at start, as from the engine.
            const judge = await Analyzer.start({ stackConfig: engineConfig(run.input) });
            analyzer = judge;
            const clean = await judge.evaluate(stack, { stack: stackName });
            assert.deepEqual(clean.violations.filter((v) => v.level === "mandatory"), [], "the program's own stack passes");
            const before = new Set(clean.violations.map((v) => `${v.policy} ${v.urn} ${v.message}`));
            for (const [index, resource] of stack.entries()) {
                const checked = resource.checkedInputs ?? resource.inputs;
                for (const path of paths(checked)) {
                    cases++;
                    const changed: EngineResource = {
                        ...resource,
                        checkedInputs: withUnknownAt(checked, path),
                        outputs: resource.outputs && withUnknownAt(resource.outputs, path),
                    };
                    const resources = stack.map((r, i) => (i === index ? changed : r));
                    const where = `${resource.name}.${path.join(".")}`;
                    let result;
                    try {
                        // The changed resource through Analyze, the whole stack through AnalyzeStack: what a preview sends.
                        const opts = { preview: true, stack: stackName };
                        const own = await judge.evaluate([changed], opts, { stack: false });
                        const whole = await judge.evaluate(resources, opts, { resources: false });
                        result = { violations: [...own.violations, ...whole.violations], inconclusive: [...own.inconclusive, ...whole.inconclusive] };
                    } catch (e) {
                        problems.push(`${where}: the pack failed: ${(e as Error).message.split("\n").slice(0, 2).join(" ")}`);
                        continue;
                    }
                    for (const v of result.violations.filter((v) => !before.has(`${v.policy} ${v.urn} ${v.message}`))) {
                        if (!v.message.startsWith(UNKNOWN_PREFIX)) {
                            problems.push(`${where}: violation of ${v.policy}: ${v.message.slice(0, 160)}`);
                        } else if (!result.inconclusive.some((i) => i.policy === v.policy && i.kind === "refused" && v.message.startsWith(`${UNKNOWN_PREFIX}${i.field} of ${i.urn}`))) {
                            problems.push(`${where}: ${v.policy}'s refusal is not listed as a refused check`);
                        }
                    }
                    for (const i of result.inconclusive.filter((i) => i.kind === "cant-run")) {
                        problems.push(`${where}: ${i.policy} could not run (read ${i.field})`);
                    }
                }
            }
            assert.ok(cases > 100, `only ${cases} cases`);
            assert.deepEqual(problems, []);
        });
    }
});
