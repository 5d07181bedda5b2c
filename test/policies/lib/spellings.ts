// The spellings the parsers' unit tests run through and the adversarial suite (test/adversarial/parsing.test.ts)
// turns into attacks on the compliant stack: one list each, so both test the same forms.

/** Every spelling Go's net.ParseIP (or Docker's CLI, for the brackets) takes for the unspecified address. */
export const ANY_ADDRESS_SPELLINGS = [
    "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "0000:0000:0000:0000:0000:0000:0000:0000", "::0", "0::0", "0::", "::0:0",
    "0:0:0::0:0", "::ffff:0.0.0.0", "::ffff:0:0", "::FFFF:0:0", "0:0:0:0:0:ffff:0.0.0.0", "0:0:0:0:0:FfFf:0000:0000",
    "[::ffff:0.0.0.0]", "[0:0:0:0:0:0:0:0]", "::0.0.0.0", "0::0.0.0.0",
];

/** Spellings of sensitive host paths: dot segments, doubled and trailing slashes, and the host's symlinks. */
export const SENSITIVE_SPELLINGS = [
    "/", "//", "/.", "/./", "/etc", "/etc/", "//etc", "/etc/.", "/srv/../etc", "/srv/bulwark-backups/../../etc", "/srv/bulwark-backups/../../../../",
    "/var/run", "/var/run/", "/var/run/docker.sock", "/var//run/docker.sock", "/run/containerd", "/run/containerd/containerd.sock",
    "/var/lib/docker", "/var/lib/docker/volumes", "/lib/../etc", "/var/run/../etc", "/bin/../root", "/proc/1/root", "/sys/fs/cgroup",
    "/dev/sda", "/home/ci", "/root/.ssh", "/boot", "/usr/bin", "/lib/modules", "/var", "/var/log", "/var/lib/containerd",
    "/srv/bulwark-backups/../../var/run/docker.sock",
];

/** Security options that weaken confinement, in the spellings the daemon accepts (and some it refuses). */
export const REFUSED_SECURITY_OPTS = [
    ...["=", ":"].flatMap((sep) => [
        `seccomp${sep}unconfined`,
        `seccomp${sep}{"defaultAction":"SCMP_ACT_ALLOW"}`,
        `seccomp${sep} {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`,
        `seccomp${sep}/etc/docker/seccomp/allow-all.json`,
        `apparmor${sep}unconfined`,
        `apparmor${sep}my-profile`,
        `label${sep}disable`,
        `label${sep}type:spc_t`,
        `label${sep}user:system_u`,
        `label${sep}role:system_r`,
        `label${sep}level:s0:c100,c200`,
        `systempaths${sep}unconfined`,
        `writable-cgroups${sep}true`,
    ]),
    "disable",
    "Seccomp=unconfined",
    " seccomp=unconfined",
    "privileged=true",
    "unconfined",
];

/** quota/period pairs that allow more CPUs than the vocabulary's bound, as Docker computes them. */
export const OVERSIZED_CPU_PAIRS: { cpuQuota: number; cpuPeriod?: number }[] = [
    { cpuQuota: 100000000, cpuPeriod: 100000 },
    { cpuQuota: 100000000 },
    { cpuQuota: 6500000 },
    { cpuQuota: 1000000, cpuPeriod: 1000 },
    { cpuQuota: 65000, cpuPeriod: 1000 },
    { cpuQuota: 1000000000, cpuPeriod: 1000000 },
];

/** user specs that are, or may be, root in the user or the group. */
export const ROOT_USER_SPELLINGS = [
    "0", "00", "000", "+0", "-0", "root", "0:0", "00:00", "root:root", "0:10001", "10001:0", "10001:00", "10001:root", "10001:+0",
    "10001", "010001", "rails", "rails:rails", "10001:rails", " 10001:10001", "10001:10001 ", "10001 :10001", "+10001:10001",
    "1e4:10001", "0x2711:10001", ":10001", "10001:", "2147483648:10001",
];
