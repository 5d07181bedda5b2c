import * as assert from "node:assert/strict";
import { ageIdentityHex } from "../../../policies/lib/secret-sources";
import { secretEnvGenerated as policy } from "../../../policies/secrets/secret-env-generated";
import { secretEnvNotInline } from "../../../policies/secrets/secret-env-not-inline";
import { Analyzer, EngineResource, EvaluationOptions } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import {
    AGE_SECRET_KEY,
    GOOGLE_CLIENT_SECRET,
    JWT_SECRET,
    POSTGRES_PASSWORD,
    SECRET_KEY_BASE,
    TYPES,
    devStack,
    find,
    replace,
    resource,
    withEnv,
} from "../fixtures/stack";

const BACKEND = "app-backend";
const DATABASE = "database-container";
/** A strong value that no generator of the stack produced: a literal in code. */
const LITERAL = "Zx9" + "Qm4".repeat(30);

/** The dev fixture as after `pulumi up`: each random resource with the value it generated among its outputs. */
function generatedStack(): EngineResource[] {
    const outputs: Record<string, Record<string, unknown>> = {
        "secrets-secret-key-base": { hex: SECRET_KEY_BASE },
        "secrets-jwt-secret": { hex: JWT_SECRET },
        "secrets-database-password": { result: POSTGRES_PASSWORD },
        "secrets-backup-age-key": { hex: ageIdentityHex(AGE_SECRET_KEY) },
    };
    return devStack().map((r) => (outputs[r.name] ? { ...r, outputs: { ...r.inputs, ...outputs[r.name] } } : r));
}

/** As a preview of a new stack: generators' values unknown, and so every env entry built from them. */
function previewStack(): EngineResource[] {
    const generatedValues = [SECRET_KEY_BASE, JWT_SECRET, POSTGRES_PASSWORD, AGE_SECRET_KEY];
    return devStack().map((r) => {
        if (r.type !== TYPES.container) {
            return r.type.startsWith("random:") ? { ...r, outputs: { ...r.inputs, hex: UNKNOWN, result: UNKNOWN } } : r;
        }
        const envs = (r.inputs.envs as string[]).map((e) => (generatedValues.some((v) => e.includes(v)) ? UNKNOWN : e));
        // The planned state collapses a set holding an unknown into one unknown (engine-facts fact 1).
        return { ...r, inputs: { ...r.inputs, envs }, outputs: { ...r.inputs, envs: envs.includes(UNKNOWN) ? UNKNOWN : envs } };
    });
}

const CONFIG = { "bulwark:googleClientSecret": GOOGLE_CLIENT_SECRET };

describe("secret-env-generated (SEC-01)", () => {
    let analyzer: Analyzer;
    before(async () => {
        analyzer = await Analyzer.start({ stackConfig: CONFIG });
    });
    after(() => analyzer.stop());

    /** Analyze then AnalyzeStack, as the engine sends them; this policy's and secret-env-not-inline's findings. */
    async function judge(resources: readonly EngineResource[], opts: EvaluationOptions = {}) {
        const result = await analyzer.evaluate(resources, opts);
        return {
            violations: result.violations.filter((v) => v.policy === policy.name),
            inline: result.violations.filter((v) => v.policy === secretEnvNotInline.name),
            inconclusive: result.inconclusive.filter((i) => i.policy === policy.name),
        };
    }

    it("#1 the compliant dev stack passes as an update (values generated or secret config) and as a preview", async () => {
        assert.deepEqual((await judge(generatedStack())).violations, []);
        assert.deepEqual((await judge(previewStack(), { preview: true })).violations, []);
    });

    it("#2 a strong literal in each secret variable is rejected on its container, without the value", async () => {
        for (const [name, target] of [
            ["SECRET_KEY_BASE", BACKEND],
            ["JWT_SECRET", BACKEND],
            ["GOOGLE_CLIENT_SECRET", BACKEND],
            ["POSTGRES_PASSWORD", DATABASE],
            ["PGPASSWORD", "backup-job"],
            ["BACKUP_AGE_IDENTITY", "backup-drill"],
        ]) {
            const resources = replace(generatedStack(), target, (r) => withEnv(r, { [name]: LITERAL }));
            const { violations } = await judge(resources);
            assert.equal(violations.length, 1, name);
            assert.equal(violations[0].urn, find(resources, target).urn);
            assert.match(violations[0].message, new RegExp(`env ${name} is not a value any generator of the stack produced`));
            assert.ok(!violations[0].message.includes(LITERAL));
        }
    });

    it("#3 a connection URL whose password is a literal is rejected", async () => {
        const resources = replace(generatedStack(), BACKEND, (r) => withEnv(r, { DATABASE_URL: `postgres://bulwark:${LITERAL}@database:5432/bulwark` }));
        const { violations } = await judge(resources);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /the password inline in env DATABASE_URL/);
    });

    it("#4 in a preview, a literal hidden in an env list the planned state collapsed is found through what Analyze saw", async () => {
        const stack = previewStack();
        const backend = find(stack, BACKEND).urn;
        const resources = stack.map((r) => {
            if (r.urn !== backend) {
                return r;
            }
            const envs = [...(r.inputs.envs as string[]), `JWT_SECRET=${LITERAL}`];
            return { ...r, inputs: { ...r.inputs, envs }, outputs: { ...r.outputs, envs: UNKNOWN } };
        });
        const { violations } = await judge(resources, { preview: true });
        assert.deepEqual(violations.map((v) => [v.urn, /env JWT_SECRET is not/.test(v.message)]), [[find(resources, BACKEND).urn, true]]);
    });

    it("#5 a collapsed env list is read from what Analyze saw: generated entries pass, nothing is left undecided", async () => {
        // The engine sends every resource to Analyze before AnalyzeStack (policies/lib/seen-inputs.ts); a stack
        // judged again without them is covered in test/policies/lib/seen-inputs.test.ts.
        const resources = previewStack();
        const result = await analyzer.evaluate(resources, { preview: true }, { resources: false });
        assert.deepEqual(result.violations.filter((v) => v.policy === policy.name), []);
        assert.deepEqual(result.inconclusive.filter((i) => i.policy === policy.name), []);
    });

    it("#6 an env list built from a weak random generator is rejected", async () => {
        const weak = resource(TYPES.randomString, "db-pass", { length: 8 }, { length: 8, result: "Ab3dEf7h" });
        const resources = [...replace(generatedStack(), DATABASE, (r) => ({ ...withEnv(r, { POSTGRES_PASSWORD: "Ab3dEf7h" }), propertyDependencies: { envs: [weak.urn] } })), weak];
        const { violations } = await judge(resources);
        assert.ok(violations.some((v) => v.urn === find(resources, DATABASE).urn && /RandomString 'db-pass' with length 8 \(at least 32\)/.test(v.message)));
        // The weak generator's value is not accepted as generated either.
        assert.ok(violations.some((v) => /env POSTGRES_PASSWORD is not/.test(v.message)));
    });

    it("#7 secret-env-not-inline refuses <SECRET>_FILE variables, naming the variable", async () => {
        for (const name of ["POSTGRES_PASSWORD_FILE", "PGPASSWORD_FILE", "SECRET_KEY_BASE_FILE", "AWS_SECRET_ACCESS_KEY_FILE"]) {
            const resources = replace(generatedStack(), DATABASE, (r) => withEnv(r, { [name]: "/etc/shadow" }));
            const { inline } = await judge(resources);
            assert.equal(inline.length, 1, name);
            assert.match(inline[0].message, new RegExp(`env ${name} makes the image read`));
        }
    });

    it("#8 the IAM access key's secret and a secret config value are generated sources", async () => {
        const key = resource(TYPES.accessKey, "uploader-key", { user: "u" }, { user: "u", secret: LITERAL });
        const resources = [...replace(generatedStack(), "backup-job", (r) => withEnv(r, { AWS_SECRET_ACCESS_KEY: LITERAL })), key];
        assert.deepEqual((await judge(resources)).violations, []);
    });
});
