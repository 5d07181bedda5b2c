// The application: how its containers run (backend, frontend), and what the API enforces: CORS, token
// lifetimes, the sign-in rate limit, the request body limit and the Google client secret.
import type { NonRootUser } from "../hardening";
import { APP_DEFAULTS, LIMITS } from "./defaults";
import type { ConfigReader } from "./reader";
import { publicOrigin, type StackBasics } from "./stack";
import type { AppServiceConfig, BulwarkConfig } from "./types";

export type AppServicesConfig = Pick<BulwarkConfig, "backend" | "frontend">;
export type ApiConfig = Pick<BulwarkConfig, "corsOrigins" | "jwtAccessTtlSeconds" | "jwtRefreshTtlSeconds">;
export type AuthConfig = Pick<BulwarkConfig, "authRateLimit" | "requestBodyLimitMb" | "googleClientSecret">;

/** A configured image gets the defaults for user images; none, the demo stand-in's. */
export function parseAppServices(r: ConfigReader, images: Pick<BulwarkConfig, "backendImage" | "frontendImage">): AppServicesConfig {
    const backend = appService(r, "backend", images.backendImage !== undefined);
    const frontend = appService(r, "frontend", images.frontendImage !== undefined);
    // CON-08: nproc, the only process limit the provider offers, counts per uid across the host.
    const uidOf = (user: string) => user.split(":")[0];
    if (/^\d+:\d+$/.test(backend.user) && /^\d+:\d+$/.test(frontend.user) && Number(uidOf(backend.user)) === Number(uidOf(frontend.user))) {
        r.problem(
            "frontend.user",
            `runs as uid ${uidOf(frontend.user)}, like backend.user: the nproc limit counts a uid's processes across the host, so the two would share one process budget (CON-08).`,
            `give the frontend a uid of its own: \`pulumi config set --path frontend.user ${Number(uidOf(backend.user)) + 1}:${frontend.user.split(":")[1]}\` (the group may stay).`,
        );
    }
    return { backend, frontend };
}

function appService(r: ConfigReader, key: "backend" | "frontend", custom: boolean): AppServiceConfig {
    const defaults = custom ? APP_DEFAULTS.custom[key] : APP_DEFAULTS.demo[key];
    const given = r.object(key);
    const user = given.user ?? defaults.user;
    // Compare as numbers: "00:00" is root too.
    const ids = typeof user === "string" && /^\d+:\d+$/.test(user) ? user.split(":").map(Number) : [];
    if (ids.length !== 2 || ids.includes(0)) {
        r.problem(`${key}.user`, `must be a numeric non-root uid:gid such as "1000:1000", got ${JSON.stringify(user)} (CON-05).`, `run \`pulumi config set --path ${key}.user 1000:1000\` with the uid your image runs as.`);
    }
    const healthCommand = given.healthCommand ?? defaults.healthCommand;
    if (!Array.isArray(healthCommand) || healthCommand.length === 0 || !healthCommand.every((c) => typeof c === "string" && c !== "")) {
        r.problem(`${key}.healthCommand`, `must be a non-empty list of strings (exec form), got ${JSON.stringify(healthCommand)} (LOG-05).`, `run \`pulumi config set --path '${key}.healthCommand[0]' curl\` and so on for each argument.`);
    }
    const writablePaths = given.writablePaths ?? defaults.writablePaths;
    if (!Array.isArray(writablePaths) || !writablePaths.every((p) => typeof p === "string" && /^\/[\w./-]*[\w-]$/.test(p) && !p.includes(".."))) {
        r.problem(`${key}.writablePaths`, `must be a list of absolute paths below / (never / itself), got ${JSON.stringify(writablePaths)} (CON-06).`, `run \`pulumi config set --path '${key}.writablePaths[0]' /tmp\`.`);
    }
    return { user: user as NonRootUser, healthCommand: healthCommand as [string, ...string[]], writablePaths: writablePaths as string[] };
}

/** CORS origins (default: the site's own origin) and the JWT lifetimes. */
export function parseApi(r: ConfigReader, basics: StackBasics): ApiConfig {
    const corsOrigins = parseCorsOrigins(r, basics);
    const jwtAccessTtlSeconds = r.number("jwtAccessTtlSeconds", 900, LIMITS.jwtAccessTtlSeconds.min, LIMITS.jwtAccessTtlSeconds.max);
    const jwtRefreshTtlSeconds = r.number("jwtRefreshTtlSeconds", 1209600, LIMITS.jwtRefreshTtlSeconds.min, LIMITS.jwtRefreshTtlSeconds.max);
    if (jwtRefreshTtlSeconds <= jwtAccessTtlSeconds) {
        r.problem("jwtRefreshTtlSeconds", "must be longer than jwtAccessTtlSeconds, or refresh tokens would expire first.", "run `pulumi config set jwtRefreshTtlSeconds 1209600`.");
    }
    return { corsOrigins, jwtAccessTtlSeconds, jwtRefreshTtlSeconds };
}

function parseCorsOrigins(r: ConfigReader, { prod, domain, httpsPort }: StackBasics): string[] {
    const corsOrigins = r.json<unknown>("corsOrigins", [publicOrigin(domain || "localhost", httpsPort)]);
    if (!Array.isArray(corsOrigins) || corsOrigins.length === 0 || !corsOrigins.every((o) => typeof o === "string")) {
        r.problem("corsOrigins", "must be a non-empty list of origins.", "run `pulumi config set --path 'corsOrigins[0]' https://app.example.com`.");
    } else {
        for (const origin of corsOrigins as string[]) {
            if (origin.includes("*")) {
                r.problem("corsOrigins", `contains the wildcard ${JSON.stringify(origin)}; any site could call the API with the user's credentials (APP-01).`, "list each allowed origin, e.g. `pulumi config set --path 'corsOrigins[0]' https://app.example.com`.");
            } else if (!/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin) && !(!prod && /^http:\/\/localhost(:\d{1,5})?$/.test(origin))) {
                r.problem("corsOrigins", `has ${JSON.stringify(origin)}, which is not an https origin (scheme://host[:port], no path).`, "use origins like https://app.example.com.");
            }
        }
    }
    return corsOrigins as string[];
}

/** The sign-in rate limit, the request body limit and the Google client secret (required in prod). */
export function parseAuth(r: ConfigReader, prod: boolean): AuthConfig {
    const rateRaw = r.object("authRateLimit");
    const authRateLimit = {
        requestsPerMinute: r.checkNumber("authRateLimit.requestsPerMinute", rateRaw.requestsPerMinute ?? 10, LIMITS.requestsPerMinute.min, LIMITS.requestsPerMinute.max, true),
        burst: r.checkNumber("authRateLimit.burst", rateRaw.burst ?? 5, LIMITS.burst.min, LIMITS.burst.max, true),
    };
    const requestBodyLimitMb = r.number("requestBodyLimitMb", 10, LIMITS.requestBodyLimitMb.min, LIMITS.requestBodyLimitMb.max);
    const googleClientSecret = r.secret("googleClientSecret");
    if (prod && !googleClientSecret) {
        r.problem("googleClientSecret", "is required in prod for Google sign-in (SEC-01).", "run `pulumi config set --secret googleClientSecret <value from the Google console>`.");
    }
    return { authRateLimit, requestBodyLimitMb, googleClientSecret };
}
