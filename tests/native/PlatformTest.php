<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Platform;

/** CartPinger\Native\Platform: routing, rate card and Graph API versions (ABI 3). */
final class PlatformTest extends NativeTestCase
{
    public function testRouteByLatestCategory(): void
    {
        self::assertSame('marketing_messages', Platform::route('MARKETING', 'ONBOARDED', '2026-12-03', '2027-10-13')['endpoint']);
        self::assertSame('messages', Platform::route('MARKETING', 'ELIGIBLE', '2026-12-03', '2027-10-13')['endpoint']);
        self::assertSame('messages', Platform::route('UTILITY', 'ONBOARDED', '2026-12-03', '2027-10-13')['endpoint']);
        $refused = Platform::route('MARKETING', '', '2027-10-13', Platform::marketing_cutoff());
        self::assertNull($refused['endpoint']);
        self::assertSame('marketing_route', $refused['code']);
        self::assertSame('2027-10-13', Platform::marketing_cutoff());
    }

    public function testRateCard(): void
    {
        $es = Platform::rate('+34612345678', 'marketing');
        self::assertSame(['Spain', 'USD', 61500], [$es['market'], $es['currency'], $es['micros']]);
        self::assertSame(55000, Platform::rate('+4915112345678', 'UTILITY')['micros']);
        self::assertNull(Platform::rate('+34612345678', 'nonsense')['micros']);
        self::assertSame(0, Platform::cost('+34612345678', 'utility', 'free_customer_service', true));
        self::assertSame(0, Platform::cost('+34612345678', 'marketing', 'regular', false));
        self::assertSame(61500, Platform::cost('+34612345678', 'marketing', 'regular', null));
        $card = Platform::rate_card();
        self::assertStringStartsWith('https://developers.facebook.com/', $card['source']);
        self::assertGreaterThan(20, count($card['markets']));
    }

    public function testVersions(): void
    {
        $v21 = Platform::version_status('v21.0', '2026-12-03');
        self::assertSame(['2027-01-21', 49, true, 60], [$v21['available_until'], $v21['days_left'], $v21['warn'], $v21['warning_days']]);
        self::assertSame(Platform::default_graph_version(), $v21['suggested']);
        $default = Platform::version_status(Platform::default_graph_version(), '2026-12-03');
        self::assertFalse($default['warn']);
        self::assertGreaterThanOrEqual(365, $default['days_left']);
        self::assertFalse(Platform::version_status('v9.0', '2026-12-03')['known']);
        self::assertSame('v27.0', Platform::graph_versions()[0]['version']);
    }
}
