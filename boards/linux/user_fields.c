/* Create/update flags into cpuser_user_fields, and naming a refused flag. */
#include "user_fields.h"

#include <stdio.h>
#include <string.h>

#include "numbers.h"
#include "output.h"

typedef struct {
    uint8_t opt;
    uint8_t field;
    const char *why; /* what the library's check wants */
} flag;

static const flag string_flags[] = {
    {OPT_EMAIL, CPUSER_USER_EMAIL, "not an email address (local@domain.tld)"},
    {OPT_FIRST_NAME, CPUSER_USER_FIRST_NAME, NULL},
    {OPT_MIDDLE_NAME, CPUSER_USER_MIDDLE_NAME, NULL},
    {OPT_LAST_NAME, CPUSER_USER_LAST_NAME, NULL},
    {OPT_PHONE, CPUSER_USER_PHONE, NULL},
    {OPT_COUNTRY, CPUSER_USER_COUNTRY, "not an ISO 3166-1 alpha-2 code of the API's list (e.g. BG, DE, US)"},
    {OPT_STATE, CPUSER_USER_STATE, "needs --country US or AU in the same command"},
    {OPT_CITY, CPUSER_USER_CITY, NULL},
    {OPT_POST_CODE, CPUSER_USER_POST_CODE, NULL},
    {OPT_ADDRESS, CPUSER_USER_ADDRESS, NULL},
    {OPT_VEHICLE_NO, CPUSER_USER_VEHICLE_NO, NULL},
    {OPT_PERSONAL_ID, CPUSER_USER_PERSONAL_ID, NULL},
    {OPT_LOCALE, CPUSER_USER_LOCALE, NULL},
    {OPT_EXTERNAL_ID, CPUSER_USER_EXTERNAL_ID, NULL},
};

#define STRING_FLAGS (sizeof string_flags / sizeof string_flags[0])

uint64_t user_fields_options(void)
{
    uint64_t m = OPT_BIT(OPT_GROUP) | OPT_BIT(OPT_SESSIONS_ALLOWED) |
                 OPT_BIT(OPT_REQUIRE_PASSWORD_RESET) | OPT_BIT(OPT_NEWS);
    size_t i;
    for (i = 0; i < STRING_FLAGS; i++) {
        m |= OPT_BIT(string_flags[i].opt);
    }
    return m;
}

static int refuse(const char *opt, const char *why)
{
    out_text(stderr, "cpuser: ");
    out_text(stderr, opt);
    out_text(stderr, ": ");
    out_text(stderr, why);
    out_text(stderr, "\n");
    return 2;
}

int user_fields_from_args(const cli_args *a, bool creating, cpuser_user_fields *f)
{
    size_t i;
    memset(f, 0, sizeof *f);
    for (i = 0; i < STRING_FLAGS; i++) {
        if (args_has(a, string_flags[i].opt) &&
            cpuser_user_fields_set(f, string_flags[i].field, a->value[string_flags[i].opt]) != CPUSER_OK) {
            return refuse(args_name(string_flags[i].opt), "cannot be set");
        }
    }
    if (!creating && (args_has(a, OPT_PERSONAL_ID) || args_has(a, OPT_LOCALE))) {
        return refuse(args_has(a, OPT_PERSONAL_ID) ? "--personal-id" : "--locale",
                      "users update cannot change it (the API's PATCH has no such field)");
    }
    if (a->group_count != 0u) {
        uint8_t g;
        if (a->group_count > CPUSER_MAX_LIST_INTS) {
            return refuse("--group", "given too many times");
        }
        for (g = 0; g < a->group_count; g++) {
            if (!num_parse_int(a->group[g], 1, INT64_MAX, &f->user_group_ids.v[g])) {
                return refuse("--group", "a user group id is a positive integer");
            }
        }
        f->user_group_ids.count = a->group_count;
        f->set |= CPUSER_BIT(CPUSER_USER_GROUP_IDS);
    }
    if (args_has(a, OPT_SESSIONS_ALLOWED)) {
        f->sessions_allowed = cpuser_sessions_allowed_parse(a->value[OPT_SESSIONS_ALLOWED]);
        if (f->sessions_allowed == CPUSER_SESSIONS_UNKNOWN) {
            return refuse("--sessions-allowed",
                          "one of single_session, multiple_simultaneous_sessions_per_idtag, "
                          "simultaneous_use_of_idtags, multiple_simultaneous_sessions_remotely_and_idtags");
        }
        f->set |= CPUSER_BIT(CPUSER_USER_OPTIONS) | CPUSER_BIT(CPUSER_USER_SESSIONS_ALLOWED);
    }
    if (args_has(a, OPT_REQUIRE_PASSWORD_RESET)) {
        f->require_password_reset = true;
        f->set |= CPUSER_BIT(CPUSER_USER_REQUIRE_PASSWORD_RESET);
    }
    if (args_has(a, OPT_NEWS)) {
        f->receive_news = true;
        f->set |= CPUSER_BIT(CPUSER_USER_RECEIVE_NEWS);
    }
    return 0;
}

void user_fields_password(cpuser_user_fields *f, const char *pw, size_t len)
{
    f->password.ptr = pw;
    f->password.len = len;
    f->set |= CPUSER_BIT(CPUSER_USER_PASSWORD);
}

static const char *flag_for(int field)
{
    size_t i;
    for (i = 0; i < STRING_FLAGS; i++) {
        if (string_flags[i].field == field) {
            return args_name(string_flags[i].opt);
        }
    }
    switch (field) {
    case CPUSER_USER_PASSWORD: return "--password-stdin";
    case CPUSER_USER_GROUP_IDS: return "--group";
    case CPUSER_USER_SESSIONS_ALLOWED: return "--sessions-allowed";
    default: return NULL;
    }
}

static const char *why_for(int field)
{
    size_t i;
    if (field == CPUSER_USER_PASSWORD) {
        return "the password needs at least 6 characters";
    }
    for (i = 0; i < STRING_FLAGS; i++) {
        if (string_flags[i].field == field && string_flags[i].why != NULL) {
            return string_flags[i].why;
        }
    }
    return "refused";
}

int user_fields_check(const cpuser_user_fields *f, bool creating, bool placeholder_password)
{
    cpuser_user_fields g = *f;
    int bad = -1;
    const char *name;
    if (placeholder_password && !CPUSER_HAS(g.set, CPUSER_USER_PASSWORD)) {
        user_fields_password(&g, "placeholder", 11u);
    }
    if (cpuser_user_fields_check(&g, creating, &bad) == CPUSER_OK) {
        return 0;
    }
    name = flag_for(bad);
    if (name == NULL) {
        return refuse(creating ? "users create" : "users update", "the fields were refused");
    }
    return refuse(name, why_for(bad));
}
