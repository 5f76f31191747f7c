<?php
/**
 * Cart snapshots: what is saved at capture and put back by the recovery link.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

defined( 'ABSPATH' ) || exit;

/**
 * Saves and restores cart lines (product, variation, attributes, quantity), applied coupons,
 * totals and currency.
 *
 * @since 0.2.0
 */
final class Snapshot {

	/**
	 * The snapshot of a cart.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Cart $cart The cart.
	 * @return array{lines: array<int, array<string, mixed>>, coupons: string[], total_minor: int, currency: string}
	 */
	public static function of_cart( \WC_Cart $cart ): array {
		$lines = array();
		foreach ( $cart->get_cart() as $item ) {
			if ( ! is_array( $item ) ) {
				continue;
			}
			$variation = array();
			foreach ( (array) ( $item['variation'] ?? array() ) as $attribute => $value ) {
				if ( is_scalar( $value ) ) {
					$variation[ (string) $attribute ] = (string) $value;
				}
			}
			$product = $item['data'] ?? null;
			$lines[] = array(
				'product_id'   => (int) ( $item['product_id'] ?? 0 ),
				'variation_id' => (int) ( $item['variation_id'] ?? 0 ),
				'variation'    => $variation,
				'quantity'     => (float) ( $item['quantity'] ?? 0 ),
				'name'         => $product instanceof \WC_Product ? $product->get_name() : '',
				'line_total'   => (float) ( $item['line_total'] ?? 0 ),
			);
		}
		$decimals = function_exists( 'wc_get_price_decimals' ) ? wc_get_price_decimals() : 2;
		return array(
			'lines'       => $lines,
			'coupons'     => array_values( array_map( 'strval', $cart->get_applied_coupons() ) ),
			'total_minor' => (int) round( (float) $cart->get_total( 'edit' ) * ( 10 ** $decimals ) ),
			'currency'    => get_woocommerce_currency(),
		);
	}

	/**
	 * Replaces the cart's contents with a snapshot's lines and coupons (plus an extra coupon).
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Cart $cart   The cart.
	 * @param string   $json   The stored snapshot.
	 * @param string   $coupon An extra coupon code to apply ('' for none).
	 * @return int Lines restored.
	 */
	public static function restore( \WC_Cart $cart, string $json, string $coupon ): int {
		$snapshot = json_decode( $json, true );
		if ( ! is_array( $snapshot ) || ! is_array( $snapshot['lines'] ?? null ) ) {
			return 0;
		}
		$cart->empty_cart();
		$restored = 0;
		foreach ( $snapshot['lines'] as $line ) {
			if ( ! is_array( $line ) ) {
				continue;
			}
			$quantity = (float) ( $line['quantity'] ?? 0 );
			if ( $quantity <= 0 ) {
				continue;
			}
			$variation = array();
			foreach ( (array) ( $line['variation'] ?? array() ) as $attribute => $value ) {
				$variation[ (string) $attribute ] = (string) $value;
			}
			$key = $cart->add_to_cart( (int) ( $line['product_id'] ?? 0 ), $quantity, (int) ( $line['variation_id'] ?? 0 ), $variation );
			if ( false !== $key ) {
				++$restored;
			}
		}
		$coupons = array_map( 'strval', (array) ( $snapshot['coupons'] ?? array() ) );
		if ( '' !== $coupon ) {
			$coupons[] = $coupon;
		}
		foreach ( array_unique( $coupons ) as $code ) {
			if ( '' !== $code && ! $cart->has_discount( $code ) ) {
				$cart->apply_coupon( $code );
			}
		}
		return $restored;
	}
}
