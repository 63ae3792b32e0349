/* Users decoding and request bodies, over the scripted transport: recorded
 * response bodies in, exact request bytes out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cpuser/ampeco_users.h"
#include "fake_net.h"

static fake_net net;
static cpuser_transport tp;
static cpuser_platform pf;
static cpuser_client client;
static char work[4096];
static cpuser_user user;
static char response[4096];
static fake_event script[2];

static void setup_with(const char *body, const char *status)
{
    cpuser_client_config cfg;
    memset(&net, 0, sizeof net);
    fake_net_tables(&net, &tp, &pf);
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "api.example.com";
    cfg.https = true;
    cfg.token = "T";
    cfg.token_len = 1;
    assert_int_equal(cpuser_client_init(&client, &cfg, &tp, &pf, work, sizeof work), CPUSER_OK);
    snprintf(response, sizeof response,
             "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", status,
             strlen(body), body);
    script[0].data = response;
    script[0].err = CPUSER_OK;
    net.events = script;
    net.nevents = 1;
}

/* The body of the request that was sent (after the blank line). */
static const char *sent_body(void)
{
    const char *p;
    net.sent[net.sent_len < sizeof net.sent ? net.sent_len : sizeof net.sent - 1u] = '\0';
    p = strstr(net.sent, "\r\n\r\n");
    assert_non_null(p);
    return p + 4;
}

/* A recorded user, every field the spec names, plus unknown ones. */
static const char full_user[] =
    "{\"data\":{\"id\":17,\"email\":\"a.b@example.com\",\"emailVerified\":\"2022-11-12 12:00:00\","
    "\"requirePasswordReset\":true,\"firstName\":\"J\\u00f6rg\",\"middleName\":null,"
    "\"lastName\":\"\\ud83d\\ude00 Smile\",\"phone\":\"+359\",\"country\":\"AU\",\"state\":\"NSW\","
    "\"city\":\"Sydney\",\"postCode\":\"2000\",\"address\":\"1 \\\"Main\\\" St\",\"vehicleNo\":\"CA1234\","
    "\"personalId\":\"P9\",\"locale\":\"en-AU\",\"balance\":-12.345,\"status\":\"disabled\","
    "\"userGroupIds\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18],\"externalId\":\"ext\","
    "\"subscriptionId\":99,\"options\":{\"sessionsAllowed\":\"simultaneous_use_of_idtags\",\"future\":1},"
    "\"password\":null,\"lastUpdatedAt\":\"2024-01-01T00:00:00Z\",\"createdAt\":\"2023-01-01T00:00:00Z\","
    "\"createdBy\":\"public_api\",\"receiveNewsAndPromotions\":false,"
    "\"partnerInvites\":[{\"id\":1,\"partnerId\":2,\"status\":\"accepted\"}],"
    "\"bankDetails\":{\"bankIban\":\"BG80BNBG96611020345678\",\"bankName\":null},"
    "\"externalAppData\":{\"k\":[1,{\"x\":\"y\"}]},\"amountDue\":1.5,"
    "\"somethingNew\":{\"nested\":[true,false]},\"alsoNew\":\"x\"}}";

static void decodes_every_field(void **state)
{
    (void)state;
    setup_with(full_user, "200 OK");
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of("17"), NULL, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.id, "17")); /* a number in the JSON */
    assert_true(cpuser_view_eq(user.email, "a.b@example.com"));
    assert_true(cpuser_view_eq(user.email_verified, "2022-11-12 12:00:00"));
    assert_true(user.require_password_reset);
    assert_true(cpuser_view_eq(user.first_name, "J\xc3\xb6rg"));
    assert_true(CPUSER_HAS(user.present, CPUSER_USER_MIDDLE_NAME));
    assert_true(CPUSER_HAS(user.null, CPUSER_USER_MIDDLE_NAME));
    assert_true(cpuser_view_eq(user.last_name, "\xf0\x9f\x98\x80 Smile"));
    assert_true(cpuser_view_eq(user.address, "1 \"Main\" St"));
    assert_true(cpuser_view_eq(user.state, "NSW"));
    assert_int_equal(user.balance, -12345);
    assert_int_equal(user.status, CPUSER_USER_DISABLED);
    assert_int_equal(user.user_group_ids.count, CPUSER_MAX_LIST_INTS);
    assert_true(user.user_group_ids.truncated);
    assert_int_equal(user.user_group_ids.v[15], 16);
    assert_int_equal(user.subscription_id, 99);
    assert_int_equal(user.sessions_allowed, CPUSER_SESSIONS_SIMULTANEOUS_IDTAGS);
    assert_true(CPUSER_HAS(user.null, CPUSER_USER_PASSWORD));
    assert_true(cpuser_view_eq(user.created_by, "public_api"));
    assert_false(user.receive_news);
    assert_true(CPUSER_HAS(user.present, CPUSER_USER_RECEIVE_NEWS));
    assert_true(cpuser_view_eq(user.partner_invites, "[{\"id\":1,\"partnerId\":2,\"status\":\"accepted\"}]"));
    assert_true(cpuser_view_eq(user.bank.iban, "BG80BNBG96611020345678"));
    assert_true(CPUSER_HAS(user.null, CPUSER_USER_BANK_NAME));
    assert_false(CPUSER_HAS(user.present, CPUSER_USER_BANK_CODE));
    assert_true(cpuser_view_eq(user.external_app_data, "{\"k\":[1,{\"x\":\"y\"}]}"));
    assert_int_equal(user.amount_due, 1500);
}

static void id_as_string_and_unknown_enum_values(void **state)
{
    (void)state;
    setup_with("{\"data\":{\"id\":\"abc-1\",\"status\":\"archived\",\"options\":{\"sessionsAllowed\":\"new_mode\"}}}",
               "200 OK");
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of("abc-1"), NULL, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.id, "abc-1"));
    assert_true(CPUSER_HAS(user.present, CPUSER_USER_STATUS));
    assert_int_equal(user.status, CPUSER_USER_STATUS_UNKNOWN);
    assert_int_equal(user.sessions_allowed, CPUSER_SESSIONS_UNKNOWN);
}

static void wrong_shapes_are_json_errors(void **state)
{
    static const char *const bodies[] = {
        "{\"data\":[]}", "{\"user\":{}}", "[]", "{\"data\":{\"balance\":\"12\"}}",
        "{\"data\":{\"balance\":1.2345}}", "{\"data\":{\"id\":1.5}}", "{\"data\":{\"userGroupIds\":[\"a\"]}}",
        "{\"data\":{\"requirePasswordReset\":1}}", "{\"data\":{\"email\":5}}",
        "{\"data\":{\"options\":[]}}", "{\"data\":{\"status\":true}}", "{\"data\":{\"id\":1}",
        "{\"data\":{\"firstName\":\"\\ud800\"}}",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        cpuser_err err;
        setup_with(bodies[i], "200 OK");
        err = cpuser_users_read(&client, cpuser_view_of("1"), NULL, &user);
        if (err != CPUSER_ERR_JSON) {
            fail_msg("%s: %s", bodies[i], cpuser_strerror(err));
        }
    }
}

static void create_sends_exactly_the_set_fields(void **state)
{
    cpuser_user_fields f;
    (void)state;
    setup_with("{\"data\":{\"id\":\"5\"}}", "201 Created");
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_EMAIL, "n@example.com");
    cpuser_user_fields_set(&f, CPUSER_USER_PASSWORD, "pässwörd");
    cpuser_user_fields_set(&f, CPUSER_USER_FIRST_NAME, "Ana \"Q\"");
    cpuser_user_fields_set(&f, CPUSER_USER_POST_CODE, "1000");
    cpuser_user_fields_set(&f, CPUSER_USER_VEHICLE_NO, "CB 1");
    cpuser_user_fields_set(&f, CPUSER_USER_PERSONAL_ID, "9001");
    cpuser_user_fields_set(&f, CPUSER_USER_BANK_IBAN, "BG1");
    cpuser_user_fields_set(&f, CPUSER_USER_EXTERNAL_APP_DATA, "{\"a\": [1, 2]}");
    f.user_group_ids.count = 2;
    f.user_group_ids.v[0] = 7;
    f.user_group_ids.v[1] = -1;
    f.sessions_allowed = CPUSER_SESSIONS_SINGLE;
    f.receive_news = true;
    f.set |= CPUSER_BIT(CPUSER_USER_GROUP_IDS) | CPUSER_BIT(CPUSER_USER_OPTIONS) |
             CPUSER_BIT(CPUSER_USER_SESSIONS_ALLOWED) | CPUSER_BIT(CPUSER_USER_RECEIVE_NEWS) |
             CPUSER_BIT(CPUSER_USER_STATE);
    f.null |= CPUSER_BIT(CPUSER_USER_STATE);
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.id, "5"));
    assert_non_null(strstr(net.sent, "POST /public-api/resources/users/v1.0 HTTP/1.1\r\n"));
    assert_string_equal(sent_body(),
                        "{\"email\":\"n@example.com\",\"password\":\"p\xc3\xa4ssw\xc3\xb6rd\","
                        "\"first_name\":\"Ana \\\"Q\\\"\",\"state\":null,\"post_code\":\"1000\","
                        "\"vehicle_no\":\"CB 1\",\"userGroupIds\":[7,-1],"
                        "\"options\":{\"sessionsAllowed\":\"single_session\"},"
                        "\"receiveNewsAndPromotions\":true,\"bankDetails\":{\"bankIban\":\"BG1\"},"
                        "\"externalAppData\":{\"a\": [1, 2]},\"personal_id\":\"9001\"}");
}

static void update_sends_only_what_changed(void **state)
{
    cpuser_user_fields f;
    (void)state;
    setup_with("{\"data\":{\"id\":\"5\"}}", "200 OK");
    memset(&f, 0, sizeof f);
    cpuser_user_fields_set(&f, CPUSER_USER_CITY, "Plovdiv");
    f.set |= CPUSER_BIT(CPUSER_USER_EXTERNAL_ID);
    f.null |= CPUSER_BIT(CPUSER_USER_EXTERNAL_ID);
    assert_int_equal(cpuser_users_update(&client, cpuser_view_of("5"), &f, NULL), CPUSER_OK);
    assert_non_null(strstr(net.sent, "PATCH /public-api/resources/users/v1.0/5 HTTP/1.1\r\n"));
    assert_string_equal(sent_body(), "{\"city\":\"Plovdiv\",\"externalId\":null}");
}

static void action_bodies(void **state)
{
    (void)state;
    setup_with("{}", "202 Accepted");
    assert_int_equal(cpuser_users_add_balance(&client, cpuser_view_of("9"), 12345, cpuser_view_of("top-up"),
                                              cpuser_view_of("")), CPUSER_OK);
    assert_non_null(strstr(net.sent, "POST /public-api/actions/users/v1.0/9/add-balance HTTP/1.1\r\n"));
    assert_string_equal(sent_body(), "{\"amount\":12.345,\"reason\":\"top-up\"}");

    setup_with("{}", "202 Accepted");
    assert_int_equal(cpuser_users_apply_custom_fee(&client, cpuser_view_of("9"), -5, cpuser_view_of("fix"),
                                                   cpuser_view_of("pm_1")), CPUSER_OK);
    assert_string_equal(sent_body(), "{\"amount\":-0.005,\"description\":\"fix\",\"paymentMethodId\":\"pm_1\"}");

    setup_with("{}", "202 Accepted");
    assert_int_equal(cpuser_users_change_status(&client, cpuser_view_of("9"), CPUSER_USER_ENABLED,
                                                cpuser_view_of("back")), CPUSER_OK);
    assert_string_equal(sent_body(), "{\"status\":\"enabled\",\"reason\":\"back\"}");

    setup_with("{}", "202 Accepted");
    assert_int_equal(cpuser_users_activate_subscription(&client, cpuser_view_of("9"), 3,
                                                        cpuser_view_of("2031-12-31"), 0,
                                                        cpuser_view_of("")), CPUSER_OK);
    assert_string_equal(sent_body(), "{\"planId\":3,\"endDate\":\"2031-12-31\",\"autoRenewal\":false}");

    setup_with("{}", "202 Accepted");
    assert_int_equal(cpuser_users_clear_subscription_amount_due(&client, cpuser_view_of("9")), CPUSER_OK);
    assert_non_null(strstr(net.sent, "clear-subscription-amount-due HTTP/1.1\r\n"));
    assert_non_null(strstr(net.sent, "Content-Length: 2\r\n"));
    assert_string_equal(sent_body(), "{}");

    setup_with("{}", "202 Accepted");
    assert_int_equal(cpuser_users_redeem_voucher(&client, cpuser_view_of("9"), cpuser_view_of("V 1")), CPUSER_OK);
    assert_non_null(strstr(net.sent, "POST /public-api/actions/users/v2.0/9/redeem-voucher HTTP/1.1\r\n"));
    assert_string_equal(sent_body(), "{\"code\":\"V 1\"}");
}

static cpuser_err ignore(void *arg, const cpuser_user *u)
{
    (void)arg;
    (void)u;
    return CPUSER_OK;
}

static void list_query_and_cursor_sources(void **state)
{
    cpuser_user_filter f;
    cpuser_page page;
    (void)state;
    /* meta.next_cursor wins */
    setup_with("{\"data\":[{\"id\":1},{\"id\":2}],\"links\":{\"next\":\"https://h/x?per_page=2&cursor=FROMLINK\"},"
               "\"meta\":{\"next_cursor\":\"eyJ=\"}}", "200 OK");
    memset(&f, 0, sizeof f);
    f.email = cpuser_view_of("a+b@x.io");
    f.user_group_id = cpuser_view_of("3");
    f.last_updated_after = cpuser_view_of("2024-01-01T00:00:00Z");
    f.app_data_key = cpuser_view_of("crm.tier");
    f.app_data_value = cpuser_view_of("gold");
    f.partner_invites = true;
    cpuser_page_init(&page, 2);
    assert_int_equal(cpuser_users_list(&client, &f, &page, ignore, NULL), CPUSER_OK);
    assert_non_null(strstr(net.sent,
                           "GET /public-api/resources/users/v1.0?per_page=2&cursor=&filter[userGroupId]=3"
                           "&filter[email]=a%2Bb%40x.io&filter[lastUpdatedAfter]=2024-01-01T00%3A00%3A00Z"
                           "&filter[externalAppData.crm.tier]=gold&include[]=partnerInvites HTTP/1.1\r\n"));
    assert_int_equal(page.count, 2);
    assert_true(page.more);
    assert_string_equal(page.cursor, "eyJ=");

    /* no meta cursor: the cursor parameter of links.next, percent-decoded */
    setup_with("{\"data\":[],\"links\":{\"next\":\"https://h/x?per_page=2&cursor=ab%3D%3D&z=1\"},\"meta\":{}}",
               "200 OK");
    assert_int_equal(cpuser_users_list(&client, NULL, &page, ignore, NULL), CPUSER_OK);
    assert_non_null(strstr(net.sent, "?per_page=2&cursor=eyJ%3D HTTP/1.1"));
    assert_string_equal(page.cursor, "ab==");

    /* the last page: next_cursor null, links.next null */
    setup_with("{\"data\":[{\"id\":3}],\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}", "200 OK");
    assert_int_equal(cpuser_users_list(&client, NULL, &page, ignore, NULL), CPUSER_OK);
    assert_false(page.more);
    assert_string_equal(page.cursor, "");

    /* a server that hands back the same cursor would loop forever */
    setup_with("{\"data\":[],\"meta\":{\"next_cursor\":\"same\"}}", "200 OK");
    snprintf(page.cursor, sizeof page.cursor, "same");
    assert_int_equal(cpuser_users_list(&client, NULL, &page, ignore, NULL), CPUSER_ERR_PROTOCOL);

    /* per_page out of range, and a filter key that would break the name */
    page.per_page = 101;
    assert_int_equal(cpuser_users_list(&client, NULL, &page, ignore, NULL), CPUSER_ERR_BAD_ARGUMENT);
    page.per_page = 10;
    memset(&f, 0, sizeof f);
    f.app_data_key = cpuser_view_of("a]&b");
    assert_int_equal(cpuser_users_list(&client, &f, &page, ignore, NULL), CPUSER_ERR_BAD_ARGUMENT);
}

static int count_sent(const char *what);
static uint32_t walked;

static cpuser_err count_user(void *arg, const cpuser_user *u)
{
    (void)arg;
    (void)u;
    walked++;
    return CPUSER_OK;
}

static char walk_resp[3][512];

static void walk_script(const char *const *bodies, size_t n)
{
    static fake_event ev[3];
    size_t i;
    setup_with("{}", "200 OK");
    for (i = 0; i < n; i++) {
        snprintf(walk_resp[i], sizeof walk_resp[i], "HTTP/1.1 200 OK\r\nContent-Length: %lu\r\n\r\n%s",
                 (unsigned long)strlen(bodies[i]), bodies[i]);
        ev[i].data = walk_resp[i];
        ev[i].err = CPUSER_OK;
    }
    net.events = ev;
    net.nevents = n;
}

/* list_all holds one cursor buffer that the next cursor overwrites: every
 * page is asked with the cursor the previous one gave, a cursor handed back
 * again is still caught, and one longer than CPUSER_CURSOR_MAX is refused. */
static void list_all_walks_cursors_in_one_buffer(void **state)
{
    static const char *const three[] = {
        "{\"data\":[{\"id\":1},{\"id\":2}],\"meta\":{\"next_cursor\":\"c2\"}}",
        "{\"data\":[{\"id\":3}],\"links\":{\"next\":\"https://h/x?cursor=c%33\"},\"meta\":{}}",
        "{\"data\":[{\"id\":4}],\"meta\":{\"next_cursor\":null}}",
    };
    static const char *const loop[] = {
        "{\"data\":[{\"id\":1}],\"meta\":{\"next_cursor\":\"again\"}}",
        "{\"data\":[{\"id\":2}],\"meta\":{\"next_cursor\":\"again\"}}",
    };
    static const char *const empty[] = {
        "{\"data\":[],\"meta\":{\"next_cursor\":\"n1\"}}",
        "{\"data\":[],\"meta\":{\"next_cursor\":\"n2\"}}",
        "{\"data\":[],\"meta\":{\"next_cursor\":\"n3\"}}",
    };
    static char long_body[CPUSER_CURSOR_MAX + 64];
    const char *one[1];
    uint32_t total = 0;
    size_t k;
    (void)state;
    walk_script(three, 3);
    walked = 0;
    assert_int_equal(cpuser_users_list_all(&client, NULL, 2, count_user, NULL, &total), CPUSER_OK);
    assert_int_equal(walked, 4);
    assert_int_equal(total, 4);
    assert_int_equal(count_sent("GET /public-api/resources/users/v1.0?per_page=2&cursor= "), 1);
    assert_int_equal(count_sent("GET /public-api/resources/users/v1.0?per_page=2&cursor=c2 "), 1);
    assert_int_equal(count_sent("GET /public-api/resources/users/v1.0?per_page=2&cursor=c3 "), 1);

    walk_script(loop, 2);
    assert_int_equal(cpuser_users_list_all(&client, NULL, 1, count_user, NULL, &total),
                     CPUSER_ERR_PROTOCOL);
    assert_int_equal(total, 2);

    /* new cursors with empty pages: no progress, so no endless walk */
    walk_script(empty, 3);
    assert_int_equal(cpuser_users_list_all(&client, NULL, 1, count_user, NULL, &total),
                     CPUSER_ERR_PROTOCOL);
    assert_int_equal(total, 0);
    assert_int_equal(net.next, 1);

    k = (size_t)snprintf(long_body, sizeof long_body, "{\"data\":[],\"meta\":{\"next_cursor\":\"");
    memset(long_body + k, 'x', CPUSER_CURSOR_MAX);
    snprintf(long_body + k + CPUSER_CURSOR_MAX, sizeof long_body - k - CPUSER_CURSOR_MAX, "\"}}");
    one[0] = long_body;
    walk_script(one, 1);
    assert_int_equal(cpuser_users_list_all(&client, NULL, 1, count_user, NULL, NULL),
                     CPUSER_ERR_BUFFER_TOO_SMALL);
}

static void json_out_round_trip(void **state)
{
    char out[2048];
    cpuser_json_writer w;
    size_t len = 0;
    (void)state;
    setup_with(full_user, "200 OK");
    assert_int_equal(cpuser_users_read(&client, cpuser_view_of("17"), NULL, &user), CPUSER_OK);
    cpuser_json_writer_init(&w, out, sizeof out);
    cpuser_user_write_json(&w, &user);
    assert_int_equal(cpuser_json_writer_finish(&w, &len), CPUSER_OK);
    out[len] = '\0';
    assert_non_null(strstr(out, "\"id\":\"17\""));
    assert_non_null(strstr(out, "\"balance\":-12.345"));
    assert_non_null(strstr(out, "\"middleName\":null"));
    assert_non_null(strstr(out, "\"status\":\"disabled\""));
    assert_non_null(strstr(out, "\"lastName\":\"\xf0\x9f\x98\x80 Smile\""));
    assert_non_null(strstr(out, "\"externalAppData\":{\"k\":[1,{\"x\":\"y\"}]}"));
    assert_non_null(strstr(out, "\"options\":{\"sessionsAllowed\":\"simultaneous_use_of_idtags\"}"));
    assert_true(cpuser_json_valid(out, len));
}

/* ---- exactly-once create ---- */

static char list_resp[1024];
static char read_resp[1024];

static void create_fields(cpuser_user_fields *f, bool with_external_id)
{
    memset(f, 0, sizeof *f);
    cpuser_user_fields_set(f, CPUSER_USER_EMAIL, "Once@Example.com");
    cpuser_user_fields_set(f, CPUSER_USER_PASSWORD, "123456");
    if (with_external_id) {
        cpuser_user_fields_set(f, CPUSER_USER_EXTERNAL_ID, "kiosk-7-0001");
    }
}

static int count_sent(const char *what)
{
    int n = 0;
    const char *p = net.sent;
    net.sent[net.sent_len < sizeof net.sent ? net.sent_len : sizeof net.sent - 1u] = '\0';
    while ((p = strstr(p, what)) != NULL) {
        n++;
        p++;
    }
    return n;
}

static void ambiguous_create_with_external_id_is_resolved_by_listing(void **state)
{
    static const char list_body[] =
        "{\"data\":[{\"id\":\"88\",\"email\":\"once@example.com\",\"externalId\":\"kiosk-7-0001\"}],"
        "\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}";
    static const char read_body[] = "{\"data\":{\"id\":\"88\",\"email\":\"once@example.com\"}}";
    static fake_event ev[3];
    cpuser_user_fields f;
    (void)state;
    setup_with("{}", "200 OK");
    snprintf(list_resp, sizeof list_resp, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(list_body), list_body);
    snprintf(read_resp, sizeof read_resp, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(read_body), read_body);
    ev[0].data = NULL;
    ev[0].err = CPUSER_ERR_CLOSED; /* the create went out, the answer never came */
    ev[1].data = list_resp;
    ev[2].data = read_resp;
    net.events = ev;
    net.nevents = 3;
    create_fields(&f, true);
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.id, "88"));
    assert_int_equal(count_sent("POST /public-api/resources/users/v1.0 "), 1); /* exactly once */
    assert_int_equal(count_sent("GET /public-api/resources/users/v1.0?per_page=10&page=1&filter[externalId]=kiosk-7-0001 "), 1);
    assert_int_equal(count_sent("GET /public-api/resources/users/v1.0/88 "), 1);
}

static void ambiguous_create_not_found_is_sent_again(void **state)
{
    static const char empty_list[] = "{\"data\":[],\"links\":{\"next\":null},\"meta\":{\"next_cursor\":null}}";
    static const char created[] = "{\"data\":{\"id\":\"89\",\"email\":\"once@example.com\"}}";
    static fake_event ev[3];
    cpuser_user_fields f;
    (void)state;
    setup_with("{}", "200 OK");
    snprintf(list_resp, sizeof list_resp, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(empty_list), empty_list);
    snprintf(read_resp, sizeof read_resp, "HTTP/1.1 201 Created\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(created), created);
    ev[0].data = NULL;
    ev[0].err = CPUSER_ERR_TIMEOUT;
    ev[1].data = list_resp;
    ev[2].data = read_resp;
    net.events = ev;
    net.nevents = 3;
    create_fields(&f, true);
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_OK);
    assert_true(cpuser_view_eq(user.id, "89"));
    assert_int_equal(count_sent("POST /public-api/resources/users/v1.0 "), 2);
}

static void ambiguous_create_without_external_id_is_outcome_unknown(void **state)
{
    static fake_event ev[2];
    cpuser_user_fields f;
    (void)state;
    setup_with("{}", "200 OK");
    ev[0].data = NULL;
    ev[0].err = CPUSER_ERR_IO;
    ev[1].data = response; /* would succeed if it were (wrongly) resent */
    net.events = ev;
    net.nevents = 2;
    create_fields(&f, false);
    assert_int_equal(cpuser_users_create(&client, &f, &user), CPUSER_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(count_sent("POST /public-api/resources/users/v1.0 "), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_every_field),
        cmocka_unit_test(id_as_string_and_unknown_enum_values),
        cmocka_unit_test(wrong_shapes_are_json_errors),
        cmocka_unit_test(create_sends_exactly_the_set_fields),
        cmocka_unit_test(update_sends_only_what_changed),
        cmocka_unit_test(action_bodies),
        cmocka_unit_test(list_query_and_cursor_sources),
        cmocka_unit_test(list_all_walks_cursors_in_one_buffer),
        cmocka_unit_test(json_out_round_trip),
        cmocka_unit_test(ambiguous_create_with_external_id_is_resolved_by_listing),
        cmocka_unit_test(ambiguous_create_not_found_is_sent_again),
        cmocka_unit_test(ambiguous_create_without_external_id_is_outcome_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
