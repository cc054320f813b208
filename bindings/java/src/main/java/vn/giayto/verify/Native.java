package vn.giayto.verify;

import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** The C ABI of libgiayto_verify_ffi (crates/giayto-verify-ffi/include/giayto_verify.h). */
final class Native {
    private Native() {}

    /**
     * C {@code size_t}: 64 bits on arm64 and x86_64, 32 bits on 32-bit ARM. Public with a public
     * no-argument constructor because JNA makes instances of it by reflection.
     */
    public static final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(com.sun.jna.Native.SIZE_T_SIZE, value, true);
        }
    }

    interface Lib extends Library {
        int giayto_verifier_from_trust_list(byte[] root, SizeT rootLen, byte[] trust, SizeT trustLen,
                PointerByReference out, PointerByReference outError);

        int giayto_verifier_from_bundle(byte[] root, SizeT rootLen, byte[] bundle, SizeT bundleLen,
                PointerByReference out, PointerByReference outError);

        int giayto_verifier_add_status_list(Pointer verifier, byte[] token, SizeT tokenLen,
                PointerByReference outError);

        int giayto_verifier_set_accept_missing_status(Pointer verifier, int accept);

        int giayto_verifier_verify(Pointer verifier, byte[] input, SizeT inputLen, byte[] optionsJson,
                PointerByReference outJson, PointerByReference outError);

        int giayto_verifier_check_answer(Pointer verifier, byte[] answer, SizeT answerLen, byte[] request,
                long now, PointerByReference outJson, PointerByReference outError);

        int giayto_request_make(byte[] required, byte[] optional, byte[] purpose, byte[] verifierName,
                byte[] docType, int minutes, long now, PointerByReference outJson, PointerByReference outError);

        int giayto_request_read(byte[] text, PointerByReference outJson, PointerByReference outError);

        void giayto_verifier_free(Pointer verifier);

        void giayto_string_free(Pointer s);

        String giayto_status_name(int status);

        String giayto_version();
    }

    /** The library, loaded once: {@code jna.library.path}, then the system's (Android: jniLibs). */
    static final Lib LIB = com.sun.jna.Native.load("giayto_verify_ffi", Lib.class);

    /** A NUL-terminated UTF-8 string for the library; null stays null. */
    static byte[] cString(String s) {
        return s == null ? null : (s + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A library-owned string as Java text, then freed. */
    static String take(PointerByReference ref) {
        Pointer p = ref.getValue();
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            LIB.giayto_string_free(p);
        }
    }

    /** Throw for a status other than 0, with the library's message (freed). */
    static void check(int status, PointerByReference error) {
        String message = take(error);
        if (status != 0) {
            throw new GiaytoException(LIB.giayto_status_name(status),
                    message != null ? message : LIB.giayto_status_name(status));
        }
    }
}
