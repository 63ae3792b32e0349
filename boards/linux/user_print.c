/* Users as text blocks, list lines and JSON lines. */
#include "user_print.h"

#include <stdio.h>
#include <string.h>

#include "json_line.h"
#include "numbers.h"
#include "output.h"

#define LABEL_WIDTH 26u

static bool shown(const cpuser_user *u, int field)
{
    return CPUSER_HAS(u->present, field) && !CPUSER_HAS(u->null, field);
}

static void label(const char *name)
{
    size_t n = strlen(name);
    out_text(stdout, name);
    out_text(stdout, ":");
    for (n++; n < LABEL_WIDTH; n++) {
        (void)fputc(' ', stdout);
    }
}

static void row_view(const cpuser_user *u, int field, const char *name, cpuser_view v)
{
    if (shown(u, field)) {
        label(name);
        out_view(stdout, v);
        (void)fputc('\n', stdout);
    }
}

static void row_text(const cpuser_user *u, int field, const char *name, const char *text)
{
    if (shown(u, field) && text != NULL) {
        label(name);
        out_text(stdout, text);
        (void)fputc('\n', stdout);
    }
}

static void row_amount(const cpuser_user *u, int field, const char *name, int64_t v)
{
    char buf[24];
    if (shown(u, field)) {
        (void)num_format_amount(v, buf);
        row_text(u, field, name, buf);
    }
}

static void row_groups(const cpuser_user *u)
{
    uint8_t i;
    if (!shown(u, CPUSER_USER_GROUP_IDS)) {
        return;
    }
    label("userGroupIds");
    if (u->user_group_ids.count == 0u) {
        (void)fputc('-', stdout);
    }
    for (i = 0; i < u->user_group_ids.count; i++) {
        if (i != 0u) {
            (void)fputc(',', stdout);
        }
        out_i64(stdout, u->user_group_ids.v[i]);
    }
    if (u->user_group_ids.truncated) {
        out_text(stdout, ",...");
    }
    (void)fputc('\n', stdout);
}

static void row_bank(const cpuser_user *u)
{
    row_view(u, CPUSER_USER_BANK_IBAN, "bankDetails.bankIban", u->bank.iban);
    row_view(u, CPUSER_USER_BANK_NAME, "bankDetails.bankName", u->bank.name);
    row_view(u, CPUSER_USER_BANK_ADDRESS, "bankDetails.bankAddress", u->bank.address);
    row_view(u, CPUSER_USER_BANK_CODE, "bankDetails.bankCode", u->bank.code);
    row_view(u, CPUSER_USER_BANK_ACCOUNT_NUMBER, "bankDetails.bankAccountNumber",
             u->bank.account_number);
    row_view(u, CPUSER_USER_BANK_ACCOUNT_TYPE, "bankDetails.bankAccountType",
             u->bank.account_type);
}

static bool print_json(const cpuser_user *u)
{
    cpuser_user_write_json(json_line_begin(), u);
    return json_line_end();
}

bool user_print(const cpuser_user *u, bool json)
{
    if (json) {
        return print_json(u);
    }
    row_view(u, CPUSER_USER_ID, "id", u->id);
    row_view(u, CPUSER_USER_EMAIL, "email", u->email);
    row_view(u, CPUSER_USER_EMAIL_VERIFIED, "emailVerified", u->email_verified);
    row_text(u, CPUSER_USER_STATUS, "status",
             cpuser_user_status_name(u->status) != NULL ? cpuser_user_status_name(u->status) : "(unknown)");
    row_view(u, CPUSER_USER_FIRST_NAME, "firstName", u->first_name);
    row_view(u, CPUSER_USER_MIDDLE_NAME, "middleName", u->middle_name);
    row_view(u, CPUSER_USER_LAST_NAME, "lastName", u->last_name);
    row_view(u, CPUSER_USER_PHONE, "phone", u->phone);
    row_view(u, CPUSER_USER_COUNTRY, "country", u->country);
    row_view(u, CPUSER_USER_STATE, "state", u->state);
    row_view(u, CPUSER_USER_CITY, "city", u->city);
    row_view(u, CPUSER_USER_POST_CODE, "postCode", u->post_code);
    row_view(u, CPUSER_USER_ADDRESS, "address", u->address);
    row_view(u, CPUSER_USER_VEHICLE_NO, "vehicleNo", u->vehicle_no);
    row_view(u, CPUSER_USER_PERSONAL_ID, "personalId", u->personal_id);
    row_view(u, CPUSER_USER_LOCALE, "locale", u->locale);
    row_amount(u, CPUSER_USER_BALANCE, "balance", u->balance);
    row_amount(u, CPUSER_USER_AMOUNT_DUE, "amountDue", u->amount_due);
    row_groups(u);
    row_view(u, CPUSER_USER_EXTERNAL_ID, "externalId", u->external_id);
    if (shown(u, CPUSER_USER_SUBSCRIPTION_ID)) {
        label("subscriptionId");
        out_i64(stdout, u->subscription_id);
        (void)fputc('\n', stdout);
    }
    row_text(u, CPUSER_USER_SESSIONS_ALLOWED, "options.sessionsAllowed",
             cpuser_sessions_allowed_name(u->sessions_allowed) != NULL
                 ? cpuser_sessions_allowed_name(u->sessions_allowed)
                 : "(unknown)");
    row_text(u, CPUSER_USER_REQUIRE_PASSWORD_RESET, "requirePasswordReset",
             u->require_password_reset ? "true" : "false");
    row_text(u, CPUSER_USER_RECEIVE_NEWS, "receiveNewsAndPromotions",
             u->receive_news ? "true" : "false");
    row_bank(u);
    row_view(u, CPUSER_USER_PARTNER_INVITES, "partnerInvites", u->partner_invites);
    row_view(u, CPUSER_USER_EXTERNAL_APP_DATA, "externalAppData", u->external_app_data);
    row_view(u, CPUSER_USER_CREATED_BY, "createdBy", u->created_by);
    row_view(u, CPUSER_USER_CREATED_AT, "createdAt", u->created_at);
    row_view(u, CPUSER_USER_LAST_UPDATED_AT, "lastUpdatedAt", u->last_updated_at);
    return ferror(stdout) == 0;
}

static void cell(const cpuser_user *u, int field, cpuser_view v)
{
    if (shown(u, field)) {
        out_view(stdout, v);
    }
}

bool user_print_line(const cpuser_user *u, bool json)
{
    char buf[24];
    if (json) {
        return print_json(u);
    }
    cell(u, CPUSER_USER_ID, u->id);
    (void)fputc('\t', stdout);
    cell(u, CPUSER_USER_EMAIL, u->email);
    (void)fputc('\t', stdout);
    if (shown(u, CPUSER_USER_STATUS) && cpuser_user_status_name(u->status) != NULL) {
        out_text(stdout, cpuser_user_status_name(u->status));
    }
    (void)fputc('\t', stdout);
    cell(u, CPUSER_USER_FIRST_NAME, u->first_name);
    if (shown(u, CPUSER_USER_FIRST_NAME) && shown(u, CPUSER_USER_LAST_NAME)) {
        (void)fputc(' ', stdout);
    }
    cell(u, CPUSER_USER_LAST_NAME, u->last_name);
    (void)fputc('\t', stdout);
    if (shown(u, CPUSER_USER_BALANCE)) {
        (void)num_format_amount(u->balance, buf);
        out_text(stdout, buf);
    }
    (void)fputc('\n', stdout);
    return ferror(stdout) == 0;
}
