<?php
/**
 * The recovery steps in a merchant's words.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Support\Money;

defined( 'ABSPATH' ) || exit;

/**
 * Names of the sequence steps (First reminder → Coupon follow-up → Last reminder) and the order
 * note that tells WooCommerce's order screen a cart was recovered.
 *
 * @since 0.3.0
 */
final class Steps {

	/**
	 * How long a tap on the recovery link pauses the remaining steps, in seconds (2 hours).
	 *
	 * @since 0.3.0
	 */
	public const LINK_PAUSE = 2 * HOUR_IN_SECONDS;

	/**
	 * A step's name (1 First reminder, 2 Coupon follow-up / Follow-up, 3 Last reminder).
	 *
	 * @since 0.3.0
	 *
	 * @param int  $step       Step number (1-based; 0 = none yet).
	 * @param bool $has_coupon Whether step 2 carries a coupon (always named "Coupon follow-up" when unknown).
	 * @return string
	 */
	public static function name( int $step, bool $has_coupon = true ): string {
		switch ( $step ) {
			case 0:
				return __( 'Before any reminder', 'cartpinger-for-woocommerce' );
			case 1:
				return __( 'First reminder', 'cartpinger-for-woocommerce' );
			case 2:
				return $has_coupon ? __( 'Coupon follow-up', 'cartpinger-for-woocommerce' ) : __( 'Follow-up', 'cartpinger-for-woocommerce' );
			default:
				return __( 'Last reminder', 'cartpinger-for-woocommerce' );
		}
	}

	/**
	 * How an order was matched to a recovery record, in words.
	 *
	 * @since 0.3.0
	 *
	 * @param string $how One of link, phone, email, session, order_found.
	 * @return string
	 */
	public static function matched_by( string $how ): string {
		switch ( $how ) {
			case 'link':
				return __( 'the shopper opened the recovery link', 'cartpinger-for-woocommerce' );
			case 'phone':
				return __( 'same phone number', 'cartpinger-for-woocommerce' );
			case 'email':
				return __( 'same email address', 'cartpinger-for-woocommerce' );
			case 'session':
				return __( 'same browser', 'cartpinger-for-woocommerce' );
			default:
				return __( 'an order from the same customer after the reminder', 'cartpinger-for-woocommerce' );
		}
	}

	/**
	 * Adds "Recovered by CartPinger: …" to an order (once per order).
	 *
	 * @since 0.3.0
	 *
	 * @param \WC_Order            $order The recovering order.
	 * @param array<string, mixed> $row   The recovery record (sequence_step, coupon_code, created_at).
	 * @param string               $how   How the order was matched (see matched_by()).
	 * @return void
	 */
	public static function add_order_note( \WC_Order $order, array $row, string $how ): void {
		if ( '' !== (string) $order->get_meta( '_cartpinger_recovered_note' ) ) {
			return;
		}
		$coupon = (string) ( $row['coupon_code'] ?? '' );
		$step   = (int) ( $row['sequence_step'] ?? 0 );
		$note   = sprintf(
			/* translators: 1: step name such as "Coupon follow-up", 2: how the order was matched, e.g. "the shopper opened the recovery link". */
			__( 'Recovered by CartPinger: ordered after the WhatsApp "%1$s" (%2$s).', 'cartpinger-for-woocommerce' ),
			self::name( $step, '' !== $coupon ),
			self::matched_by( $how )
		);
		if ( '' !== $coupon ) {
			$used  = in_array( strtolower( $coupon ), array_map( 'strtolower', $order->get_coupon_codes() ), true );
			$note .= ' ' . sprintf(
				/* translators: 1: coupon code, 2: "used on this order" or "not used". */
				__( 'Coupon %1$s: %2$s.', 'cartpinger-for-woocommerce' ),
				$coupon,
				$used ? __( 'used on this order', 'cartpinger-for-woocommerce' ) : __( 'not used', 'cartpinger-for-woocommerce' )
			);
		}
		$order->add_order_note( $note );
		$order->update_meta_data( '_cartpinger_recovered_note', '1' );
		$order->save_meta_data();
	}

	/**
	 * What a coupon is worth in the store's format ("10%" or "€5.00").
	 *
	 * @since 0.3.0
	 *
	 * @param string $type   Either percent or fixed_cart.
	 * @param float  $amount The coupon amount.
	 * @return string
	 */
	public static function coupon_value( string $type, float $amount ): string {
		if ( 'percent' === $type ) {
			$number = function_exists( 'wc_format_localized_decimal' ) ? wc_format_localized_decimal( (string) ( 0.0 === fmod( $amount, 1.0 ) ? (int) $amount : $amount ) ) : (string) $amount;
			return $number . '%';
		}
		return Money::plain( $amount );
	}
}
