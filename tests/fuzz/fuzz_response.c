/*
 * Fuzz harness 1: the HTTP response parser under random splits.
 *
 * Input: RESPONSE_CTL control bytes (see response_split.h: buffer size,
 * HEAD, how body bytes are consumed, piece sizes), then an HTTP response.
 * The response is parsed whole and split into pieces through a fixed
 * buffer; both runs are checked after every feed and must agree.
 */
#include <stddef.h>
#include <stdint.h>

#include "response_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    response_run whole;
    if (size < RESPONSE_CTL) {
        return 0;
    }
    response_check(data, data + RESPONSE_CTL, size - RESPONSE_CTL, &whole);
    response_run_free(&whole);
    return 0;
}
