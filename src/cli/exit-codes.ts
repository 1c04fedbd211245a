/**
 * bobctl exit codes (documented in `bobctl help` and docs/cli.md). Scripts
 * branch on these, so they never change meaning.
 */
export const EXIT_OK = 0;
/** The operation failed: network, registry, archive or verification error. */
export const EXIT_FAILED = 1;
/** The command line is wrong: unknown verb or flag, malformed reference. */
export const EXIT_USAGE = 2;
/** The registry refused our credentials (401/403). */
export const EXIT_AUTH = 3;
/** The reference, tag or blob does not exist. */
export const EXIT_NOT_FOUND = 4;
/** `diff artifact`: local content and the artifact differ. */
export const EXIT_DIFFERENT = 5;

/** `verify artifact`: the artifact is not signed by anyone the given trust material trusts. */
export const EXIT_UNTRUSTED = 6;

export type ExitCode = 0 | 1 | 2 | 3 | 4 | 5 | 6;
