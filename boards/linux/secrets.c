/* Token and password input, without argv and without the heap. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "secrets.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "files.h"
#include "output.h"

#define TOKEN_MAX 4096u
#define PASSWORD_MAX 1024u

static char token[TOKEN_MAX + 1u];
static size_t token_len;
static char password[PASSWORD_MAX + 1u];
static size_t password_len;
static char client_secret[TOKEN_MAX + 1u];
static size_t client_secret_len;

static void wipe(char *p, size_t n)
{
    volatile char *v = p;
    while (n-- > 0u) {
        *v++ = 0;
    }
}

void secret_wipe(void)
{
    out_secret(0, NULL, 0);
    out_secret(1, NULL, 0);
    out_secret(2, NULL, 0);
    wipe(token, sizeof token);
    wipe(password, sizeof password);
    wipe(client_secret, sizeof client_secret);
    token_len = 0;
    password_len = 0;
    client_secret_len = 0;
}

static void fail(const char *msg)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, msg);
    out_text(stderr, "\n");
}

int secret_token(const char *file, const char **tok, size_t *len)
{
    size_t i;
    if (file != NULL) {
        long n = file_read(file, (unsigned char *)token, TOKEN_MAX);
        if (n < 0) {
            fail("cannot read the --token-file (missing, unreadable or over 4096 bytes)");
            return 2;
        }
        token_len = (size_t)n;
    } else {
        const char *env = getenv("CPUSER_TOKEN");
        if (env == NULL || env[0] == '\0') {
            fail("no token: use --token-file FILE or set $CPUSER_TOKEN");
            return 2;
        }
        token_len = strlen(env);
        if (token_len > TOKEN_MAX) {
            fail("$CPUSER_TOKEN is over 4096 bytes");
            return 2;
        }
        memcpy(token, env, token_len);
    }
    while (token_len > 0u && (token[token_len - 1u] == '\n' || token[token_len - 1u] == '\r' ||
                              token[token_len - 1u] == ' ' || token[token_len - 1u] == '\t')) {
        token_len--;
    }
    token[token_len] = '\0';
    if (token_len == 0u) {
        fail("the token is empty");
        return 2;
    }
    for (i = 0; i < token_len; i++) {
        unsigned char c = (unsigned char)token[i];
        if (c <= 0x20u || c >= 0x7fu) {
            fail("the token has a space, a control character or a non-ASCII byte (one token, one line)");
            return 2;
        }
    }
    out_secret(0, token, token_len);
    *tok = token;
    *len = token_len;
    return 0;
}

/* One line from the terminal with echo off. */
static bool read_tty_line(void)
{
    struct termios old;
    struct termios quiet;
    bool restore = false;
    size_t n = 0;
    bool ok = true;

    out_text(stderr, "Password: ");
    (void)fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    for (;;) {
        char c;
        ssize_t got = read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0 || c == '\n') {
            break;
        }
        if (n == PASSWORD_MAX) {
            ok = false;
            continue; /* drain the line */
        }
        password[n++] = c;
    }
    if (restore) {
        (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    }
    out_text(stderr, "\n");
    password_len = n;
    return ok;
}

/* Everything up to EOF. */
static bool read_stream(void)
{
    size_t n = 0;
    for (;;) {
        ssize_t got;
        if (n == PASSWORD_MAX) {
            char probe;
            do {
                got = read(STDIN_FILENO, &probe, 1);
            } while (got < 0 && errno == EINTR);
            if (got != 0) {
                return false;
            }
            break;
        }
        got = read(STDIN_FILENO, password + n, PASSWORD_MAX - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return false;
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
    }
    if (n > 0u && password[n - 1u] == '\n') {
        n--;
        if (n > 0u && password[n - 1u] == '\r') {
            n--;
        }
    }
    password_len = n;
    return true;
}

int secret_password(const char **pw, size_t *len)
{
    bool ok = isatty(STDIN_FILENO) ? read_tty_line() : read_stream();
    if (!ok) {
        fail("--password-stdin: the password is over 1024 bytes or stdin failed");
        return 2;
    }
    password[password_len] = '\0';
    if (password_len == 0u) {
        fail("--password-stdin: no password on stdin");
        return 2;
    }
    if (memchr(password, '\0', password_len) != NULL) {
        fail("--password-stdin: the password has a NUL byte");
        return 2;
    }
    out_secret(1, password, password_len);
    *pw = password;
    *len = password_len;
    return 0;
}

int secret_client_secret(const char *file, const char **s, size_t *len)
{
    size_t i;
    if (file != NULL) {
        long n = file_read(file, (unsigned char *)client_secret, TOKEN_MAX);
        if (n < 0) {
            fail("cannot read the --client-secret-file (missing, unreadable or over 4096 bytes)");
            return 2;
        }
        client_secret_len = (size_t)n;
    } else {
        const char *env = getenv("CPUSER_CLIENT_SECRET");
        if (env == NULL || env[0] == '\0') {
            fail("no client secret: use --client-secret-file FILE or set $CPUSER_CLIENT_SECRET");
            return 2;
        }
        client_secret_len = strlen(env);
        if (client_secret_len > TOKEN_MAX) {
            fail("$CPUSER_CLIENT_SECRET is over 4096 bytes");
            return 2;
        }
        memcpy(client_secret, env, client_secret_len);
    }
    while (client_secret_len > 0u && (client_secret[client_secret_len - 1u] == '\n' ||
                                      client_secret[client_secret_len - 1u] == '\r')) {
        client_secret_len--;
    }
    client_secret[client_secret_len] = '\0';
    if (client_secret_len == 0u) {
        fail("the client secret is empty");
        return 2;
    }
    for (i = 0; i < client_secret_len; i++) {
        unsigned char c = (unsigned char)client_secret[i];
        if (c < 0x20u || c == 0x7fu) {
            fail("the client secret has a control character (one secret, one line)");
            return 2;
        }
    }
    out_secret(2, client_secret, client_secret_len);
    *s = client_secret;
    *len = client_secret_len;
    return 0;
}
