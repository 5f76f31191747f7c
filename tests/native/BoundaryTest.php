<?php
/**
 * The PHP<->Rust boundary: no type juggling, exception classes/codes/file/line/trace, and the
 * \RuntimeException fallback when the plugin's exception classes are not loadable.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception;
use CartPinger\Native\Extension;
use CartPinger\Native\Phone;
use CartPinger\Native\RecoveryToken;
use CartPinger\Native\Vault;

final class BoundaryTest extends NativeTestCase
{
    /** @return iterable<string, array{callable(): mixed}> */
    public function wrongTypeProvider(): iterable
    {
        $vault = new Vault(str_repeat('k', 32));
        $nonce = str_repeat("\0", 12);
        foreach (['int' => 123, 'float' => 1.5, 'bool' => true, 'null' => null, 'array' => ['x'], 'object' => new \stdClass()] as $t => $bad) {
            yield "Vault::__construct($t)" => [fn () => new Vault($bad)];
            yield "Vault::encrypt(plaintext $t)" => [fn () => $vault->encrypt($bad, 'opt', $nonce)];
            yield "Vault::encrypt(ad $t)" => [fn () => $vault->encrypt('x', $bad, $nonce)];
            yield "Vault::encrypt(nonce $t)" => [fn () => $vault->encrypt('x', 'opt', $bad)];
            yield "Vault::decrypt(envelope $t)" => [fn () => $vault->decrypt($bad, 'opt')];
            yield "Vault::decrypt(ad $t)" => [fn () => $vault->decrypt('cpv1.x', $bad)];
            yield "Vault::is_envelope($t)" => [fn () => Vault::is_envelope($bad)];
            yield "Phone::to_e164(input $t)" => [fn () => Phone::to_e164($bad, 'ES')];
            yield "Phone::to_e164(country $t)" => [fn () => Phone::to_e164('612345678', $bad)];
            yield "Phone::region_of($t)" => [fn () => Phone::region_of($bad)];
            yield "RecoveryToken::generate($t)" => [fn () => RecoveryToken::generate($bad)];
            yield "RecoveryToken::hash($t)" => [fn () => RecoveryToken::hash($bad)];
            yield "RecoveryToken::verify(token $t)" => [fn () => RecoveryToken::verify($bad, 'x')];
            yield "RecoveryToken::verify(hash $t)" => [fn () => RecoveryToken::verify('x', $bad)];
            yield "Extension::panic_for_test($t)" => [fn () => Extension::panic_for_test($bad)];
        }
        // Numeric strings are not juggled the other way either: 612345678 (int) is refused above,
        // and "1" is not accepted where a string of 32 bytes is needed (that is a value error).
    }

    /**
     * @dataProvider wrongTypeProvider
     * @param callable(): mixed $call
     */
    public function testNoTypeJuggling(callable $call): void
    {
        $this->expectException(\TypeError::class);
        $call();
    }

    public function testArgumentCount(): void
    {
        $calls = [
            fn () => new Vault(),
            fn () => (new Vault(str_repeat('k', 32)))->encrypt('x', 'opt'),
            fn () => Phone::to_e164('612345678'),
            fn () => RecoveryToken::verify('x'),
            fn () => Extension::panic_for_test(),
        ];
        foreach ($calls as $i => $call) {
            try {
                $call();
                self::fail("call $i accepted too few arguments");
            } catch (\ArgumentCountError $e) {
                self::assertInstanceOf(\TypeError::class, $e);
            }
        }
    }

    /** Every exception class of docs/contracts.md, its parent and its code, as thrown by Rust. */
    public function testEveryExceptionClassAndCode(): void
    {
        $vault = new Vault(str_repeat('k', 32));
        $env = $vault->encrypt('secret', 'cartpinger_access_token', random_bytes(12));
        $cases = [
            [fn () => new Vault('short'), Exception\InvalidKeyException::class, Exception\VaultException::class, 1001],
            [fn () => $vault->decrypt('nope', 'a'), Exception\MalformedEnvelopeException::class, Exception\VaultException::class, 1002],
            [fn () => $vault->decrypt('cpv9.' . substr($env, 5), 'a'), Exception\UnsupportedEnvelopeException::class, Exception\VaultException::class, 1003],
            [fn () => (new Vault(str_repeat('j', 32)))->decrypt($env, 'cartpinger_access_token'), Exception\KeyMismatchException::class, Exception\VaultException::class, 1004],
            [fn () => $vault->decrypt($env, 'cartpinger_app_secret'), Exception\DecryptionFailedException::class, Exception\VaultException::class, 1005],
            [fn () => $vault->encrypt('x', 'a', 'short'), Exception\InvalidNonceException::class, Exception\VaultException::class, 1006],
            [fn () => Phone::to_e164('', 'ES'), Exception\InvalidPhoneException::class, Exception\NativeException::class, 2001],
            [fn () => RecoveryToken::generate('x'), Exception\InvalidTokenException::class, Exception\NativeException::class, 3001],
            [fn () => RecoveryToken::hash('x'), Exception\InvalidTokenException::class, Exception\NativeException::class, 3002],
            [fn () => Extension::panic_for_test('x'), Exception\InternalException::class, Exception\NativeException::class, 9001],
        ];
        foreach ($cases as [$call, $class, $parent, $code]) {
            try {
                $call();
                self::fail("$class not thrown");
            } catch (Exception\NativeException $e) {
                self::assertSame($class, get_class($e));
                self::assertInstanceOf($parent, $e);
                self::assertInstanceOf(\RuntimeException::class, $e);
                self::assertSame($code, $e->getCode());
                self::assertNotSame('', $e->getMessage());
                self::assertStringNotContainsString('secret', $e->getMessage());
                self::assertStringNotContainsString('kkkk', $e->getMessage());
            }
        }
        self::assertTrue(is_subclass_of(Exception\VaultException::class, Exception\NativeException::class));
        self::assertTrue(is_subclass_of(Exception\NativeException::class, \RuntimeException::class));
    }

    public function testExceptionsHaveFileLineAndTrace(): void
    {
        $line = __LINE__ + 2;
        try {
            self::throwFromHelper();
        } catch (Exception\InvalidPhoneException $e) {
            self::assertSame(__FILE__, $e->getFile());
            self::assertSame(self::$helperLine, $e->getLine());
            $trace = $e->getTrace();
            self::assertNotEmpty($trace);
            // Frame 0 is the extension method itself, called from the helper's line.
            self::assertSame('to_e164', $trace[0]['function'] ?? null);
            self::assertSame(Phone::class, $trace[0]['class'] ?? null);
            self::assertSame(self::$helperLine, $trace[0]['line'] ?? null);
            self::assertSame('throwFromHelper', $trace[1]['function'] ?? null);
            self::assertSame($line, $trace[1]['line'] ?? null);
            self::assertStringContainsString(__FUNCTION__, $e->getTraceAsString());
        }
    }

    private static int $helperLine = 0;

    private static function throwFromHelper(): void
    {
        self::$helperLine = __LINE__ + 1;
        Phone::to_e164('', '');
    }

    /** Without the plugin's autoloader: \RuntimeException, same code, "[Class] " prefix. */
    public function testFallbackWithoutExceptionClasses(): void
    {
        [$code, $out, $err] = self::phpCode(<<<'PHP'
            $calls = [
                fn () => new CartPinger\Native\Vault('short'),
                fn () => CartPinger\Native\Phone::to_e164('612345678', ''),
                fn () => CartPinger\Native\RecoveryToken::hash('x'),
                fn () => CartPinger\Native\Extension::panic_for_test('x'),
            ];
            foreach ($calls as $call) {
                try { $call(); } catch (Throwable $e) {
                    echo get_class($e), '|', $e->getCode(), '|', $e->getMessage(), '|', $e->getLine() > 0 ? 'line' : 'noline', "\n";
                }
            }
            PHP);
        self::assertSame(0, $code, $err);
        $lines = array_values(array_filter(preg_split('/\R/', $out)));
        self::assertCount(4, $lines);
        self::assertStringStartsWith('RuntimeException|1001|[InvalidKeyException] ', $lines[0]);
        self::assertStringStartsWith('RuntimeException|2007|[InvalidPhoneException] ', $lines[1]);
        self::assertStringStartsWith('RuntimeException|3002|[InvalidTokenException] ', $lines[2]);
        self::assertStringStartsWith('RuntimeException|9001|[InternalException] ', $lines[3]);
        foreach ($lines as $l) {
            self::assertStringEndsWith('|line', $l);
        }
    }

    /** A user autoloader that throws: its exception wins, nothing crashes. */
    public function testThrowingAutoloaderPropagates(): void
    {
        [$code, $out, $err] = self::phpCode(<<<'PHP'
            spl_autoload_register(function ($c) { throw new LogicException("autoload $c"); });
            try { CartPinger\Native\RecoveryToken::hash('x'); } catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
            echo CartPinger\Native\Extension::version(), "\n";
            PHP);
        self::assertSame(0, $code, $err);
        self::assertSame("LogicException: autoload CartPinger\\Native\\Exception\\InvalidTokenException\n0.1.0\n", $out);
    }
}
