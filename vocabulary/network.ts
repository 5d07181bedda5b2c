// The stack's config namespace and the proxy's ports: the program applies them, the pack judges published ports
// against them and `verify` finds the proxy's published address by them.

/** The project's config namespace: `bulwark:<key>`. */
export const CONFIG_NAMESPACE = "bulwark";

/** Host ports of the proxy when the stack sets none (the program's defaults for `httpsPort` / `httpPort`). */
export const DEFAULT_PUBLIC_PORTS = { httpsPort: 443, httpPort: 80 } as const;
export type PublicPortKey = keyof typeof DEFAULT_PUBLIC_PORTS;

/** The ports nginx listens on inside the proxy container (unprivileged, so it needs no NET_BIND_SERVICE). */
export const PROXY_CONTAINER_PORTS = { https: 8443, http: 8080 } as const;

/** The host address a dev stack's proxy binds its ports to when the stack sets no `publishAddress` (prod must). */
export const DEV_PUBLISH_ADDRESS = "127.0.0.1";

/** Addresses that bind every interface of the host (Docker's and the provider's default, 0.0.0.0). */
export const WILDCARD_ADDRESSES: readonly string[] = ["0.0.0.0", "::", ""];
