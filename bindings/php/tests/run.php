<?php
// The PHP binding's tests: the shared vectors (bindings/test-vectors.json), extraction and
// deferred signing (with the openssl command). php tests/run.php REPO_ROOT
declare(strict_types=1);

require __DIR__ . '/../src/Kyso.php';

use Kyso\Kyso;
use Kyso\KysoException;
use Kyso\Verification;

$repo = realpath($argv[1]);
$tmp = sys_get_temp_dir() . '/kyso-php-' . bin2hex(random_bytes(6));
mkdir($tmp);
$passed = 0;
$failed = 0;

function check(bool $ok, string $what): void
{
    if (!$ok) {
        throw new \AssertionError($what);
    }
}

function run(string $name, callable $test): void
{
    global $passed, $failed;
    try {
        $test();
        $passed++;
        echo "ok   $name\n";
    } catch (\Throwable $e) {
        $failed++;
        echo "FAIL $name: " . get_class($e) . ': ' . $e->getMessage() . "\n" . $e->getTraceAsString() . "\n";
    }
}

function expand(mixed $v, string $repo): mixed
{
    if (is_string($v)) {
        return str_replace('{repo}', $repo, $v);
    }
    if (is_array($v)) {
        return array_map(fn ($x) => expand($x, $repo), $v);
    }
    return $v;
}

function check_result(Verification $v, array $vec): void
{
    check($v->code === $vec['code'], "code {$v->code} != {$vec['code']}");
    if (isset($vec['indication'])) {
        check($v->indication() === $vec['indication'], 'indication ' . $v->indication());
    }
    $sigs = $v->report['signatures'];
    if (isset($vec['signers'])) {
        $names = array_map(fn ($s) => $s['signer']['common_name'], $sigs);
        check($names === $vec['signers'], 'signers ' . implode(' | ', $names));
    }
    foreach ($vec['signatures'] ?? [] as $i => $want) {
        check(isset($sigs[$i]), "signature $i");
        foreach ($want as $k => $value) {
            check($sigs[$i][$k] === $value, "$k = " . json_encode($sigs[$i][$k], JSON_UNESCAPED_UNICODE));
        }
    }
}

/** JSON options of a vector (objects stay objects, even when empty). */
function opts(array $o): string
{
    return json_encode((object) $o, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
}

try {
    $vectors = expand(json_decode(file_get_contents("$repo/bindings/test-vectors.json"), true, 512, JSON_THROW_ON_ERROR), $repo);

    run('version', fn () => check(count(explode('.', Kyso::version())) === 3, 'version ' . Kyso::version()));
    foreach ($vectors['verify'] as $vec) {
        run('verify: ' . $vec['name'], function () use ($vec, $tmp) {
            $pdf = $vec['pdf'];
            if (isset($vec['copy_as'])) {
                $copy = "$tmp/{$vec['copy_as']}";
                check(copy($pdf, $copy), 'copy');
                $pdf = $copy;
            }
            if ($vec['buffer'] ?? false) {
                $data = file_get_contents($pdf);
                if (isset($vec['flip_byte'])) {
                    $data[$vec['flip_byte']] = chr(ord($data[$vec['flip_byte']]) ^ 1);
                }
                check_result(Kyso::verifyBuffer($data, opts($vec['options'])), $vec);
            } else {
                check_result(Kyso::verifyFile($pdf, opts($vec['options'])), $vec);
            }
        });
    }
    foreach ($vectors['sign'] as $vec) {
        run('sign: ' . $vec['name'], function () use ($vec, $tmp) {
            $current = $vec['pdf'];
            foreach ($vec['steps'] as $i => $step) {
                $out = "$tmp/" . bin2hex(random_bytes(6)) . '.pdf';
                Kyso::signFile($current, $out, $step);   // options as an array
                $current = $out;
            }
            check_result(Kyso::verifyFile($current, $vec['verify_options']), $vec);
            $data = file_get_contents($vec['pdf']);
            foreach ($vec['steps'] as $step) {
                $data = Kyso::signBuffer($data, opts($step));   // options as JSON text
            }
            check(str_starts_with($data, '%PDF-'), 'a PDF');
            check_result(Kyso::verifyBuffer($data, $vec['verify_options']), $vec);
        });
    }
    foreach ($vectors['errors'] as $vec) {
        run('error: ' . $vec['name'], function () use ($vec, $tmp) {
            $out = "$tmp/error-out.pdf";
            try {
                match ($vec['call']) {
                    'verify_file' => Kyso::verifyFile($vec['pdf'], opts($vec['options'])),
                    'sign_file' => Kyso::signFile($vec['pdf'], $out, opts($vec['options'])),
                };
            } catch (KysoException $e) {
                check($e->getCode() === $vec['error'], 'code ' . $e->getCode());
                check($e->kind === KysoException::KINDS[$vec['error']], 'kind ' . $e->kind);
                check(str_contains($e->detail, $vec['message']), 'message ' . $e->detail);
                check(!file_exists($out), 'no output');
                return;
            }
            throw new \AssertionError('no KysoException');
        });
    }
    $steps = $vectors['sign'][1]['steps'];
    $verify = $vectors['sign'][0]['verify_options'];
    run('extract the first signed version', function () use ($steps, $repo, $tmp) {
        Kyso::signFile("$repo/fixtures/docs/congvan.pdf", "$tmp/one.pdf", $steps[0]);
        Kyso::signFile("$tmp/one.pdf", "$tmp/two.pdf", $steps[1]);
        $r = Kyso::extractFile("$tmp/two.pdf", "$tmp/first.pdf", ['signature' => 1]);
        check($r['signature'] === 1, 'signature 1');
        check(file_get_contents("$tmp/first.pdf") === file_get_contents("$tmp/one.pdf"), 'the first signed version');
    });
    run('deferred signing with openssl', function () use ($repo, $tmp, $verify) {
        $pki = "$repo/fixtures/pki";
        $job = Kyso::prepare("$repo/fixtures/docs/congvan.pdf", "$tmp/prepared.pdf", [
            'cert_path' => "$pki/leader.pem", 'chain_path' => "$pki/chain.pem", 'reason' => 'Ký số',
        ]);
        file_put_contents("$tmp/tbs.der", base64_decode($job['to_be_signed_base64'], true));
        exec('openssl dgst -sha256 -sign ' . escapeshellarg("$pki/leader.key.pem") . ' -out '
            . escapeshellarg("$tmp/sig.bin") . ' ' . escapeshellarg("$tmp/tbs.der"), $o, $rc);
        check($rc === 0, 'openssl');
        Kyso::complete("$tmp/prepared.pdf", "$tmp/deferred.pdf", file_get_contents("$tmp/sig.bin"));
        check(Kyso::verifyFile("$tmp/deferred.pdf", $verify)->passed(), 'deferred signature passes');
        try {
            Kyso::complete("$tmp/prepared.pdf", "$tmp/bad.pdf", str_repeat("\0", 256));
            throw new \AssertionError('a zero signature was accepted');
        } catch (KysoException $e) {
            check($e->kind === 'CRYPTO', 'crypto error, got ' . $e->kind);
        }
    });
    run('callback signer (openssl_sign)', function () use ($repo, $tmp, $verify) {
        $pki = "$repo/fixtures/pki";
        $pem = file_get_contents("$pki/leader.pem") . file_get_contents("$pki/chain.pem");
        $key = file_get_contents("$pki/leader.key.pem");
        $calls = 0;
        Kyso::signFileWithCallback("$repo/fixtures/docs/congvan.pdf", "$tmp/callback.pdf", ['reason' => 'Ký qua token'], $pem,
            function (string $tbs) use ($key, &$calls): string {
                $calls++;
                check(openssl_sign($tbs, $sig, $key, OPENSSL_ALGO_SHA256), 'openssl_sign');
                return $sig;
            });
        check($calls === 1, 'one call');
        $v = Kyso::verifyFile("$tmp/callback.pdf", $verify);
        check($v->passed() && $v->report['signatures'][0]['reason'] === 'Ký qua token', 'callback signature passes');
        try {
            Kyso::signFileWithCallback("$repo/fixtures/docs/congvan.pdf", "$tmp/no.pdf", null, $pem,
                fn (string $tbs): string => throw new \DomainException('PIN refused'));
            throw new \AssertionError('a refusing signer signed');
        } catch (KysoException $e) {
            check($e->kind === 'KEY' && $e->getPrevious() instanceof \DomainException, 'key error with the cause, got ' . $e);
            check(!file_exists("$tmp/no.pdf"), 'no output');
        }
        try {
            Kyso::signFileWithCallback("$repo/fixtures/docs/congvan.pdf", "$tmp/bad.pdf", null, $pem, fn (string $tbs): string => str_repeat("\0", 256));
            throw new \AssertionError('a wrong signature value was embedded');
        } catch (KysoException $e) {
            check($e->kind === 'CRYPTO', 'crypto error, got ' . $e->kind);
        }
    });
} finally {
    foreach (glob("$tmp/*") as $f) {
        unlink($f);
    }
    rmdir($tmp);
}
echo "php: $passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
