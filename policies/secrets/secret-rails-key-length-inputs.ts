// SEC-02, decided per container before it is created: secret-rails-key-length is a stack policy, which `pulumi up`
// runs only after the update; this one reads the same two settings from the container's own inputs, so `up`
// refuses a short SECRET_KEY_BASE or JWT_SECRET before the step. In a preview, entries unknown until apply (from a
// random resource) are left to secret-rails-key-length, which relates them to their random resource.
import { unknownCannotMatter } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { appEnvMayHide, containerLabel, envsOf, validateContainer } from "../lib/docker-refs";
import { RAILS_KEY_LENGTH_REMEDIATION, RAILS_KEY_LENGTH_SCHEMA, RailsKeyLengthConfig, secretBytes } from "./secret-rails-key-length";

type Config = RailsKeyLengthConfig;

export const secretRailsKeyLengthInputs = resourcePolicy({
    name: "secret-rails-key-length-inputs",
    controls: ["SEC-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "A container's own SECRET_KEY_BASE is at least 128 characters and its JWT_SECRET carries at least 32 bytes, " +
        "judged on its inputs before it is created.",
    remediationSteps: RAILS_KEY_LENGTH_REMEDIATION,
    configSchema: RAILS_KEY_LENGTH_SCHEMA,
    validateResource: validateContainer((props, args, reportViolation) => {
        const config = args.getConfig<Config>();
        const label = containerLabel(props, args.name);
        const envs = envsOf(props);
        if (["SECRET_KEY_BASE", "JWT_SECRET"].some((name) => appEnvMayHide(props, envs, name))) {
            unknownCannotMatter(
                "envs (entries unknown at preview) of an app container, per resource",
                "a resource policy cannot see what an unknown entry derives from; secret-rails-key-length (a stack policy, which " +
                    "sees the engine's property dependencies) decides it in the preview, and `pulumi up` sends this policy every value",
            );
        }
        const keyBase = envs.get("SECRET_KEY_BASE")?.value;
        if (keyBase !== undefined && keyBase.length < config.minSecretKeyBaseLength) {
            reportViolation(
                `[SEC-02] Container ${label}: SECRET_KEY_BASE is ${keyBase.length} characters; at least ${config.minSecretKeyBaseLength} ` +
                    "are required (64 random bytes as hex). Generate it with random.RandomBytes({ length: 64 }).hex or `rails secret`.",
            );
        }
        const jwt = envs.get("JWT_SECRET")?.value;
        if (jwt !== undefined && secretBytes(jwt) < config.minJwtSecretBytes) {
            reportViolation(
                `[SEC-02] Container ${label}: JWT_SECRET carries about ${secretBytes(jwt)} bytes of key material; at least ` +
                    `${config.minJwtSecretBytes} are required. Generate it with random.RandomBytes({ length: ${config.minJwtSecretBytes} }).hex.`,
            );
        }
    }),
});
