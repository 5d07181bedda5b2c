// Who a bucket or key policy statement lets in, judged against the stack's own account. The account is the one
// the stack's admin principals are in (stack config offsiteBackup.adminPrincipalArns, which the engine hands the
// pack in every preview); the program pins its AWS providers to it (allowedAccountIds, checked by
// aws-provider-pinned-account), so principals of that account are the stack's own.
import { accountOfArn, stackAccountOf } from "bulwark-vocabulary";
import { configuredObject, engineStackConfig } from "../../lib/stack-config";
import { asList, PolicyStatement } from "./aws-refs";

/** The stack's account, or why the pack cannot tell it. */
export function ownAccount(): { account: string } | { problem: string } {
    const config = engineStackConfig();
    if (config === undefined) {
        return { problem: "the pack runs outside a stack (no stack config)" };
    }
    const result = stackAccountOf(configuredObject(config, "offsiteBackup"));
    return "problem" in result ? { problem: `offsiteBackup.adminPrincipalArns ${result.problem}` } : result;
}

export const OWN_ACCOUNT_NOTE =
    "The stack's own account is the one its admin principals are in (stack config offsiteBackup.adminPrincipalArns, " +
    "known in every preview; the program pins each AWS provider to it with allowedAccountIds).";

/** Why one AWS principal value is not the stack's own: undefined when it is. */
function foreignAws(value: string, own: { account: string } | { problem: string }): string | undefined {
    if (value === "*") {
        return "'*' (every AWS account)";
    }
    const account = /^\d{12}$/.test(value) ? value : accountOfArn(value);
    if (account === undefined) {
        // A bare name, a unique id (AIDA...) or a pattern: nothing here can prove whose it is.
        return `${JSON.stringify(value)}, which names no account the pack can check`;
    }
    if ("problem" in own) {
        return `${JSON.stringify(value)} of account ${account}, and ${own.problem}`;
    }
    return account === own.account ? undefined : `${JSON.stringify(value)} of account ${account}, not the stack's ${own.account}`;
}

/**
 * The principals of an Allow statement that are not the stack's own. Accepted: AWS principals of the stack's
 * account (its root, users and roles, by ARN or account id) and the listed service principals. Refused: '*' in any
 * form (with or without a condition), other accounts, federated and canonical-user principals, NotPrincipal.
 */
export function foreignPrincipals(statement: PolicyStatement, own: { account: string } | { problem: string }, services: readonly string[]): string[] {
    if (statement.NotPrincipal !== undefined) {
        return [`NotPrincipal ${JSON.stringify(statement.NotPrincipal)} (it grants everyone not listed)`];
    }
    const principal = statement.Principal;
    if (principal === undefined) {
        return [];
    }
    if (typeof principal === "string") {
        return principal === "*" ? ["Principal '*' (every AWS account)"] : [`Principal ${JSON.stringify(principal)}, which is not a principal map`];
    }
    if (!principal || typeof principal !== "object" || Array.isArray(principal)) {
        return [`Principal ${JSON.stringify(principal)}, which is not a principal map`];
    }
    const problems: string[] = [];
    for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
        const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : [value];
        for (const v of values) {
            if (typeof v !== "string") {
                problems.push(`a ${kind} principal ${JSON.stringify(v)} that is not a string`);
            } else if (kind === "AWS") {
                const why = foreignAws(v, own);
                if (why) {
                    problems.push(`AWS principal ${why}`);
                }
            } else if (kind === "Service") {
                if (!services.includes(v)) {
                    problems.push(`service principal ${JSON.stringify(v)}, not one the stack uses (${services.join(", ") || "none"})`);
                }
            } else {
                problems.push(`${kind} principal ${JSON.stringify(v)} (only the stack's own AWS identities and account may be named)`);
            }
        }
    }
    return problems;
}

/** Statement actions, for messages. */
export const actionsOf = (statement: PolicyStatement) => asList(statement.Action);
