// The TLS reverse proxy: the only container that publishes ports (NET-03). It terminates TLS (NET-04), sends
// HSTS (NET-06), hardens cookies (NET-07), rate-limits authentication routes (APP-03, LOG-03), bounds request
// bodies (APP-05) and logs every auth attempt (LOG-01). nginx listens on unprivileged ports inside, so the
// container needs no capability at all.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, PROXY_CONTAINER_PORTS } from "bulwark-vocabulary";
import { HardenedContainer, LogRotation, ServiceResources } from "../hardening";
import { IMAGE_USERS } from "./images";

/** Routes whose requests are rate-limited and logged as authentication attempts. */
/**
 * nginx's temp tmpfs, whatever the body limit: request bodies stream to the app and responses pass through
 * memory buffers (proxy_request_buffering off, proxy_max_temp_file_size 0 in images/proxy), so nothing a
 * client sends is spooled here. Sized by the body limit, N concurrent maximum-size uploads needed N times it.
 */
export const NGINX_TEMP_MB = 16;
export const AUTH_ROUTES = ["/api/auth/", "/api/login", "/users/sign_in", "/auth/"] as const;

export interface ProxyArgs {
    readonly stack: string;
    readonly image: pulumi.Input<string>;
    readonly edgeNetwork: docker.Network;
    readonly domain: string;
    /** The public origin, computed once by the stack (the app gets the same). */
    readonly url: string;
    readonly httpsPort: number;
    readonly httpPort: number;
    /** Host address both ports bind to (bulwark:publishAddress). */
    readonly publishAddress: string;
    readonly tls: { readonly mode: "self-signed" } | { readonly mode: "provided"; readonly certificate: pulumi.Output<string>; readonly privateKey: pulumi.Output<string> };
    readonly backendUpstream: string;
    readonly frontendUpstream: string;
    readonly authRateLimit: { readonly requestsPerMinute: number; readonly burst: number };
    readonly requestBodyLimitMb: number;
    readonly resources: ServiceResources;
    readonly logRotation: LogRotation;
}

export class Proxy extends pulumi.ComponentResource {
    readonly container: docker.Container;
    readonly url: string;

    constructor(name: string, args: ProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.proxy, name, {}, opts);
        const tlsEnv: Record<string, pulumi.Input<string>> =
            args.tls.mode === "provided"
                ? { TLS_MODE: "provided", TLS_CERTIFICATE_PEM: args.tls.certificate, TLS_PRIVATE_KEY_PEM: args.tls.privateKey }
                : { TLS_MODE: "self-signed" };
        this.container = new HardenedContainer(
            name,
            {
                profile: {
                    stack: args.stack,
                    service: "proxy",
                    role: "edge-proxy",
                    image: args.image,
                    user: IMAGE_USERS.proxy,
                    resources: args.resources,
                    logRotation: args.logRotation,
                    networks: [{ network: args.edgeNetwork, aliases: ["proxy"] }],
                    publish: [
                        { containerPort: PROXY_CONTAINER_PORTS.https, hostPort: args.httpsPort, hostAddress: args.publishAddress },
                        { containerPort: PROXY_CONTAINER_PORTS.http, hostPort: args.httpPort, hostAddress: args.publishAddress },
                    ],
                    // Rendered config, pid file, the dev certificate and nginx's temp files; nothing else is writable.
                    tmpfs: [
                        { path: "/run/nginx", sizeMb: 8, mode: "0700" },
                        { path: "/var/lib/nginx", sizeMb: NGINX_TEMP_MB, mode: "0700" },
                        { path: "/tmp", sizeMb: 16, mode: "0700" },
                    ],
                    env: {
                        SERVER_NAME: args.domain,
                        PUBLIC_HTTPS_PORT: `${args.httpsPort}`,
                        BACKEND_UPSTREAM: args.backendUpstream,
                        FRONTEND_UPSTREAM: args.frontendUpstream,
                        AUTH_RATE_PER_MINUTE: `${args.authRateLimit.requestsPerMinute}`,
                        AUTH_BURST: `${args.authRateLimit.burst}`,
                        AUTH_ROUTES: AUTH_ROUTES.join(","),
                        CLIENT_MAX_BODY_MB: `${args.requestBodyLimitMb}`,
                        HSTS_MAX_AGE: "63072000",
                        ...tlsEnv,
                    },
                    healthCheck: { command: ["/usr/local/bin/healthcheck"] },
                    maxOpenFiles: 16384,
                    controls: ["NET-03", "NET-04", "NET-06", "NET-07", "APP-03", "APP-05", "LOG-01", "LOG-03"],
                },
            },
            { parent: this },
        ).container;
        this.url = args.url;
        this.registerOutputs({ url: this.url });
    }
}
