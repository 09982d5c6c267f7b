// kyso for .NET: sign and verify PDF documents (PAdES, Vietnamese Decree 30/2020 layouts)
// through libkyso's C ABI (crates/kyso-ffi/include/kyso.h). One file, no dependency; builds
// with Mono's mcs and as the Kyso.csproj package for .NET 6+.
//
//   KysoPdf.SignFile("in.pdf", "out.pdf",
//       "{\"p12_path\": \"leader.p12\", \"p12_password\": \"...\", \"role\": \"leader\", \"image\": \"chu-ky.png\"}");
//   Verification v = KysoPdf.VerifyFile("out.pdf", "{\"trust\": [\"root.pem\"]}");
//   v.Code (0 passed, 1 failed, 3 indeterminate, 4 no signature), v.ReportJson
//
// Options are JSON text (the keys of kyso.h; an unknown key is an error), so any JSON library
// builds them. Errors throw KysoException carrying kyso's code. Strings cross the boundary as
// NUL-terminated UTF-8 byte arrays (not LPUTF8Str, which .NET Framework and old Mono lack).

using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Kyso
{
    /// <summary>kyso's error codes (kyso.h KYSO_ERR_*).</summary>
    public enum KysoError
    {
        InvalidArgument = -1,
        Io = -2,
        NotPdf = -3,
        Crypto = -4,
        Key = -5,
        Network = -6,
        NotSupported = -7,
        Internal = -99,
    }

    /// <summary>A failed libkyso call: <see cref="Code"/> is kyso's negative error code.</summary>
    public class KysoException : Exception
    {
        public int Code { get; }
        public KysoError Kind { get; }

        public KysoException(int code, string message, Exception inner = null)
            : base("kyso error " + code + " (" + KindOf(code) + "): " + message, inner)
        {
            Code = code;
            Kind = KindOf(code);
        }

        static KysoError KindOf(int code) =>
            Enum.IsDefined(typeof(KysoError), code) ? (KysoError)code : KysoError.Internal;
    }

    /// <summary>The result of a verification: the code as <c>kyso verify</c> and the JSON
    /// report (<c>kyso verify --json</c>).</summary>
    public sealed class Verification
    {
        public const int Passed = 0, Failed = 1, Indeterminate = 3, NoSignature = 4;
        public int Code { get; }
        public string ReportJson { get; }
        public bool IsPassed => Code == Passed;

        internal Verification(int code, string report)
        {
            Code = code;
            ReportJson = report;
        }
    }

    /// <summary>Memory libkyso returned (a report, a signed PDF): freed with kyso_free, once,
    /// even when the caller forgets or an exception unwinds.</summary>
    public sealed class KysoMemory : SafeHandle
    {
        public KysoMemory() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            Native.kyso_free(handle);
            return true;
        }

        /// <summary>The NUL-terminated UTF-8 text at the handle ("" when NULL).</summary>
        public string ReadUtf8() => IsInvalid ? "" : KysoPdf.Utf8At(handle);

        /// <summary>A copy of <paramref name="length"/> bytes at the handle.</summary>
        public byte[] ReadBytes(long length)
        {
            var bytes = new byte[length];
            if (length > 0)
                Marshal.Copy(handle, bytes, 0, checked((int)length));
            return bytes;
        }
    }

    static class Native
    {
        const string Lib = "kyso"; // libkyso.so / kyso.dll / libkyso.dylib

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr kyso_version();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr kyso_last_error();
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void kyso_free(IntPtr p);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_verify_file(byte[] path, byte[] options, out KysoMemory report);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_verify_buffer(byte[] pdf, UIntPtr len, byte[] options, out KysoMemory report);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_extract_file(byte[] input, byte[] options, byte[] output, out KysoMemory result);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_sign_file(byte[] input, byte[] output, byte[] options);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_sign_buffer(byte[] pdf, UIntPtr len, byte[] options, out KysoMemory output, out UIntPtr outputLen);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_prepare(byte[] input, byte[] output, byte[] options, out KysoMemory prepared);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate int SignCallback(IntPtr user, IntPtr toBeSigned, UIntPtr len, IntPtr signature, ref UIntPtr signatureLen);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_sign_file_with_callback(byte[] input, byte[] output, byte[] options, byte[] certificatePem, SignCallback cb, IntPtr user);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int kyso_complete(byte[] prepared, byte[] output, byte[] signature, UIntPtr len, int isCms);
    }

    /// <summary>The functions of libkyso. Thread-safe, as the C ABI.</summary>
    public static class KysoPdf
    {
        // TODO(#17 item 3): check the numeric runtime version (major) against the one this
        // wrapper was written for once kyso.h exports it; and wrap the signer handle
        // (kyso_signer_open_p12/_pkcs11, kyso_sign_*_with_signer, kyso_signer_close) as a
        // KysoSigner : SafeHandle, IDisposable, so a token is logged into once.

        /// <summary>The library's version, e.g. "0.1.0".</summary>
        public static string Version => Utf8At(Native.kyso_version());

        /// <summary>Verifies every signature of the PDF at <paramref name="path"/>. Offline
        /// unless the options say <c>"offline": false</c>.</summary>
        public static Verification VerifyFile(string path, string optionsJson = null)
        {
            int rc = Native.kyso_verify_file(Z(path), Z(optionsJson), out KysoMemory report);
            using (report)
                return new Verification(Check(rc), report.ReadUtf8());
        }

        /// <summary>As <see cref="VerifyFile"/>, for a PDF in memory.</summary>
        public static Verification VerifyBuffer(byte[] pdf, string optionsJson = null)
        {
            if (pdf == null) throw new ArgumentNullException(nameof(pdf));
            int rc = Native.kyso_verify_buffer(pdf, (UIntPtr)pdf.Length, Z(optionsJson), out KysoMemory report);
            using (report)
                return new Verification(Check(rc), report.ReadUtf8());
        }

        /// <summary>Signs <paramref name="input"/> into <paramref name="output"/> (a new file,
        /// written atomically; never the input).</summary>
        public static void SignFile(string input, string output, string optionsJson)
        {
            Check(Native.kyso_sign_file(Z(input), Z(output), Z(optionsJson)));
        }

        /// <summary>Signs a PDF in memory; returns the signed PDF.</summary>
        public static byte[] SignBuffer(byte[] pdf, string optionsJson)
        {
            if (pdf == null) throw new ArgumentNullException(nameof(pdf));
            int rc = Native.kyso_sign_buffer(pdf, (UIntPtr)pdf.Length, Z(optionsJson), out KysoMemory output, out UIntPtr len);
            using (output)
            {
                Check(rc);
                return output.ReadBytes((long)len.ToUInt64());
            }
        }

        /// <summary>Writes the signed version of one signature (<c>{"signature": N}</c> or
        /// <c>{"field": "name"}</c>); returns the result JSON.</summary>
        public static string ExtractFile(string input, string output, string optionsJson)
        {
            int rc = Native.kyso_extract_file(Z(input), Z(optionsJson), Z(output), out KysoMemory result);
            using (result)
            {
                Check(rc);
                return result.ReadUtf8();
            }
        }

        /// <summary>Deferred signing, step 1: returns what must be signed (JSON).</summary>
        public static string Prepare(string input, string output, string optionsJson)
        {
            int rc = Native.kyso_prepare(Z(input), Z(output), Z(optionsJson), out KysoMemory prepared);
            using (prepared)
            {
                Check(rc);
                return prepared.ReadUtf8();
            }
        }

        /// <summary>Deferred signing, step 2: embeds the signature value (or a whole CMS).</summary>
        public static void Complete(string prepared, string output, byte[] signature, bool isCms = false)
        {
            if (signature == null) throw new ArgumentNullException(nameof(signature));
            Check(Native.kyso_complete(Z(prepared), Z(output), signature, (UIntPtr)signature.Length, isCms ? 1 : 0));
        }

        /// <summary>Signs with a key the caller holds (a token through its middleware, the
        /// Windows certificate store's RSA/ECDsa, an HSM): <paramref name="sign"/> gets the
        /// bytes to be signed (the DER of the CMS signed attributes) and returns their signature
        /// value, hashed with the options' "hash" (default SHA-256): RSA PKCS#1 v1.5 (PSS with
        /// "pss"), or ECDSA. <paramref name="certificatePem"/>: the signer's certificate, then
        /// its chain. An exception thrown by <paramref name="sign"/> aborts the signing and
        /// becomes the InnerException of the KysoException (Key).</summary>
        public static void SignFileWithCallback(string input, string output, string optionsJson,
            string certificatePem, Func<byte[], byte[]> sign)
        {
            if (sign == null) throw new ArgumentNullException(nameof(sign));
            Exception raised = null;
            Native.SignCallback trampoline = (IntPtr user, IntPtr tbs, UIntPtr len, IntPtr signature, ref UIntPtr signatureLen) =>
            {
                try
                {
                    var data = new byte[checked((int)len.ToUInt64())];
                    Marshal.Copy(tbs, data, 0, data.Length);
                    var value = sign(data) ?? throw new InvalidOperationException("the signer returned null");
                    if ((ulong)value.Length > signatureLen.ToUInt64())
                        throw new InvalidOperationException("the signature is larger than kyso's buffer");
                    Marshal.Copy(value, 0, signature, value.Length);
                    signatureLen = (UIntPtr)value.Length;
                    return 0;
                }
                catch (Exception e) // never unwind through C
                {
                    raised = e;
                    return 1;
                }
            };
            int rc = Native.kyso_sign_file_with_callback(Z(input), Z(output), Z(optionsJson), Z(certificatePem), trampoline, IntPtr.Zero);
            GC.KeepAlive(trampoline);
            if (rc < 0 && raised != null)
                throw new KysoException(rc, Utf8At(Native.kyso_last_error()), raised);
            Check(rc);
        }

        static int Check(int rc)
        {
            if (rc < 0)
                throw new KysoException(rc, Utf8At(Native.kyso_last_error()));
            return rc;
        }

        /// <summary>NUL-terminated UTF-8 (null stays null: kyso's defaults).</summary>
        static byte[] Z(string s)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0)
                throw new ArgumentException("a string for kyso must not contain NUL");
            var n = Encoding.UTF8.GetByteCount(s);
            var bytes = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        internal static string Utf8At(IntPtr p)
        {
            if (p == IntPtr.Zero) return "";
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            var bytes = new byte[n];
            Marshal.Copy(p, bytes, 0, n);
            return Encoding.UTF8.GetString(bytes);
        }
    }
}
