// APP-01: the backend trusts cross-origin requests only from known HTTPS origins. A wildcard lets any site
// read API responses with the user's credentials; a plain-http origin can be spoofed on the network.
import { resourcePolicy } from "../lib/policy";
import { APP_ENVIRONMENT_VARIABLES, productionOf } from "../lib/app-env";
import { appEnvMayHide, containerLabel, envsOf, undecidedEnv, validateContainer } from "../lib/docker-refs";

interface Config {
    allowLocalhost: boolean;
    corsEnvNames: string[];
}

/** Why an origin is not acceptable, or undefined. */
export function originProblem(origin: string, allowLocalhost: boolean): string | undefined {
    if (origin.includes("*")) {
        return "is a wildcard";
    }
    let url: URL;
    try {
        url = new URL(origin);
    } catch {
        return "is not a valid origin (expected https://host[:port])";
    }
    const localhost = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    if (url.protocol === "http:" && localhost && allowLocalhost) {
        return undefined;
    }
    if (url.protocol !== "https:") {
        return `uses ${url.protocol.replace(/:$/, "")} instead of https`;
    }
    if (!url.hostname) {
        return "has no host";
    }
    return undefined;
}

export const appCorsNoWildcard = resourcePolicy({
    name: "app-cors-no-wildcard",
    controls: ["APP-01"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "A container's CORS_ORIGINS env lists only explicit https origins: no '*' (alone or inside an origin) and " +
        "no http origin, except http://localhost when allowLocalhost is set for development stacks and the container " +
        "is not in production (RAILS_ENV, RACK_ENV, APP_ENV or NODE_ENV production, in any case).",
    remediationSteps:
        "Set CORS_ORIGINS to the comma-separated https origins of the frontends that call the API, e.g. " +
        "`https://app.example.com` (bulwark config `corsOrigins`).",
    configSchema: {
        properties: {
            allowLocalhost: { type: "boolean", default: false, description: "Accept http://localhost origins (development only)" },
            corsEnvNames: {
                type: "array",
                items: { type: "string" },
                default: ["CORS_ORIGINS"],
                description: "Env variables that hold the allowed CORS origins",
            },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const envs = envsOf(props);
        // A production container never gets the development allowance, however production is spelled.
        const production = productionOf(props, envs, APP_ENVIRONMENT_VARIABLES, ["production"]);
        if (config.allowLocalhost && production.undecided) {
            undecidedEnv(args, args.urn, production.undecided);
        }
        const allowLocalhost = config.allowLocalhost && !production.by && !production.undecided;
        for (const envName of config.corsEnvNames) {
            if (appEnvMayHide(props, envs, envName)) {
                undecidedEnv(args, args.urn, envName);
                continue;
            }
            const value = envs.get(envName)?.value;
            if (value === undefined) {
                continue;
            }
            const origins = value.split(/[\s,]+/).filter(Boolean);
            for (const origin of origins) {
                const problem = originProblem(origin, allowLocalhost);
                if (problem) {
                    reportViolation(
                        `[APP-01] Container ${containerLabel(props, args.name)}: ${envName} origin '${origin}' ${problem}. ` +
                            "List only the known https origins of the frontend, e.g. https://app.example.com.",
                    );
                }
            }
        }
    }),
});
