// The live audit (npm run verify) against the running stack: every row passes; then one extra container,
// labelled as part of the stack, with one hardening setting removed, makes exactly its row fail and the CLI
// exit 1 (CMP-04).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { ContainerCreateBody } from "../../tools/runtime/engine-map";
import type { RuntimeSession } from "../../tools/runtime/session";
import type { Row } from "../../tools/verify/checks";
import type { Report } from "../../tools/verify/report";
import { runVerify } from "../../tools/verify/verify";
import { describeLive, runtimeSession, SESSION_TIMEOUT_MS } from "./fixture";

const ROOT = path.resolve(__dirname, "..", "..");
const failing = (rows: readonly Row[]) => rows.filter((r) => r.result === "fail");
const describeRows = (rows: readonly Row[]) => rows.map((r) => `${r.check} @ ${r.target}: ${r.detail}`).join("\n");

/**
 * A copy of a stack container's create body under a uid of its own (its tmpfs owned by that uid): every stack
 * container has its own uid, which verify's process-count-bound row checks (nproc counts per uid).
 */
function ownUid(body: ContainerCreateBody, uid: number): ContainerCreateBody {
    const group = (body.User ?? "").split(":")[1] ?? String(uid);
    const tmpfs = Object.fromEntries(Object.entries(body.HostConfig.Tmpfs ?? {}).map(([p, o]) => [p, o.replace(/\buid=\d+/, `uid=${uid}`)]));
    return { ...body, User: `${uid}:${group}`, HostConfig: { ...body.HostConfig, Tmpfs: tmpfs } };
}

/** The verify CLI against the session's stack, as a user runs it. */
function verifyCli(stack: string): { status: number | null; report: Report; stderr: string } {
    const cli = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools", "verify", "cli.ts"), "--stack", stack, "--json"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { status: cli.status, report: JSON.parse(cli.stdout) as Report, stderr: cli.stderr };
}

describeLive("runtime: npm run verify against the stack", function () {
    let s: RuntimeSession;
    before(async function () {
        this.timeout(SESSION_TIMEOUT_MS);
        s = await runtimeSession();
    });

    it("passes every check on the stack as the program defines it", async function () {
        this.timeout(120_000);
        const { rows, proxy } = await runVerify({ engine: s.engine, stack: s.stackName });
        assert.equal(proxy, s.proxyHttpsUrl, "verify found the proxy from its published port");
        assert.deepEqual(failing(rows), [], describeRows(failing(rows)));
        const containers = new Set(rows.map((r) => r.target));
        for (const spec of s.run.specs.values()) assert.ok(containers.has(spec.name), `no rows for ${spec.name}`);
        for (const name of ["user-non-root", "read-only-root", "tls-1.0-refused", "hsts", "cookie-flags", "auth-rate-limit", "db-password-encryption", "db-no-host-login", "backup-newest", "backup-retention", "restore-drill-last", "secrets-not-in-args-or-labels", "db-app-login", "db-backup-login", "seccomp-profile", "apparmor-profile"]) {
            assert.ok(rows.some((r) => r.check === name), `no ${name} row`);
        }
    });

    it("DB-03, BAK-01, BAK-03: shows the newest backup's age and encryption and the last drill's result", async function () {
        this.timeout(300_000);
        const byRole = (role: string) => [...s.run.specs.values()].find((spec) => spec.body.Labels?.["bulwark.role"] === role);
        const job = byRole("backup");
        const drill = byRole("backup-drill");
        assert.ok(job && drill, "the stack has a backup job and a restore drill");
        const backup = await s.engine.exec(job.name, ["backup-now"], { timeoutMs: 240_000 });
        assert.equal(backup.exitCode, 0, `backup-now: ${backup.stderr}${backup.stdout}`);
        const drilled = await s.engine.exec(drill.name, ["restore-drill"], { timeoutMs: 240_000 });
        assert.equal(drilled.exitCode, 0, `restore-drill: ${drilled.stderr}${drilled.stdout}`);

        const { rows } = await runVerify({ engine: s.engine, stack: s.stackName });
        const newest = rows.find((r) => r.check === "backup-newest");
        assert.equal(newest?.result, "pass", newest?.detail);
        assert.match(newest?.detail ?? "", /^newest bulwark-\d{8}T\d{6}Z, \d+ min old, .* encrypted with age to age1/);
        const last = rows.find((r) => r.check === "restore-drill-last");
        assert.equal(last?.result, "pass", last?.detail);
        assert.match(last?.detail ?? "", /^passed \d+ min ago on bulwark-/);
    });

    it("DB-01: fails db-app-login when the server no longer takes the application's password (a kept volume after destroy + up)", async function () {
        this.timeout(180_000);
        const byRole = (role: string) => [...s.run.specs.values()].find((spec) => spec.body.Labels?.["bulwark.role"] === role);
        const db = byRole("database");
        const app = [...s.run.specs.values()].find((spec) => (spec.body.Env ?? []).some((e: string) => e.startsWith("DATABASE_URL=")));
        assert.ok(db && app, "the stack has a database and an app holding DATABASE_URL");
        const appUrl = new URL((app.body.Env as string[]).find((e) => e.startsWith("DATABASE_URL="))!.slice("DATABASE_URL=".length));
        const role = decodeURIComponent(appUrl.username);
        // As the superuser over the local socket; the new password comes through the exec's environment.
        const setPassword = (password: string) =>
            // psql interpolates variables only in a script, not in -c commands: the SQL comes on stdin.
            s.engine.exec(db.name, ["sh", "-c", [
                `psql --no-psqlrc -h /var/run/postgresql -U postgres -d postgres -v ON_ERROR_STOP=1 -v role=${role} <<'SQL'`,
                "\\getenv pw NEW_PASSWORD",
                "ALTER ROLE :\"role\" PASSWORD :'pw';",
                "SQL",
            ].join("\n")], { env: [`NEW_PASSWORD=${password}`] });
        const changed = await setPassword(`other-${Date.now()}-password-not-the-apps`);
        assert.equal(changed.exitCode, 0, changed.stderr);
        try {
            const { rows } = await runVerify({ engine: s.engine, stack: s.stackName });
            const login = rows.find((r) => r.check === "db-app-login");
            assert.equal(login?.result, "fail", login?.detail);
            assert.match(login?.detail ?? "", /password authentication failed/);
            assert.doesNotMatch(login?.detail ?? "", new RegExp(decodeURIComponent(appUrl.password)), "the password stays out of the report");
        } finally {
            const restored = await setPassword(decodeURIComponent(appUrl.password));
            assert.equal(restored.exitCode, 0, restored.stderr);
        }
        const { rows } = await runVerify({ engine: s.engine, stack: s.stackName });
        assert.equal(rows.find((r) => r.check === "db-app-login")?.result, "pass");
    });

    /**
     * Runs `check` while a copy of the stack's frontend, changed by `change`, runs beside it as part of the stack
     * (its labels, service `service`, no network alias so the proxy keeps using the real one); removed after.
     */
    async function withFrontendCopy(
        service: string,
        change: (body: ContainerCreateBody) => ContainerCreateBody,
        check: (copy: string, frontend: string) => Promise<void> | void,
    ): Promise<void> {
        const frontend = s.run.specs.get("app-frontend");
        assert.ok(frontend, "no app-frontend spec to copy");
        const name = `${s.stackName}-${service}`;
        const body = change(frontend.body);
        await s.run.create(name, {
            ...body,
            Labels: { ...frontend.body.Labels, "bulwark.service": service },
            NetworkingConfig: { EndpointsConfig: { [frontend.body.HostConfig.NetworkMode as string]: {} } },
        });
        try {
            await s.run.waitHealthy(name, frontend.wait.timeoutSeconds);
            await check(name, frontend.name);
        } finally {
            await s.engine.request("DELETE", `/containers/${name}`, undefined, { force: true }).catch(() => undefined);
        }
    }

    /** The verify CLI exits 1 and fails exactly `expected` (check and target), all under `controls`; returns the report. */
    function assertFailsExactly(expected: readonly { check: string; target: string }[], controls: readonly string[]): Report {
        const { status, report, stderr } = verifyCli(s.stackName);
        assert.equal(status, 1, `verify exit code; stderr:\n${stderr}`);
        assert.equal(report.passed, false);
        const failed = failing(report.rows);
        const byTarget = (a: { target: string }, b: { target: string }) => a.target.localeCompare(b.target);
        assert.deepEqual(
            failed.map((r) => ({ check: r.check, target: r.target, controls: r.controls })).sort(byTarget),
            expected.map((e) => ({ ...e, controls })).sort(byTarget),
            describeRows(failed),
        );
        return report;
    }

    it("fails exactly the read-only row of a stack container started without --read-only (CLI, --json, exit 1)", async function () {
        this.timeout(240_000);
        await withFrontendCopy(
            "tampered",
            (body) => {
                const own = ownUid(body, 10302);
                return { ...own, HostConfig: { ...own.HostConfig, ReadonlyRootfs: false } };
            },
            (copy) => {
                const report = assertFailsExactly([{ check: "read-only-root", target: copy }], ["CON-06"]);
                assert.ok(report.rows.filter((r) => r.target === copy).length > 5, "the tampered container was audited like the others");
            },
        );
    });

    it("CON-07: fails exactly the seccomp-profile row of a stack container started with --security-opt seccomp=unconfined (CLI, --json, exit 1)", async function () {
        this.timeout(240_000);
        await withFrontendCopy(
            "unconfined",
            (body) => {
                const own = ownUid(body, 10303);
                return { ...own, HostConfig: { ...own.HostConfig, SecurityOpt: [...((body.HostConfig.SecurityOpt as string[] | undefined) ?? []), "seccomp=unconfined"] } };
            },
            (copy, frontend) => {
                const report = assertFailsExactly([{ check: "seccomp-profile", target: copy }], ["CON-07"]);
                assert.match(failing(report.rows)[0].detail, /seccomp=unconfined/);
                // The real containers run the engine's default profile, and the kernel shows PID 1 filtered.
                const real = report.rows.find((r) => r.check === "seccomp-profile" && r.target === frontend);
                assert.equal(real?.result, "pass", real?.detail);
                assert.match(real?.detail ?? "", /^docker default/);
                assert.ok(report.rows.filter((r) => r.target === copy).length > 5, "the unconfined container was audited like the others");
            },
        );
    });

    it("CON-08: fails exactly the process-count-bound rows of two stack containers on one uid, and of a host process under it (CLI, --json, exit 1)", async function () {
        this.timeout(240_000);
        const frontend = s.run.specs.get("app-frontend");
        assert.ok(frontend, "no app-frontend spec to copy");
        const uid = (frontend.body.User ?? "").split(":")[0];
        await withFrontendCopy(
            "same-uid",
            (body) => body,
            (copy) => {
                const report = assertFailsExactly([frontend.name, copy].map((target) => ({ check: "process-count-bound", target })), ["CON-08"]);
                const detail = failing(report.rows).find((r) => r.target === copy)?.detail ?? "";
                assert.match(detail, new RegExp(`uid ${uid} is also ${frontend.name}'s: they share one nproc budget`));
            },
        );
        // A host process under the frontend's uid, outside any container, counts against its budget too.
        // A child of this process (setpriv execs sleep), so that it is killed and reaped here: a zombie still counts.
        const sleeper = spawn("setpriv", ["--reuid", uid, "--regid", uid, "--clear-groups", "sleep", "60"], { stdio: "ignore" });
        const exited = new Promise((resolve) => sleeper.once("exit", resolve));
        try {
            await new Promise((resolve, reject) => sleeper.once("spawn", resolve).once("error", reject));
            // setpriv changes uid, then execs sleep: wait until the kernel shows the process under the uid.
            for (let i = 0; i < 50 && !fs.readFileSync(`/proc/${sleeper.pid}/status`, "utf8").match(new RegExp(`^Uid:\\s*${uid}\\b`, "m")); i++) {
                await new Promise((r) => setTimeout(r, 100));
            }
            const { rows } = await runVerify({ engine: s.engine, stack: s.stackName });
            const bound = rows.find((r) => r.check === "process-count-bound" && r.target === frontend.name);
            assert.equal(bound?.result, "fail", bound?.detail);
            assert.match(bound?.detail ?? "", new RegExp(`host process\\(es\\) outside the container run as uid ${uid} \\(pids ${sleeper.pid}\\)`));
        } finally {
            sleeper.kill();
            await exited;
        }
        const { rows } = await runVerify({ engine: s.engine, stack: s.stackName });
        assert.equal(rows.find((r) => r.check === "process-count-bound" && r.target === frontend.name)?.result, "pass");
    });
});
