/*
 * Fuzz harness 6: the other resources and backends over hostile bodies.
 *
 * The input is one response body. It is served, each time to a fresh client
 * over the scripted transport, as:
 *   - payment-method step 1's 200 answer, then as step 1's answer handed to
 *     step 2 (finish) from a copy outside the working buffer;
 *   - a 200 page of payment methods, id tags and user groups, and an
 *     invoice-details answer;
 *   - Conta Simples' 400 error body to a delete;
 *   - an OAuth2 token endpoint's 200 answer (the API call then gets a 204);
 *   - an Azure operation's status body, polled after a 202.
 * Checked: no sanitizer report and no hang (a bounded script: any call
 * ends when the script ends); every view of the last result and of the
 * decoded structs points into the working buffer; a step-2 request that
 * went out is one clean HTTP/1.1 request; the client secret is never left
 * in the working buffer; the token fits its buffer.
 */
#include "fuzz_common.h"

#include "cpuser/ampeco_id_tags.h"
#include "cpuser/ampeco_invoice_details.h"
#include "cpuser/ampeco_payment_methods.h"
#include "cpuser/ampeco_user_groups.h"
#include "cpuser/azure_apim.h"
#include "cpuser/contasimples.h"
#include "cpuser/oauth2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "fz-SECRET-fz"
#define UUID "00000000-0000-4000-8000-000000000002"

static fuzz_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];
static char *owned[FUZZ_NET_EVENTS]; /* responses made here, freed after each call */
static size_t owned_count;

/* A response with `status`, `extra` header lines and body[0..n); kept for
 * free_responses(). */
static void add_response(const char *status, const char *extra, const char *body, size_t n)
{
    char head[256];
    int h = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sContent-Length: %lu\r\n\r\n",
                     status, extra, (unsigned long)n);
    char *r;
    FUZZ_CHECK(h > 0 && (size_t)h < sizeof head && owned_count < FUZZ_NET_EVENTS);
    r = (char *)malloc((size_t)h + n + 1u);
    FUZZ_CHECK(r != NULL);
    memcpy(r, head, (size_t)h);
    if (n != 0u) {
        memcpy(r + h, body, n);
    }
    owned[owned_count++] = r;
    fuzz_net_add(&net, r, (size_t)h + n);
}

static void free_responses(void)
{
    while (owned_count != 0u) {
        free(owned[--owned_count]);
    }
}

/* A fresh client whose transport will serve the body with `status`. */
static void serve(const char *status, const uint8_t *data, size_t size)
{
    free_responses();
    fuzz_net_reset(&net, NULL, 0);
    add_response(status, "", (const char *)data, size);
    fuzz_client(&client, &net, &tp, &pf, work, sizeof work);
}

static void in_work(cpuser_view v)
{
    FUZZ_CHECK(fuzz_view_in(v, work, sizeof work));
}

static void last_views_in_work(void)
{
    const cpuser_result *last = cpuser_client_last(&client);
    uint8_t n;
    in_work(last->body);
    in_work(last->message);
    in_work(last->api_error);
    in_work(last->api_request_id);
    in_work(last->error_code);
    in_work(last->error_target);
    FUZZ_CHECK(last->field_error_count <= CPUSER_MAX_FIELD_ERRORS);
    for (n = 0; n < last->field_error_count; n++) {
        in_work(last->field_errors[n].field);
        in_work(last->field_errors[n].message);
    }
}

static cpuser_err seen_pm(void *a, const cpuser_payment_method *p)
{
    (void)a;
    in_work(p->id);
    in_work(p->name);
    return CPUSER_OK;
}

static cpuser_err seen_tag(void *a, const cpuser_id_tag *t)
{
    (void)a;
    in_work(t->id);
    in_work(t->uid);
    return CPUSER_OK;
}

static cpuser_err seen_group(void *a, const cpuser_user_group *g)
{
    (void)a;
    in_work(g->id);
    in_work(g->name);
    return CPUSER_OK;
}

static void check_payment_methods(const uint8_t *data, size_t size)
{
    static cpuser_payment_method_setup setup;
    static cpuser_payment_method pm;
    static char step1[8192];
    cpuser_page page;

    serve("200 OK", data, size);
    if (cpuser_payment_methods_create(&client, cpuser_view_of("7"), NULL, &setup) == CPUSER_OK) {
        in_work(setup.raw);
        in_work(setup.client_secret);
        in_work(setup.publishable_key);
        in_work(setup.redirect_url);
    }
    last_views_in_work();

    /* the body as step 1's answer, copied out, sent back by finish */
    if (size <= sizeof step1) {
        fuzz_request req[2];
        cpuser_view s1;
        if (size != 0u) {
            memcpy(step1, data, size);
        }
        s1.ptr = step1;
        s1.len = size;
        serve("201 Created", (const uint8_t *)"{\"data\":{\"id\":\"1\"}}", 19);
        (void)cpuser_payment_methods_finish(&client, cpuser_view_of("7"), s1, &pm);
        if (net.sent_len != 0u) {
            FUZZ_CHECK(fuzz_check_sent(&net, req, 2) == 1);
        }
    }

    serve("200 OK", data, size);
    cpuser_page_init(&page, 0);
    (void)cpuser_payment_methods_list(&client, cpuser_view_of("7"), &page, seen_pm, NULL);
    last_views_in_work();
}

static void check_lists_and_invoice(const uint8_t *data, size_t size)
{
    static cpuser_invoice_details d;
    cpuser_page page;
    serve("200 OK", data, size);
    cpuser_page_init(&page, 0);
    (void)cpuser_id_tags_list(&client, NULL, &page, seen_tag, NULL);
    serve("200 OK", data, size);
    cpuser_page_init(&page, 0);
    (void)cpuser_user_groups_list(&client, NULL, &page, seen_group, NULL);
    serve("200 OK", data, size);
    (void)cpuser_invoice_details_read(&client, cpuser_view_of("7"), &d);
    last_views_in_work();
}

static void check_contasimples(const uint8_t *data, size_t size)
{
    serve("400 Bad Request", data, size);
    (void)cpuser_contasimples_delete_user(&client, cpuser_view_of(UUID));
    last_views_in_work();
}

static bool contains(const uint8_t *data, size_t size, const char *s)
{
    size_t n = strlen(s);
    size_t i;
    for (i = 0; i + n <= size; i++) {
        if (memcmp(data + i, s, n) == 0) {
            return true;
        }
    }
    return false;
}

static void check_oauth2(const uint8_t *data, size_t size)
{
    static cpuser_oauth2 o;
    cpuser_oauth2_config oc;
    cpuser_client_config cfg;
    size_t k;
    memset(&oc, 0, sizeof oc);
    oc.host = "auth.example.com";
    oc.path = "/token";
    oc.client_id = "id";
    oc.client_id_len = 2;
    oc.client_secret = SECRET;
    oc.client_secret_len = sizeof SECRET - 1u;
    FUZZ_CHECK(cpuser_oauth2_init(&o, &oc) == CPUSER_OK);
    free_responses();
    fuzz_net_reset(&net, NULL, 0);
    add_response("200 OK", "", (const char *)data, size); /* the token answer */
    add_response("204 No Content", "", "", 0);            /* the API call */
    fuzz_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.auth = cpuser_oauth2_auth(&o);
    cfg.retry.max_attempts = 1;
    FUZZ_CHECK(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work) == CPUSER_OK);
    (void)cpuser_contasimples_delete_user(&client, cpuser_view_of(UUID));
    /* the secret is not left behind, unless the server put it in the body
     * itself (then the token, which the API request carries, holds it) */
    if (!contains(data, size, SECRET)) {
        for (k = 0; k + (sizeof SECRET - 1u) <= sizeof work; k++) {
            FUZZ_CHECK(memcmp(work + k, SECRET, sizeof SECRET - 1u) != 0);
        }
    }
    FUZZ_CHECK(o.token_len < sizeof o.token);
    last_views_in_work();
}

static void check_azure(const uint8_t *data, size_t size)
{
    static const char accepted[] =
        "HTTP/1.1 202 Accepted\r\nRetry-After: 0\r\n"
        "Azure-AsyncOperation: https://api.example.com/op/1?x=1\r\nContent-Length: 0\r\n\r\n";
    cpuser_azure_user_delete d;
    cpuser_azure_operation op;
    memset(&d, 0, sizeof d);
    d.user.subscription_id = cpuser_view_of("00000000-0000-0000-0000-000000000000");
    d.user.resource_group = cpuser_view_of("rg");
    d.user.service_name = cpuser_view_of("svc");
    d.user.user_id = cpuser_view_of("u1");
    d.if_match = cpuser_view_of("*");
    free_responses();
    fuzz_net_reset(&net, NULL, 0);
    fuzz_net_add(&net, accepted, sizeof accepted - 1u);
    add_response("200 OK", "", (const char *)data, size); /* the operation's status */
    fuzz_client(&client, &net, &tp, &pf, work, sizeof work);
    (void)cpuser_azure_apim_user_delete(&client, &d, &op);
    last_views_in_work();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_payment_methods(data, size);
    check_lists_and_invoice(data, size);
    check_contasimples(data, size);
    check_oauth2(data, size);
    check_azure(data, size);
    free_responses();
    return 0;
}
