// NET-03 (CIS Docker Benchmark 5.14, KICS "Container Traffic Not Bound To Host Interface"): a published port
// without a host address binds every interface of the host (the provider and Docker default to 0.0.0.0), so a
// port meant for loopback or one public address also answers on every other network the host is on. Every
// published port must bind a chosen address: the stack's bulwark:publishAddress when it sets one (as the engine
// hands the stack config to the pack), otherwise any address but a wildcard. A wildcard passes only when the
// pack's own config allows it (allowWildcardAddress): the stack under review cannot widen its exposure alone
// (the third field test set publishAddress 0.0.0.0 on a dev stack, and the preview passed). Addresses are compared
// as Docker parses them (policies/lib/parse/address.ts): "::", "[::]" or "::ffff:0.0.0.0" is the wildcard too, and
// text Docker would not take as an address is refused.
import * as docker from "@pulumi/docker";
import { validateResourceOfType } from "@pulumi/policy";
import { CONFIG_NAMESPACE, isUnknown } from "bulwark-vocabulary";
import { markUndecided, undecidedFields } from "../lib/inconclusive";
import { isUnspecified, parseIp, sameAddress } from "../lib/parse/address";
import { resourcePolicy } from "../lib/policy";
import { configuredPublishAddress, engineStackConfig } from "../lib/stack-config";

const KEY = `${CONFIG_NAMESPACE}:publishAddress`;

export const networkPublishedPortsBound = resourcePolicy({
    name: "network-published-ports-bound",
    description:
        "Every published port binds a chosen host address (the stack's publishAddress; loopback in dev), never " +
        "every interface by default (CIS Docker 5.14).",
    controls: ["NET-03"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Give each entry of `ports` an `ip`: in this project, set the stack's address with `pulumi config set " +
        "publishAddress <address>` (the program passes it to the proxy's ports). To listen on every interface on " +
        "purpose, set publishAddress to 0.0.0.0 and allowWildcardAddress true in this policy's config.",
    configSchema: {
        properties: {
            allowWildcardAddress: {
                type: "boolean",
                default: false,
                description: "Accept a port bound to every interface (0.0.0.0, ::) when the stack's publishAddress names it",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        const { allowWildcardAddress } = args.getConfig<{ allowWildcardAddress: boolean }>();
        if (undecidedFields(args, args.urn, container as Record<string, unknown>, ["ports"]).size > 0 || !Array.isArray(container.ports)) {
            return;
        }
        const configured = configuredPublishAddress(engineStackConfig() ?? {});
        // The stack's address as Docker will read it: every spelling of one address is that address.
        const chosen = configured !== undefined && configured !== "" ? parseIp(configured) : undefined;
        for (const [i, port] of container.ports.entries()) {
            if (!port || typeof port !== "object") continue;
            if (isUnknown(port.ip)) {
                markUndecided(args, args.urn, `ports[${i}].ip`);
                continue;
            }
            // The provider's schema default: an unset ip is 0.0.0.0 once the provider has checked the inputs.
            // Not trimmed: Docker does not trim it either.
            const ip = typeof port.ip === "string" ? port.ip : "";
            const parsed = ip === "" ? parseIp("0.0.0.0") : parseIp(ip);
            const shown = `host port ${port.external ?? "(random)"} -> ${port.internal}`;
            if (!parsed) {
                reportViolation(
                    `[NET-03] ${shown} binds '${ip}' (\`ports[${i}].ip\`), which is not an IP address Docker accepts: set ` +
                        `\`ip\` to one address, e.g. the stack's ${KEY} (\`pulumi config set publishAddress <address>\`).`,
                );
                continue;
            }
            const wildcard = isUnspecified(parsed);
            if (configured !== undefined && configured !== "") {
                if (!chosen) {
                    reportViolation(
                        `[NET-03] ${shown}: the stack's ${KEY} '${configured}' is not an IP address Docker accepts. Set it to ` +
                            "one address: `pulumi config set publishAddress <address>`.",
                    );
                } else if (!sameAddress(parsed, chosen)) {
                    reportViolation(
                        `[NET-03] ${shown} binds ${ip ? `'${ip}'` : "every interface (no ip)"}, but the stack's ${KEY} is ` +
                            `'${configured}'. Set \`ip: "${configured}"\` on the port (this project's program does so from ${KEY}).`,
                    );
                } else if (wildcard && !allowWildcardAddress) {
                    reportViolation(
                        `[NET-03] ${shown} binds every interface of the host ('${ip}'), as the stack's ${KEY} asks: a stack cannot ` +
                            "widen its own exposure. Bind a chosen address (`pulumi config set publishAddress <address>`), or, to listen " +
                            'everywhere on purpose, allow it in the pack\'s config: `{"network-published-ports-bound": {"allowWildcardAddress": true}}`.',
                    );
                }
            } else if (wildcard) {
                reportViolation(
                    `[NET-03] ${shown} binds every interface of the host (${ip ? `'${ip}'` : "no ip: the provider's 0.0.0.0"}). ` +
                        `Bind a chosen address: \`pulumi config set publishAddress <address>\` (127.0.0.1 for local only; ` +
                        "0.0.0.0 to listen everywhere on purpose).",
                );
            }
        }
    }),
});
