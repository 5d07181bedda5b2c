// What the pack knows of the stack under review. The Pulumi CLI configures the pack with the stack's config
// (AnalyzerStackConfigureRequest) and the Node.js language host starts the pack only after that, with the config as
// JSON in PULUMI_CONFIG ("namespace:key" -> string; pulumi-language-nodejs RunPlugin). So a rule that depends on a
// choice the operator makes in stack config (which host ports the proxy publishes) follows that config instead of
// a second copy of it in the policy config. The program reads the same keys through the same names.
import { CONFIG_NAMESPACE, DEFAULT_PUBLIC_PORTS, PublicPortKey } from "bulwark-vocabulary";

/** The stack's `publishAddress`, when it sets one. */
export function configuredPublishAddress(config: Readonly<Record<string, string>>): string | undefined {
    return config[`${CONFIG_NAMESPACE}:publishAddress`];
}

/**
 * An object the stack sets under `bulwark:<key>` (the engine hands it as JSON text, e.g. offsiteBackup); {} when
 * the key is unset, not JSON or not an object, as the program would not have run with it.
 */
export function configuredObject(config: Readonly<Record<string, string>>, key: string): Readonly<Record<string, unknown>> {
    try {
        const parsed: unknown = JSON.parse(config[`${CONFIG_NAMESPACE}:${key}`] ?? "{}");
        return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
        return {};
    }
}

/** The stack config the engine handed this process, or undefined when it runs outside a stack (no PULUMI_CONFIG). */
export function engineStackConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string>> | undefined {
    const raw = env.PULUMI_CONFIG;
    if (raw === undefined || raw === "") {
        return undefined;
    }
    try {
        const parsed = JSON.parse(raw);
        return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
    } catch {
        return {};
    }
}

/**
 * The host ports the stack configures for the proxy, each with where it came from. A value that is not a port
 * number is reported as such, so the policy can say what is wrong instead of guessing.
 */
export function configuredPublicPorts(config: Readonly<Record<string, string>>): { key: PublicPortKey; port?: number; raw?: string }[] {
    return (Object.keys(DEFAULT_PUBLIC_PORTS) as PublicPortKey[]).map((key) => {
        const raw = config[`${CONFIG_NAMESPACE}:${key}`];
        if (raw === undefined) {
            return { key, port: DEFAULT_PUBLIC_PORTS[key] };
        }
        const port = Number(raw);
        return Number.isInteger(port) && port >= 1 && port <= 65535 ? { key, port, raw } : { key, raw };
    });
}
