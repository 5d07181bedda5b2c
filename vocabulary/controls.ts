// The control catalog of ../shared/controls.md, as data. Policies, tests, container labels and the
// compliance report all name controls by these IDs; test/catalog.test.ts keeps this list equal to the document.

export type Layer = "infra" | "policy" | "test" | "live" | "app" | "docs";

export interface Control {
    readonly id: string;
    readonly rule: string;
    /** The layers the catalog expects to carry the control. */
    readonly expected: readonly Layer[];
    readonly note?: string;
}

export const CONTROLS = [
  { id: "SEC-01", rule: "SECRET_KEY_BASE, POSTGRES_PASSWORD, GOOGLE_CLIENT_SECRET, JWT_SECRET never appear in code or plain config; they come from generated secrets or secret config", expected: ["infra","policy","test"] },
  { id: "SEC-02", rule: "Generated secrets are strong: Rails secret 64 random bytes (128 hex), JWT secret >= 32 random bytes, DB password >= 32 random bytes", expected: ["infra","policy","test"] },
  { id: "SEC-03", rule: "Secrets stay encrypted in Pulumi state and outputs (secret outputs), and are not readable through `docker inspect` where avoidable", expected: ["infra","test","live"] },
  { id: "DB-01", rule: "Database users have strong passwords; password_encryption is scram-sha-256", expected: ["infra","test","live"] },
  { id: "DB-02", rule: "Only application containers can connect to the database (network membership and pg_hba)", expected: ["infra","policy","test","live"] },
  { id: "DB-03", rule: "Regular database backups, encrypted", expected: ["infra","policy","test","live"] },
  { id: "DB-04", rule: "Connection logging enabled (log_connections, log_disconnections)", expected: ["infra","test","live"] },
  { id: "DB-05", rule: "Sensitive data encrypted at rest (backup artifacts, off-site copies with KMS; volume encryption documented)", expected: ["infra","policy","test"] },
  { id: "DB-06", rule: "Rails encrypted credentials for additional secrets", expected: ["app"] },
  { id: "DB-07", rule: "Database-level encryption for PII available (pgcrypto)", expected: ["infra","test"] },
  { id: "NET-01", rule: "All services run on isolated, user-defined Docker networks; the data network is internal", expected: ["infra","policy","test","live"] },
  { id: "NET-02", rule: "The database is not exposed to the host network: no published ports, no host network mode", expected: ["infra","policy","test","live"] },
  { id: "NET-03", rule: "Only the public entry container (TLS reverse proxy) publishes ports", expected: ["infra","policy","test","live"] },
  { id: "NET-04", rule: "HTTPS through a reverse proxy with certificates; HTTP redirects to HTTPS", expected: ["infra","test","live"] },
  { id: "NET-05", rule: "RAILS_FORCE_SSL=true in production", expected: ["infra","policy","test"] },
  { id: "NET-06", rule: "HSTS header on every HTTPS response", expected: ["infra","test","live"] },
  { id: "NET-07", rule: "Cookies secure (Secure, HttpOnly, SameSite)", expected: ["infra","test","live"] },
  { id: "APP-01", rule: "CORS restricted to known origins; never a wildcard in production", expected: ["infra","policy","test"] },
  { id: "APP-02", rule: "JWT tokens expire within a bounded lifetime; refresh configured", expected: ["infra","policy","test"], note: "value passed to app" },
  { id: "APP-03", rule: "Rate limiting on authentication endpoints", expected: ["infra","test","live"] },
  { id: "APP-04", rule: "Input validation, strong parameters, CSRF protection", expected: ["app"] },
  { id: "APP-05", rule: "File uploads validated: request body size bounded at the proxy", expected: ["infra","test","live"] },
  { id: "LOG-01", rule: "Authentication attempts logged (proxy access log for auth routes; app logs)", expected: ["infra","test"] },
  { id: "LOG-02", rule: "Admin actions and data modifications audited (pgaudit for DDL/write)", expected: ["infra","test","live"] },
  { id: "LOG-03", rule: "Suspicious activity visible (rate-limit rejections logged, failed auth counted)", expected: ["infra","test"] },
  { id: "LOG-04", rule: "Log rotation and retention on every container", expected: ["infra","policy","test","live"] },
  { id: "LOG-05", rule: "Health check endpoints and container health checks on every service", expected: ["infra","policy","test","live"] },
  { id: "LOG-06", rule: "Service availability monitored; failures alert (restart policies, health status, alert hook)", expected: ["infra","test","live"] },
  { id: "LOG-07", rule: "Regular security updates: images pinned by digest or built from pinned bases; rebuild path documented", expected: ["infra","policy"] },
  { id: "BAK-01", rule: "Backups are encrypted (public-key, so the backup job cannot read old backups)", expected: ["infra","policy","test","live"] },
  { id: "BAK-02", rule: "Backups stored in a secure location: off-site bucket with KMS encryption, versioning, public access blocked, TLS-only", expected: ["infra","policy","test"] },
  { id: "BAK-03", rule: "Restoration tested regularly and automatically (restore drill into a throwaway database)", expected: ["infra","test","live"] },
  { id: "BAK-04", rule: "Backup retention policies (local rotation and bucket lifecycle)", expected: ["infra","policy","test","live"] },
  { id: "BAK-05", rule: "Backup access limited to authorized principals (bucket policy)", expected: ["infra","policy","test"] },
  { id: "BAK-06", rule: "Separate credentials for the backup system (dedicated least-privilege identity)", expected: ["infra","policy","test"] },
  { id: "BAK-07", rule: "Backup access audited (bucket access logging)", expected: ["infra","policy","test"] },
  { id: "CON-01", rule: "Official or trusted base images only (allowed registries / pinned Debian base)", expected: ["infra","policy"] },
  { id: "CON-02", rule: "Base images kept updated (pinned digests, documented rebuild)", expected: ["infra","policy"] },
  { id: "CON-03", rule: "Images scanned for vulnerabilities (CI step)", expected: ["infra"], note: "CI template" },
  { id: "CON-04", rule: "Multi-stage builds to minimize attack surface", expected: ["infra","test"] },
  { id: "CON-05", rule: "Containers run as non-root users", expected: ["infra","policy","test","live"] },
  { id: "CON-06", rule: "Read-only root filesystems (writable paths only as tmpfs or volumes)", expected: ["infra","policy","test","live"] },
  { id: "CON-07", rule: "Capabilities limited: drop ALL, add only what is needed; no privileged; no-new-privileges", expected: ["infra","policy","test","live"] },
  { id: "CON-08", rule: "Resource limits: memory and CPU on every container (process count where the provider allows)", expected: ["infra","policy","test","live"] },
  { id: "CON-09", rule: "No host namespaces (network, pid, ipc, userns) and no Docker socket mount", expected: ["infra","policy","test","live"] },
  { id: "CMP-01", rule: "Data retention policies (backups, logs) declared and enforced", expected: ["infra","policy","test"] },
  { id: "CMP-02", rule: "Data export and deletion capabilities", expected: ["app"], note: "DB export via backups documented" },
  { id: "CMP-03", rule: "Data processing activities documented", expected: ["docs"] },
  { id: "CMP-04", rule: "Regular security assessments (live audit runnable on schedule)", expected: ["infra","test"] },
  { id: "CMP-05", rule: "Audit logs for all data modifications", expected: ["infra","live"], note: "pgaudit" },
  { id: "CMP-06", rule: "User activity tracking", expected: ["app"] },
  { id: "CMP-07", rule: "Regular compliance reviews (compliance report generated from the code)", expected: ["infra","test"] },
  { id: "CMP-08", rule: "Security procedures documented (runbooks: rotate secrets, restore, incident)", expected: ["docs"] },
] as const satisfies readonly Control[];

export type ControlId = (typeof CONTROLS)[number]["id"];

export const CONTROL_IDS: readonly ControlId[] = CONTROLS.map((c) => c.id);

export function isControlId(value: string): value is ControlId {
    return (CONTROL_IDS as readonly string[]).includes(value);
}
