// SEC-02: whatever produced them, the secrets that reach the backend must be long enough: `rails secret` prints
// 128 hex characters (64 bytes), and a JWT HMAC key needs at least 32 random bytes (`openssl rand -hex 32`).
// This runs on outputs, so it also sees values the program computed; unknown values pass.
import { stackPolicy } from "../lib/policy";
import { appEnvMayHide, containerLabel, containerProps, containersOf, envsOf, undecidedEnv } from "../lib/docker-refs";

interface Config {
    minSecretKeyBaseLength: number;
    minJwtSecretBytes: number;
}

/** Bytes of key material in a secret string: hex carries 4 bits a character, base64 6, anything else is counted as 6 too. */
export function secretBytes(value: string): number {
    if (/^[0-9a-f]+$/i.test(value)) {
        return Math.floor(value.length / 2);
    }
    return Math.floor((value.replace(/=+$/, "").length * 6) / 8);
}

export const secretRailsKeyLength = stackPolicy({
    name: "secret-rails-key-length",
    controls: ["SEC-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "SECRET_KEY_BASE on any container is at least 128 characters (64 bytes as hex) and JWT_SECRET carries at " +
        "least 32 bytes (64 hex characters), when the values are known.",
    remediationSteps:
        "Generate SECRET_KEY_BASE from `new random.RandomBytes(..., { length: 64 }).hex` and JWT_SECRET from " +
        "`new random.RandomBytes(..., { length: 32 }).hex` (or `rails secret` / `openssl rand -hex 32` into secret config).",
    configSchema: {
        properties: {
            minSecretKeyBaseLength: { type: "integer", minimum: 1, default: 128, description: "Minimum SECRET_KEY_BASE length in characters" },
            minJwtSecretBytes: { type: "integer", minimum: 1, default: 32, description: "Minimum JWT_SECRET key material in bytes" },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        for (const container of containersOf(args.resources)) {
            const props = containerProps(container);
            const label = containerLabel(props, container.name);
            const envs = envsOf(props);
            for (const name of ["SECRET_KEY_BASE", "JWT_SECRET"]) {
                if (appEnvMayHide(props, envs, name)) {
                    undecidedEnv(args, container.urn, name);
                }
            }
            const keyBase = envs.get("SECRET_KEY_BASE")?.value;
            if (keyBase !== undefined && keyBase.length < config.minSecretKeyBaseLength) {
                reportViolation(
                    `[SEC-02] Container ${label}: SECRET_KEY_BASE is ${keyBase.length} characters; at least ` +
                        `${config.minSecretKeyBaseLength} are required (64 random bytes as hex). Generate it with ` +
                        "random.RandomBytes({ length: 64 }).hex or `rails secret`.",
                    container.urn,
                );
            }
            const jwt = envs.get("JWT_SECRET")?.value;
            if (jwt !== undefined && secretBytes(jwt) < config.minJwtSecretBytes) {
                reportViolation(
                    `[SEC-02] Container ${label}: JWT_SECRET carries about ${secretBytes(jwt)} bytes of key material; at least ` +
                        `${config.minJwtSecretBytes} are required (${config.minJwtSecretBytes * 2} hex characters). Generate it with ` +
                        `random.RandomBytes({ length: ${config.minJwtSecretBytes} }).hex or \`openssl rand -hex ${config.minJwtSecretBytes}\`.`,
                    container.urn,
                );
            }
        }
    },
});
