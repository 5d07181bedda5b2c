// The reader: typed access to raw config that records a problem for each bad value instead of throwing, so one
// run reports every problem at once; throwIfProblems ends the run with all of them.
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "./defaults";
import type { ConfigProblem, ConfigSource } from "./types";

export class ConfigError extends Error {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(
            `bulwark: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}; nothing was deployed.\n` +
                problems.map((p) => `  - ${NAMESPACE}:${p.key}: ${p.message} Fix: ${p.fix}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export function pulumiConfigSource(): ConfigSource {
    // isConfigSecret is not in the typings but is how the SDK itself tells secret config apart.
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return {
        stack: pulumi.getStack(),
        get: (key) => pulumi.runtime.getConfig(`${NAMESPACE}:${key}`),
        isSecret: (key) => runtimeConfig.isConfigSecret?.(`${NAMESPACE}:${key}`) ?? false,
    };
}

export class ConfigReader {
    private readonly problems: ConfigProblem[] = [];

    constructor(private readonly source: ConfigSource) {}

    get stack(): string {
        return this.source.stack;
    }

    /** Problems so far: a check that only makes sense on valid inputs compares it before and after reading them. */
    get problemCount(): number {
        return this.problems.length;
    }

    problem(key: string, message: string, fix: string): void {
        this.problems.push({ key, message, fix });
    }

    /** Throws one ConfigError listing every problem recorded, in the order they were found. */
    throwIfProblems(): void {
        if (this.problems.length > 0) {
            throw new ConfigError(this.problems);
        }
    }

    /** The raw string, with "" taken as unset. */
    raw(key: string): string | undefined {
        const value = this.source.get(key);
        return value === undefined || value === "" ? undefined : value;
    }

    text(key: string, fallback: string): string {
        return this.raw(key) ?? fallback;
    }

    json<T>(key: string, fallback: T): T {
        const value = this.raw(key);
        if (value === undefined) {
            return fallback;
        }
        try {
            return JSON.parse(value) as T;
        } catch {
            this.problem(key, `is not valid structured config (${JSON.stringify(value)}).`, `set it with \`pulumi config set --path '${key}...' VALUE\` or as a YAML object/list in Pulumi.<stack>.yaml.`);
            return fallback;
        }
    }

    /** A structured key that must hold a map (YAML object); anything else is reported, never ignored. */
    object(key: string): Record<string, unknown> {
        const value = this.json<unknown>(key, {});
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            this.problem(key, `must be a map of settings, got ${JSON.stringify(value)}.`, `set its fields with \`pulumi config set --path '${key}.<field>' VALUE\`, or remove it with \`pulumi config rm ${key}\`.`);
            return {};
        }
        return value as Record<string, unknown>;
    }

    number(key: string, fallback: number, min: number, max: number, integer = true): number {
        const value = this.raw(key);
        return this.checkNumber(key, value === undefined ? fallback : Number(value), min, max, integer, value);
    }

    /** Checks a number read some other way (a field of a map); `shown` is what the message quotes. */
    checkNumber(key: string, n: unknown, min: number, max: number, integer: boolean, shown: unknown = n): number {
        if (typeof n !== "number" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
            this.problem(key, `must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${JSON.stringify(shown)}.`, `run \`pulumi config set ${key} <${min}..${max}>\`.`);
            return min;
        }
        return n;
    }

    bool(key: string, value: unknown, fallback: boolean): boolean {
        if (value === undefined) {
            return fallback;
        }
        if (typeof value === "boolean") {
            return value;
        }
        if (value === "true" || value === "false") {
            return value === "true";
        }
        this.problem(key, `must be true or false, got ${JSON.stringify(value)}.`, `run \`pulumi config set --path ${key} true\` (or false).`);
        return fallback;
    }

    /** A value that must never sit in plain config: it is accepted only as a Pulumi secret. */
    secret(key: string): pulumi.Output<string> | undefined {
        const value = this.raw(key);
        if (value === undefined) {
            return undefined;
        }
        if (!this.source.isSecret(key)) {
            this.problem(key, "is stored in plain text in the stack config (SEC-01).", `remove it and run \`pulumi config set --secret ${key} ...\`.`);
        }
        return pulumi.secret(value);
    }
}
