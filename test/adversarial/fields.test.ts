// Adversarial class "fields" (issue 22 item 2), by schema-driven mutation: for every field the gate refuses, in
// every classified type and at every depth (from policies/gate/lib/classification.ts), with a value of the type
// the installed SDK declares that is not the provider's default, and for an invented field at every classified
// level, a program sets it on one resource of the compliant stack (the backend container, or a network, volume,
// image, random secret, provider or AWS resource added beside it). Each must be refused in both modes by a
// mandatory violation naming that resource. The same resources without the change pass (the baseline below), so
// the change is what is refused.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CLASSIFICATION, Fields, Rule } from "../../policies/gate/lib/classification";
import { notSet } from "../../policies/gate/lib/walk";
import { compliantStack } from "../fixtures/lib/compliant-stack";
import { preloadSdk, sdkInputs, Shape } from "../policies/gate/sdk-schema";
import { Attack, describeAttacks, judgeAttack, MODES } from "./harness";

type Plain = Record<string, unknown>;
type Ctor = new (name: string, args: unknown, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const CONTAINER = "docker:index/container:Container";
/** The gate's closed-world policies: a refused or unclassified field is theirs to refuse. */
const GATE_POLICIES = ["gate-fields-classified", "gate-resource-type-known"];
const PINNED = "debian:bookworm-slim@sha256:9f2b5c7e41d8a3f0c6e1b4d7a2f5c8e0b3d6a9f1c4e7b0d3a6f9c2e5b8d1a4f7";
const IMAGES = path.resolve(__dirname, "..", "..", "images");

/** The resource each type's mutation is set on, besides the backend container: args that pass every policy. */
const TARGETS: Readonly<Record<string, Plain>> = {
    "docker:index/network:Network": { name: "fixture-target", driver: "bridge", internal: true },
    "docker:index/volume:Volume": { name: "fixture-target" },
    "docker:index/image:Image": {
        imageName: "bulwark/target:dev",
        skipPush: true,
        build: { context: IMAGES, dockerfile: path.join(IMAGES, "proxy", "Dockerfile"), args: { BASE_IMAGE: PINNED } },
    },
    "random:index/randomBytes:RandomBytes": { length: 32 },
    "random:index/randomPassword:RandomPassword": { length: 48 },
    "random:index/randomString:RandomString": { length: 48 },
    "random:index/randomId:RandomId": { byteLength: 32 },
    "pulumi:providers:docker": {},
    "pulumi:providers:aws": { region: "eu-central-1" },
    "aws:kms/alias:Alias": { name: "alias/bulwark-target", targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { bucket: "target-bucket", rule: { objectOwnership: "BucketOwnerEnforced" } },
    "aws:s3/bucketVersioning:BucketVersioning": { bucket: "target-bucket", versioningConfiguration: { status: "Enabled" } },
    "aws:s3/bucketLogging:BucketLogging": { bucket: "target-bucket", targetBucket: "target-logs", targetPrefix: "logs/" },
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": { bucket: "target-bucket", role: "arn:aws:iam::123456789012:role/target", rules: [] },
    "aws:kms/key:Key": { description: "target", enableKeyRotation: true, deletionWindowInDays: 30 },
    "aws:s3/bucket:Bucket": {},
};

/** The SDK class of a type token. */
function classOf(token: string): Ctor {
    const provider = /^pulumi:providers:(\w+)$/.exec(token);
    const modules: Record<string, Plain> = { docker: docker as unknown as Plain, random: random as unknown as Plain, aws: aws as unknown as Plain };
    if (provider) {
        return modules[provider[1]].Provider as Ctor;
    }
    const [pkg, mod, cls] = /^(\w+):([\w/]+)\/\w+:(\w+)$/.exec(token)!.slice(1);
    const holder = mod === "index" ? modules[pkg] : (modules[pkg][mod] as Plain);
    return holder[cls] as Ctor;
}

// ---- values from the SDK's declared shape ------------------------------------------------------------------

const STRINGS = ["probe", "/srv/probe"];

/** A value of the declared shape that the rule does not treat as "not set". */
function valueFor(shape: Shape, rule?: Extract<Rule, { kind: "refused" }>): unknown {
    const accepted = (v: unknown) => !rule || !notSet(rule, v);
    switch (shape.kind) {
        case "enum":
            return shape.values.find(accepted) ?? shape.values[0];
        case "boolean":
            return [true, false].find(accepted);
        case "number":
            return [7, 8].find(accepted);
        case "array":
            return [valueFor(shape.element)];
        case "map":
            return { probe: valueFor(shape.value) };
        case "object": {
            const [first, inner] = Object.entries(shape.fields)[0];
            return { [first]: valueFor(inner) };
        }
        default:
            return STRINGS.find(accepted) ?? "probe";
    }
}

interface Mutation {
    /** The field path, for the title. */
    readonly path: string;
    /** Sets the change on a copy of the args. */
    readonly apply: (args: Plain) => Plain;
}

type Key = { readonly key: string; readonly list: boolean };

/**
 * `base` with `leaf` set at `keys`, keeping what is there: the change goes into every element of a list the
 * resource already holds (or into a new element), and into an object it already has (or a new one).
 */
function withChange(base: unknown, keys: readonly Key[], leaf: unknown): unknown {
    if (keys.length === 0) {
        return leaf;
    }
    const [{ key, list }, ...rest] = keys;
    const current = base && typeof base === "object" && !Array.isArray(base) ? (base as Plain) : {};
    const existing = current[key];
    if (rest.length === 0) {
        return { ...current, [key]: leaf };
    }
    if (list) {
        const elements = Array.isArray(existing) && existing.length > 0 ? existing : [{}];
        return { ...current, [key]: elements.map((e) => withChange(e, rest, leaf)) };
    }
    return { ...current, [key]: withChange(existing, rest, leaf) };
}

/** Every refused field and an invented one at every classified level, as changes to a resource's args. */
function mutations(fields: Fields, shape: Extract<Shape, { kind: "object" }>, prefix: Key[]): Mutation[] {
    const at = (keys: Key[]) => keys.map((k) => k.key + (k.list ? "[]" : "")).join(".");
    // The SDK's classes send only declared top-level fields (a raw registration below sends others); nested
    // objects go to the engine as they are.
    const invented = [...prefix, { key: "gateProbeField", list: false }];
    const result: Mutation[] = prefix.length === 0 ? [] : [{ path: at(invented), apply: (args) => withChange(args, invented, "probe") as Plain }];
    for (const [name, rule] of Object.entries(fields)) {
        const declared = shape.fields[name];
        if (!declared) {
            continue; // added by the engine's Check: no program sets it
        }
        const list = declared.kind === "array";
        const inner = list ? declared.element : declared;
        const keys = [...prefix, { key: name, list }];
        if (rule.kind === "refused") {
            const value = valueFor(declared, rule);
            result.push({ path: at(keys), apply: (args) => withChange(args, keys, value) as Plain });
        } else if (rule.kind === "object" && inner.kind === "object") {
            result.push(...mutations(rule.fields, inner, keys));
        }
    }
    return result;
}

// ---- the attacks ---------------------------------------------------------------------------------------------

const tokens = [CONTAINER, ...Object.keys(TARGETS)];
preloadSdk(tokens);

function fieldsOf(token: string): Fields {
    const cls = CLASSIFICATION[token];
    if (!cls || !("fields" in cls)) {
        throw new Error(`${token} is not classified field by field`);
    }
    return cls.fields;
}

const attacks: Attack[] = tokens.flatMap((token) =>
    mutations(fieldsOf(token), sdkInputs(token), []).map((m): Attack => {
        const title = `${token.split(":").pop()} sets ${m.path}`;
        if (token === CONTAINER) {
            return {
                name: title,
                blame: "backend",
                program: () => compliantStack({ transform: { backend: (args) => m.apply(args as unknown as Plain) as unknown as docker.ContainerArgs } }),
            };
        }
        const Cls = classOf(token);
        return {
            name: title,
            blame: "target",
            policies: GATE_POLICIES,
            program: () => {
                compliantStack();
                new Cls("target", m.apply({ ...TARGETS[token] }));
            },
        };
    }),
);

// A field the SDK does not declare reaches the engine through a registration of the type token itself.
const inventedTopLevel: Attack[] = tokens.map((token) => ({
    name: `${token.split(":").pop()} registered by its token with an undeclared field`,
    blame: "target",
    policies: GATE_POLICIES,
    program: () => {
        compliantStack();
        const props = { ...(TARGETS[token] ?? { name: "fixture-target", image: PINNED }), gateProbeField: "probe" };
        const provider = /^pulumi:providers:(\w+)$/.exec(token);
        // Both classes are abstract in their declarations only; a program may construct them directly.
        type Raw = new (type: string, name: string, props: Plain) => pulumi.CustomResource;
        if (provider) {
            new (pulumi.ProviderResource as unknown as Raw)(provider[1], "target", props);
        } else {
            new (pulumi.CustomResource as unknown as Raw)(token, "target", props);
        }
    },
}));

// The unchanged targets meet no violation of the gate's own policies, so each attack on a target, which must be
// refused by one of them, is refused for its change. A bare AWS target alone breaks other rules of the AWS closed
// world (a bucket without its encryption companion, a provider not pinned to an account): those are not this
// suite's subject, and the attacks on targets count only the gate's refusals. The backend is changed inside the
// compliant stack, which has no mandatory violation at all.
describe("adversarial fields: the baseline", () => {
    const baseline: Attack = {
        name: "the compliant stack with every unchanged target",
        blame: "",
        program: () => {
            compliantStack();
            for (const token of Object.keys(TARGETS)) {
                new (classOf(token))(`target-${token.split(":").pop()}`, { ...TARGETS[token] });
            }
        },
    };
    for (const mode of MODES) {
        it(`${baseline.name} has no mandatory violation (${mode})`, async () => {
            const result = await judgeAttack(baseline, mode);
            const gate = result.violations.filter((v) => v.level === "mandatory" && GATE_POLICIES.includes(v.policy));
            assert.deepEqual(gate.map((v) => [v.policy, v.urn, v.message]), []);
            // The engine adds a default AWS provider for the bare AWS targets; it is theirs, not the compliant stack's.
            const ofTargets = (urn: string | undefined) => !!urn && (urn.includes("::target") || urn.includes("pulumi:providers:aws::default_"));
            const outsideTargets = result.violations.filter((v) => v.level === "mandatory" && !ofTargets(v.urn));
            assert.deepEqual(outsideTargets.map((v) => [v.policy, v.urn, v.message]), [], "the compliant stack itself");
        });
    }
});

describeAttacks("fields", [...attacks, ...inventedTopLevel]);
