/*
 * Types shared by the AMPECO.CHARGE Public API resources (users, user
 * groups, id tags, payment methods, invoice details).
 *
 * Listing: AMPECO pages lists either by cursor (the default and the
 * recommended way: "Set it to empty in order to engage the cursor
 * pagination") or by page number (deprecated). A cpuser_page carries the
 * position in and out of one call; walking every page is one call too.
 * Some endpoints page by number only (user groups, payment methods): for
 * them a cpuser_page in cursor mode is walked by number all the same (the
 * next page number travels in `cursor`), so one loop serves every list.
 */
#ifndef CPUSER_AMPECO_H
#define CPUSER_AMPECO_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/config.h"

/* Field numbers of a resource's struct are bits of its `present` / `null`
 * masks (`set` / `null` in the fields to send). Test with
 * CPUSER_HAS(u.present, CPUSER_USER_EMAIL). */
#define CPUSER_BIT(field) ((uint64_t)1u << (field))
#define CPUSER_HAS(mask, field) (((mask) & CPUSER_BIT(field)) != 0u)

/* A filter that is true, false or not sent. */
enum { CPUSER_FILTER_UNSET = 0, CPUSER_FILTER_TRUE = 1, CPUSER_FILTER_FALSE = 2 };

typedef struct {
    /* in */
    uint8_t per_page;   /* 1..100; 0: the server's default */
    uint32_t page;      /* 0: cursor pagination; n >= 1: page pagination, page n */
    char cursor[CPUSER_CURSOR_MAX]; /* cursor mode: "" for the first page,
                                       else the cursor of the page wanted */
    /* out */
    uint32_t count;     /* elements delivered from this page */
    bool more;          /* another page follows: cursor (cursor mode) or
                           page + 1 (page mode) fetches it */
    uint32_t last_page; /* page mode: meta.last_page, 0 when not given */
    char next[CPUSER_CURSOR_MAX]; /* internal: the next cursor while a page
                                     is being received */
} cpuser_page;

/* Prepare a page for cursor pagination from the start. */
void cpuser_page_init(cpuser_page *p, uint8_t per_page);

#endif /* CPUSER_AMPECO_H */
