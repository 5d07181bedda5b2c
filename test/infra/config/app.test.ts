// The application: backend and frontend containers, CORS, token lifetimes, the sign-in rate limit, the body limit
// and the Google client secret.
import * as assert from "node:assert/strict";
import { LIMITS } from "../../../infra/config";
import { assertRejected, json, load } from "./helpers";

describe("infra config validation (loadConfig): app", () => {
    describe("valid configurations", () => {
        it("accepts http://localhost CORS origins in dev only", () => {
            assert.deepEqual(load("dev", { corsOrigins: json(["http://localhost:3000"]) }).corsOrigins, ["http://localhost:3000"]);
            assertRejected("prod", { corsOrigins: json(["http://localhost:3000"]) }, "corsOrigins");
        });
    });

    describe("rejected values", () => {
        it("frontend.user: the backend's uid (nproc would count both), with another group or not", () => {
            for (const frontend of ["10201:10201", "10201:10301"]) {
                assertRejected("dev", { frontend: json({ user: frontend }) }, "frontend.user", { message: /uid 10201, like backend\.user: the nproc limit counts .*CON-08/ });
            }
            assert.equal(load("dev", { frontend: json({ user: "10202:10201" }) }).frontend.user, "10202:10201");
        });

        for (const user of ["0:0", "0:1000", "1000:0", "root", "1000"]) {
            it(`backend.user: ${JSON.stringify(user)}`, () => {
                assertRejected("dev", { backend: json({ user }) }, "backend.user", { message: /CON-05/ });
            });
        }

        // Zero-padded ids are root too: the check compares numbers, not text.
        it("backend.user: a zero-padded root id (\"00:00\", \"0000:1000\")", () => {
            for (const user of ["00:00", "0000:1000"]) {
                assertRejected("dev", { backend: json({ user }) }, "backend.user", { message: /CON-05/ });
            }
        });

        it("frontend.user: root in prod", () => {
            assertRejected("prod", { frontend: json({ user: "0:0" }) }, "frontend.user");
        });

        it("backend.healthCommand: an empty list", () => {
            assertRejected("dev", { backend: json({ healthCommand: [] }) }, "backend.healthCommand", { message: /LOG-05/ });
        });

        it("backend.healthCommand: a shell string instead of a list", () => {
            assertRejected("dev", { backend: json({ healthCommand: "curl -f http://127.0.0.1:3000/up" }) }, "backend.healthCommand");
        });

        it("backend.writablePaths: a relative path", () => {
            assertRejected("dev", { backend: json({ writablePaths: ["tmp"] }) }, "backend.writablePaths", { message: /CON-06/ });
        });

        it("backend.writablePaths: a path that climbs out with ..", () => {
            assertRejected("dev", { backend: json({ writablePaths: ["/tmp/../etc"] }) }, "backend.writablePaths");
        });

        it("corsOrigins: the wildcard", () => {
            assertRejected("dev", { corsOrigins: json(["*"]) }, "corsOrigins", { message: /wildcard.*APP-01/ });
        });

        it("corsOrigins: a wildcard inside an origin", () => {
            assertRejected("prod", { corsOrigins: json(["https://*.example.com"]) }, "corsOrigins", { message: /wildcard/ });
        });

        it("corsOrigins: an http origin in prod", () => {
            assertRejected("prod", { corsOrigins: json(["http://app.example.com"]) }, "corsOrigins", { message: /not an https origin/ });
        });

        it("corsOrigins: an origin with a path", () => {
            assertRejected("dev", { corsOrigins: json(["https://localhost:8443/app"]) }, "corsOrigins");
        });

        it("corsOrigins: an empty list", () => {
            assertRejected("dev", { corsOrigins: json([]) }, "corsOrigins", { message: /non-empty list/ });
        });

        it("corsOrigins: not a list", () => {
            assertRejected("dev", { corsOrigins: json("https://localhost:8443") }, "corsOrigins", { message: /non-empty list/ });
        });

        it(`jwtAccessTtlSeconds: below ${LIMITS.jwtAccessTtlSeconds.min}`, () => {
            assertRejected("dev", { jwtAccessTtlSeconds: `${LIMITS.jwtAccessTtlSeconds.min - 1}` }, "jwtAccessTtlSeconds");
        });

        it(`jwtAccessTtlSeconds: above ${LIMITS.jwtAccessTtlSeconds.max}`, () => {
            assertRejected("dev", { jwtAccessTtlSeconds: `${LIMITS.jwtAccessTtlSeconds.max + 1}` }, "jwtAccessTtlSeconds");
        });

        it(`jwtRefreshTtlSeconds: above ${LIMITS.jwtRefreshTtlSeconds.max}`, () => {
            assertRejected("dev", { jwtRefreshTtlSeconds: `${LIMITS.jwtRefreshTtlSeconds.max + 1}` }, "jwtRefreshTtlSeconds");
        });

        it("jwtRefreshTtlSeconds: not longer than the access token's lifetime", () => {
            const ttl = `${LIMITS.jwtAccessTtlSeconds.max}`;
            assertRejected("dev", { jwtAccessTtlSeconds: ttl, jwtRefreshTtlSeconds: ttl }, "jwtRefreshTtlSeconds", { message: /longer than jwtAccessTtlSeconds/ });
        });

        it(`authRateLimit.requestsPerMinute: below ${LIMITS.requestsPerMinute.min}`, () => {
            assertRejected("dev", { authRateLimit: json({ requestsPerMinute: LIMITS.requestsPerMinute.min - 1 }) }, "authRateLimit.requestsPerMinute");
        });

        it(`authRateLimit.requestsPerMinute: above ${LIMITS.requestsPerMinute.max}`, () => {
            assertRejected("dev", { authRateLimit: json({ requestsPerMinute: LIMITS.requestsPerMinute.max + 1 }) }, "authRateLimit.requestsPerMinute");
        });

        it(`authRateLimit.burst: above ${LIMITS.burst.max}`, () => {
            assertRejected("dev", { authRateLimit: json({ burst: LIMITS.burst.max + 1 }) }, "authRateLimit.burst");
        });

        it(`requestBodyLimitMb: below ${LIMITS.requestBodyLimitMb.min}`, () => {
            assertRejected("dev", { requestBodyLimitMb: `${LIMITS.requestBodyLimitMb.min - 1}` }, "requestBodyLimitMb");
        });

        it(`requestBodyLimitMb: above ${LIMITS.requestBodyLimitMb.max}`, () => {
            assertRejected("dev", { requestBodyLimitMb: `${LIMITS.requestBodyLimitMb.max + 1}` }, "requestBodyLimitMb");
        });

        it("googleClientSecret: missing in prod", () => {
            assertRejected("prod", { googleClientSecret: undefined }, "googleClientSecret", { message: /required in prod/ });
        });
    });
});
