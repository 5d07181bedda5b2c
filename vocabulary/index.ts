// bulwark's vocabulary: the facts the program (infra/), the policy pack (policies/) and the tools (tools/) must
// agree on, in one place below all three. It imports nothing but Node's own modules.
export * from "./capabilities";
export * from "./controls";
export * from "./engine-values";
export * from "./host-paths";
export * from "./labels";
export * from "./limits";
export * from "./network";
export * from "./roles";
export * from "./secret-names";
export * from "./type-tokens";
export * from "./aws-account";
