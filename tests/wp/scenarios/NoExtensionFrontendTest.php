<?php
/**
 * Scenario f3: a storefront request (not wp-admin, no user), plugin active, no extension:
 * CartPinger has no callback on storefront or WooCommerce hooks and prints nothing.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

require_once __DIR__ . '/NoExtensionAdminTest.php';

final class NoExtensionFrontendTest extends TestCase {

	public function test_storefront_request_has_no_cartpinger_callbacks(): void {
		$this->assertFalse( is_admin() );
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertTrue( defined( 'CARTPINGER_VERSION' ), 'plugin not loaded by WordPress' );
		$this->assertSame( '', (string) ( $GLOBALS['cartpinger_it_boot_output'] ?? '' ), 'output while WordPress booted' );
		$this->assertSame( array(), NoExtensionAdminTest::storefront_callbacks(), 'CartPinger hooks storefront/WooCommerce hooks without its extension' );
	}

	public function test_rendering_head_and_footer_prints_nothing_of_ours(): void {
		ob_start();
		do_action( 'wp_enqueue_scripts' );
		do_action( 'wp_head' );
		do_action( 'wp_footer' );
		$html = (string) ob_get_clean();
		$pos = stripos( $html, 'cartpinger' );
		$this->assertFalse( $pos, 'storefront head/footer mention CartPinger: ...' . substr( $html, max( 0, (int) $pos - 200 ), 400 ) . '...' );
	}
}
