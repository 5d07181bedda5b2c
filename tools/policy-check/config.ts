// The config a checked program sees: its stack file, then each --config-file, then each --config/--secret, later
// sources winning, as `pulumi config set` over a stack file would. `secure:` values in the stack file cannot be
// decrypted without the stack's secrets provider, so each one must be supplied again or the check stops.
import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { PolicyPackConfig } from "@pulumi/policy";
import { ConfigSetting } from "./args";
import { loadStackConfig, StackConfigError } from "../mocks/stack-config";

export interface ProgramConfig {
    readonly project: string;
    readonly stack: string;
    /** Full keys ("bulwark:domain") to raw strings, objects and lists as JSON: what the runtime hands a program. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

export interface ConfigSources {
    readonly stack: string;
    readonly stackRequired: boolean;
    readonly configFiles: readonly string[];
    readonly settings: readonly ConfigSetting[];
}

function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function isMap(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Reads a file given with `flag` that must hold one map; every failure names the flag and the file. */
function readMapFile(flag: string, file: string, format: "YAML" | "JSON", shape: string): Record<string, unknown> {
    if (!fs.existsSync(file)) {
        throw new StackConfigError(`${flag} ${file} does not exist`);
    }
    let parsed: unknown;
    try {
        const text = fs.readFileSync(file, "utf8");
        parsed = format === "YAML" ? (yaml.load(text) ?? {}) : JSON.parse(text);
    } catch (e) {
        throw new StackConfigError(`${flag} ${file} is not valid ${format}: ${(e as Error).message}`);
    }
    if (!isMap(parsed)) {
        throw new StackConfigError(`${flag} ${file} must be ${shape}`);
    }
    return parsed;
}

/** Reads a --config-file: `config:` holds plain values, `secrets:` secret ones; nothing else is allowed. */
export function readConfigFile(file: string, project: string): ConfigSetting[] {
    const parsed = readMapFile("--config-file", file, "YAML", "a map with `config:` and/or `secrets:`");
    const settings: ConfigSetting[] = [];
    for (const [section, entries] of Object.entries(parsed)) {
        if (section !== "config" && section !== "secrets") {
            throw new StackConfigError(`--config-file ${file}: unknown top-level \`${section}\`; only \`config:\` and \`secrets:\` are read`);
        }
        if (!isMap(entries) && entries !== null) {
            throw new StackConfigError(`--config-file ${file}: \`${section}:\` must be a map of key: value`);
        }
        for (const [key, value] of Object.entries(entries ?? {})) {
            if (isMap(value) && "secure" in value) {
                throw new StackConfigError(`--config-file ${file}: ${key} is \`secure:\` ciphertext, which cannot be decrypted here; put its plain value under \`secrets:\``);
            }
            settings.push({ key: fullKey(project, key), value: asConfigString(value), secret: section === "secrets" });
        }
    }
    return settings;
}

/** Layers every source over the stack file and checks that every encrypted value was supplied. */
export function assembleConfig(projectDir: string, sources: ConfigSources): ProgramConfig {
    const base = loadStackConfig(projectDir, sources.stack, sources.stackRequired);
    const config: Record<string, string> = { ...base.config };
    const secret = new Set(base.secretKeys);
    const layered = [
        ...sources.configFiles.flatMap((file) => readConfigFile(file, base.project)),
        ...sources.settings.map((s) => ({ ...s, key: fullKey(base.project, s.key) })),
    ];
    for (const setting of layered) {
        config[setting.key] = setting.value;
        if (setting.secret) {
            secret.add(setting.key);
        } else {
            secret.delete(setting.key);
        }
    }
    const missing = base.encrypted.filter((key) => !(key in config));
    if (missing.length > 0) {
        throw new StackConfigError(
            missing
                .map((key) => `${key} is encrypted (secure:) in Pulumi.${sources.stack}.yaml and cannot be decrypted here; pass it with --secret ${key}=<value> or under \`secrets:\` in a --config-file`)
                .join("\n"),
        );
    }
    return { project: base.project, stack: sources.stack, config, secretKeys: [...secret] };
}

/** Reads a --policy-config file: a JSON object; the analyzer client checks it against the pack (tools/analyzer/config.ts). */
export function readPolicyConfig(file: string): PolicyPackConfig {
    return readMapFile("--policy-config", file, "JSON", "a JSON object of policy name -> level or settings") as PolicyPackConfig;
}
