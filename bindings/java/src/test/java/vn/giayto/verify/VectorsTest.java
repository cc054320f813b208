package vn.giayto.verify;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every test vector through the Java library (over the C ABI), unusable input, close() and
 * sharing across threads. A plain program (no test framework to install):
 *
 * <pre>java -Djna.library.path=target/release -cp CLASSES:/usr/share/java/jna.jar \
 *   vn.giayto.verify.VectorsTest test-vectors bindings/conformance/bad-inputs.json [results.jsonl]</pre>
 *
 * The suite rule is the one every binding's runner uses (bindings/conformance). Prints
 * "N passed, N failed"; exit status 1 on any failure.
 */
public final class VectorsTest {
    private static int passed;
    private static int failed;

    private static void check(boolean ok, String what) {
        if (ok) {
            passed++;
        } else {
            failed++;
            System.err.println("FAIL " + what);
        }
    }

    private static byte[] hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static String line(String suite, String vector, String resultJson, String error) {
        return "{\"binding\":\"java\",\"suite\":" + Json.quote(suite) + ",\"vector\":" + Json.quote(vector)
                + (resultJson != null ? ",\"result\":" + resultJson : ",\"error\":" + Json.quote(error)) + "}";
    }

    private static Verifier suiteVerifier(Path dir, Map<String, Object> suite) throws IOException {
        Object root = suite.get("root_public_key");
        Object trust = suite.get("trust_list");
        if (root instanceof String && trust instanceof String) {
            return Verifier.fromTrustList(hex((String) root), hex((String) trust));
        }
        return Verifier.fromBundle(Files.readAllBytes(dir.resolve("root.pub")),
                Files.readAllBytes(dir.resolve("bundle.cbor")));
    }

    private static List<?> list(Object o) {
        return o instanceof List ? (List<?>) o : List.of();
    }

    private static void requests(Path dir, String suiteName, Map<String, Object> suite, List<String> lines)
            throws IOException {
        int count = 0;
        List<?> answers = list(suite.get("answers"));
        try (Verifier verifier = suiteVerifier(dir, suite)) {
            for (Object o : answers) {
                Map<String, Object> a = Json.object(o);
                String name = (String) a.get("name");
                String want = (String) a.get("verdict");
                VerifyResult r = verifier.checkAnswer((String) a.get("text"), (String) a.get("request"),
                        ((Number) a.get("at")).longValue());
                check(want.equals(r.verdict()), name + ": verdict " + r.verdict() + ", want " + want);
                if (r.valid()) {
                    check(new java.util.HashSet<>(list(a.get("disclosed"))).equals(r.fields().keySet())
                            && r.fields().size() == list(a.get("disclosed")).size(), name + ": disclosed fields");
                }
                lines.add(line(suiteName, name, r.json(), null));
                count++;
            }
            Map<String, Object> first = answers.isEmpty() ? null : Json.object(answers.get(0));
            for (Object o : list(suite.get("bad_requests"))) {
                Map<String, Object> b = Json.object(o);
                String name = (String) b.get("name");
                String want = (String) b.get("error");
                String got;
                try {
                    Requests.read((String) b.get("text"));
                    got = "none";
                } catch (RequestException e) {
                    got = e.reason();
                    check("request".equals(e.code()), name + ": code " + e.code());
                }
                check(want.equals(got), name + ": " + got + ", want " + want);
                lines.add(line(suiteName + ".bad", name, null, got));
                if (first != null) {
                    try {
                        verifier.checkAnswer((String) first.get("text"), (String) b.get("text"),
                                ((Number) first.get("at")).longValue());
                        check(false, name + ": checkAnswer against it did not throw");
                    } catch (RequestException e) {
                        check(want.equals(e.reason()) && "request".equals(e.code()),
                                name + ": checkAnswer reason " + e.reason());
                    }
                }
                count++;
            }
            if (first != null) {
                long at = ((Number) first.get("at")).longValue();
                Requests.Made made = Requests.make(List.of("full_name", "age_over_18"), List.of("id_number"),
                        "Đăng ký lưu trú", "Khách sạn Hoa Sen", "cccd", 10, at);
                check(made.text().startsWith("VR1:"), "made: text");
                check(made.request().equals(Requests.read(made.text())), "made: reads back the same");
                check(List.of("id_number").equals(made.request().get("optional")), "made: optional");
                check(((String) made.request().get("nonce")).length() == 32, "made: nonce");
                check(!made.request().get("nonce").equals(Requests.make(List.of("full_name"), List.of(), "p", "v",
                        null, 10, at).request().get("nonce")), "made: fresh nonces");
                VerifyResult r = verifier.checkAnswer((String) first.get("text"), made.text(), at);
                check("wrong_request".equals(r.verdict()), "made: another request's answer " + r.verdict());
                try {
                    Requests.make(List.of("shoe_size"), List.of(), "p", "v", null, 10, at);
                    check(false, "made: unknown item accepted");
                } catch (RequestException e) {
                    check("bad_item".equals(e.reason()) && "shoe_size".equals(e.item()), "made: bad_item");
                }
                try {
                    Requests.make(List.of("full_name"), List.of(), "p", "v", null, 0, at);
                    check(false, "made: zero minutes accepted");
                } catch (RequestException e) {
                    check("lifetime".equals(e.reason()), "made: lifetime");
                }
            }
        }
        System.out.println(suiteName + ": " + count + " answers and bad requests");
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: VectorsTest TEST-VECTORS-DIR BAD-INPUTS.json [RESULTS.jsonl]");
            System.exit(2);
        }
        Path dir = Paths.get(args[0]);
        List<String> lines = new ArrayList<>();
        File[] files = dir.toFile().listFiles((d, n) -> n.endsWith(".json"));
        java.util.Arrays.sort(Objects.requireNonNull(files));
        List<Object[]> shared = new ArrayList<>();
        for (File f : files) {
            Map<String, Object> suite = Json.object(Json.parse(
                    new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8)));
            if (!(suite.get("vectors") instanceof List)) {
                continue;
            }
            String suiteName = f.getName().replaceAll("\\.json$", "");
            int count = 0;
            for (Object o : (List<?>) suite.get("vectors")) {
                Map<String, Object> v = Json.object(o);
                String name = (String) v.get("name");
                String want = (String) v.get("verdict");
                Verifier.Options opts = Verifier.Options.DEFAULT.at(((Number) v.get("at")).longValue());
                if (v.get("policy") != null) {
                    opts = opts.policy((String) v.get("policy"));
                }
                if (v.get("nonce") != null) {
                    opts = opts.nonce((String) v.get("nonce"));
                }
                try (Verifier verifier = suiteVerifier(dir, suite)) {
                    if (Boolean.TRUE.equals(v.get("accept_missing_status"))) {
                        verifier.setAcceptMissingStatus(true);
                    }
                    VerifyResult r = verifier.verify((String) v.get("text"), opts);
                    check(want.equals(r.verdict()), name + ": verdict " + r.verdict() + ", want " + want);
                    check(r.valid() == want.equals("valid"), name + ": valid");
                    check(r.presentation() == ((String) v.get("text")).startsWith("VP1:"), name + ": presentation");
                    if (v.get("fields") != null && r.valid()) {
                        check(v.get("fields").equals(r.fields()), name + ": fields");
                        check(r.serial() != null && r.serial().matches("[0-9a-f]{16,32}"), name + ": serial");
                        check(r.issuer() != null && r.issuerName().get("vi") != null, name + ": issuer");
                    }
                    lines.add(line(suiteName, name, r.json(), null));
                    if (!Boolean.TRUE.equals(v.get("accept_missing_status"))) {
                        shared.add(new Object[] {suiteName, v.get("text"), opts, want});
                    }
                }
                count++;
            }
            System.out.println(suiteName + ": " + count + " vectors");
        }

        // Request suites (requests.json): answers checked against their requests, bad requests
        // refused with their codes, a request made here read back.
        for (File f : files) {
            Map<String, Object> suite = Json.object(Json.parse(
                    new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8)));
            if (!(suite.get("answers") instanceof List) && !(suite.get("bad_requests") instanceof List)) {
                continue;
            }
            requests(dir, f.getName().replaceAll("\\.json$", ""), suite, lines);
        }

        // Unusable input: the CLI's outcome, an error code or a verdict; never a crash.
        Map<String, Object> bad = Json.object(Json.parse(
                new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8)));
        Verifier.Options at = Verifier.Options.DEFAULT.at(((Number) bad.get("at")).longValue());
        try (Verifier verifier = suiteVerifier(dir, Map.of())) {
            for (Object o : (List<?>) bad.get("inputs")) {
                Map<String, Object> item = Json.object(o);
                String name = (String) item.get("name");
                String got;
                try {
                    VerifyResult r = verifier.verify(hex((String) item.get("hex")), at);
                    got = "verdict:" + r.verdict();
                    lines.add(line("bad_inputs", name, r.json(), null));
                } catch (GiaytoException e) {
                    got = "error:" + e.code();
                    check(e.getMessage() != null && !e.getMessage().isEmpty(), name + ": message");
                    lines.add(line("bad_inputs", name, null, e.code()));
                }
                check(got.equals(item.get("expect")), name + ": " + got + ", want " + item.get("expect"));
            }
            for (String[] c : new String[][] {{"{\"policy\":\"bank\"}", "options"}, {"nonce", "nonce"}}) {
                try {
                    Verifier.Options o = c[1].equals("nonce") ? at.nonce("xyz") : at.policy("bank");
                    verifier.verify("VN1:", o);
                    check(false, c[1] + ": no exception");
                } catch (GiaytoException e) {
                    check(c[1].equals(e.code()), c[1] + ": code " + e.code());
                }
            }
            try {
                verifier.addStatusList("nope".getBytes(StandardCharsets.UTF_8));
                check(false, "bad status list accepted");
            } catch (GiaytoException e) {
                check("status_list".equals(e.code()), "status list code " + e.code());
            }
            check(verifier.verify("https://example.invalid").verdict().equals("not_a_credential"), "clock time");
        }
        try {
            Verifier.fromTrustList(new byte[] {1, 2}, new byte[] {3});
            check(false, "bad root key accepted");
        } catch (GiaytoException e) {
            check("root_key".equals(e.code()), "root key code " + e.code());
        }
        Verifier closed = suiteVerifier(dir, Map.of());
        closed.close();
        closed.close();
        try {
            closed.verify("VN1:");
            check(false, "verify after close");
        } catch (GiaytoException e) {
            check("closed".equals(e.code()), "closed code");
        }
        check(!Verifier.libraryVersion().isEmpty(), "version");

        // One verifier per suite shared by four threads: the same verdicts.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Verifier creds = suiteVerifier(dir, Json.object(Json.parse(new String(
                Files.readAllBytes(dir.resolve("credentials.json")), StandardCharsets.UTF_8))))) {
            List<Future<Boolean>> jobs = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (Object[] c : shared) {
                    if (!"credentials".equals(c[0])) {
                        continue;
                    }
                    jobs.add(pool.submit(() -> creds.verify((String) c[1], (Verifier.Options) c[2])
                            .verdict().equals(c[3])));
                }
            }
            check(!jobs.isEmpty(), "threads: jobs");
            for (Future<Boolean> j : jobs) {
                check(j.get(), "threads: same verdict");
            }
        } finally {
            pool.shutdown();
        }

        if (args.length > 2) {
            try (PrintWriter w = new PrintWriter(args[2], "UTF-8")) {
                for (String l : lines) {
                    w.println(l);
                }
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
