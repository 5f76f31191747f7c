<?php
/**
 * One reminder per cart: CartPinger's WhatsApp steps and WooCommerce's own recovery email.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * WooCommerce 10.9+ can send its own abandoned-cart email (WC_Email_Customer_Abandoned_Cart_Recovery,
 * id customer_abandoned_cart_recovery, off by default) for pending and checkout-draft orders,
 * automatically two hours after the order through the Action Scheduler action
 * woocommerce_send_abandoned_cart_recovery_notification. It asks partners through
 * `(bool) apply_filters( 'woocommerce_abandoned_cart_recovery_suppress', false )`, with no order
 * argument, at scheduling, in the order actions menu and at send time.
 *
 * The merchant picks (setting email_coordination):
 * - whatsapp_first: the email is suppressed for an order whose customer already got a WhatsApp
 *   step for the cart; otherwise it goes out;
 * - email_first: the WhatsApp steps wait until WooCommerce's send time for a customer with a
 *   pending order, and are skipped (reason email_sent) once the email went out;
 * - off: no coordination.
 * Never both for one cart. The order a send is about is known from the action (scheduled send)
 * or the order action (manual send) that runs the email; without an order (scheduling, menus)
 * nothing is suppressed, so the decision is made at send time.
 *
 * Inert on WooCommerce without the email class (before 10.9): the filter is never called and
 * the guard returns early.
 *
 * @since 0.3.0
 */
final class EmailCoordination implements RegistersHooks {

	/**
	 * WooCommerce's email class.
	 *
	 * @since 0.3.0
	 */
	public const EMAIL_CLASS = 'WC_Email_Customer_Abandoned_Cart_Recovery';

	/**
	 * WooCommerce's order meta recording the email's send time.
	 *
	 * @since 0.3.0
	 */
	public const META_SENT_AT = '_abandoned_cart_recovery_email_sent_at';

	/**
	 * WooCommerce's automatic send delay after the order (seconds).
	 *
	 * @since 0.3.0
	 */
	public const EMAIL_DELAY = 7200;

	/**
	 * The settings service.
	 *
	 * @since 0.3.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * The order WooCommerce is sending the email for, while it does.
	 *
	 * @since 0.3.0
	 *
	 * @var integer
	 */
	private int $current_order = 0;

	/**
	 * Creates the coordinator.
	 *
	 * @since 0.3.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Hooks WooCommerce's filter and the two ways its email is sent.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_filter( 'woocommerce_abandoned_cart_recovery_suppress', array( $this, 'filter_suppress' ) );
		add_action( 'woocommerce_send_abandoned_cart_recovery_notification', array( $this, 'begin_send' ), 1 );
		add_action( 'woocommerce_send_abandoned_cart_recovery_notification', array( $this, 'end_send' ), PHP_INT_MAX );
		add_action( 'woocommerce_order_action_send_abandoned_cart_recovery_email', array( $this, 'begin_send' ), 1 );
		add_action( 'woocommerce_order_action_send_abandoned_cart_recovery_email', array( $this, 'end_send' ), PHP_INT_MAX );
	}

	/**
	 * Whether WooCommerce's email exists here and is enabled.
	 *
	 * @since 0.3.0
	 *
	 * @return bool
	 */
	public static function email_active(): bool {
		if ( ! class_exists( self::EMAIL_CLASS, false ) ) {
			return false;
		}
		$settings = get_option( 'woocommerce_customer_abandoned_cart_recovery_settings', array() );
		return is_array( $settings ) && 'yes' === ( $settings['enabled'] ?? 'no' );
	}

	/**
	 * Remembers the order of the send that starts.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $order Order id (scheduled send) or WC_Order (order action).
	 * @return void
	 */
	public function begin_send( mixed $order ): void {
		if ( is_object( $order ) && method_exists( $order, 'get_id' ) ) {
			$this->current_order = (int) $order->get_id();
		} elseif ( is_numeric( $order ) ) {
			$this->current_order = (int) $order;
		} elseif ( is_array( $order ) && is_numeric( $order['order_id'] ?? null ) ) {
			$this->current_order = (int) $order['order_id'];
		}
	}

	/**
	 * Forgets it once the send is done.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function end_send(): void {
		$this->current_order = 0;
	}

	/**
	 * WooCommerce's suppress filter.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $suppress What other callbacks decided.
	 * @return bool
	 */
	public function filter_suppress( mixed $suppress ): bool {
		if ( true === (bool) $suppress ) {
			return true;
		}
		if ( 'whatsapp_first' !== $this->settings->get( 'email_coordination' ) || $this->current_order <= 0 ) {
			return false;
		}
		$order = function_exists( 'wc_get_order' ) ? wc_get_order( $this->current_order ) : false;
		if ( ! $order instanceof \WC_Order ) {
			return false;
		}
		return self::whatsapp_sent_for( (string) $order->get_billing_phone(), (string) $order->get_billing_email(), (string) $order->get_billing_country() );
	}

	/**
	 * Whether a WhatsApp recovery step went to this customer in the last week.
	 *
	 * @since 0.3.0
	 *
	 * @param string $phone   Billing phone as entered.
	 * @param string $email   Billing email.
	 * @param string $country Billing country (to read a national number).
	 * @return bool
	 */
	public static function whatsapp_sent_for( string $phone, string $email, string $country ): bool {
		global $wpdb;
		$e164 = '';
		if ( '' !== trim( $phone ) && class_exists( '\CartPinger\Native\Phone' ) ) {
			try {
				$e164 = (string) \CartPinger\Native\Phone::to_e164( $phone, $country );
			} catch ( \Throwable $e ) {
				$e164 = '';
			}
		}
		if ( '' === $e164 && '' === trim( $email ) ) {
			return false;
		}
		$found = $wpdb->get_var(
			$wpdb->prepare(
				'SELECT id FROM %i WHERE first_message_at IS NOT NULL AND first_message_at > %s AND ( ( customer_phone <> %s AND customer_phone = %s ) OR ( customer_email <> %s AND customer_email = %s ) ) LIMIT 1',
				Schema::recoveries_table(),
				gmdate( 'Y-m-d H:i:s', time() - WEEK_IN_SECONDS ),
				'',
				$e164,
				'',
				strtolower( trim( $email ) )
			)
		);
		return null !== $found;
	}

	/**
	 * For the WhatsApp side: null to go ahead, or ['action' => hold|stop, 'reason', 'until'?].
	 * Once WooCommerce's email went out for the customer's pending order the steps stop
	 * (email_sent) in both modes; in email_first mode they also wait for its send time.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $row      The recovery record.
	 * @param Settings             $settings Settings.
	 * @param int                  $now      Unix time.
	 * @return array{action: string, reason: string, until?: int}|null
	 */
	public static function check_recovery( array $row, Settings $settings, int $now ): ?array {
		$mode = $settings->get( 'email_coordination' );
		if ( 'off' === $mode || ! self::email_active() || ! function_exists( 'wc_get_orders' ) ) {
			return null;
		}
		$email = (string) ( $row['customer_email'] ?? '' );
		if ( '' === $email ) {
			return null;
		}
		$orders = wc_get_orders(
			array(
				'billing_email' => $email,
				'status'        => array( 'pending', 'checkout-draft' ),
				'date_created'  => '>' . ( $now - WEEK_IN_SECONDS ),
				'limit'         => 5,
			)
		);
		foreach ( is_array( $orders ) ? $orders : array() as $order ) {
			if ( ! $order instanceof \WC_Order ) {
				continue;
			}
			if ( '' !== (string) $order->get_meta( self::META_SENT_AT ) ) {
				return array(
					'action' => 'stop',
					'reason' => 'email_sent',
				);
			}
			$created = $order->get_date_created();
			$due     = $created ? $created->getTimestamp() + self::EMAIL_DELAY + 300 : 0;
			if ( 'email_first' === $mode && $due > $now ) {
				return array(
					'action' => 'hold',
					'reason' => 'email_first',
					'until'  => $due,
				);
			}
		}
		return null;
	}
}
