<?php
/**
 * The consent checkbox and capture on the classic and block checkouts.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Native\Exception\InvalidPhoneException;
use CartPinger\Native\Phone;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Two consents, right under the phone field on both checkouts: order updates (utility messages)
 * and cart reminders/offers (marketing messages), each with its own wording (ConsentText).
 *
 * Classic checkout: two checkboxes in the billing fields just after billing_phone (priority
 * 101/102, so WooCommerce's country re-ordering keeps them there), kept in the WooCommerce
 * session, captured on every order-review refresh and by the tracker script. Block checkout:
 * two additional checkout fields in the "address" location, which WooCommerce 9.4 to 10.x puts
 * at the end of the address form, right after the phone; the tracker script sends the reminders
 * choice with the phone. Both save each consent, the text shown and its version on the order.
 *
 * @since 0.2.0
 */
final class CheckoutHooks implements RegistersHooks {

	/**
	 * Block checkout field id.
	 *
	 * @since 0.2.0
	 */
	public const BLOCK_FIELD = 'cartpinger/whatsapp_consent';

	/**
	 * Block checkout field id of the order-updates consent.
	 *
	 * @since 0.3.0
	 */
	public const BLOCK_UPDATES_FIELD = 'cartpinger/whatsapp_updates';

	/**
	 * Order meta: the order-updates consent ('1'/'0'); orders from before 0.3.0 lack it and
	 * fall back to ORDER_META, the one consent asked then.
	 *
	 * @since 0.3.0
	 */
	public const ORDER_UPDATES_META = '_cartpinger_whatsapp_updates';

	/**
	 * Order meta: proof of the order-updates consent (time, text, version, source).
	 *
	 * @since 0.3.0
	 */
	public const ORDER_UPDATES_PROOF = '_cartpinger_updates_proof';

	/**
	 * Order meta: the consent ('1'/'0').
	 *
	 * @since 0.2.0
	 */
	public const ORDER_META = '_cartpinger_whatsapp_consent';

	/**
	 * Order meta: the billing phone in E.164 (used to match orders to records).
	 *
	 * @since 0.2.0
	 */
	public const ORDER_PHONE_META = '_cartpinger_phone_e164';

	/**
	 * Script handle of the tracker.
	 *
	 * @since 0.2.0
	 */
	public const SCRIPT = 'cartpinger-track';

	/**
	 * The capture service.
	 *
	 * @since 0.2.0
	 *
	 * @var Capture
	 */
	private Capture $capture;

	/**
	 * Creates the adapter.
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
		add_filter( 'woocommerce_checkout_fields', array( $this, 'classic_fields' ) );
		add_action( 'woocommerce_checkout_update_order_review', array( $this, 'capture_classic_refresh' ) );
		add_action( 'woocommerce_checkout_create_order', array( $this, 'save_classic_order' ), 10, 2 );
		add_action( 'woocommerce_init', array( $this, 'register_block_field' ) );
		add_filter( 'woocommerce_get_default_value_for_' . self::BLOCK_FIELD, array( $this, 'block_default' ) );
		add_filter( 'woocommerce_get_default_value_for_' . self::BLOCK_UPDATES_FIELD, array( $this, 'block_updates_default' ) );
		// WooCommerce 9.8+ also fires this on the Checkout block's partial updates (PUT
		// /wc/store/v1/checkout on a payment-method, note or additional-field change): it only
		// records an explicit choice. The order is stamped at Place Order (order_processed).
		add_action( 'woocommerce_store_api_checkout_update_order_from_request', array( $this, 'update_block_choice' ), 10, 2 );
		add_action( 'woocommerce_store_api_checkout_order_processed', array( $this, 'save_block_order' ), 5, 1 );
		add_action( 'wp_enqueue_scripts', array( $this, 'enqueue_tracker' ) );
	}

	/**
	 * The shopper's stored choice (unchecked unless they ticked it).
	 *
	 * @since 0.2.0
	 *
	 * @param string $key Session key (the reminders consent by default).
	 * @return bool
	 */
	private static function session_consent( string $key = Capture::SESSION_CONSENT ): bool {
		return function_exists( 'WC' ) && null !== WC()->session && '1' === WC()->session->get( $key );
	}

	/**
	 * Classic checkout: both checkboxes join the billing fields right after billing_phone.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $fields Checkout fields by group.
	 * @return mixed
	 */
	public function classic_fields( $fields ) {
		if ( ! is_array( $fields ) || ! isset( $fields['billing'] ) || ! is_array( $fields['billing'] ) ) {
			return $fields;
		}
		$texts    = Capture::texts();
		$priority = (int) ( $fields['billing']['billing_phone']['priority'] ?? 100 );
		$boxes    = array(
			Capture::SESSION_UPDATES => ConsentText::UPDATES,
			Capture::SESSION_CONSENT => ConsentText::REMINDERS,
		);
		foreach ( $boxes as $key => $which ) {
			$fields['billing'][ $key ] = array(
				'type'     => 'checkbox',
				'class'    => array( 'form-row-wide', 'cartpinger-consent', 'cartpinger-consent-' . $which ),
				'label'    => $texts->html( $which ),
				'required' => false,
				'default'  => self::session_consent( $key ) ? 1 : 0,
				'priority' => ++$priority,
			);
		}
		return $fields;
	}

	/**
	 * Classic order-review refresh: the serialised form carries phone, name and consent.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $posted Serialised form (query string).
	 * @return void
	 */
	public function capture_classic_refresh( $posted ): void {
		if ( ! is_string( $posted ) ) {
			return;
		}
		$data = array();
		wp_parse_str( $posted, $data );
		$phone = isset( $data['billing_phone'] ) && is_string( $data['billing_phone'] ) ? $data['billing_phone'] : '';
		$was   = self::session_consent();
		$now   = isset( $data[ Capture::SESSION_CONSENT ] ) && '' !== $data[ Capture::SESSION_CONSENT ];
		if ( function_exists( 'WC' ) && null !== WC()->session ) {
			WC()->session->set( Capture::SESSION_UPDATES, ! empty( $data[ Capture::SESSION_UPDATES ] ) ? '1' : '0' );
		}
		if ( '' === $phone && ! $was ) {
			return;
		}
		if ( ! $now && ! $was ) {
			return;
		}
		$this->capture->capture(
			array(
				'phone'   => $phone,
				'country' => is_string( $data['billing_country'] ?? null ) ? $data['billing_country'] : '',
				'name'    => is_string( $data['billing_first_name'] ?? null ) ? $data['billing_first_name'] : '',
				'email'   => is_string( $data['billing_email'] ?? null ) ? $data['billing_email'] : '',
				'consent' => $now,
				'source'  => 'classic',
			)
		);
	}

	/**
	 * Classic Place Order: consent and proof on the order; the session choice follows.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order being created.
	 * @param mixed     $data  Posted checkout data.
	 * @return void
	 */
	public function save_classic_order( $order, $data ): void {
		unset( $data );
		if ( ! $order instanceof \WC_Order ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- WooCommerce verified the checkout nonce before this hook.
		$consent = isset( $_POST[ Capture::SESSION_CONSENT ] ) && '' !== $_POST[ Capture::SESSION_CONSENT ];
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- as above.
		$updates = isset( $_POST[ Capture::SESSION_UPDATES ] ) && '' !== $_POST[ Capture::SESSION_UPDATES ];
		$this->stamp_order( $order, $consent, 'classic', $updates );
	}

	/**
	 * Registers the block checkout field (WooCommerce 8.9+; skipped silently before).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register_block_field(): void {
		if ( ! function_exists( 'woocommerce_register_additional_checkout_field' ) ) {
			return;
		}
		$texts = Capture::texts();
		foreach ( array(
			self::BLOCK_UPDATES_FIELD => ConsentText::UPDATES,
			self::BLOCK_FIELD         => ConsentText::REMINDERS,
		) as $id => $which ) {
			try {
				woocommerce_register_additional_checkout_field(
					array(
						'id'       => $id,
						'label'    => $texts->text( $which ),
						'location' => 'address',
						'type'     => 'checkbox',
						'required' => false,
					)
				);
			} catch ( \Throwable $e ) {
				Capture::log( 'Block checkout field not registered: ' . $e->getMessage() );
			}
		}
	}

	/**
	 * Default of the block field: the shopper's stored choice, so it survives refreshes.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $value Default so far.
	 * @return mixed
	 */
	public function block_default( $value ) {
		return self::session_consent() ? true : $value;
	}

	/**
	 * Default of the block order-updates field: the shopper's stored choice.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $value Default so far.
	 * @return mixed
	 */
	public function block_updates_default( $value ) {
		return self::session_consent( Capture::SESSION_UPDATES ) ? true : $value;
	}

	/**
	 * The value of one of our block fields that a Store API request carries explicitly:
	 * true/false when the request states it (in the address whose phone the order uses, billing
	 * first as order_phone(), where the boxes sit; or in `additional_fields`), null when it does
	 * not (a partial update about something else, WooCommerce 9.8+). Absence is never a "no".
	 *
	 * @since 0.3.0
	 *
	 * @param mixed  $request The Store API request.
	 * @param string $field   BLOCK_FIELD or BLOCK_UPDATES_FIELD.
	 * @return bool|null
	 */
	public static function explicit_block_choice( $request, string $field = self::BLOCK_FIELD ): ?bool {
		if ( ! $request instanceof \WP_REST_Request ) {
			return null;
		}
		$billing  = $request->get_param( 'billing_address' );
		$shipping = $request->get_param( 'shipping_address' );
		$billing  = is_array( $billing ) ? $billing : array();
		$shipping = is_array( $shipping ) ? $shipping : array();
		$address  = '' !== (string) ( $billing['phone'] ?? '' ) || array() === $shipping ? $billing : $shipping;
		$other    = $request->get_param( 'additional_fields' );
		$other    = is_array( $other ) ? $other : array();
		if ( array_key_exists( $field, $address ) ) {
			$value = $address[ $field ];
		} elseif ( array_key_exists( $field, $other ) ) {
			$value = $other[ $field ];
		} else {
			return null;
		}
		if ( is_string( $value ) ) {
			return in_array( strtolower( $value ), array( '1', 'true', 'yes', 'on' ), true );
		}
		return true === $value || 1 === $value;
	}

	/**
	 * Store API checkout update (Place Order, and on WooCommerce 9.8+ every partial update):
	 * records the shopper's choices only when the request states them. An explicit untick of
	 * the reminders box revokes (as on the classic checkout); nothing is stamped here.
	 *
	 * @since 0.3.0
	 *
	 * @param \WC_Order $order   The draft order.
	 * @param mixed     $request The Store API request.
	 * @return void
	 */
	public function update_block_choice( $order, $request ): void {
		if ( ! function_exists( 'WC' ) || null === WC()->session ) {
			return;
		}
		try {
			$updates = self::explicit_block_choice( $request, self::BLOCK_UPDATES_FIELD );
			if ( null !== $updates ) {
				WC()->session->set( Capture::SESSION_UPDATES, $updates ? '1' : '0' );
			}
			$choice = self::explicit_block_choice( $request, self::BLOCK_FIELD );
			if ( null === $choice ) {
				return;
			}
			$was = self::session_consent();
			WC()->session->set( Capture::SESSION_CONSENT, $choice ? '1' : '0' );
			if ( $was && ! $choice && $order instanceof \WC_Order ) {
				// This checkout's own record only (issue 11).
				$this->capture->revoke( Capture::session_key() );
			}
		} catch ( \Throwable $e ) {
			Capture::log( 'Block checkout consent not recorded: ' . $e->getMessage() );
		}
	}

	/**
	 * Block Place Order (`woocommerce_store_api_checkout_order_processed`): stamps the order
	 * with the shopper's last explicit choices, before attribution (priority 20) reads it.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return void
	 */
	public function save_block_order( $order ): void {
		if ( ! $order instanceof \WC_Order ) {
			return;
		}
		$this->stamp_order( $order, self::session_consent(), 'block', self::session_consent( Capture::SESSION_UPDATES ) );
		try {
			$order->save();
		} catch ( \Throwable $e ) {
			Capture::log( 'Order consent not saved: ' . $e->getMessage() );
		}
	}

	/**
	 * Stores consent, its proof and the E.164 phone on an order.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order   The order.
	 * @param bool      $consent The shopper's reminders choice.
	 * @param string    $source  Either classic or block.
	 * @param bool      $updates The shopper's order-updates choice.
	 * @return void
	 */
	private function stamp_order( \WC_Order $order, bool $consent, string $source, bool $updates = false ): void {
		try {
			$order->update_meta_data( self::ORDER_META, $consent ? '1' : '0' );
			$order->update_meta_data( self::ORDER_UPDATES_META, $updates ? '1' : '0' );
			$proofs = array(
				'_cartpinger_consent_proof' => array( $consent, ConsentText::REMINDERS ),
				self::ORDER_UPDATES_PROOF   => array( $updates, ConsentText::UPDATES ),
			);
			foreach ( $proofs as $meta => list( $given, $which ) ) {
				if ( ! $given ) {
					continue;
				}
				$order->update_meta_data(
					$meta,
					array(
						'at'            => gmdate( 'Y-m-d H:i:s' ),
						'ip'            => CaptureGuard::hash_address( CaptureGuard::client_address() ),
						'label'         => Capture::label( $which ),
						'label_version' => Capture::label_version( $which ),
						'source'        => $source,
					)
				);
			}
			// The shopper's language, for order notifications in their language.
			$order->update_meta_data( '_cartpinger_locale', Capture::shopper_locale() );
			$phone = self::order_phone( $order );
			if ( '' !== $phone ) {
				$order->update_meta_data( self::ORDER_PHONE_META, $phone );
			}
			if ( function_exists( 'WC' ) && null !== WC()->session ) {
				WC()->session->set( Capture::SESSION_CONSENT, $consent ? '1' : '0' );
				WC()->session->set( Capture::SESSION_UPDATES, $updates ? '1' : '0' );
			}
			if ( ! $consent ) {
				// This checkout's own record only: someone else's phone typed here withdraws nothing.
				$this->capture->revoke( Capture::session_key() );
			}
		} catch ( \Throwable $e ) {
			Capture::log( 'Order consent not saved: ' . $e->getMessage() );
		}
	}

	/**
	 * An order's billing phone in E.164, '' when missing or invalid.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return string
	 */
	public static function order_phone( \WC_Order $order ): string {
		$raw = (string) $order->get_billing_phone();
		if ( '' === $raw ) {
			$raw = (string) $order->get_shipping_phone();
		}
		if ( '' === $raw ) {
			return '';
		}
		try {
			$country = strtoupper( (string) $order->get_billing_country() );
			return Phone::to_e164( $raw, ( 1 === preg_match( '/^[A-Z]{2}$/', $country ) ) ? $country : '' );
		} catch ( InvalidPhoneException $e ) {
			return '';
		}
	}

	/**
	 * Loads the tracker on checkout pages (not on order-received): ~1 KB, no jQuery, deferred.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function enqueue_tracker(): void {
		if ( ! function_exists( 'is_checkout' ) || ! is_checkout() || ( function_exists( 'is_order_received_page' ) && is_order_received_page() ) ) {
			return;
		}
		wp_register_script(
			self::SCRIPT,
			plugins_url( 'assets/js/track.js', CARTPINGER_PLUGIN_FILE ),
			array(),
			CARTPINGER_VERSION,
			array(
				'in_footer' => true,
				'strategy'  => 'defer',
			)
		);
		wp_add_inline_script(
			self::SCRIPT,
			'window.cartpingerTrack=' . wp_json_encode(
				array(
					'url'     => esc_url_raw( rest_url( 'cartpinger/v1/track-cart' ) ),
					'nonce'   => wp_create_nonce( 'wp_rest' ),
					'check'   => wp_create_nonce( \CartPinger\Rest\TrackCartController::NONCE_ACTION ),
					'field'   => self::BLOCK_FIELD,
					'consent' => self::session_consent(),
				)
			) . ';',
			'before'
		);
		wp_enqueue_script( self::SCRIPT );
	}
}
