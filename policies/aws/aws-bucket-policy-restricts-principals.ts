// BAK-05: only the backup identity and the admins may touch the backups. A bucket policy that allows
// Principal "*" without a condition opens the bucket to every AWS account (the public access block would then
// be the only thing left standing), and one without a TLS-only Deny accepts plaintext requests.
import { BUCKET_POLICY_TYPE } from "bulwark-vocabulary";
import { markUndecided } from "../lib/inconclusive";
import { resourcePolicy } from "../lib/policy";
import { deniesInsecureTransport, hasCondition, isEveryone, parsePolicyDocument, statementLabel } from "./lib/aws-refs";

interface Config {
    exemptBuckets: string[];
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
        "An S3 bucket policy contains a Deny for requests without TLS (aws:SecureTransport false) and never allows " +
        "Principal '*' or {AWS: '*'} without a condition, nor uses Allow with NotPrincipal.",
    remediationSteps:
        "Grant access in the bucket policy only to named principals (the backup identity's ARN and the admin role), " +
        "add a Deny statement with Condition { Bool: { 'aws:SecureTransport': 'false' } }, and add the bucket to " +
        "`exemptBuckets` only for a bucket that is meant to be shared.",
    configSchema: {
        properties: {
            exemptBuckets: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Bucket names whose policies this rule does not judge",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== BUCKET_POLICY_TYPE) {
            args.notApplicable(`only applies to ${BUCKET_POLICY_TYPE}`);
        }
        const config = args.getConfig<Config>();
        const props = args.props as BucketPolicyProps;
        if (typeof props.bucket === "string" && config.exemptBuckets.includes(props.bucket)) {
            args.notApplicable(`bucket '${props.bucket}' is exempt`);
        }
        const where = `Bucket policy '${args.name}'${typeof props.bucket === "string" ? ` (bucket '${props.bucket}')` : ""}`;
        const doc = parsePolicyDocument(props.policy);
        if (doc.kind === "unknown") {
            markUndecided(args, args.urn, "policy");
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
        doc.statements.forEach((statement, i) => {
            if (statement.Effect !== "Allow") {
                return;
            }
            if (isEveryone(statement.Principal) && !hasCondition(statement)) {
                reportViolation(
                    `[BAK-05] ${where}: ${statementLabel(statement, i)} allows every principal ('*') without a condition. ` +
                        "Name the backup identity's and the admins' ARNs as Principal instead.",
                );
            }
            if (statement.NotPrincipal !== undefined) {
                reportViolation(
                    `[BAK-05] ${where}: ${statementLabel(statement, i)} allows with NotPrincipal, which grants everyone except ` +
                        "the listed principals. Use Principal with the authorized ARNs.",
                );
            }
        });
    },
});
