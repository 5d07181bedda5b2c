// The application: the Rails API backend (data + edge networks) and the JS frontend (edge only). The stack
// hands the app its security settings (NET-05, APP-01, APP-02) and secrets (SEC-01) as environment, the way
// the security document asks; what the app does with them is the app's own code (DB-06, APP-04).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES } from "bulwark-vocabulary";
import { AppServiceConfig } from "../config";
import { HardenedContainer, LogRotation, ServiceResources } from "../hardening";

export const BACKEND_PORT = 3000;
export const FRONTEND_PORT = 8080;

export interface AppArgs {
    readonly stack: string;
    readonly backendImage: pulumi.Input<string>;
    readonly frontendImage: pulumi.Input<string>;
    readonly backend: AppServiceConfig;
    readonly frontend: AppServiceConfig;
    readonly edgeNetwork: docker.Network;
    readonly dataNetwork: docker.Network;
    readonly databaseUrl: pulumi.Output<string>;
    readonly secretKeyBase: pulumi.Output<string>;
    readonly jwtSecret: pulumi.Output<string>;
    readonly googleClientSecret?: pulumi.Output<string>;
    readonly corsOrigins: readonly string[];
    readonly jwtAccessTtlSeconds: number;
    readonly jwtRefreshTtlSeconds: number;
    readonly publicUrl: string;
    readonly resources: { readonly backend: ServiceResources; readonly frontend: ServiceResources };
    readonly logRotation: LogRotation;
}

const tmpfsFor = (paths: readonly string[]) => paths.map((path) => ({ path, sizeMb: 64, mode: "0700" }));

export class App extends pulumi.ComponentResource {
    readonly backend: docker.Container;
    readonly frontend: docker.Container;
    readonly backendUpstream = `backend:${BACKEND_PORT}`;
    readonly frontendUpstream = `frontend:${FRONTEND_PORT}`;

    constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.app, name, {}, opts);
        const google: Record<string, pulumi.Input<string>> = args.googleClientSecret ? { GOOGLE_CLIENT_SECRET: args.googleClientSecret } : {};
        this.backend = new HardenedContainer(
            `${name}-backend`,
            {
                profile: {
                    stack: args.stack,
                    service: "backend",
                    role: "app",
                    image: args.backendImage,
                    user: args.backend.user,
                    resources: args.resources.backend,
                    logRotation: args.logRotation,
                    networks: [
                        { network: args.edgeNetwork, aliases: ["backend"] },
                        { network: args.dataNetwork, aliases: ["backend"] },
                    ],
                    tmpfs: tmpfsFor(args.backend.writablePaths),
                    env: {
                        RAILS_ENV: "production",
                        RAILS_FORCE_SSL: "true", // NET-05
                        RAILS_LOG_TO_STDOUT: "true",
                        PORT: `${BACKEND_PORT}`,
                        PUBLIC_URL: args.publicUrl,
                        CORS_ORIGINS: args.corsOrigins.join(","), // APP-01
                        JWT_ACCESS_TTL_SECONDS: `${args.jwtAccessTtlSeconds}`, // APP-02
                        JWT_REFRESH_TTL_SECONDS: `${args.jwtRefreshTtlSeconds}`,
                        DATABASE_URL: args.databaseUrl,
                        SECRET_KEY_BASE: args.secretKeyBase,
                        JWT_SECRET: args.jwtSecret,
                        ...google,
                    },
                    healthCheck: { command: args.backend.healthCommand, startPeriodSeconds: 60 },
                    controls: ["NET-05", "APP-01", "APP-02", "SEC-01", "DB-02"],
                },
            },
            { parent: this },
        ).container;
        this.frontend = new HardenedContainer(
            `${name}-frontend`,
            {
                profile: {
                    stack: args.stack,
                    service: "frontend",
                    role: "app",
                    image: args.frontendImage,
                    user: args.frontend.user,
                    resources: args.resources.frontend,
                    logRotation: args.logRotation,
                    networks: [{ network: args.edgeNetwork, aliases: ["frontend"] }],
                    tmpfs: tmpfsFor(args.frontend.writablePaths),
                    env: { PORT: `${FRONTEND_PORT}`, PUBLIC_URL: args.publicUrl },
                    healthCheck: { command: args.frontend.healthCommand },
                },
            },
            { parent: this },
        ).container;
        this.registerOutputs({ backend: this.backend.name, frontend: this.frontend.name });
    }
}
