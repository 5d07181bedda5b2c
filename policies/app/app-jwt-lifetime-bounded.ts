// APP-02: a stolen access token is useful only until it expires, so its lifetime is bounded, and refresh
// tokens (which mint new access tokens) are bounded too. The stack passes both lifetimes to the app as env.
import { isSecretEnvName } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";
import { appEnvMayHide, containerLabel, envsOf, undecidedEnv, validateContainer } from "../lib/docker-refs";

interface Config {
    minAccessTtlSeconds: number;
    maxAccessTtlSeconds: number;
    maxRefreshTtlSeconds: number;
}

export const appJwtLifetimeBounded = resourcePolicy({
    name: "app-jwt-lifetime-bounded",
    controls: ["APP-02"],
    severity: "medium",
    enforcementLevel: "mandatory",
    description:
        "A container that sets a JWT signing secret (JWT_SECRET or any secret-named JWT variable) also sets JWT_ACCESS_TTL_SECONDS between 60 and 3600 seconds and " +
        "JWT_REFRESH_TTL_SECONDS of at most 30 days (2592000 seconds); both bounds are configurable.",
    remediationSteps:
        "Set JWT_ACCESS_TTL_SECONDS (e.g. 900) and JWT_REFRESH_TTL_SECONDS (e.g. 1209600) on the backend through the " +
        "bulwark config `jwtAccessTtlSeconds` / `jwtRefreshTtlSeconds`, within the policy's bounds.",
    configSchema: {
        properties: {
            minAccessTtlSeconds: { type: "integer", minimum: 1, default: 60, description: "Shortest access token lifetime" },
            maxAccessTtlSeconds: { type: "integer", minimum: 1, default: 3600, description: "Longest access token lifetime" },
            maxRefreshTtlSeconds: { type: "integer", minimum: 1, default: 2592000, description: "Longest refresh token lifetime" },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const envs = envsOf(props);
        // Any JWT signing secret, however named (JWT_SECRET, JWT_SECRET_KEY, DEVISE_JWT_SECRET_KEY, JWT_PRIVATE_KEY).
        const signer = [...envs.values()].find((e) => /JWT/i.test(e.name) && isSecretEnvName(e.name))?.name;
        const signs = signer !== undefined;
        if (!signs && !appEnvMayHide(props, envs, "JWT_SECRET")) {
            return; // only the container that signs tokens needs lifetimes
        }
        const label = containerLabel(props, args.name);
        const check = (name: string, min: number, max: number, example: number) => {
            const entry = envs.get(name);
            if (!entry) {
                if (!signs) {
                    // JWT_SECRET may be among the entries unknown until apply: whether lifetimes are needed is open.
                    undecidedEnv(args, args.urn, "JWT_SECRET");
                } else if (!envs.isMissing(name)) {
                    undecidedEnv(args, args.urn, name);
                } else {
                    reportViolation(
                        `[APP-02] Container ${label} signs JWTs (${signer}) but does not set ${name}; tokens would not have a ` +
                            `bounded lifetime. Add ${name}=${example} (allowed ${min}..${max}).`,
                    );
                }
                return;
            }
            const seconds = entry.value !== undefined && /^\s*\d+\s*$/.test(entry.value) ? Number(entry.value) : NaN;
            if (!Number.isSafeInteger(seconds)) {
                reportViolation(`[APP-02] Container ${label}: ${name}='${entry.value}' is not a whole number of seconds. Set it to e.g. ${example}.`);
            } else if (seconds < min || seconds > max) {
                reportViolation(`[APP-02] Container ${label}: ${name}=${seconds} is outside the allowed ${min}..${max} seconds. Set it to e.g. ${example}.`);
            }
        };
        check("JWT_ACCESS_TTL_SECONDS", config.minAccessTtlSeconds, config.maxAccessTtlSeconds, Math.min(900, config.maxAccessTtlSeconds));
        check("JWT_REFRESH_TTL_SECONDS", 1, config.maxRefreshTtlSeconds, Math.min(1209600, config.maxRefreshTtlSeconds));
    }),
});
