import { BulwarkPolicy } from "../lib/policy";
import { networkDataNetworkInternal } from "./network-data-network-internal";
import { networkDatabaseInternalOnly } from "./network-database-internal-only";
import { networkOnlyProxyPublishesPorts } from "./network-only-proxy-publishes-ports";
import { networkPublishedPortsBound } from "./network-published-ports-bound";
import { networkUserDefined } from "./network-user-defined";

export const networkPolicies: BulwarkPolicy[] = [
    networkOnlyProxyPublishesPorts,
    networkPublishedPortsBound,
    networkDatabaseInternalOnly,
    networkUserDefined,
    networkDataNetworkInternal,
];
