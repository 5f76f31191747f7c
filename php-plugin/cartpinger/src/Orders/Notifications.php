<?php
/**
 * WhatsApp notifications of order status changes.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Orders;

use CartPinger\Native\Catalog;
use CartPinger\Native\Delivery;
use CartPinger\Native\Exception\InvalidPhoneException;
use CartPinger\Native\Phone;
use CartPinger\Queue\Store;
use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Support\Money;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Queues order_confirmed, order_completed or order_cancelled when an order reaches processing,
 * completed or cancelled (each behind its switch), for shoppers who consented at checkout.
 *
 * The message only goes into the queue here; the queue runner sends it, never this request.
 * Exactly once per order and status: the idempotency key `order:<id>:<status>` is UNIQUE in
 * the queue, so a second transition to the same status (processing → on-hold → processing,
 * or a gateway webhook racing the thank-you redirect) queues nothing and is logged as a
 * suppressed duplicate. Nothing here ever throws into WooCommerce.
 *
 * @since 0.2.0
 */
final class Notifications implements RegistersHooks {

	/**
	 * Status => [setting that switches it, catalog template].
	 *
	 * @since 0.2.0
	 */
	public const STATUSES = array(
		'processing' => array( 'notify_processing', 'order_confirmed' ),
		'completed'  => array( 'notify_completed', 'order_completed' ),
		'cancelled'  => array( 'notify_cancelled', 'order_cancelled' ),
	);

	/**
	 * Order meta that may hold the shopper's locale (ours first, then WPML's).
	 *
	 * @since 0.2.0
	 */
	public const LOCALE_META = array( '_cartpinger_locale', 'wpml_language' );

	/**
	 * WooCommerce log source.
	 *
	 * @since 0.2.0
	 */
	public const LOG_SOURCE = 'cartpinger-orders';

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * The queue.
	 *
	 * @since 0.2.0
	 *
	 * @var Store
	 */
	private Store $store;

	/**
	 * Parameter count per catalog template, read once per request.
	 *
	 * @since 0.2.0
	 *
	 * @var array<string, int>|null
	 */
	private static ?array $param_counts = null;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings The settings service.
	 * @param Store    $store    The queue.
	 */
	public function __construct( Settings $settings, Store $store ) {
		$this->settings = $settings;
		$this->store    = $store;
	}

	/**
	 * Sends (or expires, with the reason) the notifications Backlog recorded while the
	 * extension was missing. Each is rebuilt from its order now, under its own idempotency
	 * key, so a notification is never queued twice.
	 *
	 * @since 0.3.0
	 *
	 * @param int $limit Most rows per call.
	 * @return array{queued: int, expired: int}
	 */
	public function resume_deferred( int $limit = 100 ): array {
		global $wpdb;
		$table = Schema::messages_log_table();
		$done  = array(
			'queued'  => 0,
			'expired' => 0,
		);
		$rows  = $wpdb->get_results( $wpdb->prepare( 'SELECT id, order_id, idempotency_key, created_at FROM %i WHERE status = %s ORDER BY id ASC LIMIT %d', $table, Backlog::STATUS, max( 1, $limit ) ), ARRAY_A );
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$id     = (int) $row['id'];
			$key    = (string) $row['idempotency_key'];
			$status = (string) substr( $key, strrpos( $key, ':' ) + 1 );
			$at     = strtotime( $row['created_at'] . ' UTC' );
			$now    = gmdate( 'Y-m-d H:i:s' );
			if ( ! Delivery::deferred_still_useful( false === $at ? 0 : $at, time() ) ) {
				$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s, error_code = %s, error_message = %s, updated_at = %s WHERE id = %d AND status = %s', $table, 'expired', 'too_late', 'Recorded while the CartPinger extension was missing; it came back too late for this message to help, so it was not sent.', $now, $id, Backlog::STATUS ) );
				++$done['expired'];
				continue;
			}
			// Free the key, then queue the real message under it.
			$freed = $wpdb->query( $wpdb->prepare( 'UPDATE %i SET idempotency_key = %s, updated_at = %s WHERE id = %d AND status = %s', $table, 'deferred:' . $id, $now, $id, Backlog::STATUS ) );
			if ( 1 !== $freed ) {
				continue;
			}
			$result = $this->notify( (int) $row['order_id'], null, $status );
			if ( 'queued' === $result || 'duplicate' === $result ) {
				$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE id = %d AND status = %s', $table, $id, Backlog::STATUS ) );
				++$done['queued'];
				continue;
			}
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s, idempotency_key = %s, error_code = %s, error_message = %s, updated_at = %s WHERE id = %d', $table, 'expired', $key, substr( $result, 0, 32 ), 'Recorded while the CartPinger extension was missing; not sent when it came back: ' . $result . '.', $now, $id ) );
			++$done['expired'];
		}
		return $done;
	}

	/**
	 * Registers the status hooks.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'woocommerce_order_status_processing', array( $this, 'on_processing' ), 20, 2 );
		add_action( 'woocommerce_order_status_completed', array( $this, 'on_completed' ), 20, 2 );
		add_action( 'woocommerce_order_status_cancelled', array( $this, 'on_cancelled' ), 20, 2 );
	}

	/**
	 * The order reached processing.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param mixed $order_id Order id.
	 * @param mixed $order    The order (WooCommerce ≥ 3.x passes it).
	 * @return void
	 */
	public function on_processing( $order_id, $order = null ): void {
		$this->notify( $order_id, $order, 'processing' );
	}

	/**
	 * The order reached completed.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param mixed $order_id Order id.
	 * @param mixed $order    The order.
	 * @return void
	 */
	public function on_completed( $order_id, $order = null ): void {
		$this->notify( $order_id, $order, 'completed' );
	}

	/**
	 * The order reached cancelled.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param mixed $order_id Order id.
	 * @param mixed $order    The order.
	 * @return void
	 */
	public function on_cancelled( $order_id, $order = null ): void {
		$this->notify( $order_id, $order, 'cancelled' );
	}

	/**
	 * Queues the notification of one status, never throwing.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed  $order_id Order id.
	 * @param mixed  $order    The order, or null to load it.
	 * @param string $status   Status: processing, completed or cancelled.
	 * @return string What happened: queued|duplicate|disabled|no_consent|invalid_phone|
	 *                not_configured|no_order|invalid|error.
	 */
	public function notify( $order_id, $order, string $status ): string {
		try {
			return $this->do_notify( (int) $order_id, $order, $status );
		} catch ( \Throwable $e ) {
			self::log( 'warning', sprintf( 'Order %d: the %s notification was not queued (%s).', (int) $order_id, $status, $e->getMessage() ), (int) $order_id );
			return 'error';
		}
	}

	/**
	 * The body of notify().
	 *
	 * @since 0.2.0
	 *
	 * @param int    $order_id Order id.
	 * @param mixed  $order    The order, or null.
	 * @param string $status   Status.
	 * @return string See notify().
	 */
	private function do_notify( int $order_id, $order, string $status ): string {
		if ( ! isset( self::STATUSES[ $status ] ) ) {
			return 'invalid';
		}
		list( $setting, $template ) = self::STATUSES[ $status ];
		if ( ! $this->settings->get( $setting ) ) {
			return 'disabled';
		}
		if ( ! $order instanceof \WC_Order ) {
			$order = function_exists( 'wc_get_order' ) ? wc_get_order( $order_id ) : null;
		}
		if ( ! $order instanceof \WC_Order || $order instanceof \WC_Order_Refund ) {
			return 'no_order';
		}
		$order_id = (int) $order->get_id();
		// The order-updates consent; orders from before it was asked separately carry only the
		// one consent of that time.
		$consent = $order->meta_exists( CheckoutHooks::ORDER_UPDATES_META )
			? $order->get_meta( CheckoutHooks::ORDER_UPDATES_META, true )
			: $order->get_meta( CheckoutHooks::ORDER_META, true );
		if ( '1' !== (string) $consent ) {
			return 'no_consent';
		}

		$key      = 'order:' . $order_id . ':' . $status;
		$existing = $this->queued_id( $key );
		if ( $existing > 0 ) {
			self::suppressed( $order_id, $status, $existing );
			return 'duplicate';
		}

		$phone = self::phone_of( $order );
		if ( '' === $phone ) {
			self::log( 'warning', sprintf( 'Order %d: no valid WhatsApp phone, the %s notification was not queued.', $order_id, $status ), $order_id );
			return 'invalid_phone';
		}
		if ( ! $this->settings->is_configured() ) {
			self::log( 'warning', sprintf( 'Order %d: WhatsApp is not connected (credentials missing or unreadable), the %s notification was not queued.', $order_id, $status ), $order_id );
			return 'not_configured';
		}

		$locale    = self::order_locale( $order );
		$params    = self::params( $order, $locale );
		$expected  = self::param_count( $template );
		$languages = Catalog::select_language( $locale, (string) get_locale(), array() );
		if ( count( $params ) !== $expected ) {
			self::log( 'error', sprintf( 'Order %d: %s expects %d parameters, %d built; not queued.', $order_id, $template, $expected, count( $params ) ), $order_id );
			return 'invalid';
		}

		$queued = $this->store->enqueue(
			array(
				'phone'           => $phone,
				'template'        => $template,
				'language'        => (string) ( $languages[0] ?? 'en' ),
				'languages'       => array_slice( $languages, 1 ),
				'params'          => $params,
				'kind'            => 'order',
				'idempotency_key' => $key,
				'order_id'        => $order_id,
				'priority'        => Store::PRIORITY_ORDER,
			)
		);
		if ( is_wp_error( $queued ) ) {
			self::log( 'warning', sprintf( 'Order %d: the %s notification was not queued (%s).', $order_id, $status, $queued->get_error_message() ), $order_id );
			return 'error';
		}
		return 'queued';
	}

	/**
	 * The id of the queue row with this idempotency key, 0 when there is none.
	 *
	 * @since 0.2.0
	 *
	 * @param string $key Idempotency key.
	 * @return int
	 */
	private function queued_id( string $key ): int {
		global $wpdb;
		return (int) $wpdb->get_var(
			$wpdb->prepare( 'SELECT id FROM %i WHERE idempotency_key = %s', Schema::messages_log_table(), $key )
		);
	}

	/**
	 * Logs and announces a suppressed duplicate.
	 *
	 * @since 0.2.0
	 *
	 * @param int    $order_id Order id.
	 * @param string $status   Status.
	 * @param int    $existing Id of the message already queued.
	 * @return void
	 */
	private static function suppressed( int $order_id, string $status, int $existing ): void {
		self::log( 'notice', sprintf( 'Order %d: duplicate %s notification suppressed (already queued as message %d).', $order_id, $status, $existing ), $order_id );
		/**
		 * Fires when a second transition to the same status queued nothing.
		 *
		 * @since 0.2.0
		 *
		 * @param int    $order_id   Order id.
		 * @param string $status     processing|completed|cancelled.
		 * @param int    $message_id The message queued the first time.
		 */
		do_action( 'cartpinger_order_notification_suppressed', $order_id, $status, $existing );
	}

	/**
	 * The order's phone in E.164 ('' when missing or invalid).
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return string
	 */
	public static function phone_of( \WC_Order $order ): string {
		$stored = (string) $order->get_meta( CheckoutHooks::ORDER_PHONE_META, true );
		if ( '' !== $stored ) {
			try {
				if ( Phone::to_e164( $stored, '' ) === $stored ) {
					return $stored;
				}
			} catch ( InvalidPhoneException $e ) {
				unset( $e ); // Fall back to the billing phone.
			}
		}
		return CheckoutHooks::order_phone( $order );
	}

	/**
	 * The locale stored with the order, '' when none.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return string
	 */
	public static function order_locale( \WC_Order $order ): string {
		$locale = '';
		foreach ( self::LOCALE_META as $meta ) {
			$value = $order->get_meta( $meta, true );
			if ( is_string( $value ) && 1 === preg_match( '/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/', $value ) ) {
				$locale = $value;
				break;
			}
		}
		/**
		 * Filters the locale of an order's WhatsApp notifications ('' = the site's).
		 *
		 * @since 0.2.0
		 *
		 * @param string    $locale Locale (es_ES, pt-BR, ...).
		 * @param \WC_Order $order  The order.
		 */
		$filtered = apply_filters( 'cartpinger_order_locale', $locale, $order );
		return is_string( $filtered ) ? $filtered : $locale;
	}

	/**
	 * The template parameters: first name (or "there"), order number, the total in the store's format.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order  The order.
	 * @param string    $locale The order's locale ('' for the site's).
	 * @return string[]
	 */
	public static function params( \WC_Order $order, string $locale ): array {
		$name = trim( (string) $order->get_billing_first_name() );
		if ( '' === $name ) {
			$switched = '' !== $locale && switch_to_locale( str_replace( '-', '_', $locale ) );
			/* translators: Used in a WhatsApp message when the shopper's name is unknown: "Hi there". */
			$name = __( 'there', 'cartpinger-for-woocommerce' );
			if ( $switched ) {
				restore_previous_locale();
			}
		}
		return array(
			$name,
			(string) $order->get_order_number(),
			Money::plain( (float) $order->get_total(), (string) $order->get_currency() ),
		);
	}

	/**
	 * How many parameters the catalog's template takes (-1 when unknown).
	 *
	 * @since 0.2.0
	 *
	 * @param string $template Template name.
	 * @return int
	 */
	public static function param_count( string $template ): int {
		if ( null === self::$param_counts ) {
			self::$param_counts = array();
			foreach ( Catalog::templates() as $entry ) {
				if ( is_array( $entry ) && is_string( $entry['name'] ?? null ) && is_array( $entry['params'] ?? null ) ) {
					self::$param_counts[ $entry['name'] ] = count( $entry['params'] );
				}
			}
		}
		return self::$param_counts[ $template ] ?? -1;
	}

	/**
	 * Writes to the WooCommerce log (ids and codes only, never a phone or a name).
	 *
	 * @since 0.2.0
	 *
	 * @param string $level    PSR-3 level.
	 * @param string $message  Message.
	 * @param int    $order_id Order id (context).
	 * @return void
	 */
	private static function log( string $level, string $message, int $order_id ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->log(
				$level,
				$message,
				array(
					'source'   => self::LOG_SOURCE,
					'order_id' => $order_id,
				)
			);
		}
	}
}
