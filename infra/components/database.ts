// PostgreSQL (DB-01..DB-07): built from images/postgres, data on a named volume, reachable only on the
// internal data network, no published port. Its settings are passed on the command line so that they are
// visible to review and to the tests, and cannot be lost in an image's config file.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, LABELS } from "bulwark-vocabulary";
import { HardenedContainer, LogRotation, ServiceResources } from "../hardening";
import { IMAGE_USERS } from "./images";

export const DATABASE_NAME = "bulwark";
export const DATABASE_USER = "bulwark";
/** The backup job's read-only role (pg_read_all_data); it owns nothing and cannot write (DB-03, BAK-06). */
export const DATABASE_BACKUP_USER = "bulwark_backup";
export const DATABASE_PORT = 5432;
export const DATABASE_HOST = "database";

/** Server settings, in `-c name=value` form. */
export const POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
    password_encryption: "scram-sha-256", // DB-01
    log_connections: "on", // DB-04, LOG-01
    log_disconnections: "on", // DB-04
    shared_preload_libraries: "pgaudit", // LOG-02, CMP-05
    "pgaudit.log": "write,ddl",
    "pgaudit.log_parameter": "off", // keeps secrets written by the app out of the log
    log_line_prefix: "%m [%p] %q%u@%d from %h ",
    listen_addresses: "*",
};

export interface DatabaseArgs {
    readonly stack: string;
    readonly image: pulumi.Input<string>;
    readonly dataNetwork: docker.Network;
    /** pg_hba admits password logins from this CIDR only (DB-02). */
    readonly dataSubnet: pulumi.Input<string>;
    readonly password: pulumi.Output<string>;
    /** The password of DATABASE_BACKUP_USER, the backup job's read-only role. */
    readonly backupPassword: pulumi.Output<string>;
    readonly resources: ServiceResources;
    readonly logRotation: LogRotation;
    /** Prod: refuse to replace or destroy the data volume until someone unprotects it on purpose. */
    readonly protectData: boolean;
}

export class Database extends pulumi.ComponentResource {
    readonly volume: docker.Volume;
    readonly container: docker.Container;
    readonly host = DATABASE_HOST;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.database, name, {}, opts);
        // Never deleted with the stack: a destroy leaves the volume on the host, and prod refuses outright.
        this.volume = new docker.Volume(
            `${name}-data`,
            { name: `${args.stack}-pgdata`, labels: [{ label: LABELS.stack, value: args.stack }] },
            { parent: this, protect: args.protectData, retainOnDelete: true },
        );
        this.container = new HardenedContainer(
            name,
            {
                profile: {
                    stack: args.stack,
                    service: "database",
                    role: "database",
                    image: args.image,
                    user: IMAGE_USERS.postgres,
                    resources: args.resources,
                    logRotation: args.logRotation,
                    networks: [{ network: args.dataNetwork, aliases: [DATABASE_HOST] }],
                    volumes: [{ volume: this.volume, path: "/var/lib/postgresql/data", readOnly: false }],
                    tmpfs: [
                        { path: "/var/run/postgresql", sizeMb: 1, mode: "0700" },
                        { path: "/tmp", sizeMb: 64, mode: "0700" },
                    ],
                    command: ["postgres", ...Object.entries(POSTGRES_SETTINGS).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
                    env: {
                        PGDATA: "/var/lib/postgresql/data/pgdata",
                        POSTGRES_DB: DATABASE_NAME,
                        POSTGRES_USER: DATABASE_USER,
                        POSTGRES_PASSWORD: args.password,
                        // Applied at every start, with the owner's: a kept volume follows the stack's secrets.
                        POSTGRES_BACKUP_USER: DATABASE_BACKUP_USER,
                        POSTGRES_BACKUP_PASSWORD: args.backupPassword,
                        POSTGRES_HBA_CIDR: args.dataSubnet,
                        POSTGRES_EXTENSIONS: "pgcrypto,pgaudit", // DB-07
                    },
                    healthCheck: { command: ["/usr/local/bin/healthcheck"], startPeriodSeconds: 60 },
                    maxProcesses: 512,
                    // shm counts against the memory limit; a quarter leaves room for shared_buffers and work_mem.
                    sharedMemoryMb: Math.max(64, Math.floor(args.resources.memoryMb / 4)),
                    controls: ["DB-01", "DB-02", "DB-03", "DB-04", "DB-07", "LOG-02", "NET-02", "CMP-05"],
                },
            },
            { parent: this },
        ).container;
        this.registerOutputs({ volume: this.volume.name });
    }
}
