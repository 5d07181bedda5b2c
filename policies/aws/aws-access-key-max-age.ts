// BAK-06 (awsguard "access-keys-rotated"): the backup identity's long-lived credential, an IAM access key, is
// rotated: an active key older than `maxAgeDays` (default 90) is reported. The program rotates the off-site
// uploader's key without downtime through `offsiteBackup.accessKeys` (docs/runbooks.md).
//
// A stack policy, not a resource policy: createDate is an output (the AWS provider sets create_date from the
// CreateAccessKey response), and only AnalyzeStack sees outputs; Analyze gets the inputs alone. The age is
// measured against the pack's clock (Date.now()) when the pack runs.
import { PolicyResource } from "@pulumi/policy";
import { IAM_ACCESS_KEY_TYPE } from "bulwark-vocabulary";
import { unknownCannotMatter } from "../lib/inconclusive";
import { stackPolicy } from "../lib/policy";
import { isUnknown } from "./lib/aws-refs";


interface Config {
    maxAgeDays: number;
}

interface AccessKeyProps {
    readonly status?: string;
    readonly createDate?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 3339 date-time (what the provider stores); anything else is not read as a time. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Whole days from `createDate` to `now` (0 for a date in the future); undefined when it is no RFC 3339 time. */
export function accessKeyAgeDays(createDate: string, now: number = Date.now()): number | undefined {
    const created = RFC3339.test(createDate) ? Date.parse(createDate) : NaN;
    return Number.isNaN(created) ? undefined : Math.max(0, Math.floor((now - created) / DAY_MS));
}

const ROTATION =
    "Rotate it without downtime: append a generation to `offsiteBackup.accessKeys` and run `pulumi up` (the new key is " +
    "created and the uploader switches to it while the old key still works), check that the uploader's next pass " +
    "succeeded, then remove the old generation and run `pulumi up` (docs/runbooks.md, \"Rotate the off-site uploader's access key\").";

export const awsAccessKeyMaxAge = stackPolicy({
    name: "aws-access-key-max-age",
    controls: ["BAK-06"],
    severity: "medium",
    enforcementLevel: "advisory",
    description:
        "An active aws.iam.AccessKey is younger than maxAgeDays (default 90, configurable), judged by its createDate " +
        "output, so the backup identity's credential is rotated (awsguard access-keys-rotated).",
    remediationSteps:
        "Rotate the key: append a generation to `offsiteBackup.accessKeys` and `pulumi up`; once the uploader's next pass " +
        "succeeded with the new key, remove the old generation and `pulumi up` (docs/runbooks.md).",
    configSchema: {
        properties: {
            maxAgeDays: {
                type: "integer",
                minimum: 1,
                maximum: 3650,
                default: 90,
                description: "Oldest accepted age of an active access key, in days",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const keys = args.resources.filter((r: PolicyResource) => r.type === IAM_ACCESS_KEY_TYPE);
        if (keys.length === 0) {
            args.notApplicable(`only applies to ${IAM_ACCESS_KEY_TYPE}`);
        }
        const config = args.getConfig<Config>();
        const now = Date.now();
        for (const key of keys) {
            const props = key.props as AccessKeyProps;
            // An inactive key signs nothing; a status unknown at preview is taken as the default, Active.
            if (props.status === "Inactive") {
                continue;
            }
            // Unknown (a preview of a create) or absent (not created yet): the key is created by this update.
            if (
                (isUnknown(props, "createDate") || props.createDate === undefined || props.createDate === null) &&
                unknownCannotMatter("createDate of an aws.iam.AccessKey", "unknown or absent only for a key this update creates, which is 0 days old")
            ) {
                continue;
            }
            const age = typeof props.createDate === "string" ? accessKeyAgeDays(props.createDate, now) : undefined;
            if (age === undefined) {
                reportViolation(
                    `[BAK-06] Access key '${key.name}' has a createDate that is no RFC 3339 time ` +
                        `(${JSON.stringify(props.createDate)}), so its age cannot be checked against ${config.maxAgeDays} days. ${ROTATION}`,
                    key.urn,
                );
            } else if (age > config.maxAgeDays) {
                reportViolation(
                    `[BAK-06] Access key '${key.name}' is ${age} days old (created ${props.createDate}); access keys must be ` +
                        `rotated within ${config.maxAgeDays} days. ${ROTATION}`,
                    key.urn,
                );
            }
        }
    },
});
