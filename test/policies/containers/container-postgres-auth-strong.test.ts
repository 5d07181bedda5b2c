import * as assert from "node:assert/strict";
import { commandSettings, containerPostgresAuthStrong as policy, initdbAuth } from "../../../policies/containers/container-postgres-auth-strong";
import { runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertPasses, assertViolations, container } from "./fixtures";

const POSTGRES_COMMAND = ["postgres", "-c", "password_encryption=scram-sha-256", "-c", "log_connections=on"];

describe("container-postgres-auth-strong (DB-01, DB-02)", () => {
    it("#1 the compliant container and the program's database command pass", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
        assertPasses(await runResourcePolicy(policy, container({ command: POSTGRES_COMMAND, envs: ["POSTGRES_HOST_AUTH_METHOD=scram-sha-256"] })));
    });

    it("#2 POSTGRES_HOST_AUTH_METHOD other than scram-sha-256, in any case, is rejected on any container", async () => {
        for (const method of ["trust", "TRUST", "Trust", "password", "md5", "ident", "", " scram-sha-256"]) {
            const outcome = await runResourcePolicy(policy, container({ envs: [`POSTGRES_HOST_AUTH_METHOD=${method}`] }));
            assertViolations(outcome, 1, /POSTGRES_HOST_AUTH_METHOD.*without SCRAM/);
        }
    });

    it("#3 POSTGRES_INITDB_ARGS with a weak --auth, --auth-host or -A is rejected; peer for local sockets passes", async () => {
        for (const args of ["--auth=trust", "--auth-host=trust", "--auth-host=md5", "-A trust", "-Atrust", "--auth trust", "--data-checksums --auth-host=password"]) {
            const outcome = await runResourcePolicy(policy, container({ envs: [`POSTGRES_INITDB_ARGS=${args}`] }));
            assertViolations(outcome, 1, /POSTGRES_INITDB_ARGS gives initdb --auth/);
        }
        assertPasses(await runResourcePolicy(policy, container({ envs: ["POSTGRES_INITDB_ARGS=--auth-local=peer --auth-host=scram-sha-256"] })));
    });

    it("#4 a command that weakens password_encryption or replaces hba_file/ident_file/config_file is rejected", async () => {
        const commands = [
            ["postgres", "-c", "password_encryption=md5"],
            ["postgres", "-cpassword_encryption=md5"],
            ["postgres", "--password-encryption=md5"],
            ["postgres", "--password_encryption", "md5"],
            ["postgres", "-c", "hba_file=/tmp/pg_hba.conf"],
            ["postgres", "--ident_file=/tmp/ident"],
            ["postgres", "-c", "config_file=/tmp/postgresql.conf"],
            ["sh", "-c", "exec postgres -c hba_file=/tmp/hba"],
        ];
        for (const command of commands) {
            const outcome = await runResourcePolicy(policy, container({ command }));
            assertViolations(outcome, 1, /command sets (password_encryption|hba_file|ident_file|config_file)/);
        }
    });

    it("#5 parsing: the setting forms and initdb's option forms", () => {
        assert.deepEqual(commandSettings(["postgres", "-c", "a=b", "-cC-D=e", "--f-g=h"]).map((s) => `${s.name}=${s.value}`), ["a=b", "c_d=e", "f_g=h"]);
        assert.deepEqual(initdbAuth("-A md5 --auth-local=peer --authx=1"), [
            { option: "--auth", method: "md5" },
            { option: "--auth-local", method: "peer" },
        ]);
    });

    it("#6 a long value is not echoed into the message", async () => {
        const value = "x".repeat(40);
        const outcome = await runResourcePolicy(policy, container({ envs: [`POSTGRES_HOST_AUTH_METHOD=${value}`] }));
        assertViolations(outcome, 1, /\(a value\)/);
        assert.ok(!outcome.violations[0].message.includes(value));
    });
});
