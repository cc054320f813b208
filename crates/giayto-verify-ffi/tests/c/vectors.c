/* Every test vector through the C ABI (include/giayto_verify.h), plus the error paths.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -I crates/giayto-verify-ffi/include \
 *      crates/giayto-verify-ffi/tests/c/vectors.c -o vectors \
 *      -L target/release -lgiayto_verify_ffi -lcjson
 *   ./vectors test-vectors bindings/conformance/bad-inputs.json [results.jsonl]
 *
 * Each test-vectors/NAME.json with a "vectors" array is a suite: its verifier is built from
 * the file's root_public_key and trust_list (hex) when it has them, else from root.pub and
 * bundle.cbor; each vector gives text, at, verdict and optionally policy, nonce,
 * accept_missing_status and fields. New files and vectors need no change here.
 * A file with "answers" or "bad_requests" (requests.json) is a request suite: each answer is
 * checked against its request (giayto_verifier_check_answer), each bad request read
 * (giayto_request_read) and refused with its code; a request made here reads back the same.
 * With a third argument, one JSON line per vector goes there for bindings/conformance.
 * Prints "N passed, N failed"; exit status 1 on any failure. Run under valgrind in CI. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "giayto_verify.h"

static int passed, failed;
static FILE *results;

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                          \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
        }                                                                                 \
    } while (0)

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap *= 2);
            if (!bigger) { free(buf); buf = NULL; }
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static unsigned char *from_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n ? n : 1);
    for (size_t i = 0; out && i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) { free(out); return NULL; }
        out[i] = (unsigned char)v;
    }
    *len = n;
    return out;
}

static char *path_join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* A verifier for a suite file: hex root and trust list in the file, or root.pub + bundle.cbor. */
static GiaytoVerifier *suite_verifier(const char *dir, const cJSON *suite) {
    const cJSON *root_hex = cJSON_GetObjectItemCaseSensitive(suite, "root_public_key");
    const cJSON *trust_hex = cJSON_GetObjectItemCaseSensitive(suite, "trust_list");
    GiaytoVerifier *v = NULL;
    char *err = NULL;
    GiaytoStatus s;
    if (cJSON_IsString(root_hex) && cJSON_IsString(trust_hex)) {
        size_t rl, tl;
        unsigned char *r = from_hex(root_hex->valuestring, &rl);
        unsigned char *t = from_hex(trust_hex->valuestring, &tl);
        s = giayto_verifier_from_trust_list(r, rl, t, tl, &v, &err);
        free(r);
        free(t);
    } else {
        size_t rl = 0, bl = 0;
        char *rp = path_join(dir, "root.pub"), *bp = path_join(dir, "bundle.cbor");
        unsigned char *r = read_file(rp, &rl), *b = read_file(bp, &bl);
        s = giayto_verifier_from_bundle(r, rl, b, bl, &v, &err);
        free(r);
        free(b);
        free(rp);
        free(bp);
    }
    CHECK(s == GIAYTO_STATUS_OK, "verifier: %s", err ? err : "?");
    giayto_string_free(err);
    return v;
}

static char *options_for(const cJSON *vector) {
    cJSON *opts = cJSON_CreateObject();
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(vector, "at");
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(vector, "policy");
    const cJSON *nonce = cJSON_GetObjectItemCaseSensitive(vector, "nonce");
    if (cJSON_IsNumber(at)) cJSON_AddItemToObject(opts, "at", cJSON_Duplicate(at, 1));
    if (cJSON_IsString(policy)) cJSON_AddStringToObject(opts, "policy", policy->valuestring);
    if (cJSON_IsString(nonce)) cJSON_AddStringToObject(opts, "nonce", nonce->valuestring);
    char *text = cJSON_PrintUnformatted(opts);
    cJSON_Delete(opts);
    return text;
}

static void record_error(const char *suite, const char *name, const char *result_json,
                         const char *error) {
    if (!results) return;
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "binding", "c");
    cJSON_AddStringToObject(line, "suite", suite);
    cJSON_AddStringToObject(line, "vector", name);
    if (result_json)
        cJSON_AddItemToObject(line, "result", cJSON_Parse(result_json));
    else
        cJSON_AddStringToObject(line, "error", error);
    char *text = cJSON_PrintUnformatted(line);
    fprintf(results, "%s\n", text);
    cJSON_free(text);
    cJSON_Delete(line);
}

static void record(const char *suite, const char *name, const char *result_json,
                   GiaytoStatus status) {
    record_error(suite, name, result_json, giayto_status_name(status));
}


/* Whether the result's "fields" has exactly the names of the JSON array `names`. */
static int same_names(const cJSON *fields, const cJSON *names) {
    if (!cJSON_IsObject(fields) || !cJSON_IsArray(names)) return 0;
    if (cJSON_GetArraySize(fields) != cJSON_GetArraySize(names)) return 0;
    const cJSON *n;
    cJSON_ArrayForEach(n, names) {
        if (!cJSON_IsString(n) || !cJSON_GetObjectItemCaseSensitive(fields, n->valuestring))
            return 0;
    }
    return 1;
}

/* A request file (answers, bad_requests): the request functions of the ABI. */
static void run_requests(const char *dir, const char *file) {
    char *path = path_join(dir, file);
    size_t len = 0;
    unsigned char *raw = read_file(path, &len);
    free(path);
    cJSON *suite = raw ? cJSON_ParseWithLength((const char *)raw, len) : NULL;
    free(raw);
    const cJSON *answers = cJSON_GetObjectItemCaseSensitive(suite, "answers");
    const cJSON *bad = cJSON_GetObjectItemCaseSensitive(suite, "bad_requests");
    if (!cJSON_IsArray(answers) && !cJSON_IsArray(bad)) { cJSON_Delete(suite); return; }
    char suite_name[256], bad_name[sizeof suite_name + 8];
    snprintf(suite_name, sizeof suite_name, "%.*s", (int)(strlen(file) - 5), file);
    snprintf(bad_name, sizeof bad_name, "%s.bad", suite_name);
    GiaytoVerifier *verifier = suite_verifier(dir, suite);
    if (!verifier) { cJSON_Delete(suite); return; }
    int count = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, answers) {
        const char *name = cJSON_GetObjectItemCaseSensitive(a, "name")->valuestring;
        const char *text = cJSON_GetObjectItemCaseSensitive(a, "text")->valuestring;
        const char *request = cJSON_GetObjectItemCaseSensitive(a, "request")->valuestring;
        const char *want = cJSON_GetObjectItemCaseSensitive(a, "verdict")->valuestring;
        int64_t at = (int64_t)cJSON_GetObjectItemCaseSensitive(a, "at")->valuedouble;
        char *out = NULL, *err = NULL;
        GiaytoStatus s = giayto_verifier_check_answer(verifier, (const uint8_t *)text,
                                                      strlen(text), request, at, &out, &err);
        CHECK(s == GIAYTO_STATUS_OK && out, "%s: status %s (%s)", name, giayto_status_name(s),
              err ? err : "");
        cJSON *result = out ? cJSON_Parse(out) : NULL;
        const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(result, "verdict");
        CHECK(cJSON_IsString(verdict) && strcmp(verdict->valuestring, want) == 0,
              "%s: verdict %s, want %s", name, cJSON_IsString(verdict) ? verdict->valuestring : "?",
              want);
        if (strcmp(want, "valid") == 0)
            CHECK(same_names(cJSON_GetObjectItemCaseSensitive(result, "fields"),
                             cJSON_GetObjectItemCaseSensitive(a, "disclosed")),
                  "%s: disclosed fields differ", name);
        record(suite_name, name, out, s);
        cJSON_Delete(result);
        giayto_string_free(out);
        giayto_string_free(err);
        count++;
    }
    const char *answer = NULL;
    int64_t answer_at = 0;
    if (cJSON_GetArraySize(answers) > 0) {
        const cJSON *first = cJSON_GetArrayItem(answers, 0);
        answer = cJSON_GetObjectItemCaseSensitive(first, "text")->valuestring;
        answer_at = (int64_t)cJSON_GetObjectItemCaseSensitive(first, "at")->valuedouble;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, bad) {
        const char *name = cJSON_GetObjectItemCaseSensitive(b, "name")->valuestring;
        const char *text = cJSON_GetObjectItemCaseSensitive(b, "text")->valuestring;
        const char *want = cJSON_GetObjectItemCaseSensitive(b, "error")->valuestring;
        char *out = NULL, *err = NULL;
        GiaytoStatus s = giayto_request_read(text, &out, &err);
        CHECK(s == GIAYTO_STATUS_OK && out, "%s: read status %s", name, giayto_status_name(s));
        cJSON *read = out ? cJSON_Parse(out) : NULL;
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(read, "error"), "code");
        CHECK(cJSON_IsString(code) && strcmp(code->valuestring, want) == 0, "%s: code %s, want %s",
              name, cJSON_IsString(code) ? code->valuestring : "?", want);
        record_error(bad_name, name, NULL, cJSON_IsString(code) ? code->valuestring : "none");
        cJSON_Delete(read);
        giayto_string_free(out);
        giayto_string_free(err);
        if (answer) {
            out = NULL;
            err = NULL;
            s = giayto_verifier_check_answer(verifier, (const uint8_t *)answer, strlen(answer), text,
                                             answer_at, &out, &err);
            CHECK(s == GIAYTO_STATUS_REQUEST && out == NULL && err && strstr(err, want),
                  "%s: check_answer against it: %s", name, giayto_status_name(s));
            giayto_string_free(out);
            giayto_string_free(err);
        }
        count++;
    }

    /* A request made here: read back the same; a vector's answer is not its answer. */
    char *made = NULL, *err = NULL;
    GiaytoStatus s = giayto_request_make("full_name, age_over_18", NULL, "Đăng ký lưu trú",
                                         "Khách sạn Hoa Sen", "cccd", 10, answer_at, &made, &err);
    CHECK(s == GIAYTO_STATUS_OK && made, "make: %s", giayto_status_name(s));
    cJSON *m = made ? cJSON_Parse(made) : NULL;
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(m, "text");
    CHECK(cJSON_IsString(text) && strncmp(text->valuestring, "VR1:", 4) == 0, "make: text");
    if (cJSON_IsString(text)) {
        char *back = NULL;
        CHECK(giayto_request_read(text->valuestring, &back, NULL) == GIAYTO_STATUS_OK, "read back");
        cJSON *r = back ? cJSON_Parse(back) : NULL;
        CHECK(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(r, "request"),
                            cJSON_GetObjectItemCaseSensitive(m, "request"), 1),
              "made request reads back the same");
        cJSON_Delete(r);
        giayto_string_free(back);
        if (answer) {
            char *out = NULL;
            s = giayto_verifier_check_answer(verifier, (const uint8_t *)answer, strlen(answer),
                                             text->valuestring, answer_at, &out, NULL);
            cJSON *r2 = out ? cJSON_Parse(out) : NULL;
            const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(r2, "verdict");
            CHECK(s == GIAYTO_STATUS_OK && cJSON_IsString(verdict) &&
                      strcmp(verdict->valuestring, "wrong_request") == 0,
                  "another request's answer is wrong_request");
            cJSON_Delete(r2);
            giayto_string_free(out);
        }
    }
    cJSON_Delete(m);
    giayto_string_free(made);
    giayto_string_free(err);
    made = NULL;
    CHECK(giayto_request_make("shoe_size", NULL, "p", "v", NULL, 10, answer_at, &made, NULL) ==
              GIAYTO_STATUS_OK && made && strstr(made, "\"bad_item\""),
          "an unknown item is a refusal in the JSON");
    giayto_string_free(made);
    made = NULL;
    err = NULL;
    CHECK(giayto_request_make("full_name", NULL, NULL, "v", NULL, 10, answer_at, &made, &err) ==
              GIAYTO_STATUS_NULL_ARGUMENT && made == NULL && err,
          "null purpose");
    giayto_string_free(err);
    err = NULL;
    CHECK(giayto_request_read(NULL, &made, &err) == GIAYTO_STATUS_NULL_ARGUMENT && made == NULL,
          "null request text");
    giayto_string_free(err);
    CHECK(giayto_verifier_check_answer(NULL, (const uint8_t *)"x", 1, "VR1:", 0, &made, NULL) ==
              GIAYTO_STATUS_NULL_ARGUMENT, "null verifier");
    CHECK(strcmp(giayto_status_name(GIAYTO_STATUS_REQUEST), "request") == 0, "status name");
    giayto_verifier_free(verifier);
    printf("%s: %d answers and bad requests\n", suite_name, count);
    cJSON_Delete(suite);
}

static void run_suite(const char *dir, const char *file) {
    char *path = path_join(dir, file);
    size_t len = 0;
    unsigned char *raw = read_file(path, &len);
    free(path);
    cJSON *suite = raw ? cJSON_ParseWithLength((const char *)raw, len) : NULL;
    free(raw);
    const cJSON *vectors = cJSON_GetObjectItemCaseSensitive(suite, "vectors");
    if (!cJSON_IsArray(vectors)) { cJSON_Delete(suite); return; }
    char suite_name[256];
    snprintf(suite_name, sizeof suite_name, "%.*s", (int)(strlen(file) - 5), file);
    int count = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vectors) {
        const char *name = cJSON_GetObjectItemCaseSensitive(v, "name")->valuestring;
        const char *text = cJSON_GetObjectItemCaseSensitive(v, "text")->valuestring;
        const char *want = cJSON_GetObjectItemCaseSensitive(v, "verdict")->valuestring;
        GiaytoVerifier *verifier = suite_verifier(dir, suite);
        if (!verifier) continue;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "accept_missing_status")))
            CHECK(giayto_verifier_set_accept_missing_status(verifier, 1) == GIAYTO_STATUS_OK,
                  "%s: accept_missing_status", name);
        char *opts = options_for(v), *out = NULL, *err = NULL;
        GiaytoStatus s = giayto_verifier_verify(verifier, (const uint8_t *)text, strlen(text),
                                                opts, &out, &err);
        CHECK(s == GIAYTO_STATUS_OK && out, "%s: status %s (%s)", name, giayto_status_name(s),
              err ? err : "");
        cJSON *result = out ? cJSON_Parse(out) : NULL;
        const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(result, "verdict");
        CHECK(cJSON_IsString(verdict) && strcmp(verdict->valuestring, want) == 0,
              "%s: verdict %s, want %s", name, cJSON_IsString(verdict) ? verdict->valuestring : "?",
              want);
        const cJSON *valid = cJSON_GetObjectItemCaseSensitive(result, "valid");
        CHECK(cJSON_IsBool(valid) && cJSON_IsTrue(valid) == (strcmp(want, "valid") == 0),
              "%s: valid", name);
        const cJSON *fields = cJSON_GetObjectItemCaseSensitive(v, "fields");
        if (fields && strcmp(want, "valid") == 0)
            CHECK(cJSON_Compare(fields, cJSON_GetObjectItemCaseSensitive(result, "fields"), 1),
                  "%s: fields differ", name);
        record(suite_name, name, out, s);
        cJSON_Delete(result);
        cJSON_free(opts);
        giayto_string_free(out);
        giayto_string_free(err);
        giayto_verifier_free(verifier);
        count++;
    }
    printf("%s: %d vectors\n", suite_name, count);
    cJSON_Delete(suite);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Unusable input: errors with codes, never crashes; odd text: verdicts. */
static void run_bad_inputs(const char *dir, const char *bad_path) {
    size_t len = 0;
    unsigned char *raw = read_file(bad_path, &len);
    cJSON *doc = raw ? cJSON_ParseWithLength((const char *)raw, len) : NULL;
    free(raw);
    CHECK(doc != NULL, "cannot read %s", bad_path);
    cJSON empty_suite = {0};
    GiaytoVerifier *verifier = suite_verifier(dir, &empty_suite);
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(doc, "at");
    char opts[64];
    snprintf(opts, sizeof opts, "{\"at\":%.0f}", cJSON_IsNumber(at) ? at->valuedouble : 0.0);
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "inputs")) {
        const char *name = cJSON_GetObjectItemCaseSensitive(item, "name")->valuestring;
        const char *expect = cJSON_GetObjectItemCaseSensitive(item, "expect")->valuestring;
        size_t n = 0;
        unsigned char *bytes = from_hex(cJSON_GetObjectItemCaseSensitive(item, "hex")->valuestring, &n);
        char *out = NULL, *err = NULL;
        GiaytoStatus s = giayto_verifier_verify(verifier, bytes, n, opts, &out, &err);
        char got[128];
        if (s == GIAYTO_STATUS_OK) {
            cJSON *r = cJSON_Parse(out);
            snprintf(got, sizeof got, "verdict:%s",
                     cJSON_GetObjectItemCaseSensitive(r, "verdict")->valuestring);
            cJSON_Delete(r);
        } else {
            snprintf(got, sizeof got, "error:%s", giayto_status_name(s));
            CHECK(err && *err, "%s: no error message", name);
        }
        CHECK(strcmp(got, expect) == 0, "%s: %s, want %s", name, got, expect);
        record("bad_inputs", name, out, s);
        giayto_string_free(out);
        giayto_string_free(err);
        free(bytes);
    }
    cJSON_Delete(doc);

    /* Misuse of the ABI itself. */
    char *out = NULL, *err = NULL;
    CHECK(giayto_verifier_verify(NULL, (const uint8_t *)"x", 1, NULL, &out, &err) ==
              GIAYTO_STATUS_NULL_ARGUMENT && out == NULL, "null verifier");
    giayto_string_free(err);
    err = NULL;
    CHECK(giayto_verifier_verify(verifier, NULL, 3, NULL, &out, &err) ==
              GIAYTO_STATUS_NULL_ARGUMENT, "null input with a length");
    giayto_string_free(err);
    err = NULL;
    CHECK(giayto_verifier_verify(verifier, (const uint8_t *)"VN1:", 4, "{\"policy\":\"bank\"}",
                                 &out, &err) == GIAYTO_STATUS_OPTIONS, "unknown policy");
    giayto_string_free(err);
    err = NULL;
    CHECK(giayto_verifier_verify(verifier, (const uint8_t *)"VN1:", 4, "{\"nonce\":\"xyz\"}",
                                 &out, &err) == GIAYTO_STATUS_NONCE, "bad nonce");
    giayto_string_free(err);
    err = NULL;
    CHECK(giayto_verifier_verify(verifier, (const uint8_t *)"VN1:", 4, "not json", &out, NULL) ==
              GIAYTO_STATUS_OPTIONS, "options not JSON, no error string asked");
    /* Without "at", the clock is read: still a verdict. */
    CHECK(giayto_verifier_verify(verifier, NULL, 0, NULL, &out, NULL) == GIAYTO_STATUS_OK && out,
          "empty input, clock time");
    giayto_string_free(out);
    CHECK(giayto_verifier_add_status_list(verifier, (const uint8_t *)"nope", 4, &err) ==
              GIAYTO_STATUS_STATUS_LIST && err, "bad status list");
    giayto_string_free(err);
    GiaytoVerifier *none = NULL;
    CHECK(giayto_verifier_from_trust_list((const uint8_t *)"k", 1, (const uint8_t *)"t", 1, &none,
                                          NULL) == GIAYTO_STATUS_ROOT_KEY && none == NULL,
          "bad root key");
    CHECK(strcmp(giayto_status_name(GIAYTO_STATUS_NO_CODE), "no_code") == 0, "status name");
    CHECK(strlen(giayto_version()) > 0, "version");
    giayto_verifier_free(verifier);
    giayto_verifier_free(NULL);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s TEST-VECTORS-DIR BAD-INPUTS.json [RESULTS.jsonl]\n", argv[0]);
        return 2;
    }
    if (argc > 3 && !(results = fopen(argv[3], "w"))) {
        perror(argv[3]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 2;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        run_suite(argv[1], names[i]);
        run_requests(argv[1], names[i]);
        free(names[i]);
    }
    run_bad_inputs(argv[1], argv[2]);
    if (results) fclose(results);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
