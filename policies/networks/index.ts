import { BulwarkPolicy } from "../lib/policy";
import { networkDataNetworkInternal } from "./network-data-network-internal";
import { networkDatabaseInternalOnly } from "./network-database-internal-only";
import { networkOnlyProxyPublishesPorts } from "./network-only-proxy-publishes-ports";
import { networkUserDefined } from "./network-user-defined";

export const networkPolicies: BulwarkPolicy[] = [
    networkOnlyProxyPublishesPorts,
    networkDatabaseInternalOnly,
    networkUserDefined,
    networkDataNetworkInternal,
];
