// BAK-02: canned ACLs and grants to the AllUsers / AuthenticatedUsers groups make objects readable outside
// the account, around the bucket policy. A backup bucket (or its log bucket) must never carry one.
import { BUCKET_ACL_TYPES, BUCKET_TYPES } from "bulwark-vocabulary";
import { resourcePolicy } from "../lib/policy";

const PUBLIC_GROUPS = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

interface Config {
    forbiddenAcls: string[];
}

interface Grant {
    readonly uri?: string;
    readonly grantee?: { readonly uri?: string };
    readonly permission?: string;
    readonly permissions?: string[];
}

interface AclProps {
    readonly acl?: string;
    readonly accessControlPolicy?: { readonly grants?: Grant[] };
    readonly grants?: Grant[];
}

export const awsS3BucketNoPublicAcl = resourcePolicy({
    name: "aws-s3-bucket-no-public-acl",
    controls: ["BAK-02"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "S3 bucket ACLs (BucketAcl, BucketAclV2, or a Bucket's own acl/grants) are never public-read, " +
        "public-read-write or authenticated-read, and grant nothing to the AllUsers or AuthenticatedUsers groups.",
    remediationSteps:
        "Remove the public ACL or grant; keep the bucket 'private' with object ownership BucketOwnerEnforced, and " +
        "grant access through the bucket policy to named principals only.",
    configSchema: {
        properties: {
            forbiddenAcls: {
                type: "array",
                items: { type: "string" },
                default: ["public-read", "public-read-write", "authenticated-read"],
                description: "Canned ACLs that are rejected",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!BUCKET_ACL_TYPES.includes(args.type) && !BUCKET_TYPES.includes(args.type)) {
            args.notApplicable("only applies to S3 buckets and bucket ACLs");
        }
        const config = args.getConfig<Config>();
        const props = args.props as AclProps;
        const where = `${BUCKET_TYPES.includes(args.type) ? "Bucket" : "Bucket ACL"} '${args.name}'`;
        if (typeof props.acl === "string" && config.forbiddenAcls.includes(props.acl)) {
            reportViolation(
                `[BAK-02] ${where} uses the canned ACL '${props.acl}', which exposes the bucket outside the account. ` +
                    "Use 'private' (or no ACL with BucketOwnerEnforced ownership).",
            );
        }
        const grants = [...(props.accessControlPolicy?.grants ?? []), ...(props.grants ?? [])];
        for (const grant of grants) {
            const uri = grant?.grantee?.uri ?? grant?.uri;
            if (uri && PUBLIC_GROUPS.includes(uri)) {
                const group = uri.split("/").pop();
                reportViolation(
                    `[BAK-02] ${where} grants ${grant.permission ?? (grant.permissions ?? []).join("/")} to the ${group} group. ` +
                        "Remove the grant and give access through the bucket policy to named principals.",
                );
            }
        }
    },
});
