// The adversarial suite's harness: a program that breaks a control in a new way is run in-process under the
// recording mocks, as an update and as a preview of a new stack, and judged by the real pack (one shared pack
// process, or one per stack config, since the engine hands a pack its stack's config only at start). The gate
// holds only if every attack is rejected in both modes by a mandatory violation naming the resource it changed.
import * as assert from "node:assert/strict";
import type { PolicyPackConfig } from "@pulumi/policy";
import { Analyzer, EvaluationResult, sharedAnalyzer, Violation } from "../../tools/analyzer/judge";
import { runUnderMocks } from "../../tools/mocks/runtime";

export type Mode = "update" | "preview";
export const MODES: readonly Mode[] = ["update", "preview"];

export interface Attack {
    /** What the attacker changes, in a few words; the test's title. */
    readonly name: string;
    /** The Pulumi resource name (the URN's last part) that a mandatory violation must name. */
    readonly blame: string;
    /** The program: registers resources with @pulumi/* as a Pulumi program does. */
    readonly program: () => unknown;
    /** The stack's config as the engine hands it ("bulwark:key" -> string). */
    readonly config?: Readonly<Record<string, string>>;
    readonly secretKeys?: readonly string[];
    /**
     * The policies one of which must refuse it; default any mandatory policy. Set where the unchanged resource
     * already meets other mandatory policies (a bare target resource), so the refusal is the change's own.
     */
    readonly policies?: readonly string[];
    /** The pack's policy config, as given with --policy-pack-config. */
    readonly policyConfig?: PolicyPackConfig;
    /**
     * The modes the attack must be rejected in; default both. Only for a program that behaves differently in each
     * (switched on `pulumi.runtime.isDryRun()`): a preview runs the benign branch and cannot see the violation, so
     * such an attack is judged as an update, where a resource policy must refuse it before the step.
     */
    readonly modes?: readonly Mode[];
}

const PROJECT = "bulwark";
const STACK = "dev";

const withConfig = new Map<string, Promise<Analyzer>>();

function analyzerFor(config: Readonly<Record<string, string>> | undefined): Promise<Analyzer> {
    if (!config || Object.keys(config).length === 0) {
        return sharedAnalyzer();
    }
    const key = JSON.stringify(Object.entries(config).sort());
    let analyzer = withConfig.get(key);
    if (!analyzer) {
        analyzer = Analyzer.start({ stackConfig: config });
        withConfig.set(key, analyzer);
    }
    return analyzer;
}

/** Stops the packs started for attacks with a stack config (the shared one is stopped by the root hooks). */
export async function stopAttackAnalyzers(): Promise<void> {
    const started = [...withConfig.values()];
    withConfig.clear();
    for (const analyzer of started) {
        await (await analyzer).stop();
    }
}

/** The attack's program judged in one mode. */
export async function judgeAttack(attack: Attack, mode: Mode): Promise<EvaluationResult> {
    const preview = mode === "preview";
    const run = await runUnderMocks(attack.program, { project: PROJECT, stack: STACK, config: attack.config, secretKeys: attack.secretKeys, preview });
    const analyzer = await analyzerFor(attack.config);
    return analyzer.evaluate(run.resources, { stack: STACK, project: PROJECT, preview, config: attack.policyConfig });
}

export function mandatoryAgainst(result: EvaluationResult, blame: string): Violation[] {
    return result.violations.filter((v) => v.level === "mandatory" && v.urn !== undefined && v.urn.endsWith(`::${blame}`));
}

/**
 * One mocha test per attack and mode: the attack must meet at least one mandatory violation naming `blame`.
 * `title` names the class of attack (types, fields, parsing, roles, unknowns, secrets, ...).
 */
export function describeAttacks(title: string, attacks: readonly Attack[]): void {
    describe(`adversarial: ${title}`, () => {
        // How many attacks each mode rejected, printed with BULWARK_ADVERSARIAL_TALLY set (for the closing note).
        const counts = { judged: attacks.length, rejected: { update: 0, preview: 0 } };
        after(async () => {
            await stopAttackAnalyzers();
            if (process.env.BULWARK_ADVERSARIAL_TALLY) {
                console.log(`      tally ${title}: ${counts.judged} programs, rejected ${counts.rejected.update} as an update, ${counts.rejected.preview} as a preview`);
            }
        });
        for (const attack of attacks) {
            for (const mode of attack.modes ?? MODES) {
                it(`${attack.name} is rejected (${mode})`, async () => {
                    const result = await judgeAttack(attack, mode);
                    const found = mandatoryAgainst(result, attack.blame).filter((v) => !attack.policies || attack.policies.includes(v.policy));
                    assert.ok(
                        found.length > 0,
                        `${mode}: no mandatory violation${attack.policies ? ` of ${attack.policies.join(" or ")}` : ""} names ${attack.blame}; got ${JSON.stringify(result.violations.map((v) => [v.policy, v.level, v.urn]))}`,
                    );
                    counts.rejected[mode] += 1;
                });
            }
        }
    });
}

/** A program that must pass: no mandatory violation in either mode, and no mandatory check left undecided. */
export function describeCompliant(title: string, program: () => unknown, config?: Readonly<Record<string, string>>): void {
    for (const mode of MODES) {
        it(`${title} passes (${mode})`, async () => {
            const result = await judgeAttack({ name: title, blame: "", program, config }, mode);
            const mandatory = result.violations.filter((v) => v.level === "mandatory");
            assert.deepEqual(mandatory.map((v) => [v.policy, v.urn, v.message]), [], `${mode}: mandatory violations`);
            const undecided = result.inconclusive.filter((i) => i.level === "mandatory");
            assert.deepEqual(undecided.map((i) => [i.policy, i.urn, i.field]), [], `${mode}: mandatory checks left undecided`);
        });
    }
}
