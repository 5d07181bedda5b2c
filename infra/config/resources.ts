// Resources: each service's memory and CPU, its default unless resources.<service> says otherwise.
import type { ServiceResources } from "../hardening";
import { DEFAULT_RESOURCES, LIMITS } from "./defaults";
import type { ConfigReader } from "./reader";
import { SERVICES, type ServiceName } from "./types";

export function parseResources(r: ConfigReader): Record<ServiceName, ServiceResources> {
    const resourcesRaw = r.object("resources") as Record<string, Partial<ServiceResources>>;
    const resources = {} as Record<ServiceName, ServiceResources>;
    for (const unknownService of Object.keys(resourcesRaw).filter((s) => !(SERVICES as readonly string[]).includes(s))) {
        r.problem(`resources.${unknownService}`, `names no service; services are ${SERVICES.join(", ")}.`, `remove it with \`pulumi config rm --path resources.${unknownService}\`.`);
    }
    for (const service of SERVICES) {
        const given = resourcesRaw[service] ?? {};
        if (given === null || typeof given !== "object") {
            r.problem(`resources.${service}`, `must be a map with memoryMb and cpus, got ${JSON.stringify(given)}.`, `run \`pulumi config set --path resources.${service}.memoryMb 512\`.`);
        }
        resources[service] = {
            memoryMb: r.checkNumber(`resources.${service}.memoryMb`, given?.memoryMb ?? DEFAULT_RESOURCES[service].memoryMb, LIMITS.memoryMb.min, LIMITS.memoryMb.max, true),
            cpus: r.checkNumber(`resources.${service}.cpus`, given?.cpus ?? DEFAULT_RESOURCES[service].cpus, LIMITS.cpus.min, LIMITS.cpus.max, false),
        };
    }
    return resources;
}
