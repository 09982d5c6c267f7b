package vn.kyso;

/** A verification's code as {@code kyso verify} and its JSON report ({@code kyso verify --json}). */
public final class Verification {
    public static final int PASSED = 0, FAILED = 1, INDETERMINATE = 3, NO_SIGNATURE = 4;

    private final int code;
    private final String reportJson;

    Verification(int code, String reportJson) {
        this.code = code;
        this.reportJson = reportJson;
    }

    /** 0 passed, 1 failed, 3 indeterminate, 4 no signature. */
    public int code() {
        return code;
    }

    public String reportJson() {
        return reportJson;
    }

    public boolean passed() {
        return code == PASSED;
    }
}
