// What a well-formed value looks like: the patterns and predicates the section parsers check values against.
import { isIPv4, isIPv6 } from "node:net";

export const DIGEST = /@sha256:[0-9a-f]{64}$/;
export const LOCAL_IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
export const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role|root|group)(\/[\w+=,.@/-]+)?$/;
/** A generation name: part of a Pulumi resource name, so letters, digits, '.', '_' and '-'. */
export const ACCESS_KEY_GENERATION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** An IPv4 or IPv6 CIDR narrower than "everywhere" (/0 would make the source-IP rule a no-op). */
export function isSourceCidr(value: unknown): boolean {
    const [address, prefix, ...rest] = typeof value === "string" ? value.split("/") : [];
    const max = isIPv4(address ?? "") ? 32 : isIPv6(address ?? "") ? 128 : 0;
    return rest.length === 0 && prefix !== undefined && /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= max;
}

/** Five-field cron: minute hour day-of-month month day-of-week, with *, lists, ranges and steps. */
export function isCron(expr: string): boolean {
    const fields = expr.trim().split(/\s+/);
    const bounds: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    if (fields.length !== 5) {
        return false;
    }
    return fields.every((field, i) =>
        field.split(",").every((part) => {
            const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
            if (!m) {
                return false;
            }
            const [lo, hi] = bounds[i];
            const nums = [m[2], m[3]].filter((n) => n !== undefined).map(Number);
            const step = m[4] === undefined ? 1 : Number(m[4]);
            const ordered = nums.length < 2 || nums[0] <= nums[1];
            return step >= 1 && ordered && nums.every((n) => n >= lo && n <= hi);
        }),
    );
}
