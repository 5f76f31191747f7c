<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Delivery;
use CartPinger\Native\Sender;

require_once __DIR__ . '/SandboxProcess.php';

/**
 * CartPinger\Native\Delivery (the queue's policy) and Sender::send_stream() in php-cli.
 */
final class DeliveryTest extends NativeTestCase
{
    public function testDecideMapsEachOutcome(): void
    {
        $now = 1_800_000_000;
        self::assertSame(['step' => 'sent', 'wamid' => 'wamid.A'], Delivery::decide('order', ['status' => 'accepted', 'wamid' => 'wamid.A'], 0, $now, 1));
        self::assertSame('unknown', Delivery::decide('order', ['status' => 'accepted'], 0, $now, 1)['step'], 'accepted without a wamid is not sent');
        self::assertSame(['step' => 'fail', 'reason' => '131026'], Delivery::decide('recovery', ['status' => 'permanent', 'code' => 131026], 0, $now, 1));
        self::assertSame(['step' => 'pause', 'reason' => '190'], Delivery::decide('recovery', ['status' => 'fatal', 'code' => 190], 0, $now, 1));
        self::assertSame(['step' => 'release'], Delivery::decide('recovery', ['status' => 'not_attempted'], 3, $now, 1));
        $unknown = Delivery::decide('recovery', ['status' => 'unknown'], 0, $now, 1);
        self::assertSame(['step' => 'unknown', 'due_at' => $now + 900, 'reason' => 'no_answer'], $unknown);
        $retry = Delivery::decide('order', ['status' => 'transient', 'retry_after_ms' => 120000], 0, $now, 0);
        self::assertSame('retry', $retry['step']);
        self::assertSame($now + 120, $retry['due_at']);
        self::assertSame(['step' => 'fail', 'reason' => 'retries_spent'], Delivery::decide('order', ['status' => 'transient'], 7, $now, 0));
        self::assertSame('pending', Delivery::lease_expired('claimed'));
        self::assertSame('unknown', Delivery::lease_expired('sending'));
        self::assertSame('keep', Delivery::lease_expired('sent'));
        $facts = ['kind' => 'recovery', 'in_flight_at' => $now, 'now' => $now + 900];
        self::assertSame(['action' => 'close', 'reason' => 'unknown_not_resent'], Delivery::settle_unknown($facts));
        self::assertSame(['action' => 'sent'], Delivery::settle_unknown(['has_wamid' => true] + $facts));
        self::assertSame(['action' => 'resend', 'reason' => 'unknown_resent'], Delivery::settle_unknown(['kind' => 'order', 'now' => $now + 3600, 'later_status_seen' => true] + $facts));
        self::assertTrue(Delivery::deferred_still_useful($now, $now + 3600));
        self::assertFalse(Delivery::deferred_still_useful($now, $now + 48 * 3600));
    }

    public function testSendStreamMarksBeforeSendingAndReportsEachResultOnce(): void
    {
        if (null === SandboxProcess::binary()) {
            self::markTestSkipped('cartpinger-sandbox is not built');
        }
        $sb = new SandboxProcess(['--mps-cap', '1000', '--latency-ms', '20']);
        $sender = new Sender($sb->config(['mps_cap' => 200, 'concurrency' => 16]));
        $jobs = [];
        for ($i = 0; $i < 60; $i++) {
            $jobs[] = ['id' => "s-$i", 'to' => sprintf('+3462%07d', $i), 'template' => 'order_confirmed', 'language' => 'es', 'params' => ['Ana', (string) $i, '1.00 EUR']];
        }
        $jobs[] = ['id' => 'bad', 'to' => 'nope', 'template' => 'order_confirmed', 'language' => 'es', 'params' => []];
        $started = [];
        $results = [];
        $never = $sender->send_stream(
            $jobs,
            20000,
            static function (array $ids) use (&$started, $sb): bool {
                foreach ($ids as $id) {
                    self::assertArrayNotHasKey($id, $started, "$id marked twice");
                    $started[$id] = true;
                }
                return true;
            },
            static function (array $rows) use (&$results, &$started): bool {
                foreach ($rows as $row) {
                    self::assertArrayNotHasKey($row['id'], $results, "{$row['id']} reported twice");
                    if ('invalid' !== $row['status']) {
                        self::assertArrayHasKey($row['id'], $started, "{$row['id']} reported before it was marked");
                    }
                    $results[$row['id']] = $row;
                }
                return true;
            }
        );
        self::assertSame([], $never);
        self::assertCount(61, $results);
        self::assertSame('invalid', $results['bad']['status']);
        $stored = $sb->stored_per_id();
        for ($i = 0; $i < 60; $i++) {
            self::assertSame('accepted', $results["s-$i"]['status']);
            self::assertSame(1, $stored["s-$i"] ?? 0);
        }

        // A callback that says stop: nothing new starts, the rest come back as never started.
        $count = 0;
        $jobs2 = array_map(static fn ($j) => ['id' => 't' . $j['id']] + $j, array_slice($jobs, 0, 40));
        $never = $sender->send_stream(
            $jobs2,
            20000,
            static function (array $ids) use (&$count): bool {
                $count += count($ids);
                return $count <= 5;
            },
            static fn (array $rows): bool => true
        );
        self::assertNotEmpty($never);
        $stored = $sb->stored_per_id();
        foreach ($never as $id) {
            self::assertSame(0, $stored[$id] ?? 0, "$id was never started but reached the sandbox");
        }
    }
}
