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
import { buildImage, docker, exec, logs, Result, Sandbox, waitFor } from "./backup/harness";

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
        });
    });
});
