// Entry point of the Pulumi program. Config is validated first: a bad value throws before any resource
// is registered, so a failed `pulumi up` never leaves a half-changed stack behind.
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { BulwarkStack } from "./stack";

const config = loadConfig();
const stack = new BulwarkStack("bulwark", { config });

export const environment = config.environment;
export const url = stack.url;
export const networks = {
    edge: stack.networks.edge.name,
    data: stack.networks.data.name,
    egress: stack.networks.egress?.name,
};
export const volumes = {
    database: stack.database.volume.name,
    backups: stack.backup.volume.name,
    drillReports: stack.backup.drillReports.name,
    ...(stack.backup.drillKeys ? { drillKeys: stack.backup.drillKeys.name } : {}),
};
export const containers = {
    proxy: stack.proxy.container.name,
    backend: stack.app.backend.name,
    frontend: stack.app.frontend.name,
    database: stack.database.container.name,
    backup: stack.backup.job.name,
    restoreDrill: stack.backup.drill.name,
    offsiteUploader: stack.backup.uploader?.name,
};
export const backupAgeRecipient = stack.secrets.ageRecipient;
// One object, so a stack without off-site copies exports `{}`: the engine warns on every preview and update about
// a top-level output that is undefined ("Undefined value (...) will not show as a stack output").
export const offsiteBackup = {
    bucket: stack.offsite?.bucketName,
    /** The second copy's bucket, in its own region (offsiteBackup.replica). */
    replicaBucket: stack.offsite?.replica?.bucket.bucket,
    uploaderAccessKeyId: stack.offsite?.accessKeyId,
};

// Secrets, for operators who need them (e.g. `pulumi stack output --show-secrets databasePassword`);
// they stay encrypted in state and in every output listing (SEC-03).
export const databasePassword = pulumi.secret(stack.secrets.databasePassword);
export const backupAgeIdentity = pulumi.secret(stack.secrets.ageIdentity);
