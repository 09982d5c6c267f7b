package vn.kyso;

/** A failed libkyso call: {@link #code()} is kyso's negative error code (kyso.h KYSO_ERR_*). */
public class KysoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** kyso's error codes. */
    public enum Kind {
        INVALID_ARGUMENT(-1), IO(-2), NOT_PDF(-3), CRYPTO(-4), KEY(-5), NETWORK(-6),
        NOT_SUPPORTED(-7), INTERNAL(-99);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return INTERNAL;
        }
    }

    private final int code;
    private final Kind kind;
    private final String detail;

    public KysoException(int code, String message) {
        this(code, message, null);
    }

    /** With the exception a signing callback threw. */
    public KysoException(int code, String message, Throwable cause) {
        super("kyso error " + code + " (" + Kind.of(code) + "): " + message, cause);
        this.code = code;
        this.kind = Kind.of(code);
        this.detail = message;
    }

    public int code() {
        return code;
    }

    public Kind kind() {
        return kind;
    }

    /** kyso_last_error()'s message. */
    public String detail() {
        return detail;
    }
}
