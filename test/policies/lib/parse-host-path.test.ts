import * as assert from "node:assert/strict";
import { SENSITIVE_SPELLINGS } from "./spellings";
import { hostPathSensitivity, resolveHostPath } from "bulwark-vocabulary";
import { hostBindsOf, hostPathProblem, hostPathRule } from "../../../policies/lib/parse/host-path";

const ROOT = "/srv/bulwark-backups";
const rule = hostPathRule({ "bulwark:backupVolumeHostPath": ROOT });

describe("parse/host-path: host paths resolved as the host resolves them, allowed only under the stack's backup directory", () => {
    it("#1 resolution: dot segments, slashes and the host's symlinks", () => {
        const cases: [string, string | undefined][] = [
            ["/", "/"], ["//", "/"], ["/etc/", "/etc"], ["/etc/./ssl//certs/", "/etc/ssl/certs"], ["/srv/../etc", "/etc"],
            ["/../../etc", "/etc"], ["/var/run/docker.sock", "/run/docker.sock"], ["/var/run/..", "/"], ["/var/run/../etc", "/etc"],
            ["/lib/../etc", "/usr/etc"], ["/bin", "/usr/bin"], ["/var/lock/x", "/run/lock/x"], ["etc", undefined], ["", undefined],
            [" /etc", undefined], ["./etc", undefined],
        ];
        for (const [p, expected] of cases) {
            assert.equal(resolveHostPath(p), expected, p);
        }
    });

    it("#2 every spelling of a sensitive path is refused under the backup directory rule, and is sensitive", () => {
        for (const p of SENSITIVE_SPELLINGS) {
            assert.ok(hostPathProblem(p, rule), p);
            assert.ok(hostPathSensitivity(p), p);
        }
    });

    it("#3 paths under the backup directory are allowed, in any spelling that resolves there", () => {
        for (const p of [ROOT, `${ROOT}/`, `${ROOT}/daily`, `/srv//bulwark-backups/./x`, `/srv/other/../bulwark-backups/x`]) {
            assert.equal(hostPathProblem(p, rule), undefined, p);
        }
    });

    it("#4 an ordinary path outside the backup directory is refused: the rule is positive", () => {
        for (const p of ["/srv/bulwark-backups-2", "/srv", "/opt/data", "/mnt/x", "/srv/bulwark-backups/../other", "relative/path", " /srv/bulwark-backups"]) {
            assert.ok(hostPathProblem(p, rule), p);
        }
    });

    it("#5 without a backup directory, or with a sensitive one, nothing is allowed; exact config paths are", () => {
        assert.match(hostPathProblem(`${ROOT}/x`, hostPathRule({}))!, /sets no bulwark:backupVolumeHostPath/);
        for (const root of ["/", "/etc", "/var", "/var/run/x", "/srv/../etc"]) {
            assert.match(hostPathProblem("/srv/x", hostPathRule({ "bulwark:backupVolumeHostPath": root }))!, /so no host path is/, root);
            assert.ok(hostPathProblem("/etc/passwd", hostPathRule({ "bulwark:backupVolumeHostPath": root })), root);
        }
        const exact = hostPathRule({}, ["/etc/ssl/certs/"]);
        assert.equal(hostPathProblem("/etc//ssl/certs", exact), undefined);
        assert.ok(hostPathProblem("/etc/ssl/certs/x", exact));
    });

    it("#6 a runtime socket is refused even under the backup directory", () => {
        assert.match(hostPathProblem(`${ROOT}/docker.sock`, rule)!, /runtime socket/);
    });

    it("#7 every field Docker binds from is read", () => {
        const binds = hostBindsOf({
            mounts: [
                { type: "bind", source: "/a", target: "/x" },
                { type: "volume", source: "v", target: "/y", volumeOptions: { driverOptions: { type: "none", o: "bind", device: "/b" } } },
                { type: "volume", source: "w", target: "/z" },
                { type: "tmpfs", target: "/t" },
            ],
            volumes: [{ hostPath: "/c", containerPath: "/c" }, { volumeName: "/d", containerPath: "/d" }, { volumeName: "named", containerPath: "/e" }],
        });
        assert.deepEqual(binds, [
            { field: "mounts[0].source", hostPath: "/a" },
            { field: "mounts[1].volumeOptions.driverOptions.device", hostPath: "/b" },
            { field: "volumes[0].hostPath", hostPath: "/c" },
            { field: "volumes[1].volumeName", hostPath: "/d" },
        ]);
    });
});
