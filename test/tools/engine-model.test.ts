// The offline model sends the pack what the real engine sends (../shared/engine-facts.md, facts 1-9, measured with
// the Pulumi CLI 3.248.0 on the dev stack): each fact is pinned here against the harness's own output for the dev
// stack, as an update and as a preview of a new stack, with the expected values written out.
import * as assert from "node:assert/strict";
import { CONTAINER_TYPE, IMAGE_TYPE, NETWORK_TYPE, RANDOM_TYPES, SECRET_SIG, SIG_KEY, UNKNOWN, VOLUME_TYPE } from "bulwark-vocabulary";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Analyzer, EngineResource } from "../../tools/analyzer/judge";
import { BRIDGE_DEFAULTS_KEY as DEFAULTS_KEY } from "bulwark-vocabulary";
import { attributesWhere, PROVIDER_SCHEMA } from "../../tools/mocks/provider-schema";
import { engineConfig, runStack, StackRun } from "../../tools/mocks/stack-run";

const STACK_URN = "urn:pulumi:dev::bulwark::pulumi:pulumi:Stack::bulwark-dev";
const BACKEND_URN =
    "urn:pulumi:dev::bulwark::bulwark:stack:BulwarkStack$bulwark:stack:App$bulwark:docker:HardenedContainer$docker:index/container:Container::app-backend";
const BACKEND_PARENT = "urn:pulumi:dev::bulwark::bulwark:stack:BulwarkStack$bulwark:stack:App$bulwark:docker:HardenedContainer::app-backend";
const DOCKER_PROVIDER_URN = "urn:pulumi:dev::bulwark::pulumi:providers:docker::default_5_2_0";
const RANDOM_PROVIDER_URN = "urn:pulumi:dev::bulwark::pulumi:providers:random::default_4_21_2";

function byUrn(run: StackRun, urn: string): EngineResource {
    const found = run.byUrn(urn);
    assert.ok(found, `no resource ${urn}; have ${run.resources.map((r) => r.urn).join("\n")}`);
    return found;
}

function byName(run: StackRun, type: string, name: string): EngineResource {
    return run.one(type, (r) => r.name === name, `${type} ${name}`);
}

/** Every key path (a.b[0].c) in a value where `test` holds. */
function pathsWhere(value: unknown, test: (key: string, v: unknown) => boolean, at = ""): string[] {
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => pathsWhere(v, test, `${at}[${i}]`));
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [...(test(k, v) ? [`${at}.${k}`] : []), ...pathsWhere(v, test, `${at}.${k}`)]);
    }
    return [];
}

describe("the engine model (engine-facts.md)", function () {
    this.timeout(300_000);
    let update: StackRun;
    let preview: StackRun;

    before(async () => {
        update = await runStack("dev");
        preview = await runStack("dev", {}, true);
    });

    describe("fact 6: URNs carry the whole parent type chain under the root Stack", () => {
        it("#1 the Stack resource is registered first, named <project>-<stack>, with no parent", () => {
            for (const run of [update, preview]) {
                const stack = run.resources[0];
                assert.deepEqual([stack.type, stack.name, stack.urn, stack.parent], ["pulumi:pulumi:Stack", "bulwark-dev", STACK_URN, undefined]);
            }
        });

        it("#2 a container's URN names every ancestor's type, and its parent is the component that made it", () => {
            const backend = byUrn(update, BACKEND_URN);
            assert.equal(backend.parent, BACKEND_PARENT);
            assert.equal(byUrn(update, BACKEND_PARENT).parent, "urn:pulumi:dev::bulwark::bulwark:stack:BulwarkStack$bulwark:stack:App::app");
            assert.equal(byUrn(update, "urn:pulumi:dev::bulwark::bulwark:stack:BulwarkStack::bulwark").parent, STACK_URN);
        });

        it("#3 every parent, dependency and property dependency is the URN of a registered resource", () => {
            for (const run of [update, preview]) {
                const urns = new Set(run.resources.map((r) => r.urn));
                const named = run.resources.flatMap((r) => [
                    ...(r.parent ? [r.parent] : []),
                    ...(r.dependencies ?? []),
                    ...Object.values(r.propertyDependencies ?? {}).flat(),
                ]);
                assert.ok(named.length > 50);
                assert.deepEqual(named.filter((u) => !urns.has(u)), []);
            }
        });

        it("#4 only the Stack and the default providers have no parent", () => {
            const orphans = update.resources.filter((r) => !r.parent).map((r) => r.urn);
            assert.deepEqual(orphans, [STACK_URN, RANDOM_PROVIDER_URN, DOCKER_PROVIDER_URN]);
        });

        it("#5 every URN's type chain is its parent's chain plus its own type", () => {
            for (const r of update.resources.filter((x) => x.parent && x.parent !== STACK_URN)) {
                const chain = (urn: string) => urn.split("::")[2];
                assert.equal(chain(r.urn), `${chain(r.parent!)}$${r.type}`, r.urn);
            }
        });
    });

    describe("fact 7: resource policies see components, the Stack and the default providers", () => {
        it("#6 the default providers are registered with their SDK's version, before the first resource that uses them", () => {
            for (const run of [update, preview]) {
                const docker = byUrn(run, DOCKER_PROVIDER_URN);
                assert.deepEqual([docker.type, docker.name, docker.inputs], ["pulumi:providers:docker", "default_5_2_0", { version: "5.2.0" }]);
                assert.deepEqual(byUrn(run, RANDOM_PROVIDER_URN).inputs, { version: "4.21.2" });
                const index = (urn: string) => run.resources.findIndex((r) => r.urn === urn);
                const firstDocker = run.resources.findIndex((r) => r.type.startsWith("docker:"));
                assert.ok(index(DOCKER_PROVIDER_URN) < firstDocker);
                assert.equal(run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).length, 2);
            }
        });

        it("#7 the harness sends Remediate then Analyze for every resource, components, Stack and providers included", async () => {
            const analyzer = await Analyzer.start({ stackConfig: engineConfig(update.input) });
            try {
                const calls: string[] = [];
                const pack = analyzer.pack as unknown as Record<string, (req: analyzerProto.AnalyzeRequest) => Promise<unknown>>;
                for (const method of ["remediate", "analyze"]) {
                    const original = pack[method].bind(analyzer.pack);
                    pack[method] = (req) => {
                        calls.push(`${method} ${req.getUrn()}`);
                        return original(req);
                    };
                }
                await analyzer.evaluate(update.resources, { stack: "dev", project: "bulwark" });
                for (const urn of [STACK_URN, DOCKER_PROVIDER_URN, RANDOM_PROVIDER_URN, BACKEND_PARENT, BACKEND_URN]) {
                    const remediate = calls.indexOf(`remediate ${urn}`);
                    assert.ok(remediate >= 0 && calls.indexOf(`analyze ${urn}`) > remediate, urn);
                }
                assert.equal(calls.length, 2 * update.resources.length);
            } finally {
                await analyzer.stop();
            }
        });

        it("#8 a component's stack view holds what it registered with registerOutputs; the Stack's, the program's exports", () => {
            const stack = byUrn(update, STACK_URN);
            assert.equal(stack.outputs?.environment, "dev");
            assert.deepEqual(stack.outputs?.networks, { edge: "dev-edge", data: "dev-data" });
        });

        it("#9 resources name their default provider as the engine does (AnalyzerProviderResource)", () => {
            const backend = byUrn(update, BACKEND_URN);
            assert.deepEqual(backend.provider, { type: "pulumi:providers:docker", name: "default_5_2_0", urn: DOCKER_PROVIDER_URN, properties: { version: "5.2.0" } });
            assert.equal(byUrn(update, BACKEND_PARENT).provider, undefined);
        });
    });

    describe("facts 3 and 4: Analyze gets the inputs after Check, with the provider's defaults and nested __defaults", () => {
        it("#10 a container gets the docker provider's non-falsy schema defaults", () => {
            const backend = byUrn(update, BACKEND_URN).checkedInputs!;
            assert.deepEqual(
                [backend.mustRun, backend.start, backend.removeVolumes, backend.containerReadRefreshTimeoutMilliseconds, backend.networkMode, backend.healthcheck.startInterval],
                [true, true, true, 15000, "bridge", "0s"],
            );
            // Falsy defaults are not filled in (pulumi-terraform-bridge#2618).
            assert.deepEqual([backend.rm, backend.attach, backend.tty, backend.logs], [undefined, undefined, undefined, undefined]);
        });

        it("#11 a network gets ipamDriver \"default\"; an image its build platform and context digest", () => {
            assert.equal(update.network("data").checkedInputs!.ipamDriver, "default");
            const image = byName(update, IMAGE_TYPE, "images-postgres").checkedInputs!;
            assert.equal(image.build.platform, "linux/amd64");
            assert.match(image.build.contextDigest, /^[0-9a-f]{64}$/);
        });

        it("#12 every nested object of a container carries __defaults, the top level none", () => {
            const backend = byUrn(update, BACKEND_URN).checkedInputs!;
            assert.equal(backend[DEFAULTS_KEY], undefined);
            assert.deepEqual(backend.healthcheck[DEFAULTS_KEY], HEALTHCHECK_DEFAULTS);
            assert.deepEqual(backend.capabilities[DEFAULTS_KEY], []);
            for (const field of ["labels", "mounts", "networksAdvanced", "ulimits"]) {
                const elements = update.containers().flatMap((c) => c.checkedInputs![field] ?? []);
                assert.ok(elements.length > 0, field);
                // None of these blocks has a non-falsy default the stack leaves out: each records an empty list.
                assert.deepEqual(elements.filter((e: Record<string, unknown>) => !Array.isArray(e[DEFAULTS_KEY]) || (e[DEFAULTS_KEY] as unknown[]).length > 0), [], field);
            }
        });

        it("#13 no __defaults in what the program sent, nor in the stack view, in either mode", () => {
            for (const run of [update, preview]) {
                for (const r of run.resources) {
                    assert.deepEqual(pathsWhere(r.inputs, (k) => k === DEFAULTS_KEY), [], r.urn);
                    assert.deepEqual(pathsWhere(r.outputs, (k) => k === DEFAULTS_KEY), [], r.urn);
                }
            }
        });

        it("#14 random resources (Plugin Framework) get no defaults in Check, and their plan has the schema's", () => {
            const password = byName(update, RANDOM_TYPES.password, "secrets-database-password");
            assert.equal(password.checkedInputs!.special, password.inputs.special);
            assert.equal(password.checkedInputs!.minLower, undefined);
            assert.equal(byName(preview, RANDOM_TYPES.password, "secrets-database-password").outputs!.minLower, 0);
        });
    });

    describe("facts 1 and 2: a preview's stack view is the planned state", () => {
        it("#15 a container's envs holding a generated secret is one unknown", () => {
            assert.equal(byUrn(preview, BACKEND_URN).outputs!.envs, UNKNOWN);
            // In the update it is the list itself.
            assert.ok(Array.isArray(unwrapSecret(byUrn(update, BACKEND_URN).outputs!.envs)));
        });

        it("#16 computed properties the program left out are unknown, not absent", () => {
            const backend = byUrn(preview, BACKEND_URN).outputs!;
            for (const field of ["bridge", "hostname", "ipcMode", "networkDatas", "runtime", "stopSignal", "stopTimeout", "containerLogs", "exitCode"]) {
                assert.equal(backend[field], UNKNOWN, field);
            }
            const volume = preview.volumes()[0].outputs!;
            assert.deepEqual([volume.driver, volume.mountpoint], [UNKNOWN, UNKNOWN]);
            const network = preview.network("edge").outputs!;
            assert.deepEqual([network.ipamConfigs, network.options, network.scope], [UNKNOWN, UNKNOWN, UNKNOWN]);
            const password = byName(preview, RANDOM_TYPES.password, "secrets-database-password").outputs!;
            assert.deepEqual([password.result, password.bcryptHash], [UNKNOWN, UNKNOWN]);
            const bytes = byName(preview, RANDOM_TYPES.bytes, "secrets-jwt-secret").outputs!;
            assert.deepEqual([bytes.hex, bytes.base64], [UNKNOWN, UNKNOWN]);
        });

        it("#17 which properties are sets and which computed comes from the providers' schemas", () => {
            assert.deepEqual(attributesWhere(CONTAINER_TYPE, (a) => a.kind === "set"), CONTAINER_SETS);
            assert.deepEqual(attributesWhere(VOLUME_TYPE, (a) => !!a.computed), ["driver", "mountpoint", "name"]);
            assert.deepEqual(attributesWhere(NETWORK_TYPE, (a) => !!a.computed), NETWORK_COMPUTED);
            for (const [type, schema] of Object.entries(PROVIDER_SCHEMA)) {
                assert.match(schema.source, /terraform-provider-(docker|aws|random)/, type);
            }
        });
    });

    describe("facts 8 and 9: ids and secrets", () => {
        it("#18 a preview has unknown ids for containers, networks, volumes and passwords; none for images, bytes and providers", () => {
            const idOf = (type: string) => preview.byType(type).map((r) => (r.outputs && "id" in r.outputs ? r.outputs.id : "absent"));
            for (const type of [CONTAINER_TYPE, NETWORK_TYPE, VOLUME_TYPE, RANDOM_TYPES.password]) {
                assert.deepEqual([...new Set(idOf(type))], [UNKNOWN], type);
            }
            for (const type of [IMAGE_TYPE, RANDOM_TYPES.bytes, "pulumi:providers:docker", "pulumi:providers:random"]) {
                assert.deepEqual([...new Set(idOf(type))], ["absent"], type);
            }
        });

        it("#19 unknown sensitive outputs are plain unknowns in a preview", () => {
            assert.equal(byName(preview, RANDOM_TYPES.password, "secrets-database-password").outputs!.result, UNKNOWN);
            assert.equal(byName(preview, RANDOM_TYPES.bytes, "secrets-jwt-secret").outputs!.hex, UNKNOWN);
        });
    });
});

function unwrapSecret(value: unknown): unknown {
    return value && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG ? (value as { value: unknown }).value : value;
}

// kreuzwerker/terraform-provider-docker v4.5.0: the healthcheck's start_interval defaults to "0s" (the program sets
// the other durations; retries' default 0 is falsy).
const HEALTHCHECK_DEFAULTS = ["startInterval"];
// engine-facts.md fact 1 lists env, labels, mounts, networks_advanced, volumes, upload, capabilities (adds, drops),
// security_opts, ulimit, group_add, devices and dns among them.
const CONTAINER_SETS = [
    "deviceReadBps",
    "deviceReadIops",
    "deviceRequests",
    "deviceWriteBps",
    "deviceWriteIops",
    "devices",
    "dns",
    "dnsOpts",
    "dnsSearches",
    "envs",
    "groupAdds",
    "hosts",
    "labels",
    "mounts",
    "networksAdvanced",
    "securityOpts",
    "ulimits",
    "uploads",
    "volumes",
];
const NETWORK_COMPUTED = ["driver", "internal", "ipamConfigs", "options", "scope"];
