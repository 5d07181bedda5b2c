import * as assert from "node:assert/strict";
import { secretEnvNotInline as policy } from "../../../policies/secrets/secret-env-not-inline";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { POSTGRES_PASSWORD, devStack, find, prodStack, resourceViolations, unrelated, withEnv, withSecretEnvs, withUnknownEnv } from "../fixtures/stack";

const backend = () => find(devStack(), "app-backend");
const database = () => find(devStack(), "database-container");

describe("secret-env-not-inline (SEC-01)", () => {
    it("#1 compliant dev and prod containers (generated secrets) pass", async () => {
        assert.deepEqual(await resourceViolations(policy, devStack()), []);
        assert.deepEqual(await resourceViolations(policy, prodStack()), []);
    });

    it("#2 a placeholder POSTGRES_PASSWORD is rejected, naming the variable but not the value", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(database(), { POSTGRES_PASSWORD: "changeme" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /\[SEC-01\] Container 'dev-database': env POSTGRES_PASSWORD looks like a placeholder/);
    });

    it("#3 each placeholder shape is rejected, and the value never appears in the message", async () => {
        const values = [
            "", "password", "Change-Me-Please-0000000000000000000000", "secret", "example-secret-key-base-value-0000000000",
            "placeholder", "TODO", "xxxxxxxx", "dummy", "test", "default", "12345678901234567890123456789012345", "a".repeat(64),
        ];
        for (const value of values) {
            const { violations } = await runResourcePolicy(policy, withEnv(backend(), { SECRET_KEY_BASE: value }));
            assert.equal(violations.length, 1, `'${value}' should be rejected`);
            assert.match(violations[0].message, /SECRET_KEY_BASE/);
            // Distinctive values must not appear; short words like 'secret' occur in the advice itself.
            if (value.length >= 12) {
                assert.ok(!violations[0].message.includes(value), `message leaks '${value}'`);
            }
        }
    });

    it("#4 a short JWT_SECRET is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { JWT_SECRET: "9f8e7d6c5b4a" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /JWT_SECRET is shorter than 32 characters \(12\)/);
    });

    it("#5 any secret-looking name is judged (GOOGLE_CLIENT_SECRET, API_KEY, TOKEN, CREDENTIAL)", async () => {
        for (const name of ["GOOGLE_CLIENT_SECRET", "MAILER_API_KEY", "GITHUB_TOKEN", "SMTP_CREDENTIALS", "DB_PASSWD", "SIGNING_PRIVATE_KEY"]) {
            const { violations } = await runResourcePolicy(policy, withEnv(backend(), { [name]: "short" }));
            assert.equal(violations.length, 1, name);
        }
    });

    it("#6 a DATABASE_URL with a weak inline password is rejected", async () => {
        const { violations } = await runResourcePolicy(policy, withEnv(backend(), { DATABASE_URL: "postgres://bulwark:password@database:5432/bulwark" }));
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /env DATABASE_URL embeds a connection password that looks like a placeholder/);
        assert.ok(!violations[0].message.includes("bulwark:password"));
    });

    it("#7 a DATABASE_URL with the generated password or no password passes", async () => {
        const url = `postgres://bulwark:${encodeURIComponent(POSTGRES_PASSWORD)}@database:5432/bulwark`;
        assert.deepEqual((await runResourcePolicy(policy, withEnv(backend(), { DATABASE_URL: url }))).violations, []);
        assert.deepEqual((await runResourcePolicy(policy, withEnv(backend(), { DATABASE_URL: "postgres://database:5432/bulwark" }))).violations, []);
    });

    it("#8 secret values unknown at preview pass", async () => {
        const unknown = withUnknownEnv(withUnknownEnv(backend(), "SECRET_KEY_BASE"), "JWT_SECRET");
        assert.deepEqual((await runResourcePolicy(policy, unknown)).violations, []);
    });

    it("#9 names that hold a setting (…_TTL) are not secrets; one that points to a secret's file (…_FILE) is refused", async () => {
        const r = withEnv(database(), { JWT_REFRESH_TOKEN_TTL: "3600" });
        assert.deepEqual((await runResourcePolicy(policy, r)).violations, []);
        // Stricter since issue 22: the file may be any host or image file, which the pack cannot see.
        const file = withEnv(database(), { POSTGRES_PASSWORD: null, POSTGRES_PASSWORD_FILE: "/run/secrets/db" });
        const { violations } = await runResourcePolicy(policy, file);
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /env POSTGRES_PASSWORD_FILE makes the image read POSTGRES_PASSWORD from a file/);
    });

    it("#10 config minSecretLength 64 rejects the 48-character database password", async () => {
        const { violations } = await runResourcePolicy(policy, database(), { config: { "secret-env-not-inline": { minSecretLength: 64 } } });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /POSTGRES_PASSWORD is shorter than 64 characters \(48\)/);
    });

    it("#11 config ignoredNames skips a setting whose name looks secret", async () => {
        const r = withEnv(backend(), { TOKEN_ISSUER: "bulwark" });
        assert.equal((await runResourcePolicy(policy, r)).violations.length, 1);
        const outcome = await runResourcePolicy(policy, r, { config: { "secret-env-not-inline": { ignoredNames: ["TOKEN_ISSUER"] } } });
        assert.deepEqual(outcome.violations, []);
    });

    it("#12 an env list wrapped as a secret (wire form) is read like a plain one", async () => {
        const { violations } = await runResourcePolicy(policy, withSecretEnvs(withEnv(database(), { POSTGRES_PASSWORD: "changeme" })));
        assert.equal(violations.length, 1);
        assert.deepEqual((await runResourcePolicy(policy, withSecretEnvs(database()))).violations, []);
    });

    it("#13 other resource types are not applicable", async () => {
        const outcome = await runResourcePolicy(policy, unrelated());
        assert.ok(outcome.notApplicable);
    });
});
