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
 * Classic checkout: a checkbox after the order notes, kept in the WooCommerce session, captured
 * on every order-review refresh and by the tracker script. Block checkout: an additional
 * checkout field (location "order") whose value the tracker script sends with the phone.
 * Both save the consent and its proof on the order.
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
		add_action( 'woocommerce_after_order_notes', array( $this, 'render_classic_field' ) );
		add_action( 'woocommerce_checkout_update_order_review', array( $this, 'capture_classic_refresh' ) );
		add_action( 'woocommerce_checkout_create_order', array( $this, 'save_classic_order' ), 10, 2 );
		add_action( 'woocommerce_init', array( $this, 'register_block_field' ) );
		add_filter( 'woocommerce_get_default_value_for_' . self::BLOCK_FIELD, array( $this, 'block_default' ) );
		add_action( 'woocommerce_store_api_checkout_update_order_from_request', array( $this, 'save_block_order' ), 10, 2 );
		add_action( 'wp_enqueue_scripts', array( $this, 'enqueue_tracker' ) );
	}

	/**
	 * The shopper's stored choice (unchecked unless they ticked it).
	 *
	 * @since 0.2.0
	 *
	 * @return bool
	 */
	private static function session_consent(): bool {
		return function_exists( 'WC' ) && null !== WC()->session && '1' === WC()->session->get( Capture::SESSION_CONSENT );
	}

	/**
	 * Prints the classic checkbox after the order notes.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $checkout The WC_Checkout object (unused).
	 * @return void
	 */
	public function render_classic_field( $checkout ): void {
		unset( $checkout );
		if ( ! function_exists( 'woocommerce_form_field' ) ) {
			return;
		}
		woocommerce_form_field(
			Capture::SESSION_CONSENT,
			array(
				'type'     => 'checkbox',
				'class'    => array( 'form-row-wide', 'cartpinger-consent' ),
				'label'    => esc_html( Capture::label() ),
				'required' => false,
			),
			self::session_consent() ? 1 : 0
		);
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
		$this->stamp_order( $order, $consent, 'classic' );
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
		try {
			woocommerce_register_additional_checkout_field(
				array(
					'id'       => self::BLOCK_FIELD,
					'label'    => Capture::label(),
					'location' => 'order',
					'type'     => 'checkbox',
					'required' => false,
				)
			);
		} catch ( \Throwable $e ) {
			Capture::log( 'Block checkout field not registered: ' . $e->getMessage() );
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
	 * Block Place Order: capture (the phone may not have reached us yet) and stamp the order.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order   The order.
	 * @param mixed     $request The Store API request.
	 * @return void
	 */
	public function save_block_order( $order, $request ): void {
		if ( ! $order instanceof \WC_Order ) {
			return;
		}
		$consent = false;
		if ( $request instanceof \WP_REST_Request ) {
			$fields  = $request->get_param( 'additional_fields' );
			$consent = is_array( $fields ) && ! empty( $fields[ self::BLOCK_FIELD ] );
		}
		$this->stamp_order( $order, $consent, 'block' );
	}

	/**
	 * Stores consent, its proof and the E.164 phone on an order.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order   The order.
	 * @param bool      $consent The shopper's choice.
	 * @param string    $source  Either classic or block.
	 * @return void
	 */
	private function stamp_order( \WC_Order $order, bool $consent, string $source ): void {
		try {
			$order->update_meta_data( self::ORDER_META, $consent ? '1' : '0' );
			if ( $consent ) {
				$order->update_meta_data(
					'_cartpinger_consent_proof',
					array(
						'at'            => gmdate( 'Y-m-d H:i:s' ),
						'ip'            => $order->get_customer_ip_address(),
						'label'         => Capture::label(),
						'label_version' => Capture::LABEL_VERSION,
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
			}
			if ( ! $consent && '' !== $phone ) {
				$this->capture->revoke( Capture::session_key(), $phone );
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
			return Phone::to_e164( $raw, 1 === preg_match( '/^[A-Z]{2}$/', $country ) ? $country : '' );
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
					'field'   => self::BLOCK_FIELD,
					'consent' => self::session_consent(),
				)
			) . ';',
			'before'
		);
		wp_enqueue_script( self::SCRIPT );
	}
}
