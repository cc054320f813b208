package vn.giayto.verify;

/**
 * Unusable input: never a verdict (every QR text gets a verdict instead). {@link #code()} is the
 * stable snake_case code C ({@code giayto_status_name}) and Python ({@code e.code}) give for the
 * same error: {@code root_key}, {@code trust_list}, {@code bundle}, {@code status_list},
 * {@code options}, {@code nonce}, {@code not_text}, {@code image}, {@code no_code},
 * {@code too_large}, {@code request} ({@link RequestException}), {@code random},
 * {@code null_argument}, {@code internal}, {@code closed}.
 */
public class GiaytoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public GiaytoException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The stable snake_case code. */
    public String code() {
        return code;
    }
}
