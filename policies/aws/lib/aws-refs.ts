// Helpers for the AWS policies: IAM/S3 policy documents given as JSON strings or objects, tags, and the S3
// companion resources (encryption, versioning, ...) found by the bucket they name.
import { containsUnknown } from "bulwark-vocabulary";


export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Action?: unknown;
    readonly NotAction?: unknown;
    readonly Resource?: unknown;
    readonly NotResource?: unknown;
    readonly Principal?: unknown;
    readonly NotPrincipal?: unknown;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The outcome of reading a policy document: unknown at preview, unreadable, or its statements. */
export type ParsedDocument =
    | { readonly kind: "unknown" }
    | { readonly kind: "invalid"; readonly reason: string }
    | { readonly kind: "ok"; readonly statements: PolicyStatement[] };

export function parsePolicyDocument(policy: unknown): ParsedDocument {
    // A document built from values known only after apply (ARNs) is unknown as a whole in a preview.
    if (typeof policy === "string" ? containsUnknown(policy) : containsUnknown(policy)) {
        return { kind: "unknown" };
    }
    if (policy === undefined || policy === null) {
        return { kind: "invalid", reason: "is missing" };
    }
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch (e) {
            return { kind: "invalid", reason: `is not valid JSON (${(e as Error).message})` };
        }
    }
    if (!doc || typeof doc !== "object") {
        return { kind: "invalid", reason: "is not a JSON object" };
    }
    const statement = (doc as { Statement?: unknown }).Statement;
    if (statement === undefined) {
        return { kind: "invalid", reason: "has no Statement" };
    }
    const list = Array.isArray(statement) ? statement : [statement];
    return { kind: "ok", statements: list.filter((s): s is PolicyStatement => !!s && typeof s === "object") };
}

/** IAM lets Action, Resource and principal values be one string or a list. */
export function asList(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** True when a Principal grants everyone: "*" or {"AWS": "*"} (alone or in a list). */
export function isEveryone(principal: unknown): boolean {
    if (principal === "*") {
        return true;
    }
    if (principal && typeof principal === "object") {
        return asList((principal as { AWS?: unknown }).AWS).includes("*");
    }
    return false;
}

/** How messages name a statement: by its Sid, else by its position. */
export function statementLabel(statement: PolicyStatement, index: number): string {
    return statement.Sid ? `statement '${statement.Sid}'` : `statement #${index + 1}`;
}

export function hasCondition(statement: PolicyStatement): boolean {
    return !!statement.Condition && typeof statement.Condition === "object" && Object.keys(statement.Condition).length > 0;
}

/** True for a Deny statement that applies when aws:SecureTransport is false (the TLS-only rule). */
export function deniesInsecureTransport(statement: PolicyStatement): boolean {
    if (statement.Effect !== "Deny" || !statement.Condition) {
        return false;
    }
    return Object.entries(statement.Condition).some(([operator, block]) => {
        if (!/^Bool(IfExists)?$/.test(operator) || !block || typeof block !== "object") {
            return false;
        }
        return Object.entries(block).some(([key, value]) => {
            const values = Array.isArray(value) ? value : [value];
            return key.toLowerCase() === "aws:securetransport" && values.some((v) => v === false || v === "false");
        });
    });
}

/** Tags as a plain map, from the `tags` input or the `tagsAll` output. */
export function tagsOf(props: { tags?: unknown; tagsAll?: unknown }): Record<string, string> {
    const tags = props.tags ?? props.tagsAll;
    if (!tags || typeof tags !== "object" || Array.isArray(tags)) {
        return {};
    }
    return Object.fromEntries(Object.entries(tags).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** True when `obj[key]` is, or holds, a value unknown until apply. */
export function isUnknown(obj: unknown, key: string): boolean {
    return !!obj && typeof obj === "object" && containsUnknown((obj as Record<string, unknown>)[key]);
}

/** The backup identity's IAM policies are found by a marker in their name, their identity's name or a tag. */
export function isBackupIdentityPolicy(resourceName: string, props: Record<string, unknown>, marker: string): boolean {
    const m = marker.toLowerCase();
    const names = [resourceName, props.name, props.namePrefix, props.user, props.role, ...Object.values(tagsOf(props))];
    return names.some((n) => typeof n === "string" && n.toLowerCase().includes(m));
}

/** The `backupIdentityMarker` setting, shared by the policies that find the backup identity. */
export const BACKUP_IDENTITY_MARKER_SCHEMA = {
    type: "string",
    default: "backup",
    description: "Substring of the policy, user or role name (or a tag value) that marks the backup identity",
} as const;

/** The S3 bucket names an ARN list grants on: "arn:aws:s3:::name" and "arn:aws:s3:::name/..." give "name". */
export function bucketNamesIn(resources: unknown): string[] {
    return asList(resources)
        .map((arn) => /^arn:aws[\w-]*:s3:::([^/*]+)/.exec(arn)?.[1])
        .filter((name): name is string => name !== undefined);
}

/** Formats IAM names for messages: ["s3:*"] -> "'s3:*'". */
export function quoteIam(values: readonly string[]): string {
    return values.map((v) => `'${v}'`).join(", ");
}
