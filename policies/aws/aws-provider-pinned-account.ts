// BAK-05: the pack judges principals against the stack's own account (the one its admins are in), so that has
// to be the account the stack deploys to. An AWS provider pinned to it (allowedAccountIds) refuses to act in
// any other; an unpinned provider could deploy the "own-account" grants into an account where they are foreign.
import { AWS_PROVIDER_TYPE, containsUnknown } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { OWN_ACCOUNT_NOTE, ownAccount } from "./lib/principals";

/** Provider inputs reach the engine as strings; a list is its JSON text. */
function listOf(value: unknown): unknown[] | undefined {
    if (typeof value === "string") {
        try {
            const parsed: unknown = JSON.parse(value);
            return Array.isArray(parsed) ? parsed : undefined;
        } catch {
            return undefined;
        }
    }
    return Array.isArray(value) ? value : undefined;
}

export const awsProviderPinnedAccount = resourcePolicy({
    name: "aws-provider-pinned-account",
    controls: ["BAK-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "Every AWS provider of the stack sets allowedAccountIds to exactly the stack's own account, so the principals " +
        "the pack accepts as the stack's own are the account the stack deploys to. " +
        OWN_ACCOUNT_NOTE,
    remediationSteps:
        "Create the AWS provider with `allowedAccountIds: [<account>]`, the account of offsiteBackup.adminPrincipalArns " +
        "(infra/components/offsite.ts does), and give every AWS resource that provider.",
    validateResource: (args, reportViolation) => {
        if (args.type !== AWS_PROVIDER_TYPE) {
            args.notApplicable(`only applies to ${AWS_PROVIDER_TYPE}`);
        }
        const value = (args.props as Record<string, unknown>).allowedAccountIds;
        if (containsUnknown(value)) {
            markUndecided(args, args.urn, "allowedAccountIds");
            return;
        }
        const own = ownAccount();
        const ids = listOf(value);
        const fix = "Set `allowedAccountIds: [<the account of offsiteBackup.adminPrincipalArns>]` on the provider.";
        if ("problem" in own) {
            reportViolation(`[BAK-05] AWS provider '${args.name}': the stack's account is not known (${own.problem}), so nothing can pin the provider to it. ${fix}`);
        } else if (!ids || ids.length !== 1 || ids[0] !== own.account) {
            reportViolation(
                `[BAK-05] AWS provider '${args.name}' has allowedAccountIds ${JSON.stringify(value ?? null)}, not exactly the stack's ` +
                    `account ${own.account}, so it may deploy into an account whose principals the pack took for the stack's own. ${fix}`,
            );
        }
    },
});
