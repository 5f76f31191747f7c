<?php
/**
 * Shared helpers of the native extension tests.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use PHPUnit\Framework\TestCase;

abstract class NativeTestCase extends TestCase
{
    /** Absolute path of the .so under test (set by run.sh). */
    protected static function so(): string
    {
        $so = getenv('CARTPINGER_SO');
        self::assertIsString($so, 'CARTPINGER_SO is not set: use tests/native/run.sh');
        return $so;
    }

    /**
     * Runs a child PHP with only the extension loaded (no ini files), returns [exit code, stdout, stderr].
     *
     * @param list<string> $args
     * @return array{0:int,1:string,2:string}
     */
    protected static function php(array $args, ?string $stdin = null): array
    {
        $php = getenv('CARTPINGER_PHP') ?: PHP_BINARY;
        $cmd = array_merge([$php, '-n', '-d', 'extension=' . self::so()], $args);
        $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        self::assertIsResource($proc);
        fwrite($pipes[0], $stdin ?? '');
        fclose($pipes[0]);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $code = proc_close($proc);
        return [$code, (string) $out, (string) $err];
    }

    /** Runs PHP code (without the opening tag) in a child process; see php(). */
    protected static function phpCode(string $code): array
    {
        return self::php(['-r', $code]);
    }

    protected static function b64url(string $bin): string
    {
        return rtrim(strtr(base64_encode($bin), '+/', '-_'), '=');
    }

    protected static function unb64url(string $text): string
    {
        $raw = base64_decode(strtr($text, '-_', '+/'), true);
        self::assertIsString($raw);
        return $raw;
    }
}
