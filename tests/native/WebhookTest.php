<?php
/**
 * CartPinger\Native\Webhook: handshake, signature (README §7.3 vectors), parsing of the
 * fixtures in tests/fixtures/meta/webhooks, monotonic status application.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception\NativeException;
use CartPinger\Native\Exception\WebhookException;
use CartPinger\Native\Exception\WebhookHandshakeException;
use CartPinger\Native\Exception\WebhookParseException;
use CartPinger\Native\Exception\WebhookSignatureException;
use CartPinger\Native\Webhook;

final class WebhookTest extends NativeTestCase
{
    private const SECRET = 'test_app_secret';

    private static function fixture(string $name): string
    {
        $raw = file_get_contents(dirname(__DIR__) . '/fixtures/meta/webhooks/' . $name);
        self::assertIsString($raw, $name);
        return $raw;
    }

    // ------------------------------------------------------------------ sign / verify_signature

    public function testReadmeVectors(): void
    {
        // V1: matches an independent SDK's example (key = "secret", message = "test").
        self::assertSame('sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914', Webhook::sign('test', 'secret'));
        // V2: the exact bytes of the \u-escaped fixture (434 bytes, no trailing newline).
        $v2 = self::fixture('synthetic_signature_unicode_escaped.json');
        self::assertSame(434, strlen($v2));
        self::assertSame('sha256=7e99d58dc4f4d3d794b0178eeb71850e4efafb93bf9a2a150cf52d2fa0b49242', Webhook::sign($v2, self::SECRET));
        // V3: the Meta docs text message fixture (985 bytes, ends with LF).
        $v3 = self::fixture('meta-docs_message_text.json');
        self::assertSame(985, strlen($v3));
        self::assertSame('sha256=1c041e1c07f50386213ac582d2e17d24d70f1ed42949a6e5a5607057b805b5fc', Webhook::sign($v3, self::SECRET));
        Webhook::verify_signature($v2, 'sha256=7e99d58dc4f4d3d794b0178eeb71850e4efafb93bf9a2a150cf52d2fa0b49242', self::SECRET);
        Webhook::verify_signature($v3, 'sha256=1c041e1c07f50386213ac582d2e17d24d70f1ed42949a6e5a5607057b805b5fc', self::SECRET);
    }

    public function testReserialisedBodyDoesNotVerify(): void
    {
        // V2-neg: decoding and re-encoding with raw UTF-8 changes the bytes Meta signed.
        $v2 = self::fixture('synthetic_signature_unicode_escaped.json');
        $reserialised = json_encode(json_decode($v2, true), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        self::assertIsString($reserialised);
        self::assertSame('sha256=885024452c28091c2aac539605637696d4da15b192675d6fc0430fe695f6eccb', Webhook::sign($reserialised, self::SECRET));
        $this->expectException(WebhookSignatureException::class);
        $this->expectExceptionCode(6104);
        Webhook::verify_signature($reserialised, Webhook::sign($v2, self::SECRET), self::SECRET);
    }

    public function testSignAgreesWithPhpHashHmacOnBinaryInput(): void
    {
        foreach ([0, 1, 63, 64, 65, 200] as $keyLen) {
            $key = random_bytes($keyLen === 0 ? 1 : $keyLen);
            $body = random_bytes(97) . "\0\xff\0";
            $expected = 'sha256=' . hash_hmac('sha256', $body, $key);
            self::assertSame($expected, Webhook::sign($body, $key));
            Webhook::verify_signature($body, $expected, $key);
        }
    }

    public function testAcceptedHeaderForms(): void
    {
        $body = '{"object":"whatsapp_business_account","entry":[]}';
        $hex = hash_hmac('sha256', $body, self::SECRET);
        foreach (["sha256=$hex", 'sha256=' . strtoupper($hex), "SHA256=$hex", "  sha256=$hex\t"] as $header) {
            Webhook::verify_signature($body, $header, self::SECRET);
        }
        $this->addToAssertionCount(1);
    }

    /** @return iterable<string, array{string, string, int}> */
    public function badSignatureProvider(): iterable
    {
        $body = '{"object":"whatsapp_business_account","entry":[]}';
        $hex = hash_hmac('sha256', $body, self::SECRET);
        yield 'no secret' => ["sha256=$hex", '', 6101];
        yield 'missing header' => ['', self::SECRET, 6102];
        yield 'blank header' => ["  \t ", self::SECRET, 6102];
        yield 'no secret wins over missing header' => ['', '', 6101];
        yield 'sha1 label' => ["sha1=$hex", self::SECRET, 6103];
        yield 'no label' => [$hex, self::SECRET, 6103];
        yield 'short' => ['sha256=' . substr($hex, 1), self::SECRET, 6103];
        yield 'long' => ["sha256={$hex}0", self::SECRET, 6103];
        yield 'non-hex' => ['sha256=' . substr($hex, 0, 63) . 'g', self::SECRET, 6103];
        yield 'inner space' => ['sha256= ' . $hex, self::SECRET, 6103];
        yield 'two signatures' => ["sha256=$hex,sha256=$hex", self::SECRET, 6103];
        yield 'not UTF-8' => ["sha256=\xff" . substr($hex, 1), self::SECRET, 6103];
        yield 'other secret' => ['sha256=' . hash_hmac('sha256', $body, 'other'), self::SECRET, 6104];
        yield 'other body' => ['sha256=' . hash_hmac('sha256', $body . ' ', self::SECRET), self::SECRET, 6104];
    }

    /** @dataProvider badSignatureProvider */
    public function testBadSignatures(string $header, string $secret, int $code): void
    {
        $body = '{"object":"whatsapp_business_account","entry":[]}';
        try {
            Webhook::verify_signature($body, $header, $secret);
            self::fail('accepted');
        } catch (WebhookSignatureException $e) {
            self::assertSame($code, $e->getCode());
            self::assertInstanceOf(WebhookException::class, $e);
            self::assertInstanceOf(NativeException::class, $e);
            self::assertStringNotContainsString(self::SECRET, $e->getMessage());
            self::assertStringNotContainsString('whatsapp_business_account', $e->getMessage());
        }
    }

    // ------------------------------------------------------------------ verify_subscription

    public function testHandshakeReturnsTheChallengeVerbatim(): void
    {
        self::assertSame('1158201444', Webhook::verify_subscription('subscribe', 'tok-en_1', '1158201444', 'tok-en_1'));
        $challenge = str_repeat('~', 256);
        self::assertSame($challenge, Webhook::verify_subscription('subscribe', 't', $challenge, 't'));
    }

    /** @return iterable<string, array{string, string, string, string, int}> */
    public function badHandshakeProvider(): iterable
    {
        yield 'mode case' => ['Subscribe', 'Zq9-tok', '123', 'Zq9-tok', 6001];
        yield 'mode empty' => ['', 'Zq9-tok', '123', 'Zq9-tok', 6001];
        yield 'mode unsubscribe' => ['unsubscribe', 'Zq9-tok', '123', 'Zq9-tok', 6001];
        yield 'mode not UTF-8' => ["subscribe\xff", 'Zq9-tok', '123', 'Zq9-tok', 6001];
        yield 'wrong mode wins' => ['x', '', '', '', 6001];
        yield 'not configured' => ['subscribe', '', '123', '', 6002];
        yield 'not configured, token given' => ['subscribe', 'Zq9-tok', '123', '', 6002];
        yield 'not configured, token not UTF-8' => ['subscribe', "\xff", '123', '', 6002];
        yield 'mismatch' => ['subscribe', 'Zq9-tok', '123', 'Zq9-tok2', 6003];
        yield 'prefix' => ['subscribe', 'Zq9-to', '123', 'Zq9-tok', 6003];
        yield 'empty token' => ['subscribe', '', '123', 'Zq9-tok', 6003];
        yield 'token not UTF-8' => ['subscribe', "Zq9-tok\xff", '123', 'Zq9-tok', 6003];
        yield 'mismatch wins over challenge' => ['subscribe', 'x', '', 'Zq9-tok', 6003];
        yield 'empty challenge' => ['subscribe', 'Zq9-tok', '', 'Zq9-tok', 6004];
        yield 'long challenge' => ['subscribe', 'Zq9-tok', str_repeat('1', 257), 'Zq9-tok', 6004];
        yield 'space in challenge' => ['subscribe', 'Zq9-tok', '12 3', 'Zq9-tok', 6004];
        yield 'markup-free but non-ASCII' => ['subscribe', 'Zq9-tok', "12\u{e9}", 'Zq9-tok', 6004];
        yield 'challenge not UTF-8' => ['subscribe', 'Zq9-tok', "12\xff", 'Zq9-tok', 6004];
        yield 'control char' => ['subscribe', 'Zq9-tok', "12\n", 'Zq9-tok', 6004];
    }

    /** @dataProvider badHandshakeProvider */
    public function testBadHandshakes(string $mode, string $token, string $challenge, string $expected, int $code): void
    {
        try {
            Webhook::verify_subscription($mode, $token, $challenge, $expected);
            self::fail('accepted');
        } catch (WebhookHandshakeException $e) {
            self::assertSame($code, $e->getCode());
            self::assertInstanceOf(WebhookException::class, $e);
            self::assertStringNotContainsString('Zq9', $e->getMessage());
        }
    }

    // ------------------------------------------------------------------ parse

    public function testParseStatusesMessagesInDocumentOrder(): void
    {
        $batch = Webhook::parse(self::fixture('synthetic_batched_out_of_order.json'));
        self::assertSame(['ignored', 'object', 'events', 'skipped'], array_keys($batch));
        self::assertFalse($batch['ignored']);
        self::assertSame('whatsapp_business_account', $batch['object']);
        self::assertSame([], $batch['skipped']);
        self::assertTrue(array_is_list($batch['events']));
        $kinds = array_map(static fn (array $e): string => $e['kind'] . ':' . ($e['status'] ?? $e['type'] ?? ''), $batch['events']);
        self::assertSame(['status:read', 'status:delivered', 'status:failed', 'message:text', 'status:read'], $kinds);

        $read = $batch['events'][0];
        self::assertSame('wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=', $read['wamid']);
        self::assertSame(1750030200, $read['timestamp']);
        self::assertSame('16505551234', $read['recipient_id']);
        self::assertNull($read['recipient_user_id']);
        self::assertNull($read['biz_opaque_callback_data']);
        self::assertNull($read['pricing']);
        self::assertNull($read['conversation']);
        self::assertSame(
            ['waba_id' => '102290129340398', 'phone_number_id' => '106540352242922', 'display_phone_number' => '15550783881'],
            $read['origin']
        );
        self::assertSame(['billable' => true, 'pricing_model' => 'PMP', 'category' => 'utility', 'type' => 'regular'], $batch['events'][1]['pricing']);

        $failed = $batch['events'][2];
        self::assertSame(
            [[
                'code' => 131026,
                'title' => 'Message undeliverable',
                'message' => 'Message undeliverable',
                'details' => 'Message Undeliverable.',
                'href' => '/documentation/business-messaging/whatsapp/support/error-codes',
            ]],
            $failed['errors']
        );

        $stop = $batch['events'][3];
        self::assertSame('message', $stop['kind']);
        self::assertSame('16505551234', $stop['from']);
        self::assertSame('Sheena Nelson', $stop['profile_name']);
        self::assertSame('STOP', $stop['text']);
        self::assertSame('text', $stop['message_type']);
        self::assertTrue($stop['opt_out']);
    }

    public function testParseMessageKindsAndOptOut(): void
    {
        $text = Webhook::parse(self::fixture('meta-docs_message_text.json'))['events'][0];
        self::assertSame('text', $text['type']);
        self::assertFalse($text['opt_out']);
        self::assertNull($text['payload']);

        $button = Webhook::parse(self::fixture('meta-docs_message_interactive_button_reply.json'))['events'][0];
        self::assertSame(['button_reply', 'interactive', 'Cancel', 'cancel-button', false], [$button['type'], $button['message_type'], $button['text'], $button['payload'], $button['opt_out']]);

        $list = Webhook::parse(self::fixture('meta-docs_message_interactive_list_reply.json'))['events'][0];
        self::assertSame('list_reply', $list['type']);
        self::assertIsString($list['payload']);

        $quick = Webhook::parse(self::fixture('pywa_message_template_quick_reply.json'))['events'][0];
        self::assertSame(['quick_reply', 'button', 'title', 'callback_data', false], [$quick['type'], $quick['message_type'], $quick['text'], $quick['payload'], $quick['opt_out']]);

        // Our own STOP quick-reply payload, BSUID-only sender, unknown status, other field.
        $batch = Webhook::parse(self::fixture('synthetic_bsuid_withheld_and_unknowns.json'));
        $kinds = array_column($batch['events'], 'kind');
        self::assertSame(['status', 'status', 'message', 'message', 'account'], $kinds);
        self::assertSame('cp:msg=4711;site=1', $batch['events'][0]['biz_opaque_callback_data']);
        self::assertSame('played', $batch['events'][1]['status']);
        self::assertSame(['quick_reply', 'cartpinger_stop', true], [$batch['events'][2]['type'], $batch['events'][2]['payload'], $batch['events'][2]['opt_out']]);
        self::assertSame('other', $batch['events'][3]['type']);
        self::assertFalse($batch['events'][3]['opt_out']);
        self::assertSame('message_template_status_update', $batch['events'][4]['field']);
        self::assertIsArray($batch['events'][4]['value']);
        self::assertNull($batch['events'][4]['category_change']);
    }

    /** template_category_update as in Meta's webhook reference: impending, then completed (ABI 3). */
    public function testTemplateCategoryUpdateEvents(): void
    {
        $body = '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1764750000,"changes":['
            . '{"field":"template_category_update","value":{"message_template_id":1234567,"message_template_name":"order_confirmed","message_template_language":"en","correct_category":"MARKETING","new_category":"UTILITY","category_update_timestamp":1765354800}},'
            . '{"field":"template_category_update","value":{"message_template_id":1234567,"message_template_name":"order_confirmed","message_template_language":"en","previous_category":"UTILITY","new_category":"MARKETING"}}]}]}';
        [$impending, $completed] = Webhook::parse($body)['events'];
        self::assertSame(['account', 'template_category_update', 'impending', 'MARKETING', 1765354800], [$impending['kind'], $impending['field'], $impending['category_change'], $impending['correct_category'], $impending['category_update_at']]);
        self::assertSame('1234567', $impending['value']['message_template_id']);
        self::assertSame(['completed', 'UTILITY', 'MARKETING'], [$completed['category_change'], $completed['previous_category'], $completed['new_category']]);
    }

    public function testParseValueErrorsIgnoredObjectsAndSkippedItems(): void
    {
        $error = Webhook::parse(self::fixture('meta-docs_errors_value_130429.json'))['events'][0];
        self::assertSame('error', $error['kind']);
        self::assertSame(130429, $error['error']['code']);
        self::assertArrayHasKey('origin', $error);

        $ignored = Webhook::parse(self::fixture('synthetic_ignored_object.json'));
        self::assertSame(['ignored' => true, 'object' => 'page', 'events' => [], 'skipped' => []], $ignored);

        $malformed = Webhook::parse(self::fixture('synthetic_malformed_items.json'));
        self::assertCount(3, $malformed['events']);
        self::assertCount(11, $malformed['skipped']);
        foreach ($malformed['skipped'] as $item) {
            self::assertSame(['path', 'reason'], array_keys($item));
            self::assertStringStartsWith('entry[', $item['path']);
        }
        self::assertSame(['path' => 'entry[0]', 'reason' => 'entry is not an object'], $malformed['skipped'][0]);
        self::assertNull($malformed['events'][2]['error']['code']);
    }

    public function testParseEveryFixture(): void
    {
        $files = glob(dirname(__DIR__) . '/fixtures/meta/webhooks/*.json');
        self::assertNotEmpty($files);
        foreach ($files as $file) {
            $batch = Webhook::parse((string) file_get_contents($file));
            self::assertIsBool($batch['ignored'], basename($file));
            foreach ($batch['events'] as $event) {
                self::assertContains($event['kind'], ['status', 'message', 'error', 'account', 'other'], basename($file));
                if ('message' === $event['kind']) {
                    self::assertIsBool($event['opt_out']);
                }
            }
        }
    }

    /** @return iterable<string, array{string, int}> */
    public function unparseableProvider(): iterable
    {
        yield 'empty' => ['', 6202];
        yield 'not json' => ['{"object":', 6202];
        yield 'not UTF-8' => ["{\"object\":\"\xff\"}", 6202];
        yield 'array' => ['[]', 6203];
        yield 'no object' => ['{"entry":[]}', 6203];
        yield 'object not a string' => ['{"object":1,"entry":[]}', 6203];
        yield 'no entry' => ['{"object":"whatsapp_business_account"}', 6204];
        yield 'entry not an array' => ['{"object":"whatsapp_business_account","entry":{}}', 6204];
    }

    /** @dataProvider unparseableProvider */
    public function testParseErrors(string $body, int $code): void
    {
        try {
            Webhook::parse($body);
            self::fail('parsed');
        } catch (WebhookParseException $e) {
            self::assertSame($code, $e->getCode());
            self::assertInstanceOf(WebhookException::class, $e);
        }
    }

    public function testParseRejectsHugeBodies(): void
    {
        $this->expectException(WebhookParseException::class);
        $this->expectExceptionCode(6201);
        Webhook::parse('{"object":"whatsapp_business_account","entry":[],"pad":"' . str_repeat('x', 8 * 1024 * 1024) . '"}');
    }

    // ------------------------------------------------------------------ apply_status

    public function testApplyStatusTable(): void
    {
        $cases = [
            // current, status, state, changed, timestamps
            ['pending', 'sent', 'sent', true, ['sent_at']],
            ['claimed', 'delivered', 'delivered', true, ['sent_at', 'delivered_at']],
            ['unknown', 'read', 'read', true, ['sent_at', 'delivered_at', 'read_at']],
            ['sent', 'delivered', 'delivered', true, ['sent_at', 'delivered_at']],
            ['read', 'delivered', 'read', false, ['sent_at', 'delivered_at']],
            ['read', 'read', 'read', false, ['sent_at', 'delivered_at', 'read_at']],
            ['sent', 'failed', 'failed', true, ['failed_at']],
            ['read', 'failed', 'failed', true, ['failed_at']],
            ['failed', 'read', 'failed', false, ['sent_at', 'delivered_at', 'read_at']],
            ['delivered', 'played', 'delivered', false, []],
            ['pending', 'deleted', 'none', false, []],
            ['none', 'sent', 'sent', true, ['sent_at']],
            ["\xff", 'sent', 'sent', true, ['sent_at']],
            ['sent', "\xff", 'sent', false, []],
        ];
        foreach ($cases as [$current, $status, $state, $changed, $timestamps]) {
            self::assertSame(
                ['state' => $state, 'changed' => $changed, 'timestamps' => $timestamps],
                Webhook::apply_status($current, $status),
                "$current + $status"
            );
        }
    }

    public function testApplyStatusConvergesInAnyOrder(): void
    {
        $events = ['sent', 'delivered', 'read', 'delivered', 'sent'];
        $permutations = [[]];
        foreach ($events as $event) {
            $next = [];
            foreach ($permutations as $p) {
                for ($i = 0; $i <= count($p); $i++) {
                    $q = $p;
                    array_splice($q, $i, 0, [$event]);
                    $next[] = $q;
                }
            }
            $permutations = $next;
        }
        foreach ($permutations as $order) {
            $state = 'pending';
            foreach ($order as $event) {
                $state = Webhook::apply_status($state, $event)['state'];
            }
            self::assertSame('read', $state, implode(',', $order));
        }
        $state = 'sent';
        foreach (['failed', 'delivered', 'read', 'sent'] as $event) {
            $state = Webhook::apply_status($state, $event)['state'];
        }
        self::assertSame('failed', $state);
    }

    public function testClassShape(): void
    {
        $class = new \ReflectionClass(Webhook::class);
        self::assertTrue($class->isFinal());
        $methods = array_map(static fn (\ReflectionMethod $m): string => $m->getName(), $class->getMethods());
        $methods = array_values(array_diff($methods, ['__construct']));
        sort($methods);
        self::assertSame(['apply_status', 'parse', 'sign', 'verify_signature', 'verify_subscription'], $methods);
        foreach ($class->getMethods() as $method) {
            if ($method->getName() === '__construct') {
                continue;
            }
            self::assertTrue($method->isStatic(), $method->getName());
        }
        self::assertTrue(is_subclass_of(WebhookHandshakeException::class, WebhookException::class));
        self::assertTrue(is_subclass_of(WebhookSignatureException::class, WebhookException::class));
        self::assertTrue(is_subclass_of(WebhookParseException::class, WebhookException::class));
        self::assertTrue(is_subclass_of(WebhookException::class, NativeException::class));
    }
}
