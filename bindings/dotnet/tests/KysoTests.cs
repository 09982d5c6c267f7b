// The .NET binding's tests: the shared vectors (bindings/test-vectors.json), extraction and
// deferred signing (with the openssl command). A plain program (no test framework in Debian's
// Mono): prints each test, exits 1 when one fails.
//
//   mono KysoTests.exe REPO_ROOT
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace Kyso.Tests
{
    static class Program
    {
        static string Repo;
        static string Tmp;
        static int passed, failed;

        static int Main(string[] args)
        {
            Repo = Path.GetFullPath(args[0]);
            Tmp = Path.Combine(Path.GetTempPath(), "kyso-dotnet-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Tmp);
            try
            {
                var vectors = (JObject)Expand(Json.Parse(File.ReadAllText(Path.Combine(Repo, "bindings", "test-vectors.json"))));
                Run("version", () => Assert(KysoPdf.Version.Split('.').Length == 3, "version " + KysoPdf.Version));
                foreach (JObject v in (List<object>)vectors["verify"])
                    Run("verify: " + v["name"], () => VerifyVector(v));
                foreach (JObject v in (List<object>)vectors["sign"])
                    Run("sign: " + v["name"], () => SignVector(v));
                foreach (JObject v in (List<object>)vectors["errors"])
                    Run("error: " + v["name"], () => ErrorVector(v));
                var visible = (List<object>)((JObject)((List<object>)vectors["sign"])[1])["steps"];
                var verifyOptions = (JObject)((JObject)((List<object>)vectors["sign"])[0])["verify_options"];
                Run("extract the first signed version", () => Extract(visible));
                Run("deferred signing with openssl", () => Deferred(verifyOptions));
                Run("callback signer (openssl signs)", () => Callback(verifyOptions));
            }
            finally
            {
                Directory.Delete(Tmp, true);
            }
            Console.WriteLine("dotnet: " + passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }

        static void Run(string name, Action test)
        {
            try
            {
                test();
                passed++;
                Console.WriteLine("ok   " + name);
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine("FAIL " + name + ": " + e);
            }
        }

        static void Assert(bool ok, string what)
        {
            if (!ok) throw new Exception("assertion failed: " + what);
        }

        static object Expand(object v)
        {
            if (v is string) return ((string)v).Replace("{repo}", Repo);
            if (v is JObject)
            {
                var o = (JObject)v;
                var r = new JObject();
                foreach (var k in o.Order) r.Add(k, Expand(o[k]));
                return r;
            }
            if (v is List<object>) return ((List<object>)v).Select(Expand).ToList();
            return v;
        }

        static object Get(JObject o, string key) => o.ContainsKey(key) ? o[key] : null;

        static void Check(Verification result, JObject vec)
        {
            var report = (JObject)Json.Parse(result.ReportJson);
            Assert(result.Code == (int)(double)vec["code"], "code " + result.Code + " != " + vec["code"]);
            if (vec.ContainsKey("indication"))
                Assert((string)report["indication"] == (string)vec["indication"], "indication " + report["indication"]);
            var sigs = (List<object>)report["signatures"];
            if (vec.ContainsKey("signers"))
            {
                var names = sigs.Select(s => (string)((JObject)((JObject)s)["signer"])["common_name"]).ToList();
                var want = ((List<object>)vec["signers"]).Cast<string>().ToList();
                Assert(names.SequenceEqual(want), "signers " + string.Join(" | ", names));
            }
            if (vec.ContainsKey("signatures"))
            {
                var want = (List<object>)vec["signatures"];
                Assert(sigs.Count >= want.Count, "signature count");
                for (int i = 0; i < want.Count; i++)
                    foreach (var kv in (JObject)want[i])
                        Assert(Equals(((JObject)sigs[i])[kv.Key], kv.Value), kv.Key + " = " + ((JObject)sigs[i])[kv.Key]);
            }
        }

        static void VerifyVector(JObject vec)
        {
            string pdf = (string)vec["pdf"];
            if (vec.ContainsKey("copy_as"))
            {
                var copy = Path.Combine(Tmp, (string)vec["copy_as"]);
                File.Copy(pdf, copy, true);
                pdf = copy;
            }
            string options = Json.Write(vec["options"]);
            if (true.Equals(Get(vec, "buffer")))
            {
                var data = File.ReadAllBytes(pdf);
                if (vec.ContainsKey("flip_byte")) data[(int)(double)vec["flip_byte"]] ^= 1;
                Check(KysoPdf.VerifyBuffer(data, options), vec);
            }
            else
                Check(KysoPdf.VerifyFile(pdf, options), vec);
        }

        static void SignVector(JObject vec)
        {
            var steps = ((List<object>)vec["steps"]).Select(Json.Write).ToList();
            string verify = Json.Write(vec["verify_options"]);
            string current = (string)vec["pdf"];
            for (int i = 0; i < steps.Count; i++)
            {
                string output = Path.Combine(Tmp, Guid.NewGuid().ToString("N") + ".pdf");
                KysoPdf.SignFile(current, output, steps[i]);
                current = output;
            }
            Check(KysoPdf.VerifyFile(current, verify), vec);
            var data = File.ReadAllBytes((string)vec["pdf"]);
            foreach (var step in steps) data = KysoPdf.SignBuffer(data, step);
            Assert(data[0] == '%' && data[1] == 'P', "a PDF");
            Check(KysoPdf.VerifyBuffer(data, verify), vec);
        }

        static void ErrorVector(JObject vec)
        {
            string output = Path.Combine(Tmp, Guid.NewGuid().ToString("N") + ".pdf");
            try
            {
                switch ((string)vec["call"])
                {
                    case "verify_file": KysoPdf.VerifyFile((string)vec["pdf"], Json.Write(vec["options"])); break;
                    case "sign_file": KysoPdf.SignFile((string)vec["pdf"], output, Json.Write(vec["options"])); break;
                    default: throw new Exception("unknown call " + vec["call"]);
                }
            }
            catch (KysoException e)
            {
                Assert(e.Code == (int)(double)vec["error"], "code " + e.Code);
                Assert((int)e.Kind == e.Code, "kind " + e.Kind);
                Assert(e.Message.Contains((string)vec["message"]), "message " + e.Message);
                Assert(!File.Exists(output), "no output");
                return;
            }
            throw new Exception("no KysoException");
        }

        static void Extract(List<object> steps)
        {
            string one = Path.Combine(Tmp, "one.pdf"), two = Path.Combine(Tmp, "two.pdf"), first = Path.Combine(Tmp, "first.pdf");
            KysoPdf.SignFile(Path.Combine(Repo, "fixtures/docs/congvan.pdf"), one, Json.Write(steps[0]));
            KysoPdf.SignFile(one, two, Json.Write(steps[1]));
            var result = (JObject)Json.Parse(KysoPdf.ExtractFile(two, first, "{\"signature\": 1}"));
            Assert((double)result["signature"] == 1, "signature 1");
            Assert(File.ReadAllBytes(first).SequenceEqual(File.ReadAllBytes(one)), "the first signed version");
        }

        static byte[] OpensslSign(byte[] data)
        {
            string pki = Path.Combine(Repo, "fixtures", "pki");
            string tbs = Path.Combine(Tmp, Guid.NewGuid().ToString("N")), sig = tbs + ".sig";
            File.WriteAllBytes(tbs, data);
            var p = Process.Start(new ProcessStartInfo("openssl",
                "dgst -sha256 -sign \"" + Path.Combine(pki, "leader.key.pem") + "\" -out \"" + sig + "\" \"" + tbs + "\"") { UseShellExecute = false });
            p.WaitForExit();
            Assert(p.ExitCode == 0, "openssl");
            return File.ReadAllBytes(sig);
        }

        static void Callback(JObject verifyOptions)
        {
            string pki = Path.Combine(Repo, "fixtures", "pki");
            string pem = File.ReadAllText(Path.Combine(pki, "leader.pem")) + File.ReadAllText(Path.Combine(pki, "chain.pem"));
            string input = Path.Combine(Repo, "fixtures/docs/congvan.pdf"), output = Path.Combine(Tmp, "callback.pdf");
            int calls = 0;
            KysoPdf.SignFileWithCallback(input, output, "{\"reason\": \"Ký qua token\"}", pem, tbs => { calls++; return OpensslSign(tbs); });
            Assert(calls == 1, "one call");
            var v = KysoPdf.VerifyFile(output, Json.Write(verifyOptions));
            Assert(v.IsPassed, "callback signature passes");
            var sig0 = (JObject)((List<object>)((JObject)Json.Parse(v.ReportJson))["signatures"])[0];
            Assert((string)sig0["reason"] == "Ký qua token", "reason");
            try
            {
                KysoPdf.SignFileWithCallback(input, Path.Combine(Tmp, "no.pdf"), null, pem, tbs => throw new UnauthorizedAccessException("PIN refused"));
                throw new Exception("a refusing signer signed");
            }
            catch (KysoException e)
            {
                Assert(e.Kind == KysoError.Key && e.InnerException is UnauthorizedAccessException, "key error with the cause, got " + e);
                Assert(!File.Exists(Path.Combine(Tmp, "no.pdf")), "no output");
            }
            try
            {
                KysoPdf.SignFileWithCallback(input, Path.Combine(Tmp, "bad.pdf"), null, pem, tbs => new byte[256]);
                throw new Exception("a wrong signature value was embedded");
            }
            catch (KysoException e)
            {
                Assert(e.Kind == KysoError.Crypto, "crypto error, got " + e.Kind);
            }
        }

        static void Deferred(JObject verifyOptions)
        {
            string pki = Path.Combine(Repo, "fixtures", "pki");
            string prepared = Path.Combine(Tmp, "prepared.pdf"), signed = Path.Combine(Tmp, "deferred.pdf");
            var opts = new JObject();
            opts.Add("cert_path", Path.Combine(pki, "leader.pem"));
            opts.Add("chain_path", Path.Combine(pki, "chain.pem"));
            opts.Add("reason", "Ký số");
            var job = (JObject)Json.Parse(KysoPdf.Prepare(Path.Combine(Repo, "fixtures/docs/congvan.pdf"), prepared, Json.Write(opts)));
            string tbs = Path.Combine(Tmp, "tbs.der"), sig = Path.Combine(Tmp, "sig.bin");
            File.WriteAllBytes(tbs, Convert.FromBase64String((string)job["to_be_signed_base64"]));
            var p = Process.Start(new ProcessStartInfo("openssl",
                "dgst -sha256 -sign \"" + Path.Combine(pki, "leader.key.pem") + "\" -out \"" + sig + "\" \"" + tbs + "\"") { UseShellExecute = false });
            p.WaitForExit();
            Assert(p.ExitCode == 0, "openssl");
            KysoPdf.Complete(prepared, signed, File.ReadAllBytes(sig));
            Assert(KysoPdf.VerifyFile(signed, Json.Write(verifyOptions)).IsPassed, "deferred signature passes");
            try
            {
                KysoPdf.Complete(prepared, Path.Combine(Tmp, "bad.pdf"), new byte[256]);
                throw new Exception("a zero signature was accepted");
            }
            catch (KysoException e)
            {
                Assert(e.Kind == KysoError.Crypto, "crypto error, got " + e.Kind);
            }
        }
    }
}
