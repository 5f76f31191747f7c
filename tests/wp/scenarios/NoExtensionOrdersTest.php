<?php
/**
 * Issue 17 point 4, part 1: the extension is missing (run.sh does not load it), WooCommerce is
 * active. Order status changes that would notify are still recorded with a plain INSERT, and
 * the requirements notice says how many wait. Part 2 (DeferredOrdersTest) brings it back.
 *
 * @package CartPinger\Tests\WP
 */

declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Storage\Schema;

final class NoExtensionOrdersTest extends TestCase {

	private static function order( string $consent, string $phone ): \WC_Order {
		$order = wc_create_order();
		$order->set_billing_first_name( 'Lucía' );
		$order->set_billing_phone( $phone );
		$order->set_billing_country( 'ES' );
		$order->set_currency( 'EUR' );
		if ( '' !== $consent ) {
			$order->update_meta_data( CheckoutHooks::ORDER_META, $consent );
		}
		$order->save();
		return $order;
	}

	public function test_status_changes_are_recorded_and_counted_without_the_extension(): void {
		global $wpdb;
		$this->assertFalse( extension_loaded( 'cartpinger' ) );
		$this->assertNull( \CartPinger\Plugin::instance(), 'the plugin booted without its extension' );
		$table = Schema::messages_log_table();
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $table ) );

		$fresh = self::order( '1', '612 345 001' );
		$fresh->update_status( 'processing' );
		$fresh->update_status( 'processing' ); // Twice: still one row.
		$old = self::order( '1', '612 345 002' );
		$old->update_status( 'completed' );
		$none = self::order( '', '612 345 003' );
		$none->update_status( 'processing' );

		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT order_id, status, idempotency_key, template, error_code FROM %i ORDER BY id', $table ), ARRAY_A );
		$this->assertSame(
			array(
				array( (string) $fresh->get_id(), 'deferred', 'order:' . $fresh->get_id() . ':processing', 'order_confirmed', 'extension_missing' ),
				array( (string) $old->get_id(), 'deferred', 'order:' . $old->get_id() . ':completed', 'order_completed', 'extension_missing' ),
			),
			array_map( 'array_values', $rows ),
			'one deferred row per consented order × status'
		);
		// The completed one happened three days ago (for part 2: too late to send).
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET created_at = %s WHERE order_id = %d', $table, gmdate( 'Y-m-d H:i:s', time() - 3 * DAY_IN_SECONDS ), $old->get_id() ) );
		update_option( 'cartpinger_it_deferred_orders', array( $fresh->get_id(), $old->get_id() ), false );

		wp_set_current_user( 1 );
		ob_start();
		( new \CartPinger\Requirements() )->action_admin_notices();
		$html = (string) ob_get_clean();
		$this->assertMatchesRegularExpression( '/<strong>2<\/strong> order notifications are waiting/', $html, "the notice does not say how many wait:\n" . $html );
	}
}
