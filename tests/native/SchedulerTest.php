<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception\NativeException;
use CartPinger\Native\Exception\SchedulerException;
use CartPinger\Native\Scheduler;

/**
 * CartPinger\Native\Scheduler: the Rust recovery scheduler seen from PHP (the built .so).
 * The rules themselves are tested in crates/cartpinger-core/tests/schedule.rs; here: the
 * shapes of the decisions, strict types at the boundary, and batches.
 */
final class SchedulerTest extends NativeTestCase
{
    /** 2025-01-15 12:00:00 UTC (13:00 in Madrid). */
    private const NOW = 1736942400;

    /** @return array<string, mixed> */
    private static function policy(array $override = []): array
    {
        return array_replace([
            'delay' => 3600,
            'followups' => true,
            'followup_1_after' => 86400,
            'followup_2_enabled' => true,
            'followup_2_after' => 172800,
            'coupon' => true,
            'cooloff' => 43200,
            'max_age' => 604800,
            'holdout_percent' => 0,
            'holdout_salt' => 'site-salt',
            'quiet' => ['enabled' => true, 'start' => 1260, 'end' => 540],
            'default_timezone' => 'UTC',
            'ttl' => [21600, 43200, 86400],
            'us_marketing_guard' => true,
        ], $override);
    }

    /** @return array<string, mixed> */
    private static function record(array $override = []): array
    {
        return array_replace([
            'id' => 7,
            'status' => 'open',
            'consent' => true,
            'opted_out' => false,
            'ordered_since' => false,
            'phone' => '+34612345678',
            'billing_country' => 'ES',
            'created_at' => self::NOW - 10800,
            'last_activity_at' => self::NOW - 7200,
            'step' => 0,
            'first_message_at' => 0,
            'last_other_message_at' => 0,
        ], $override);
    }

    public function testTheClassIsFinalAndStatic(): void
    {
        $rc = new \ReflectionClass(Scheduler::class);
        self::assertTrue($rc->isFinal());
        self::assertTrue($rc->isInternal());
        $plan = $rc->getMethod('plan');
        self::assertTrue($plan->isStatic());
        self::assertSame(['policy', 'records', 'now'], array_map(fn ($p) => $p->getName(), $plan->getParameters()));
    }

    public function testDecisionsEndToEnd(): void
    {
        $out = Scheduler::plan(self::policy(), [
            self::record(['id' => 1]),
            self::record(['id' => 2, 'step' => 1, 'first_message_at' => self::NOW - 90000]),
            self::record(['id' => 3, 'last_activity_at' => self::NOW - 600]),
            self::record(['id' => 4, 'opted_out' => true]),
            self::record(['id' => 5, 'phone' => '+12024561111', 'billing_country' => 'US']),
            // Its own phone: record 1's send in this batch would start a cool-off for its phone.
            self::record(['id' => 6, 'phone' => '+34612345679', 'last_other_message_at' => self::NOW - 3600]),
            self::record(['id' => 8, 'status' => 'recovered']),
            self::record(['id' => 9, 'phone' => '612345678']),
            self::record(['id' => 10, 'step' => 3, 'first_message_at' => self::NOW - 200000]),
        ], self::NOW);

        self::assertSame([
            'id' => 1, 'action' => 'send', 'step' => 1, 'template' => 'abandoned_cart_recovery',
            'category' => 'marketing', 'send_at' => self::NOW, 'expires_at' => self::NOW + 21600,
            'coupon' => false, 'quiet_shifted' => false,
        ], $out[0]);
        self::assertSame([
            'id' => 2, 'action' => 'send', 'step' => 2, 'template' => 'abandoned_cart_recovery_24h',
            'category' => 'marketing', 'send_at' => self::NOW, 'expires_at' => self::NOW + 43200,
            'coupon' => true, 'quiet_shifted' => false,
        ], $out[1]);
        self::assertSame(['id' => 3, 'action' => 'wait', 'until' => self::NOW + 3000, 'reason' => 'delay'], $out[2]);
        self::assertSame(['id' => 4, 'action' => 'stop', 'reason' => 'opted_out'], $out[3]);
        self::assertSame([
            'id' => 5, 'action' => 'hold', 'reason' => 'us_marketing', 'step' => 1,
            'template' => 'abandoned_cart_recovery',
        ], $out[4]);
        self::assertSame(['id' => 6, 'action' => 'wait', 'until' => self::NOW + 39600, 'reason' => 'cooloff'], $out[5]);
        self::assertSame(['id' => 8, 'action' => 'stop', 'reason' => 'closed'], $out[6]);
        self::assertSame(['id' => 9, 'action' => 'stop', 'reason' => 'invalid_phone'], $out[7]);
        self::assertSame(['id' => 10, 'action' => 'stop', 'reason' => 'complete'], $out[8]);
    }

    public function testQuietHoursHoldoutAndNoCoupon(): void
    {
        // 22:30 in Madrid: the next instant outside 21:00-09:00 in every Spanish zone
        // (the Canaries are one hour behind) is 09:00 UTC.
        $late = 1736976600; // 2025-01-15 21:30 UTC
        $out = Scheduler::plan(self::policy(['coupon' => false]), [
            self::record(['last_activity_at' => $late - 7200]),
            self::record(['step' => 1, 'first_message_at' => $late - 90000, 'last_activity_at' => $late - 93600]),
        ], $late);
        self::assertSame('send', $out[0]['action']);
        self::assertSame(1737018000, $out[0]['send_at']); // 2025-01-16 09:00 UTC
        self::assertSame(1737018000 + 21600, $out[0]['expires_at']);
        self::assertTrue($out[0]['quiet_shifted']);
        self::assertSame('abandoned_cart_recovery_24h_no_coupon', $out[1]['template']);
        self::assertFalse($out[1]['coupon']);

        $all = Scheduler::plan(self::policy(['holdout_percent' => 100]), [self::record()], self::NOW);
        self::assertSame([['id' => 7, 'action' => 'holdout']], $all);
    }

    public function testABatchOf1000KeepsItsOrder(): void
    {
        $records = [];
        for ($i = 0; $i < 1000; $i++) {
            // One phone each, so the in-batch cool-off never applies here.
            $records[] = self::record(['id' => 5000 - $i, 'phone' => sprintf('+346%08d', $i), 'ordered_since' => 0 === $i % 4]);
        }
        $out = Scheduler::plan(self::policy(), $records, self::NOW);
        self::assertCount(1000, $out);
        self::assertSame(range(0, 999), array_keys($out));
        foreach ($out as $i => $d) {
            self::assertSame(5000 - $i, $d['id']);
            self::assertSame(0 === $i % 4 ? 'stop' : 'send', $d['action']);
        }
        self::assertSame([], Scheduler::plan(self::policy(), [], self::NOW));
    }

    /** @return iterable<string, array{0: array, 1: array, 2: int, 3: string}> */
    public static function badInput(): iterable
    {
        $p = self::policy();
        $r = self::record();
        $without = static function (array $a, string $key): array {
            unset($a[$key]);
            return $a;
        };
        yield 'missing policy key' => [$without($p, 'delay'), [$r], 7001, 'policy.delay is missing'];
        yield 'missing quiet key' => [array_replace($p, ['quiet' => ['enabled' => true, 'start' => 0]]), [$r], 7001, 'policy.quiet.end is missing'];
        yield 'missing record key' => [$p, [$r, $without($r, 'phone')], 7001, 'records[1].phone is missing'];
        yield 'numeric string is not an int' => [array_replace($p, ['delay' => '3600']), [$r], 7002, 'policy.delay must be int, got string'];
        yield 'int is not a bool' => [array_replace($p, ['coupon' => 1]), [$r], 7002, 'policy.coupon must be bool, got int'];
        yield 'float is not an int' => [$p, [array_replace($r, ['created_at' => 1.0])], 7002, 'records[0].created_at must be int, got float'];
        yield 'null is not a string' => [$p, [array_replace($r, ['phone' => null])], 7002, 'records[0].phone must be string, got null'];
        yield 'int id as string' => [$p, [array_replace($r, ['id' => '7'])], 7002, 'records[0].id must be int, got string'];
        yield 'record not an array' => [$p, ['nope'], 7002, 'records[0] must be array, got string'];
        yield 'quiet not an array' => [array_replace($p, ['quiet' => 'off']), [$r], 7002, 'policy.quiet must be array, got string'];
        yield 'ttl too short' => [array_replace($p, ['ttl' => [1, 2]]), [$r], 7003, 'policy.ttl: must be a list of 3 ints'];
        yield 'ttl string' => [array_replace($p, ['ttl' => [1, '2', 3]]), [$r], 7002, 'policy.ttl[1] must be int, got string'];
        yield 'holdout out of range' => [array_replace($p, ['holdout_percent' => 101]), [$r], 7003, 'policy.holdout_percent: must be between 0 and 100'];
        yield 'quiet minute out of range' => [array_replace($p, ['quiet' => ['enabled' => true, 'start' => 1440, 'end' => 0]]), [$r], 7003, 'policy.quiet.start'];
        yield 'unknown zone' => [array_replace($p, ['default_timezone' => 'Mars/Base']), [$r], 7003, 'policy.default_timezone'];
        yield 'step out of range' => [$p, [array_replace($r, ['step' => 4])], 7004, 'records[0].step: must be between 0 and 3'];
        yield 'follow-up without anchor' => [$p, [array_replace($r, ['step' => 1])], 7004, 'records[0].first_message_at'];
        yield 'negative now' => [$p, [$r], 7005, 'now must be between'];
    }

    /** @dataProvider badInput */
    public function testBadInputThrowsSchedulerExceptionNamingTheKey(array $policy, array $records, int $code, string $message): void
    {
        try {
            Scheduler::plan($policy, $records, 7005 === $code ? -1 : self::NOW);
            self::fail('no exception');
        } catch (SchedulerException $e) {
            self::assertInstanceOf(NativeException::class, $e);
            self::assertSame($code, $e->getCode());
            self::assertStringStartsWith($message, $e->getMessage());
        }
    }

    public function testPhpTypeErrorsForTheArguments(): void
    {
        $this->expectException(\TypeError::class);
        /** @phpstan-ignore-next-line deliberately wrong */
        Scheduler::plan(self::policy(), [], '1736942400');
    }
}
