/*
 * Smoke test of the kyso C ABI (run by crates/kyso-ffi/tests/c_abi.rs, also under valgrind).
 *
 *   smoke FIXTURES_DIR WORK_DIR
 *
 * Signs fixtures/docs/congvan.pdf with fixtures/pki/agency.p12, verifies it (file, buffer, from
 * four threads at once), signs in memory, prepares a deferred signature, opens signer handles
 * (.p12 file and .p12 in memory) that sign several documents, checks the version macros, the
 * error codes and kyso_strerror, and frees everything. Prints "smoke: N passed, 0 failed" and
 * exits 0 when all is well. Also built with x86_64-w64-mingw32-gcc against kyso.dll and run
 * under Wine (scripts/test-windows.sh).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kyso.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        if (cond) {                                                                         \
            passed++;                                                                       \
        } else {                                                                            \
            failed++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
                    kyso_last_error());                                                     \
        }                                                                                   \
    } while (0)

static char fixtures[1024], work[1024];
static char verify_opts[4096];

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (unsigned char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void *verify_thread(void *arg) {
    const char *path = (const char *)arg;
    char *report = NULL;
    int rc = kyso_verify_file(path, verify_opts, &report);
    int ok = rc == KYSO_OK && report != NULL && strstr(report, "TOTAL-PASSED") != NULL &&
             kyso_last_error()[0] == '\0';
    kyso_free(report);
    return ok ? (void *)1 : NULL;
}

int main(int argc, char **argv) {
    char input[2048], signed_pdf[2048], sign_opts[4096], path[2048], opts[4096];
    char *report = NULL, *prepared = NULL;
    unsigned char *pdf, *out = NULL;
    size_t pdf_len = 0, out_len = 0;
    int rc, i;
    pthread_t threads[4];

    if (argc != 3) {
        fprintf(stderr, "usage: smoke FIXTURES_DIR WORK_DIR\n");
        return 2;
    }
    snprintf(fixtures, sizeof fixtures, "%s", argv[1]);
    snprintf(work, sizeof work, "%s", argv[2]);
    snprintf(input, sizeof input, "%s/docs/congvan.pdf", fixtures);
    snprintf(signed_pdf, sizeof signed_pdf, "%s/signed.pdf", work);
    snprintf(sign_opts, sizeof sign_opts,
             "{\"p12_path\": \"%s/pki/agency.p12\", \"p12_password\": \"\", "
             "\"reason\": \"Ph\xC3\xAA duy\xE1\xBB\x87t\", \"location\": \"H\xC3\xA0 N\xE1\xBB\x99i\"}",
             fixtures);
    snprintf(verify_opts, sizeof verify_opts,
             "{\"trust\": [\"%s/pki/root.pem\"], "
             "\"crls\": [\"%s/pki/intermediate.crl\", \"%s/pki/root.crl\"], \"lang\": \"en\"}",
             fixtures, fixtures, fixtures);

    CHECK(kyso_version() != NULL && kyso_version()[0] != '\0');
    printf("kyso %s\n", kyso_version());
    /* The header and the library agree; the macros are whole expressions. */
    CHECK(kyso_version_number() == KYSO_VERSION_NUMBER);
    CHECK(kyso_version_number() / 1000000 == KYSO_VERSION_MAJOR);
    CHECK(KYSO_VERSION_NUMBER ==
          KYSO_VERSION_MAJOR * 1000000 + KYSO_VERSION_MINOR * 1000 + KYSO_VERSION_PATCH);
    CHECK(0 - KYSO_ERR_IO == 2 && -KYSO_ERR_INTERNAL == 99);
    CHECK(strcmp(kyso_strerror(KYSO_OK), "success") == 0);
    CHECK(strstr(kyso_strerror(KYSO_ERR_KEY), "PIN") != NULL);
    CHECK(strstr(kyso_strerror(12345), "unknown") != NULL);

    /* Sign a file, verify it as a file and as a buffer. */
    rc = kyso_sign_file(input, signed_pdf, sign_opts);
    CHECK(rc == KYSO_OK);
    CHECK(kyso_last_error()[0] == '\0');
    rc = kyso_verify_file(signed_pdf, verify_opts, &report);
    CHECK(rc == KYSO_OK);
    CHECK(report != NULL && strstr(report, "\"indication\": \"TOTAL-PASSED\"") != NULL);
    kyso_free(report);
    report = NULL;

    pdf = read_file(signed_pdf, &pdf_len);
    CHECK(pdf != NULL);
    rc = kyso_verify_buffer(pdf, pdf_len, verify_opts, &report);
    CHECK(rc == KYSO_OK);
    kyso_free(report);
    report = NULL;
    free(pdf);

    /* Four threads verify at once. */
    for (i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, verify_thread, signed_pdf) == 0);
    for (i = 0; i < 4; i++) {
        void *ok = NULL;
        pthread_join(threads[i], &ok);
        CHECK(ok != NULL);
    }

    /* Sign in memory. */
    pdf = read_file(input, &pdf_len);
    CHECK(pdf != NULL);
    rc = kyso_sign_buffer(pdf, pdf_len, sign_opts, &out, &out_len);
    CHECK(rc == KYSO_OK);
    CHECK(out != NULL && out_len > pdf_len && memcmp(out, pdf, pdf_len) == 0);
    rc = kyso_verify_buffer(out, out_len, verify_opts, &report);
    CHECK(rc == KYSO_OK);
    kyso_free(report);
    report = NULL;
    kyso_free(out);
    out = NULL;

    /* An unsigned document: 4, with a report. */
    rc = kyso_verify_buffer(pdf, pdf_len, verify_opts, &report);
    CHECK(rc == KYSO_VERIFY_NO_SIGNATURE);
    CHECK(report != NULL);
    kyso_free(report);
    report = NULL;

    /* Error codes. */
    snprintf(path, sizeof path, "%s/missing.pdf", work);
    rc = kyso_verify_file(path, verify_opts, &report);
    CHECK(rc == KYSO_ERR_IO && report == NULL);
    CHECK(strstr(kyso_last_error(), "missing.pdf") != NULL);
    snprintf(path, sizeof path, "%s/pki/root.pem", fixtures);
    rc = kyso_verify_file(path, verify_opts, &report);
    CHECK(rc == KYSO_ERR_NOT_PDF && report == NULL);
    rc = kyso_verify_buffer((const uint8_t *)"hello", 5, NULL, &report);
    CHECK(rc == KYSO_ERR_NOT_PDF && report == NULL);
    CHECK(kyso_verify_file(NULL, verify_opts, &report) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_last_error()[0] != '\0');
    CHECK(kyso_verify_file(signed_pdf, verify_opts, NULL) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_verify_buffer(NULL, 10, verify_opts, &report) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_sign_file(input, NULL, sign_opts) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_sign_buffer(pdf, pdf_len, sign_opts, NULL, &out_len) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_complete(NULL, signed_pdf, (const uint8_t *)"x", 1, 0) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_prepare(input, signed_pdf, "{}", NULL) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_sign_file_with_callback(input, signed_pdf, NULL, "x", NULL, NULL) ==
          KYSO_ERR_INVALID_ARGUMENT);
    rc = kyso_verify_file(signed_pdf, "{\"trsut\": []}", &report);
    CHECK(rc == KYSO_ERR_INVALID_ARGUMENT && report == NULL);
    CHECK(strstr(kyso_last_error(), "trsut") != NULL);
    CHECK(kyso_verify_file(signed_pdf, "{not json", &report) == KYSO_ERR_INVALID_ARGUMENT);
    CHECK(kyso_verify_file(signed_pdf, "{\"lang\": \"fr\"}", &report) == KYSO_ERR_INVALID_ARGUMENT);
    snprintf(path, sizeof path, "%s/out-unknown.pdf", work);
    CHECK(kyso_sign_file(input, path, "{\"p12_path\": \"x.p12\", \"colour\": 1}") ==
          KYSO_ERR_INVALID_ARGUMENT);
    snprintf(opts, sizeof opts, "{\"p12_path\": \"%s/pki/agency.p12\", \"level\": \"B-T\"}",
             fixtures);
    CHECK(kyso_sign_file(input, path, opts) == KYSO_ERR_INVALID_ARGUMENT); /* no "tsa" */
    snprintf(opts, sizeof opts,
             "{\"p12_path\": \"%s/pki/agency.p12\", \"tsa\": \"http://127.0.0.1:9/tsa\"}",
             fixtures);
    CHECK(kyso_sign_file(input, path, opts) == KYSO_ERR_NETWORK); /* TSA unreachable */
    snprintf(opts, sizeof opts, "{\"p12_path\": \"%s/pki/agency.p12\", \"p12_password\": \"sai\"}",
             fixtures);
    CHECK(kyso_sign_file(input, path, opts) == KYSO_ERR_KEY);
    CHECK(kyso_sign_file(input, path, "{\"p12_path\": \"/nonexistent/key.p12\"}") == KYSO_ERR_IO);
    CHECK(kyso_sign_file(input, input, sign_opts) == KYSO_ERR_IO); /* never over the input */

    /* Deferred signing: prepare, then a wrong signature is refused. */
    snprintf(opts, sizeof opts, "{\"cert_path\": \"%s/pki/agency.pem\", \"reason\": \"test\"}",
             fixtures);
    snprintf(path, sizeof path, "%s/prepared.pdf", work);
    rc = kyso_prepare(input, path, opts, &prepared);
    CHECK(rc == KYSO_OK);
    CHECK(prepared != NULL && strstr(prepared, "to_be_signed_base64") != NULL);
    kyso_free(prepared);
    snprintf(signed_pdf, sizeof signed_pdf, "%s/completed.pdf", work);
    {
        uint8_t junk[256];
        memset(junk, 0x5a, sizeof junk);
        CHECK(kyso_complete(path, signed_pdf, junk, sizeof junk, 0) == KYSO_ERR_CRYPTO);
    }

    /* Signer handles: one key opened once, several documents. */
    {
        kyso_signer *signer = NULL, *mem_signer = NULL;
        unsigned char *p12;
        size_t p12_len = 0;
        char p12_path[2048], doc[2048];
        snprintf(p12_path, sizeof p12_path, "%s/pki/leader.p12", fixtures);
        rc = kyso_signer_open_p12_file(p12_path, "12345678", &signer);
        CHECK(rc == KYSO_OK && signer != NULL);
        for (i = 0; i < 3; i++) {
            snprintf(doc, sizeof doc, "%s/handle-%d.pdf", work, i);
            rc = kyso_sign_file_with_signer(signer, input, doc,
                                            "{\"reason\": \"Ph\xC3\xAA duy\xE1\xBB\x87t\"}");
            CHECK(rc == KYSO_OK);
            rc = kyso_verify_file(doc, verify_opts, &report);
            CHECK(rc == KYSO_OK);
            kyso_free(report);
            report = NULL;
        }
        /* Key options do not belong here: the handle is the key. */
        snprintf(doc, sizeof doc, "%s/handle-bad.pdf", work);
        CHECK(kyso_sign_file_with_signer(signer, input, doc, "{\"p12_path\": \"x.p12\"}") ==
              KYSO_ERR_INVALID_ARGUMENT);
        CHECK(kyso_sign_file_with_signer(NULL, input, doc, NULL) == KYSO_ERR_INVALID_ARGUMENT);
        kyso_signer_close(signer);
        kyso_signer_close(NULL);

        p12 = read_file(p12_path, &p12_len);
        CHECK(p12 != NULL);
        CHECK(kyso_signer_open_p12_buffer(p12, p12_len, "sai", &mem_signer) == KYSO_ERR_KEY &&
              mem_signer == NULL);
        rc = kyso_signer_open_p12_buffer(p12, p12_len, "12345678", &mem_signer);
        CHECK(rc == KYSO_OK && mem_signer != NULL);
        free(p12);
        for (i = 0; i < 2; i++) {
            rc = kyso_sign_buffer_with_signer(mem_signer, pdf, pdf_len, NULL, &out, &out_len);
            CHECK(rc == KYSO_OK && out != NULL && out_len > pdf_len);
            rc = kyso_verify_buffer(out, out_len, verify_opts, &report);
            CHECK(rc == KYSO_OK);
            kyso_free(report);
            report = NULL;
            kyso_free(out);
            out = NULL;
        }
        kyso_signer_close(mem_signer);
        CHECK(kyso_signer_open_p12_buffer(NULL, 0, NULL, &mem_signer) == KYSO_ERR_INVALID_ARGUMENT);
        CHECK(kyso_signer_open_p12_file(p12_path, "12345678", NULL) == KYSO_ERR_INVALID_ARGUMENT);
        snprintf(doc, sizeof doc, "%s/pki/nonexistent.p12", fixtures);
        CHECK(kyso_signer_open_p12_file(doc, NULL, &signer) == KYSO_ERR_IO && signer == NULL);
    }

    free(pdf);
    kyso_free(NULL);
    printf("smoke: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
