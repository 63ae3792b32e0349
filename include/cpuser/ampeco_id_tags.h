/*
 * AMPECO.CHARGE id tags (resource v2.0): the link between a user and the
 * RFID card (or MAC address, or eMAID) a charge point reads. Create, read,
 * update, delete and list with filters, on a cpuser_client (see client.h).
 *
 * Contract: the AMPECO Public API v3.110.0,
 * /public-api/resources/id-tags/v2.0[/{idTag}].
 *
 * Memory: results are views into the client's working buffer, valid until
 * the next call on the client. Nothing allocates.
 *
 * Errors (besides the client's transport, protocol and buffer errors):
 *  - CPUSER_ERR_BAD_ARGUMENT: refused before sending: create without
 *    idTagUid, status or type; null for a field that is not nullable
 *    (idTagUid, status, type; partnerId on create); a status, type or
 *    vehicle type out of range (type emaid only appears in responses and
 *    filters: create and update take rfid or mac_address); a field the
 *    operation does not take; an empty id; per_page over 100; a filter
 *    enum out of range;
 *  - CPUSER_ERR_OUTCOME_UNKNOWN: a create went out, no answer (or a cut
 *    one) came back, and asking for its idTagUid did not settle it (see
 *    cpuser_id_tags_create);
 *  - CPUSER_ERR_HTTP_*: the server's answer; cpuser_client_last() has the
 *    status, the API message and the 422 field errors (e.g. "The id tag uid
 *    has already been taken.");
 *  - CPUSER_ERR_JSON: a 2xx body that is not the documented shape.
 */
#ifndef CPUSER_AMPECO_ID_TAGS_H
#define CPUSER_AMPECO_ID_TAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuser/ampeco.h"
#include "cpuser/client.h"
#include "cpuser/json_writer.h"
#include "cpuser/view.h"

/* Field numbers: bits of `present` / `null` (`set` / `null` in the fields
 * to send). */
enum {
    CPUSER_ID_TAG_ID = 0,
    CPUSER_ID_TAG_UID,               /* idTagUid */
    CPUSER_ID_TAG_LABEL,             /* idLabel */
    CPUSER_ID_TAG_EXPIRE_AT,
    CPUSER_ID_TAG_CREATED_AT,
    CPUSER_ID_TAG_STATUS,
    CPUSER_ID_TAG_TYPE,
    CPUSER_ID_TAG_VEHICLE_TYPE,
    CPUSER_ID_TAG_PAYMENT_METHOD_ID,
    CPUSER_ID_TAG_USER_ID,
    CPUSER_ID_TAG_EXTERNAL_ID,
    CPUSER_ID_TAG_PARTNER_ID,
    CPUSER_ID_TAG_LAST_UPDATED_AT,
    CPUSER_ID_TAG__FIELDS
};

/* status: 0 is a value this library does not know (responses only) */
enum {
    CPUSER_ID_TAG_STATUS_UNKNOWN = 0,
    CPUSER_ID_TAG_ENABLED = 1,   /* accepted as authorization */
    CPUSER_ID_TAG_DISABLED = 2,  /* disabled by an admin */
    CPUSER_ID_TAG_SUSPENDED = 3  /* suspended by the owner */
};

/* type */
enum {
    CPUSER_ID_TAG_TYPE_UNKNOWN = 0,
    CPUSER_ID_TAG_RFID = 1,
    CPUSER_ID_TAG_MAC_ADDRESS = 2,
    CPUSER_ID_TAG_EMAID = 3      /* responses and filters only */
};

/* vehicleType (nullable) */
enum {
    CPUSER_VEHICLE_UNKNOWN = 0,
    CPUSER_VEHICLE_COMPANY_CAR = 1,
    CPUSER_VEHICLE_PRIVATE_CAR = 2
};

/* An id tag as the API returns it. `present`: the field was in the
 * response; `null`: it was JSON null. Strings are views (unescaped). */
typedef struct {
    uint64_t present;
    uint64_t null;
    cpuser_view id;              /* an integer in the JSON, kept as its text */
    cpuser_view uid;             /* idTagUid: the token the charge point reads */
    cpuser_view label;           /* idLabel, nullable */
    cpuser_view expire_at;       /* ISO 8601, nullable */
    cpuser_view created_at;
    uint8_t status;              /* CPUSER_ID_TAG_ENABLED ... */
    uint8_t type;                /* CPUSER_ID_TAG_RFID ... */
    uint8_t vehicle_type;        /* CPUSER_VEHICLE_*, nullable */
    cpuser_view payment_method_id; /* a payment method id, "corporate:{id}",
                                      "auto", or null */
    int64_t user_id;             /* nullable: a tag prepared for later */
    cpuser_view external_id;     /* nullable */
    int64_t partner_id;          /* nullable */
    cpuser_view last_updated_at;
} cpuser_id_tag;

/* What to send on create (POST) and update (PATCH): only the fields whose
 * bit is in `set`; with their bit also in `null`, as JSON null (idLabel,
 * expireAt, vehicleType, paymentMethodId, userId, externalId; partnerId on
 * update only). Create needs idTagUid, status and type. Strings are
 * caller-owned views. */
typedef struct {
    uint64_t set;
    uint64_t null;
    cpuser_view uid;
    cpuser_view label;
    cpuser_view expire_at;       /* ISO 8601 date-time */
    uint8_t status;              /* CPUSER_ID_TAG_ENABLED / _DISABLED / _SUSPENDED */
    uint8_t type;                /* CPUSER_ID_TAG_RFID / _MAC_ADDRESS */
    uint8_t vehicle_type;        /* CPUSER_VEHICLE_COMPANY_CAR / _PRIVATE_CAR */
    cpuser_view payment_method_id; /* "auto" is the spec's recommendation */
    int64_t user_id;
    cpuser_view external_id;
    int64_t partner_id;
} cpuser_id_tag_fields;

/* Set a string field (UID, LABEL, EXPIRE_AT, PAYMENT_METHOD_ID,
 * EXTERNAL_ID) from a NUL-terminated string (not copied) and mark it set;
 * BAD_ARGUMENT for any other field. */
cpuser_err cpuser_id_tag_fields_set(cpuser_id_tag_fields *f, int field, const char *value);

/* The checks create (creating) or update make before sending. On
 * CPUSER_ERR_BAD_ARGUMENT, *bad_field (may be NULL) is the CPUSER_ID_TAG_*
 * number of the first field refused (-1 when f is NULL). */
cpuser_err cpuser_id_tag_fields_check(const cpuser_id_tag_fields *f, bool creating, int *bad_field);

/* List filters; empty views and 0 enums are not sent. */
typedef struct {
    cpuser_view uid;             /* filter[idTagUid] */
    cpuser_view label;           /* filter[idLabel] */
    cpuser_view user_id;         /* filter[userId] */
    cpuser_view expire_at;       /* filter[expireAt]: expiring at or after */
    uint8_t status;              /* filter[status] */
    uint8_t type;                /* filter[type] (emaid allowed) */
    cpuser_view partner_id;      /* filter[partnerId] */
    bool without_partner;        /* filter[partnerId]=null: tags without a
                                    partner (partner_id must be empty) */
    cpuser_view last_updated_after;  /* filter[lastUpdatedAfter], ISO 8601 */
    cpuser_view last_updated_before; /* filter[lastUpdatedBefore] */
} cpuser_id_tag_filter;

/* Called for each tag of a list, in order; anything but CPUSER_OK stops the
 * listing and is returned by it (CPUSER_ERR_STOPPED: stop, no error). */
typedef cpuser_err (*cpuser_id_tag_fn)(void *arg, const cpuser_id_tag *tag);

/* POST /public-api/resources/id-tags/v2.0 -> 201. out may be NULL.
 * Exactly once: when the create went out and no answer came back (timeout,
 * reset, close), or a 2xx came but was cut short, the call asks the server
 * for the tag by its idTagUid (unique on the server; the same userId and
 * type when they were sent) and returns it when found; when not found and
 * no 2xx was seen it sends the create once more (a second tag cannot come
 * of it: the server refuses a taken UID with 422). Otherwise
 * CPUSER_ERR_OUTCOME_UNKNOWN. This rests on idTagUid being unique per
 * backend, which AMPECO's simulator and RFID practice hold but the OpenAPI
 * contract does not state: where it may not hold, treat an
 * OUTCOME_UNKNOWN-prone link by listing filter[idTagUid] yourself. A
 * first request that takes effect only after the lookup (a very late
 * server) can still give a 422 for the resend. */
cpuser_err cpuser_id_tags_create(cpuser_client *c, const cpuser_id_tag_fields *f, cpuser_id_tag *out);

/* GET /public-api/resources/id-tags/v2.0/{idTag} -> 200. */
cpuser_err cpuser_id_tags_read(cpuser_client *c, cpuser_view id, cpuser_id_tag *out);

/* PATCH .../{idTag} -> 200: sends exactly the fields set. out may be NULL. */
cpuser_err cpuser_id_tags_update(cpuser_client *c, cpuser_view id, const cpuser_id_tag_fields *f,
                                 cpuser_id_tag *out);

/* DELETE .../{idTag} -> 204. */
cpuser_err cpuser_id_tags_delete(cpuser_client *c, cpuser_view id);

/* GET /public-api/resources/id-tags/v2.0: one page (cursor or page
 * pagination, see cpuser_page), each tag decoded and handed to fn as it
 * arrives. filter may be NULL. */
cpuser_err cpuser_id_tags_list(cpuser_client *c, const cpuser_id_tag_filter *filter,
                               cpuser_page *page, cpuser_id_tag_fn fn, void *arg);

/* Every page by cursor from the first: one call. per_page 0..100. *total
 * (may be NULL) counts the tags delivered. */
cpuser_err cpuser_id_tags_list_all(cpuser_client *c, const cpuser_id_tag_filter *filter,
                                   uint8_t per_page, cpuser_id_tag_fn fn, void *arg,
                                   uint32_t *total);

/* Write t as a JSON object with the API's names (fields present; null where
 * null). */
void cpuser_id_tag_write_json(cpuser_json_writer *w, const cpuser_id_tag *t);

/* The spec's names of the enum values (NULL when out of range), and back
 * (0 when unknown). */
const char *cpuser_id_tag_status_name(uint8_t status);
const char *cpuser_id_tag_type_name(uint8_t type);
const char *cpuser_vehicle_type_name(uint8_t vehicle_type);
uint8_t cpuser_id_tag_status_parse(const char *name);
uint8_t cpuser_id_tag_type_parse(const char *name);
uint8_t cpuser_vehicle_type_parse(const char *name);

#endif /* CPUSER_AMPECO_ID_TAGS_H */
