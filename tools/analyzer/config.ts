// Policy pack config the way the Pulumi CLI prepares it before `Configure` (pkg/resource/analyzer/config.go):
// the file's entries are a level or an object with `enforcementLevel` and settings; every policy starts from
// its own level and its schema's defaults, the file's values go on top ("all" sets every level first), and the
// result is validated against each policy's schema, every problem named with its policy.
import Ajv from "ajv";
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";

export const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** What GetAnalyzerInfo says of one policy. */
export interface PolicyInfo {
    readonly name: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly configSchema?: { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    /** The controls it enforces (the pack puts them in its tags). */
    readonly tags: readonly string[];
    readonly type: "resource" | "stack";
}

/** One policy's settings as sent to `Configure`. */
export interface PolicySettings {
    readonly enforcementLevel: EnforcementLevel;
    readonly properties: Record<string, unknown>;
}

/** The pack config cannot be used; each line names the policy and what is wrong. */
export class PolicyConfigError extends Error {}

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (LEVELS as readonly string[]).includes(value);
}

/** Parses a --policy-pack-config document into (level, properties) per entry, as parsePolicyPackConfig does. */
function parseEntries(config: PolicyPackConfig, known: ReadonlySet<string>): Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }> {
    const problems: string[] = [];
    const unknownNames: string[] = [];
    const entries = new Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }>();
    for (const [name, value] of Object.entries(config ?? {})) {
        // The CLI accepts names it does not know; a typo would then silently configure nothing, so it is named here.
        if (name !== "all" && !known.has(name)) {
            unknownNames.push(name);
            continue;
        }
        if (typeof value === "string") {
            if (!isLevel(value)) {
                problems.push(`${name}: "${value}" is not a valid enforcement level (${LEVELS.join(", ")})`);
                continue;
            }
            entries.set(name, { level: value, properties: {} });
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                problems.push(`${name}: enforcementLevel ${JSON.stringify(enforcementLevel)} is not one of ${LEVELS.join(", ")}`);
                continue;
            }
            entries.set(name, { level: enforcementLevel, properties });
        } else {
            problems.push(`${name}: ${JSON.stringify(value)} is not a valid value; must be a level or an object`);
        }
    }
    if (unknownNames.length > 0) {
        problems.unshift(`names no policy of the pack: ${unknownNames.join(", ")} (the pack has ${[...known].sort().join(", ")})`);
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(`policy config ${problems.join("; ")}`);
    }
    return entries;
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** Defaults, then the file's values; validated against every policy's schema (ReconcilePolicyPackConfig). */
export function reconcile(policies: readonly PolicyInfo[], config: PolicyPackConfig | undefined): Map<string, PolicySettings> {
    const entries = parseEntries(config ?? {}, new Set(policies.map((p) => p.name)));
    const all = entries.get("all")?.level;
    const result = new Map<string, PolicySettings>();
    const problems: string[] = [];
    for (const policy of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) {
                properties[key] = schema.default;
            }
        }
        const given = entries.get(policy.name);
        Object.assign(properties, given?.properties ?? {});
        const enforcementLevel = given?.level ?? all ?? policy.enforcementLevel;
        if (policy.configSchema) {
            const validate = ajv.compile({
                type: "object",
                properties: policy.configSchema.properties ?? {},
                ...(policy.configSchema.required?.length ? { required: policy.configSchema.required } : {}),
            });
            if (!validate(properties)) {
                for (const e of validate.errors ?? []) {
                    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(root)";
                    problems.push(`${policy.name}: ${where}: ${e.message}`);
                }
            }
        }
        result.set(policy.name, { enforcementLevel, properties });
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(`policy config does not match the policies' schemas: ${problems.join("; ")}`);
    }
    return result;
}
