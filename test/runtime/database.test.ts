// images/postgres's entrypoint on the real engine (DB-01, DB-02, DB-03, issue 9 B5, issue 13):
// - a kept data volume under a new deployment: the stack's current passwords apply at every start, the
//   old ones stop working, and a cluster made before the backup role existed gets it;
// - pg_hba admits the application's roles to the application's database from the data network, and
//   nothing else (another database, another role);
// - a multi-line value that would become a pg_hba line or SQL is refused before anything is created.
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { DATABASE_BACKUP_USER, DATABASE_NAME, DATABASE_USER, POSTGRES_SETTINGS } from "../../infra/components/database";
import { IMAGE_USERS } from "../../infra/components/images";
import { buildImage, docker, exec, logs, Result, Sandbox, waitFor } from "../../tools/runtime/backup";

const password = () => crypto.randomBytes(24).toString("base64url");

describe("postgres entrypoint (real engine)", function () {
    this.timeout(600_000);
    const box = new Sandbox();
    let image: string;
    let network: string;
    let subnet: string;
    let client: string;

    /** A database container as infra/components/database.ts runs it, on `volume`. */
    function runDatabase(what: string, volume: string, env: Record<string, string>): string {
        return box.run({
            name: box.name(what),
            image,
            user: IMAGE_USERS.postgres,
            network,
            aliases: ["database"],
            memoryMb: 512,
            maxProcesses: 512,
            volumes: [{ source: volume, target: "/var/lib/postgresql/data" }],
            tmpfs: [{ path: "/var/run/postgresql", sizeMb: 1 }, { path: "/tmp", sizeMb: 64 }],
            env: {
                PGDATA: "/var/lib/postgresql/data/pgdata",
                POSTGRES_DB: DATABASE_NAME,
                POSTGRES_USER: DATABASE_USER,
                POSTGRES_HBA_CIDR: subnet,
                POSTGRES_EXTENSIONS: "pgcrypto,pgaudit",
                ...env,
            },
            command: ["postgres", ...Object.entries(POSTGRES_SETTINGS).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
        });
    }

    /** A login over TCP from another container on the data network, as the backend or the backup job. */
    function login(user: string, pass: string, database = DATABASE_NAME): Result {
        return exec(client, ["psql", "-X", "-A", "-t", "-h", "database", "-U", user, "-d", database, "-c", "SELECT current_user"], { PGPASSWORD: pass });
    }

    /** Superuser SQL over the server's own socket (peer), as the health check connects. */
    function superuser(container: string, statements: string): Result {
        return exec(container, ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", "postgres", "-d", DATABASE_NAME], {}, statements);
    }

    async function ready(container: string): Promise<void> {
        await waitFor(`${container} to accept TCP logins`, 120_000, () => {
            if (docker(["inspect", "-f", "{{.State.Running}}", container], { allowFail: true }).stdout.trim() !== "true") {
                throw new Error(`${container} stopped:\n${logs(container)}`);
            }
            // An authentication verdict (even a rejection) means the server proper listens on TCP.
            const r = login("nobody_probe", "x");
            return r.code === 0 || /password authentication failed|pg_hba\.conf/.test(r.stderr);
        }, 500);
    }

    before(async () => {
        image = buildImage("postgres");
        network = box.network("data");
        subnet = docker(["network", "inspect", network, "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}"]).stdout.trim();
        client = box.run({ name: box.name("client"), image: buildImage("backup"), network, command: ["sleep", "infinity"] });
    });

    after(() => box.cleanup());

    describe("B5: a kept data volume under new passwords (DB-01)", () => {
        const first = { app: password(), backup: password() };
        const second = { app: password(), backup: password() };
        let volume: string;

        it("a new cluster: the application role logs in over TCP with its password", async () => {
            volume = box.volume("pgdata-kept");
            // As before the backup role existed: the next start must add it to this cluster.
            const db = runDatabase("db-first", volume, { POSTGRES_PASSWORD: first.app });
            await ready(db);
            const r = login(DATABASE_USER, first.app);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout.trim(), DATABASE_USER);
            assert.equal(superuser(db, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42); ALTER TABLE kept OWNER TO " + DATABASE_USER).code, 0);
            docker(["rm", "-f", db]);
        });

        it("the same volume, a new container with new passwords: the new ones log in, the old one fails", async () => {
            const db = runDatabase("db-second", volume, {
                POSTGRES_PASSWORD: second.app,
                POSTGRES_BACKUP_USER: DATABASE_BACKUP_USER,
                POSTGRES_BACKUP_PASSWORD: second.backup,
            });
            await ready(db);
            const now = login(DATABASE_USER, second.app);
            assert.equal(now.code, 0, `the current password must log in: ${now.stderr}`);
            const old = login(DATABASE_USER, first.app);
            assert.notEqual(old.code, 0, "the previous deployment's password must not log in");
            assert.match(old.stderr, /password authentication failed/);
            const backup = login(DATABASE_BACKUP_USER, second.backup);
            assert.equal(backup.code, 0, `the backup role is created on an existing cluster: ${backup.stderr}`);
            // The data is the kept data.
            const kept = exec(client, ["psql", "-X", "-A", "-t", "-h", "database", "-U", DATABASE_USER, "-d", DATABASE_NAME, "-c", "SELECT n FROM kept"], { PGPASSWORD: second.app });
            assert.equal(kept.stdout.trim(), "42", kept.stderr);
            // No password in the server's log or its command line.
            const text = logs(db) + docker(["inspect", "-f", "{{json .Args}}", db]).stdout;
            for (const secret of [first.app, second.app, second.backup]) {
                assert.ok(!text.includes(secret), "a password reached the log or the command line");
            }
            // The server itself does not carry them (SEC-03): the entrypoint unsets them before it execs postgres.
            const pid = exec(db, ["sh", "-c", 'head -n 1 "$PGDATA/postmaster.pid"']).stdout.trim();
            const environ = exec(db, ["cat", `/proc/${pid}/environ`]);
            assert.equal(environ.code, 0, environ.stderr);
            assert.match(environ.stdout, /PGDATA=/);
            assert.ok(!environ.stdout.includes(second.app) && !environ.stdout.includes(second.backup), "the server's environment holds a password");
            database = db;
            passwords = second;
        });
    });

    // Uses the cluster of the B5 tests, started with both roles.
    let database: string;
    let passwords: { app: string; backup: string };

    describe("pg_hba: the application's roles, to the application's database, from the data network (DB-02)", () => {
        it("admits the application role and the backup role to the application database", () => {
            assert.equal(login(DATABASE_USER, passwords.app).code, 0);
            assert.equal(login(DATABASE_BACKUP_USER, passwords.backup).code, 0);
        });

        it("rejects both roles, with their right passwords, for any other database", () => {
            for (const [user, pass] of [[DATABASE_USER, passwords.app], [DATABASE_BACKUP_USER, passwords.backup]]) {
                for (const other of ["postgres", "template1"]) {
                    const r = login(user, pass, other);
                    assert.notEqual(r.code, 0, `${user} reached database ${other}`);
                    assert.match(r.stderr, /pg_hba\.conf rejects connection/, r.stderr);
                }
            }
        });

        it("rejects a role the stack does not declare, even with a valid password and CONNECT on the database", () => {
            const other = password();
            const made = superuser(database, `CREATE ROLE intruder LOGIN PASSWORD '${other}'; GRANT CONNECT ON DATABASE ${DATABASE_NAME} TO intruder;`);
            assert.equal(made.code, 0, made.stderr);
            const r = login("intruder", other);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /pg_hba\.conf rejects connection .*user "intruder"/, r.stderr);
        });
    });

    describe("the backup role is read-only (DB-03, BAK-06)", () => {
        const asBackup = (statements: string) =>
            exec(client, ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "database", "-U", DATABASE_BACKUP_USER, "-d", DATABASE_NAME], { PGPASSWORD: passwords.backup }, statements);

        it("reads every table of the application, owns none", () => {
            const r = asBackup("SELECT n FROM kept; SELECT count(*) FROM pg_tables WHERE tableowner = current_user;");
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(r.stdout.trim().split("\n"), ["42", "0"]);
        });

        it("cannot write or change the schema, even in a read-write transaction", () => {
            for (const statement of ["INSERT INTO kept VALUES (1)", "BEGIN READ WRITE; INSERT INTO kept VALUES (1); COMMIT", "BEGIN READ WRITE; CREATE TABLE planted (x int); COMMIT", "BEGIN READ WRITE; DROP TABLE kept; COMMIT"]) {
                const r = asBackup(statement);
                assert.notEqual(r.code, 0, `the backup role ran: ${statement}`);
                assert.match(r.stderr, /read-only transaction|permission denied|must be owner/, r.stderr);
            }
        });
    });

    describe("multi-line values are refused before anything is created (issue 13, Low)", () => {
        // `postgres --version` after the entrypoint: a value it accepts initializes a cluster and exits 0,
        // so a missing check shows as success instead of hanging on a running server.
        function entrypoint(env: Record<string, string>): Result {
            const [uid, gid] = IMAGE_USERS.postgres.split(":");
            const all: Record<string, string> = {
                PGDATA: "/var/lib/postgresql/data/pgdata",
                POSTGRES_DB: DATABASE_NAME,
                POSTGRES_USER: DATABASE_USER,
                POSTGRES_PASSWORD: password(),
                POSTGRES_BACKUP_USER: DATABASE_BACKUP_USER,
                POSTGRES_BACKUP_PASSWORD: password(),
                POSTGRES_HBA_CIDR: subnet,
                POSTGRES_EXTENSIONS: "pgcrypto",
                ...env,
            };
            return docker(
                [
                    "run", "--rm", "--label", `bulwark.test=${box.id}`, "--user", IMAGE_USERS.postgres, "--read-only", "--cap-drop", "ALL",
                    "--security-opt", "no-new-privileges:true", "--network", "none",
                    "--tmpfs", `/var/lib/postgresql/data:rw,size=256m,uid=${uid},gid=${gid},mode=0700`,
                    "--tmpfs", `/var/run/postgresql:rw,size=1m,uid=${uid},gid=${gid},mode=0700`,
                    "--tmpfs", `/tmp:rw,size=64m,uid=${uid},gid=${gid},mode=0700`,
                    ...Object.keys(all).flatMap((k) => ["-e", k]),
                    image, "postgres", "--version",
                ],
                { env: all, allowFail: true },
            );
        }

        it("accepts the stack's values (the control case)", () => {
            const r = entrypoint({});
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /PostgreSQL\) 15\./);
        });

        const cases: Record<string, string> = {
            POSTGRES_HBA_CIDR: "0.0.0.0/0 trust\n172.29.10.0/24",
            POSTGRES_DB: "all all 0.0.0.0/0 trust\nbulwark",
            POSTGRES_USER: "bulwark\nintruder",
            POSTGRES_BACKUP_USER: "bulwark_backup\nintruder",
            POSTGRES_EXTENSIONS: "pgcrypto\nplpython3u",
            POSTGRES_PASSWORD: "a-long-enough-password\nsecond-line",
        };
        for (const [key, value] of Object.entries(cases)) {
            it(`refuses a multi-line ${key}, naming it`, () => {
                const r = entrypoint({ [key]: value });
                assert.notEqual(r.code, 0, `accepted: ${r.stderr}`);
                assert.match(r.stderr, new RegExp(`${key} must be a single line`), r.stderr);
                assert.doesNotMatch(r.stderr, /initializing a new cluster/);
            });
        }
    });
});
