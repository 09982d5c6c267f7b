import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.kyso.Kyso;
import vn.kyso.KysoException;
import vn.kyso.Verification;

/**
 * The Java binding's tests: the shared vectors (bindings/test-vectors.json), extraction and
 * deferred signing (with the openssl command). A plain program (no JUnit download): prints each
 * test, exits 1 when one fails. {@code java -cp ... KysoTest REPO_ROOT}
 */
@SuppressWarnings("unchecked")
public final class KysoTest {
    static Path repo;
    static Path tmp;
    static int passed, failed;

    interface Test {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        repo = Paths.get(args[0]).toAbsolutePath().normalize();
        tmp = Files.createTempDirectory("kyso-java-");
        try {
            Map<String, Object> vectors = (Map<String, Object>) expand(Json.parse(
                    new String(Files.readAllBytes(repo.resolve("bindings/test-vectors.json")), StandardCharsets.UTF_8)));
            run("version", () -> check(Kyso.version().split("\\.").length == 3, "version " + Kyso.version()));
            for (Object v : (List<Object>) vectors.get("verify")) {
                Map<String, Object> vec = (Map<String, Object>) v;
                run("verify: " + vec.get("name"), () -> verifyVector(vec));
            }
            for (Object v : (List<Object>) vectors.get("sign")) {
                Map<String, Object> vec = (Map<String, Object>) v;
                run("sign: " + vec.get("name"), () -> signVector(vec));
            }
            for (Object v : (List<Object>) vectors.get("errors")) {
                Map<String, Object> vec = (Map<String, Object>) v;
                run("error: " + vec.get("name"), () -> errorVector(vec));
            }
            List<Object> signs = (List<Object>) vectors.get("sign");
            List<Object> visible = (List<Object>) ((Map<String, Object>) signs.get(1)).get("steps");
            Object verifyOptions = ((Map<String, Object>) signs.get(0)).get("verify_options");
            run("extract the first signed version", () -> extract(visible));
            run("deferred signing with openssl", () -> deferred(verifyOptions));
            run("callback signer (openssl signs)", () -> callback(verifyOptions));
        } finally {
            try (java.util.stream.Stream<Path> walk = Files.walk(tmp)) {
                walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println("java: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    static void run(String name, Test t) {
        try {
            t.run();
            passed++;
            System.out.println("ok   " + name);
        } catch (Throwable e) {
            failed++;
            System.out.println("FAIL " + name + ": " + e);
            e.printStackTrace(System.out);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static Object expand(Object v) {
        if (v instanceof String) {
            return ((String) v).replace("{repo}", repo.toString());
        }
        if (v instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) v).forEach((k, x) -> out.put(k, expand(x)));
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            ((List<Object>) v).forEach(x -> out.add(expand(x)));
            return out;
        }
        return v;
    }

    static int num(Object o) {
        return ((Double) o).intValue();
    }

    static void checkResult(Verification result, Map<String, Object> vec) {
        Map<String, Object> report = (Map<String, Object>) Json.parse(result.reportJson());
        check(result.code() == num(vec.get("code")), "code " + result.code() + " != " + vec.get("code"));
        if (vec.containsKey("indication")) {
            check(vec.get("indication").equals(report.get("indication")), "indication " + report.get("indication"));
        }
        List<Object> sigs = (List<Object>) report.get("signatures");
        if (vec.containsKey("signers")) {
            List<Object> names = new ArrayList<>();
            for (Object s : sigs) {
                names.add(((Map<String, Object>) ((Map<String, Object>) s).get("signer")).get("common_name"));
            }
            check(names.equals(vec.get("signers")), "signers " + names);
        }
        if (vec.containsKey("signatures")) {
            List<Object> want = (List<Object>) vec.get("signatures");
            check(sigs.size() >= want.size(), "signature count");
            for (int i = 0; i < want.size(); i++) {
                Map<String, Object> got = (Map<String, Object>) sigs.get(i);
                for (Map.Entry<String, Object> e : ((Map<String, Object>) want.get(i)).entrySet()) {
                    check(e.getValue().equals(got.get(e.getKey())), e.getKey() + " = " + got.get(e.getKey()));
                }
            }
        }
    }

    static void verifyVector(Map<String, Object> vec) throws IOException {
        Path pdf = Paths.get((String) vec.get("pdf"));
        if (vec.containsKey("copy_as")) {
            Path copy = tmp.resolve((String) vec.get("copy_as"));
            Files.copy(pdf, copy, StandardCopyOption.REPLACE_EXISTING);
            pdf = copy;
        }
        String options = Json.write(vec.get("options"));
        if (Boolean.TRUE.equals(vec.get("buffer"))) {
            byte[] data = Files.readAllBytes(pdf);
            if (vec.containsKey("flip_byte")) {
                data[num(vec.get("flip_byte"))] ^= 1;
            }
            checkResult(Kyso.verifyBuffer(data, options), vec);
        } else {
            checkResult(Kyso.verifyFile(pdf, options), vec);
        }
    }

    static void signVector(Map<String, Object> vec) throws IOException {
        List<String> steps = new ArrayList<>();
        for (Object s : (List<Object>) vec.get("steps")) {
            steps.add(Json.write(s));
        }
        String verify = Json.write(vec.get("verify_options"));
        Path current = Paths.get((String) vec.get("pdf"));
        for (String step : steps) {
            Path out = Files.createTempFile(tmp, "signed-", ".pdf");
            Files.delete(out);
            Kyso.signFile(current, out, step);
            current = out;
        }
        checkResult(Kyso.verifyFile(current, verify), vec);
        byte[] data = Files.readAllBytes(Paths.get((String) vec.get("pdf")));
        for (String step : steps) {
            data = Kyso.signBuffer(data, step);
        }
        check(data[0] == '%' && data[1] == 'P', "a PDF");
        checkResult(Kyso.verifyBuffer(data, verify), vec);
    }

    static void errorVector(Map<String, Object> vec) {
        Path out = tmp.resolve("error-out.pdf");
        try {
            String options = Json.write(vec.get("options"));
            switch ((String) vec.get("call")) {
                case "verify_file": Kyso.verifyFile(Paths.get((String) vec.get("pdf")), options); break;
                case "sign_file": Kyso.signFile(Paths.get((String) vec.get("pdf")), out, options); break;
                default: throw new AssertionError("unknown call " + vec.get("call"));
            }
        } catch (KysoException e) {
            check(e.code() == num(vec.get("error")), "code " + e.code());
            check(e.kind().code == e.code(), "kind " + e.kind());
            check(e.detail().contains((String) vec.get("message")), "message " + e.getMessage());
            check(!Files.exists(out), "no output");
            return;
        }
        throw new AssertionError("no KysoException");
    }

    static void extract(List<Object> steps) throws IOException {
        Path one = tmp.resolve("one.pdf"), two = tmp.resolve("two.pdf"), first = tmp.resolve("first.pdf");
        Kyso.signFile(repo.resolve("fixtures/docs/congvan.pdf"), one, Json.write(steps.get(0)));
        Kyso.signFile(one, two, Json.write(steps.get(1)));
        Map<String, Object> result = (Map<String, Object>) Json.parse(Kyso.extractFile(two, first, "{\"signature\": 1}"));
        check(num(result.get("signature")) == 1, "signature 1");
        check(Arrays.equals(Files.readAllBytes(first), Files.readAllBytes(one)), "the first signed version");
    }

    static byte[] opensslSign(byte[] data) {
        try {
            Path tbs = Files.createTempFile(tmp, "tbs-", ".der"), sig = tmp.resolve(tbs.getFileName() + ".sig");
            Files.write(tbs, data);
            Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-sign",
                    repo.resolve("fixtures/pki/leader.key.pem").toString(), "-out", sig.toString(), tbs.toString())
                    .inheritIO().start();
            check(p.waitFor() == 0, "openssl");
            return Files.readAllBytes(sig);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static void callback(Object verifyOptions) throws IOException {
        Path pki = repo.resolve("fixtures/pki");
        String pem = new String(Files.readAllBytes(pki.resolve("leader.pem")), StandardCharsets.UTF_8)
                + new String(Files.readAllBytes(pki.resolve("chain.pem")), StandardCharsets.UTF_8);
        Path input = repo.resolve("fixtures/docs/congvan.pdf"), out = tmp.resolve("callback.pdf");
        int[] calls = {0};
        Kyso.signFileWithCallback(input, out, "{\"reason\": \"Ký qua token\"}", pem, tbs -> {
            calls[0]++;
            return opensslSign(tbs);
        });
        check(calls[0] == 1, "one call");
        Verification v = Kyso.verifyFile(out, Json.write(verifyOptions));
        check(v.passed(), "callback signature passes");
        Map<String, Object> sig0 = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) Json.parse(v.reportJson())).get("signatures")).get(0);
        check("Ký qua token".equals(sig0.get("reason")), "reason");
        try {
            Kyso.signFileWithCallback(input, tmp.resolve("no.pdf"), null, pem, tbs -> {
                throw new SecurityException("PIN refused");
            });
            throw new AssertionError("a refusing signer signed");
        } catch (KysoException e) {
            check(e.kind() == KysoException.Kind.KEY && e.getCause() instanceof SecurityException, "key error with the cause, got " + e);
            check(!Files.exists(tmp.resolve("no.pdf")), "no output");
        }
        try {
            Kyso.signFileWithCallback(input, tmp.resolve("bad.pdf"), null, pem, tbs -> new byte[256]);
            throw new AssertionError("a wrong signature value was embedded");
        } catch (KysoException e) {
            check(e.kind() == KysoException.Kind.CRYPTO, "crypto error, got " + e.kind());
        }
    }

    static void deferred(Object verifyOptions) throws Exception {
        Path pki = repo.resolve("fixtures/pki");
        Path prepared = tmp.resolve("prepared.pdf"), signed = tmp.resolve("deferred.pdf");
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("cert_path", pki.resolve("leader.pem").toString());
        opts.put("chain_path", pki.resolve("chain.pem").toString());
        opts.put("reason", "Ký số");
        Map<String, Object> job = (Map<String, Object>) Json.parse(
                Kyso.prepare(repo.resolve("fixtures/docs/congvan.pdf"), prepared, Json.write(opts)));
        Path tbs = tmp.resolve("tbs.der"), sig = tmp.resolve("sig.bin");
        Files.write(tbs, Base64.getDecoder().decode((String) job.get("to_be_signed_base64")));
        Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-sign", pki.resolve("leader.key.pem").toString(),
                "-out", sig.toString(), tbs.toString()).inheritIO().start();
        check(p.waitFor() == 0, "openssl");
        Kyso.complete(prepared, signed, Files.readAllBytes(sig), false);
        check(Kyso.verifyFile(signed, Json.write(verifyOptions)).passed(), "deferred signature passes");
        try {
            Kyso.complete(prepared, tmp.resolve("bad.pdf"), new byte[256], false);
            throw new AssertionError("a zero signature was accepted");
        } catch (KysoException e) {
            check(e.kind() == KysoException.Kind.CRYPTO, "crypto error, got " + e.kind());
        }
    }
}
