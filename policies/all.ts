// Every policy of the pack, by concern. The entry file (index.ts) hands this list to PolicyPack; the tests,
// `policy:check` and the compliance report import it directly, so they never start the pack's gRPC server.
import { appPolicies } from "./app";
import { awsPolicies } from "./aws";
import { backupPolicies } from "./backups";
import { containerPolicies } from "./containers";
import { gatePolicies } from "./gate";
import { BulwarkPolicy } from "./lib/policy";
import { networkPolicies } from "./networks";
import { secretPolicies } from "./secrets";

export const POLICY_GROUPS: Readonly<Record<string, readonly BulwarkPolicy[]>> = {
    containers: containerPolicies,
    networks: networkPolicies,
    secrets: secretPolicies,
    app: appPolicies,
    backups: backupPolicies,
    aws: awsPolicies,
    gate: gatePolicies,
};

export const allPolicies: readonly BulwarkPolicy[] = Object.values(POLICY_GROUPS).flat();
