// Host addresses as Docker reads them: the daemon parses a published port's host ip with Go's net.ParseIP, so
// every spelling ParseIP accepts for one address is that address (`::ffff:0.0.0.0`, `0:0:0:0:0:0:0:0`,
// `[::]` as the CLI writes it), and anything it refuses is no address at all. Policies compare the parsed
// bytes, never the text.

/** A parsed address: 16 bytes, IPv4 held in its IPv4-mapped IPv6 form (as Go's net.IP does). */
export interface IpAddress {
    readonly bytes: readonly number[];
    /** True for IPv4 and IPv4-mapped IPv6 (Go's To4() != nil). */
    readonly v4: boolean;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Go's parseIPv4: four decimal fields 0-255, no leading zeros (Go >= 1.17), no shorthand. */
function parseV4(s: string): number[] | undefined {
    const fields = s.split(".");
    if (fields.length !== 4) {
        return undefined;
    }
    const bytes: number[] = [];
    for (const f of fields) {
        if (!/^(0|[1-9][0-9]{0,2})$/.test(f) || Number(f) > 255) {
            return undefined;
        }
        bytes.push(Number(f));
    }
    return bytes;
}

/** Go's parseIPv6: hex groups of 1-4 digits, at most one "::", an IPv4 tail in the last 32 bits; no zone. */
function parseV6(s: string): number[] | undefined {
    if (!/^[0-9a-fA-F:.]+$/.test(s)) {
        return undefined;
    }
    const halves = s.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const groups = (part: string): number[] | undefined => {
        if (part === "") {
            return [];
        }
        const out: number[] = [];
        const fields = part.split(":");
        for (const [i, f] of fields.entries()) {
            if (f.includes(".")) {
                // An IPv4 tail: only as the last field.
                const v4 = i === fields.length - 1 ? parseV4(f) : undefined;
                if (!v4) {
                    return undefined;
                }
                out.push(...v4);
            } else if (/^[0-9a-fA-F]{1,4}$/.test(f)) {
                const n = parseInt(f, 16);
                out.push(n >> 8, n & 0xff);
            } else {
                return undefined;
            }
        }
        return out;
    };
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    if (!head || !tail) {
        return undefined;
    }
    // An IPv4 tail is only allowed at the very end.
    if (halves.length === 2 && halves[0].includes(".")) {
        return undefined;
    }
    if (halves.length === 1) {
        return head.length === 16 ? head : undefined;
    }
    const fill = 16 - head.length - tail.length;
    // "::" stands for at least one group of zeros (Go refuses a "::" that stands for none).
    return fill >= 2 ? [...head, ...new Array<number>(fill).fill(0), ...tail] : undefined;
}

/**
 * The address `text` names, as Docker parses it, or undefined when Docker accepts no such address. Exactly one
 * pair of brackets around an IPv6 address is accepted (Docker's CLI strips them from `-p [::]:80:80`); no
 * surrounding space, no zone, no prefix length.
 */
export function parseIp(text: string): IpAddress | undefined {
    const bare = /^\[[^\]]*\]$/.test(text) ? text.slice(1, -1) : text;
    if (bare !== text && !bare.includes(":")) {
        return undefined;
    }
    const v4 = bare.includes(":") ? undefined : parseV4(bare);
    const bytes = v4 ? [...V4_MAPPED_PREFIX, ...v4] : bare.includes(":") ? parseV6(bare) : undefined;
    if (!bytes) {
        return undefined;
    }
    const mapped = V4_MAPPED_PREFIX.every((b, i) => bytes[i] === b);
    return { bytes, v4: mapped };
}

/** The unspecified address of either family (0.0.0.0, ::, ::ffff:0.0.0.0): binds every interface of the host. */
export function isUnspecified(ip: IpAddress): boolean {
    return ip.bytes.every((b, i) => b === 0 || (ip.v4 && i >= 10 && i < 12));
}

/**
 * The same host address: equal bytes (an IPv4 address equals its IPv4-mapped form), and every spelling of the
 * unspecified address equals every other (Docker binds `::` on both families, 0.0.0.0 on every IPv4 interface).
 */
export function sameAddress(a: IpAddress, b: IpAddress): boolean {
    return (isUnspecified(a) && isUnspecified(b)) || a.bytes.every((byte, i) => byte === b.bytes[i]);
}

/** The canonical text of an address: dotted IPv4 for IPv4 and mapped addresses, else compressed lower-case IPv6. */
export function formatIp(ip: IpAddress): string {
    if (ip.v4) {
        return ip.bytes.slice(12).join(".");
    }
    const groups = Array.from({ length: 8 }, (_, i) => (ip.bytes[2 * i] << 8) | ip.bytes[2 * i + 1]);
    // The longest run of two or more zero groups becomes "::" (RFC 5952).
    let best = { at: -1, len: 0 };
    for (let i = 0; i < 8; ) {
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
        i = j === i ? i + 1 : j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best.at < 0) {
        return hex.join(":");
    }
    return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}
