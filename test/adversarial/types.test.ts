// Adversarial class "types" (issue 22 item 1): a resource of a type the pack does not check, added to the
// compliant stack, must be refused in both modes by a mandatory violation naming it. The attacks are generated:
// every resource class @pulumi/docker and @pulumi/random export that the gate does not classify, a sample of AWS
// types outside the classification (IAM attachments of managed policies among them), a dynamic provider
// resource, and a component of an unknown type wrapping a hardened container.
import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CLASSIFICATION } from "../../policies/gate/lib/classification";
import { compliantStack } from "../fixtures/lib/compliant-stack";
import { Attack, describeAttacks } from "./harness";

type ResourceClass = (new (name: string, args?: unknown, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource) & { __pulumiType?: string };

/** A module's exported custom resource classes, by the type token the engine sees. */
function resourceClasses(module: Record<string, unknown>): [string, ResourceClass][] {
    return Object.values(module)
        .filter((v): v is ResourceClass => typeof v === "function" && v.prototype instanceof pulumi.CustomResource)
        .map((cls) => {
            const token = cls.__pulumiType ?? "";
            return [cls.prototype instanceof pulumi.ProviderResource ? `pulumi:providers:${token}` : token, cls] as [string, ResourceClass];
        });
}

/**
 * Args that give every declared input a placeholder, so a constructor's required-argument checks pass: the
 * attack is the type itself, whatever its fields hold.
 */
const anyArgs = (): unknown => new Proxy({}, { get: (_t, key) => (typeof key === "string" ? "probe" : undefined) });

const exported = [...resourceClasses(docker as unknown as Record<string, unknown>), ...resourceClasses(random as unknown as Record<string, unknown>)];
const unclassified = exported.filter(([token]) => !CLASSIFICATION[token]);

const fromClasses: Attack[] = unclassified.map(([token, cls]) => ({
    name: `a ${token} beside the stack`,
    blame: "intruder",
    program: () => {
        compliantStack();
        new cls("intruder", anyArgs());
    },
}));

// AWS: managed-policy attachments to the stack's identities, and types the program never uses.
const AWS_SAMPLE: [string, () => void][] = [
    ["an AdministratorAccess attachment to a role", () => new aws.iam.RolePolicyAttachment("intruder", { role: "bulwark-prod-offsite-replication", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
    ["an AdministratorAccess attachment to a user", () => new aws.iam.UserPolicyAttachment("intruder", { user: "bulwark-prod-backup-uploader", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
    ["a PolicyAttachment to users and roles", () => new aws.iam.PolicyAttachment("intruder", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", users: ["bulwark-prod-backup-uploader"] })],
    ["a public BucketAcl", () => new aws.s3.BucketAcl("intruder", { bucket: "offsite-bucket", acl: "public-read" })],
    ["a CORS configuration", () => new aws.s3.BucketCorsConfiguration("intruder", { bucket: "offsite-bucket", corsRules: [{ allowedMethods: ["GET"], allowedOrigins: ["*"] }] })],
    ["an IAM group membership", () => new aws.iam.UserGroupMembership("intruder", { user: "bulwark-prod-backup-uploader", groups: ["admins"] })],
    ["a KMS grant", () => new aws.kms.Grant("intruder", { keyId: "key", granteePrincipal: "arn:aws:iam::999999999999:root", operations: ["Decrypt"] })],
    ["an EC2 instance", () => new aws.ec2.Instance("intruder", { ami: "ami-12345678", instanceType: "t3.micro" })],
    ["a Lambda function", () => new aws.lambda.Function("intruder", { role: "arn:aws:iam::123456789012:role/x", runtime: "nodejs20.x", handler: "index.handler", code: new pulumi.asset.AssetArchive({}) })],
    ["an S3 access point", () => new aws.s3.AccessPoint("intruder", { bucket: "offsite-bucket", name: "intruder" })],
];
const fromAws: Attack[] = AWS_SAMPLE.map(([what, add]) => ({
    name: `${what} beside the stack`,
    blame: "intruder",
    program: () => {
        compliantStack();
        add();
    },
}));

// A dynamic provider runs its create on the deploying machine: here, a privileged container no policy sees.
const privilegedRun: pulumi.dynamic.ResourceProvider = {
    async create() {
        return { id: "docker run --privileged -v /:/host alpine", outs: {} };
    },
};
class PrivilegedRun extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(privilegedRun, name, { command: "docker run --privileged -v /:/host alpine" }, {});
    }
}

class Wrapper extends pulumi.ComponentResource {
    constructor(name: string, inner: docker.ContainerArgs) {
        super("acme:index:Wrapper", name, {}, {});
        new docker.Container(`${name}-inner`, inner, { parent: this });
    }
}

const special: Attack[] = [
    {
        name: "a dynamic provider resource whose create runs docker run --privileged",
        blame: "intruder",
        program: () => {
            compliantStack();
            new PrivilegedRun("intruder");
        },
    },
    {
        name: "a component of an unknown type wrapping a container",
        blame: "intruder",
        program: () => {
            compliantStack();
            new Wrapper("intruder", { name: "wrapped", image: "bulwark/proxy@sha256:9f2b5c7e41d8a3f0c6e1b4d7a2f5c8e0b3d6a9f1c4e7b0d3a6f9c2e5b8d1a4f7" });
        },
    },
];

describe("adversarial types: the generated set", () => {
    it("covers every unclassified resource class of @pulumi/docker and @pulumi/random", () => {
        const tokens = unclassified.map(([t]) => t);
        for (const t of ["docker:index/service:Service", "docker:index/plugin:Plugin", "docker:index/secret:Secret", "random:index/randomPet:RandomPet"]) {
            assert.ok(tokens.includes(t), t);
        }
        assert.ok(exported.length - unclassified.length >= 8, "the classified classes (container, network, volume, image, random, providers) are left out");
    });
});

describeAttacks("types", [...fromClasses, ...fromAws, ...special]);
