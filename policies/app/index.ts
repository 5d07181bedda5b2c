import { BulwarkPolicy } from "../lib/policy";
import { appCorsNoWildcard } from "./app-cors-no-wildcard";
import { appJwtLifetimeBounded } from "./app-jwt-lifetime-bounded";
import { appRailsForceSsl } from "./app-rails-force-ssl";

export const appPolicies: BulwarkPolicy[] = [appCorsNoWildcard, appRailsForceSsl, appJwtLifetimeBounded];
