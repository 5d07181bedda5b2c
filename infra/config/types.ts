// The parsed configuration's shape, and the raw config it is read from.
import type * as pulumi from "@pulumi/pulumi";
import type { NonRootUser, ServiceResources } from "../hardening";

export type Environment = "dev" | "prod";
export type TlsMode = "self-signed" | "provided";
/** "drill" is the restore drill's own: it restores the whole database, so it may use more CPU than the backup job. */
export const SERVICES = ["proxy", "backend", "frontend", "database", "backup", "drill"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface BackupRetention {
    readonly daily: number;
    readonly weekly: number;
    readonly monthly: number;
}

/** How the stack runs an application image: its user, its health probe and the paths it must write. */
export interface AppServiceConfig {
    readonly user: NonRootUser;
    readonly healthCommand: readonly [string, ...string[]];
    readonly writablePaths: readonly string[];
}

export interface OffsiteBackupConfig {
    readonly enabled: boolean;
    /** Explicit bucket name; omitted, AWS names it from the stack. */
    readonly bucketName?: string;
    readonly region: string;
    readonly kmsKeyDeletionWindowDays: number;
    /** IAM principals (ARNs) besides the backup identity that may read the bucket. */
    readonly adminPrincipalArns: readonly string[];
    /** Days a replaced or deleted object version is kept before the lifecycle removes it. */
    readonly noncurrentVersionDays: number;
    /** Source CIDRs uploads may come from; empty: any address (the bucket policy then has no aws:SourceIp rule). */
    readonly allowedSourceCidrs: readonly string[];
    /**
     * Generations of the uploader's IAM access key, oldest first (default ["1"]); each is an aws.iam.AccessKey,
     * the uploader uses the last. Rotation: append a generation, `pulumi up`; then drop the old one, `pulumi up`.
     * IAM allows two access keys per user, so at most two.
     */
    readonly accessKeys: readonly [string, ...string[]];
    /** A second copy in another region, under its own KMS key (offsiteBackup.replica); absent: one copy. */
    readonly replica?: OffsiteReplicaConfig;
}

/** Where the backup bucket replicates to: another region, so one region's outage or loss keeps a copy. */
export interface OffsiteReplicaConfig {
    readonly region: string;
    /** Explicit bucket name; omitted, AWS names it from the stack. */
    readonly bucketName?: string;
}

export interface BulwarkConfig {
    readonly stack: string;
    readonly environment: Environment;
    readonly domain: string;
    readonly httpsPort: number;
    readonly httpPort: number;
    /** Host address the proxy's ports bind to: loopback in dev, the operator's choice (required) in prod. */
    readonly publishAddress: string;
    readonly tls:
        | { readonly mode: "self-signed" }
        | { readonly mode: "provided"; readonly certificate: pulumi.Output<string>; readonly privateKey: pulumi.Output<string> };
    /** Digest-pinned base for the images the stack builds. */
    readonly baseImage: string;
    /** Prebuilt application images; undefined means "build the demo stand-in from images/". */
    readonly backendImage?: string;
    readonly frontendImage?: string;
    readonly backend: AppServiceConfig;
    readonly frontend: AppServiceConfig;
    /** The internal data network's CIDR; pg_hba admits only it. */
    /** Undefined: Docker assigns a free range, so stacks sharing a host never collide. */
    readonly dataSubnet?: string;
    readonly resources: Readonly<Record<ServiceName, ServiceResources>>;
    readonly corsOrigins: readonly string[];
    readonly jwtAccessTtlSeconds: number;
    readonly jwtRefreshTtlSeconds: number;
    readonly backupSchedule: string;
    readonly restoreDrillSchedule: string;
    readonly backupRetention: BackupRetention;
    /**
     * The age key pair. From config in prod (identity secret); generated in dev when neither is set, so
     * the embedded default runs with no setup.
     */
    readonly backupAge: { readonly recipient: string; readonly identity: pulumi.Output<string> } | { readonly generate: true };
    readonly offsiteBackup: OffsiteBackupConfig;
    readonly authRateLimit: { readonly requestsPerMinute: number; readonly burst: number };
    readonly requestBodyLimitMb: number;
    readonly googleClientSecret?: pulumi.Output<string>;
    readonly logRotation: { readonly maxSizeMb: number; readonly maxFiles: number };
    /** Secret config: the URL usually carries a token (issue 13). */
    readonly alertWebhookUrl?: pulumi.Output<string>;
    /**
     * A host directory, on a filesystem of its own that the operator mounted and sized, to hold the backup
     * volume (a local bind volume), so backups cannot fill the disk the database lives on (issue 13).
     */
    readonly backupVolumeHostPath?: string;
}

/** Where raw config comes from: Pulumi's config in a program, a plain map in tests. */
export interface ConfigSource {
    readonly stack: string;
    /** The raw string for `bulwark:<key>`, or undefined. Object values arrive as JSON. */
    get(key: string): string | undefined;
    isSecret(key: string): boolean;
}

export interface ConfigProblem {
    readonly key: string;
    readonly message: string;
    readonly fix: string;
}
