// The container policies of the pack: one per file, each file named after its policy.
import { BulwarkPolicy } from "../lib/policy";
import { containerCapabilitiesDropped } from "./container-capabilities-dropped";
import { containerCgroupParent } from "./container-cgroup-parent";
import { containerControlsLabelled } from "./container-controls-labelled";
import { containerDistinctUids } from "./container-distinct-uids";
import { containerEnvWellFormed } from "./container-env-well-formed";
import { containerHealthCheck } from "./container-health-check";
import { containerImageBuildPinned } from "./container-image-build-pinned";
import { containerImageImmutable } from "./container-image-immutable";
import { containerImageProvenance } from "./container-image-provenance";
import { containerImageTrustedSource } from "./container-image-trusted-source";
import { containerLogRotation } from "./container-log-rotation";
import { containerMountPropagation } from "./container-mount-propagation";
import { containerNoHostNamespaces } from "./container-no-host-namespaces";
import { containerNoNewPrivileges } from "./container-no-new-privileges";
import { containerNoPrivileged } from "./container-no-privileged";
import { containerNoSensitiveHostMounts } from "./container-no-sensitive-host-mounts";
import { containerNoSensitiveVolumeBinds } from "./container-no-sensitive-volume-binds";
import { containerVolumeNoSensitiveBind } from "./container-volume-no-sensitive-bind";
import { containerNonRootUser } from "./container-non-root-user";
import { containerPostgresAuthStrong } from "./container-postgres-auth-strong";
import { containerProcessLimits } from "./container-process-limits";
import { containerReadOnlyRoot } from "./container-read-only-root";
import { containerResourceLimits } from "./container-resource-limits";
import { containerRestartPolicy } from "./container-restart-policy";
import { containerRoleImage } from "./container-role-image";
import { containerRolePlacement } from "./container-role-placement";

export const containerPolicies: BulwarkPolicy[] = [
    containerNoPrivileged,
    containerNonRootUser,
    containerReadOnlyRoot,
    containerCapabilitiesDropped,
    containerNoNewPrivileges,
    containerResourceLimits,
    containerCgroupParent,
    containerDistinctUids,
    containerNoHostNamespaces,
    containerNoSensitiveHostMounts,
    containerNoSensitiveVolumeBinds,
    containerVolumeNoSensitiveBind,
    containerMountPropagation,
    containerHealthCheck,
    containerLogRotation,
    containerRestartPolicy,
    containerImageImmutable,
    containerImageTrustedSource,
    containerImageProvenance,
    containerImageBuildPinned,
    containerProcessLimits,
    containerControlsLabelled,
    containerPostgresAuthStrong,
    containerEnvWellFormed,
    containerRolePlacement,
    containerRoleImage,
];
