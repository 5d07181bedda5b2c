// Where a secret env value may come from (SEC-01): a generator of the stack (@pulumi/random, an IAM access key,
// a TLS private key) or the stack's secret config. The pack cannot ask the engine whether a value is a Pulumi
// secret: @pulumi/policy unwraps secrets before every validation (deserializeProperties(..., false) in Analyze and
// AnalyzeStack; only remediations see policy.Secret), so secretness is not observable. What is observable is the
// value: a secret entry must be one of the values the stack's generators produced, or a secret config value.
//
// Values are compared by SHA-256 digest, so nothing here keeps or prints a secret in clear.
import { createHash } from "node:crypto";
import { PolicyResource } from "@pulumi/policy";
import { IAM_ACCESS_KEY_TYPE, isSecretEnvName, isUnknown, RANDOM_TYPES } from "bulwark-vocabulary";
import { engineStackConfig } from "./stack-config";

export function digestOf(value: string): string {
    return createHash("sha256").update(value, "utf8").digest("hex");
}

/** The outputs of each generator type that carry its secret, and the input that sets its strength. */
export const GENERATORS: Readonly<Record<string, { readonly outputs: readonly string[]; readonly strength?: { field: string; unit: "chars" | "bytes" } }>> = {
    [RANDOM_TYPES.password]: { outputs: ["result"], strength: { field: "length", unit: "chars" } },
    [RANDOM_TYPES.string]: { outputs: ["result"], strength: { field: "length", unit: "chars" } },
    [RANDOM_TYPES.bytes]: { outputs: ["hex", "base64"], strength: { field: "length", unit: "bytes" } },
    [RANDOM_TYPES.id]: { outputs: ["hex", "b64Std", "b64Url", "dec"], strength: { field: "byteLength", unit: "bytes" } },
    [IAM_ACCESS_KEY_TYPE]: { outputs: ["secret", "sesSmtpPasswordV4"] },
    "tls:index/privateKey:PrivateKey": { outputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"] },
};

export function isGenerator(r: PolicyResource): boolean {
    return GENERATORS[r.type] !== undefined;
}

/** The strength a generator was asked for, when known and below the minimum: "length 8 (at least 32)". */
export function generatorWeakness(r: PolicyResource, minChars: number, minBytes: number): string | undefined {
    const strength = GENERATORS[r.type]?.strength;
    if (!strength) {
        return undefined;
    }
    const actual = (r.props as Record<string, unknown>)[strength.field];
    const min = strength.unit === "chars" ? minChars : minBytes;
    return typeof actual === "number" && actual < min ? `${strength.field} ${actual} (at least ${min})` : undefined;
}

/**
 * Digests of every known value the stack's strong generators produced, and of its secret config: the config keys
 * the engine lists in PULUMI_CONFIG_SECRET_KEYS, or, when it lists none, every config value (the pack is then
 * told no more than the values; a plain config value is visible in the stack file's review, a literal in code is not).
 */
export function generatedDigests(resources: readonly PolicyResource[], minChars: number, minBytes: number, env: NodeJS.ProcessEnv = process.env): Set<string> {
    const result = new Set<string>();
    for (const r of resources) {
        const generator = GENERATORS[r.type];
        if (!generator || generatorWeakness(r, minChars, minBytes)) {
            continue;
        }
        for (const field of generator.outputs) {
            const value = (r.props as Record<string, unknown>)[field];
            if (typeof value === "string" && value !== "" && !isUnknown(value)) {
                result.add(digestOf(value));
            }
        }
    }
    const config = engineStackConfig(env) ?? {};
    const secretKeys = parseSecretKeys(env.PULUMI_CONFIG_SECRET_KEYS);
    for (const [key, value] of Object.entries(config)) {
        if (typeof value === "string" && value !== "" && (secretKeys === undefined || secretKeys.has(key))) {
            result.add(digestOf(value));
        }
    }
    return result;
}

function parseSecretKeys(raw: string | undefined): Set<string> | undefined {
    if (!raw) {
        return undefined;
    }
    try {
        const parsed: unknown = JSON.parse(raw);
        return Array.isArray(parsed) && parsed.length > 0 ? new Set(parsed.filter((k): k is string => typeof k === "string")) : undefined;
    } catch {
        return undefined;
    }
}

/** The password part of a URL like postgres://user:pass@host/db, or undefined when none is inline. */
export function urlPassword(value: string): string | undefined {
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:([^@/]*)@/i.exec(value);
    if (!match) {
        return undefined;
    }
    try {
        return decodeURIComponent(match[1]);
    } catch {
        return match[1];
    }
}

// age identities (AGE-SECRET-KEY-1...) are bech32 of 32 key bytes: the program derives one from RandomBytes.hex.
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** The hex of the key bytes of an age identity, or undefined when the value is not one. */
export function ageIdentityHex(value: string): string | undefined {
    const match = /^AGE-SECRET-KEY-1([02-9AC-HJ-NP-Z]+)$/i.exec(value.trim());
    if (!match) {
        return undefined;
    }
    const data = [...match[1].toLowerCase()].map((c) => BECH32.indexOf(c)).slice(0, -6);
    let acc = 0;
    let bits = 0;
    const bytes: number[] = [];
    for (const d of data) {
        acc = (acc << 5) | d;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            bytes.push((acc >> bits) & 0xff);
        }
    }
    return bytes.length === 32 ? Buffer.from(bytes).toString("hex") : undefined;
}

/** One env entry that carries a secret, as digests only. */
export interface SecretEntry {
    readonly name: string;
    /** "value" for a secret-named variable, "URL password" for a password inline in a connection URL. */
    readonly part: "value" | "URL password";
    /** Digests of the forms the value may have been generated in (itself; an age identity's key bytes as hex). */
    readonly digests: readonly string[];
}

/**
 * The secret-bearing entries of an env list, every occurrence (a duplicate name is passed to the container too).
 * Entries unknown until apply are counted, not named: the engine sends "NAME=value" as one unknown string.
 */
export function secretEntries(envs: readonly unknown[]): { entries: SecretEntry[]; unknown: number } {
    const entries: SecretEntry[] = [];
    let unknown = 0;
    for (const entry of envs) {
        if (typeof entry !== "string" || isUnknown(entry)) {
            unknown++;
            continue;
        }
        const eq = entry.indexOf("=");
        if (eq < 0) {
            continue;
        }
        const name = entry.slice(0, eq);
        const value = entry.slice(eq + 1);
        if (isSecretEnvName(name.trim())) {
            const age = ageIdentityHex(value);
            entries.push({ name, part: "value", digests: age ? [digestOf(value), digestOf(age)] : [digestOf(value)] });
        }
        const password = urlPassword(value);
        if (password !== undefined && password !== "") {
            entries.push({ name, part: "URL password", digests: [digestOf(password)] });
        }
    }
    return { entries, unknown };
}
