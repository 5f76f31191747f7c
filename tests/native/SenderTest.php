<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Catalog;
use CartPinger\Native\Exception\CatalogException;
use CartPinger\Native\Exception\GraphException;
use CartPinger\Native\Sender;

require_once __DIR__ . '/SandboxProcess.php';

/**
 * CartPinger\Native\Sender loaded in php-cli, against the real sandbox binary.
 */
final class SenderTest extends NativeTestCase
{
    private static ?SandboxProcess $sandbox = null;

    public static function setUpBeforeClass(): void
    {
        if (null === SandboxProcess::binary()) {
            fwrite(STDERR, "\n*** SenderTest SKIPPED: cartpinger-sandbox is not built (cargo build -p cartpinger-sandbox) ***\n");
            return;
        }
        self::$sandbox = new SandboxProcess(['--mps-cap', '1000']);
    }

    public static function tearDownAfterClass(): void
    {
        self::$sandbox = null;
    }

    private function sandbox(): SandboxProcess
    {
        if (null === self::$sandbox) {
            self::markTestSkipped('cartpinger-sandbox is not built');
        }
        return self::$sandbox;
    }

    /** @return list<array<string, mixed>> */
    private static function jobs(string $prefix, int $n): array
    {
        $jobs = [];
        for ($i = 0; $i < $n; $i++) {
            $jobs[] = [
                'id' => "$prefix-$i",
                'to' => sprintf('+3461%07d', $i),
                'template' => 'order_confirmed',
                'language' => 'es',
                'params' => ['Ana', (string) (1000 + $i), '49.90 EUR'],
            ];
        }
        return $jobs;
    }

    public function testSendBatchReturnsOneAcceptedResultPerJobInOrder(): void
    {
        $sb = $this->sandbox();
        $sender = new Sender($sb->config());
        $results = $sender->send_batch(self::jobs('ok', 20), 10000);
        self::assertCount(20, $results);
        foreach ($results as $i => $r) {
            self::assertSame("ok-$i", $r['id']);
            self::assertSame('accepted', $r['status'], json_encode($r));
            self::assertStringStartsWith('wamid.', $r['wamid']);
            self::assertSame(1, $r['attempts']);
            self::assertIsInt($r['latency_ms']);
        }
        $stored = $sb->stored_per_id();
        for ($i = 0; $i < 20; $i++) {
            self::assertSame(1, $stored["ok-$i"] ?? 0);
        }
    }

    public function testInvalidJobsAreReportedWithoutStoppingTheBatch(): void
    {
        $sb = $this->sandbox();
        $sender = new Sender($sb->config());
        $jobs = self::jobs('mix', 2);
        $jobs[] = ['id' => 'bad-params', 'to' => '+34610000009', 'template' => 'order_confirmed', 'language' => 'es', 'params' => ['only one']];
        $jobs[] = ['id' => 'bad-template', 'to' => '+34610000008', 'template' => 'no_such_template', 'language' => 'es', 'params' => []];
        $jobs[] = ['id' => 'bad-shape', 'to' => 34610000007];
        $results = $sender->send_batch($jobs, 10000);
        self::assertSame(['accepted', 'accepted', 'invalid', 'invalid', 'invalid'], array_column($results, 'status'));
        self::assertSame('bad-shape', $results[4]['id']);
        self::assertNotEmpty($results[2]['message']);
    }

    public function testMetaErrorsAreClassifiedWithHumanMessages(): void
    {
        $sb = $this->sandbox();
        $sb->control('/_sandbox/inject', ['class' => 'permanent', 'code' => 131026, 'count' => 1]);
        $sender = new Sender($sb->config(['concurrency' => 1]));
        $results = $sender->send_batch(self::jobs('perm', 2), 10000);
        self::assertSame('permanent', $results[0]['status']);
        self::assertSame(131026, $results[0]['code']);
        self::assertNotEmpty($results[0]['message']);
        self::assertSame('accepted', $results[1]['status']);
    }

    public function testAnExpiredTokenIsFatalAndStopsTheRest(): void
    {
        $sb = $this->sandbox();
        $sender = new Sender($sb->config(['token' => 'wrong-token', 'concurrency' => 1]));
        $results = $sender->send_batch(self::jobs('fatal', 5), 10000);
        self::assertSame('fatal', $results[0]['status']);
        self::assertSame(190, $results[0]['code']);
        self::assertSame(array_fill(0, 4, 'not_attempted'), array_column(array_slice($results, 1), 'status'));
        self::assertStringNotContainsString('wrong-token', json_encode($results), 'the token never appears in results');
    }

    public function testA132001AnswerFallsBackAlongTheLanguageChain(): void
    {
        $sb = $this->sandbox();
        // The sandbox has no approved German translation of this template for this test.
        $sb->control('/_sandbox/inject', ['class' => 'permanent', 'code' => 132001, 'count' => 1]);
        $sender = new Sender($sb->config(['concurrency' => 1]));
        $job = self::jobs('lang', 1)[0];
        $job['language'] = 'de';
        $job['languages'] = ['en', 'es'];
        $results = $sender->send_batch([$job], 10000);
        self::assertSame('accepted', $results[0]['status'], json_encode($results));
        self::assertSame('en', $results[0]['language']);
        self::assertSame(2, $results[0]['attempts']);
        self::assertSame(1, $sb->stored_per_id()['lang-0'] ?? 0);
    }

    public function testCheckCredentials(): void
    {
        $sb = $this->sandbox();
        $ok = (new Sender($sb->config()))->check_credentials();
        self::assertSame('ok', $ok['status']);
        self::assertNotEmpty($ok['display_phone_number']);
        self::assertArrayHasKey('messaging_limit', $ok);
        $bad = (new Sender($sb->config(['token' => 'nope'])))->check_credentials();
        self::assertSame('fatal', $bad['status']);
    }

    public function testEveryCatalogTemplateInEveryLanguageIsAcceptedByTheValidatingSandbox(): void
    {
        $sb = $this->sandbox();
        $jobs = [];
        foreach (Catalog::templates() as $t) {
            foreach ($t['languages'] as $language) {
                $n = count($jobs);
                $jobs[] = [
                    'id' => "cat-$n",
                    'to' => sprintf('+3462%07d', $n),
                    'template' => $t['name'],
                    'language' => $language,
                    'params' => array_column($t['params'], 'example'),
                ];
            }
        }
        $results = (new Sender($sb->config()))->send_batch($jobs, 20000);
        self::assertCount(35, $results);
        self::assertSame(array_fill(0, 35, 'accepted'), array_column($results, 'status'), json_encode($results));
        $stored = $sb->stored_per_id();
        foreach ($jobs as $job) {
            self::assertSame(1, $stored[$job['id']] ?? 0, $job['id']);
        }
    }

    public function testListTemplatesReadsEveryPageAndChecksCompatibility(): void
    {
        $sb = $this->sandbox();
        $list = (new Sender($sb->config()))->list_templates();
        self::assertSame('ok', $list['status'], json_encode($list));
        $byKey = [];
        foreach ($list['templates'] as $t) {
            $byKey[$t['name'] . '/' . $t['language']] = $t;
        }
        foreach (Catalog::templates() as $c) {
            foreach ($c['languages'] as $language) {
                $t = $byKey["{$c['name']}/$language"] ?? null;
                self::assertNotNull($t, "{$c['name']}/$language not listed");
                self::assertSame('APPROVED', $t['status']);
                self::assertTrue($t['in_catalog']);
                self::assertTrue($t['compatible'], json_encode($t['mismatches']));
                self::assertSame([], $t['mismatches']);
            }
        }
        $foreign = $byKey['hello_world/en_US'] ?? null;
        self::assertNotNull($foreign);
        self::assertFalse($foreign['in_catalog']);
        self::assertSame('not_in_catalog', $foreign['mismatches'][0]['kind']);

        $bad = (new Sender($sb->config(['token' => 'expired-token'])))->list_templates();
        self::assertSame('fatal', $bad['status']);
        self::assertSame(190, $bad['code']);
    }

    public function testSubmitTemplateSendsTheCatalogDefinition(): void
    {
        if (null === self::$sandbox) {
            self::markTestSkipped('cartpinger-sandbox is not built');
        }
        $sb = new SandboxProcess(); // Its own store: emptied below.
        $sb->control('/_sandbox/templates', ['templates' => [], 'replace' => true]);
        $sender = new Sender($sb->config());
        $prefix = 'https://shop.example/cart/?cartpinger_recover=';
        $ok = $sender->submit_template('abandoned_cart_recovery_24h', 'pt_BR', $prefix);
        self::assertSame('ok', $ok['status'], json_encode($ok));
        self::assertSame('PENDING', $ok['template_status']);
        self::assertSame('MARKETING', $ok['category']);
        self::assertNotSame('', $ok['id']);
        $order = $sender->submit_template('order_confirmed', 'de', '');
        self::assertSame('ok', $order['status'], json_encode($order));
        $again = $sender->submit_template('order_confirmed', 'de', '');
        self::assertSame('permanent', $again['status']);
        self::assertSame(2388024, $again['code']);
        self::assertNotEmpty($again['message']);
        try {
            $sender->submit_template('abandoned_cart_recovery', 'es', '');
            self::fail('a recovery template without a recovery URL prefix was submitted');
        } catch (CatalogException $e) {
            self::assertSame(5005, $e->getCode());
        }
        try {
            $sender->submit_template('no_such_template', 'es', $prefix);
            self::fail('an unknown template was submitted');
        } catch (CatalogException $e) {
            self::assertSame(5001, $e->getCode());
        }
        $this->expectException(CatalogException::class);
        $this->expectExceptionCode(5002);
        $sender->submit_template('order_confirmed', 'it', '');
    }

    public function testUnknownOutcomesAreFlaggedAndNeverResent(): void
    {
        $sb = $this->sandbox();
        $sb->control('/_sandbox/inject', ['class' => 'timeout_after_write', 'count' => 1, 'hang_ms' => 3000]);
        $sb->control('/_sandbox/inject', ['class' => 'transient', 'code' => 503, 'count' => 1]);
        $sender = new Sender($sb->config(['concurrency' => 1, 'timeout_ms' => 1000]));
        $results = $sender->send_batch(self::jobs('unk', 3), 20000);
        self::assertSame(['unknown', 'accepted', 'accepted'], array_column($results, 'status'), json_encode($results));
        self::assertSame(1, $results[0]['attempts']);
        self::assertArrayNotHasKey('wamid', $results[0]);
        self::assertSame(2, $results[1]['attempts'], 'the 503 was retried once');
        $stored = $sb->stored_per_id();
        self::assertSame([1, 1, 1], [$stored['unk-0'] ?? 0, $stored['unk-1'] ?? 0, $stored['unk-2'] ?? 0]);
    }

    public function testConfigurationIsValidatedWithoutTypeJuggling(): void
    {
        try {
            new Sender(['token' => 't', 'phone_number_id' => '1']);
            self::fail('missing waba_id accepted');
        } catch (GraphException $e) {
            self::assertSame(4001, $e->getCode());
        }
        try {
            new Sender(['token' => 't', 'phone_number_id' => '1', 'waba_id' => '2', 'mps_cap' => '80']);
            self::fail('string mps_cap accepted');
        } catch (GraphException $e) {
            self::assertStringContainsString('mps_cap', $e->getMessage());
        }
        try {
            new Sender(['token' => 'secret-token-value', 'phone_number_id' => '../me', 'waba_id' => '2']);
            self::fail('an id that would change the URL path was accepted');
        } catch (GraphException $e) {
            self::assertStringNotContainsString('secret-token-value', $e->getMessage());
        }
        $sender = new Sender(['token' => 't', 'phone_number_id' => '1', 'waba_id' => '2']);
        $this->expectException(GraphException::class);
        $sender->send_batch([], 0);
    }
}
