// The labels bulwark puts on every container and that the policies and the live audit read. They are the
// contract between the program (infra/), the pack (policies/) and `verify`, so they live in one place.

import { isUnknown } from "./engine-values";

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

/** Docker provider labels are a list of {label, value}; this reads one whatever the list holds. */
export function labelValue(labels: unknown, key: string): string | undefined {
    if (!Array.isArray(labels)) {
        return undefined;
    }
    const found = labels.find((l) => l && typeof l === "object" && (l as { label?: unknown }).label === key);
    return typeof found?.value === "string" && !isUnknown(found.value) ? found.value : undefined;
}
