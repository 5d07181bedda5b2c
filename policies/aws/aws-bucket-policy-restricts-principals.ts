// BAK-05: only the backup identity and the admins may touch the backups. A bucket policy is a closed list of
// who may do what: an Allow names the stack's own identities or account, or a service principal the stack uses
// (S3's log delivery), and nothing else. '*' in any spelling (with or without a condition, which the pack cannot
// prove narrow), another account, a federated or canonical-user principal, or NotPrincipal (everyone not listed)
// would let someone outside the stack in, with only the public access block left standing. A policy without a
// TLS-only Deny accepts plaintext requests.
import { BUCKET_POLICY_TYPE } from "bulwark-vocabulary";
import { policyDocumentUnknownAtPreview } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { deniesInsecureTransport, parsePolicyDocument, statementLabel } from "./lib/aws-refs";
import { foreignPrincipals, OWN_ACCOUNT_NOTE, ownAccount } from "./lib/principals";

interface Exception {
    readonly bucket: string;
    readonly reason: string;
}

interface Config {
    exceptions: Exception[];
    allowedServicePrincipals: string[];
}

interface BucketPolicyProps {
    readonly bucket?: string;
    readonly policy?: unknown;
}

export const awsBucketPolicyRestrictsPrincipals = resourcePolicy({
    name: "aws-bucket-policy-restricts-principals",
    controls: ["BAK-05"],
    severity: "high",
    enforcementLevel: "mandatory",
    description:
        "An S3 bucket policy contains a Deny for requests without TLS (aws:SecureTransport false), and its Allow " +
        "statements name only the stack's own AWS identities or account (by ARN or account id) and the service " +
        "principals the stack uses (allowedServicePrincipals: S3 log delivery): never '*' or {AWS: '*'} (with or " +
        "without a condition), another account, a federated or canonical-user principal, nor NotPrincipal. " +
        OWN_ACCOUNT_NOTE +
        " A bucket listed in `exceptions` (each with a reason) is not judged.",
    remediationSteps:
        "Grant access in the bucket policy only to the stack's own principals (the backup identity's ARN and the admin " +
        "roles of offsiteBackup.adminPrincipalArns), add a Deny statement with Condition { Bool: { 'aws:SecureTransport': " +
        "'false' } }, and list a bucket under `exceptions` with a reason only when it is meant to be shared.",
    configSchema: {
        properties: {
            exceptions: {
                type: "array",
                default: [],
                description: "Buckets (by name) whose policies this rule does not judge, each with the reason",
                items: {
                    type: "object",
                    required: ["bucket", "reason"],
                    additionalProperties: false,
                    properties: { bucket: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 1, pattern: "\\S" } },
                },
            },
            allowedServicePrincipals: {
                type: "array",
                items: { type: "string" },
                default: ["logging.s3.amazonaws.com"],
                description: "Service principals an Allow may name (the stack's access-log bucket lets S3's log delivery put logs)",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== BUCKET_POLICY_TYPE) {
            args.notApplicable(`only applies to ${BUCKET_POLICY_TYPE}`);
        }
        const config = args.getConfig<Config>();
        const props = args.props as BucketPolicyProps;
        const exception = config.exceptions.find((e) => typeof props.bucket === "string" && e.bucket === props.bucket);
        if (exception) {
            args.notApplicable(`bucket '${exception.bucket}' is an exception: ${exception.reason}`);
        }
        const where = `Bucket policy '${args.name}'${typeof props.bucket === "string" ? ` (bucket '${props.bucket}')` : ""}`;
        const doc = parsePolicyDocument(props.policy);
        if (doc.kind === "unknown") {
            policyDocumentUnknownAtPreview(args, args.urn, "policy");
            return;
        }
        if (doc.kind === "invalid") {
            reportViolation(`[BAK-05] ${where}: the policy document ${doc.reason}. Give a valid IAM policy JSON.`);
            return;
        }
        if (!doc.statements.some(deniesInsecureTransport)) {
            reportViolation(
                `[BAK-05] ${where} does not deny requests without TLS. Add { Effect: 'Deny', Principal: '*', Action: 's3:*', ` +
                    "Resource: [bucket ARN, bucket ARN/*], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }.",
            );
        }
        const own = ownAccount();
        doc.statements.forEach((statement, i) => {
            // A Deny only takes away; what it names grants nothing. Anything but a plain Deny is judged as an Allow.
            if (statement.Effect === "Deny") {
                return;
            }
            for (const problem of foreignPrincipals(statement, own, config.allowedServicePrincipals)) {
                reportViolation(
                    `[BAK-05] ${where}: ${statementLabel(statement, i)} grants ${problem}. Name only the stack's own principals ` +
                        "(the backup identity's and the admins' ARNs, in the stack's account) as Principal.",
                );
            }
        });
    },
});
