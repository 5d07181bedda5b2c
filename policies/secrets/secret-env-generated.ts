// SEC-01 by meaning: a secret reaches a container only from a generator of the stack or from secret config, never
// as a literal, however strong it looks. The document asks for a Pulumi secret; the pack cannot see one (see
// lib/secret-sources.ts: @pulumi/policy unwraps secrets before validations), so it enforces the nearest rule it can
// prove: every known secret entry equals a value a strong generator of the stack produced (RandomPassword/String
// result, RandomBytes/Id hex or base64, an age identity made from RandomBytes, an IAM access key's secret) or a secret
// config value; and a container's env list depends (propertyDependencies.envs) on no generator weaker than a secret
// needs. In a preview of a new stack the generators' values are unknown, and so is every entry made from them: those
// entries pass here; a known one then matches secret config or nothing. What is left open: an entry unknown in the
// preview because it is made from another resource's unknown output (not a generator) is decided by `pulumi up`.
import { isUnknown } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { containerLabel, containerProps, containersOf } from "../lib/docker-refs";
import { forgetSeenEnvs, seenEnvs } from "../lib/secret-memo";
import { generatedDigests, generatorWeakness, isGenerator, secretEntries, SecretEntry } from "../lib/secret-sources";

interface Config {
    minGeneratedLength: number;
    minGeneratedBytes: number;
}

export const secretEnvGenerated = stackPolicy({
    name: "secret-env-generated",
    controls: ["SEC-01"],
    severity: "critical",
    enforcementLevel: "mandatory",
    description:
        "Every container env variable that carries a secret (the vocabulary's secret names, and passwords inline in " +
        "connection URLs) holds a value produced by a generator of the stack (@pulumi/random, an IAM access key, a TLS " +
        "private key) or by secret config, never a literal. The pack cannot tell a Pulumi secret from a plain value " +
        "(@pulumi/policy unwraps secrets before a policy runs), so it compares values; in a preview of a new stack, " +
        "entries unknown because they are generated pass, and the env list must depend on no generator weaker than " +
        "a secret needs.",
    remediationSteps:
        "Generate the secret with @pulumi/random (RandomPassword { length: 32+ } or RandomBytes { length: 32+ }) or " +
        "read it with `config.requireSecret` after `pulumi config set --secret <key>`, and pass that Output into the " +
        "env (pulumi.interpolate for a URL). Rotate any value that was written into code.",
    configSchema: {
        properties: {
            minGeneratedLength: { type: "integer", minimum: 1, default: 32, description: "Shortest RandomPassword/RandomString a secret may come from" },
            minGeneratedBytes: { type: "integer", minimum: 1, default: 32, description: "Fewest RandomBytes/RandomId bytes a secret may come from" },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        try {
            const generated = generatedDigests(args.resources, config.minGeneratedLength, config.minGeneratedBytes);
            for (const container of containersOf(args.resources)) {
                const props = containerProps(container);
                const label = containerLabel(props, container.name);
                let entries: readonly SecretEntry[] = [];
                if (Array.isArray(props.envs)) {
                    entries = secretEntries(props.envs).entries;
                } else if (isUnknown(props.envs)) {
                    // The planned state hides the list; what Analyze saw of it tells the entries.
                    const seen = seenEnvs(container.urn);
                    if (seen === undefined) {
                        markUndecided(args, container.urn, "envs");
                    } else {
                        entries = seen.entries;
                    }
                }
                for (const entry of entries) {
                    if (!entry.digests.some((d) => generated.has(d))) {
                        const what = entry.part === "value" ? `env ${entry.name}` : `the password inline in env ${entry.name}`;
                        reportViolation(
                            `[SEC-01] Container ${label}: ${what} is not a value any generator of the stack produced nor a ` +
                                "secret config value: it is written in code or plain config (however strong it looks). " +
                                "Generate it with @pulumi/random or read it with config.requireSecret, and pass the Output.",
                            container.urn,
                        );
                    }
                }
                for (const source of container.propertyDependencies.envs ?? []) {
                    const weakness = isGenerator(source) ? generatorWeakness(source, config.minGeneratedLength, config.minGeneratedBytes) : undefined;
                    if (weakness) {
                        reportViolation(
                            `[SEC-01] Container ${label}: its env is built from ${source.type.split(":").pop()} '${source.name}' ` +
                                `with ${weakness}, too weak for a secret. Raise it, or do not build env values from it.`,
                            container.urn,
                        );
                    }
                }
            }
        } finally {
            forgetSeenEnvs();
        }
    },
});
