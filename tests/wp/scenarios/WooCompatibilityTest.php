<?php
/**
 * Scenario h (woo tier): with CartPinger active (g0), a request sees its HPOS
 * (custom_order_tables) and cart_checkout_blocks compatibility declarations.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use Automattic\WooCommerce\Utilities\FeaturesUtil;

final class WooCompatibilityTest extends TestCase {

	public function test_declares_hpos_and_blocks_compatibility(): void {
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertTrue( did_action( 'before_woocommerce_init' ) > 0 );
		foreach ( array( 'custom_order_tables', 'cart_checkout_blocks' ) as $feature ) {
			$plugins = FeaturesUtil::get_compatible_plugins_for_feature( $feature );
			$this->assertContains( self::PLUGIN, $plugins['compatible'] ?? array(), "{$feature}: CartPinger not declared compatible: " . wp_json_encode( $plugins ) );
			$this->assertNotContains( self::PLUGIN, $plugins['incompatible'] ?? array(), "{$feature}: CartPinger listed incompatible" );
			$this->assertNotContains( self::PLUGIN, $plugins['uncertain'] ?? array(), "{$feature}: CartPinger listed uncertain" );
		}
	}

	public function test_hpos_state_is_reported(): void {
		// Information for the report; the plugin must work either way.
		$enabled = \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled();
		fwrite( STDERR, 'woo: HPOS custom_orders_table_usage_is_enabled=' . ( $enabled ? 'yes' : 'no' ) . PHP_EOL );
		$this->assertIsBool( $enabled );
	}

	public function test_plugin_booted_and_storefront_request_is_clean(): void {
		$this->assertNotNull( \CartPinger\Plugin::instance(), 'CartPinger did not boot with WooCommerce and the extension' );
		$this->assertSame( '', (string) ( $GLOBALS['cartpinger_it_boot_output'] ?? '' ), 'output while WordPress booted' );
	}
}
