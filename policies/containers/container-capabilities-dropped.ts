// CON-07: drop every Linux capability and add back only the few a service needs and the pack allows.
import * as docker from "@pulumi/docker";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { containsUnknown } from "bulwark-vocabulary";
import { undecidedFields } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";

interface CapabilitiesConfig {
    readonly allowedCapabilities: readonly string[];
}

/** Capabilities that amount to host control; no configuration can allow them. */
export const DANGEROUS_CAPABILITIES: readonly string[] = [
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "DAC_READ_SEARCH",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "BPF",
    "PERFMON",
];

/** Docker accepts "cap_net_raw", "CAP_NET_RAW" and "NET_RAW" alike; compare in one spelling. */
export function normalizeCapability(cap: string): string {
    return cap.trim().toUpperCase().replace(/^CAP_/, "");
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export const containerCapabilitiesDropped = resourcePolicy({
    name: "container-capabilities-dropped",
    description:
        "Containers must drop ALL Linux capabilities and add back only capabilities listed in " +
        "`allowedCapabilities`; capabilities that amount to host control (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ...) " +
        "are never allowed. With enforcement level `remediate`, a missing drop of ALL is added automatically.",
    controls: ["CON-07"],
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps:
        'Set `capabilities: { drops: ["ALL"] }` on the container. If the service needs a capability (e.g. ' +
        "NET_BIND_SERVICE to bind a port below 1024), add it in `capabilities.adds` and list it in this " +
        "policy's `allowedCapabilities` config, or change the service so it does not need it.",
    configSchema: {
        properties: {
            allowedCapabilities: {
                type: "array",
                items: { type: "string" },
                default: [],
                description:
                    "Capabilities containers may add back after dropping ALL (with or without the CAP_ prefix). " +
                    "Dangerous capabilities are rejected even if listed.",
            },
        },
    },
    validateResource: validateResourceOfType(docker.Container, (container, args, reportViolation) => {
        if (undecidedFields(args, args.urn, container, ["capabilities"]).size > 0) {
            return;
        }
        const allowed = new Set(strings(args.getConfig<CapabilitiesConfig>().allowedCapabilities).map(normalizeCapability));
        const drops = strings(container.capabilities?.drops).map(normalizeCapability);
        if (!drops.includes("ALL")) {
            const current = drops.length ? `drops are [${drops.join(", ")}]` : "no `capabilities.drops` set";
            reportViolation(
                `container keeps Docker's default capabilities (${current}): set \`capabilities.drops\` to ["ALL"] ` +
                    "and add back only what the service needs (CON-07)",
            );
        }
        for (const cap of new Set(strings(container.capabilities?.adds).map(normalizeCapability))) {
            if (DANGEROUS_CAPABILITIES.includes(cap)) {
                reportViolation(
                    `container adds capability ${cap} in \`capabilities.adds\`, which gives control over the host and ` +
                        "cannot be allowed by configuration: remove it (CON-07)",
                );
            } else if (!allowed.has(cap)) {
                const list = allowed.size ? `[${[...allowed].join(", ")}]` : "empty";
                reportViolation(
                    `container adds capability ${cap} in \`capabilities.adds\`, which is not in ` +
                        `\`allowedCapabilities\` (${list}): remove it, or allow it in the policy config if the service ` +
                        "really needs it (CON-07)",
                );
            }
        }
    }),
    // Adding a drop of ALL is safe to automate: it only takes away, and explicit adds still apply.
    remediateResource: remediateResourceOfType(docker.Container, (container) => {
        if (containsUnknown(container.capabilities)) {
            return undefined; // nothing to build on until apply
        }
        const drops = strings(container.capabilities?.drops);
        if (drops.map(normalizeCapability).includes("ALL")) {
            return undefined;
        }
        return { ...container, capabilities: { ...container.capabilities, drops: [...drops, "ALL"] } };
    }),
});
