// Limits the program's config validation and the pack's defaults share, so that a config the program accepts is
// never one the pack rejects by default.

/**
 * The largest memory limit, in MB, one container may have: container-resource-limits' default `maxMemoryMb` and the
 * ceiling of `resources.<service>.memoryMb` in config. A bound well below a whole host keeps one runaway service
 * from starving the rest.
 */
export const MAX_CONTAINER_MEMORY_MB = 16384;

/**
 * The most CPUs one container may be allowed, however its limit is spelled (`cpus`, `cpuQuota` over `cpuPeriod`,
 * `cpuSet`): container-resource-limits' default `maxCpus` and the ceiling of `resources.<service>.cpus` in config.
 */
export const MAX_CONTAINER_CPUS = 64;
