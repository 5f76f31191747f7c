<?php
/**
 * CartPinger\Native\Vault: interop with PHP's own HKDF + OpenSSL AES-256-GCM, and every failure.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception\DecryptionFailedException;
use CartPinger\Native\Exception\InvalidKeyException;
use CartPinger\Native\Exception\InvalidNonceException;
use CartPinger\Native\Exception\KeyMismatchException;
use CartPinger\Native\Exception\MalformedEnvelopeException;
use CartPinger\Native\Exception\UnsupportedEnvelopeException;
use CartPinger\Native\Exception\VaultException;
use CartPinger\Native\Vault;

final class VaultTest extends NativeTestCase
{
    private const KEY_MATERIAL = 'put your unique phrase here, 64 chars of WordPress salts ~~~~~~~';
    private const OPTION = 'cartpinger_access_token';

    /** The envelope, computed by PHP alone, exactly as docs/contracts.md describes it. */
    private static function phpEnvelope(string $ikm, string $plaintext, string $aad, string $nonce): string
    {
        $key = hash_hkdf('sha256', $ikm, 32, 'aes-256-gcm key', 'cartpinger/vault/v1');
        $kid = hash_hkdf('sha256', $ikm, 8, 'key id', 'cartpinger/vault/v1');
        $tag = '';
        $ct = openssl_encrypt($plaintext, 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $aad, 16);
        self::assertIsString($ct);
        return 'cpv1.' . self::b64url("\x01" . $kid . $nonce . $ct . $tag);
    }

    /** @return iterable<string, array{string, string, string}> */
    public function interopProvider(): iterable
    {
        yield 'ascii salts' => [self::KEY_MATERIAL, 'EAAGm0PX4ZCpsBA-example-token', self::OPTION];
        yield 'binary key material' => ["\x00\xff\x10" . str_repeat("\x80", 29), 'app-secret', 'cartpinger_app_secret'];
        yield 'empty plaintext' => [str_repeat('k', 16), '', 'cartpinger_verify_token'];
        yield 'utf-8 plaintext' => [self::KEY_MATERIAL, "Tōkén 🛒 \u{200d} ñ", 'cartpinger_ls_webhook_secret'];
        yield 'binary plaintext' => [self::KEY_MATERIAL, random_bytes(1000) . "\x00", self::OPTION];
        yield 'large plaintext' => [self::KEY_MATERIAL, str_repeat('0123456789abcdef', 65536), self::OPTION];
    }

    /** @dataProvider interopProvider */
    public function testEnvelopeEqualsPhpsOwnComputation(string $ikm, string $plaintext, string $aad): void
    {
        $nonce = random_bytes(12);
        $vault = new Vault($ikm);
        $envelope = $vault->encrypt($plaintext, $aad, $nonce);
        self::assertSame(self::phpEnvelope($ikm, $plaintext, $aad, $nonce), $envelope);
        self::assertSame(bin2hex(hash_hkdf('sha256', $ikm, 8, 'key id', 'cartpinger/vault/v1')), $vault->key_id());
        self::assertSame($plaintext, $vault->decrypt($envelope, $aad));
        self::assertTrue(Vault::is_envelope($envelope));
    }

    /** @dataProvider interopProvider */
    public function testOpensslDecryptOpensTheExtensionsEnvelope(string $ikm, string $plaintext, string $aad): void
    {
        $envelope = (new Vault($ikm))->encrypt($plaintext, $aad, random_bytes(12));
        self::assertStringStartsWith('cpv1.', $envelope);
        $blob = self::unb64url(substr($envelope, 5));
        self::assertSame(1, ord($blob[0]));
        $key = hash_hkdf('sha256', $ikm, 32, 'aes-256-gcm key', 'cartpinger/vault/v1');
        $nonce = substr($blob, 9, 12);
        $ct = substr($blob, 21, -16);
        $tag = substr($blob, -16);
        self::assertSame($plaintext, openssl_decrypt($ct, 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $aad));
        // And the extension opens what PHP made.
        self::assertSame($plaintext, (new Vault($ikm))->decrypt(self::phpEnvelope($ikm, $plaintext, $aad, $nonce), $aad));
    }

    public function testKnownAnswer(): void
    {
        // Same vector as crates/cartpinger-core/tests/vault.rs.
        $vault = new Vault('cartpinger-test-key-material-0123456789');
        self::assertSame('0db0bb72ca244133', $vault->key_id());
        self::assertSame(
            'cpv1.AQ2wu3LKJEEzAAECAwQFBgcICQoLSMU7cvkjDTOWiwGLs9fAI-E2NV3inamy5R6Yzk6CqQiLuRmXkgSmWho',
            $vault->encrypt('EAAG-access-token-example', self::OPTION, hex2bin('000102030405060708090a0b'))
        );
    }

    public function testKeyMaterialMustBeAtLeast16Bytes(): void
    {
        foreach (['', 'short', str_repeat('x', 15)] as $material) {
            try {
                new Vault($material);
                self::fail('accepted ' . strlen($material) . ' bytes');
            } catch (InvalidKeyException $e) {
                self::assertSame(1001, $e->getCode());
                self::assertInstanceOf(VaultException::class, $e);
            }
        }
        self::assertSame(16, strlen((new Vault(str_repeat("\0", 16)))->key_id()));
    }

    public function testNonceMustBe12Bytes(): void
    {
        $vault = new Vault(self::KEY_MATERIAL);
        foreach ([0, 11, 13, 16, 24] as $n) {
            try {
                $vault->encrypt('x', self::OPTION, str_repeat("\1", $n));
                self::fail("accepted a $n-byte nonce");
            } catch (InvalidNonceException $e) {
                self::assertSame(1006, $e->getCode());
            }
        }
    }

    /** Flip one byte in each region of the blob: version, key id, nonce, ciphertext, tag. */
    public function testTamperEveryRegion(): void
    {
        $vault = new Vault(self::KEY_MATERIAL);
        $envelope = $vault->encrypt('the access token', self::OPTION, random_bytes(12));
        $blob = self::unb64url(substr($envelope, 5));
        $len = strlen($blob);
        $regions = [
            'version' => [0, UnsupportedEnvelopeException::class, 1003],
            'key id' => [4, KeyMismatchException::class, 1004],
            'nonce' => [15, DecryptionFailedException::class, 1005],
            'ciphertext' => [22, DecryptionFailedException::class, 1005],
            'tag' => [$len - 1, DecryptionFailedException::class, 1005],
        ];
        foreach ($regions as $name => [$offset, $class, $code]) {
            $bad = $blob;
            $bad[$offset] = chr(ord($bad[$offset]) ^ 0x20);
            try {
                $vault->decrypt('cpv1.' . self::b64url($bad), self::OPTION);
                self::fail("tampered $name accepted");
            } catch (VaultException $e) {
                self::assertInstanceOf($class, $e, $name);
                self::assertSame($code, $e->getCode(), $name);
                self::assertStringNotContainsString('the access token', $e->getMessage());
            }
        }
    }

    public function testWrongKeyIsKeyMismatch(): void
    {
        $envelope = (new Vault(self::KEY_MATERIAL))->encrypt('t', self::OPTION, random_bytes(12));
        $this->expectException(KeyMismatchException::class);
        $this->expectExceptionCode(1004);
        (new Vault(self::KEY_MATERIAL . '!'))->decrypt($envelope, self::OPTION);
    }

    public function testMovedToAnotherOptionFails(): void
    {
        $vault = new Vault(self::KEY_MATERIAL);
        $envelope = $vault->encrypt('t', self::OPTION, random_bytes(12));
        $this->expectException(DecryptionFailedException::class);
        $this->expectExceptionCode(1005);
        $vault->decrypt($envelope, 'cartpinger_app_secret');
    }

    public function testMalformedEnvelopes(): void
    {
        $vault = new Vault(self::KEY_MATERIAL);
        $good = $vault->encrypt('t', self::OPTION, random_bytes(12));
        $cases = [
            '',
            'EAAGplaintexttoken',
            'cpv1.',
            'cpv1.' . str_repeat('A', 20),
            'cpv1.!!!!' . substr($good, 9),
            $good . '=',
            'cpv1.' . self::b64url(substr(self::unb64url(substr($good, 5)), 0, 36)),
            "\xff\xfe\x00binary",
        ];
        foreach ($cases as $case) {
            try {
                $vault->decrypt($case, self::OPTION);
                self::fail('accepted ' . bin2hex($case));
            } catch (MalformedEnvelopeException $e) {
                self::assertSame(1002, $e->getCode());
                self::assertFalse(Vault::is_envelope($case));
            }
        }
    }

    public function testUnknownVersionPrefix(): void
    {
        $vault = new Vault(self::KEY_MATERIAL);
        $good = $vault->encrypt('t', self::OPTION, random_bytes(12));
        $this->expectException(UnsupportedEnvelopeException::class);
        $this->expectExceptionCode(1003);
        $vault->decrypt('cpv2.' . substr($good, 5), self::OPTION);
    }

    public function testIsEnvelope(): void
    {
        $good = (new Vault(self::KEY_MATERIAL))->encrypt('', self::OPTION, random_bytes(12));
        self::assertTrue(Vault::is_envelope($good));
        self::assertFalse(Vault::is_envelope(''));
        self::assertFalse(Vault::is_envelope('EAAG123'));
        self::assertFalse(Vault::is_envelope('cpv2.' . substr($good, 5)));
        self::assertFalse(Vault::is_envelope($good . '='));
        self::assertFalse(Vault::is_envelope("cpv1.\xff" . substr($good, 6)));
    }

    public function testFreshNoncesGiveDifferentEnvelopes(): void
    {
        $vault = new Vault(self::KEY_MATERIAL);
        $a = $vault->encrypt('same', self::OPTION, random_bytes(12));
        $b = $vault->encrypt('same', self::OPTION, random_bytes(12));
        self::assertNotSame($a, $b);
        self::assertSame('same', $vault->decrypt($a, self::OPTION));
        self::assertSame('same', $vault->decrypt($b, self::OPTION));
    }
}
