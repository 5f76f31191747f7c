<?php
/**
 * Closes records when their shopper orders.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Queue\Store;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * On order creation (classic, block, admin, REST) and on payment, the live records of the same
 * session, recovery link, phone (E.164) or email close: `recovered` (order id, revenue, step)
 * when a message had been sent, `converted` otherwise (including holdout carts, which keep their
 * holdout flag for the lift report). Their pending messages are cancelled, so the sequence
 * stops. Never throws into the checkout.
 *
 * @since 0.2.0
 */
final class Attribution implements RegistersHooks {

	/**
	 * The records.
	 *
	 * @since 0.2.0
	 *
	 * @var Repository
	 */
	private Repository $records;

	/**
	 * The queue.
	 *
	 * @since 0.2.0
	 *
	 * @var Store
	 */
	private Store $queue;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.2.0
	 *
	 * @param Repository $records Records.
	 * @param Store      $queue   Queue.
	 */
	public function __construct( Repository $records, Store $queue ) {
		$this->records = $records;
		$this->queue   = $queue;
	}

	/**
	 * Registers the hooks.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'woocommerce_checkout_order_processed', array( $this, 'on_order_id' ), 20, 1 );
		add_action( 'woocommerce_store_api_checkout_order_processed', array( $this, 'on_order' ), 20, 1 );
		add_action( 'woocommerce_new_order', array( $this, 'on_order_id' ), 20, 1 );
		add_action( 'woocommerce_payment_complete', array( $this, 'on_order_id' ), 20, 1 );
	}

	/**
	 * Hook adapter taking an order id.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $order_id Order id.
	 * @return void
	 */
	public function on_order_id( $order_id ): void {
		if ( ! function_exists( 'wc_get_order' ) || ! is_numeric( $order_id ) ) {
			return;
		}
		$order = wc_get_order( (int) $order_id );
		if ( $order instanceof \WC_Order ) {
			$this->on_order( $order );
		}
	}

	/**
	 * Attributes one order.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $order The order.
	 * @return void
	 */
	public function on_order( $order ): void {
		if ( ! $order instanceof \WC_Order ) {
			return;
		}
		try {
			$this->attribute( $order );
		} catch ( \Throwable $e ) {
			Capture::log( 'Attribution failed: ' . $e->getMessage() );
		}
	}

	/**
	 * Closes the live records this order answers.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return int Records closed.
	 */
	public function attribute( \WC_Order $order ): int {
		$phone = (string) $order->get_meta( CheckoutHooks::ORDER_PHONE_META );
		if ( '' === $phone ) {
			$phone = CheckoutHooks::order_phone( $order );
		}
		$email    = strtolower( (string) $order->get_billing_email() );
		$decimals = function_exists( 'wc_get_price_decimals' ) ? wc_get_price_decimals() : 2;
		$revenue  = (int) round( (float) $order->get_total( 'edit' ) * ( 10 ** $decimals ) );
		// An order is often saved before its totals (woocommerce_new_order): keep the revenue of
		// records it already recovered current on the later hooks.
		$this->records->refresh_revenue( (int) $order->get_id(), $revenue );
		$session_key = '';
		$linked      = 0;
		// The shopper's session only speaks for orders placed by the shopper at checkout.
		if ( function_exists( 'WC' ) && null !== WC()->session && in_array( $order->get_created_via(), array( 'checkout', 'store-api' ), true ) ) {
			$session_key = Capture::session_key();
			$linked      = (int) WC()->session->get( Capture::SESSION_RECOVERY );
		}
		$rows = $this->records->live_for_contact( $session_key, $phone, $email, $linked );
		if ( array() === $rows ) {
			return 0;
		}
		$closed = 0;
		$ids    = array();
		foreach ( $rows as $row ) {
			$id    = (int) $row['id'];
			$ids[] = $id;
			if ( 'messaged' === $row['status'] ) {
				if ( $id === $linked ) {
					$how = 'link';
				} elseif ( '' !== $phone && $phone === $row['customer_phone'] ) {
					$how = 'phone';
				} elseif ( '' !== $email && $email === $row['customer_email'] ) {
					$how = 'email';
				} else {
					$how = 'session';
				}
				$done    = $this->records->close(
					array( $id ),
					'recovered',
					$how,
					array(
						'recovered_order_id'      => (int) $order->get_id(),
						'recovered_revenue_minor' => $revenue,
						'recovered_step'          => (int) $row['sequence_step'],
						'recovered_at'            => gmdate( 'Y-m-d H:i:s' ),
					)
				);
				$closed += $done;
				if ( $done > 0 ) {
					// WooCommerce's order screen says so (the Orders list credits the channel
					// through the utm parameters the recovery link lands with, see Link).
					Steps::add_order_note( $order, $row, $how );
				}
				continue;
			}
			$closed += $this->records->close(
				array( $id ),
				'converted',
				'ordered',
				array( 'recovered_order_id' => (int) $order->get_id() )
			);
		}
		$this->queue->cancel_for_recoveries( $ids, 'ordered' );
		if ( '' !== $session_key && function_exists( 'WC' ) && null !== WC()->session ) {
			// WooCommerce saves the session before payment, cart still full (process_order_payment):
			// a capture loading it then must still know this cart's records were just ordered.
			WC()->session->set( Capture::SESSION_ORDERED, $ids );
		}
		if ( $linked > 0 && function_exists( 'WC' ) && null !== WC()->session ) {
			WC()->session->set( Capture::SESSION_RECOVERY, null );
		}
		return $closed;
	}
}
