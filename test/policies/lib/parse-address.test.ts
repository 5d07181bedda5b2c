import * as assert from "node:assert/strict";
import { ANY_ADDRESS_SPELLINGS } from "./spellings";
import { formatIp, isUnspecified, parseIp, sameAddress } from "../../../policies/lib/parse/address";

describe("parse/address: addresses as Docker (Go's net.ParseIP) reads them", () => {
    it("#1 every spelling of the any-address is the unspecified address, equal to 0.0.0.0 and ::", () => {
        const v4 = parseIp("0.0.0.0")!;
        const v6 = parseIp("::")!;
        for (const s of ANY_ADDRESS_SPELLINGS) {
            const ip = parseIp(s);
            assert.ok(ip, s);
            assert.ok(isUnspecified(ip), s);
            assert.ok(sameAddress(ip, v4) && sameAddress(ip, v6), s);
        }
    });

    it("#2 an IPv4 address equals its IPv4-mapped IPv6 forms, in any case and zero expansion", () => {
        const base = parseIp("127.0.0.1")!;
        for (const s of ["::ffff:127.0.0.1", "::FFFF:7f00:1", "0:0:0:0:0:ffff:7f00:0001", "[::ffff:127.0.0.1]", "0000:0000:0000:0000:0000:FFFF:7F00:0001"]) {
            assert.ok(sameAddress(parseIp(s)!, base), s);
            assert.equal(formatIp(parseIp(s)!), "127.0.0.1", s);
        }
        assert.ok(!isUnspecified(base));
    });

    it("#3 IPv6 spellings of one address are equal; different addresses are not", () => {
        const a = parseIp("2001:db8::10")!;
        for (const s of ["2001:DB8::10", "2001:0db8:0000:0000:0000:0000:0000:0010", "2001:db8:0:0:0:0:0:10", "[2001:db8::10]"]) {
            assert.ok(sameAddress(parseIp(s)!, a), s);
        }
        assert.ok(!sameAddress(parseIp("2001:db8::11")!, a));
        assert.ok(!sameAddress(parseIp("::1")!, parseIp("127.0.0.1")!), "::1 is not IPv4 loopback");
        assert.ok(!isUnspecified(parseIp("::1")!));
        assert.equal(formatIp(a), "2001:db8::10");
    });

    it("#4 what Docker does not accept as an address is refused", () => {
        for (const s of [
            "", " 0.0.0.0", "0.0.0.0 ", "0", "0.0", "0.0.0", "0.0.0.0.0", "00.0.0.0", "127.000.000.001", "127.1", "0x7f.0.0.1",
            "256.0.0.1", "1.2.3.-4", "::ffff:256.0.0.0", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::g", "fe80::1%eth0",
            "0.0.0.0/0", "[0.0.0.0]", "[::", "::]", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7::8", "localhost", "*",
        ]) {
            assert.equal(parseIp(s), undefined, JSON.stringify(s));
        }
    });

    it("#5 a full eight-group address with '::' standing for no group is refused, as Go does", () => {
        assert.equal(parseIp("1:2:3:4::5:6:7:8"), undefined);
        assert.ok(parseIp("1:2:3::5:6:7:8"));
    });
});
