import { BulwarkPolicy } from "../lib/policy";
import { secretEnvGenerated } from "./secret-env-generated";
import { secretEnvNotInline } from "./secret-env-not-inline";
import { secretGeneratedStrength } from "./secret-generated-strength";
import { secretRailsKeyLength } from "./secret-rails-key-length";
import { secretRailsKeyLengthInputs } from "./secret-rails-key-length-inputs";

export const secretPolicies: BulwarkPolicy[] = [secretEnvNotInline, secretEnvGenerated, secretGeneratedStrength, secretRailsKeyLength, secretRailsKeyLengthInputs];
