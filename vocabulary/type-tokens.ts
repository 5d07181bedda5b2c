// The type tokens of the provider resources the program creates and the pack, the mocks and the runtime harness
// read (`<package>:<module>/<type>:<Type>`, as the engine names them). aws v7 still ships the deprecated *V2 S3
// types, so both spellings are listed where a stack may use either.

export const CONTAINER_TYPE = "docker:index/container:Container";
export const IMAGE_TYPE = "docker:index/image:Image";
export const NETWORK_TYPE = "docker:index/network:Network";
export const VOLUME_TYPE = "docker:index/volume:Volume";

export const BUCKET_TYPE = "aws:s3/bucket:Bucket";
export const BUCKET_TYPES: readonly string[] = [BUCKET_TYPE, "aws:s3/bucketV2:BucketV2"];
export const BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy";
export const BUCKET_ACL_TYPES: readonly string[] = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];

/** The resources that configure a bucket from outside it, by what they configure. */
export const S3_COMPANIONS = {
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: [BUCKET_POLICY_TYPE],
    lifecycle: [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    ],
    logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
    replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
    ownershipControls: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
} as const;

export const KMS_KEY_TYPE = "aws:kms/key:Key";
export const KMS_ALIAS_TYPE = "aws:kms/alias:Alias";
export const IAM_USER_TYPE = "aws:iam/user:User";
export const IAM_ACCESS_KEY_TYPE = "aws:iam/accessKey:AccessKey";
export const IAM_ROLE_TYPE = "aws:iam/role:Role";
export const IAM_USER_POLICY_TYPE = "aws:iam/userPolicy:UserPolicy";
export const IAM_ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy";
export const IAM_ROLE_POLICY_ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const IAM_MANAGED_POLICY_TYPE = "aws:iam/policy:Policy";
/** Resources that carry an inline IAM policy document. */
export const IAM_POLICY_TYPES: readonly string[] = [IAM_USER_POLICY_TYPE, IAM_ROLE_POLICY_TYPE, IAM_MANAGED_POLICY_TYPE];

export const RANDOM_TYPES = {
    password: "random:index/randomPassword:RandomPassword",
    bytes: "random:index/randomBytes:RandomBytes",
    string: "random:index/randomString:RandomString",
    id: "random:index/randomId:RandomId",
} as const;

/** The root resource every stack has, and the providers (default or explicit) of the packages the program uses. */
export const STACK_TYPE = "pulumi:pulumi:Stack";
export const PROVIDER_TYPES = {
    docker: "pulumi:providers:docker",
    random: "pulumi:providers:random",
    aws: "pulumi:providers:aws",
} as const;

/** An AWS provider resource, explicit (`new aws.Provider`) or the engine's default one. */
export const AWS_PROVIDER_TYPE = PROVIDER_TYPES.aws;
export const KMS_KEY_POLICY_TYPE = "aws:kms/keyPolicy:KeyPolicy";
export const KMS_GRANT_TYPE = "aws:kms/grant:Grant";
/**
 * Resources that give an IAM identity permissions the stack's documents do not show: a managed policy attached
 * by ARN, or membership in a group that carries its own.
 */
export const IAM_ATTACHMENT_TYPES: readonly string[] = [
    IAM_ROLE_POLICY_ATTACHMENT_TYPE,
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userGroupMembership:UserGroupMembership",
    "aws:iam/groupMembership:GroupMembership",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
];
