package vn.giayto.verify;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A giayto verifier over the C ABI (libgiayto_verify_ffi, loaded with JNA): pinned root key,
 * trust list or bundle, status lists. {@link #verify(String)} never throws for any text: every
 * outcome is a verdict; {@link GiaytoException} means unusable input.
 *
 * <p>Thread safety: one Verifier may be shared by threads; verifications run in parallel, and
 * {@link #close()} waits for those running, after which calls throw (code {@code closed}).
 */
public final class Verifier implements AutoCloseable {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Pointer handle;

    private Verifier(Pointer handle) {
        this.handle = handle;
    }

    private static Native.SizeT len(byte[] b) {
        return new Native.SizeT(b == null ? 0 : b.length);
    }

    /** From the root key (PEM text, 64 hex digits or 32 raw bytes) and a signed trust list. */
    public static Verifier fromTrustList(byte[] rootKey, byte[] trustList) {
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        int s = Native.LIB.giayto_verifier_from_trust_list(rootKey, len(rootKey), trustList,
                len(trustList), out, err);
        Native.check(s, err);
        return new Verifier(out.getValue());
    }

    /** From the root key and an offline bundle (trust list and status lists). */
    public static Verifier fromBundle(byte[] rootKey, byte[] bundle) {
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        int s = Native.LIB.giayto_verifier_from_bundle(rootKey, len(rootKey), bundle, len(bundle),
                out, err);
        Native.check(s, err);
        return new Verifier(out.getValue());
    }

    private Pointer live() {
        if (handle == null) {
            throw new GiaytoException("closed", "verifier: closed");
        }
        return handle;
    }

    /** Add a signed status list (a {@code .statuslist.cwt} file's bytes). */
    public void addStatusList(byte[] token) {
        lock.readLock().lock();
        try {
            PointerByReference err = new PointerByReference();
            Native.check(Native.LIB.giayto_verifier_add_status_list(live(), token, len(token), err), err);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Accept a credential whose status list is not held, with a warning (default: stale_status). */
    public void setAcceptMissingStatus(boolean accept) {
        lock.readLock().lock();
        try {
            Native.check(Native.LIB.giayto_verifier_set_accept_missing_status(live(), accept ? 1 : 0),
                    new PointerByReference());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Verify a scanned QR text now, for a third party (bank, hotel, clinic). */
    public VerifyResult verify(String text) {
        return verify(text.getBytes(StandardCharsets.UTF_8), Options.DEFAULT);
    }

    /** Verify a scanned QR text with these options. */
    public VerifyResult verify(String text, Options options) {
        return verify(text.getBytes(StandardCharsets.UTF_8), options);
    }

    /** Verify bytes: a PNG/JPEG photo of the code, or UTF-8 text. */
    public VerifyResult verify(byte[] input, Options options) {
        byte[] opts = (options.toJson() + "\0").getBytes(StandardCharsets.UTF_8);
        lock.readLock().lock();
        try {
            PointerByReference out = new PointerByReference();
            PointerByReference err = new PointerByReference();
            int s = Native.LIB.giayto_verifier_verify(live(), input, len(input), opts, out, err);
            String json = Native.take(out);
            Native.check(s, err);
            return new VerifyResult(json);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Check a holder's answer (a {@code VP1:} text) against {@code request}, the {@code VR1:}
     * text this verifier showed, at {@code at} (seconds since the epoch), third-party policy
     * (docs/format.md §15.4): the same result as {@link #verify(String)}, with the verdicts
     * {@code wrong_request}, {@code request_expired} and {@code incomplete_answer} besides the
     * others. Throws {@link RequestException} for a request text that cannot be read.
     */
    public VerifyResult checkAnswer(String answer, String request, long at) {
        return checkAnswer(answer.getBytes(StandardCharsets.UTF_8), request, at);
    }

    /** {@link #checkAnswer(String, String, long)} for bytes: UTF-8 text or a PNG/JPEG photo. */
    public VerifyResult checkAnswer(byte[] answer, String request, long at) {
        lock.readLock().lock();
        try {
            PointerByReference out = new PointerByReference();
            PointerByReference err = new PointerByReference();
            int s = Native.LIB.giayto_verifier_check_answer(live(), answer, len(answer),
                    Native.cString(request), at, out, err);
            String json = Native.take(out);
            if (s == Requests.STATUS_REQUEST) {
                String message = Native.take(err);
                // The refusal code, as reading the request alone gives it.
                Requests.read(request);
                throw new RequestException("request", message, null, null);
            }
            Native.check(s, err);
            return new VerifyResult(json);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Release the native verifier; waits for verifications running. Calling it again does nothing. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != null) {
                Native.LIB.giayto_verifier_free(handle);
                handle = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The native library's version. */
    public static String libraryVersion() {
        return Native.LIB.giayto_version();
    }

    /** How one verification runs: time, policy, nonce. Immutable. */
    public static final class Options {
        /** Now, for a third party, no nonce. */
        public static final Options DEFAULT = new Options(null, "third-party", null);
        private final Long at;
        private final String policy;
        private final String nonceHex;

        private Options(Long at, String policy, String nonceHex) {
            this.at = at;
            this.policy = policy;
            this.nonceHex = nonceHex;
        }

        /** Check at this time (seconds since the epoch) instead of now. */
        public Options at(long seconds) {
            return new Options(seconds, policy, nonceHex);
        }

        /** {@code third-party} (default) or {@code checkpoint}. */
        public Options policy(String name) {
            return new Options(at, name, nonceHex);
        }

        /** The challenge this verifier showed (hex): only a presentation carrying it is valid. */
        public Options nonce(String hex) {
            return new Options(at, policy, hex);
        }

        String toJson() {
            StringBuilder b = new StringBuilder("{");
            if (at != null) {
                b.append("\"at\":").append(at.longValue());
            }
            if (policy != null) {
                b.append(b.length() > 1 ? "," : "").append("\"policy\":").append(Json.quote(policy));
            }
            if (nonceHex != null) {
                b.append(b.length() > 1 ? "," : "").append("\"nonce\":").append(Json.quote(nonceHex));
            }
            return b.append('}').toString();
        }
    }
}
