// Typed, validated stack configuration. Every key is read and checked here, before any resource exists:
// a bad value stops the program with one message per problem, naming the key and the fix.
// A ConfigReader collects the problems; one parser per section (stack, tls, images, app, resources, backups,
// offsite) reads its keys through it, and loadConfig throws once, listing them all.
import { parseApi, parseAppServices, parseAuth } from "./app";
import { parseAlertWebhook, parseBackups, parseBackupVolumeHostPath } from "./backups";
import { parseImages } from "./images";
import { parseOffsite } from "./offsite";
import { ConfigReader, pulumiConfigSource } from "./reader";
import { parseResources } from "./resources";
import { parseDataSubnet, parseLogRotation, parseStack } from "./stack";
import { parseTls } from "./tls";
import type { BulwarkConfig, ConfigSource } from "./types";

export { APP_DEFAULTS, DEFAULT_BASE_IMAGE, DEFAULT_RESOURCES, FIRST_ACCESS_KEY_GENERATION, LIMITS, MAX_ACCESS_KEYS, NAMESPACE } from "./defaults";
export { isCron, isSourceCidr, LOCAL_IMAGE_ID } from "./patterns";
export { ConfigError, pulumiConfigSource } from "./reader";
export { publicOrigin } from "./stack";
export { SERVICES } from "./types";
export type {
    AppServiceConfig,
    BackupRetention,
    BulwarkConfig,
    ConfigProblem,
    ConfigSource,
    Environment,
    OffsiteBackupConfig,
    OffsiteReplicaConfig,
    ServiceName,
    TlsMode,
} from "./types";

/**
 * Reads and checks every key; throws one ConfigError listing all problems. The sections run in the order the
 * keys were always checked in (some sections in two or three steps), so the problems keep their order.
 */
export function loadConfig(source: ConfigSource = pulumiConfigSource()): BulwarkConfig {
    const r = new ConfigReader(source);
    const basics = parseStack(r);
    const tls = parseTls(r, basics.prod);
    const images = parseImages(r, basics.prod);
    const { backend, frontend } = parseAppServices(r, images);
    const dataSubnet = parseDataSubnet(r);
    const resources = parseResources(r);
    const api = parseApi(r, basics);
    const backups = parseBackups(r, basics.prod);
    const offsiteBackup = parseOffsite(r, basics.prod);
    const auth = parseAuth(r, basics.prod);
    const logRotation = parseLogRotation(r);
    const alertWebhookUrl = parseAlertWebhook(r);
    const backupVolumeHostPath = parseBackupVolumeHostPath(r);
    r.throwIfProblems();
    return {
        stack: source.stack,
        environment: basics.environment,
        domain: basics.domain,
        httpsPort: basics.httpsPort,
        httpPort: basics.httpPort,
        publishAddress: basics.publishAddress,
        tls,
        baseImage: images.baseImage,
        backendImage: images.backendImage,
        frontendImage: images.frontendImage,
        backend,
        frontend,
        dataSubnet,
        resources,
        corsOrigins: api.corsOrigins,
        jwtAccessTtlSeconds: api.jwtAccessTtlSeconds,
        jwtRefreshTtlSeconds: api.jwtRefreshTtlSeconds,
        backupSchedule: backups.backupSchedule,
        restoreDrillSchedule: backups.restoreDrillSchedule,
        backupRetention: backups.backupRetention,
        backupAge: backups.backupAge,
        offsiteBackup,
        authRateLimit: auth.authRateLimit,
        requestBodyLimitMb: auth.requestBodyLimitMb,
        googleClientSecret: auth.googleClientSecret,
        logRotation,
        alertWebhookUrl,
        backupVolumeHostPath,
    };
}
