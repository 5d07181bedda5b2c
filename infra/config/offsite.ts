// The off-site copy of the backups (offsiteBackup): an S3 bucket under its own KMS key, who may read it, where
// uploads may come from, the uploader's access key generations and an optional replica in another region.
import { stackAccountOf } from "bulwark-vocabulary";
import { FIRST_ACCESS_KEY_GENERATION, LIMITS, MAX_ACCESS_KEYS } from "./defaults";
import { ACCESS_KEY_GENERATION, ARN, AWS_REGION, BUCKET_NAME, isSourceCidr } from "./patterns";
import type { ConfigReader } from "./reader";
import type { OffsiteBackupConfig, OffsiteReplicaConfig } from "./types";

export function parseOffsite(r: ConfigReader, prod: boolean): OffsiteBackupConfig {
    const offsiteRaw = r.object("offsiteBackup");
    const offsiteEnabled = r.bool("offsiteBackup.enabled", offsiteRaw.enabled, false);
    const region = typeof offsiteRaw.region === "string" ? offsiteRaw.region : "eu-central-1";
    if (offsiteEnabled && !AWS_REGION.test(region)) {
        r.problem("offsiteBackup.region", `is not an AWS region: ${JSON.stringify(region)}.`, "run `pulumi config set --path offsiteBackup.region eu-central-1`.");
    }
    const bucketName = offsiteRaw.bucketName;
    if (bucketName !== undefined && (typeof bucketName !== "string" || !BUCKET_NAME.test(bucketName))) {
        r.problem("offsiteBackup.bucketName", `is not a valid S3 bucket name: ${JSON.stringify(bucketName)}.`, "use 3-63 lower-case letters, digits, dots and hyphens, or remove it to let AWS name the bucket.");
    }
    const admins = offsiteRaw.adminPrincipalArns ?? [];
    if (!Array.isArray(admins) || !admins.every((a) => typeof a === "string" && ARN.test(a))) {
        r.problem("offsiteBackup.adminPrincipalArns", `must be a list of IAM ARNs (arn:aws:iam::<account>:user/... or role/...), got ${JSON.stringify(admins)} (BAK-05).`, "run `pulumi config set --path 'offsiteBackup.adminPrincipalArns[0]' arn:aws:iam::123456789012:role/backup-admin`.");
    }
    const sourceCidrs = offsiteRaw.allowedSourceCidrs ?? [];
    if (!Array.isArray(sourceCidrs) || !sourceCidrs.every(isSourceCidr)) {
        r.problem("offsiteBackup.allowedSourceCidrs", `must be a list of IPv4 or IPv6 CIDRs with a prefix of at least /1 (such as "203.0.113.0/24"), got ${JSON.stringify(sourceCidrs)}.`, "run `pulumi config set --path 'offsiteBackup.allowedSourceCidrs[0]' 203.0.113.7/32` with the host's public egress address, or remove the key to accept uploads from any address.");
    }
    const accessKeys = accessKeyGenerations(offsiteRaw.accessKeys, r);
    const primaryBucketName = typeof bucketName === "string" ? bucketName : undefined;
    const offsiteBackup: OffsiteBackupConfig = {
        enabled: offsiteEnabled,
        bucketName: primaryBucketName,
        region,
        kmsKeyDeletionWindowDays: r.checkNumber("offsiteBackup.kmsKeyDeletionWindowDays", offsiteRaw.kmsKeyDeletionWindowDays ?? 30, LIMITS.kmsKeyDeletionWindowDays.min, LIMITS.kmsKeyDeletionWindowDays.max, true),
        adminPrincipalArns: Array.isArray(admins) ? (admins as string[]) : [],
        noncurrentVersionDays: r.checkNumber("offsiteBackup.noncurrentVersionDays", offsiteRaw.noncurrentVersionDays ?? 30, LIMITS.noncurrentVersionDays.min, LIMITS.noncurrentVersionDays.max, true),
        allowedSourceCidrs: Array.isArray(sourceCidrs) ? sourceCidrs.filter(isSourceCidr) : [],
        accessKeys,
        ...optional("replica", offsiteReplica(offsiteRaw.replica, { enabled: offsiteEnabled, region, bucketName: primaryBucketName }, r)),
    };
    // The stack's account is the one its admins are in: the provider is pinned to it (allowedAccountIds), the
    // replication role's trust names it (aws:SourceAccount), and the policy pack accepts no other (issue 22).
    const account = stackAccountOf({ adminPrincipalArns: offsiteBackup.adminPrincipalArns });
    if (offsiteEnabled && offsiteBackup.adminPrincipalArns.length > 0 && "problem" in account) {
        r.problem("offsiteBackup.adminPrincipalArns", `${account.problem}: the provider is pinned to the stack's account and the bucket and key policies accept principals of that account only (BAK-05).`, "list admin roles or users of the account that holds the backups only.");
    }
    if (offsiteEnabled && offsiteBackup.adminPrincipalArns.length === 0) {
        r.problem("offsiteBackup.adminPrincipalArns", "is empty: the bucket policy lets only the uploader and these admins touch backups, so nobody could restore (BAK-05).", "run `pulumi config set --path 'offsiteBackup.adminPrincipalArns[0]' arn:aws:iam::<account>:role/<backup-admin>`.");
    }
    if (prod && !offsiteEnabled) {
        r.problem("offsiteBackup.enabled", "is false in prod; backups must also be stored off-site (BAK-02).", "run `pulumi config set --path offsiteBackup.enabled true` and set offsiteBackup.region.");
    }
    return offsiteBackup;
}

/**
 * offsiteBackup.accessKeys: one or two distinct generation names, oldest first. `pulumi config set --path`
 * stores `2` as a number, so integers are taken as their decimal names. Anything else is a problem, and the
 * default generation stands in so the rest of the config is still checked.
 */
function accessKeyGenerations(value: unknown, r: ConfigReader): readonly [string, ...string[]] {
    const key = "offsiteBackup.accessKeys";
    const fallback: [string] = [FIRST_ACCESS_KEY_GENERATION];
    if (value === undefined) {
        return fallback;
    }
    const names = Array.isArray(value) ? value.map((v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? String(v) : v)) : undefined;
    if (!names || names.length === 0 || !names.every((n): n is string => typeof n === "string" && ACCESS_KEY_GENERATION.test(n))) {
        r.problem(
            key,
            `must be a list of one or two access key generation names (letters, digits, '.', '_', '-'; such as ["1"] or ["1", "2"]), got ${JSON.stringify(value)}.`,
            "run `pulumi config rm --path offsiteBackup.accessKeys` to keep the one key of generation \"1\", or `pulumi config set --path 'offsiteBackup.accessKeys[0]' 1`.",
        );
        return fallback;
    }
    const repeated = names.findIndex((n, i) => names.indexOf(n) !== i);
    if (repeated >= 0) {
        r.problem(
            key,
            `lists the generation ${JSON.stringify(names[repeated])} twice (${JSON.stringify(names)}); each generation is one access key, so each name must be new.`,
            `run \`pulumi config rm --path 'offsiteBackup.accessKeys[${repeated}]'\`, or give it a name not listed yet.`,
        );
        return fallback;
    }
    if (names.length > MAX_ACCESS_KEYS) {
        r.problem(
            key,
            `lists ${names.length} generations (${JSON.stringify(names)}); IAM allows at most ${MAX_ACCESS_KEYS} access keys per user, so a rotation holds the old key and the new one only (BAK-06).`,
            `finish the running rotation first: run \`pulumi config rm --path 'offsiteBackup.accessKeys[${MAX_ACCESS_KEYS}]'\` (and any later entry), ` +
                `and once the uploader's last pass succeeded with ${JSON.stringify(names[MAX_ACCESS_KEYS - 1])}, run \`pulumi config rm --path 'offsiteBackup.accessKeys[0]'\` and \`pulumi up\`; ` +
                "then add the next generation (docs/runbooks.md, \"Rotate the off-site uploader's access key\").",
        );
        return fallback;
    }
    return names as [string, ...string[]];
}

/**
 * offsiteBackup.replica: { region, bucketName? }. The region must be another than the primary's (a copy in the
 * same region shares its outages), and the copy exists only with the primary.
 */
function offsiteReplica(
    value: unknown,
    primary: { enabled: boolean; region: string; bucketName?: string },
    r: ConfigReader,
): OffsiteReplicaConfig | undefined {
    if (value === undefined || value === null) {
        return undefined;
    }
    const remove = "or remove it with `pulumi config rm --path offsiteBackup.replica` to keep one off-site copy.";
    if (typeof value !== "object" || Array.isArray(value)) {
        r.problem("offsiteBackup.replica", `must be an object with a region (and optionally a bucketName), got ${JSON.stringify(value)}.`, `run \`pulumi config set --path offsiteBackup.replica.region eu-west-1\`, ${remove}`);
        return undefined;
    }
    const raw = value as { region?: unknown; bucketName?: unknown };
    if (!primary.enabled) {
        r.problem("offsiteBackup.replica", "is set while offsiteBackup.enabled is false: the replica copies the off-site bucket, which does not exist.", `run \`pulumi config set --path offsiteBackup.enabled true\`, ${remove}`);
        return undefined;
    }
    const region = raw.region;
    if (typeof region !== "string" || !AWS_REGION.test(region)) {
        r.problem("offsiteBackup.replica.region", `is not an AWS region: ${JSON.stringify(region ?? "")}.`, "run `pulumi config set --path offsiteBackup.replica.region eu-west-1` (another region than offsiteBackup.region).");
        return undefined;
    }
    if (region === primary.region) {
        r.problem("offsiteBackup.replica.region", `is ${region}, the primary bucket's region too: a copy in the same region shares its outages (BAK-02).`, "set another region: `pulumi config set --path offsiteBackup.replica.region <region>`.");
        return undefined;
    }
    const bucketName = raw.bucketName;
    if (bucketName !== undefined && (typeof bucketName !== "string" || !BUCKET_NAME.test(bucketName) || bucketName === primary.bucketName)) {
        const why = bucketName === primary.bucketName ? "is the primary bucket's name too" : "is not a valid S3 bucket name";
        r.problem("offsiteBackup.replica.bucketName", `${why}: ${JSON.stringify(bucketName)}.`, "use 3-63 lower-case letters, digits, dots and hyphens (not the primary's name), or remove it to let AWS name the bucket.");
        return undefined;
    }
    return { region, ...(typeof bucketName === "string" ? { bucketName } : {}) };
}

/** `{ [key]: value }` when there is a value, else nothing: absent config stays absent in the parsed object. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
    return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
