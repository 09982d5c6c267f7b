/*
 * The C ABI's signer handles and revocation defaults, driven by
 * crates/kyso-ffi/tests/c_abi_signer.rs:
 *
 *   signer verify PDF OPTIONS_JSON
 *       kyso_verify_file; prints "rc=N indication=..." (the test counts the OCSP requests
 *       its local responder saw).
 *   signer p12 P12_PATH PASSWORD INPUT WORK_DIR COUNT
 *       one kyso_signer_open_p12_file, COUNT documents signed into WORK_DIR/p12-I.pdf.
 *   signer pkcs11 OPTIONS_JSON INPUT WORK_DIR COUNT
 *       one kyso_signer_open_pkcs11 (one login), then two threads share the handle and sign
 *       COUNT documents each into WORK_DIR/token-T-I.pdf.
 *
 * Exits 0 when every call returned what it should, 1 otherwise, 2 on bad usage.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kyso.h"

struct job {
    kyso_signer *signer;
    const char *input, *work;
    int thread, count, failures;
};

static int sign_many(kyso_signer *signer, const char *input, const char *work, const char *prefix,
                     int count) {
    char out[4096];
    int i, failures = 0;
    for (i = 0; i < count; i++) {
        int rc;
        snprintf(out, sizeof out, "%s/%s-%d.pdf", work, prefix, i);
        rc = kyso_sign_file_with_signer(signer, input, out,
                                        "{\"reason\": \"K\xC3\xBD s\xE1\xBB\x91 h\xC3\xA0ng lo\xE1\xBA\xA1t\"}");
        if (rc != KYSO_OK) {
            fprintf(stderr, "sign %s: %d %s (%s)\n", out, rc, kyso_strerror(rc), kyso_last_error());
            failures++;
        }
    }
    return failures;
}

static void *token_thread(void *arg) {
    struct job *job = (struct job *)arg;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "token-%d", job->thread);
    job->failures = sign_many(job->signer, job->input, job->work, prefix, job->count);
    return NULL;
}

int main(int argc, char **argv) {
    kyso_signer *signer = NULL;
    int rc;
    if (argc >= 4 && strcmp(argv[1], "verify") == 0) {
        char *report = NULL;
        const char *indication = "none";
        rc = kyso_verify_file(argv[2], argv[3], &report);
        if (report != NULL) {
            if (strstr(report, "\"indication\": \"TOTAL-PASSED\"")) indication = "TOTAL-PASSED";
            else if (strstr(report, "\"indication\": \"TOTAL-FAILED\"")) indication = "TOTAL-FAILED";
            else if (strstr(report, "\"indication\": \"INDETERMINATE\"")) indication = "INDETERMINATE";
        }
        printf("rc=%d indication=%s\n", rc, indication);
        if (rc < 0) fprintf(stderr, "verify: %s\n", kyso_last_error());
        kyso_free(report);
        return rc < 0 ? 1 : 0;
    }
    if (argc == 7 && strcmp(argv[1], "p12") == 0) {
        int failures;
        rc = kyso_signer_open_p12_file(argv[2], argv[3], &signer);
        if (rc != KYSO_OK) {
            fprintf(stderr, "open p12: %d (%s)\n", rc, kyso_last_error());
            return 1;
        }
        failures = sign_many(signer, argv[4], argv[5], "p12", atoi(argv[6]));
        kyso_signer_close(signer);
        printf("p12: %d failures\n", failures);
        return failures == 0 ? 0 : 1;
    }
    if (argc == 6 && strcmp(argv[1], "pkcs11") == 0) {
        struct job jobs[2];
        pthread_t threads[2];
        int t, failures = 0;
        rc = kyso_signer_open_pkcs11(argv[2], &signer);
        if (rc != KYSO_OK) {
            fprintf(stderr, "open pkcs11: %d (%s)\n", rc, kyso_last_error());
            return 1;
        }
        for (t = 0; t < 2; t++) {
            jobs[t].signer = signer;
            jobs[t].input = argv[3];
            jobs[t].work = argv[4];
            jobs[t].thread = t;
            jobs[t].count = atoi(argv[5]);
            jobs[t].failures = 0;
            if (pthread_create(&threads[t], NULL, token_thread, &jobs[t]) != 0) return 1;
        }
        for (t = 0; t < 2; t++) {
            pthread_join(threads[t], NULL);
            failures += jobs[t].failures;
        }
        kyso_signer_close(signer);
        printf("pkcs11: %d failures\n", failures);
        return failures == 0 ? 0 : 1;
    }
    fprintf(stderr, "usage: signer verify PDF OPTIONS | p12 P12 PASSWORD INPUT WORK N | "
                    "pkcs11 OPTIONS INPUT WORK N\n");
    return 2;
}
