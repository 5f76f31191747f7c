<?php
/**
 * CartPinger\Native\RecoveryToken.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception\InvalidTokenException;
use CartPinger\Native\Exception\NativeException;
use CartPinger\Native\RecoveryToken;

final class RecoveryTokenTest extends NativeTestCase
{
    public function testGenerateMatchesPhpsSha256(): void
    {
        $random = random_bytes(32);
        $t = RecoveryToken::generate($random);
        self::assertSame(['token', 'hash'], array_keys($t));
        self::assertSame(bin2hex($random), $t['token']);
        self::assertSame(hash('sha256', $t['token']), $t['hash']);
        self::assertMatchesRegularExpression('/\A[0-9a-f]{64}\z/', $t['token']);
        self::assertMatchesRegularExpression('/\A[0-9a-f]{64}\z/', $t['hash']);
        self::assertSame($t['hash'], RecoveryToken::hash($t['token']));
        self::assertTrue(RecoveryToken::verify($t['token'], $t['hash']));
    }

    public function testKnownAnswer(): void
    {
        $t = RecoveryToken::generate(implode('', array_map('chr', range(0, 31))));
        self::assertSame('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', $t['token']);
        self::assertSame('6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b', $t['hash']);
    }

    public function testRandomMustBe32Bytes(): void
    {
        foreach ([0, 16, 31, 33, 64] as $n) {
            try {
                RecoveryToken::generate(str_repeat("\x07", $n));
                self::fail("accepted $n bytes");
            } catch (InvalidTokenException $e) {
                self::assertSame(3001, $e->getCode());
                self::assertInstanceOf(NativeException::class, $e);
            }
        }
    }

    /** @return iterable<string, array{string}> */
    public function malformedProvider(): iterable
    {
        $t = str_repeat('ab', 32);
        yield 'empty' => [''];
        yield 'short' => [substr($t, 1)];
        yield 'long' => [$t . 'a'];
        yield 'uppercase' => [strtoupper($t)];
        yield 'non-hex' => ['zz' . substr($t, 2)];
        yield 'binary' => ["\xff" . substr($t, 1)];
        yield 'url-encoded junk' => ['%3Cscript%3E' . substr($t, 12)];
    }

    /** @dataProvider malformedProvider */
    public function testHashRejectsMalformed(string $token): void
    {
        $this->expectException(InvalidTokenException::class);
        $this->expectExceptionCode(3002);
        RecoveryToken::hash($token);
    }

    /** @dataProvider malformedProvider */
    public function testVerifyIsFalseForMalformed(string $token): void
    {
        $good = RecoveryToken::generate(random_bytes(32));
        self::assertFalse(RecoveryToken::verify($token, $good['hash']));
        self::assertFalse(RecoveryToken::verify($good['token'], $token));
    }

    public function testVerifyRejectsOtherTokens(): void
    {
        $a = RecoveryToken::generate(random_bytes(32));
        $b = RecoveryToken::generate(random_bytes(32));
        self::assertFalse(RecoveryToken::verify($a['token'], $b['hash']));
        self::assertFalse(RecoveryToken::verify($a['hash'], $a['hash']));
        self::assertFalse(RecoveryToken::verify($a['token'], strtoupper($a['hash'])));
        self::assertTrue(RecoveryToken::verify($b['token'], $b['hash']));
    }
}
