// Which env names carry a secret: shared by the pack (secret-env-not-inline, secret-env-generated), the program's
// hardening profile (no secret as a string literal) and the live audit (no secret value in args or labels).

/**
 * Env names that hold secrets: the words, and the spellings images read (PGPASSWORD, MYSQL_PWD, SMTP_PASS,
 * RAILS_MASTER_KEY, AWS_SECRET_ACCESS_KEY, an age identity such as BACKUP_AGE_IDENTITY).
 */
export const SECRET_NAME =
    /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL|(^|_)PASS$|(^|_)PWD$|MASTER_KEY|ENCRYPTION_KEY|SIGNING_KEY|AGE_IDENTITY|KEY_BASE)/i;
/** Names that match SECRET_NAME but hold a path, a lifetime or a setting, not the secret itself. */
export const NOT_A_SECRET = /(_FILE|_PATH|_DIR|_TTL|_TTL_SECONDS|_SECONDS|_LENGTH|_ENCRYPTION|_METHOD|_ALGORITHM|_ENABLED|_URL)$/i;

/** True for an env name that carries a secret (not a path, lifetime or setting about one). */
export function isSecretEnvName(name: string): boolean {
    return SECRET_NAME.test(name) && !NOT_A_SECRET.test(name);
}

/**
 * For `<SECRET>_FILE` (POSTGRES_PASSWORD_FILE, the official images' convention), the secret name it stands for;
 * undefined for any other name. Such a variable makes the image read the secret from a file the pack cannot see.
 */
export function secretFileVariable(name: string): string | undefined {
    const match = /^(.+)_FILE$/i.exec(name);
    return match && isSecretEnvName(match[1]) ? match[1] : undefined;
}
