<?php
// kyso for PHP: sign and verify PDF documents (PAdES, Vietnamese Decree 30/2020 layouts)
// through libkyso's C ABI (kyso.h), with PHP's FFI extension (php.ini: ffi.enable=true, or
// "preload" with the CLI).
//
//   use Kyso\Kyso;
//   Kyso::signFile('in.pdf', 'out.pdf', ['p12_path' => 'leader.p12', 'p12_password' => $pw,
//                                       'role' => 'leader', 'image' => 'chu-ky.png']);
//   $v = Kyso::verifyFile('out.pdf', ['trust' => ['root.pem']]);
//   $v->code; $v->indication(); $v->report['signatures'][0]['signer']['common_name'];
//
// Options are arrays (or JSON text) with the keys of kyso.h; an unknown key is an error.
// Failures throw Kyso\KysoException with kyso's code. The library: $KYSO_LIBRARY, else
// libkyso.so.0 / libkyso.so / kyso.dll / libkyso.dylib through the system's loader.

declare(strict_types=1);

namespace Kyso;

final class KysoException extends \RuntimeException
{
    /** Names of kyso's negative codes (kyso.h KYSO_ERR_*). */
    public const KINDS = [
        -1 => 'INVALID_ARGUMENT', -2 => 'IO', -3 => 'NOT_PDF', -4 => 'CRYPTO', -5 => 'KEY',
        -6 => 'NETWORK', -7 => 'NOT_SUPPORTED', -99 => 'INTERNAL',
    ];

    public readonly string $kind;
    public readonly string $detail;

    public function __construct(int $code, string $detail, ?\Throwable $previous = null)
    {
        $this->kind = self::KINDS[$code] ?? 'INTERNAL';
        $this->detail = $detail;
        parent::__construct("kyso error $code ({$this->kind}): $detail", $code, $previous);
    }
}

/** A verification: the code as `kyso verify` (0 passed, 1 failed, 3 indeterminate, 4 no
 * signature) and the decoded report (`kyso verify --json`). */
final class Verification
{
    public const PASSED = 0, FAILED = 1, INDETERMINATE = 3, NO_SIGNATURE = 4;

    public function __construct(public readonly int $code, public readonly array $report)
    {
    }

    public function indication(): string
    {
        return $this->report['indication'] ?? '';
    }

    public function passed(): bool
    {
        return $this->code === self::PASSED;
    }
}

final class Kyso
{
    // kyso.h's functions. Byte buffers are declared `const char *` (the same ABI as
    // `const uint8_t *`) so PHP strings pass without a copy into FFI memory.
    private const CDEF = <<<'C'
        typedef int (*kyso_sign_callback)(void *user, const uint8_t *to_be_signed, size_t len, uint8_t *signature, size_t *signature_len);
        int kyso_sign_file_with_callback(const char *input_path, const char *output_path, const char *options_json, const char *certificate_pem, kyso_sign_callback cb, void *user);
        const char *kyso_version(void);
        const char *kyso_last_error(void);
        void kyso_free(void *p);
        int kyso_verify_file(const char *pdf_path, const char *options_json, char **report_json);
        int kyso_verify_buffer(const char *pdf, size_t len, const char *options_json, char **report_json);
        int kyso_extract_file(const char *input_path, const char *options_json, const char *output_path, char **result_json);
        int kyso_sign_file(const char *input_path, const char *output_path, const char *options_json);
        int kyso_sign_buffer(const char *pdf, size_t len, const char *options_json, char **out, size_t *out_len);
        int kyso_prepare(const char *input_path, const char *output_path, const char *options_json, char **prepared_json);
        int kyso_complete(const char *prepared_path, const char *output_path, const char *signature, size_t signature_len, int is_cms);
        C;

    private static ?\FFI $ffi = null;

    private static function ffi(): \FFI
    {
        if (self::$ffi !== null) {
            return self::$ffi;
        }
        $explicit = getenv('KYSO_LIBRARY');
        $names = $explicit !== false && $explicit !== '' ? [$explicit] : match (PHP_OS_FAMILY) {
            'Windows' => ['kyso.dll'],
            'Darwin' => ['libkyso.dylib'],
            default => ['libkyso.so.0', 'libkyso.so'],
        };
        $errors = [];
        foreach ($names as $name) {
            try {
                self::$ffi = \FFI::cdef(self::CDEF, $name);
                // TODO(#17 item 3): check the numeric runtime version (major) once kyso.h
                // exports it; and wrap the signer handle (kyso_signer_open_p12/_pkcs11,
                // kyso_sign_*_with_signer, kyso_signer_close) in a KysoSigner whose
                // destructor closes it, so a token is logged into once.
                return self::$ffi;
            } catch (\FFI\Exception $e) {
                $errors[] = "$name: " . $e->getMessage();
            }
        }
        throw new \RuntimeException('libkyso not found (set KYSO_LIBRARY): ' . implode('; ', $errors));
    }

    /** The library's version, e.g. "0.1.0". */
    public static function version(): string
    {
        return self::text(self::ffi()->kyso_version());
    }

    /** Verifies every signature of the PDF at $path (offline unless ['offline' => false]). */
    public static function verifyFile(string $path, array|string|null $options = null): Verification
    {
        $ffi = self::ffi();
        $report = $ffi->new('char *');
        $rc = $ffi->kyso_verify_file(self::z($path), self::options($options), \FFI::addr($report));
        return new Verification($rc, json_decode(self::take($rc, $report), true, 512, JSON_THROW_ON_ERROR));
    }

    /** As verifyFile, for a PDF in memory. */
    public static function verifyBuffer(string $pdf, array|string|null $options = null): Verification
    {
        $ffi = self::ffi();
        $report = $ffi->new('char *');
        $rc = $ffi->kyso_verify_buffer($pdf, strlen($pdf), self::options($options), \FFI::addr($report));
        return new Verification($rc, json_decode(self::take($rc, $report), true, 512, JSON_THROW_ON_ERROR));
    }

    /** Signs $input into $output (a new file, written atomically; never the input). */
    public static function signFile(string $input, string $output, array|string $options): void
    {
        self::check(self::ffi()->kyso_sign_file(self::z($input), self::z($output), self::options($options)));
    }

    /** Signs a PDF in memory; returns the signed PDF. */
    public static function signBuffer(string $pdf, array|string $options): string
    {
        $ffi = self::ffi();
        $out = $ffi->new('char *');
        $len = $ffi->new('size_t');
        $rc = $ffi->kyso_sign_buffer($pdf, strlen($pdf), self::options($options), \FFI::addr($out), \FFI::addr($len));
        try {
            self::check($rc);
            return \FFI::string($out, $len->cdata);
        } finally {
            $ffi->kyso_free($out);
        }
    }

    /** Writes the signed version of one signature (['signature' => N] or ['field' => name]). */
    public static function extractFile(string $input, string $output, array|string $options): array
    {
        $ffi = self::ffi();
        $result = $ffi->new('char *');
        $rc = $ffi->kyso_extract_file(self::z($input), self::options($options), self::z($output), \FFI::addr($result));
        return json_decode(self::take($rc, $result), true, 512, JSON_THROW_ON_ERROR);
    }

    /** Deferred signing, step 1: what must be signed (to_be_signed_base64, digest_base64...). */
    public static function prepare(string $input, string $output, array|string $options): array
    {
        $ffi = self::ffi();
        $result = $ffi->new('char *');
        $rc = $ffi->kyso_prepare(self::z($input), self::z($output), self::options($options), \FFI::addr($result));
        return json_decode(self::take($rc, $result), true, 512, JSON_THROW_ON_ERROR);
    }

    /** Deferred signing, step 2: embeds the signature value (or a whole CMS when $isCms). */
    public static function complete(string $prepared, string $output, string $signature, bool $isCms = false): void
    {
        self::check(self::ffi()->kyso_complete(self::z($prepared), self::z($output), $signature, strlen($signature), $isCms ? 1 : 0));
    }

    /**
     * Signs with a key the caller holds (a token through its middleware, an HSM, openssl_sign):
     * $sign receives the bytes to be signed (the DER of the CMS signed attributes) and returns
     * their signature value, hashed with the options' "hash" (default SHA-256): RSA PKCS#1 v1.5
     * (PSS with "pss") or ECDSA. $certificatePem: the signer's certificate, then its chain. An
     * exception thrown by $sign aborts the signing and is the KysoException's previous one.
     * (PHP's FFI keeps a little memory per callback made; fine for a request, not for millions.)
     */
    public static function signFileWithCallback(
        string $input,
        string $output,
        array|string|null $options,
        string $certificatePem,
        callable $sign
    ): void {
        $raised = null;
        $trampoline = function ($user, $tbs, $len, $signature, $signatureLen) use ($sign, &$raised): int {
            try {
                $value = $sign(\FFI::string($tbs, $len));
                if (!is_string($value) || strlen($value) > $signatureLen[0]) {
                    throw new \LengthException('no signature, or one larger than kyso\'s buffer');
                }
                \FFI::memcpy($signature, $value, strlen($value));
                $signatureLen[0] = strlen($value);
                return 0;
            } catch (\Throwable $e) { // never unwind through C
                $raised = $e;
                return 1;
            }
        };
        $rc = self::ffi()->kyso_sign_file_with_callback(
            self::z($input),
            self::z($output),
            self::options($options),
            self::z($certificatePem),
            $trampoline,
            null
        );
        if ($rc < 0 && $raised !== null) {
            throw new KysoException($rc, self::text(self::ffi()->kyso_last_error()), $raised);
        }
        self::check($rc);
    }

    private static function check(int $rc): int
    {
        if ($rc < 0) {
            throw new KysoException($rc, self::text(self::ffi()->kyso_last_error()));
        }
        return $rc;
    }

    /** The text at *$ptr (after checking $rc), freed with kyso_free. */
    private static function take(int $rc, \FFI\CData $ptr): string
    {
        try {
            self::check($rc);
            return \FFI::isNull($ptr) ? '' : \FFI::string($ptr);
        } finally {
            self::ffi()->kyso_free($ptr);
        }
    }

    private static function text(mixed $s): string
    {
        // FFI gives `const char *` results as PHP strings already; a CData pointer otherwise.
        return is_string($s) ? $s : ($s === null || \FFI::isNull($s) ? '' : \FFI::string($s));
    }

    /** A string for kyso: UTF-8 without NUL (PHP strings reach C NUL-terminated). */
    private static function z(string $s): string
    {
        if (str_contains($s, "\0")) {
            throw new \InvalidArgumentException('a string for kyso must not contain NUL');
        }
        return $s;
    }

    private static function options(array|string|null $options): ?string
    {
        if ($options === null) {
            return null;
        }
        return self::z(is_string($options) ? $options : json_encode(
            (object) $options,
            JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR
        ));
    }
}
