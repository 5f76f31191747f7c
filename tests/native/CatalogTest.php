<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Catalog;

/**
 * CartPinger\Native\Catalog: the template catalog as the Templates page reads it.
 */
final class CatalogTest extends NativeTestCase
{
    public function testTheCatalogListsEveryTemplateInEveryLanguage(): void
    {
        $templates = Catalog::templates();
        self::assertSame(
            [
                'abandoned_cart_recovery',
                'abandoned_cart_recovery_24h',
                'abandoned_cart_recovery_24h_no_coupon',
                'abandoned_cart_recovery_48h',
                'order_confirmed',
                'order_completed',
                'order_cancelled',
            ],
            array_column($templates, 'name')
        );
        self::assertSame(['en', 'es', 'pt_BR', 'fr', 'de'], Catalog::languages());
        foreach ($templates as $t) {
            self::assertContains($t['category'], ['MARKETING', 'UTILITY']);
            self::assertNotSame('', $t['when']);
            self::assertSame(Catalog::languages(), $t['languages']);
            self::assertSame($t['languages'], array_keys($t['texts']));
            self::assertSame(in_array('recovery_url', $t['buttons'], true), $t['needs_recovery_url']);
            foreach ($t['params'] as $p) {
                self::assertSame(['name', 'description', 'example', 'kind'], array_keys($p));
                self::assertContains($p['kind'], ['text', 'token', 'coupon']);
            }
            foreach ($t['texts'] as $text) {
                self::assertSame(['header', 'body', 'footer', 'url_button_label'], array_keys($text));
                self::assertIsString($text['body']);
                self::assertSame(null !== $text['url_button_label'], $t['needs_recovery_url']);
            }
        }
    }

    public function testBodyVariablesMatchTheTextParameters(): void
    {
        foreach (Catalog::templates() as $t) {
            $inBody = count(array_filter($t['params'], static fn (array $p): bool => 'token' !== $p['kind']));
            foreach ($t['texts'] as $language => $text) {
                preg_match_all('/\{\{(\d+)\}\}/', $text['body'], $m);
                self::assertCount($inBody, array_unique($m[1]), "{$t['name']} $language");
            }
        }
    }
}
