<?php
/**
 * REST route the checkout tracker posts to.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Rest;

use CartPinger\Recovery\Capture;
use CartPinger\Recovery\CaptureGuard;
use CartPinger\Support\RegistersHooks;
use WP_Error;
use WP_REST_Request;
use WP_REST_Response;

defined( 'ABSPATH' ) || exit;

/**
 * `POST /wp-json/cartpinger/v1/track-cart` {phone, name?, email?, country?, consent}.
 *
 * Loads the shopper's session cart (a custom REST route does not) and requires a valid
 * `wp_rest` nonce in X-WP-Nonce for guests too (WordPress only checks it for logged-in
 * cookies) plus the checkout page's own nonce in X-CartPinger-Nonce: its action starts with
 * "woocommerce", so WooCommerce ties it to the guest's session (a `wp_rest` nonce is the same
 * for every guest). Answers 400 for an invalid phone, 429 past
 * 30 calls a minute per session or past the capture limits (CaptureGuard: per client address
 * and store-wide per hour), {success:true,status} on capture or revocation,
 * {success:false,reason:"empty_cart"} when the cart is empty, {success:false,reason:"no_session"}
 * without a live session (no session cookie came with the request). A revocation only touches
 * the session's own record.
 *
 * @since 0.2.0
 */
final class TrackCartController implements RegistersHooks {

	/**
	 * Calls allowed per session (or IP) per minute.
	 *
	 * @since 0.2.0
	 */
	public const RATE_LIMIT = 30;

	/**
	 * Nonce action of the checkout page (the "woocommerce" prefix ties it to the guest session).
	 *
	 * @since 0.3.0
	 */
	public const NONCE_ACTION = 'woocommerce-cartpinger-checkout';

	/**
	 * Request header carrying the checkout page's nonce.
	 *
	 * @since 0.3.0
	 */
	public const NONCE_HEADER = 'X-CartPinger-Nonce';

	/**
	 * The capture service.
	 *
	 * @since 0.2.0
	 *
	 * @var Capture
	 */
	private Capture $capture;

	/**
	 * Creates the controller.
	 *
	 * @since 0.2.0
	 *
	 * @param Capture $capture The capture service.
	 */
	public function __construct( Capture $capture ) {
		$this->capture = $capture;
	}

	/**
	 * Registers the hooks.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
	}

	/**
	 * Registers the route.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register_routes(): void {
		register_rest_route(
			'cartpinger/v1',
			'/track-cart',
			array(
				'methods'             => 'POST',
				'callback'            => array( $this, 'track' ),
				'permission_callback' => array( $this, 'permission' ),
				'args'                => array(
					'phone'   => array(
						'type'      => 'string',
						'required'  => true,
						'maxLength' => 40,
					),
					'name'    => array(
						'type'      => 'string',
						'maxLength' => 191,
					),
					'email'   => array(
						'type'      => 'string',
						'maxLength' => 191,
					),
					'country' => array(
						'type'      => 'string',
						'maxLength' => 2,
					),
					'consent' => array(
						'type'     => 'boolean',
						'required' => true,
					),
				),
			)
		);
	}

	/**
	 * Loads the session cart, then checks the nonce against that session.
	 *
	 * @since 0.2.0
	 *
	 * @param WP_REST_Request $request The request.
	 * @return true|WP_Error
	 */
	public function permission( WP_REST_Request $request ) {
		if ( function_exists( 'wc_load_cart' ) && did_action( 'woocommerce_init' ) ) {
			wc_load_cart();
		}
		$nonce = (string) $request->get_header( 'X-WP-Nonce' );
		if ( '' === $nonce || false === wp_verify_nonce( $nonce, 'wp_rest' ) ) {
			return new WP_Error( 'rest_cookie_invalid_nonce', __( 'Your session expired. Reload the page.', 'cartpinger-for-woocommerce' ), array( 'status' => 403 ) );
		}
		$checkout = (string) $request->get_header( self::NONCE_HEADER );
		if ( '' === $checkout || false === wp_verify_nonce( $checkout, self::NONCE_ACTION ) ) {
			return new WP_Error( 'cartpinger_checkout_nonce', __( 'Your checkout session expired. Reload the page.', 'cartpinger-for-woocommerce' ), array( 'status' => 403 ) );
		}
		return true;
	}

	/**
	 * Captures or revokes.
	 *
	 * @since 0.2.0
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public function track( WP_REST_Request $request ) {
		if ( ! $this->within_rate_limit() ) {
			return new WP_Error( 'cartpinger_rate_limited', __( 'Too many requests. Try again in a minute.', 'cartpinger-for-woocommerce' ), array( 'status' => 429 ) );
		}
		$status = $this->capture->capture(
			array(
				'phone'   => (string) $request->get_param( 'phone' ),
				'name'    => (string) $request->get_param( 'name' ),
				'email'   => (string) $request->get_param( 'email' ),
				'country' => (string) $request->get_param( 'country' ),
				'consent' => true === $request->get_param( 'consent' ),
				'source'  => 'tracker',
			)
		);
		switch ( $status ) {
			case 'captured':
			case 'revoked':
				return new WP_REST_Response(
					array(
						'success' => true,
						'status'  => $status,
					),
					200
				);
			case 'rate_limited':
				return new WP_Error( 'cartpinger_capture_limited', __( 'Too many WhatsApp sign-ups from your network right now. Please try again later.', 'cartpinger-for-woocommerce' ), array( 'status' => 429 ) );
			case 'invalid_phone':
				return new WP_Error( 'cartpinger_invalid_phone', __( 'Enter a valid phone number, with its country code if it is not from your billing country.', 'cartpinger-for-woocommerce' ), array( 'status' => 400 ) );
			case 'empty':
				return new WP_REST_Response(
					array(
						'success' => false,
						'reason'  => 'empty_cart',
					),
					200
				);
			default:
				return new WP_REST_Response(
					array(
						'success' => false,
						'reason'  => $status,
					),
					200
				);
		}
	}

	/**
	 * Fixed one-minute window per session (or IP when there is no session).
	 *
	 * @since 0.2.0
	 *
	 * @return bool
	 */
	private function within_rate_limit(): bool {
		$who = Capture::session_key();
		if ( '' === $who ) {
			$who = CaptureGuard::network( CaptureGuard::client_address() );
		}
		$key   = 'cp_rl_' . substr( hash( 'sha256', $who . '|' . gmdate( 'YmdHi' ) ), 0, 32 );
		$count = (int) get_transient( $key );
		if ( $count >= self::RATE_LIMIT ) {
			return false;
		}
		set_transient( $key, $count + 1, MINUTE_IN_SECONDS + 5 );
		return true;
	}
}
