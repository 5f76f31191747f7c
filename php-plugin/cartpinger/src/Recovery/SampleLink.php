<?php
/**
 * The link of the setup wizard's test reminder: a sample cart, never a customer's.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * The test message of the setup wizard is a real first reminder sent to the merchant's own
 * phone. Its button carries a one-day token that matches no customer's record: opening it fills
 * the browser's cart with a sample of the shop's products and lands on the checkout exactly as
 * a customer's link would (utm parameters included), so the merchant sees the whole path.
 *
 * @since 0.3.0
 */
final class SampleLink implements RegistersHooks {

	/**
	 * Transient prefix of issued sample tokens (their SHA-256).
	 *
	 * @since 0.3.0
	 */
	private const TRANSIENT = 'cartpinger_sample_';

	/**
	 * Issues a sample token (64 hex characters, valid for a day).
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function issue(): string {
		$token = bin2hex( random_bytes( 32 ) );
		set_transient( self::TRANSIENT . substr( hash( 'sha256', $token ), 0, 40 ), '1', DAY_IN_SECONDS );
		return $token;
	}

	/**
	 * Registers the hooks (before Link, which would find no record for this token).
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'wp_loaded', array( $this, 'maybe_open' ), 29 );
	}

	/**
	 * Opens a sample link: sample cart, then the checkout.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function maybe_open(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the token is the credential.
		$token = isset( $_GET[ Link::ARG ] ) && is_string( $_GET[ Link::ARG ] ) ? sanitize_text_field( wp_unslash( $_GET[ Link::ARG ] ) ) : '';
		if ( 1 !== preg_match( '/^[0-9a-f]{64}$/', $token ) || is_admin() || wp_doing_ajax() ) {
			return;
		}
		if ( '1' !== get_transient( self::TRANSIENT . substr( hash( 'sha256', $token ), 0, 40 ) ) ) {
			return;
		}
		try {
			if ( ! function_exists( 'WC' ) || ! function_exists( 'wc_get_products' ) ) {
				return;
			}
			if ( null === WC()->cart && function_exists( 'wc_load_cart' ) ) {
				wc_load_cart();
			}
			if ( null === WC()->cart || null === WC()->session ) {
				return;
			}
			if ( ! WC()->session->has_session() && ! headers_sent() ) {
				WC()->session->set_customer_session_cookie( true );
			}
			if ( WC()->cart->is_empty() ) {
				$products = wc_get_products(
					array(
						'status'       => 'publish',
						'type'         => 'simple',
						'stock_status' => 'instock',
						'limit'        => 2,
						'orderby'      => 'date',
						'order'        => 'DESC',
					)
				);
				foreach ( $products as $product ) {
					if ( $product instanceof \WC_Product && $product->is_purchasable() ) {
						WC()->cart->add_to_cart( $product->get_id(), 1 );
					}
				}
			}
			if ( function_exists( 'wc_add_notice' ) ) {
				wc_add_notice( __( 'CartPinger test: this is a sample cart. Your customers see their own cart here, with their coupon when the reminder has one.', 'cartpinger-for-woocommerce' ), 'notice' );
			}
			wp_safe_redirect( Link::landing_url(), 302, 'CartPinger' );
			exit;
		} catch ( \Throwable $e ) {
			Capture::log( 'Sample link failed: ' . $e->getMessage() );
		}
	}
}
