// The labels bulwark puts on every container and volume, read by the pack and the live audit: the contract
// between the program, the pack and `verify`.

export const LABELS = {
    project: "bulwark.project",
    stack: "bulwark.stack",
    service: "bulwark.service",
    /** What the container is for; policies find the proxy and the database by it. */
    role: "bulwark.role",
    /** Comma-separated control IDs the container's settings carry. */
    controls: "bulwark.controls",
} as const;

export const ROLES = ["edge-proxy", "app", "database", "backup", "backup-drill", "backup-uploader"] as const;
export type Role = (typeof ROLES)[number];

/**
 * On a docker Volume: what it holds, where a policy must know. The restore drill's keyring holds the age identity
 * of every key the stack has had, and only the drill may mount it.
 */
export const VOLUME_CONTENTS_LABEL = "bulwark.contents";
export const AGE_IDENTITIES_CONTENTS = "age-identities";
