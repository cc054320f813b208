package vn.giayto.verify;

import com.sun.jna.ptr.PointerByReference;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A verifier's requests ({@code VR1:}, docs/format.md §15): make one to show the holder, read
 * one back. Check the holder's answer with {@link Verifier#checkAnswer(String, String, long)}.
 * The JSON is the one every binding gives (the WASM build's {@code makeRequest} and
 * {@code readRequest}, Python's {@code make_request} and {@code read_request}).
 */
public final class Requests {
    /** The C status {@code GIAYTO_STATUS_REQUEST}. */
    static final int STATUS_REQUEST = 12;

    private Requests() {}

    /** A request made: its text (to show as a QR code) and its parts. */
    public static final class Made {
        private final String text;
        private final Map<String, Object> request;

        Made(String text, Map<String, Object> request) {
            this.text = text;
            this.request = request;
        }

        /** The {@code VR1:} text. */
        public String text() {
            return text;
        }

        /** Its parts, as {@link Requests#read(String)} gives them. */
        public Map<String, Object> request() {
            return request;
        }
    }

    /**
     * Make a request at {@code now} (seconds since the epoch): the items required and optional
     * (field names of docs/format.md §4 or {@code age_over_NN}), the purpose and name the
     * wallet shows, a document type ({@code cccd}, {@code gplx}, {@code vehicle}, {@code bhyt},
     * or null for any), minutes it stays open (1 to 1440). The nonce is 16 bytes from the
     * operating system. Throws {@link RequestException} for what cannot be asked.
     */
    public static Made make(List<String> required, List<String> optional, String purpose,
            String verifierName, String docType, int minutes, long now) {
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        int s = Native.LIB.giayto_request_make(Native.cString(String.join(",", required)),
                Native.cString(String.join(",", optional)), Native.cString(purpose),
                Native.cString(verifierName), Native.cString(docType), minutes, now, out, err);
        String json = Native.take(out);
        Native.check(s, err);
        Map<String, Object> m = refusalOr(json);
        return new Made((String) m.get("text"), Collections.unmodifiableMap(Json.object(m.get("request"))));
    }

    /**
     * Read a request text: its parts ({@code verifier}, {@code purpose}, {@code required},
     * {@code optional}, {@code doc_type}, {@code nonce}, {@code issued_at}, {@code expires_at},
     * {@code expires_at_seconds}). Throws {@link RequestException} for a malformed one.
     */
    public static Map<String, Object> read(String text) {
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        int s = Native.LIB.giayto_request_read(Native.cString(text), out, err);
        String json = Native.take(out);
        Native.check(s, err);
        return Collections.unmodifiableMap(Json.object(refusalOr(json).get("request")));
    }

    private static Map<String, Object> refusalOr(String json) {
        Map<String, Object> m = Json.object(Json.parse(json));
        Object error = m.get("error");
        if (error != null) {
            Map<String, Object> e = Json.object(error);
            String code = (String) e.get("code");
            Object detail = e.get("message") != null ? e.get("message") : e.get("item");
            throw new RequestException(code, "request: " + code + (detail != null ? ": " + detail : ""),
                    (String) e.get("item"), (String) e.get("member"));
        }
        return m;
    }
}
