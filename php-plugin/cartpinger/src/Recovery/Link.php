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
 * Any front-end URL with `?cartpinger_recover=<64 hex>` (or the legacy `?cartpinger_recover<64 hex>`)
 * of a messaged record: the visitor's cart is replaced by the saved lines and coupons (plus the
 * record's coupon), the click is recorded; phone, name and email are pre-filled, the consent
 * ticked and the record adopted by this session only on the first open and within
 * PREFILL_WINDOW of the latest message; the visitor lands on checkout (302). Unknown,
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
	 * The recovery URL without its token: the cart page plus `cartpinger_recover=`. The one
	 * place that builds recovery links: the URL button submitted to Meta is this base + `{{1}}`
	 * (Meta appends the token verbatim), and token_from_query() reads what it produces.
	 *
	 * Until issue 10 this was `add_query_arg( ARG, '', $cart )`, which drops the `=` of an empty
	 * value: templates approved with that base open `…?cartpinger_recover<token>`. Those links
	 * still restore (token_from_query()), and the Templates page offers to fix the templates.
	 *
	 * @since 0.2.0
	 * @since 0.1.0 Ends with `=` (issue 10).
	 *
	 * @return string
	 */
	public static function prefix(): string {
		$cart = function_exists( 'wc_get_cart_url' ) ? (string) wc_get_cart_url() : home_url( '/' );
		$cart = (string) strtok( $cart, '#' );
		return $cart . ( str_contains( $cart, '?' ) ? '&' : '?' ) . self::ARG . '=';
	}

	/**
	 * The URL of one token (what the message's button opens).
	 *
	 * @since 0.1.0
	 *
	 * @param string $token The token (64 hex).
	 * @return string
	 */
	public static function url( string $token ): string {
		return self::prefix() . rawurlencode( $token );
	}

	/**
	 * The URL button as submitted to Meta (`prefix()` + `{{1}}`).
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	public static function button_url(): string {
		return self::prefix() . '{{1}}';
	}

	/**
	 * True when a template's published URL button does not hand the token over as the value of
	 * `cartpinger_recover=` (the legacy base without `=`, which glues the token to the argument
	 * name, or a URL that is not a CartPinger recovery link at all): it needs resubmitting.
	 * A template approved for another address of the same shop (staging, a moved domain) is not
	 * flagged here.
	 *
	 * @since 0.1.0
	 *
	 * @param string|null $published The URL button as Meta has it.
	 * @return bool
	 */
	public static function is_stale_button( ?string $published ): bool {
		return null !== $published && '' !== $published && ! str_ends_with( $published, self::ARG . '={{1}}' );
	}

	/**
	 * The token a request's query carries: `cartpinger_recover=<64 hex>`, or the legacy form
	 * `cartpinger_recover<64 hex>` (no `=`: PHP reads it as an argument name with an empty
	 * value) that links already in shoppers' phones have. '' when there is none.
	 *
	 * @since 0.1.0
	 *
	 * @param array<int|string, mixed> $query The parsed query ($_GET).
	 * @return string
	 */
	public static function token_from_query( array $query ): string {
		$value = $query[ self::ARG ] ?? null;
		if ( is_string( $value ) ) {
			$value = strtolower( trim( $value ) );
			return 1 === preg_match( '/^[0-9a-f]{64}$/', $value ) ? $value : '';
		}
		foreach ( $query as $key => $v ) {
			if ( is_string( $key ) && 1 === preg_match( '/^' . self::ARG . '([0-9a-fA-F]{64})$/', $key, $m ) ) {
				return strtolower( $m[1] );
			}
		}
		return '';
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
		add_action( 'woocommerce_checkout_update_order_review', array( $this, 'pending_coupon_from_review' ), 20 );
		add_action( 'woocommerce_store_api_cart_update_customer_from_request', array( $this, 'pending_coupon_from_store_api' ), 20, 1 );
	}

	/**
	 * Restores and redirects when the request carries a live token.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function maybe_restore(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the token is the credential; token_from_query() only accepts 64 hex.
		$token = self::token_from_query( wp_unslash( $_GET ) );
		if ( '' === $token || is_admin() || wp_doing_ajax() ) {
			return;
		}
		$url = $this->restore( $token );
		if ( null !== $url ) {
			wp_safe_redirect( $url, 302, 'CartPinger' );
			exit;
		}
	}

	/**
	 * Seconds after the message during which the first open of its link pre-fills the contact
	 * details (filter `cartpinger_link_prefill_window`). Default two hours: most people open a
	 * WhatsApp message within minutes of it arriving, so the shopper who tapped the link gets
	 * a filled-in checkout, while a link forwarded, shared or found later reveals nobody's
	 * name, phone or email (it still restores the cart).
	 *
	 * @since 0.3.0
	 */
	public const PREFILL_WINDOW = 7200;

	/**
	 * WooCommerce session key of a recovery coupon waiting for its shopper's email.
	 *
	 * @since 0.3.0
	 */
	public const SESSION_PENDING_COUPON = 'cartpinger_pending_coupon';

	/**
	 * Whether a coupon can be applied for an email (no email restriction, or one that matches).
	 *
	 * @since 0.3.0
	 *
	 * @param string $code  Coupon code.
	 * @param string $email The shopper's email ('' = unknown).
	 * @return bool
	 */
	private static function coupon_fits( string $code, string $email ): bool {
		$restrictions = ( new \WC_Coupon( $code ) )->get_email_restrictions();
		if ( ! is_array( $restrictions ) || array() === $restrictions ) {
			return true;
		}
		$email = strtolower( sanitize_email( $email ) );
		if ( '' === $email ) {
			return false;
		}
		// WooCommerce's own rule (an exact address, or a pattern with * wildcards).
		foreach ( $restrictions as $allowed ) {
			$pattern = '/^' . str_replace( '\\*', '(.+)?', preg_quote( strtolower( (string) $allowed ), '/' ) ) . '$/';
			if ( strtolower( (string) $allowed ) === $email || 1 === preg_match( $pattern, $email ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Applies a waiting recovery coupon once the shopper's email is the one it was made for.
	 *
	 * @since 0.3.0
	 *
	 * @param string $email The email typed at checkout.
	 * @return bool Whether it was applied.
	 */
	public function apply_pending_coupon( string $email ): bool {
		if ( ! function_exists( 'WC' ) || null === WC()->session || null === WC()->cart ) {
			return false;
		}
		$code = (string) WC()->session->get( self::SESSION_PENDING_COUPON );
		if ( '' === $code || ! self::coupon_fits( $code, $email ) ) {
			return false;
		}
		WC()->session->set( self::SESSION_PENDING_COUPON, null );
		if ( null !== WC()->customer && '' === (string) WC()->customer->get_billing_email() ) {
			WC()->customer->set_billing_email( sanitize_email( $email ) );
		}
		return WC()->cart->has_discount( $code ) || WC()->cart->apply_coupon( $code );
	}

	/**
	 * Classic checkout refresh: the serialised form carries the email.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $posted Serialised form (query string).
	 * @return void
	 */
	public function pending_coupon_from_review( $posted ): void {
		if ( ! is_string( $posted ) ) {
			return;
		}
		$data = array();
		wp_parse_str( $posted, $data );
		if ( isset( $data['billing_email'] ) && is_string( $data['billing_email'] ) ) {
			$this->apply_pending_coupon( $data['billing_email'] );
		}
	}

	/**
	 * Block checkout: the Store API updated the customer.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $customer The WC_Customer.
	 * @return void
	 */
	public function pending_coupon_from_store_api( $customer ): void {
		if ( $customer instanceof \WC_Customer ) {
			$this->apply_pending_coupon( (string) $customer->get_billing_email() );
		}
	}

	/**
	 * Whether a message sent at $messaged_at (UTC) is recent enough for the pre-fill.
	 *
	 * @since 0.3.0
	 *
	 * @param string $messaged_at UTC DATETIME of the latest message ('' = never).
	 * @return bool
	 */
	private static function within_prefill_window( string $messaged_at ): bool {
		$at = '' === $messaged_at ? false : strtotime( $messaged_at . ' UTC' );
		if ( false === $at ) {
			return false;
		}
		/**
		 * Filters how long after the message the first open of its link pre-fills the shopper's
		 * contact details.
		 *
		 * @since 0.3.0
		 *
		 * @param int $seconds Seconds (default two hours).
		 */
		$window = (int) apply_filters( 'cartpinger_link_prefill_window', self::PREFILL_WINDOW );
		return time() - $at <= max( 0, $window );
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
			// The link restores a cart, not a person: contact details, the consent tick and the
			// record's ownership go only to the first open, and only soon after the message. A
			// forwarded or leaked link opened later restores the cart lines and coupon only.
			$first    = $this->records->claim_first_click( (int) $record['id'] );
			$personal = $first && self::within_prefill_window( $this->records->last_message_at( (int) $record['id'], (string) $record['messaged_at'] ) );
			// Pre-fill first: an email-restricted coupon is checked against the customer's email.
			$customer = WC()->customer;
			if ( $personal && null !== $customer ) {
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
			// The record's coupon is the shopper's (restricted to their email): a later opener gets
			// it once they type that email at checkout (apply_pending_coupon()), never sees it.
			$coupon = (string) $record['coupon_code'];
			if ( ! $personal && '' !== $coupon ) {
				WC()->session->set( self::SESSION_PENDING_COUPON, $coupon );
				$coupon = self::coupon_fits( $coupon, (string) $customer?->get_billing_email() ) ? $coupon : '';
			}
			$restored = Snapshot::restore( WC()->cart, (string) $record['cart_snapshot'], $coupon );
			if ( 0 === $restored ) {
				return null;
			}
			// The link's record, for attribution; a later opener's capture joins it only with the
			// record's own phone (Capture), so it can neither change that phone nor, unless it is
			// the shopper's, withdraw its consent.
			WC()->session->set( Capture::SESSION_RECOVERY, (int) $record['id'] );
			if ( $personal ) {
				WC()->session->set( Capture::SESSION_CONSENT, '1' );
				// This browser's session now owns the record; its own unsent record, if any, merges
				// into it (one record per order, however often the link is tapped).
				$this->records->adopt_session( (int) $record['id'], Capture::session_key() );
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
