/* make bench: the reference, libcurl + cJSON, doing cpuser's job.
 *
 * usage: insn_curl PORT read|list|create N
 *
 * One easy handle, reused (keep-alive) against the same replay server and
 * the same recorded bytes as insn_cpuser. The same requests (Bearer token,
 * Accept: application/json; create: a JSON body built with cJSON, the same
 * members). The body is collected into a static buffer, parsed with cJSON,
 * and every user's fields that cpuser decodes are read (strings, numbers,
 * booleans, the nested options and bankDetails). Callgrind counts only the
 * N operations of the loop (CALLGRIND_TOGGLE_COLLECT, as in insn_cpuser). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <valgrind/callgrind.h>

static char body[1 << 20];
static size_t body_len;

typedef struct {
    unsigned users;
    size_t bytes;
    double sum;
} tally;

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    size_t len = size * n;
    (void)arg;
    if (body_len + len >= sizeof body) {
        return 0;
    }
    memcpy(body + body_len, data, len);
    body_len += len;
    return len;
}

static const char *const string_fields[] = {
    "id", "email", "emailVerified", "firstName", "middleName", "lastName", "phone",
    "country", "state", "city", "postCode", "address", "vehicleNo", "personalId",
    "locale", "externalId", "lastUpdatedAt", "createdAt", "createdBy", "password"};
static const char *const bank_fields[] = {"bankIban", "bankName", "bankAddress", "bankCode",
                                          "bankAccountNumber", "bankAccountType"};

static void take_string(const cJSON *o, const char *name, tally *t)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsString(v)) {
        t->bytes += strlen(v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        t->sum += v->valuedouble;
    }
}

static int decode_user(const cJSON *u, tally *t)
{
    const cJSON *v;
    size_t i;
    if (!cJSON_IsObject(u)) {
        return -1;
    }
    for (i = 0; i < sizeof string_fields / sizeof string_fields[0]; i++) {
        take_string(u, string_fields[i], t);
    }
    t->sum += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "requirePasswordReset"));
    t->sum += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "receiveNewsAndPromotions"));
    v = cJSON_GetObjectItemCaseSensitive(u, "balance");
    if (cJSON_IsNumber(v)) {
        t->sum += v->valuedouble;
    }
    v = cJSON_GetObjectItemCaseSensitive(u, "subscriptionId");
    if (cJSON_IsNumber(v)) {
        t->sum += v->valuedouble;
    }
    v = cJSON_GetObjectItemCaseSensitive(u, "status");
    if (cJSON_IsString(v)) {
        t->sum += strcmp(v->valuestring, "enabled") == 0;
    }
    v = cJSON_GetObjectItemCaseSensitive(u, "userGroupIds");
    if (cJSON_IsArray(v)) {
        const cJSON *g;
        cJSON_ArrayForEach(g, v) { t->sum += g->valuedouble; }
    }
    v = cJSON_GetObjectItemCaseSensitive(u, "options");
    if (cJSON_IsObject(v)) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "sessionsAllowed");
        if (cJSON_IsString(s)) {
            t->sum += strcmp(s->valuestring, "single_session") == 0;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(u, "bankDetails");
    if (cJSON_IsObject(v)) {
        for (i = 0; i < sizeof bank_fields / sizeof bank_fields[0]; i++) {
            take_string(v, bank_fields[i], t);
        }
    }
    t->users++;
    return 0;
}

static int one(CURL *h, const char *base, const char *op, tally *t)
{
    char url[256];
    long status = 0;
    cJSON *doc;
    char *post = NULL;
    int rc = 0;
    body_len = 0;
    if (strcmp(op, "read") == 0) {
        snprintf(url, sizeof url, "%s/39", base);
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(op, "list") == 0) {
        snprintf(url, sizeof url, "%s?per_page=100&cursor=", base);
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "email", "bench.create@example.com");
        cJSON_AddStringToObject(o, "password", "secret-123");
        cJSON_AddStringToObject(o, "first_name", "Ana");
        cJSON_AddStringToObject(o, "last_name", "Petrova");
        cJSON_AddStringToObject(o, "phone", "+359888123456");
        cJSON_AddStringToObject(o, "country", "BG");
        cJSON_AddStringToObject(o, "city", "Sofia");
        cJSON_AddStringToObject(o, "post_code", "1000");
        cJSON_AddStringToObject(o, "address", "1 Vitosha Blvd");
        cJSON_AddStringToObject(o, "locale", "bg-BG");
        cJSON_AddStringToObject(o, "external_id", "bench-0001");
        post = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        snprintf(url, sizeof url, "%s", base);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (curl_easy_perform(h) != CURLE_OK) {
        free(post);
        return -1;
    }
    free(post);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        return -1;
    }
    doc = cJSON_ParseWithLength(body, body_len);
    if (doc == NULL) {
        return -1;
    }
    if (strcmp(op, "list") == 0) {
        const cJSON *u;
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
        unsigned before = t->users;
        cJSON_ArrayForEach(u, data) {
            if (decode_user(u, t) != 0) {
                rc = -1;
            }
        }
        if (t->users - before != 100u) {
            rc = -1;
        }
    } else {
        rc = decode_user(cJSON_GetObjectItemCaseSensitive(doc, "data"), t);
    }
    cJSON_Delete(doc);
    return rc;
}

int main(int argc, char **argv)
{
    char base[128];
    CURL *h;
    struct curl_slist *headers = NULL;
    tally t = {0, 0, 0.0};
    long n, i;
    int rc;
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT read|list|create N\n", argv[0]);
        return 2;
    }
    n = strtol(argv[3], NULL, 10);
    snprintf(base, sizeof base, "http://127.0.0.1:%s/public-api/resources/users/v1.0", argv[1]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h = curl_easy_init();
    headers = curl_slist_append(headers, "Authorization: Bearer sim-token");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc = one(h, base, argv[2], &t); /* connect + warm-up, not counted */
    CALLGRIND_TOGGLE_COLLECT;
    for (i = 0; i < n && rc == 0; i++) {
        rc = one(h, base, argv[2], &t);
    }
    CALLGRIND_TOGGLE_COLLECT;
    if (rc != 0) {
        fprintf(stderr, "insn_curl: %s failed\n", argv[2]);
        return 1;
    }
    printf("insn_curl: %s x %ld: %u users decoded, %zu string bytes\n", argv[2], n + 1, t.users,
           t.bytes);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 0;
}
