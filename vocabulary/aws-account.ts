// The AWS account a stack owns. The program and the policy pack decide it the same way, from the stack config
// both read (offsiteBackup.adminPrincipalArns, known in every preview): the one account the stack's admin
// principals are in. The program pins its AWS providers to it (allowedAccountIds), so the provider refuses to
// act in any other account; the pack accepts only that account and the stack's own identities as principals.

/** An ARN's account: arn:<partition>:<service>:<region>:<12 digits>:..., undefined for none (S3 ARNs, "*"). */
export function accountOfArn(arn: string): string | undefined {
    return /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
}

/** The stack's account from its offsiteBackup config, or why there is none. */
export function stackAccountOf(offsite: { readonly adminPrincipalArns?: unknown }): { account: string } | { problem: string } {
    const arns = Array.isArray(offsite.adminPrincipalArns) ? offsite.adminPrincipalArns.filter((a): a is string => typeof a === "string") : [];
    const accounts = [...new Set(arns.map(accountOfArn).filter((a): a is string => a !== undefined))];
    if (accounts.length === 1 && arns.every((a) => accountOfArn(a) === accounts[0])) {
        return { account: accounts[0] };
    }
    if (accounts.length > 1) {
        return { problem: `names principals in ${accounts.length} accounts (${accounts.join(", ")}); the stack's account must be one` };
    }
    return { problem: "names no principal with an account (arn:aws:iam::<account>:role/...), so the stack's account is not known" };
}
