// The defaults a key takes when it is not set, and the bounds a set value must stay within.
import { CONFIG_NAMESPACE, MAX_CONTAINER_CPUS, MAX_CONTAINER_MEMORY_MB } from "bulwark-vocabulary";
import type { ServiceResources } from "../hardening";
import type { AppServiceConfig, ServiceName } from "./types";

export const NAMESPACE = CONFIG_NAMESPACE;

export const DEFAULT_BASE_IMAGE =
    "debian:bookworm-slim@sha256:3783cc01769c7b2b1b83a5c5ad96c815348e28ed7da68e2e3687004faa906251";

export const DEFAULT_RESOURCES: Readonly<Record<ServiceName, ServiceResources>> = {
    proxy: { memoryMb: 128, cpus: 0.5 },
    backend: { memoryMb: 512, cpus: 1 },
    frontend: { memoryMb: 128, cpus: 0.5 },
    database: { memoryMb: 1024, cpus: 1 },
    backup: { memoryMb: 512, cpus: 1 },
    // Two CPUs: the drill's restore is CPU-bound (decrypt, decompress, pg_restore and its server), and at
    // equal CPU weight it still yields half the host to live services under contention (issue 10).
    drill: { memoryMb: 512, cpus: 2 },
};

export const LIMITS = {
    memoryMb: { min: 64, max: MAX_CONTAINER_MEMORY_MB },
    cpus: { min: 0.05, max: MAX_CONTAINER_CPUS },
    jwtAccessTtlSeconds: { min: 60, max: 3600 },
    jwtRefreshTtlSeconds: { min: 3600, max: 2592000 },
    retention: { daily: { min: 1, max: 365 }, weekly: { min: 0, max: 104 }, monthly: { min: 0, max: 120 } },
    kmsKeyDeletionWindowDays: { min: 7, max: 30 },
    noncurrentVersionDays: { min: 1, max: 3650 },
    requestsPerMinute: { min: 1, max: 600 },
    burst: { min: 0, max: 100 },
    requestBodyLimitMb: { min: 1, max: 1024 },
    logMaxSizeMb: { min: 1, max: 1024 },
    logMaxFiles: { min: 1, max: 100 },
} as const;

/** Defaults for the demo stand-ins built from images/ (dev) and for user images (a Rails 7.1+ layout). */
export const APP_DEFAULTS = {
    demo: {
        backend: { user: "10201:10201", healthCommand: ["/usr/local/bin/healthcheck"], writablePaths: ["/tmp"] },
        frontend: { user: "10301:10301", healthCommand: ["/usr/local/bin/healthcheck"], writablePaths: ["/tmp"] },
    },
    custom: {
        backend: { user: "1000:1000", healthCommand: ["curl", "-fsS", "--max-time", "4", "http://127.0.0.1:3000/up"], writablePaths: ["/tmp", "/rails/tmp", "/rails/log"] },
        // Not the backend's uid: each container needs its own for nproc to bound it (CON-08).
        frontend: { user: "1001:1001", healthCommand: ["curl", "-fsS", "--max-time", "4", "http://127.0.0.1:8080/"], writablePaths: ["/tmp"] },
    },
} as const satisfies Record<string, Record<"backend" | "frontend", AppServiceConfig>>;

/** IAM's limit of access keys per user: a rotation holds the old and the new key, never a third. */
export const MAX_ACCESS_KEYS = 2;
/** The generation whose AccessKey keeps the name (and URN) the single key had before rotation existed. */
export const FIRST_ACCESS_KEY_GENERATION = "1";
