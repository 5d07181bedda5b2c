import { BulwarkPolicy } from "../lib/policy";
import { backupDrillIsolated } from "./backup-drill-isolated";
import { backupJobPerDatabase } from "./backup-job-per-database";
import { backupJobSettingsInputs } from "./backup-job-settings-inputs";
import { backupRetentionDeclared } from "./backup-retention-declared";

export const backupPolicies: BulwarkPolicy[] = [backupJobPerDatabase, backupJobSettingsInputs, backupRetentionDeclared, backupDrillIsolated];
