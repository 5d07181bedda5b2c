import * as assert from "node:assert/strict";
import { PROVIDER_TYPES, STACK_TYPE, VOLUME_TYPE } from "bulwark-vocabulary";
import { gateFieldsClassified as policy } from "../../../policies/gate/gate-fields-classified";
import { EngineResource, runResourcePolicy } from "../../../tools/analyzer/judge";
import { UNKNOWN } from "../../../tools/analyzer/wire";
import { assertPasses, assertViolations, container } from "../containers/fixtures";
import { assertOnlyRefusals } from "../refusals";

const resource = (type: string, name: string, inputs: Record<string, unknown> = {}): EngineResource => ({
    type,
    name,
    urn: `urn:pulumi:dev::bulwark::${type}::${name}`,
    inputs,
});

/** The compliant container as the engine's Check returns it: defaults filled in, `__defaults` in nested objects. */
const checked = (changes: Record<string, unknown> = {}) =>
    container({
        mustRun: true,
        start: true,
        removeVolumes: true,
        containerReadRefreshTimeoutMilliseconds: 15000,
        networkMode: "bridge",
        capabilities: { drops: ["ALL"], __defaults: [] } as never,
        healthcheck: { tests: ["CMD", "/usr/local/bin/healthcheck"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "20s", startInterval: "0s", __defaults: [] } as never,
        ...changes,
    });

describe("gate-fields-classified (CON-07, CON-09)", () => {
    it("#1 the compliant container, with the engine's Check defaults and __defaults keys, passes", async () => {
        assertPasses(await runResourcePolicy(policy, checked()));
    });

    it("#2 refused fields are named with their path and fix: gpus, sysctls, runtime, volumes[].hostPath, volumes[].fromContainer", async () => {
        const outcome = await runResourcePolicy(
            policy,
            checked({ gpus: "all", sysctls: { "net.ipv4.ip_forward": "1" }, runtime: "nvidia", volumes: [{ containerPath: "/d", hostPath: "/", fromContainer: "db" }] as never }),
        );
        assertViolations(outcome, 5, /`gpus` \("all"\).*refuses.*remove `gpus`/, /`sysctls`/, /`runtime` \("nvidia"\)/, /`volumes\[\]\.hostPath`/, /`volumes\[\]\.fromContainer`/);
    });

    it("#3 a volumeName that is a host path is refused, a volume name passes", async () => {
        assertViolations(await runResourcePolicy(policy, checked({ volumes: [{ containerPath: "/d", volumeName: "/etc" }] as never })), 1, /volumes\[\]\.volumeName/);
        assertPasses(await runResourcePolicy(policy, checked({ volumes: [{ containerPath: "/d", volumeName: "dev-pgdata" }] as never })));
    });

    it("#4 a field the pack does not know is refused, at the top and nested (mount driver options too)", async () => {
        const outcome = await runResourcePolicy(
            policy,
            checked({ newFlag: true, mounts: [{ target: "/d", type: "volume", source: "v", volumeOptions: { driverOptions: { o: "bind", device: "/" } }, extra: 1 }] } as never),
        );
        assertViolations(outcome, 3, /`newFlag`.*does not classify/, /`mounts\[\]\.extra`/, /`mounts\[\]\.volumeOptions\.driverOptions`/);
    });

    it("#5 networkMode other than bridge/none, host namespaces and extra hosts are refused", async () => {
        const outcome = await runResourcePolicy(policy, checked({ networkMode: "host", pidMode: "host", usernsMode: "host", cgroupnsMode: "host", ipcMode: "host", hosts: [{ host: "database", ip: "203.0.113.9" }] }));
        assertViolations(outcome, 6, /networkMode/, /pidMode/, /usernsMode/, /cgroupnsMode/, /ipcMode/, /`hosts`/);
    });

    it("#6 a refused field computed from another resource (unknown in a preview) is refused", async () => {
        const outcome = await runResourcePolicy(policy, checked({ runtime: UNKNOWN }));
        assertOnlyRefusals(outcome);
        assert.deepEqual(outcome.inconclusive.map((i) => i.field), ["runtime"]);
        assert.match(outcome.violations[0].message, /must be known at preview .*otherwise remove `runtime`/);
    });

    it("#7 the Stack and a default provider with {version} pass; a docker provider aimed at another daemon is refused", async () => {
        assertPasses(await runResourcePolicy(policy, resource(STACK_TYPE, "bulwark-dev", { anything: 1 })));
        assertPasses(await runResourcePolicy(policy, resource(PROVIDER_TYPES.docker, "default_5_2_0", { version: "5.2.0" })));
        assertPasses(await runResourcePolicy(policy, resource(PROVIDER_TYPES.docker, "local", { host: "unix:///var/run/docker.sock" })));
        const outcome = await runResourcePolicy(policy, resource(PROVIDER_TYPES.docker, "remote", { host: "ssh://root@10.0.0.5", sshOpts: '["-o","StrictHostKeyChecking=no"]' }));
        assertViolations(outcome, 2, /`host`.*local daemon/, /`sshOpts`/);
    });

    it("#8 an aws provider may set its region; endpoints (sent as JSON text) are refused", async () => {
        assertPasses(await runResourcePolicy(policy, resource(PROVIDER_TYPES.aws, "eu", { region: "eu-central-1", skipCredentialsValidation: "false", version: "7.48.0" })));
        const outcome = await runResourcePolicy(policy, resource(PROVIDER_TYPES.aws, "evil", { region: "eu-central-1", endpoints: '[{"s3":"https://evil.example"}]', defaultTags: '{"tags":{"a":"b"},"x":1}' }));
        assertViolations(outcome, 2, /`endpoints`/, /`defaultTags\.x`/);
    });

    it("#9 a volume with the local driver passes; driver options are refused", async () => {
        assertPasses(await runResourcePolicy(policy, resource(VOLUME_TYPE, "data", { name: "dev-data", driver: "local" })));
        assertViolations(await runResourcePolicy(policy, resource(VOLUME_TYPE, "data", { name: "dev-data", driverOpts: { o: "bind", device: "/etc", type: "none" } })), 1, /driverOpts/);
    });
});
