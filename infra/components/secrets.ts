// Generated secrets (SEC-01, SEC-02): made by @pulumi/random, so they exist only in the encrypted state and
// never in code or plain config. Lengths are the document's: Rails 64 bytes, JWT 32 bytes, DB >= 32.
import * as pulumi from "@pulumi/pulumi";
import { COMPONENT_TYPES } from "bulwark-vocabulary";
import * as random from "@pulumi/random";
import { ageIdentityFromSecretBytes, ageRecipientFromIdentity } from "../age";
import { BulwarkConfig } from "../config";

export const SECRET_LENGTHS = {
    secretKeyBaseBytes: 64,
    jwtSecretBytes: 32,
    databasePasswordChars: 48,
    ageKeyBytes: 32,
} as const;

export interface StackSecretsArgs {
    readonly backupAge: BulwarkConfig["backupAge"];
}

export class StackSecrets extends pulumi.ComponentResource {
    /** 128 hex characters, as `rails secret` prints. */
    readonly secretKeyBase: pulumi.Output<string>;
    readonly jwtSecret: pulumi.Output<string>;
    readonly databasePassword: pulumi.Output<string>;
    /** The backup job's own, for its read-only role: the job never holds the owner's password (issue 13). */
    readonly databaseBackupPassword: pulumi.Output<string>;
    /** The backup job's public key; the identity goes to the restore drill only. */
    readonly ageRecipient: pulumi.Output<string>;
    readonly ageIdentity: pulumi.Output<string>;

    constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.secrets, name, {}, opts);
        const parent = { parent: this };
        this.secretKeyBase = pulumi.secret(new random.RandomBytes(`${name}-secret-key-base`, { length: SECRET_LENGTHS.secretKeyBaseBytes }, parent).hex);
        this.jwtSecret = pulumi.secret(new random.RandomBytes(`${name}-jwt-secret`, { length: SECRET_LENGTHS.jwtSecretBytes }, parent).hex);
        // Alphanumeric, so it can sit in DATABASE_URL without escaping; 48 chars is about 285 bits.
        this.databasePassword = pulumi.secret(
            new random.RandomPassword(`${name}-database-password`, { length: SECRET_LENGTHS.databasePasswordChars, special: false }, parent).result,
        );
        this.databaseBackupPassword = pulumi.secret(
            new random.RandomPassword(`${name}-database-backup-password`, { length: SECRET_LENGTHS.databasePasswordChars, special: false }, parent).result,
        );
        if ("generate" in args.backupAge) {
            const bytes = new random.RandomBytes(`${name}-backup-age-key`, { length: SECRET_LENGTHS.ageKeyBytes }, parent);
            this.ageIdentity = pulumi.secret(bytes.hex.apply((hex) => ageIdentityFromSecretBytes(Buffer.from(hex, "hex"))));
            // The recipient is public; unsecret it so it shows in outputs and in the backup job's label.
            this.ageRecipient = pulumi.unsecret(this.ageIdentity.apply(ageRecipientFromIdentity));
        } else {
            this.ageIdentity = args.backupAge.identity;
            this.ageRecipient = pulumi.output(args.backupAge.recipient);
        }
        this.registerOutputs({ ageRecipient: this.ageRecipient });
    }
}
