package vn.giayto.verify;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One verification: the members of {@code giayto verify --json} most callers need, and all of
 * them through {@link #toMap()} or {@link #json()} (docs/verify-result.schema.json).
 */
public final class VerifyResult {
    private final String json;
    private final Map<String, Object> map;

    VerifyResult(String json) {
        this.json = json;
        this.map = Collections.unmodifiableMap(Json.object(Json.parse(json)));
    }

    /** {@code valid}, {@code expired}, {@code revoked}, {@code held}, ... (a stable snake_case verdict). */
    public String verdict() {
        return (String) map.get("verdict");
    }

    /** Whether the verdict is {@code valid}. */
    public boolean valid() {
        return Boolean.TRUE.equals(map.get("valid"));
    }

    /** Why it was rejected (snake_case), or null when valid. */
    public String reason() {
        return (String) map.get("reason");
    }

    /** {@code cccd}, {@code gplx}, {@code vehicle}, {@code bhyt} once the signature verified, else null. */
    public String docType() {
        return (String) map.get("doc_type");
    }

    /** The document's fields (dates YYYY-MM-DD) once the signature verified, else null. */
    public Map<String, Object> fields() {
        Object f = map.get("fields");
        return f == null ? null : Json.object(f);
    }

    /** The issuer's id ({@code VN.BCA.C06}) once the signature verified, else null. */
    public String issuer() {
        return (String) map.get("issuer");
    }

    /** The issuer's names {@code {vi, en}} once the signature verified, else null. */
    public Map<String, Object> issuerName() {
        Object f = map.get("issuer_name");
        return f == null ? null : Json.object(f);
    }

    /** The credential's serial number (hex) once the signature verified, else null. */
    public String serial() {
        return (String) map.get("serial");
    }

    /** Warnings on an accepted credential ({@code [{code, ...}]}); empty otherwise. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> warnings() {
        Object w = map.get("warnings");
        return w == null ? Collections.emptyList() : (List<Map<String, Object>>) w;
    }

    /** Whether the code was a holder-signed presentation ({@code VP1:}). */
    public boolean presentation() {
        return Boolean.TRUE.equals(map.get("presentation"));
    }

    /** Every member, as {@code giayto verify --json} prints it. */
    public Map<String, Object> toMap() {
        return map;
    }

    /** The result as the library returned it (JSON text). */
    public String json() {
        return json;
    }

    @Override
    public String toString() {
        return "VerifyResult(" + verdict() + ", " + docType() + ", " + serial() + ")";
    }
}
