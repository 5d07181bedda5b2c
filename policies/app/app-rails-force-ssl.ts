// NET-05: in production Rails must redirect to HTTPS, set HSTS and mark cookies Secure itself, so that a
// proxy misconfiguration cannot silently serve the app over plain HTTP.
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { productionOf, RAILS_ENVIRONMENT_VARIABLES } from "../lib/app-env";
import { containerLabel, envsOf, undecidedEnv, validateContainer } from "../lib/docker-refs";

interface Config {
    productionValues: string[];
    environmentVariables: string[];
}

export const appRailsForceSsl = resourcePolicy({
    name: "app-rails-force-ssl",
    controls: ["NET-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "A container in production sets RAILS_FORCE_SSL=true. Production is recognised however it is said: RAILS_ENV, " +
        "RACK_ENV (which Rails reads when RAILS_ENV is unset) or APP_ENV, in any case and with surrounding spaces.",
    remediationSteps:
        "Add `RAILS_FORCE_SSL=true` to the backend container's env (and keep `config.force_ssl` reading it in " +
        "config/environments/production.rb).",
    configSchema: {
        properties: {
            productionValues: {
                type: "array",
                items: { type: "string" },
                default: ["production"],
                description: "Environment values that count as production (compared trimmed, in any case)",
            },
            environmentVariables: {
                type: "array",
                items: { type: "string" },
                default: [...RAILS_ENVIRONMENT_VARIABLES],
                description: "Env variables that name the Rails environment",
            },
        },
    },
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const envs = envsOf(props);
        const production = productionOf(props, envs, config.environmentVariables, config.productionValues);
        if (production.undecided) {
            undecidedEnv(args, args.urn, production.undecided);
            return;
        }
        if (!production.by) {
            return;
        }
        const railsEnv = `${production.by.name}=${production.by.value.trim()}`;
        const forceSsl = envs.get("RAILS_FORCE_SSL");
        const label = containerLabel(props, args.name);
        if (!forceSsl) {
            if (!envs.isMissing("RAILS_FORCE_SSL")) {
                // Fail closed: a production container must show RAILS_FORCE_SSL=true as a value known at preview,
                // not leave it to entries that are unknown until apply.
                markUndecided(args, args.urn, "envs[RAILS_FORCE_SSL]", `${label} runs ${railsEnv}: add RAILS_FORCE_SSL=true as a literal entry, so a preview can see it`);
                return;
            }
            reportViolation(`[NET-05] Container ${label} runs ${railsEnv} without RAILS_FORCE_SSL. Add RAILS_FORCE_SSL=true to its env.`);
        } else if ((forceSsl.value ?? "").trim().toLowerCase() !== "true") {
            reportViolation(
                `[NET-05] Container ${label} runs ${railsEnv} with RAILS_FORCE_SSL=${forceSsl.value}. Set RAILS_FORCE_SSL=true.`,
            );
        }
    }),
});
