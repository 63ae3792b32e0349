/*
 * cpuser limits for the Linux board (the cpuser CLI). Included first by
 * include/cpuser/config.h when built with
 *     -DCPUSER_CONFIG_FILE='"cpuser_config.h"' -Iboards/linux
 * The CLI compiles the library sources itself with this file (see board.mk):
 * these values size arrays inside cpuser_client, so the library and the CLI
 * must be built with the same ones.
 */
#ifndef CPUSER_LINUX_CONFIG_H
#define CPUSER_LINUX_CONFIG_H

/* A user read with include=partnerInvites,externalAppData takes about 115
 * tokens with one partner invite and about 29 more per further invite; the
 * default 128 stops at the second invite. 256 tokens (4 KiB in the client
 * struct) cover eight invites, which is about as much as one user fits into
 * the CLI's 4096-byte working buffer anyway. */
#define CPUSER_JSON_MAX_TOKENS 256u

/* --retries goes up to 10: 11 attempts */
#define CPUSER_MAX_ATTEMPTS 11u

/* 422 bodies: show up to 16 field errors. */
#define CPUSER_MAX_FIELD_ERRORS 16u

/* The CLI names itself to the server. */
#define CPUSER_USER_AGENT "cpuser-cli/0.1 (linux)"

#endif /* CPUSER_LINUX_CONFIG_H */
