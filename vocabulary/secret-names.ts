// Which env names carry a secret: shared by the pack (secret-env-not-inline), the program's hardening profile (no
// secret as a string literal) and the live audit (no secret value in args or labels).

/** Env names that hold secrets. */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/i;
/** Names that match SECRET_NAME but hold a path, a lifetime or a setting, not the secret itself. */
export const NOT_A_SECRET = /(_FILE|_PATH|_DIR|_TTL|_TTL_SECONDS|_SECONDS|_LENGTH|_ENCRYPTION|_METHOD|_ALGORITHM|_ENABLED|_URL)$/i;

/** True for an env name that carries a secret (not a path, lifetime or setting about one). */
export function isSecretEnvName(name: string): boolean {
    return SECRET_NAME.test(name) && !NOT_A_SECRET.test(name);
}

