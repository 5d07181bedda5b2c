// The gate's policies: the closed world over resource types and their fields (issue 22 items 1-2).
import { BulwarkPolicy } from "../lib/policy";
import { gateFieldsClassified } from "./gate-fields-classified";
import { gateResourceTypeKnown } from "./gate-resource-type-known";

export const gatePolicies: BulwarkPolicy[] = [gateResourceTypeKnown, gateFieldsClassified];
