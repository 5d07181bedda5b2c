// Reads Pulumi.yaml and Pulumi.<stack>.yaml into the flat "namespace:key" -> string map that the Pulumi
// runtime hands a program (objects and lists as JSON). Encrypted `secure:` values cannot be read without the
// stack's secrets provider; they are listed so the caller can ask for them instead of guessing.
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
    /** Keys whose values are `secure:` ciphertext in the stack file. */
    readonly encrypted: string[];
}

export class StackConfigError extends Error {}

function readYaml(file: string): Record<string, unknown> {
    try {
        const parsed = yaml.load(fs.readFileSync(file, "utf8"));
        return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch (e) {
        throw new StackConfigError(`cannot read ${file}: ${(e as Error).message}`);
    }
}

export function projectName(projectDir: string): string {
    const file = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new StackConfigError(`no Pulumi.yaml in ${projectDir}: point --program at a Pulumi project`);
    }
    const name = readYaml(file).name;
    if (typeof name !== "string") {
        throw new StackConfigError(`${file} has no project name`);
    }
    return name;
}

/** Reads the stack's config; a missing stack file is an error only when `required`. */
export function loadStackConfig(projectDir: string, stack: string, required: boolean): StackConfig {
    const project = projectName(projectDir);
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const result: StackConfig = { project, stack, config: {}, secretKeys: [], encrypted: [] };
    if (!fs.existsSync(file)) {
        if (required) {
            throw new StackConfigError(`no ${path.basename(file)} in ${projectDir}: create the stack or pick another with --stack`);
        }
        return result;
    }
    const entries = (readYaml(file).config ?? {}) as Record<string, unknown>;
    for (const [rawKey, value] of Object.entries(entries)) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            result.encrypted.push(key);
            continue;
        }
        result.config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return result;
}
