// The one hardening profile (infra/hardening.ts): hardenedContainerArgs on sample profiles sets every security
// field, whatever the profile says; and the type-level guarantees of test/types/hardening-typecheck.ts hold.
import { withoutBridgeDefaults } from "bulwark-vocabulary";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { isControlId, LABELS } from "bulwark-vocabulary";
import { dockerCpus, goDuration, hardenedContainerArgs, HardenedContainer, PROFILE_CONTROLS, ServiceProfile } from "../../infra/hardening";
import { labelValue } from "../../policies/lib/labels";
import { runUnderMocks } from "../../tools/mocks/runtime";
import { PROJECT_DIR, runStack, TYPES, unwrap } from "../../tools/mocks/stack-run";

/** Stand-ins for provider resources: the profile reads only their names. */
const fakeNetwork = (name: string) => ({ name: pulumi.output(name) }) as unknown as docker.Network;
const fakeVolume = (name: string) => ({ name: pulumi.output(name) }) as unknown as docker.Volume;

function sampleProfile(changes: Partial<ServiceProfile> = {}): ServiceProfile {
    return {
        stack: "sample",
        service: "worker",
        role: "app",
        image: "example/worker@sha256:" + "12".repeat(32),
        user: "12345:23456",
        resources: { memoryMb: 300, cpus: 0.75 },
        healthCheck: { command: ["/usr/local/bin/healthcheck", "--quick"] },
        logRotation: { maxSizeMb: 7, maxFiles: 3 },
        networks: [{ network: fakeNetwork("sample-edge"), aliases: ["worker"] }],
        tmpfs: [{ path: "/tmp", sizeMb: 32, mode: "0700" }],
        volumes: [
            { volume: fakeVolume("sample-data"), path: "/data", readOnly: false },
            { volume: fakeVolume("sample-seed"), path: "/seed", readOnly: true },
        ],
        env: { MODE: "worker", TOKEN: pulumi.secret("t0k3n") },
        ...changes,
    };
}

/** The value of an Input, resolved (secrets opened). */
async function resolve<T>(input: pulumi.Input<T> | undefined): Promise<T | undefined> {
    if (input === undefined) return undefined;
    return (pulumi.output(input) as unknown as { promise(): Promise<T> }).promise();
}

describe("infra hardening profile (hardenedContainerArgs)", () => {
    it("makes the root filesystem read-only and every tmpfs noexec, nosuid, nodev, bounded and owned by the service user", () => {
        const args = hardenedContainerArgs(sampleProfile());
        assert.equal(args.readOnly, true);
        assert.deepEqual(args.tmpfs, { "/tmp": "rw,noexec,nosuid,nodev,size=32m,uid=12345,gid=23456,mode=0700" });
    });

    it("SEC-01: refuses a secret written in code (a string literal under a secret's name), naming it and the fix", () => {
        // The pack cannot tell this apart from a generated value: @pulumi/policy unwraps secrets before policies run.
        assert.throws(
            () => hardenedContainerArgs(sampleProfile({ env: { SECRET_KEY_BASE: "3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a9c1e3b5d7f9a2c4e6b8d0f1a" } })),
            /env SECRET_KEY_BASE is a string literal in code \(SEC-01\).*@pulumi\/random.*requireSecret/,
        );
        // The same value as an Output (generated or secret config), and literal settings about a secret, pass.
        hardenedContainerArgs(sampleProfile({ env: { SECRET_KEY_BASE: pulumi.secret("generated"), JWT_ACCESS_TTL_SECONDS: "900", POSTGRES_PASSWORD_FILE: "/run/pw" } }));
    });

    it("drops every capability, adds back only what the profile grants, is never privileged and sets no-new-privileges", () => {
        const plain = hardenedContainerArgs(sampleProfile());
        assert.deepEqual(plain.capabilities, { drops: ["ALL"], adds: [] });
        assert.equal(plain.privileged, false);
        assert.deepEqual(plain.securityOpts, ["no-new-privileges:true"]);
        const granted = hardenedContainerArgs(sampleProfile({ addCapabilities: [{ capability: "NET_BIND_SERVICE", reason: "binds 443" }] }));
        assert.deepEqual(granted.capabilities, { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] });
    });

    it("runs as the profile's numeric user", () => {
        assert.equal(hardenedContainerArgs(sampleProfile()).user, "12345:23456");
    });

    it("limits memory without extra swap, CPUs, processes and open files", () => {
        const args = hardenedContainerArgs(sampleProfile());
        assert.equal(args.memory, 300);
        assert.equal(args.memorySwap, 300);
        assert.equal(args.cpus, "0.75");
        assert.deepEqual(args.ulimits, [
            { name: "nproc", soft: 256, hard: 256 },
            { name: "nofile", soft: 4096, hard: 4096 },
        ]);
        const raised = hardenedContainerArgs(sampleProfile({ maxProcesses: 512, maxOpenFiles: 16384 }));
        assert.deepEqual(raised.ulimits, [
            { name: "nproc", soft: 512, hard: 512 },
            { name: "nofile", soft: 16384, hard: 16384 },
        ]);
    });

    it("joins only the listed user-defined networks, and none at all (networkMode none) when the list is empty", async () => {
        const joined = hardenedContainerArgs(sampleProfile());
        assert.equal(joined.networkMode, undefined);
        const networks = unwrap(await resolve(joined.networksAdvanced));
        assert.deepEqual(networks, [{ name: "sample-edge", aliases: ["worker"] }]);
        const isolated = hardenedContainerArgs(sampleProfile({ networks: [] }));
        assert.equal(isolated.networkMode, "none");
        assert.deepEqual(isolated.networksAdvanced, []);
    });

    it("sets no host namespace, host path, device or published port unless the profile publishes one", () => {
        const args = hardenedContainerArgs(sampleProfile()) as unknown as Record<string, unknown>;
        for (const field of ["pidMode", "ipcMode", "usernsMode", "cgroupnsMode", "volumes", "devices", "publishAllPorts", "hostname", "runtime"]) {
            assert.equal(args[field], undefined, field);
        }
        assert.deepEqual(args.ports, []);
        const published = hardenedContainerArgs(sampleProfile({ publish: [{ containerPort: 8443, hostPort: 443, hostAddress: "192.0.2.10" }] }));
        assert.deepEqual(published.ports, [{ internal: 8443, external: 443, ip: "192.0.2.10", protocol: "tcp" }]);
    });

    it("mounts volumes as named volumes, keeping each mount's read-only flag", async () => {
        const mounts = unwrap(await resolve(hardenedContainerArgs(sampleProfile()).mounts));
        assert.deepEqual(mounts, [
            { type: "volume", source: "sample-data", target: "/data", readOnly: false },
            { type: "volume", source: "sample-seed", target: "/seed", readOnly: true },
        ]);
    });

    it("probes health with the exec-form command, with defaults that the profile can override", () => {
        const args = hardenedContainerArgs(sampleProfile());
        assert.deepEqual(args.healthcheck, { tests: ["CMD", "/usr/local/bin/healthcheck", "--quick"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "30s" });
        const tuned = hardenedContainerArgs(
            sampleProfile({ healthCheck: { command: ["/bin/check"], intervalSeconds: 60, timeoutSeconds: 3, retries: 5, startPeriodSeconds: 90 } }),
        );
        assert.deepEqual(tuned.healthcheck, { tests: ["CMD", "/bin/check"], interval: "1m0s", timeout: "3s", retries: 5, startPeriod: "1m30s" });
    });

    it("restarts unless stopped and makes the deployment wait for health", () => {
        const args = hardenedContainerArgs(sampleProfile());
        assert.equal(args.restart, "unless-stopped");
        assert.equal(args.wait, true);
        assert.ok(Number(args.waitTimeout) > 0);
    });

    it("rotates the json-file log by the profile's size and count", () => {
        const args = hardenedContainerArgs(sampleProfile());
        assert.equal(args.logDriver, "json-file");
        assert.deepEqual(args.logOpts, { "max-size": "7m", "max-file": "3" });
    });

    it("labels the container with its stack, service, role and the sorted union of profile and service controls", () => {
        const args = hardenedContainerArgs(sampleProfile({ controls: ["NET-05", "CON-05", "APP-01"] }));
        const labels = args.labels as { label: string; value: string }[];
        assert.equal(labelValue(labels, LABELS.project), "bulwark");
        assert.equal(labelValue(labels, LABELS.stack), "sample");
        assert.equal(labelValue(labels, LABELS.service), "worker");
        assert.equal(labelValue(labels, LABELS.role), "app");
        const controls = labelValue(labels, LABELS.controls)!.split(",");
        assert.deepEqual(controls, [...new Set([...PROFILE_CONTROLS, "NET-05", "APP-01"])].sort());
        assert.ok(controls.every(isControlId));
        assert.equal(args.name, "sample-worker");
    });

    it("passes the environment as KEY=value entries, keeping secrets secret", async () => {
        const args = hardenedContainerArgs(sampleProfile());
        const envs = pulumi.output(args.envs!);
        assert.deepEqual(await resolve(envs), ["MODE=worker", "TOKEN=t0k3n"]);
        assert.equal(await (envs as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        assert.equal(hardenedContainerArgs(sampleProfile({ env: {} })).envs, undefined);
    });

    it("HardenedContainer registers one docker container, its child, with exactly the profile's arguments", async () => {
        const run = await runUnderMocks(
            () => {
                new HardenedContainer("worker", { profile: sampleProfile({ networks: [], volumes: [], env: { MODE: "worker" } }) });
            },
            { project: "bulwark", stack: "sample" },
        );
        const containers = run.resources.filter((r) => r.type === TYPES.container);
        assert.equal(containers.length, 1);
        const component = run.resources.find((r) => r.type === "bulwark:docker:HardenedContainer");
        assert.ok(component);
        assert.equal(containers[0].parent, component.urn);
        const inputs = containers[0].inputs;
        assert.equal(inputs.readOnly, true);
        assert.equal(inputs.networkMode, "none");
        assert.deepEqual(inputs.envs, ["MODE=worker"]);
        assert.deepEqual(inputs.capabilities, { drops: ["ALL"], adds: [] });
    });

    describe("type-level guarantees (test/types/hardening-typecheck.ts)", function () {
        this.timeout(60000);

        it("each @ts-expect-error line is an error once its directive is removed, and nothing else is", () => {
            const file = path.join(PROJECT_DIR, "test", "types", "hardening-typecheck.ts");
            const source = ts.sys.readFile(file);
            assert.ok(source, `cannot read ${file}`);
            const lines = source.split("\n");
            const expected = lines.flatMap((line, i) => (/^\s*\/\/ @ts-expect-error\b/.test(line) ? [i + 2] : []));
            assert.ok(expected.length >= 3, "the file lost its @ts-expect-error cases");
            const stripped = lines.map((line) => line.replace(/\/\/ @ts-expect-error\b.*$/, "// (directive removed)")).join("\n");

            const parsed = ts.getParsedCommandLineOfConfigFile(path.join(PROJECT_DIR, "tsconfig.json"), {}, {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
            });
            assert.ok(parsed);
            const options = { ...parsed.options, noEmit: true };
            const host = ts.createCompilerHost(options);
            const getSourceFile = host.getSourceFile.bind(host);
            host.getSourceFile = (name, languageVersion, ...rest) =>
                path.resolve(name) === file ? ts.createSourceFile(name, stripped, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
            const program = ts.createProgram([file], options, host);
            const sourceFile = program.getSourceFile(file)!;
            const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
            const errorLines = [...new Set(diagnostics.map((d) => sourceFile.getLineAndCharacterOfPosition(d.start!).line + 1))].sort((a, b) => a - b);
            const described = diagnostics.map((d) => `${sourceFile.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
            assert.deepEqual(errorLines, expected, described.join("\n"));
            assert.ok(described.some((d) => /readonlyRootfs/.test(d)), "the unknown ContainerArgs field is not the error");
            assert.ok(described.some((d) => /"root"/.test(d)), "the root user is not the error");
            assert.ok(described.some((d) => /SYS_ADMIN/.test(d)), "the capability is not the error");
        });
    });

    describe("values in the form the provider reads back, so a second `pulumi up` changes nothing", () => {
        it("spells durations as Go does and CPU counts with one decimal", () => {
            assert.deepEqual([goDuration(5), goDuration(30), goDuration(60), goDuration(90), goDuration(3600)], ["5s", "30s", "1m0s", "1m30s", "1h0m0s"]);
            assert.deepEqual([dockerCpus(1), dockerCpus(0.5), dockerCpus(2), dockerCpus(0.25)], ["1.0", "0.5", "2.0", "0.25"]);
        });

        for (const stack of ["dev", "prod"]) {
            it(`${stack}: every container's cpus and health check timings equal what the provider reads back after create`, async () => {
                const run = await runStack(stack);
                for (const c of run.containers()) {
                    const given = c.checkedInputs ?? c.inputs;
                    assert.equal(c.outputs?.cpus, given.cpus, `${c.name}: cpus`);
                    // The provider's state has no `__defaults` (the bridge's Check bookkeeping in the inputs).
                    assert.deepEqual(c.outputs?.healthcheck, withoutBridgeDefaults(given.healthcheck), `${c.name}: healthcheck`);
                }
            });
        }
    });
});
