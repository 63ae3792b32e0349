/*
 * cpuser compile-time limits.
 *
 * Every limit has a default here. A board overrides any of them in its own
 * header and builds with -DCPUSER_CONFIG_FILE='"cpuser_config.h"' (the
 * lwipopts.h / MBEDTLS_CONFIG_FILE pattern): that file is included first, so
 * whatever it defines wins. Nothing here allocates; the limits size fixed
 * arrays inside structs the caller owns.
 */
#ifndef CPUSER_CONFIG_H
#define CPUSER_CONFIG_H

#ifdef CPUSER_CONFIG_FILE
#include CPUSER_CONFIG_FILE
#endif

/* Longest status line, header line or chunk-size line the response parser
 * accepts, in bytes (CRLF included). Longer is a protocol error. */
#ifndef CPUSER_HTTP_MAX_LINE
#define CPUSER_HTTP_MAX_LINE 1024u
#endif

/* Most header fields accepted in one response head (trailers included).
 * More is a protocol error. */
#ifndef CPUSER_HTTP_MAX_HEADERS
#define CPUSER_HTTP_MAX_HEADERS 64u
#endif

/* Most interim (1xx) responses skipped before the final one. More is a
 * protocol error: a server cannot hold a call with an endless 1xx stream. */
#ifndef CPUSER_HTTP_MAX_INTERIM
#define CPUSER_HTTP_MAX_INTERIM 8u
#endif

/* jsmn tokens available to one JSON document (one user, one error body),
 * 16 bytes each, held in the client struct. A user needs about 75; with
 * include[]=partnerInvites,externalAppData 105 to 140 and more with several
 * invites. A document with more is CPUSER_ERR_BUFFER_TOO_SMALL. */
#ifndef CPUSER_JSON_MAX_TOKENS
#define CPUSER_JSON_MAX_TOKENS 128u
#endif

/* Deepest nesting the JSON writer produces (objects and arrays). */
#ifndef CPUSER_JSON_MAX_DEPTH
#define CPUSER_JSON_MAX_DEPTH 16u
#endif

/* Most integers kept from one JSON list field (a user's userGroupIds);
 * more sets the list's `truncated` flag. */
#ifndef CPUSER_MAX_LIST_INTS
#define CPUSER_MAX_LIST_INTS 16u
#endif

/* Longest pagination cursor kept between list pages (bytes, NUL included). */
#ifndef CPUSER_CURSOR_MAX
#define CPUSER_CURSOR_MAX 256u
#endif

/* Most field errors (422 `errors`: field -> message pairs) kept in the last
 * result; more sets its `field_errors_truncated` flag. */
#ifndef CPUSER_MAX_FIELD_ERRORS
#define CPUSER_MAX_FIELD_ERRORS 8u
#endif

/* Longest host name the client keeps for connect and the Host header. */
#ifndef CPUSER_MAX_HOST
#define CPUSER_MAX_HOST 128u
#endif

/* Default deadlines of the client (milliseconds); the client config can set
 * each per client. */
#ifndef CPUSER_CONNECT_TIMEOUT_MS
#define CPUSER_CONNECT_TIMEOUT_MS 10000u
#endif
#ifndef CPUSER_IO_TIMEOUT_MS
#define CPUSER_IO_TIMEOUT_MS 15000u
#endif
#ifndef CPUSER_TOTAL_TIMEOUT_MS
#define CPUSER_TOTAL_TIMEOUT_MS 60000u
#endif

/* Retry policy defaults (see cpuser_retry_policy in client.h). */
#ifndef CPUSER_RETRY_MAX_ATTEMPTS
#define CPUSER_RETRY_MAX_ATTEMPTS 3u     /* attempts per call, the first included */
#endif
#ifndef CPUSER_RETRY_BASE_MS
#define CPUSER_RETRY_BASE_MS 250u        /* first backoff ceiling */
#endif
#ifndef CPUSER_RETRY_CAP_MS
#define CPUSER_RETRY_CAP_MS 8000u        /* largest backoff ceiling */
#endif
#ifndef CPUSER_RETRY_AFTER_MAX_MS
#define CPUSER_RETRY_AFTER_MAX_MS 30000u /* longest Retry-After honoured */
#endif
/* Hard bound on attempts whatever the policy says (sizes last.wait_ms[]). */
#ifndef CPUSER_MAX_ATTEMPTS
#define CPUSER_MAX_ATTEMPTS 8u
#endif

/* Log hook level: 0 compiles every log call out (the default); 1 errors,
 * 2 also retries and connections, 3 also each request. Messages are
 * constant strings and numbers: never server text, never the token. */
#ifndef CPUSER_LOG_LEVEL
#define CPUSER_LOG_LEVEL 0
#endif

/* OAuth2 client credentials (oauth2.h): the longest access token kept
 * (bytes; a longer one is CPUSER_ERR_BUFFER_TOO_SMALL; Azure AD tokens
 * run to 2-3 KB, raise it and the working buffer for them), how long
 * before its expiry a token is replaced, and the lifetime assumed when the
 * token response has no expires_in. */
#ifndef CPUSER_OAUTH2_TOKEN_MAX
#define CPUSER_OAUTH2_TOKEN_MAX 2048u
#endif
#ifndef CPUSER_OAUTH2_REFRESH_MARGIN_MS
#define CPUSER_OAUTH2_REFRESH_MARGIN_MS 60000u
#endif
#ifndef CPUSER_OAUTH2_DEFAULT_LIFETIME_S
#define CPUSER_OAUTH2_DEFAULT_LIFETIME_S 3600u
#endif

/* The User-Agent header value. */
#ifndef CPUSER_USER_AGENT
#define CPUSER_USER_AGENT "cpuser/0.1"
#endif

/* Long-running operations (an Azure 202 followed by polling): the wait
 * between polls when the server gives no Retry-After, the longest
 * Retry-After honoured (longer is cut to it), the most polls of one call,
 * and the longest operation URL kept while polling (bytes, path and query;
 * held on the stack during the call). The call's total_timeout_ms bounds
 * the whole as well. */
#ifndef CPUSER_POLL_INTERVAL_MS
#define CPUSER_POLL_INTERVAL_MS 1000u
#endif
#ifndef CPUSER_POLL_MAX_INTERVAL_MS
#define CPUSER_POLL_MAX_INTERVAL_MS 30000u
#endif
#ifndef CPUSER_POLL_MAX_COUNT
#define CPUSER_POLL_MAX_COUNT 120u
#endif
#ifndef CPUSER_OPERATION_URL_MAX
#define CPUSER_OPERATION_URL_MAX 512u
#endif

#endif /* CPUSER_CONFIG_H */
