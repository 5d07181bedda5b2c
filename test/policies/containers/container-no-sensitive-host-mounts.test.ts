import { containerNoSensitiveHostMounts as policy } from "../../../policies/containers/container-no-sensitive-host-mounts";
import * as assert from "node:assert/strict";
import { Analyzer, runResourcePolicy } from "../../../tools/analyzer/judge";
import { assertNotApplicable, assertPasses, assertViolations, container, network } from "./fixtures";

const bind = (source: string, readOnly = false) => ({ mounts: [{ type: "bind", source, target: "/mnt/host", readOnly }] });
const allow = (...paths: string[]) => ({ config: { "container-no-sensitive-host-mounts": { allowedHostPaths: paths } } });

describe("container-no-sensitive-host-mounts (CON-09)", () => {
    it("#1 compliant container passes", async () => {
        assertPasses(await runResourcePolicy(policy, container()));
    });

    it("#2 named volumes and tmpfs mounts pass", async () => {
        const mounts = [
            { type: "volume", source: "bulwark-pgdata", target: "/var/lib/postgresql/data" },
            { type: "tmpfs", target: "/tmp" },
        ];
        const volumes = [{ volumeName: "bulwark-backups", containerPath: "/backups" }];
        assertPasses(await runResourcePolicy(policy, container({ mounts, volumes })));
    });

    for (const socket of ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/home/ci/.docker/run/docker.sock"]) {
        it(`#3 the runtime socket ${socket} is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container(bind(socket, true)));
            assertViolations(outcome, 1, /runtime socket.*`mounts\[0\]\.source`.*root on the host, even when read-only/);
        });
    }

    it("#4 the Docker socket as a volume hostPath is rejected", async () => {
        const volumes = [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }];
        const outcome = await runResourcePolicy(policy, container({ volumes }));
        assertViolations(outcome, 1, /runtime socket "\/var\/run\/docker.sock" \(`volumes\[0\]\.hostPath`\)/);
    });

    for (const p of ["/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/lib/docker", "/var/run", "/run"]) {
        it(`#5 sensitive host path ${p} is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container(bind(p)));
            assertViolations(outcome, 1, /a sensitive host path.*: remove the mount.*`allowedHostPaths`.*CON-09/);
        });
    }

    for (const p of ["/etc/ssl/certs", "/proc/1/root", "/sys/fs/cgroup", "/var/lib/docker/volumes/x/_data"]) {
        it(`#6 ${p}, under a sensitive tree, is rejected`, async () => {
            const outcome = await runResourcePolicy(policy, container(bind(p)));
            assertViolations(outcome, 1, /inside the sensitive host path/);
        });
    }

    it("#7 a parent of a sensitive path (/var) is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container({ volumes: [{ hostPath: "/var", containerPath: "/host-var" }] }));
        assertViolations(outcome, 1, /host directory containing \/var\/lib\/docker, \/var\/lib\/containerd, \/var\/lib\/kubelet, \/var\/log/);
    });

    it("#8 unnormalized paths are normalized before the check", async () => {
        const outcome = await runResourcePolicy(policy, container(bind("/srv/../etc/")));
        assertViolations(outcome, 1, /"\/srv\/..\/etc\/".*sensitive host path/);
    });

    // Stricter since issue 22: the rule is positive; only the stack's backup directory (or an exact allowed path) is reachable.
    it("#9 an ordinary host directory outside the stack's backup directory is rejected", async () => {
        const outcome = await runResourcePolicy(policy, container(bind("/srv/bulwark/certs", true)));
        assertViolations(outcome, 1, /sets no bulwark:backupVolumeHostPath/);
    });

    it("#9b under the stack's backupVolumeHostPath (as the engine hands it) passes; a path that leaves it does not", async () => {
        // The engine hands the pack the stack's config when it starts it.
        const analyzer = await Analyzer.start({ stackConfig: { "bulwark:backupVolumeHostPath": "/srv/bulwark-backups" } });
        try {
            const judged = async (source: string) =>
                (await analyzer.evaluate([container(bind(source))], {}, { stack: false })).violations.filter((v) => v.policy === policy.name).map((v) => v.message);
            for (const ok of ["/srv/bulwark-backups", "/srv/bulwark-backups/daily", "/srv//bulwark-backups/./x/"]) {
                assert.deepEqual(await judged(ok), [], ok);
            }
            const messages = await judged("/srv/bulwark-backups/../../etc");
            assert.equal(messages.length, 1);
            assert.match(messages[0], /sensitive host path.*outside the stack's backup directory \/srv\/bulwark-backups/);
            assert.match((await judged("/srv/bulwark-backups-old"))[0], /outside the stack's backup directory/);
        } finally {
            await analyzer.stop();
        }
    });

    const throughFields: [string, Parameters<typeof container>[0]][] = [
        ["volumes[0].volumeName", { volumes: [{ volumeName: "/etc", containerPath: "/x" }] }],
        ["mounts[0].volumeOptions.driverOptions.device", { mounts: [{ type: "volume", source: "v", target: "/x", volumeOptions: { driverOptions: { type: "none", o: "bind", device: "/" } } }] }],
    ];
    for (const [field, patch] of throughFields) {
        it(`#9c a host path through \`${field}\` is rejected`, async () => {
            assertViolations(await runResourcePolicy(policy, container(patch)), 1, new RegExp(field.replace(/[[\].]/g, "\\$&")));
        });
    }

    it("#10 config allowedHostPaths accepts that exact path", async () => {
        assertPasses(await runResourcePolicy(policy, container(bind("/etc/ssl/certs", true)), allow("/etc/ssl/certs/")));
    });

    it("#11 config allowedHostPaths does not extend to other paths", async () => {
        const outcome = await runResourcePolicy(policy, container(bind("/etc/ssl/private")), allow("/etc/ssl/certs"));
        assertViolations(outcome, 1, /\/etc\/ssl\/private/);
    });

    it("#12 config allowedHostPaths can never allow the Docker socket", async () => {
        const outcome = await runResourcePolicy(policy, container(bind("/var/run/docker.sock")), allow("/var/run/docker.sock"));
        assertViolations(outcome, 1, /runtime socket/);
    });

    it("#13 each offending mount is reported", async () => {
        const mounts = [
            { type: "bind", source: "/proc", target: "/host/proc" },
            { type: "volume", source: "data", target: "/data" },
            { type: "bind", source: "/run/docker.sock", target: "/run/docker.sock" },
        ];
        const outcome = await runResourcePolicy(policy, container({ mounts }));
        assertViolations(outcome, 2, /`mounts\[0\]\.source`/, /`mounts\[2\]\.source`/);
    });

    it("#14 a non-container resource is not applicable", async () => {
        assertNotApplicable(await runResourcePolicy(policy, network()));
    });
});
