package vn.giayto.verify;

/**
 * A verifier's request that cannot be read or made (code {@code request}); {@link #reason()}
 * is its refusal code ({@code not_a_request}, {@code bad_item}, {@code duplicate_item},
 * {@code lifetime}, {@code bad_member}, {@code no_items}, {@code bad_doc_type}, ...: the codes
 * of test-vectors/requests.json and of the WASM build's {@code makeRequest}).
 */
public final class RequestException extends GiaytoException {
    private static final long serialVersionUID = 1L;
    private final String reason;
    private final String item;

    RequestException(String reason, String message, String item, String member) {
        super("request", message);
        this.reason = reason;
        this.item = item != null ? item : member;
    }

    /** The refusal code. */
    public String reason() {
        return reason;
    }

    /** The item or member the refusal names ({@code shoe_size}, {@code purpose}), or null. */
    public String item() {
        return item;
    }
}
