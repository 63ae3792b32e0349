/* AMPECO resources: JSON bodies, the data envelope, and paginated lists. */
#include "ampeco_resource.h"
#include "chars.h"

#include <string.h>

#include "cpuser/list_scanner.h"

void cpuser_page_init(cpuser_page *p, uint8_t per_page)
{
    memset(p, 0, sizeof *p);
    p->per_page = per_page;
}

cpuser_err cpuser_json_body_write(void *body, char *buf, size_t cap, size_t *len)
{
    const cpuser_json_body *b = (const cpuser_json_body *)body;
    cpuser_json_writer w;
    cpuser_json_writer_init(&w, buf, cap);
    b->fill(&w, b->arg);
    return cpuser_json_writer_finish(&w, len);
}

cpuser_err cpuser_ampeco_decode_data(cpuser_client *c, const cpuser_field_table *t, void *out)
{
    const cpuser_result *last = cpuser_client_last(c);
    int data;
    /* the body is in the client's buffer: its bytes are ours to unescape */
    char *body = c->buf + c->resp.body_start;
    if (cpuser_json_parse(&c->json, body, last->body.len) != CPUSER_OK) {
        return CPUSER_ERR_JSON;
    }
    data = cpuser_json_find(&c->json, 0, "data");
    if (cpuser_json_type(&c->json, data) != JSMN_OBJECT) {
        return CPUSER_ERR_JSON;
    }
    return cpuser_fields_decode(&c->json, data, t, out);
}

/* ---- lists ------------------------------------------------------------------ */

typedef struct {
    cpuser_client *c;
    const cpuser_ampeco_list *l;
    cpuser_page *page;
    bool links_next;        /* links.next was a URL */
    bool meta_cursor;       /* meta gave the next cursor (or said none) */
    cpuser_err cursor_err;  /* a cursor that does not fit */
} list_call;

static void list_query(void *arg, cpuser_http_request *r)
{
    const list_call *lc = (const list_call *)arg;
    const cpuser_page *p = lc->page;
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
    cpuser_err err = cpuser_json_parse(&lc->c->json, json, len);
    if (err != CPUSER_OK) {
        return err;
    }
    lc->page->count++;
    return lc->l->element(lc->l->element_arg, &lc->c->json);
}

/* Copy s into the page's next cursor, percent-decoding when asked. */
static cpuser_err set_next(cpuser_page *p, const char *s, size_t n, bool decode)
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
        if (o + 1u >= sizeof p->next) {
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

cpuser_err cpuser_ampeco_list_page(cpuser_client *c, const cpuser_ampeco_list *l,
                                   cpuser_page *page)
{
    list_call lc;
    cpuser_list_scanner scanner;
    cpuser_request req;
    cpuser_sink sink;
    cpuser_err err;

    if (page->per_page > 100u) {
        return CPUSER_ERR_BAD_ARGUMENT;
    }
    memset(&lc, 0, sizeof lc);
    lc.c = c;
    lc.l = l;
    lc.page = page;
    page->count = 0;
    page->more = false;
    page->next[0] = '\0';
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
    if (err != CPUSER_OK) {
        return err;
    }
    if (lc.cursor_err != CPUSER_OK) {
        return lc.cursor_err;
    }
    if (page->page != 0u) {
        page->more = lc.links_next || (page->last_page != 0u && page->page < page->last_page);
        return CPUSER_OK;
    }
    page->more = page->next[0] != '\0';
    if (page->more && strcmp(page->next, page->cursor) == 0) {
        return CPUSER_ERR_PROTOCOL; /* the same page again: it would never end */
    }
    memcpy(page->cursor, page->next, sizeof page->cursor);
    return CPUSER_OK;
}

cpuser_err cpuser_ampeco_list_all(cpuser_client *c, const cpuser_ampeco_list *l,
                                  uint8_t per_page, uint32_t *total)
{
    cpuser_page page;
    cpuser_err err;
    uint32_t n = 0;
    cpuser_page_init(&page, per_page);
    do {
        err = cpuser_ampeco_list_page(c, l, &page);
        n += page.count;
    } while (err == CPUSER_OK && page.more);
    if (total != NULL) {
        *total = n;
    }
    return err;
}
