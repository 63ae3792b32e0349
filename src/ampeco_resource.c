/* AMPECO resources: request bodies, the checks before sending, one-object
 * calls, the data envelope, and paginated lists. */
#include "ampeco_resource.h"
#include "chars.h"

#include <string.h>

#include "cpuser/list_scanner.h"

void cpuser_page_init(cpuser_page *p, uint8_t per_page)
{
    memset(p, 0, sizeof *p);
    p->per_page = per_page;
}

/* ---- bodies -------------------------------------------------------------------- */

cpuser_err cpuser_json_body_write(void *body, char *buf, size_t cap, size_t *len)
{
    const cpuser_json_body *b = (const cpuser_json_body *)body;
    cpuser_json_writer w;
    cpuser_json_writer_init(&w, buf, cap);
    b->fill(&w, b->arg);
    return cpuser_json_writer_finish(&w, len);
}

void cpuser_ampeco_write_object(cpuser_json_writer *w, const cpuser_field_table *t, const void *obj)
{
    cpuser_json_object_begin(w);
    cpuser_fields_encode(w, t, obj);
    cpuser_json_object_end(w);
}

/* The body of a send: the set fields of `fields` by the rules' table. */
typedef struct {
    const cpuser_field_table *table;
    const void *fields;
} fields_body;

static void fill_fields(cpuser_json_writer *w, const void *arg)
{
    const fields_body *b = (const fields_body *)arg;
    cpuser_ampeco_write_object(w, b->table, b->fields);
}

/* ---- names and checks ------------------------------------------------------------ */

const char *cpuser_ampeco_name(const char *const *names, uint8_t v)
{
    uint8_t i;
    for (i = 0; names[i] != NULL; i++) {
        if (i + 1u == v) {
            return names[i];
        }
    }
    return NULL;
}

uint8_t cpuser_ampeco_parse_name(const char *const *names, const char *s)
{
    uint8_t i;
    for (i = 0; s != NULL && names[i] != NULL; i++) {
        if (strcmp(names[i], s) == 0) {
            return (uint8_t)(i + 1u);
        }
    }
    return 0;
}

size_t cpuser_ampeco_chars(cpuser_view s)
{
    size_t i;
    size_t n = 0;
    for (i = 0; i < s.len; i++) {
        n += ((unsigned char)s.ptr[i] & 0xC0u) != 0x80u;
    }
    return n;
}

/* ISO 3166-1 alpha-2 codes of the spec's country enum, two letters each. */
static const char countries[] =
    "AFAXALDZASADAOAIAQAGARAMAWAUATAZBSBHBDBBBYBEBZBJBMBTBOBQBABWBVBRIOBNBGBFBIKHCMCA"
    "CVKYCFTDCLCNCXCCCOKMCGCDCKCRCIHRCUCWCYCZDKDJDMDOECEGSVGQEREEETFKFOFJFIFRGFPFTFGA"
    "GMGEDEGHGIGRGLGDGPGUGTGGGNGWGYHTHMVAHNHKHUISINIDIRIQIEIMILITJMJPJEJOKZKEKIKPKRXK"
    "KWKGLALVLBLSLRLYLILTLUMOMKMGMWMYMVMLMTMHMQMRMUYTMXFMMDMCMNMEMSMAMZMMNANRNPNLNCNZ"
    "NINENGNUNFMPNOOMPKPWPSPAPGPYPEPHPNPLPTPRQARERORURWBLSHKNLCMFPMVCWSSMSTSASNRSSCSL"
    "SGSXSKSISBSOZAGSSSESLKSDSRSJSZSECHSYTWTJTZTHTLTGTKTOTTTNTRTMTCTVUGUAAEGBUSUMUYUZ"
    "VUVEVNVGVIWFEHYEZMZW";

bool cpuser_ampeco_country_ok(cpuser_view c)
{
    size_t i;
    if (c.len != 2u) {
        return false;
    }
    for (i = 0; i + 1u < sizeof countries; i += 2u) {
        if (countries[i] == c.ptr[0] && countries[i + 1u] == c.ptr[1]) {
            return true;
        }
    }
    return false;
}

static uint64_t mask_of(const cpuser_field_table *t, const void *fields, bool null)
{
    uint64_t m;
    memcpy(&m, (const char *)fields + (null ? t->null_offset : t->present_offset), sizeof m);
    return m;
}

/* The fields a table can send, nested tables included. */
static uint64_t table_bits(const cpuser_field_table *t)
{
    uint64_t bits = 0;
    uint8_t i;
    for (i = 0; i < t->count; i++) {
        bits |= CPUSER_BIT(t->fields[i].bit);
        if (t->fields[i].object != NULL) {
            bits |= table_bits(t->fields[i].object);
        }
    }
    return bits;
}

/* The lowest field number in mask (mask != 0). */
static int lowest_field(uint64_t mask)
{
    int n = 0;
    while ((mask & 1u) == 0u) {
        mask >>= 1;
        n++;
    }
    return n;
}

/* Whether the value of f (sent, not null) breaks a rule: an enum value
 * without a name, an id list too long, a string longer than its limit. */
static bool value_bad(const cpuser_ampeco_rules *r, const cpuser_field *f, const char *m)
{
    uint8_t i;
    if (f->type == CPUSER_FIELD_ENUM) {
        return cpuser_field_enum_name(f, *(const uint8_t *)(const void *)m) == NULL;
    }
    if (f->type == CPUSER_FIELD_INT_LIST) {
        return ((const cpuser_int_list *)(const void *)m)->count > CPUSER_MAX_LIST_INTS;
    }
    for (i = 0; f->type == CPUSER_FIELD_STRING && i < r->limit_count; i++) {
        if (r->limits[i].bit == f->bit) {
            return cpuser_ampeco_chars(*(const cpuser_view *)(const void *)m) > r->limits[i].max;
        }
    }
    return false;
}

/* One walk over t: a member sent without its object (`parent` false), or
 * a value that breaks a rule. The first refused field, or -1. */
static int check_values(const cpuser_ampeco_rules *r, const cpuser_field_table *t, const char *fields,
                        uint64_t sent, bool parent)
{
    uint8_t i;
    for (i = 0; i < t->count; i++) {
        const cpuser_field *f = &t->fields[i];
        bool on = ((sent >> f->bit) & 1u) != 0u;
        if (f->object != NULL) {
            int bad = check_values(r, f->object, fields, sent, parent && on);
            if (bad >= 0) {
                return bad;
            }
        } else if (on && (!parent || value_bad(r, f, fields + f->offset))) {
            return f->bit;
        }
    }
    return -1;
}

static cpuser_err refuse(int field, int *bad_field)
{
    if (bad_field != NULL) {
        *bad_field = field;
    }
    return CPUSER_ERR_BAD_ARGUMENT;
}

cpuser_err cpuser_ampeco_check(const cpuser_ampeco_rules *r, const void *fields, int *bad_field)
{
    const cpuser_field_table *t = r->table;
    uint64_t set;
    uint64_t null;
    uint64_t wrong;
    int bad;
    if (bad_field != NULL) {
        *bad_field = -1;
    }
    if (fields == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    set = mask_of(t, fields, false);
    null = mask_of(t, fields, true);
    wrong = (set & ~table_bits(t)) | (set & null & ~r->nullable);
    if (wrong == 0u) {
        wrong = r->required & ~(set & ~null); /* then what is missing */
    }
    if (wrong != 0u) {
        return refuse(lowest_field(wrong), bad_field);
    }
    bad = check_values(r, t, (const char *)fields, set & ~null, true);
    if (bad < 0 && r->check != NULL) {
        bad = r->check(fields);
    }
    return bad >= 0 ? refuse(bad, bad_field) : CPUSER_OK;
}

cpuser_err cpuser_ampeco_set_string(const cpuser_field_table *t, void *fields, int field,
                                    const char *value)
{
    uint8_t i;
    if (fields == NULL || value == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    for (i = 0; i < t->count; i++) {
        const cpuser_field *f = &t->fields[i];
        uint64_t set;
        if (f->object != NULL) {
            if (cpuser_ampeco_set_string(f->object, fields, field, value) == CPUSER_OK) {
                set = mask_of(t, fields, false) | CPUSER_BIT(f->bit);
                memcpy((char *)fields + t->present_offset, &set, sizeof set);
                return CPUSER_OK;
            }
            continue;
        }
        if (f->bit == field && (f->type == CPUSER_FIELD_STRING || f->type == CPUSER_FIELD_RAW)) {
            cpuser_view v = cpuser_view_of(value);
            memcpy((char *)fields + f->offset, &v, sizeof v);
            set = mask_of(t, fields, false) | CPUSER_BIT(field);
            memcpy((char *)fields + t->present_offset, &set, sizeof set);
            return CPUSER_OK;
        }
    }
    return CPUSER_ERR_BAD_ARGUMENT;
}

/* ---- one object ------------------------------------------------------------------- */

bool cpuser_ampeco_ids_ok(const cpuser_view *ids, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (ids[i].ptr == NULL || ids[i].len == 0u) {
            return false;
        }
    }
    return true;
}

cpuser_err cpuser_ampeco_call(cpuser_client *c, const char *method, const char *path,
                              const cpuser_view *ids, size_t n, const cpuser_json_body *body,
                              void (*query)(void *, cpuser_http_request *), void *query_arg)
{
    cpuser_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.segments = ids;
    req.segment_count = n;
    if (body != NULL) {
        req.body = cpuser_json_body_write;
        req.arg = (void *)(uintptr_t)body;
    } else {
        req.query = query;
        req.arg = query_arg;
    }
    return cpuser_client_call(c, &req, NULL);
}

cpuser_err cpuser_ampeco_result(cpuser_client *c, cpuser_err err, const cpuser_ampeco_object *o,
                                void *out)
{
    const cpuser_result *last;
    int obj = 0;
    if (err != CPUSER_OK || out == NULL || c == NULL) {
        return err;
    }
    last = cpuser_client_last(c);
    memset(out, 0, o->size);
    /* the body is in the client's buffer: its bytes are ours to unescape */
    if (cpuser_json_parse(&c->json, c->buf + c->resp.body_start, last->body.len) != CPUSER_OK) {
        return CPUSER_ERR_JSON;
    }
    if (!o->bare) {
        obj = cpuser_json_find(&c->json, 0, "data");
        if (obj < 0 && o->alt != NULL) {
            obj = cpuser_json_find(&c->json, 0, o->alt);
        }
    }
    if (cpuser_json_type(&c->json, obj) != JSMN_OBJECT) {
        return CPUSER_ERR_JSON;
    }
    return cpuser_fields_decode(&c->json, obj, o->table, out);
}

cpuser_err cpuser_ampeco_get(cpuser_client *c, const char *path, const cpuser_view *ids, size_t n,
                             const cpuser_ampeco_object *o, void *out)
{
    if (!cpuser_ampeco_ids_ok(ids, n) || out == NULL) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    return cpuser_ampeco_result(c, cpuser_ampeco_call(c, "GET", path, ids, n, NULL, NULL, NULL), o,
                                out);
}

cpuser_err cpuser_ampeco_send(cpuser_client *c, const char *method, const char *path,
                              const cpuser_view *ids, size_t n, const cpuser_ampeco_rules *r,
                              const void *fields, const cpuser_ampeco_object *o, void *out)
{
    fields_body fb;
    cpuser_json_body body;
    cpuser_err err = cpuser_ampeco_check(r, fields, NULL);
    if (err != CPUSER_OK) {
        return err;
    }
    if (!cpuser_ampeco_ids_ok(ids, n)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    fb.table = r->table;
    fb.fields = fields;
    body.fill = fill_fields;
    body.arg = &fb;
    err = cpuser_ampeco_call(c, method, path, ids, n, &body, NULL, NULL);
    if (strcmp(method, "POST") == 0 && cpuser_ampeco_outcome(c, err) != CPUSER_AMPECO_KNOWN) {
        return CPUSER_ERR_OUTCOME_UNKNOWN;
    }
    return cpuser_ampeco_result(c, err, o, out);
}

cpuser_err cpuser_ampeco_delete(cpuser_client *c, const char *path, const cpuser_view *ids, size_t n)
{
    if (!cpuser_ampeco_ids_ok(ids, n)) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    return cpuser_ampeco_call(c, "DELETE", path, ids, n, NULL, NULL, NULL);
}

int cpuser_ampeco_outcome(const cpuser_client *c, cpuser_err err)
{
    const cpuser_result *last;
    bool broken = err == CPUSER_ERR_TIMEOUT || err == CPUSER_ERR_IO ||
                  err == CPUSER_ERR_CLOSED || err == CPUSER_ERR_PROTOCOL;
    if (!broken || c == NULL) {
        return CPUSER_AMPECO_KNOWN;
    }
    last = cpuser_client_last(c);
    if (!last->sent) {
        return CPUSER_AMPECO_KNOWN;
    }
    if (last->status == 0) {
        return CPUSER_AMPECO_NO_ANSWER;
    }
    return last->status >= 200 && last->status <= 299 ? CPUSER_AMPECO_CUT_ANSWER
                                                      : CPUSER_AMPECO_KNOWN;
}

/* ---- lists ------------------------------------------------------------------------ */

void cpuser_ampeco_filter(cpuser_http_request *r, const char *name, cpuser_view v)
{
    if (v.len != 0u) {
        cpuser_http_request_query(r, name, v.ptr, v.len);
    }
}

void cpuser_ampeco_filter_enum(cpuser_http_request *r, const char *name, const char *const *names,
                               uint8_t v)
{
    const char *s;
    if (v == 0u) {
        return;
    }
    s = cpuser_ampeco_name(names, v);
    if (s == NULL) {
        cpuser_buffer_fail(&r->out, CPUSER_ERR_BAD_ARGUMENT);
        return;
    }
    cpuser_http_request_query_str(r, name, s);
}

/* One page's request and what it answers: a cpuser_page's fields, with
 * the next cursor going to `next` (which may be the sent cursor's own
 * buffer: the query is written before any answer byte arrives). */
typedef struct {
    uint8_t per_page;
    uint32_t page;          /* 0: cursor mode */
    const char *cursor;     /* sent in cursor mode */
    char *next;             /* the next cursor, NUL-terminated */
    size_t next_cap;
    uint32_t count;
    uint32_t last_page;
    bool more;
} page_io;

typedef struct {
    cpuser_client *c;
    const cpuser_ampeco_list *l;
    page_io *page;
    bool links_next;        /* links.next was a URL */
    bool meta_cursor;       /* meta gave the next cursor (or said none) */
    cpuser_err cursor_err;  /* a cursor that does not fit */
} list_call;

static void list_query(void *arg, cpuser_http_request *r)
{
    const list_call *lc = (const list_call *)arg;
    const page_io *p = lc->page;
    if (p->per_page != 0u) {
        cpuser_http_request_query_int(r, "per_page", p->per_page);
    }
    if (p->page != 0u) {
        cpuser_http_request_query_int(r, "page", p->page);
    } else {
        /* an empty cursor engages cursor pagination */
        cpuser_http_request_query_str(r, "cursor", p->cursor);
    }
    if (lc->l->query != NULL) {
        lc->l->query(lc->l->query_arg, r);
    }
}

static cpuser_err list_element(void *arg, char *json, size_t len)
{
    list_call *lc = (list_call *)arg;
    const cpuser_ampeco_list *l = lc->l;
    cpuser_err err = cpuser_json_parse(&lc->c->json, json, len);
    if (err != CPUSER_OK) {
        return err;
    }
    lc->page->count++;
    memset(l->item, 0, l->item_size);
    err = cpuser_fields_decode(&lc->c->json, 0, l->table, l->item);
    return err != CPUSER_OK ? err : l->deliver(l->deliver_arg, l->item);
}

/* Copy s into the page's next cursor, percent-decoding when asked. */
static cpuser_err set_next(page_io *p, const char *s, size_t n, bool decode)
{
    size_t i;
    size_t o = 0;
    for (i = 0; i < n; i++) {
        char ch = s[i];
        if (decode && ch == '%' && i + 2u < n && cpuser_hex_digit(s[i + 1]) >= 0 &&
            cpuser_hex_digit(s[i + 2]) >= 0) {
            ch = (char)(cpuser_hex_digit(s[i + 1]) * 16 + cpuser_hex_digit(s[i + 2]));
            i += 2u;
        }
        if (o + 1u >= p->next_cap) {
            p->next[0] = '\0';
            return CPUSER_ERR_BUFFER_TOO_SMALL;
        }
        p->next[o++] = ch;
    }
    p->next[o] = '\0';
    return CPUSER_OK;
}

/* The value of the "cursor" query parameter of a URL, or an empty view. */
static cpuser_view cursor_param(cpuser_view url)
{
    cpuser_view v = {NULL, 0};
    size_t i;
    for (i = 0; i + 7u <= url.len; i++) {
        if ((url.ptr[i] == '?' || url.ptr[i] == '&') && i + 8u <= url.len &&
            memcmp(url.ptr + i + 1u, "cursor=", 7) == 0) {
            size_t start = i + 8u;
            size_t end = start;
            while (end < url.len && url.ptr[end] != '&' && url.ptr[end] != '#') {
                end++;
            }
            v.ptr = url.ptr + start;
            v.len = end - start;
            return v;
        }
    }
    return v;
}

static cpuser_err read_links(list_call *lc, cpuser_json *doc)
{
    int next = cpuser_json_find(doc, 0, "next");
    cpuser_view url;
    if (next < 0 || cpuser_json_is_null(doc, next)) {
        return CPUSER_OK;
    }
    if (cpuser_json_get_string(doc, next, &url) != CPUSER_OK) {
        return CPUSER_ERR_JSON;
    }
    lc->links_next = true;
    if (!lc->meta_cursor) {
        cpuser_view cur = cursor_param(url);
        lc->cursor_err = set_next(lc->page, cur.ptr, cur.len, true);
    }
    return CPUSER_OK;
}

static cpuser_err read_meta(list_call *lc, cpuser_json *doc)
{
    int i = cpuser_json_find(doc, 0, "next_cursor");
    int64_t n;
    if (i < 0) {
        i = cpuser_json_find(doc, 0, "cursor");
    }
    if (i >= 0) {
        cpuser_view cur = {NULL, 0};
        if (!cpuser_json_is_null(doc, i) && cpuser_json_get_string(doc, i, &cur) != CPUSER_OK) {
            return CPUSER_ERR_JSON;
        }
        lc->meta_cursor = true;
        lc->cursor_err = set_next(lc->page, cur.ptr, cur.len, false);
    }
    i = cpuser_json_find(doc, 0, "last_page");
    if (i >= 0 && cpuser_json_get_int64(doc, i, &n) == CPUSER_OK && n > 0 && n <= (int64_t)UINT32_MAX) {
        lc->page->last_page = (uint32_t)n;
    }
    return CPUSER_OK;
}

static cpuser_err list_member(void *arg, const char *key, char *json, size_t len)
{
    list_call *lc = (list_call *)arg;
    cpuser_json *doc = &lc->c->json;
    if (cpuser_json_parse(doc, json, len) != CPUSER_OK || cpuser_json_type(doc, 0) != JSMN_OBJECT) {
        return CPUSER_ERR_JSON;
    }
    return key[0] == 'l' ? read_links(lc, doc) : read_meta(lc, doc);
}

/* A pages-only endpoint in cursor mode: the page number the cursor holds
 * ("" is 1); 0 when it is not a number this module wrote. */
static uint32_t cursor_number(const char *cursor)
{
    uint32_t n = 0;
    size_t i;
    if (cursor[0] == '\0') {
        return 1u;
    }
    for (i = 0; cursor[i] != '\0'; i++) {
        if (!cpuser_is_digit(cursor[i]) || n > (UINT32_MAX - 9u) / 10u) {
            return 0;
        }
        n = n * 10u + (uint32_t)(cursor[i] - '0');
    }
    return n;
}

static void put_number(char *out, uint32_t n)
{
    char tmp[12];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + n % 10u);
        n /= 10u;
    } while (n != 0u);
    while (k != 0u) {
        *out++ = tmp[--k];
    }
    *out = '\0';
}

/* One page into io; io->more as the answer says. */
static cpuser_err list_page_io(cpuser_client *c, const cpuser_ampeco_list *l, page_io *io)
{
    list_call lc;
    cpuser_list_scanner scanner;
    cpuser_request req;
    cpuser_sink sink;
    cpuser_err err;

    io->count = 0;
    io->more = false;
    if (io->per_page > 100u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    memset(&lc, 0, sizeof lc);
    lc.c = c;
    lc.l = l;
    lc.page = io;
    cpuser_list_scanner_init(&scanner, list_element, list_member, &lc);
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = l->path;
    req.segments = l->segments;
    req.segment_count = l->segment_count;
    req.query = list_query;
    req.arg = &lc;
    sink.write = cpuser_list_scanner_write;
    sink.arg = &scanner;
    err = cpuser_client_call(c, &req, &sink);
    if (err == CPUSER_OK) {
        err = lc.cursor_err;
    }
    if (err != CPUSER_OK) {
        return err;
    }
    if (io->page != 0u) {
        /* an empty page is past the end, whatever links or meta say: a
         * server that keeps saying "more" cannot hold a walk forever */
        io->more = io->count != 0u &&
                   (lc.links_next || (io->last_page != 0u && io->page < io->last_page));
    } else {
        io->more = io->next[0] != '\0';
    }
    return CPUSER_OK;
}

cpuser_err cpuser_ampeco_list_page(cpuser_client *c, const cpuser_ampeco_list *l,
                                   cpuser_page *page)
{
    page_io io;
    cpuser_err err;
    memset(&io, 0, sizeof io);
    io.per_page = page->per_page;
    io.page = page->page;
    io.cursor = page->cursor;
    io.next = page->next;
    io.next_cap = sizeof page->next;
    io.last_page = page->last_page;
    page->next[0] = '\0';
    err = list_page_io(c, l, &io);
    page->count = io.count;
    page->last_page = io.last_page;
    page->more = io.more;
    if (err != CPUSER_OK || page->page != 0u) {
        return err;
    }
    if (page->more && strcmp(page->next, page->cursor) == 0) {
        return CPUSER_ERR_PROTOCOL; /* the same page again: it would never end */
    }
    memcpy(page->cursor, page->next, sizeof page->cursor);
    return CPUSER_OK;
}

cpuser_err cpuser_ampeco_list_numbered(cpuser_client *c, const cpuser_ampeco_list *l,
                                       cpuser_page *page)
{
    uint32_t n;
    cpuser_err err;
    if (page->page != 0u) {
        return cpuser_ampeco_list_page(c, l, page);
    }
    n = cursor_number(page->cursor);
    if (n == 0u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    page->page = n;
    err = cpuser_ampeco_list_page(c, l, page);
    page->page = 0;
    page->cursor[0] = '\0';
    if (err == CPUSER_OK && page->more) {
        put_number(page->cursor, n + 1u);
    }
    return err;
}

/* FNV-1a over a NUL-terminated string: a sent cursor's fingerprint, to
 * see the same cursor come back once the buffer holds the next one. */
static uint64_t cursor_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    while (*s != '\0') {
        h = (h ^ (uint8_t)*s++) * 1099511628211u;
    }
    return h;
}

/* Every page, without a cpuser_page: one cursor buffer that the next
 * cursor overwrites (a walk restarts from the first page after an error, so
 * the cursor sent need not survive the call), or page numbers for an
 * endpoint that pages by number only (a pager). */
cpuser_err cpuser_ampeco_list_all(cpuser_client *c, const cpuser_ampeco_list *l,
                                  uint8_t per_page, uint32_t *total)
{
    char cursor[CPUSER_CURSOR_MAX];
    page_io io;
    cpuser_err err;
    uint32_t n = 0;
    memset(&io, 0, sizeof io);
    io.per_page = per_page;
    io.page = l->pager != NULL ? 1u : 0u;
    io.cursor = cursor;
    io.next = cursor;
    io.next_cap = sizeof cursor;
    cursor[0] = '\0';
    for (;;) {
        uint64_t sent = cursor_hash(cursor);
        err = list_page_io(c, l, &io);
        n += io.count;
        if (err != CPUSER_OK || !io.more) {
            break;
        }
        if (io.page != 0u) {
            io.page++;
        } else if (io.count == 0u || cursor_hash(cursor) == sent) {
            /* the same page again, or an empty one that points further:
             * a walk that makes no progress would never end */
            err = CPUSER_ERR_PROTOCOL;
            break;
        }
    }
    if (total != NULL) {
        *total = n;
    }
    return err;
}

/* The first page only, by number (page 1), with no cursor at all: a
 * lookup that expects a handful of matches. */
cpuser_err cpuser_ampeco_list_first(cpuser_client *c, const cpuser_ampeco_list *l,
                                    uint8_t per_page)
{
    char none[1] = {'\0'};
    page_io io;
    memset(&io, 0, sizeof io);
    io.per_page = per_page;
    io.page = 1u;
    io.cursor = none;
    io.next = none;
    io.next_cap = sizeof none;
    return list_page_io(c, l, &io);
}

cpuser_err cpuser_ampeco_list_one(cpuser_client *c, const cpuser_ampeco_list *l, cpuser_page *page)
{
    return l->pager != NULL ? l->pager(c, l, page) : cpuser_ampeco_list_page(c, l, page);
}
