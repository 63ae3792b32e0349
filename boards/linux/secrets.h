/*
 * The bearer token and the password: read into static buffers, registered
 * with the output redaction (output.h), wiped before exit. They never come
 * from argv: the token from --token-file FILE or $CPUSER_TOKEN, the
 * password from stdin (--password-stdin).
 */
#ifndef CPUSER_LINUX_SECRETS_H
#define CPUSER_LINUX_SECRETS_H

#include <stddef.h>

/* Read the token from `file` (when not NULL) or $CPUSER_TOKEN. Trailing
 * white space (a final newline) is dropped; the rest must be visible ASCII.
 * Returns 0, or 2 after printing why (never the token). */
int secret_token(const char *file, const char **tok, size_t *len);

/* Read the password from stdin: on a terminal one line with echo off, else
 * everything up to EOF minus one trailing newline. Returns 0, or 2 after
 * printing why. */
int secret_password(const char **pw, size_t *len);

/* Read the OAuth2 client secret from `file` (when not NULL) or
 * $CPUSER_CLIENT_SECRET, like the token (one line, visible ASCII). Returns
 * 0, or 2 after printing why (never the secret). */
int secret_client_secret(const char *file, const char **s, size_t *len);

/* Overwrite the buffers and unregister them from redaction. */
void secret_wipe(void);

#endif /* CPUSER_LINUX_SECRETS_H */
