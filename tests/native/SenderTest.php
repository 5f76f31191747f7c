<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

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
        $bad = (new Sender($sb->config(['token' => 'nope'])))->check_credentials();
        self::assertSame('fatal', $bad['status']);
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
