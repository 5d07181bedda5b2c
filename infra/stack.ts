// The whole stack as one component: networks, images, secrets, database, backups, app, proxy and, when
// enabled, the off-site bucket. Its children are the architecture picture in the README, in code.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, ROLE_PLACEMENT } from "bulwark-vocabulary";
import { BulwarkConfig, publicOrigin } from "./config";
import { App } from "./components/app";
import { Backup } from "./components/backup";
import { Database, DATABASE_NAME, DATABASE_PORT, DATABASE_USER } from "./components/database";
import { BuiltImageName, StackImages } from "./components/images";
import { StackNetworks } from "./components/networks";
import { OffsiteBackup } from "./components/offsite";
import { Proxy } from "./components/proxy";
import { StackSecrets } from "./components/secrets";

export interface BulwarkStackArgs {
    readonly config: BulwarkConfig;
}

export class BulwarkStack extends pulumi.ComponentResource {
    readonly url: string;
    readonly networks: StackNetworks;
    readonly secrets: StackSecrets;
    readonly database: Database;
    readonly backup: Backup;
    readonly app: App;
    readonly proxy: Proxy;
    readonly offsite?: OffsiteBackup;

    constructor(name: string, args: BulwarkStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.stack, name, {}, opts);
        const c = args.config;
        const parent = { parent: this };
        const logRotation = c.logRotation;
        const protectData = c.environment === "prod";

        this.networks = new StackNetworks("networks", { stack: c.stack, dataSubnet: c.dataSubnet, egress: c.offsiteBackup.enabled }, parent);

        // The demo stand-ins are built only when no application image is configured (dev).
        // Each role's image is built from its own folder (ROLE_PLACEMENT), which is how the pack tells the roles apart.
        const [databaseImage, proxyImage, backupImage] = [ROLE_PLACEMENT.database, ROLE_PLACEMENT["edge-proxy"], ROLE_PLACEMENT.backup].map((r) => r.imageFolders[0]);
        const [demoBackend, demoFrontend] = ROLE_PLACEMENT.app.imageFolders;
        const imageNames: BuiltImageName[] = [databaseImage, proxyImage, backupImage];
        if (!c.backendImage) imageNames.push(demoBackend);
        if (!c.frontendImage) imageNames.push(demoFrontend);
        const images = new StackImages("images", { stack: c.stack, baseImage: c.baseImage, names: imageNames }, parent);

        this.secrets = new StackSecrets("secrets", { backupAge: c.backupAge }, parent);

        this.database = new Database(
            "database",
            {
                stack: c.stack,
                image: images.ref(databaseImage),
                dataNetwork: this.networks.data,
                dataSubnet: this.networks.dataSubnet,
                password: this.secrets.databasePassword,
                backupPassword: this.secrets.databaseBackupPassword,
                resources: c.resources.database,
                logRotation,
                protectData,
            },
            parent,
        );

        this.offsite = c.offsiteBackup.enabled
            ? new OffsiteBackup("offsite", { stack: c.stack, config: c.offsiteBackup, retention: c.backupRetention }, parent)
            : undefined;

        this.backup = new Backup(
            "backup",
            {
                stack: c.stack,
                image: images.ref(backupImage),
                dataNetwork: this.networks.data,
                egressNetwork: this.networks.egress,
                databaseHost: this.database.host,
                databaseBackupPassword: this.secrets.databaseBackupPassword,
                ageRecipient: this.secrets.ageRecipient,
                ageIdentity: this.secrets.ageIdentity,
                drillKeyring: "generate" in c.backupAge,
                schedule: c.backupSchedule,
                drillSchedule: c.restoreDrillSchedule,
                retention: c.backupRetention,
                offsite: this.offsite && {
                    bucket: this.offsite.bucketName,
                    region: c.offsiteBackup.region,
                    accessKeyId: this.offsite.accessKeyId,
                    secretAccessKey: this.offsite.secretAccessKey,
                    kmsKeyArn: this.offsite.kmsKey.arn,
                },
                alertWebhookUrl: c.alertWebhookUrl,
                volumeHostPath: c.backupVolumeHostPath,
                resources: c.resources.backup,
                drillResources: c.resources.drill,
                logRotation,
                protectData,
            },
            { parent: this, dependsOn: [this.database] },
        );

        this.url = publicOrigin(c.domain, c.httpsPort);
        const databaseUrl = pulumi.secret(
            pulumi.interpolate`postgres://${DATABASE_USER}:${this.secrets.databasePassword}@${this.database.host}:${DATABASE_PORT}/${DATABASE_NAME}`,
        );
        this.app = new App(
            "app",
            {
                stack: c.stack,
                backendImage: c.backendImage ?? images.ref(demoBackend),
                frontendImage: c.frontendImage ?? images.ref(demoFrontend),
                backend: c.backend,
                frontend: c.frontend,
                edgeNetwork: this.networks.edge,
                dataNetwork: this.networks.data,
                databaseUrl,
                secretKeyBase: this.secrets.secretKeyBase,
                jwtSecret: this.secrets.jwtSecret,
                googleClientSecret: c.googleClientSecret,
                corsOrigins: c.corsOrigins,
                jwtAccessTtlSeconds: c.jwtAccessTtlSeconds,
                jwtRefreshTtlSeconds: c.jwtRefreshTtlSeconds,
                publicUrl: this.url,
                resources: { backend: c.resources.backend, frontend: c.resources.frontend },
                logRotation,
            },
            { parent: this, dependsOn: [this.database] },
        );

        this.proxy = new Proxy(
            "proxy",
            {
                stack: c.stack,
                image: images.ref(proxyImage),
                edgeNetwork: this.networks.edge,
                domain: c.domain,
                url: this.url,
                httpsPort: c.httpsPort,
                httpPort: c.httpPort,
                publishAddress: c.publishAddress,
                tls: c.tls,
                backendUpstream: this.app.backendUpstream,
                frontendUpstream: this.app.frontendUpstream,
                authRateLimit: c.authRateLimit,
                requestBodyLimitMb: c.requestBodyLimitMb,
                resources: c.resources.proxy,
                logRotation,
            },
            { parent: this, dependsOn: [this.app] },
        );
        this.registerOutputs({ url: this.url });
    }
}
