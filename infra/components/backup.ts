// Backups (DB-03, BAK-01..BAK-07): three containers from the backup image, each holding only what its job
// needs.
// - backup: on the data network with the password of its own read-only database role (not the owner's) and
//   the age *recipient*; it can write new encrypted backups but cannot read any of them.
// - restore-drill: no network at all, the age *identity*, the backup volume read-only; restores the newest
//   backup into a throwaway server inside itself and records the result. With a generated key (dev) it also
//   keeps every identity it was given in its own retained volume (the keyring), because the key goes with the
//   stack's state on `pulumi destroy` while the backups stay.
// - offsite-uploader (when enabled): on the egress network only, with the put-only AWS identity and the
//   backup volume read-only; it never sees the database.
// Each runs as a uid of its own (BACKUP_USERS), so each has its own nproc limit; the drill and the uploader
// read the backups through the job's group, and each owns only its own volume.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { AGE_IDENTITIES_CONTENTS, COMPONENT_TYPES, LABELS, VOLUME_CONTENTS_LABEL } from "bulwark-vocabulary";
import { BackupRetention } from "../config";
import { HardenedContainer, LogRotation, ServiceProfile, ServiceResources, VolumeMount } from "../hardening";
import { DATABASE_BACKUP_USER, DATABASE_NAME, DATABASE_PORT } from "./database";
import { BACKUP_USERS } from "./images";

export const BACKUP_DIR = "/backups";
export const DRILL_REPORT_DIR = "/var/lib/bulwark/drill";
/** The drill's keyring (generated keys only): every identity the drill was ever given, one per line. */
export const DRILL_KEYRING_DIR = "/var/lib/bulwark/keys";
/** The keyring's volume, `<stack>-drill-keys`. */
export const drillKeysVolumeName = (stack: string): string => `${stack}-drill-keys`;
/** Where the drill's throwaway server keeps its data, on the `<stack>-drill-scratch` volume. */
export const DRILL_SCRATCH_DIR = "/var/lib/bulwark/scratch";
export const drillScratchVolumeName = (stack: string): string => `${stack}-drill-scratch`;

export interface OffsiteTarget {
    readonly bucket: pulumi.Input<string>;
    readonly region: string;
    readonly accessKeyId: pulumi.Input<string>;
    readonly secretAccessKey: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
}

export interface BackupArgs {
    readonly stack: string;
    readonly image: pulumi.Input<string>;
    readonly dataNetwork: docker.Network;
    readonly egressNetwork?: docker.Network;
    readonly databaseHost: string;
    /** The password of DATABASE_BACKUP_USER, the read-only role pg_dump runs as. */
    readonly databaseBackupPassword: pulumi.Output<string>;
    readonly ageRecipient: pulumi.Input<string>;
    readonly ageIdentity: pulumi.Output<string>;
    /**
     * Keep the drill's identities in a retained volume: for a generated key, which a destroy and up replace.
     * A key from config (prod) is the operator's to keep, and a keyring would only be another copy of it.
     */
    readonly drillKeyring: boolean;
    readonly schedule: string;
    readonly drillSchedule: string;
    readonly retention: BackupRetention;
    readonly offsite?: OffsiteTarget;
    /** Secret: passed to curl on its stdin, never its command line. */
    readonly alertWebhookUrl?: pulumi.Output<string>;
    /** An operator-mounted host directory on a filesystem of its own for the backups (bulwark:backupVolumeHostPath). */
    readonly volumeHostPath?: string;
    readonly resources: ServiceResources;
    /** The restore drill's (resources.drill). */
    readonly drillResources: ServiceResources;
    readonly logRotation: LogRotation;
    readonly protectData: boolean;
}

export class Backup extends pulumi.ComponentResource {
    readonly volume: docker.Volume;
    readonly drillReports: docker.Volume;
    /** The drill's keyring, when the key is generated. */
    readonly drillKeys?: docker.Volume;
    /** The drill's scratch space: emptied by every drill, so neither protected nor kept on destroy. */
    readonly drillScratch: docker.Volume;
    readonly job: docker.Container;
    readonly drill: docker.Container;
    readonly uploader?: docker.Container;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.backup, name, {}, opts);
        const volume = (suffix: string, volumeName: string, labels: docker.types.input.VolumeLabel[] = []) =>
            new docker.Volume(
                `${name}-${suffix}`,
                { name: volumeName, labels: [{ label: LABELS.stack, value: args.stack }, ...labels] },
                { parent: this, protect: args.protectData, retainOnDelete: true },
            );
        // On its own size-limited filesystem when the operator gives one: a local bind volume (the local
        // driver of Docker 20.10 has no size quota, and a tmpfs would not survive a reboot). A full backup disk
        // then cannot stop the database, and backup-now's free-space check sees the real headroom.
        this.volume = args.volumeHostPath
            ? new docker.Volume(
                  `${name}-volume`,
                  {
                      name: `${args.stack}-backups`,
                      labels: [{ label: LABELS.stack, value: args.stack }],
                      driver: "local",
                      driverOpts: { type: "none", o: "bind", device: args.volumeHostPath },
                  },
                  { parent: this, protect: args.protectData, retainOnDelete: true },
              )
            : volume("volume", `${args.stack}-backups`);
        this.drillReports = volume("drill-reports", `${args.stack}-drill-reports`);
        this.drillScratch = new docker.Volume(
            `${name}-drill-scratch`,
            { name: drillScratchVolumeName(args.stack), labels: [{ label: LABELS.stack, value: args.stack }] },
            { parent: this },
        );
        // Mounted in the drill alone: the keyring holds every past identity, so any other holder could read
        // every backup (BAK-01). The label lets the policy pack hold the stack to that.
        this.drillKeys = args.drillKeyring
            ? volume("drill-keys", drillKeysVolumeName(args.stack), [{ label: VOLUME_CONTENTS_LABEL, value: AGE_IDENTITIES_CONTENTS }])
            : undefined;
        const keyring: { volumes: VolumeMount[]; env: Record<string, string> } = this.drillKeys
            ? {
                  volumes: [{ volume: this.drillKeys, path: DRILL_KEYRING_DIR, readOnly: false }],
                  env: { DRILL_KEYRING_DIR, DRILL_KEYRING_VOLUME: drillKeysVolumeName(args.stack) },
              }
            : { volumes: [], env: {} };

        // Each container's user is its own (BACKUP_USERS): one uid each, so each has its own nproc limit.
        const common: Pick<ServiceProfile, "stack" | "image" | "resources" | "logRotation"> = {
            stack: args.stack,
            image: args.image,
            resources: args.resources,
            logRotation: args.logRotation,
        };
        const alert: Record<string, pulumi.Input<string>> = args.alertWebhookUrl ? { ALERT_WEBHOOK_URL: args.alertWebhookUrl } : {};

        this.job = new HardenedContainer(
            `${name}-job`,
            {
                profile: {
                    ...common,
                    user: BACKUP_USERS.job,
                    service: "backup",
                    role: "backup",
                    networks: [{ network: args.dataNetwork, aliases: ["backup"] }],
                    volumes: [{ volume: this.volume, path: BACKUP_DIR, readOnly: false }],
                    tmpfs: [{ path: "/tmp", sizeMb: 64, mode: "0700" }],
                    command: ["backup-scheduler"],
                    env: {
                        PGHOST: args.databaseHost,
                        PGPORT: `${DATABASE_PORT}`,
                        PGDATABASE: DATABASE_NAME,
                        PGUSER: DATABASE_BACKUP_USER,
                        PGPASSWORD: args.databaseBackupPassword,
                        BACKUP_DIR,
                        BACKUP_AGE_RECIPIENT: args.ageRecipient,
                        BACKUP_SCHEDULE: args.schedule,
                        BACKUP_KEEP_DAILY: `${args.retention.daily}`,
                        BACKUP_KEEP_WEEKLY: `${args.retention.weekly}`,
                        BACKUP_KEEP_MONTHLY: `${args.retention.monthly}`,
                        ...alert,
                    },
                    healthCheck: { command: ["/usr/local/bin/healthcheck", "backup"], intervalSeconds: 60 },
                    controls: ["DB-03", "BAK-01", "BAK-04", "BAK-06", "CMP-01"],
                },
            },
            { parent: this },
        ).container;

        this.drill = new HardenedContainer(
            `${name}-drill`,
            {
                profile: {
                    ...common,
                    resources: args.drillResources,
                    user: BACKUP_USERS.drill,
                    service: "restore-drill",
                    role: "backup-drill",
                    networks: [],
                    volumes: [
                        { volume: this.volume, path: BACKUP_DIR, readOnly: true },
                        { volume: this.drillReports, path: DRILL_REPORT_DIR, readOnly: false },
                        // The throwaway server's data: on disk, so that the drill's memory does not grow with
                        // the database (a tmpfs sized to the data did, issue 10). Each drill empties it.
                        { volume: this.drillScratch, path: DRILL_SCRATCH_DIR, readOnly: false },
                        ...keyring.volumes,
                    ],
                    tmpfs: [
                        { path: "/tmp", sizeMb: 64, mode: "0700" },
                        { path: "/var/run/postgresql", sizeMb: 1, mode: "0700" },
                    ],
                    command: ["restore-drill-scheduler"],
                    env: {
                        BACKUP_DIR,
                        DRILL_REPORT_DIR,
                        // Volume names, for the message that tells an operator how to hand an older
                        // deployment's volume (uid 10501's) to this container's uid.
                        DRILL_REPORT_VOLUME: `${args.stack}-drill-reports`,
                        DRILL_SCHEDULE: args.drillSchedule,
                        BACKUP_AGE_IDENTITY: args.ageIdentity,
                        ...keyring.env,
                        ...alert,
                    },
                    healthCheck: { command: ["/usr/local/bin/healthcheck", "drill"], intervalSeconds: 60 },
                    maxProcesses: 512,
                    controls: ["BAK-03"],
                },
            },
            { parent: this },
        ).container;

        if (args.offsite) {
            if (!args.egressNetwork) {
                throw new Error("the off-site uploader needs the egress network");
            }
            const uploadState = volume("upload-state", `${args.stack}-upload-state`);
            this.uploader = new HardenedContainer(
                `${name}-uploader`,
                {
                    profile: {
                        ...common,
                        user: BACKUP_USERS.uploader,
                        service: "offsite-uploader",
                        role: "backup-uploader",
                        networks: [{ network: args.egressNetwork, aliases: [] }],
                        volumes: [
                            { volume: this.volume, path: BACKUP_DIR, readOnly: true },
                            { volume: uploadState, path: "/var/lib/bulwark/upload", readOnly: false },
                        ],
                        tmpfs: [{ path: "/tmp", sizeMb: 64, mode: "0700" }],
                        command: ["offsite-uploader"],
                        env: {
                            BACKUP_DIR,
                            UPLOAD_STATE_DIR: "/var/lib/bulwark/upload",
                            UPLOAD_STATE_VOLUME: `${args.stack}-upload-state`,
                            S3_BUCKET: args.offsite.bucket,
                            S3_KMS_KEY_ARN: args.offsite.kmsKeyArn,
                            AWS_REGION: args.offsite.region,
                            AWS_ACCESS_KEY_ID: args.offsite.accessKeyId,
                            AWS_SECRET_ACCESS_KEY: args.offsite.secretAccessKey,
                            ...alert,
                        },
                        healthCheck: { command: ["/usr/local/bin/healthcheck", "upload"], intervalSeconds: 60 },
                        controls: ["BAK-02", "BAK-06"],
                    },
                },
                { parent: this },
            ).container;
        }
        this.registerOutputs({ volume: this.volume.name, drillReports: this.drillReports.name, drillKeys: this.drillKeys?.name });
    }
}
