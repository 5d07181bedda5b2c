// NET-05: in production Rails must redirect to HTTPS, set HSTS and mark cookies Secure itself, so that a
// proxy misconfiguration cannot silently serve the app over plain HTTP.
import { resourcePolicy } from "../lib/policy";
import { appEnvMayHide, containerLabel, envsOf, undecidedEnv, validateContainer } from "../lib/docker-refs";

interface Config {
    productionValues: string[];
}

export const appRailsForceSsl = resourcePolicy({
    name: "app-rails-force-ssl",
    controls: ["NET-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    description: "A container with RAILS_ENV=production sets RAILS_FORCE_SSL=true.",
    remediationSteps:
        "Add `RAILS_FORCE_SSL=true` to the backend container's env (and keep `config.force_ssl` reading it in " +
        "config/environments/production.rb).",
    configSchema: {
        properties: {
            productionValues: {
                type: "array",
                items: { type: "string" },
                default: ["production"],
                description: "RAILS_ENV values that count as production",
            },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const envs = envsOf(props);
        const railsEnv = envs.get("RAILS_ENV")?.value;
        if (appEnvMayHide(props, envs, "RAILS_ENV")) {
            undecidedEnv(args, args.urn, "RAILS_ENV");
            return;
        }
        if (railsEnv === undefined || !config.productionValues.includes(railsEnv)) {
            return;
        }
        const forceSsl = envs.get("RAILS_FORCE_SSL");
        const label = containerLabel(props, args.name);
        if (!forceSsl) {
            if (!envs.isMissing("RAILS_FORCE_SSL")) {
                undecidedEnv(args, args.urn, "RAILS_FORCE_SSL");
                return;
            }
            reportViolation(`[NET-05] Container ${label} runs RAILS_ENV=${railsEnv} without RAILS_FORCE_SSL. Add RAILS_FORCE_SSL=true to its env.`);
        } else if ((forceSsl.value ?? "").trim().toLowerCase() !== "true") {
            reportViolation(
                `[NET-05] Container ${label} runs RAILS_ENV=${railsEnv} with RAILS_FORCE_SSL=${forceSsl.value}. Set RAILS_FORCE_SSL=true.`,
            );
        }
    }),
});
