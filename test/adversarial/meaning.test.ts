// Adversarial class "meaning": changes that keep the letter of a rule and break its meaning. A secret written as
// a literal (strong or weak), computed in code, or read from a host file; Postgres authentication switched off
// however it is spelled; production said another way with force-SSL off; an image from an untrusted repository of
// a trusted registry; a built image whose Dockerfile FROM is unpinned. Generated from lists of names and spellings.
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { compliantStack, Service } from "../fixtures/lib/compliant-stack";
import { Attack, describeAttacks } from "./harness";

/** The secrets the program passes, each on the container that holds it in the compliant stack. */
const SECRETS: readonly [string, Service][] = [
    ["SECRET_KEY_BASE", "backend"],
    ["JWT_SECRET", "backend"],
    ["GOOGLE_CLIENT_SECRET", "backend"],
    ["POSTGRES_PASSWORD", "database"],
    ["PGPASSWORD", "backup"],
    ["AWS_SECRET_ACCESS_KEY", "backup"],
    ["BACKUP_AGE_IDENTITY", "backup"],
    ["TLS_PRIVATE_KEY_PEM", "proxy"],
    ["RAILS_MASTER_KEY", "backend"],
    ["SMTP_PASS", "backend"],
];

/** Ways to give a secret variable its value without a generator or secret config. */
const SOURCES: readonly [string, (name: string) => Record<string, pulumi.Input<string>>][] = [
    ["a strong literal", (name) => ({ [name]: randomBytes(64).toString("hex") })],
    ["a weak literal", (name) => ({ [name]: "hunter2" })],
    ["a value computed in code (not random)", (name) => ({ [name]: pulumi.output(name).apply((n) => createHash("sha512").update(n).digest("hex")) })],
    ["a *_FILE pointing at a host file", (name) => ({ [`${name}_FILE`]: "/etc/shadow" })],
];

const secretAttacks: Attack[] = SECRETS.flatMap(([name, service]) =>
    SOURCES.map(([how, value]) => ({
        name: `${name} on the ${service} from ${how}`,
        blame: service,
        program: () => compliantStack({ env: { [service]: value(name) } }),
    })),
);

const urlAttack: Attack = {
    name: "DATABASE_URL with a strong literal password",
    blame: "backend",
    program: () => compliantStack({ env: { backend: { DATABASE_URL: `postgres://app:${randomBytes(32).toString("hex")}@database:5432/app` } } }),
};

/** Postgres authentication weakened, on the database and on a container that is not labelled one. */
const TRUST_SPELLINGS: readonly Record<string, string>[] = [
    ...["trust", "TRUST", "Trust", "password", "md5"].map((m) => ({ POSTGRES_HOST_AUTH_METHOD: m })),
    ...["--auth=trust", "--auth-host=trust", "-A trust", "--auth-host=md5"].map((a) => ({ POSTGRES_INITDB_ARGS: a })),
];
const COMMANDS: readonly string[][] = [
    ["postgres", "-c", "password_encryption=md5"],
    ["postgres", "--password-encryption=md5"],
    ["postgres", "-c", "hba_file=/tmp/pg_hba.conf"],
    ["sh", "-c", "exec postgres -c hba_file=/tmp/hba"],
];
const trustAttacks: Attack[] = [
    ...(["database", "backend"] as const).flatMap((service) =>
        TRUST_SPELLINGS.map((env) => ({
            name: `${Object.entries(env)[0].join("=")} on the ${service}`,
            blame: service,
            program: () => compliantStack({ env: { [service]: env } }),
        })),
    ),
    ...COMMANDS.map((command) => ({
        name: `the database command ${command.join(" ")}`,
        blame: "database",
        program: () => compliantStack({ container: { database: { command } } }),
    })),
];

/** Production said another way, with force-SSL off or absent. */
const PRODUCTION: readonly Record<string, string | undefined>[] = [
    { RAILS_ENV: undefined, RACK_ENV: "production" },
    { RAILS_ENV: "Production" },
    { RAILS_ENV: " production" },
    { RAILS_ENV: "PRODUCTION" },
    { RAILS_ENV: undefined, APP_ENV: "production" },
    { RAILS_ENV: "development", RACK_ENV: "production" },
];
const productionAttacks: Attack[] = PRODUCTION.flatMap((env) =>
    [{ RAILS_FORCE_SSL: "false" }, { RAILS_FORCE_SSL: undefined }].map((ssl) => ({
        name: `${JSON.stringify(env)} with RAILS_FORCE_SSL ${ssl.RAILS_FORCE_SSL ?? "absent"}`,
        blame: "backend",
        program: () => compliantStack({ env: { backend: { ...env, ...ssl } } }),
    })),
);

const DIGEST = "sha256:9f2b5c7e41d8a3f0c6e1b4d7a2f5c8e0b3d6a9f1c4e7b0d3a6f9c2e5b8d1a4f7";
const imageAttacks: Attack[] = [
    `ghcr.io/attacker/bulwark-backend@${DIGEST}`,
    `ghcr.io/example/bulwark-backend-evil@${DIGEST}`,
    `docker.io/someone/postgres@${DIGEST}`,
    `postgres@${DIGEST}`,
    `bulwark/evil@${DIGEST}`,
].map((image) => ({ name: `the backend runs ${image.split("@")[0]}`, blame: "backend", program: () => compliantStack({ container: { backend: { image } } }) }));

/** A built image whose Dockerfile has an unpinned FROM, written to a temp build context. */
const UNPINNED_DOCKERFILES: readonly string[] = [
    "FROM debian:bookworm-slim\n",
    "FROM --platform=linux/amd64 debian:bookworm\n",
    `FROM debian:bookworm-slim@${DIGEST} AS build\nFROM alpine:3.20\n`,
    "ARG BASE_IMAGE=debian:bookworm\nFROM ${BASE_IMAGE}\n",
    `FROM ghcr.io/attacker/debian@${DIGEST}\n`,
];
const buildAttacks: Attack[] = UNPINNED_DOCKERFILES.map((text, i) => ({
    name: `a built image FROM ${text.split("\n").filter((l) => l.startsWith("FROM")).pop()}`,
    blame: "backend-image",
    program: () => {
        const context = fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-meaning-${i}-`));
        fs.writeFileSync(path.join(context, "Dockerfile"), text);
        const built = new docker.Image("backend-image", { imageName: "bulwark/backend:dev", build: { context }, skipPush: true, buildOnPreview: false });
        compliantStack({ container: { backend: { image: built.repoDigest } } });
    },
}));

describeAttacks("meaning: secrets by meaning", [...secretAttacks, urlAttack]);
describeAttacks("meaning: Postgres trust authentication", trustAttacks);
describeAttacks("meaning: production however it is said", productionAttacks);
describeAttacks("meaning: trusted repositories and built images", [...imageAttacks, ...buildAttacks]);
