<?php
/**
 * STAND-IN for WooCommerce 10.9+'s WC_Email_Customer_Abandoned_Cart_Recovery, for the WordPress
 * tier only: no WooCommerce copy that runs here has the class. It is not WooCommerce's code;
 * it reproduces the parts CartPinger interacts with, as WooCommerce's class does them:
 *
 * - is_suppressed() is `(bool) apply_filters( 'woocommerce_abandoned_cart_recovery_suppress', false )`
 *   (one argument, no order), and trigger( $order_id ) calls it first, before loading the order;
 * - the automatic send runs from the Action Scheduler hook
 *   woocommerce_send_abandoned_cart_recovery_notification, whose callback receives the order id;
 * - a send is recorded in the order meta _abandoned_cart_recovery_email_sent_at, and trigger()
 *   sends at most once per order, only for pending/checkout-draft orders with a billing email.
 *
 * Mail is not sent: $sent lists the order ids that would have been emailed.
 *
 * @package CartPinger\Tests
 */

declare(strict_types=1);

// phpcs:disable Generic.Files.OneObjectStructurePerFile, Squiz.Classes.ClassFileName -- test stand-in.
if ( ! class_exists( 'WC_Email_Customer_Abandoned_Cart_Recovery', false ) ) {
	/**
	 * The stand-in.
	 */
	class WC_Email_Customer_Abandoned_Cart_Recovery {

		public const EMAIL_ID = 'customer_abandoned_cart_recovery';

		public const META_KEY_SENT_AT = '_abandoned_cart_recovery_email_sent_at';

		/** @var list<int> Orders emailed. */
		public static array $sent = array();

		public static function is_suppressed(): bool {
			return (bool) apply_filters( 'woocommerce_abandoned_cart_recovery_suppress', false );
		}

		public function trigger( $order_id ): bool {
			if ( self::is_suppressed() ) {
				return false;
			}
			$order = $order_id ? wc_get_order( $order_id ) : false;
			if ( ! $order instanceof WC_Order
				|| ! in_array( $order->get_status(), array( 'pending', 'checkout-draft' ), true )
				|| ! is_email( $order->get_billing_email() )
				|| '' !== (string) $order->get_meta( self::META_KEY_SENT_AT )
			) {
				return false;
			}
			self::$sent[] = (int) $order->get_id();
			$order->update_meta_data( self::META_KEY_SENT_AT, (string) time() );
			$order->save_meta_data();
			return true;
		}
	}

	// WooCommerce's Scheduler::handle_scheduled_send(): the Action Scheduler callback.
	add_action(
		'woocommerce_send_abandoned_cart_recovery_notification',
		static function ( $order_id ): void {
			( new WC_Email_Customer_Abandoned_Cart_Recovery() )->trigger( (int) $order_id );
		}
	);
}
