<?php
/**
 * CartPinger\Native\Phone: the table of docs/contracts.md reasons, with real numbers.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception\InvalidPhoneException;
use CartPinger\Native\Exception\NativeException;
use CartPinger\Native\Phone;

final class PhoneTest extends NativeTestCase
{
    /** @return iterable<string, array{string, string, string}> */
    public function validProvider(): iterable
    {
        yield 'ES mobile' => ['612 345 678', 'ES', '+34612345678'];
        yield 'GB mobile, trunk 0' => ['07400 123456', 'GB', '+447400123456'];
        yield 'BR mobile' => ['(11) 91234-5678', 'BR', '+5511912345678'];
        yield 'US' => ['(201) 555-0123', 'US', '+12015550123'];
        yield 'DE landline' => ['030 1234567', 'DE', '+49301234567'];
        yield 'FR mobile' => ['06 12 34 56 78', 'FR', '+33612345678'];
        yield 'lowercase country' => ['612-345-678', 'es', '+34612345678'];
        yield '00 international, no country' => ['0049 30 1234567', '', '+49301234567'];
        yield '00 international, other country' => ['0049 30 1234567', 'ES', '+49301234567'];
        yield '+ international' => ['+44 7400 123456', 'US', '+447400123456'];
        yield 'already E.164' => ['+34612345678', '', '+34612345678'];
    }

    /** @dataProvider validProvider */
    public function testToE164(string $input, string $country, string $expected): void
    {
        self::assertSame($expected, Phone::to_e164($input, $country));
    }

    /** @return iterable<string, array{string, string, int}> */
    public function invalidProvider(): iterable
    {
        yield 'empty' => ['', 'ES', 2001];
        yield 'blank' => ["  \t ", 'ES', 2001];
        yield 'bogus country' => ['612345678', 'XX', 2002];
        yield 'three-letter country' => ['612345678', 'ESP', 2002];
        yield 'unknown calling code' => ['+999 1234567', '', 2002];
        yield 'letters' => ['612 ABC 678', 'ES', 2003];
        yield 'vanity' => ['1-800-FLOWERS', 'US', 2003];
        yield 'extension' => ['612345678 ext 1', 'ES', 2003];
        yield 'not utf-8' => ["612\xff345678", 'ES', 2003];
        yield 'too short' => ['12', 'ES', 2004];
        yield 'too short international' => ['+34 6123', '', 2004];
        yield 'too long' => ['6123456789012', 'ES', 2005];
        yield 'way too long' => [str_repeat('6', 25), 'ES', 2005];
        yield 'invalid for region' => ['999 999 999', 'ES', 2006];
        yield 'German national number with a US billing country' => ['030 1234567', 'US', 2006];
        yield 'national without country' => ['612345678', '', 2007];
        yield 'national GB without country' => ['07400 123456', '', 2007];
    }

    /** @dataProvider invalidProvider */
    public function testRejections(string $input, string $country, int $code): void
    {
        try {
            $got = Phone::to_e164($input, $country);
            self::fail("accepted as $got");
        } catch (InvalidPhoneException $e) {
            self::assertSame($code, $e->getCode(), $e->getMessage());
            self::assertInstanceOf(NativeException::class, $e);
            $digits = preg_replace('/\D/', '', $input);
            if (strlen($digits) >= 6) {
                self::assertStringNotContainsString($digits, $e->getMessage(), 'no phone numbers in messages');
            }
        }
    }

    public function testNationalNumberIsNeverMadeInternational(): void
    {
        // '+' . '612345678' would be Australian (+61 2 …): must be refused, not guessed.
        foreach (['612345678', '0612345678', '4930 1234567'] as $national) {
            try {
                Phone::to_e164($national, '');
                self::fail("$national was made international");
            } catch (InvalidPhoneException $e) {
                self::assertSame(2007, $e->getCode());
            }
        }
        foreach (['030 1234567', '01511 2345678', '4930 1234567'] as $german) {
            try {
                $got = Phone::to_e164($german, 'US');
                self::fail("German $german in US became $got");
            } catch (InvalidPhoneException $e) {
                self::assertContains($e->getCode(), [2004, 2005, 2006]);
            }
        }
    }

    /** @return iterable<string, array{string, string}> */
    public function regionProvider(): iterable
    {
        yield 'ES' => ['+34612345678', 'ES'];
        yield 'GB' => ['+447400123456', 'GB'];
        yield 'US' => ['+12015550123', 'US'];
        yield 'CA shares +1' => ['+16045551234', 'CA'];
        yield 'BR' => ['+5511912345678', 'BR'];
        yield 'international freephone' => ['+80012345678', ''];
        yield 'invalid' => ['+3461234567', ''];
        yield 'not E.164' => ['612345678', ''];
        yield 'spaces' => ['+34 612 345 678', ''];
        yield 'empty' => ['', ''];
        yield 'binary' => ["\xff\xfe", ''];
    }

    /** @dataProvider regionProvider */
    public function testRegionOf(string $e164, string $region): void
    {
        self::assertSame($region, Phone::region_of($e164));
    }
}
