import { BulwarkPolicy } from "../lib/policy";
import { secretEnvNotInline } from "./secret-env-not-inline";
import { secretGeneratedStrength } from "./secret-generated-strength";
import { secretRailsKeyLength } from "./secret-rails-key-length";

export const secretPolicies: BulwarkPolicy[] = [secretEnvNotInline, secretGeneratedStrength, secretRailsKeyLength];
