<?php
/**
 * Order notifications recorded while the extension is missing.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Orders;

use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Storage\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * While the native extension is missing (or the wrong build), the plugin does not boot, but an
 * order status change that would notify the customer is still recorded: one plain INSERT of a
 * `deferred` row under the same idempotency key the notification would use. Nothing here
 * needs the extension. When it is back, Notifications::resume_deferred() sends each one — or
 * expires it with its reason when it would arrive too late to help.
 *
 * @since 0.3.0
 */
final class Backlog {

	/**
	 * Status of a recorded, not yet built notification.
	 *
	 * @since 0.3.0
	 */
	public const STATUS = 'deferred';

	/**
	 * Hooks the order status changes (WooCommerce active, extension missing).
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function register(): void {
		foreach ( array_keys( Notifications::STATUSES ) as $status ) {
			add_action(
				'woocommerce_order_status_' . $status,
				function ( $order_id, $order = null ) use ( $status ): void {
					$this->record( (int) $order_id, $order, $status );
				},
				20,
				2
			);
		}
	}

	/**
	 * Records one notification for later, when the customer consented.
	 *
	 * @since 0.3.0
	 *
	 * @param int    $order_id Order id.
	 * @param mixed  $order    The order, when WooCommerce passed it.
	 * @param string $status   Order status: processing, completed or cancelled.
	 * @return bool Whether a row was recorded.
	 */
	public function record( int $order_id, $order, string $status ): bool {
		global $wpdb;
		if ( ! isset( Notifications::STATUSES[ $status ] ) ) {
			return false;
		}
		if ( ! $order instanceof \WC_Order ) {
			$order = function_exists( 'wc_get_order' ) ? wc_get_order( $order_id ) : null;
		}
		if ( ! $order instanceof \WC_Order || '1' !== (string) $order->get_meta( CheckoutHooks::ORDER_META, true ) ) {
			return false;
		}
		$now = gmdate( 'Y-m-d H:i:s' );
		return 1 === $wpdb->query(
			$wpdb->prepare(
				'INSERT IGNORE INTO %i (order_id, kind, idempotency_key, template, priority, status, due_at, error_code, error_message, created_at, updated_at) VALUES (%d, %s, %s, %s, %d, %s, %s, %s, %s, %s, %s)',
				Schema::messages_log_table(),
				(int) $order->get_id(),
				'order',
				'order:' . (int) $order->get_id() . ':' . $status,
				Notifications::STATUSES[ $status ][1],
				20,
				self::STATUS,
				$now,
				'extension_missing',
				'Recorded while the CartPinger extension was missing; sent when it is back.',
				$now,
				$now
			)
		);
	}

	/**
	 * How many notifications wait for the extension.
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function waiting(): int {
		global $wpdb;
		$table = Schema::messages_log_table();
		if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) !== $table ) {
			return 0;
		}
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i WHERE status = %s', $table, self::STATUS ) );
	}
}
