// The Linux capabilities the hardening profile lets a service add back after dropping ALL, each with a reason in
// the service's profile; the live audit fails a container holding any other.

export const GRANTABLE_CAPABILITIES = ["CHOWN", "SETUID", "SETGID", "DAC_OVERRIDE", "FOWNER", "NET_BIND_SERVICE"] as const;
export type GrantableCapability = (typeof GRANTABLE_CAPABILITIES)[number];
