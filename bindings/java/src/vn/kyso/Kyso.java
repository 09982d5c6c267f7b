package vn.kyso;

import com.sun.jna.Callback;
import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * kyso for Java: sign and verify PDF documents (PAdES, Vietnamese Decree 30/2020 layouts)
 * through libkyso's C ABI (kyso.h), with JNA.
 *
 * <pre>
 * Kyso.signFile(in, out, "{\"p12_path\": \"leader.p12\", \"p12_password\": \"...\", \"role\": \"leader\", \"image\": \"chu-ky.png\"}");
 * Verification v = Kyso.verifyFile(out, "{\"trust\": [\"root.pem\"]}");
 * </pre>
 *
 * Options are JSON text with the keys of kyso.h (an unknown key is an error); failures throw
 * {@link KysoException} with kyso's code. Strings cross as NUL-terminated UTF-8 whatever
 * {@code jna.encoding} says; everything libkyso returns is copied and freed with kyso_free.
 * The library is {@code kyso} on JNA's search path ({@code jna.library.path}, the system's),
 * or the file named by {@code -Dkyso.library=} / {@code $KYSO_LIBRARY}.
 */
public final class Kyso {
    private Kyso() {}

    /** size_t. */
    public static final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }

        /** A size_t out parameter. */
        public static final class ByReference extends com.sun.jna.ptr.ByReference {
            public ByReference() {
                super(Native.SIZE_T_SIZE);
            }

            public SizeT getValue() {
                Pointer p = getPointer();
                return new SizeT(Native.SIZE_T_SIZE == 8 ? p.getLong(0) : p.getInt(0) & 0xffffffffL);
            }
        }
    }

    /** The C functions, as declared in kyso.h (strings as UTF-8 byte arrays). */
    interface Lib extends Library {
        Pointer kyso_version();

        Pointer kyso_last_error();

        void kyso_free(Pointer p);

        int kyso_verify_file(byte[] path, byte[] options, PointerByReference report);

        int kyso_verify_buffer(byte[] pdf, SizeT len, byte[] options, PointerByReference report);

        int kyso_extract_file(byte[] input, byte[] options, byte[] output, PointerByReference result);

        int kyso_sign_file(byte[] input, byte[] output, byte[] options);

        int kyso_sign_buffer(byte[] pdf, SizeT len, byte[] options, PointerByReference out, SizeT.ByReference outLen);

        int kyso_prepare(byte[] input, byte[] output, byte[] options, PointerByReference prepared);

        int kyso_complete(byte[] prepared, byte[] output, byte[] signature, SizeT len, int isCms);

        /** kyso.h kyso_sign_callback. */
        interface SignCallback extends Callback {
            int invoke(Pointer user, Pointer toBeSigned, SizeT len, Pointer signature, Pointer signatureLen);
        }

        int kyso_sign_file_with_callback(byte[] input, byte[] output, byte[] options, byte[] certificatePem,
                SignCallback cb, Pointer user);
    }

    private static final Lib LIB = load();

    private static Lib load() {
        String explicit = System.getProperty("kyso.library", System.getenv("KYSO_LIBRARY"));
        return Native.load(explicit != null && !explicit.isEmpty() ? explicit : "kyso", Lib.class);
        // TODO(#17 item 3): check the numeric runtime version (major) once kyso.h exports it;
        // and wrap the signer handle (kyso_signer_open_p12/_pkcs11, kyso_sign_*_with_signer,
        // kyso_signer_close) as an AutoCloseable KysoSigner, so a token is logged into once.
    }

    /** The library's version, e.g. "0.1.0". */
    public static String version() {
        return utf8(LIB.kyso_version());
    }

    /** Verifies every signature of the PDF at {@code path} (offline unless {"offline": false}). */
    public static Verification verifyFile(Path path, String optionsJson) {
        PointerByReference report = new PointerByReference();
        int rc = LIB.kyso_verify_file(z(path.toString()), z(optionsJson), report);
        return verification(rc, report);
    }

    /** As {@link #verifyFile}, for a PDF in memory. */
    public static Verification verifyBuffer(byte[] pdf, String optionsJson) {
        PointerByReference report = new PointerByReference();
        int rc = LIB.kyso_verify_buffer(pdf, new SizeT(pdf.length), z(optionsJson), report);
        return verification(rc, report);
    }

    /** Signs {@code input} into {@code output} (a new file, written atomically; never the input). */
    public static void signFile(Path input, Path output, String optionsJson) {
        check(LIB.kyso_sign_file(z(input.toString()), z(output.toString()), z(optionsJson)));
    }

    /** Signs a PDF in memory; returns the signed PDF. */
    public static byte[] signBuffer(byte[] pdf, String optionsJson) {
        PointerByReference out = new PointerByReference();
        SizeT.ByReference len = new SizeT.ByReference();
        int rc = LIB.kyso_sign_buffer(pdf, new SizeT(pdf.length), z(optionsJson), out, len);
        try {
            check(rc);
            return out.getValue().getByteArray(0, Math.toIntExact(len.getValue().longValue()));
        } finally {
            LIB.kyso_free(out.getValue());
        }
    }

    /** Writes the signed version of one signature ({"signature": N} or {"field": "name"}); returns the result JSON. */
    public static String extractFile(Path input, Path output, String optionsJson) {
        PointerByReference result = new PointerByReference();
        int rc = LIB.kyso_extract_file(z(input.toString()), z(optionsJson), z(output.toString()), result);
        return text(rc, result);
    }

    /** Deferred signing, step 1: what must be signed (JSON). */
    public static String prepare(Path input, Path output, String optionsJson) {
        PointerByReference result = new PointerByReference();
        int rc = LIB.kyso_prepare(z(input.toString()), z(output.toString()), z(optionsJson), result);
        return text(rc, result);
    }

    /** Deferred signing, step 2: embeds the signature value (or a whole CMS when {@code isCms}). */
    public static void complete(Path prepared, Path output, byte[] signature, boolean isCms) {
        check(LIB.kyso_complete(z(prepared.toString()), z(output.toString()), signature,
                new SizeT(signature.length), isCms ? 1 : 0));
    }

    /**
     * Signs with a key the caller holds (a token through its middleware, an HSM, a KeyStore's
     * PrivateKey): {@code sign} gets the bytes to be signed (the DER of the CMS signed
     * attributes) and returns their signature value, hashed with the options' "hash" (default
     * SHA-256): RSA PKCS#1 v1.5 ({@code SHA256withRSA}; PSS with "pss") or ECDSA
     * ({@code SHA256withECDSA}). {@code certificatePem}: the signer's certificate, then its chain.
     * An exception thrown by {@code sign} aborts the signing and becomes the cause of the
     * KysoException (KEY).
     */
    public static void signFileWithCallback(Path input, Path output, String optionsJson, String certificatePem,
            UnaryOperator<byte[]> sign) {
        Throwable[] raised = new Throwable[1];
        Lib.SignCallback trampoline = (user, tbs, len, signature, signatureLen) -> {
            try {
                byte[] value = sign.apply(tbs.getByteArray(0, Math.toIntExact(len.longValue())));
                long capacity = Native.SIZE_T_SIZE == 8 ? signatureLen.getLong(0) : signatureLen.getInt(0) & 0xffffffffL;
                if (value == null || value.length > capacity) {
                    throw new IllegalStateException("no signature, or one larger than kyso's buffer");
                }
                signature.write(0, value, 0, value.length);
                if (Native.SIZE_T_SIZE == 8) {
                    signatureLen.setLong(0, value.length);
                } else {
                    signatureLen.setInt(0, value.length);
                }
                return 0;
            } catch (Throwable e) { // never unwind through C
                raised[0] = e;
                return 1;
            }
        };
        int rc = LIB.kyso_sign_file_with_callback(z(input.toString()), z(output.toString()), z(optionsJson),
                z(certificatePem), trampoline, null);
        if (rc < 0 && raised[0] != null) {
            throw new KysoException(rc, utf8(LIB.kyso_last_error()), raised[0]);
        }
        check(rc);
    }

    private static Verification verification(int rc, PointerByReference report) {
        try {
            check(rc);
            return new Verification(rc, utf8(report.getValue()));
        } finally {
            LIB.kyso_free(report.getValue());
        }
    }

    private static String text(int rc, PointerByReference result) {
        try {
            check(rc);
            return utf8(result.getValue());
        } finally {
            LIB.kyso_free(result.getValue());
        }
    }

    private static int check(int rc) {
        if (rc < 0) {
            throw new KysoException(rc, utf8(LIB.kyso_last_error()));
        }
        return rc;
    }

    /** NUL-terminated UTF-8; null stays null (kyso's defaults). */
    private static byte[] z(String s) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a string for kyso must not contain NUL");
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static String utf8(Pointer p) {
        if (p == null) {
            return "";
        }
        long n = 0;
        while (p.getByte(n) != 0) {
            n++;
        }
        return new String(p.getByteArray(0, Math.toIntExact(n)), StandardCharsets.UTF_8);
    }
}
