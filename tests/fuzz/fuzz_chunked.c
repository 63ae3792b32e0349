/*
 * Fuzz harness 2: the chunked decoder.
 *
 * Input: RESPONSE_CTL control bytes (see response_split.h; the HEAD bit is
 * ignored), then a chunked body. It is parsed behind a fixed head
 *     HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n
 * whole and in random pieces (both runs must agree), and checked against a
 * small reference de-chunker written here: whenever the body is a strictly
 * well-formed chunked body (hex sizes, simple extensions, CRLF everywhere,
 * simple trailer fields, short lines) the parser must accept it and give
 * the same bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "response_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

#define REF_MAX_LINE 1000u  /* well under CPUSER_HTTP_MAX_LINE */
#define REF_MAX_TRAILERS 60u /* with the head's one field, under CPUSER_HTTP_MAX_HEADERS */

/* The line at b[*at..n) up to CRLF, with no CR or LF inside and at most
 * REF_MAX_LINE bytes with its CRLF; *at moves past it. */
static bool ref_line(const uint8_t *b, size_t n, size_t *at, size_t *start, size_t *len)
{
    size_t i;
    for (i = *at; i < n && i - *at + 2u <= REF_MAX_LINE; i++) {
        if (b[i] == '\n') {
            return false;
        }
        if (b[i] == '\r') {
            if (i + 1u >= n || b[i + 1u] != '\n') {
                return false;
            }
            *start = *at;
            *len = i - *at;
            *at = i + 2u;
            return true;
        }
    }
    return false;
}

static int ref_hex(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Chunk extension bytes this reference accepts after ';'. */
static bool ref_ext_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '=' || c == ';' || c == '-' || c == '_' || c == '.';
}

/* Decode the chunked body at the front of b[0..n) into out. True when it
 * is strictly well formed and complete; *used is then its length. */
static bool ref_dechunk(const uint8_t *b, size_t n, char *out, size_t *out_len, size_t *used)
{
    size_t at = 0;
    size_t o = 0;
    size_t start;
    size_t len;
    size_t trailers = 0;
    for (;;) {
        size_t size = 0;
        size_t i;
        if (!ref_line(b, n, &at, &start, &len)) {
            return false;
        }
        for (i = 0; i < len && ref_hex(b[start + i]) >= 0; i++) {
            if (i == 8u) {
                return false;
            }
            size = size * 16u + (size_t)ref_hex(b[start + i]);
        }
        if (i == 0u) {
            return false;
        }
        if (i < len) {
            size_t k;
            if (b[start + i] != ';') {
                return false;
            }
            for (k = i + 1u; k < len; k++) {
                if (!ref_ext_byte(b[start + k])) {
                    return false;
                }
            }
        }
        if (size == 0u) {
            break;
        }
        if (n - at < size + 2u) {
            return false;
        }
        memcpy(out + o, b + at, size);
        o += size;
        at += size;
        if (b[at] != '\r' || b[at + 1u] != '\n') {
            return false;
        }
        at += 2u;
    }
    /* trailer fields, then the empty line */
    for (;;) {
        size_t i = 0;
        size_t k;
        if (!ref_line(b, n, &at, &start, &len)) {
            return false;
        }
        if (len == 0u) {
            break;
        }
        if (++trailers > REF_MAX_TRAILERS) {
            return false;
        }
        while (i < len && fuzz_tchar(b[start + i])) {
            i++;
        }
        if (i == 0u || i == len || b[start + i] != ':') {
            return false;
        }
        for (k = i + 1u; k < len; k++) {
            if (b[start + k] < 0x20u || b[start + k] > 0x7eu) {
                return false;
            }
        }
    }
    *out_len = o;
    *used = at;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t ctl[RESPONSE_CTL];
    const uint8_t *body;
    size_t body_len;
    size_t head_len = sizeof head - 1u;
    uint8_t *resp;
    response_run whole;
    char *ref;
    size_t ref_len = 0;
    size_t used = 0;

    if (size < RESPONSE_CTL) {
        return 0;
    }
    memcpy(ctl, data, RESPONSE_CTL);
    ctl[0] = (uint8_t)(ctl[0] & ~0x08u); /* GET: the body is what is tested */
    body = data + RESPONSE_CTL;
    body_len = size - RESPONSE_CTL;
    resp = (uint8_t *)malloc(head_len + body_len);
    ref = (char *)malloc(body_len + 1u);
    FUZZ_CHECK(resp != NULL && ref != NULL);
    memcpy(resp, head, head_len);
    memcpy(resp + head_len, body, body_len);

    response_check(ctl, resp, head_len + body_len, &whole);
    FUZZ_CHECK(whole.r.head_done && whole.r.chunked);
    if (ref_dechunk(body, body_len, ref, &ref_len, &used)) {
        FUZZ_CHECK(whole.err == CPUSER_OK);
        FUZZ_CHECK(whole.r.done);
        FUZZ_CHECK(whole.body_len == ref_len);
        FUZZ_CHECK(ref_len == 0u || memcmp(whole.body, ref, ref_len) == 0);
        FUZZ_CHECK(whole.r.extra == (used < body_len));
    }
    response_run_free(&whole);
    free(resp);
    free(ref);
    return 0;
}
