// Type-level guarantees of infra/hardening.ts, checked by `tsc --noEmit -p .` (tsconfig includes test/**).
// Each `@ts-expect-error` below must suppress a real error: if the guarantee were lost, the directive would be
// unused and tsc would fail. test/infra/hardening.test.ts also compiles this file with the directives removed
// and checks that each marked line is an error.
import * as docker from "@pulumi/docker";
import { GrantableCapability } from "bulwark-vocabulary";
import { hardenedContainerArgs, ServiceProfile } from "../../infra/hardening";

const base = {
    stack: "typecheck",
    service: "svc",
    role: "app",
    image: "example/svc@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    resources: { memoryMb: 128, cpus: 0.5 },
    healthCheck: { command: ["/usr/local/bin/healthcheck"] },
    logRotation: { maxSizeMb: 10, maxFiles: 5 },
    networks: [],
} as const satisfies Omit<ServiceProfile, "user">;

/** A valid profile compiles, and the profile function's result is a docker.ContainerArgs. */
export const validProfile: ServiceProfile = {
    ...base,
    user: "10001:10001",
    addCapabilities: [{ capability: "NET_BIND_SERVICE", reason: "binds 443" }],
};
export const validArgs: docker.ContainerArgs = hardenedContainerArgs(validProfile);

// (a) The profile function writes docker.ContainerArgs as a literal: a field Docker does not know is an error.
export function argsWithUnknownField(): docker.ContainerArgs {
    return {
        image: base.image,
        readOnly: true,
        // @ts-expect-error readonlyRootfs is not a docker.ContainerArgs field (the provider's name is readOnly)
        readonlyRootfs: true,
    };
}

// (b) A user name is not a numeric uid:gid, so a profile cannot run as "root".
export const rootProfile: ServiceProfile = {
    ...base,
    // @ts-expect-error "root" is not a NonRootUser (`${number}:${number}`)
    user: "root",
};

// (c) Only the grantable capabilities can be added back.
// @ts-expect-error SYS_ADMIN is not a GrantableCapability
export const sysAdmin: GrantableCapability = "SYS_ADMIN";

export const sysAdminProfile: ServiceProfile = {
    ...base,
    user: "10001:10001",
    // @ts-expect-error SYS_ADMIN cannot be added back through a profile either
    addCapabilities: [{ capability: "SYS_ADMIN", reason: "mount filesystems" }],
};
