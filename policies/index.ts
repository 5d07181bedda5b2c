// The pack's entry point: the only file that constructs PolicyPack (which starts the analyzer's gRPC
// server). Run it with `pulumi preview --policy-pack policies`.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./all";

new PolicyPack("bulwark", {
    displayName: "bulwark: hardened Rails + PostgreSQL on Docker",
    description: "Blocks changes that break the bulwark security requirements (controls SEC-01 ... CMP-08).",
    provider: "docker",
    tags: ["docker", "aws", "security", "bulwark"],
    policies: [...allPolicies],
});
