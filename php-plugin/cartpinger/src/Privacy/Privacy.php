<?php
/**
 * Personal data: exporter, eraser, privacy-policy text and retention.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Privacy;

use CartPinger\Lifecycle;
use CartPinger\Queue\Cron;
use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Recovery\Repository;
use CartPinger\Settings\Settings;
use CartPinger\Storage\PhoneFacts;
use CartPinger\Storage\Schema;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * WordPress's personal-data tools (Tools → Export / Erase Personal Data) for what CartPinger
 * stores, and the retention policy.
 *
 * A person is found by email: their recovery records (customer_email), their orders (billing
 * email, or the account with that email), and through those the phones in E.164 of the
 * records and orders. Everything CartPinger keeps about those is covered: recovery records
 * (phone, name, email, cart snapshot, proof of consent with IP), messages log rows (phone,
 * template parameters) and CartPinger's order meta (consent, proof, E.164 phone).
 *
 * The eraser anonymises rather than deletes, so anonymous statistics (revenue recovered,
 * delivery counts) stay right: recovery rows lose every personal column and a live one closes
 * as expired (close_reason erased); message rows lose phone and parameters and a pending one
 * is cancelled; the order meta is deleted (so no further notification goes out). Pages of
 * 100 items, as WordPress expects.
 *
 * Retention: a daily job deletes closed recovery records and finished messages older than
 * the retention_days setting (0 = keep forever), 1000 rows per indexed DELETE.
 *
 * @since 0.2.0
 */
final class Privacy implements RegistersHooks {

	/**
	 * Items per exporter or eraser page.
	 *
	 * @since 0.2.0
	 */
	public const PAGE = 100;

	/**
	 * Rows per retention DELETE.
	 *
	 * @since 0.2.0
	 */
	public const PURGE_BATCH = 1000;

	/**
	 * Daily retention hook (WP-Cron event or Action Scheduler action).
	 *
	 * @since 0.2.0
	 */
	public const RETENTION_HOOK = 'cartpinger_retention_purge';

	/**
	 * Exporter and eraser id.
	 *
	 * @since 0.2.0
	 */
	public const ID = 'cartpinger';

	/**
	 * Message statuses that are over (no runner or webhook will act on them again).
	 *
	 * @since 0.2.0
	 */
	public const FINISHED_MESSAGES = array( 'sent', 'delivered', 'read', 'failed', 'cancelled', 'expired' );

	/**
	 * Order meta CartPinger writes.
	 *
	 * @since 0.2.0
	 */
	public const ORDER_META = array( CheckoutHooks::ORDER_META, '_cartpinger_consent_proof', CheckoutHooks::ORDER_PHONE_META, CheckoutHooks::ORDER_UPDATES_META, CheckoutHooks::ORDER_UPDATES_PROOF );

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Registers the exporter, the eraser, the policy text and the retention job.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_filter( 'wp_privacy_personal_data_exporters', array( $this, 'filter_exporters' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( $this, 'filter_erasers' ) );
		add_action( 'admin_init', array( $this, 'add_policy_content' ) );
		add_action( self::RETENTION_HOOK, array( $this, 'action_purge' ) );
		add_action( 'init', array( $this, 'action_schedule' ) );
		add_action( 'action_scheduler_init', array( $this, 'action_schedule_as' ) );
	}

	/**
	 * Adds the exporter.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param mixed $exporters Exporters.
	 * @return mixed
	 */
	public function filter_exporters( $exporters ) {
		if ( is_array( $exporters ) ) {
			$exporters[ self::ID ] = array(
				'exporter_friendly_name' => __( 'CartPinger WhatsApp data', 'cartpinger-for-woocommerce' ),
				'callback'               => array( $this, 'export' ),
			);
		}
		return $exporters;
	}

	/**
	 * Adds the eraser.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param mixed $erasers Erasers.
	 * @return mixed
	 */
	public function filter_erasers( $erasers ) {
		if ( is_array( $erasers ) ) {
			$erasers[ self::ID ] = array(
				'eraser_friendly_name' => __( 'CartPinger WhatsApp data', 'cartpinger-for-woocommerce' ),
				'callback'             => array( $this, 'erase' ),
			);
		}
		return $erasers;
	}

	/**
	 * Suggested privacy-policy text (Settings → Privacy → Policy Guide).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function add_policy_content(): void {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		wp_add_privacy_policy_content( 'CartPinger', wp_kses_post( wpautop( self::policy_text(), false ) ) );
	}

	/**
	 * The suggested policy text (translatable).
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public static function policy_text(): string {
		return implode(
			"\n\n",
			array(
				'<strong>' . __( 'WhatsApp order updates and cart reminders', 'cartpinger-for-woocommerce' ) . '</strong>',
				__( 'When you tick the WhatsApp box at checkout, we store your phone number, first name, email address, the contents of your cart and proof of your consent (the time, a keyed hash of your network address and the wording you agreed to, with its version). We use them to send you WhatsApp messages about your order and, if you leave without ordering, up to three reminders about your cart.', 'cartpinger-for-woocommerce' ),
				__( 'The messages are sent through the WhatsApp Business Platform (Cloud API) of Meta Platforms, which receives your phone number and the text of each message. We keep a log of the messages sent to you (phone number, message type and the details it contained) and their delivery status.', 'cartpinger-for-woocommerce' ),
				__( 'You can withdraw your consent at any time by unticking the box at checkout or by replying STOP to any of our WhatsApp messages. You can ask us for a copy of this data or for its erasure.', 'cartpinger-for-woocommerce' ),
				__( 'Cart records that are closed and message logs are deleted automatically after the retention period set by the shop.', 'cartpinger-for-woocommerce' ),
			)
		);
	}

	// ------------------------------------------------------------------ lookup

	/**
	 * What CartPinger can tie to an email: orders, phones, recovery and message row ids.
	 *
	 * @since 0.2.0
	 *
	 * @param string $email    Email address.
	 * @param bool   $remember Keep the phones found until the erasure is done (eraser only).
	 * @return array{orders: int[], phones: string[], recoveries: int[], messages: int[]}
	 */
	public function find( string $email, bool $remember = false ): array {
		global $wpdb;
		$email  = strtolower( trim( $email ) );
		$found  = array(
			'orders'     => array(),
			'phones'     => array(),
			'recoveries' => array(),
			'messages'   => array(),
		);
		$phones = array();
		if ( '' === $email || ! is_email( $email ) ) {
			return $found;
		}
		$recoveries = Schema::recoveries_table();
		$messages   = Schema::messages_log_table();

		// Orders by billing email, and by the account that has this email.
		$orders = array();
		if ( function_exists( 'wc_get_orders' ) ) {
			$queries = array( array( 'billing_email' => $email ) );
			$user    = get_user_by( 'email', $email );
			if ( $user instanceof \WP_User ) {
				$queries[] = array( 'customer_id' => (int) $user->ID );
			}
			foreach ( $queries as $query ) {
				$ids = wc_get_orders(
					$query + array(
						'limit'  => -1,
						'return' => 'ids',
						'status' => 'any',
					)
				);
				foreach ( is_array( $ids ) ? $ids : array() as $id ) {
					$orders[ (int) $id ] = true;
				}
			}
		}
		foreach ( array_keys( $orders ) as $order_id ) {
			$order = wc_get_order( $order_id );
			if ( $order instanceof \WC_Order ) {
				$phone = (string) $order->get_meta( CheckoutHooks::ORDER_PHONE_META, true );
				if ( '' === $phone ) {
					$phone = CheckoutHooks::order_phone( $order );
				}
				if ( '' !== $phone ) {
					$phones[ $phone ] = true;
				}
			}
		}

		// Phones of the records with this email.
		$rows = $wpdb->get_col( $wpdb->prepare( "SELECT customer_phone FROM %i WHERE customer_email = %s AND customer_phone <> ''", $recoveries, $email ) );
		foreach ( is_array( $rows ) ? $rows : array() as $phone ) {
			$phones[ (string) $phone ] = true;
		}
		// Business-scoped user ids (BSUID) of those records: other records of the same WhatsApp
		// user (seen without a phone, or with another number) and their phones.
		$user_ids = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT wa_user_id FROM %i WHERE customer_email = %s AND wa_user_id <> ''", $recoveries, $email ) );
		$user_ids = is_array( $user_ids ) ? array_values( array_map( 'strval', $user_ids ) ) : array();
		if ( array() !== $user_ids ) {
			$rows = $wpdb->get_col( $wpdb->prepare( 'SELECT customer_phone FROM %i WHERE wa_user_id IN (' . self::placeholders( $user_ids, '%s' ) . ") AND customer_phone <> ''", $recoveries, ...$user_ids ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
			foreach ( is_array( $rows ) ? $rows : array() as $phone ) {
				$phones[ (string) $phone ] = true;
			}
		}
		// Phones seen on an earlier page of the same erasure (the records may be anonymised now).
		$cached = $remember ? get_transient( self::cache_key( $email ) ) : false;
		foreach ( is_array( $cached ) ? $cached : array() as $phone ) {
			$phones[ (string) $phone ] = true;
		}
		$phones = array_map( 'strval', array_keys( $phones ) );
		if ( $remember && array() !== $phones ) {
			set_transient( self::cache_key( $email ), $phones, DAY_IN_SECONDS );
		}

		// Recovery rows: by email, by phone (UNION of indexed lookups).
		$parts = array( $wpdb->prepare( 'SELECT id FROM %i WHERE customer_email = %s', $recoveries, $email ) );
		if ( array() !== $phones ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE customer_phone IN (' . implode( ',', array_fill( 0, count( $phones ), '%s' ) ) . ')', $recoveries, ...$phones );
		}
		if ( array() !== $user_ids ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE wa_user_id IN (' . self::placeholders( $user_ids, '%s' ) . ')', $recoveries, ...$user_ids ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
		}
		$recovery_ids = self::ids( $wpdb->get_col( implode( ' UNION ', $parts ) . ' ORDER BY id' ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- each part is prepared.

		// Message rows: by phone, by order, by recovery.
		$parts     = array();
		$order_ids = array_keys( $orders );
		if ( array() !== $phones ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE phone IN (' . implode( ',', array_fill( 0, count( $phones ), '%s' ) ) . ')', $messages, ...$phones );
		}
		if ( array() !== $order_ids ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE order_id IN (' . implode( ',', array_fill( 0, count( $order_ids ), '%d' ) ) . ") AND phone <> ''", $messages, ...$order_ids );
		}
		if ( array() !== $recovery_ids ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE recovery_id IN (' . implode( ',', array_fill( 0, count( $recovery_ids ), '%d' ) ) . ") AND phone <> ''", $messages, ...$recovery_ids );
		}
		$message_ids = array() === $parts ? array() : self::ids( $wpdb->get_col( implode( ' UNION ', $parts ) . ' ORDER BY id' ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- each part is prepared.

		$with_meta = array();
		foreach ( $order_ids as $order_id ) {
			$order = wc_get_order( $order_id );
			if ( $order instanceof \WC_Order && self::has_our_meta( $order ) ) {
				$with_meta[] = (int) $order_id;
			}
		}
		sort( $with_meta );

		return array(
			'orders'     => $with_meta,
			'phones'     => $phones,
			'recoveries' => $recovery_ids,
			'messages'   => $message_ids,
		);
	}

	/**
	 * What CartPinger holds for a WhatsApp business-scoped user id (BSUID): the records that
	 * carry it, their phones, and the messages to those phones or of those records. For a
	 * shopper known only by the BSUID (Meta withholds the phone number of users with a
	 * username); a shopper with an email is found by find().
	 *
	 * @since 0.3.0
	 *
	 * @param string $user_id The BSUID (e.g. "ES.13491208655302741918").
	 * @return array{phones: string[], recoveries: int[], messages: int[]}
	 */
	public function find_by_user_id( string $user_id ): array {
		global $wpdb;
		$user_id = trim( $user_id );
		$found   = array(
			'phones'     => array(),
			'recoveries' => array(),
			'messages'   => array(),
		);
		if ( '' === $user_id || strlen( $user_id ) > 128 ) {
			return $found;
		}
		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT id, customer_phone FROM %i WHERE wa_user_id = %s', Schema::recoveries_table(), $user_id ), ARRAY_A );
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$found['recoveries'][] = (int) $row['id'];
			if ( '' !== (string) $row['customer_phone'] ) {
				$found['phones'][ (string) $row['customer_phone'] ] = true;
			}
		}
		$found['phones'] = array_map( 'strval', array_keys( $found['phones'] ) );
		$parts           = array();
		if ( array() !== $found['phones'] ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE phone IN (' . self::placeholders( $found['phones'], '%s' ) . ')', Schema::messages_log_table(), ...$found['phones'] ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
		}
		if ( array() !== $found['recoveries'] ) {
			$parts[] = $wpdb->prepare( 'SELECT id FROM %i WHERE recovery_id IN (' . self::placeholders( $found['recoveries'], '%d' ) . ')', Schema::messages_log_table(), ...$found['recoveries'] ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
		}
		$found['messages'] = array() === $parts ? array() : self::ids( $wpdb->get_col( implode( ' UNION ', $parts ) . ' ORDER BY id' ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- each part is prepared.
		return $found;
	}

	/**
	 * Erases what find_by_user_id() finds, as the email eraser does: messages lose their
	 * phone and parameters (pending ones are cancelled), records are anonymised (consent gone,
	 * open carts closed as erased).
	 *
	 * @since 0.3.0
	 *
	 * @param string $user_id The BSUID.
	 * @return int Rows changed.
	 */
	public function erase_by_user_id( string $user_id ): int {
		global $wpdb;
		$found   = $this->find_by_user_id( $user_id );
		$now     = gmdate( 'Y-m-d H:i:s' );
		$removed = 0;
		if ( array() !== $found['messages'] ) {
			$removed += max(
				0,
				(int) $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET phone = '', components = %s, error_code = IF(status = 'pending', 'erased', error_code), status = IF(status = 'pending', 'cancelled', status), updated_at = %s WHERE id IN (" . self::placeholders( $found['messages'], '%d' ) . ')', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
						Schema::messages_log_table(),
						'{"params":[]}',
						$now,
						...$found['messages']
					)
				)
			);
		}
		if ( array() !== $found['recoveries'] ) {
			$live     = Repository::LIVE;
			$removed += max(
				0,
				(int) $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET session_key = NULL, token_hash = NULL, token_sealed = '', customer_phone = '', wa_user_id = '', customer_name = '', customer_email = '', user_id = 0,
							cart_snapshot = NULL, consent = 0, consent_ip = '', consent_label = NULL, coupon_code = '', billing_country = '', locale = '', next_check_at = NULL,
							close_reason = IF(status IN (%s, %s, %s), 'erased', close_reason), status = IF(status IN (%s, %s, %s), 'expired', status), updated_at = %s
						WHERE id IN (" . self::placeholders( $found['recoveries'], '%d' ) . ')', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
						Schema::recoveries_table(),
						...array_merge( $live, $live, array( $now ), $found['recoveries'] )
					)
				)
			);
		}
		return $removed;
	}

	// ------------------------------------------------------------------ exporter

	/**
	 * Personal-data exporter callback.
	 *
	 * @since 0.2.0
	 *
	 * @param string $email Email address.
	 * @param int    $page  Page, from 1.
	 * @return array{data: array<int, array<string, mixed>>, done: bool}
	 */
	public function export( $email, $page = 1 ): array {
		try {
			return $this->do_export( (string) $email, max( 1, (int) $page ) );
		} catch ( \Throwable $e ) {
			self::log( 'Privacy export failed: ' . $e->getMessage() );
			return array(
				'data' => array(),
				'done' => true,
			);
		}
	}

	/**
	 * The body of export().
	 *
	 * @since 0.2.0
	 *
	 * @param string $email Email address.
	 * @param int    $page  Page.
	 * @return array{data: array<int, array<string, mixed>>, done: bool}
	 */
	private function do_export( string $email, int $page ): array {
		global $wpdb;
		$found = $this->find( $email );
		$items = array();
		foreach ( $found['recoveries'] as $id ) {
			$items[] = array( 'recovery', $id );
		}
		foreach ( $found['messages'] as $id ) {
			$items[] = array( 'message', $id );
		}
		foreach ( $found['orders'] as $id ) {
			$items[] = array( 'order', $id );
		}
		$offset = ( $page - 1 ) * self::PAGE;
		$slice  = array_slice( $items, $offset, self::PAGE );
		$data   = array();
		foreach ( $slice as list( $type, $id ) ) {
			if ( 'recovery' === $type ) {
				$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::recoveries_table(), $id ), ARRAY_A );
				if ( is_array( $row ) ) {
					$data[] = self::recovery_item( $row );
				}
			} elseif ( 'message' === $type ) {
				$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::messages_log_table(), $id ), ARRAY_A );
				if ( is_array( $row ) ) {
					$data[] = self::message_item( $row );
				}
			} else {
				$order = wc_get_order( $id );
				if ( $order instanceof \WC_Order ) {
					$data[] = self::order_item( $order );
				}
			}
		}
		return array(
			'data' => $data,
			'done' => $offset + self::PAGE >= count( $items ),
		);
	}

	/**
	 * Export item of a recovery record.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row The row.
	 * @return array<string, mixed>
	 */
	private static function recovery_item( array $row ): array {
		$cart     = array();
		$snapshot = json_decode( (string) ( $row['cart_snapshot'] ?? '' ), true );
		if ( is_array( $snapshot ) && is_array( $snapshot['lines'] ?? null ) ) {
			foreach ( $snapshot['lines'] as $line ) {
				if ( is_array( $line ) ) {
					$cart[] = sprintf( '%s × %s', (string) ( $line['name'] ?? $line['product_id'] ?? '' ), (string) ( $line['quantity'] ?? '' ) );
				}
			}
		}
		$fields = array(
			__( 'WhatsApp phone', 'cartpinger-for-woocommerce' )       => $row['customer_phone'] ?? '',
			__( 'WhatsApp user ID (BSUID)', 'cartpinger-for-woocommerce' ) => $row['wa_user_id'] ?? '',
			__( 'Name', 'cartpinger-for-woocommerce' )                 => $row['customer_name'] ?? '',
			__( 'Email', 'cartpinger-for-woocommerce' )                => $row['customer_email'] ?? '',
			__( 'Cart', 'cartpinger-for-woocommerce' )                 => implode( ', ', $cart ),
			__( 'Cart total', 'cartpinger-for-woocommerce' )           => sprintf( '%s %s', number_format( ( (int) ( $row['cart_total_minor'] ?? 0 ) ) / 100, 2, '.', '' ), (string) ( $row['currency'] ?? '' ) ),
			__( 'Status', 'cartpinger-for-woocommerce' )               => $row['status'] ?? '',
			__( 'Consent given', 'cartpinger-for-woocommerce' )        => '1' === (string) ( $row['consent'] ?? '' ) ? __( 'Yes', 'cartpinger-for-woocommerce' ) : __( 'No', 'cartpinger-for-woocommerce' ),
			__( 'Consent time (UTC)', 'cartpinger-for-woocommerce' )   => $row['consent_at'] ?? '',
			__( 'Consent address (keyed hash)', 'cartpinger-for-woocommerce' ) => $row['consent_ip'] ?? '',
			__( 'Consent wording', 'cartpinger-for-woocommerce' )      => $row['consent_label'] ?? '',
			__( 'Consent wording version', 'cartpinger-for-woocommerce' ) => $row['consent_text_version'] ?? '',
			__( 'Consent withdrawn (UTC)', 'cartpinger-for-woocommerce' ) => $row['revoked_at'] ?? '',
			__( 'Coupon', 'cartpinger-for-woocommerce' )               => $row['coupon_code'] ?? '',
			__( 'Created (UTC)', 'cartpinger-for-woocommerce' )        => $row['created_at'] ?? '',
		);
		return array(
			'group_id'    => 'cartpinger-recoveries',
			'group_label' => __( 'WhatsApp cart reminders', 'cartpinger-for-woocommerce' ),
			'item_id'     => 'cartpinger-recovery-' . (int) $row['id'],
			'data'        => self::pairs( $fields ),
		);
	}

	/**
	 * Export item of a message.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row The row.
	 * @return array<string, mixed>
	 */
	private static function message_item( array $row ): array {
		$components = json_decode( (string) ( $row['components'] ?? '' ), true );
		$params     = is_array( $components ) && is_array( $components['params'] ?? null ) ? array_map( 'strval', $components['params'] ) : array();
		$fields     = array(
			__( 'WhatsApp phone', 'cartpinger-for-woocommerce' )   => $row['phone'] ?? '',
			__( 'Message', 'cartpinger-for-woocommerce' )          => $row['template'] ?? '',
			__( 'Language', 'cartpinger-for-woocommerce' )         => $row['language'] ?? '',
			__( 'Details', 'cartpinger-for-woocommerce' )          => implode( ' | ', $params ),
			__( 'Status', 'cartpinger-for-woocommerce' )           => $row['status'] ?? '',
			__( 'Order', 'cartpinger-for-woocommerce' )            => (int) ( $row['order_id'] ?? 0 ) > 0 ? (string) $row['order_id'] : '',
			__( 'Created (UTC)', 'cartpinger-for-woocommerce' )    => $row['created_at'] ?? '',
			__( 'Sent (UTC)', 'cartpinger-for-woocommerce' )       => $row['sent_at'] ?? '',
			__( 'Delivered (UTC)', 'cartpinger-for-woocommerce' )  => $row['delivered_at'] ?? '',
			__( 'Read (UTC)', 'cartpinger-for-woocommerce' )       => $row['read_at'] ?? '',
		);
		return array(
			'group_id'    => 'cartpinger-messages',
			'group_label' => __( 'WhatsApp messages', 'cartpinger-for-woocommerce' ),
			'item_id'     => 'cartpinger-message-' . (int) $row['id'],
			'data'        => self::pairs( $fields ),
		);
	}

	/**
	 * Export item of CartPinger's meta on an order.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return array<string, mixed>
	 */
	private static function order_item( \WC_Order $order ): array {
		$proof  = $order->get_meta( '_cartpinger_consent_proof', true );
		$proof  = is_array( $proof ) ? $proof : array();
		$fields = array(
			__( 'Order', 'cartpinger-for-woocommerce' )                 => (string) $order->get_order_number(),
			__( 'WhatsApp consent', 'cartpinger-for-woocommerce' )      => '1' === (string) $order->get_meta( CheckoutHooks::ORDER_META, true ) ? __( 'Yes', 'cartpinger-for-woocommerce' ) : __( 'No', 'cartpinger-for-woocommerce' ),
			__( 'WhatsApp phone', 'cartpinger-for-woocommerce' )        => (string) $order->get_meta( CheckoutHooks::ORDER_PHONE_META, true ),
			__( 'Consent time (UTC)', 'cartpinger-for-woocommerce' )    => (string) ( $proof['at'] ?? '' ),
			__( 'Consent address (keyed hash)', 'cartpinger-for-woocommerce' ) => (string) ( $proof['ip'] ?? '' ),
			__( 'Consent wording', 'cartpinger-for-woocommerce' )       => (string) ( $proof['label'] ?? '' ),
			__( 'Consent wording version', 'cartpinger-for-woocommerce' ) => (string) ( $proof['label_version'] ?? '' ),
		);
		return array(
			'group_id'    => 'cartpinger-orders',
			'group_label' => __( 'WhatsApp consent on orders', 'cartpinger-for-woocommerce' ),
			'item_id'     => 'cartpinger-order-' . (int) $order->get_id(),
			'data'        => self::pairs( $fields ),
		);
	}

	/**
	 * Name/value pairs of the non-empty fields.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $fields Label => value.
	 * @return array<int, array{name: string, value: string}>
	 */
	private static function pairs( array $fields ): array {
		$out = array();
		foreach ( $fields as $name => $value ) {
			$value = is_scalar( $value ) ? (string) $value : '';
			if ( '' !== $value ) {
				$out[] = array(
					'name'  => (string) $name,
					'value' => $value,
				);
			}
		}
		return $out;
	}

	// ------------------------------------------------------------------ eraser

	/**
	 * Personal-data eraser callback: anonymises up to PAGE items per call.
	 *
	 * Messages are done before the records they were found through, and the phones are kept
	 * for the duration of the erasure, so later pages still find everything.
	 *
	 * @since 0.2.0
	 *
	 * @param string $email Email address.
	 * @param int    $page  Page, from 1 (each page takes what is left).
	 * @return array{items_removed: bool, items_retained: bool, messages: string[], done: bool}
	 */
	public function erase( $email, $page = 1 ): array {
		unset( $page );
		try {
			return $this->do_erase( (string) $email );
		} catch ( \Throwable $e ) {
			self::log( 'Privacy erasure failed: ' . $e->getMessage() );
			return array(
				'items_removed'  => false,
				'items_retained' => true,
				'messages'       => array( __( 'CartPinger could not erase its WhatsApp data; see the WooCommerce log (source cartpinger).', 'cartpinger-for-woocommerce' ) ),
				'done'           => true,
			);
		}
	}

	/**
	 * The body of erase().
	 *
	 * @since 0.2.0
	 *
	 * @param string $email Email address.
	 * @return array{items_removed: bool, items_retained: bool, messages: string[], done: bool}
	 */
	private function do_erase( string $email ): array {
		global $wpdb;
		$found   = $this->find( $email, true );
		$budget  = self::PAGE;
		$removed = 0;
		$now     = gmdate( 'Y-m-d H:i:s' );

		// The scheduler's per-phone facts (times only, but keyed by the number).
		foreach ( (array) ( $found['phones'] ?? array() ) as $phone ) {
			PhoneFacts::erase( (string) $phone );
		}
		$messages = array_slice( $found['messages'], 0, $budget );
		if ( array() !== $messages ) {
			// error_code before status: MySQL assigns left to right.
			$removed += max(
				0,
				(int) $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET phone = '', components = %s, error_code = IF(status = 'pending', 'erased', error_code), status = IF(status = 'pending', 'cancelled', status), updated_at = %s WHERE id IN (" . implode( ',', array_fill( 0, count( $messages ), '%d' ) ) . ')',
						Schema::messages_log_table(),
						'{"params":[]}',
						$now,
						...$messages
					)
				)
			);
			$budget  -= count( $messages );
		}

		if ( $budget > 0 ) {
			$records = array_slice( $found['recoveries'], 0, $budget );
			if ( array() !== $records ) {
				$live     = Repository::LIVE;
				$removed += max(
					0,
					(int) $wpdb->query(
						$wpdb->prepare(
							"UPDATE %i SET session_key = NULL, token_hash = NULL, token_sealed = '', customer_phone = '', wa_user_id = '', customer_name = '', customer_email = '', user_id = 0,
								cart_snapshot = NULL, consent = 0, consent_ip = '', consent_label = NULL, coupon_code = '', billing_country = '', locale = '', next_check_at = NULL,
								close_reason = IF(status IN (%s, %s, %s), 'erased', close_reason), status = IF(status IN (%s, %s, %s), 'expired', status), updated_at = %s
							WHERE id IN (" . implode( ',', array_fill( 0, count( $records ), '%d' ) ) . ')',
							Schema::recoveries_table(),
							...array_merge( $live, $live, array( $now ), $records )
						)
					)
				);
				$budget  -= count( $records );
			}
		}

		if ( $budget > 0 ) {
			foreach ( array_slice( $found['orders'], 0, $budget ) as $order_id ) {
				$order = wc_get_order( $order_id );
				if ( $order instanceof \WC_Order ) {
					foreach ( self::ORDER_META as $meta ) {
						$order->delete_meta_data( $meta );
					}
					$order->save_meta_data();
					++$removed;
					--$budget;
				}
			}
		}

		$done = $budget > 0;
		if ( $done ) {
			delete_transient( self::cache_key( $email ) );
		}
		$messages = array();
		if ( $done && $removed > 0 ) {
			$messages[] = __( 'CartPinger kept anonymous statistics (message counts, delivery status and recovered revenue) without personal data.', 'cartpinger-for-woocommerce' );
		}
		return array(
			'items_removed'  => $removed > 0,
			'items_retained' => false,
			'messages'       => $messages,
			'done'           => $done,
		);
	}

	/**
	 * Whether CartPinger stored anything on an order.
	 *
	 * @since 0.2.0
	 *
	 * @param \WC_Order $order The order.
	 * @return bool
	 */
	private static function has_our_meta( \WC_Order $order ): bool {
		foreach ( self::ORDER_META as $meta ) {
			if ( $order->meta_exists( $meta ) ) {
				return true;
			}
		}
		return false;
	}

	// ------------------------------------------------------------------ retention

	/**
	 * Schedules the daily purge on WP-Cron when Action Scheduler does not run the plugin's jobs.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_schedule(): void {
		if ( Cron::uses_action_scheduler() ) {
			return;
		}
		if ( false === wp_next_scheduled( self::RETENTION_HOOK ) ) {
			wp_schedule_event( time() + 2 * HOUR_IN_SECONDS, 'daily', self::RETENTION_HOOK );
		}
	}

	/**
	 * Schedules the daily purge on Action Scheduler (checked at most once an hour).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_schedule_as(): void {
		if ( ! Cron::uses_action_scheduler() || ! Lifecycle::check_due( 'retention' ) ) {
			return;
		}
		try {
			if ( ! as_has_scheduled_action( self::RETENTION_HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP ) ) {
				as_schedule_recurring_action( time() + 2 * HOUR_IN_SECONDS, DAY_IN_SECONDS, self::RETENTION_HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP, true );
			}
			wp_clear_scheduled_hook( self::RETENTION_HOOK );
			Lifecycle::check_done( 'retention' );
		} catch ( \Throwable $e ) {
			unset( $e ); // Action Scheduler not ready yet: try again on a later request.
		}
	}

	/**
	 * The daily job.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_purge(): void {
		try {
			$this->purge();
		} catch ( \Throwable $e ) {
			self::log( 'Retention purge failed: ' . $e->getMessage() );
		}
	}

	/**
	 * Deletes closed recovery records and finished messages older than retention_days.
	 *
	 * A record counts by its last activity and creation, a message by its creation. Live
	 * records and messages still pending, claimed or awaiting reconciliation (unknown) are kept.
	 *
	 * @since 0.2.0
	 *
	 * @param int $now         Unix time (tests).
	 * @param int $max_batches Most DELETE statements per table in one run.
	 * @return array{recoveries: int, messages: int, cutoff: string} Rows deleted ('' cutoff: retention off).
	 */
	public function purge( int $now = 0, int $max_batches = 100 ): array {
		global $wpdb;
		$result = array(
			'recoveries' => 0,
			'messages'   => 0,
			'cutoff'     => '',
		);
		$days   = (int) $this->settings->get( 'retention_days' );
		if ( $days <= 0 ) {
			return $result;
		}
		$now    = $now > 0 ? $now : time();
		$cutoff = gmdate( 'Y-m-d H:i:s', $now - $days * DAY_IN_SECONDS );

		$result['cutoff'] = $cutoff;
		$live             = Repository::LIVE;
		$finished         = self::FINISHED_MESSAGES;

		for ( $i = 0; $i < $max_batches; $i++ ) {
			// Ids through the created_at index, then a primary-key DELETE.
			$ids = self::ids(
				$wpdb->get_col(
					$wpdb->prepare(
						'SELECT id FROM %i WHERE created_at < %s AND last_activity_at < %s AND status NOT IN (%s, %s, %s) ORDER BY created_at LIMIT %d',
						Schema::recoveries_table(),
						$cutoff,
						$cutoff,
						...array_merge( $live, array( self::PURGE_BATCH ) )
					)
				)
			);
			if ( array() === $ids ) {
				break;
			}
			$result['recoveries'] += max( 0, (int) $wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')', Schema::recoveries_table(), ...$ids ) ) );
			if ( count( $ids ) < self::PURGE_BATCH ) {
				break;
			}
		}

		for ( $i = 0; $i < $max_batches; $i++ ) {
			$ids = self::ids(
				$wpdb->get_col(
					$wpdb->prepare(
						'SELECT id FROM %i WHERE created_at < %s AND status IN (' . implode( ',', array_fill( 0, count( $finished ), '%s' ) ) . ') ORDER BY created_at LIMIT %d',
						Schema::messages_log_table(),
						$cutoff,
						...array_merge( $finished, array( self::PURGE_BATCH ) )
					)
				)
			);
			if ( array() === $ids ) {
				break;
			}
			$result['messages'] += max( 0, (int) $wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')', Schema::messages_log_table(), ...$ids ) ) );
			if ( count( $ids ) < self::PURGE_BATCH ) {
				break;
			}
		}
		return $result;
	}

	// ------------------------------------------------------------------ helpers

	/**
	 * Positive integer ids, unique, in order.
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $values Column values.
	 * @return int[]
	 */
	private static function ids( $values ): array {
		$ids = array();
		foreach ( is_array( $values ) ? $values : array() as $value ) {
			$id = (int) $value;
			if ( $id > 0 ) {
				$ids[ $id ] = $id;
			}
		}
		ksort( $ids );
		return array_values( $ids );
	}

	/**
	 * Transient that remembers an erasure's phones between pages.
	 *
	 * @since 0.2.0
	 *
	 * @param string $email Email address.
	 * @return string
	 */
	private static function cache_key( string $email ): string {
		return 'cartpinger_privacy_' . substr( hash( 'sha256', strtolower( trim( $email ) ) ), 0, 32 );
	}

	/**
	 * Logs to WooCommerce's logger (no personal data).
	 *
	 * @since 0.2.0
	 *
	 * @param string $message Message.
	 * @return void
	 */
	private static function log( string $message ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->warning( $message, array( 'source' => 'cartpinger' ) );
		}
	}

	/**
	 * A comma-separated list of one placeholder per value.
	 *
	 * @since 0.3.0
	 *
	 * @param array<int, mixed> $values      The values.
	 * @param string            $placeholder Placeholder: %s or %d.
	 * @return string
	 */
	private static function placeholders( array $values, string $placeholder ): string {
		return implode( ',', array_fill( 0, count( $values ), $placeholder ) );
	}
}
