// Whether a container runs in production, however the program says it: Rails reads RAILS_ENV, then RACK_ENV
// (Rails.env), Rack and Sinatra read RACK_ENV or APP_ENV, Node reads NODE_ENV; and a value is compared as the
// operator meant it (" Production " is production), since a rule that only knows `RAILS_ENV=production` is
// switched off by spelling it another way.
import { appEnvMayHide, ContainerProps, EnvList } from "./docker-refs";

/** The variables that can put the Rails backend in production. */
export const RAILS_ENVIRONMENT_VARIABLES: readonly string[] = ["RAILS_ENV", "RACK_ENV", "APP_ENV"];
/** Every variable that can put an application container (backend or JS frontend) in production. */
export const APP_ENVIRONMENT_VARIABLES: readonly string[] = [...RAILS_ENVIRONMENT_VARIABLES, "NODE_ENV"];

export interface ProductionVerdict {
    /** The variable and value that make it production; undefined when none does. */
    readonly by?: { readonly name: string; readonly value: string };
    /** No variable says production, but one may be among the entries unknown until apply. */
    readonly undecided?: string;
}

export function productionOf(
    props: ContainerProps,
    envs: EnvList,
    names: readonly string[],
    productionValues: readonly string[],
): ProductionVerdict {
    const wanted = new Set(productionValues.map((v) => v.trim().toLowerCase()));
    for (const name of names) {
        const value = envs.get(name)?.value;
        if (value !== undefined && wanted.has(value.trim().toLowerCase())) {
            return { by: { name, value } };
        }
    }
    const hidden = names.find((name) => appEnvMayHide(props, envs, name));
    return hidden ? { undecided: hidden } : {};
}
