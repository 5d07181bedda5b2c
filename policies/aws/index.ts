import { BulwarkPolicy } from "../lib/policy";
import { awsAccessKeyMaxAge } from "./aws-access-key-max-age";
import { awsBackupBucketHardened } from "./aws-backup-bucket-hardened";
import { awsBackupBucketReplication } from "./aws-backup-bucket-replication";
import { awsBackupBucketUploadGuards } from "./aws-backup-bucket-upload-guards";
import { awsBackupIdentityLeastPrivilege } from "./aws-backup-identity-least-privilege";
import { awsBackupReplicationRoleLeastPrivilege } from "./aws-backup-replication-role-least-privilege";
import { awsBucketPolicyRestrictsPrincipals } from "./aws-bucket-policy-restricts-principals";
import { awsIamNoAttachedPolicies } from "./aws-iam-no-attached-policies";
import { awsKmsKeyPolicyRestrictsPrincipals } from "./aws-kms-key-policy-restricts-principals";
import { awsProviderPinnedAccount } from "./aws-provider-pinned-account";
import { awsKmsKeyLockoutGuard } from "./aws-kms-key-lockout-guard";
import { awsKmsKeyRotation } from "./aws-kms-key-rotation";
import { awsS3BucketNoPublicAcl } from "./aws-s3-bucket-no-public-acl";

export const awsPolicies: BulwarkPolicy[] = [
    awsBackupBucketHardened,
    awsBackupBucketUploadGuards,
    awsBackupBucketReplication,
    awsKmsKeyRotation,
    awsKmsKeyLockoutGuard,
    awsBucketPolicyRestrictsPrincipals,
    awsBackupIdentityLeastPrivilege,
    awsBackupReplicationRoleLeastPrivilege,
    awsS3BucketNoPublicAcl,
    awsAccessKeyMaxAge,
    awsKmsKeyPolicyRestrictsPrincipals,
    awsProviderPinnedAccount,
    awsIamNoAttachedPolicies,
];
