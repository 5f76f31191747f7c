<?php
/**
 * The recovery link: restores a saved cart.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Native\RecoveryToken;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Any front-end URL with `?cartpinger_recover=<64 hex>` of a messaged record: the visitor's cart
 * is replaced by the saved lines and coupons (plus the record's coupon), phone, name and email
 * are pre-filled, the click is recorded, and the visitor lands on checkout (302). Unknown,
 * malformed, closed or recovered tokens do nothing: the page renders normally. Never logs
 * anyone in.
 *
 * @since 0.2.0
 */
final class Link implements RegistersHooks {

	/**
	 * Query argument.
	 *
	 * @since 0.2.0
	 */
	public const ARG = 'cartpinger_recover';

	/**
	 * The records.
	 *
	 * @since 0.2.0
	 *
	 * @var Repository
	 */
	private Repository $records;

	/**
	 * Creates the handler.
	 *
	 * @since 0.2.0
	 *
	 * @param Repository $records Records.
	 */
	public function __construct( Repository $records ) {
		$this->records = $records;
	}

	/**
	 * The recovery URL prefix (the token is appended): the cart page plus the query argument.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public static function prefix(): string {
		$cart = function_exists( 'wc_get_cart_url' ) ? wc_get_cart_url() : home_url( '/' );
		return add_query_arg( self::ARG, '', $cart ) . '';
	}

	/**
	 * Where the link lands: the checkout, with the utm parameters WooCommerce's order
	 * attribution reads there, so the order's Origin (Orders list, order screen, Analytics)
	 * says CartPinger / WhatsApp instead of Direct.
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function landing_url(): string {
		return add_query_arg(
			array(
				'utm_source'   => 'cartpinger',
				'utm_medium'   => 'whatsapp',
				'utm_campaign' => 'cart-recovery',
			),
			wc_get_checkout_url()
		);
	}

	/**
	 * Registers the hooks.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'wp_loaded', array( $this, 'maybe_restore' ), 30 );
	}

	/**
	 * Restores and redirects when the request carries a live token.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function maybe_restore(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the token is the credential.
		$token = isset( $_GET[ self::ARG ] ) && is_string( $_GET[ self::ARG ] ) ? sanitize_text_field( wp_unslash( $_GET[ self::ARG ] ) ) : '';
		if ( 1 !== preg_match( '/^[0-9a-f]{64}$/', $token ) || is_admin() || wp_doing_ajax() ) {
			return;
		}
		$url = $this->restore( $token );
		if ( null !== $url ) {
			wp_safe_redirect( $url, 302, 'CartPinger' );
			exit;
		}
	}

	/**
	 * Restores the cart of a token into the current session.
	 *
	 * @since 0.2.0
	 *
	 * @param string $token The token.
	 * @return string|null The checkout URL, or null when nothing was restored.
	 */
	public function restore( string $token ): ?string {
		try {
			$record = $this->records->find_by_token_hash( RecoveryToken::hash( $token ) );
			if ( null === $record || ! RecoveryToken::verify( $token, (string) $record['token_hash'] ) || 'messaged' !== $record['status'] ) {
				return null;
			}
			if ( ! function_exists( 'WC' ) ) {
				return null;
			}
			if ( null === WC()->cart && function_exists( 'wc_load_cart' ) ) {
				wc_load_cart();
			}
			if ( null === WC()->cart || null === WC()->session ) {
				return null;
			}
			if ( ! WC()->session->has_session() && ! headers_sent() ) {
				WC()->session->set_customer_session_cookie( true );
			}
			// Pre-fill first: an email-restricted coupon is checked against the customer's email.
			$customer = WC()->customer;
			if ( null !== $customer ) {
				// Billing and shipping alike, so the block checkout keeps "same address for billing".
				$fill = array(
					'phone'      => (string) $record['customer_phone'],
					'first_name' => (string) $record['customer_name'],
					'country'    => (string) $record['billing_country'],
				);
				foreach ( array( 'billing', 'shipping' ) as $group ) {
					foreach ( $fill as $field => $value ) {
						$getter = "get_{$group}_{$field}";
						$setter = "set_{$group}_{$field}";
						if ( '' !== $value && is_callable( array( $customer, $setter ) ) && '' === (string) $customer->$getter() ) {
							$customer->$setter( $value );
						}
					}
				}
				if ( '' !== (string) $record['customer_email'] && '' === $customer->get_billing_email() ) {
					$customer->set_billing_email( (string) $record['customer_email'] );
				}
				$customer->save();
			}
			$restored = Snapshot::restore( WC()->cart, (string) $record['cart_snapshot'], (string) $record['coupon_code'] );
			if ( 0 === $restored ) {
				return null;
			}
			WC()->session->set( Capture::SESSION_RECOVERY, (int) $record['id'] );
			WC()->session->set( Capture::SESSION_CONSENT, '1' );
			$update = array();
			if ( null === $record['clicked_at'] || '' === (string) $record['clicked_at'] ) {
				$update['clicked_at'] = gmdate( 'Y-m-d H:i:s' );
			}
			// This browser's session now owns the record (unless it already has a live one).
			$session_key = Capture::session_key();
			if ( '' !== $session_key && null === $this->records->find_by_session( $session_key ) ) {
				$update['session_key'] = $session_key;
			}
			if ( array() !== $update ) {
				$this->records->update( (int) $record['id'], $update );
			}
			/**
			 * Fires after a recovery link restored a cart.
			 *
			 * @since 0.2.0
			 *
			 * @param array<string, mixed> $record The recovery record.
			 */
			do_action( 'cartpinger_recovery_link_opened', $record );
			return self::landing_url();
		} catch ( \Throwable $e ) {
			Capture::log( 'Recovery link failed: ' . $e->getMessage() );
			return null;
		}
	}
}
