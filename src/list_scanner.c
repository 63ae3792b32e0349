/* List scanner: the "data" array of a list envelope, element by element. */
#include "cpuser/list_scanner.h"
#include "chars.h"

#include <string.h>

enum {
    ST_OPEN,        /* before '{' */
    ST_KEY_FIRST,   /* after '{': a key or '}' */
    ST_KEY_NEXT,    /* after ',': a key */
    ST_KEY,         /* inside a key */
    ST_COLON,
    ST_VALUE,       /* before a member's value */
    ST_MEMBER,      /* inside a member's value */
    ST_AFTER_MEMBER,
    ST_ELEM_FIRST,  /* after '[' of data: an element or ']' */
    ST_ELEM_NEXT,   /* after ',' in data */
    ST_ELEM,        /* inside an element */
    ST_AFTER_ELEM,
    ST_END
};

enum { KEY_OTHER, KEY_DATA, KEY_LINKS, KEY_META };

/* A value in progress is complete: with this byte, before it, or not yet. */
enum { MORE, DONE_WITH, DONE_BEFORE };

void cpuser_list_scanner_init(cpuser_list_scanner *s,
                              cpuser_err (*element)(void *, char *, size_t),
                              cpuser_err (*member)(void *, const char *, char *, size_t),
                              void *arg)
{
    memset(s, 0, sizeof *s);
    s->element = element;
    s->member = member;
    s->arg = arg;
    s->state = ST_OPEN;
}

/* Start scanning a value whose first byte is c. */
static void value_begin(cpuser_list_scanner *s, char c)
{
    s->in_string = c == '"';
    s->escaped = false;
    s->primitive = c != '"' && c != '{' && c != '[';
    s->depth = (c == '{' || c == '[') ? 1u : 0u;
}

/* Feed byte c (not the first) of a value in progress. */
static int value_step(cpuser_list_scanner *s, char c)
{
    if (s->primitive) {
        return (c == ',' || c == ']' || c == '}' || cpuser_is_json_space(c)) ? DONE_BEFORE : MORE;
    }
    if (s->in_string) {
        if (s->escaped) {
            s->escaped = false;
        } else if (c == '\\') {
            s->escaped = true;
        } else if (c == '"') {
            s->in_string = false;
            if (s->depth == 0u) {
                return DONE_WITH; /* a top-level string value */
            }
        }
        return MORE;
    }
    if (c == '"') {
        s->in_string = true;
    } else if (c == '{' || c == '[') {
        s->depth++;
    } else if (c == '}' || c == ']') {
        if (--s->depth == 0u) {
            return DONE_WITH;
        }
    }
    return MORE;
}

static uint8_t classify(const cpuser_list_scanner *s)
{
    cpuser_view k;
    k.ptr = s->key_text;
    k.len = s->key_len;
    if (cpuser_view_eq(k, "data")) {
        return KEY_DATA;
    }
    if (cpuser_view_eq(k, "links")) {
        return KEY_LINKS;
    }
    if (cpuser_view_eq(k, "meta")) {
        return KEY_META;
    }
    return KEY_OTHER;
}

/* A complete item data[item_start..end). */
static cpuser_err deliver(cpuser_list_scanner *s, char *data, size_t end)
{
    if (!s->held) {
        return CPUSER_OK; /* a member nobody asked for, already streamed by */
    }
    s->held = false;
    if (s->state == ST_ELEM) {
        s->elements++;
        return s->element(s->arg, data + s->item_start, end - s->item_start);
    }
    if (s->member == NULL) {
        return CPUSER_OK;
    }
    return s->member(s->arg, s->key == KEY_LINKS ? "links" : "meta", data + s->item_start,
                     end - s->item_start);
}

/* One byte at s->pos. Returns CPUSER_ERR_JSON for a broken envelope. */
static cpuser_err step(cpuser_list_scanner *s, char *data)
{
    char c = data[s->pos];
    cpuser_err err;
    int r;

    switch (s->state) {
    case ST_OPEN:
        if (c == '{') {
            s->state = ST_KEY_FIRST;
        } else if (!cpuser_is_json_space(c)) {
            return CPUSER_ERR_JSON;
        }
        break;
    case ST_KEY_FIRST:
    case ST_KEY_NEXT:
        if (c == '"') {
            s->state = ST_KEY;
            s->key_len = 0;
            s->escaped = false;
        } else if (c == '}' && s->state == ST_KEY_FIRST) {
            s->state = ST_END;
        } else if (!cpuser_is_json_space(c)) {
            return CPUSER_ERR_JSON;
        }
        break;
    case ST_KEY:
        /* keep at most sizeof key_text bytes: longer keys are "other" */
        if (s->escaped) {
            s->escaped = false;
            s->key_len = sizeof s->key_text + 1u;
        } else if (c == '\\') {
            s->escaped = true;
        } else if (c == '"') {
            s->key = s->key_len <= sizeof s->key_text ? classify(s) : (uint8_t)KEY_OTHER;
            s->state = ST_COLON;
        } else if (s->key_len < sizeof s->key_text) {
            s->key_text[s->key_len++] = c;
        } else {
            s->key_len = sizeof s->key_text + 1u;
        }
        break;
    case ST_COLON:
        if (c == ':') {
            s->state = ST_VALUE;
        } else if (!cpuser_is_json_space(c)) {
            return CPUSER_ERR_JSON;
        }
        break;
    case ST_VALUE:
        if (cpuser_is_json_space(c)) {
            break;
        }
        if (s->key == KEY_DATA) {
            if (c != '[') {
                return CPUSER_ERR_JSON;
            }
            s->state = ST_ELEM_FIRST;
            break;
        }
        if (c == ',' || c == '}' || c == ']' || c == ':') {
            return CPUSER_ERR_JSON;
        }
        value_begin(s, c);
        s->item_start = s->pos;
        s->held = s->key == KEY_LINKS || s->key == KEY_META;
        s->state = ST_MEMBER;
        break;
    case ST_ELEM_FIRST:
    case ST_ELEM_NEXT:
        if (cpuser_is_json_space(c)) {
            break;
        }
        if (c == ']' && s->state == ST_ELEM_FIRST) {
            s->state = ST_AFTER_MEMBER;
            break;
        }
        if (c == ',' || c == '}' || c == ']' || c == ':') {
            return CPUSER_ERR_JSON;
        }
        value_begin(s, c);
        s->item_start = s->pos;
        s->held = true;
        s->state = ST_ELEM;
        break;
    case ST_MEMBER:
    case ST_ELEM:
        r = value_step(s, c);
        if (r == MORE) {
            break;
        }
        err = deliver(s, data, r == DONE_WITH ? s->pos + 1u : s->pos);
        if (err != CPUSER_OK) {
            return err;
        }
        s->state = s->state == ST_ELEM ? ST_AFTER_ELEM : ST_AFTER_MEMBER;
        if (r == DONE_BEFORE) {
            return step(s, data); /* c belongs to what follows */
        }
        break;
    case ST_AFTER_ELEM:
        if (c == ',') {
            s->state = ST_ELEM_NEXT;
        } else if (c == ']') {
            s->state = ST_AFTER_MEMBER;
        } else if (!cpuser_is_json_space(c)) {
            return CPUSER_ERR_JSON;
        }
        break;
    case ST_AFTER_MEMBER:
        if (c == ',') {
            s->state = ST_KEY_NEXT;
        } else if (c == '}') {
            s->state = ST_END;
        } else if (!cpuser_is_json_space(c)) {
            return CPUSER_ERR_JSON;
        }
        break;
    default: /* ST_END: only white space may follow */
        if (!cpuser_is_json_space(c)) {
            return CPUSER_ERR_JSON;
        }
        break;
    }
    return CPUSER_OK;
}

cpuser_err cpuser_list_scanner_write(void *scanner, char *data, size_t len,
                                     bool final, size_t *consumed)
{
    cpuser_list_scanner *s = (cpuser_list_scanner *)scanner;
    size_t keep;
    while (s->pos < len) {
        cpuser_err err;
        if ((s->state == ST_ELEM || s->state == ST_MEMBER) && s->in_string && !s->escaped) {
            /* inside a string only '"' and '\\' matter: pass the rest in
             * one tight loop instead of one state-machine step a byte */
            while (s->pos < len && data[s->pos] != '"' && data[s->pos] != '\\') {
                s->pos++;
            }
            if (s->pos == len) {
                break;
            }
        }
        err = step(s, data);
        if (err != CPUSER_OK) {
            return err;
        }
        s->pos++;
    }
    if (final && s->state != ST_END) {
        /* a primitive value at the very end has no delimiter after it */
        return CPUSER_ERR_JSON;
    }
    /* keep only the item being held; everything before it is done */
    keep = s->held ? s->item_start : s->pos;
    *consumed = keep;
    s->pos -= keep;
    s->item_start -= s->held ? keep : 0u;
    return CPUSER_OK;
}
