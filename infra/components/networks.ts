// The stack's networks (NET-01): an edge network for the proxy and the apps, an internal data network that
// has no route out, and, only when off-site backups are on, an egress network for the uploader alone.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES, LABELS } from "bulwark-vocabulary";

export interface StackNetworksArgs {
    readonly stack: string;
    /** CIDR of the data network; undefined lets Docker assign a free one. pg_hba admits only this range (DB-02). */
    readonly dataSubnet?: string;
    readonly egress: boolean;
}

export class StackNetworks extends pulumi.ComponentResource {
    readonly edge: docker.Network;
    readonly data: docker.Network;
    readonly egress?: docker.Network;
    /** The data network's IPv4 range as Docker holds it: the configured one, or the one Docker assigned. */
    readonly dataSubnet: pulumi.Output<string>;

    constructor(name: string, args: StackNetworksArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.networks, name, {}, opts);
        const network = (purpose: string, internal: boolean, subnet?: string) =>
            new docker.Network(
                `${name}-${purpose}`,
                {
                    name: `${args.stack}-${purpose}`,
                    driver: "bridge",
                    internal,
                    ipamConfigs: subnet ? [{ subnet }] : undefined,
                    labels: [
                        { label: LABELS.project, value: "bulwark" },
                        { label: LABELS.stack, value: args.stack },
                    ],
                },
                { parent: this },
            );
        this.edge = network("edge", false);
        this.data = network("data", true, args.dataSubnet);
        this.egress = args.egress ? network("egress", false) : undefined;
        // The provider reads the assigned range back into ipamConfigs (Optional+Computed in resource_docker_network.go).
        this.dataSubnet = args.dataSubnet !== undefined
            ? pulumi.output(args.dataSubnet)
            : this.data.ipamConfigs.apply((configs) => {
                  const subnet = (configs ?? []).map((c) => c.subnet).find((s): s is string => !!s && !s.includes(":"));
                  if (subnet === undefined) {
                      throw new Error(`the data network ${args.stack}-data has no IPv4 subnet; set one with \`pulumi config set dataSubnet 172.29.10.0/24\``);
                  }
                  return subnet;
              });
        this.registerOutputs({ edge: this.edge.name, data: this.data.name, egress: this.egress?.name, dataSubnet: this.dataSubnet });
    }
}
