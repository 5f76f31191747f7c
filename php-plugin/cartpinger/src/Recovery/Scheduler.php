<?php
/**
 * One scheduler tick: turns due records into queued messages.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Meta\Guard;
use CartPinger\Native\Catalog;
use CartPinger\Native\RecoveryToken;
use CartPinger\Native\Scheduler as NativeScheduler;
use CartPinger\Queue\Store;
use CartPinger\Settings\SecretBoxInterface;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Backfill;
use CartPinger\Storage\PhoneFacts;

defined( 'ABSPATH' ) || exit;

/**
 * The PHP half of scheduling: reads due records and the facts the rules need (orders since,
 * opt-outs, other recent messages), asks CartPinger\Native\Scheduler::plan() what to do with
 * each, and applies the decisions (queue a message, wait, close, hold, holdout). The rules
 * themselves live in the Rust core (docs/engine.md, "Recovery scheduling").
 *
 * Safe with several concurrent runs: each record is leased (next_check_at compare-and-set)
 * before it is acted on, and every message has the idempotency key recovery:<id>:<step>.
 *
 * @since 0.2.0
 */
final class Scheduler {

	/**
	 * Most records looked at per tick.
	 *
	 * @since 0.2.0
	 */
	public const BATCH = 500;

	/**
	 * Seconds a run holds a record it is working on, renewed by HEARTBEAT while it works.
	 *
	 * Why 60 s: a tick applies a record in milliseconds (a few queries, sometimes a coupon), so a
	 * live tick never needs long, and with the heartbeat it keeps its records however long a
	 * big batch on a loaded server takes. The lease only matters when the tick dies (PHP killed,
	 * fatal, timeout): then its records wait at most this long for the next run, which WP-Cron
	 * starts every minute; 300 s used to make a crashed tick's carts wait five minutes, and a
	 * lease shorter than a heartbeat interval plus one slow query would let two live runs take
	 * the same record.
	 *
	 * @since 0.2.0
	 * @since 0.1.0 60 s with a heartbeat (was 300 s without; issue 10).
	 */
	public const LEASE = 60;

	/**
	 * Seconds between lease renewals while a tick applies its records (well under LEASE).
	 *
	 * @since 0.1.0
	 */
	public const HEARTBEAT = 20;

	/**
	 * Seconds before a record whose step could not be queued (no token, database refused) is
	 * tried again.
	 *
	 * @since 0.1.0
	 */
	public const RETRY = 300;

	/**
	 * How long a held record (e.g. US marketing guard) waits before it is looked at again.
	 *
	 * @since 0.2.0
	 */
	public const HOLD_RECHECK = DAY_IN_SECONDS;

	/**
	 * Settings.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Records.
	 *
	 * @since 0.2.0
	 *
	 * @var Repository
	 */
	private Repository $records;

	/**
	 * Queue.
	 *
	 * @since 0.2.0
	 *
	 * @var Store
	 */
	private Store $queue;

	/**
	 * Coupons.
	 *
	 * @since 0.2.0
	 *
	 * @var Coupons
	 */
	private Coupons $coupons;

	/**
	 * Seals the raw recovery token at rest.
	 *
	 * @since 0.2.0
	 *
	 * @var SecretBoxInterface
	 */
	private SecretBoxInterface $box;

	/**
	 * Creates the scheduler.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings           $settings Settings.
	 * @param Repository         $records  Records.
	 * @param Store              $queue    Queue.
	 * @param Coupons            $coupons  Coupons.
	 * @param SecretBoxInterface $box      Secret box.
	 */
	public function __construct( Settings $settings, Repository $records, Store $queue, Coupons $coupons, SecretBoxInterface $box ) {
		$this->settings = $settings;
		$this->records  = $records;
		$this->queue    = $queue;
		$this->coupons  = $coupons;
		$this->box      = $box;
	}

	/**
	 * Plans and applies every due record.
	 *
	 * @since 0.2.0
	 *
	 * @param int|null $now Unix time (UTC); null for the clock.
	 * @return array<string, int> Counts per decision (send, wait, stop, holdout, hold, skipped).
	 */
	public function tick( ?int $now = null ): array {
		$now     = $now ?? time();
		$summary = array(
			'due'     => 0,
			'send'    => 0,
			'wait'    => 0,
			'stop'    => 0,
			'holdout' => 0,
			'hold'    => 0,
			'skipped' => 0,
		);
		// Until migration 5 has built the per-phone facts, cool-off and opt-outs are unknown.
		if ( ! $this->settings->get( 'recovery_enabled' ) || Backfill::pending() ) {
			return $summary;
		}
		$rows           = $this->records->due( gmdate( 'Y-m-d H:i:s', $now ), self::BATCH );
		$summary['due'] = count( $rows );
		if ( array() === $rows ) {
			return $summary;
		}
		$owned = array();
		$lease = gmdate( 'Y-m-d H:i:s', $now + self::LEASE );
		foreach ( $rows as $row ) {
			if ( $this->records->lease( (int) $row['id'], (string) $row['next_check_at'], $lease ) ) {
				$owned[] = $row;
			} else {
				++$summary['skipped'];
			}
		}
		if ( array() === $owned ) {
			return $summary;
		}

		$policy = Policy::build( $this->settings );
		// Cool-off and opt-out facts of every phone: one primary-key read (PhoneFacts).
		$facts   = PhoneFacts::get( array_map( static fn( $r ) => (string) $r['customer_phone'], $owned ) );
		$since   = $policy['cooloff'] > 0 ? $now - (int) $policy['cooloff'] : PHP_INT_MAX;
		$records = array();
		foreach ( $owned as $row ) {
			$records[] = $this->native_record( $row, $facts, $since, false );
		}
		$decisions = NativeScheduler::plan( $policy, $records, $now );

		// A record about to be acted on is checked against the orders first (the hooks in
		// Attribution close most of them; this catches orders made by other channels).
		$replan = array();
		$orders = array();
		foreach ( $decisions as $i => $decision ) {
			if ( in_array( $decision['action'], array( 'send', 'holdout', 'hold' ), true ) ) {
				$order_id = $this->order_since( $owned[ $i ] );
				if ( $order_id > 0 ) {
					$orders[ $i ] = $order_id;
					$replan[ $i ] = $this->native_record( $owned[ $i ], $facts, $since, true );
				}
			}
		}
		if ( array() !== $replan ) {
			$again = NativeScheduler::plan( $policy, array_values( $replan ), $now );
			foreach ( array_keys( $replan ) as $n => $i ) {
				$decisions[ $i ] = $again[ $n ];
			}
		}

		// Cool-off between carts of one phone inside this batch is decided by plan() itself.
		// The heartbeat renews the lease of the records not applied yet; a record whose lease
		// was lost meanwhile (this tick stalled past LEASE and another run took it) is left to
		// its new owner.
		$started = time();
		$beat_at = $started;
		$lost    = array();
		foreach ( $decisions as $i => $decision ) {
			if ( time() - $beat_at >= self::HEARTBEAT ) {
				$beat_at   = time();
				$next      = gmdate( 'Y-m-d H:i:s', $now + ( $beat_at - $started ) + self::LEASE );
				$remaining = array_map( static fn( $r ) => (int) $r['id'], array_slice( $owned, (int) $i ) );
				$kept      = $this->records->renew_lease( $remaining, $lease, $next );
				$lost      = array_flip( array_diff( $remaining, $kept ) );
				$lease     = $next;
			}
			if ( isset( $lost[ (int) $owned[ $i ]['id'] ] ) ) {
				++$summary['skipped'];
				continue;
			}
			$action             = (string) $decision['action'];
			$summary[ $action ] = ( $summary[ $action ] ?? 0 ) + 1;
			$this->apply( $owned[ $i ], $decision, $now, $orders[ $i ] ?? 0, $lease );
		}
		return $summary;
	}

	/**
	 * The scheduler's view of a record.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed>              $row     Record row.
	 * @param array<string, array<string, int>> $facts   Phone => PhoneFacts::get() facts.
	 * @param int                               $since   Start of the cool-off window (unix time).
	 * @param bool                              $ordered Whether an order followed.
	 * @return array<string, mixed>
	 */
	private function native_record( array $row, array $facts, int $since, bool $ordered ): array {
		$id         = (int) $row['id'];
		$phone      = (string) $row['customer_phone'];
		$other_last = PhoneFacts::last_other( $facts[ $phone ] ?? null, $id );
		$other_last = $other_last >= $since ? $other_last : 0;
		$opted_at   = (int) ( $facts[ $phone ]['opted_out_at'] ?? 0 );
		$consent_at = self::ts( $row['consent_at'] ?? null );
		return array(
			'id'                    => $id,
			'status'                => (string) $row['status'],
			'consent'               => '1' === (string) $row['consent'],
			'opted_out'             => $opted_at > 0 && $opted_at >= $consent_at,
			'ordered_since'         => $ordered,
			'phone'                 => $phone,
			'billing_country'       => (string) $row['billing_country'],
			'created_at'            => self::ts( $row['created_at'] ),
			'last_activity_at'      => self::ts( $row['last_activity_at'] ),
			'step'                  => (int) $row['sequence_step'],
			'first_message_at'      => self::ts( $row['first_message_at'] ?? null ),
			'last_other_message_at' => $other_last,
		);
	}

	/**
	 * Applies one decision.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row      Record row.
	 * @param array<string, mixed> $decision Decision from plan().
	 * @param int                  $now      Unix time.
	 * @param int                  $order_id Order found since the capture (0 for none).
	 * @param string               $lease    The tick's lease on the record (its next_check_at).
	 * @return void
	 */
	private function apply( array $row, array $decision, int $now, int $order_id, string $lease ): void {
		$id = (int) $row['id'];
		switch ( $decision['action'] ) {
			case 'send':
				$this->send( $row, $decision, $now );
				return;
			case 'wait':
				// Compare-and-set on the lease: whatever moved next_check_at meanwhile (a tap on
				// the link pausing the reminders, another run after a lost lease) wins over this
				// tick's older view.
				$this->records->renew_lease( array( $id ), $lease, gmdate( 'Y-m-d H:i:s', (int) $decision['until'] ) );
				return;
			case 'holdout':
				$this->records->update(
					$id,
					array(
						'status'        => 'holdout',
						'holdout'       => 1,
						'next_check_at' => null,
					)
				);
				return;
			case 'hold':
				$this->records->update(
					$id,
					array(
						'hold_reason'   => substr( (string) $decision['reason'], 0, 32 ),
						'next_check_at' => gmdate( 'Y-m-d H:i:s', $now + self::HOLD_RECHECK ),
					)
				);
				return;
			case 'stop':
				$this->stop( $row, (string) $decision['reason'], $order_id );
				return;
		}
	}

	/**
	 * Closes a record the scheduler will not message (any more).
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row      Record row.
	 * @param string               $reason   Reason from plan().
	 * @param int                  $order_id Order found (for 'ordered').
	 * @return void
	 */
	private function stop( array $row, string $reason, int $order_id ): void {
		$id = (int) $row['id'];
		switch ( $reason ) {
			case 'complete':
			case 'closed':
				// Sequence done: stays "messaged" (an order can still recover it), not scheduled.
				$this->records->update( $id, array( 'next_check_at' => null ) );
				return;
			case 'ordered':
				if ( 'messaged' === $row['status'] ) {
					$order = $order_id > 0 && function_exists( 'wc_get_order' ) ? wc_get_order( $order_id ) : null;
					$total = $order instanceof \WC_Order ? (float) $order->get_total( 'edit' ) : 0.0;
					$done  = $this->records->close(
						array( $id ),
						'recovered',
						'order_found',
						array(
							'recovered_order_id'      => $order_id,
							'recovered_revenue_minor' => (int) round( $total * ( 10 ** ( function_exists( 'wc_get_price_decimals' ) ? wc_get_price_decimals() : 2 ) ) ),
							'recovered_step'          => (int) $row['sequence_step'],
							'recovered_at'            => gmdate( 'Y-m-d H:i:s' ),
						)
					);
					if ( $done > 0 && $order instanceof \WC_Order ) {
						Steps::add_order_note( $order, $row, 'order_found' );
					}
				} else {
					$this->records->close( array( $id ), 'converted', 'ordered', array( 'recovered_order_id' => $order_id ) );
				}
				$this->queue->cancel_for_recoveries( array( $id ), 'ordered' );
				return;
			case 'opted_out':
				$this->records->close( array( $id ), 'opted_out', 'opted_out', array( 'consent' => 0 ) );
				$this->queue->cancel_for_recoveries( array( $id ), 'opted_out' );
				return;
			default:
				$this->records->close( array( $id ), 'expired', $reason );
				$this->queue->cancel_for_recoveries( array( $id ), $reason );
		}
	}

	/**
	 * Queues the message of one step (with its coupon, token and language chain).
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row      Record row.
	 * @param array<string, mixed> $decision The send decision.
	 * @param int                  $now      Unix time.
	 * @return void
	 */
	private function send( array $row, array $decision, int $now ): void {
		$id       = (int) $row['id'];
		$step     = (int) $decision['step'];
		$template = (string) $decision['template'];
		// Meta's limits, template status and the merchant's cost ceiling (CartPinger\Meta\Guard).
		$languages = Catalog::select_language( (string) $row['locale'], get_locale(), array() );
		$guard     = EmailCoordination::check_recovery( $row, $this->settings, $now )
			?? Guard::check_recovery( $row, $template, $languages[0] ?? 'en', $now, $this->settings );
		if ( null !== $guard ) {
			if ( 'hold' === $guard['action'] ) {
				$this->records->update(
					$id,
					array(
						'hold_reason'   => $guard['reason'],
						'next_check_at' => gmdate( 'Y-m-d H:i:s', max( $now + 60, (int) ( $guard['until'] ?? $now ) ) ),
					)
				);
			} else {
				$this->stop( $row, $guard['reason'], 0 );
			}
			return;
		}
		$token = $this->token_for( $row );
		if ( '' === $token ) {
			$this->records->update( $id, array( 'next_check_at' => gmdate( 'Y-m-d H:i:s', $now + self::RETRY ) ) );
			return;
		}
		$coupon = '';
		if ( true === $decision['coupon'] ) {
			$coupon = $this->coupons->create_for( $row );
			if ( '' === $coupon ) {
				$template = 'abandoned_cart_recovery_24h_no_coupon';
			} else {
				$this->records->update( $id, array( 'coupon_code' => $coupon ) );
				$row['coupon_code'] = $coupon;
			}
		}
		$name = trim( (string) $row['customer_name'] );
		if ( '' === $name ) {
			$switched = switch_to_locale( (string) $row['locale'] );
			/* translators: Used in a WhatsApp reminder when the shopper's name is unknown: "Hi there". */
			$name = __( 'there', 'cartpinger-for-woocommerce' );
			if ( $switched ) {
				restore_previous_locale();
			}
		}
		$params = '' !== $coupon && 'abandoned_cart_recovery_24h' === $template
			? array( $name, $coupon, $token )
			: array( $name, $token );

		$components = array(
			'template'  => $template,
			'params'    => $params,
			'languages' => $languages,
			'step'      => $step,
			'send_at'   => (int) $decision['send_at'],
		);
		/**
		 * Fires before a recovery message is queued.
		 *
		 * @since 0.2.0
		 *
		 * @param array<string, mixed> $row        The recovery record.
		 * @param array<string, mixed> $components template, params, languages, step, send_at.
		 */
		do_action( 'cartpinger_before_send_recovery', $row, $components );
		/**
		 * Filters a recovery message before it is queued. Keep the parameter count of the
		 * template (CartPinger\Native\Catalog::templates()); a mismatch fails at send time.
		 *
		 * @since 0.2.0
		 *
		 * @param array<string, mixed> $components template, params, languages, step, send_at.
		 * @param array<string, mixed> $row        The recovery record.
		 */
		$filtered = apply_filters( 'cartpinger_recovery_components', $components, $row );
		if ( is_array( $filtered ) && is_array( $filtered['params'] ?? null ) ) {
			$components['params'] = array_values( array_map( 'strval', $filtered['params'] ) );
			if ( is_string( $filtered['template'] ?? null ) ) {
				$components['template'] = $filtered['template'];
			}
		}

		$queued = $this->queue->enqueue(
			array(
				'phone'           => (string) $row['customer_phone'],
				'template'        => $components['template'],
				'language'        => $languages[0] ?? 'en',
				'languages'       => array_slice( $languages, 1 ),
				'params'          => $components['params'],
				'kind'            => 'recovery',
				'idempotency_key' => 'recovery:' . $id . ':' . $step,
				'recovery_id'     => $id,
				'step'            => $step,
				'due_at'          => gmdate( 'Y-m-d H:i:s', max( $now, (int) $decision['send_at'] ) ),
				'expires_at'      => gmdate( 'Y-m-d H:i:s', (int) $decision['expires_at'] ),
			)
		);
		if ( is_wp_error( $queued ) ) {
			Capture::log( 'Recovery message not queued: ' . $queued->get_error_message() );
			$this->records->update( $id, array( 'next_check_at' => gmdate( 'Y-m-d H:i:s', $now + self::RETRY ) ) );
			return;
		}
		$update = array(
			'status'        => 'messaged',
			'sequence_step' => $step,
			'hold_reason'   => '',
			'next_check_at' => gmdate( 'Y-m-d H:i:s', $now ),
		);
		if ( 1 === $step ) {
			$update['first_message_at'] = gmdate( 'Y-m-d H:i:s', $now );
			$update['messaged_at']      = gmdate( 'Y-m-d H:i:s', $now );
		}
		$this->records->update( $id, $update );
		/**
		 * Fires after a recovery message was queued.
		 *
		 * @since 0.2.0
		 *
		 * @param array<string, mixed> $row The recovery record (before this step's update).
		 */
		do_action( 'cartpinger_after_send_recovery', $row );
	}

	/**
	 * The record's raw recovery token: created on the first message (32 CSPRNG bytes; only
	 * its SHA-256 is indexed, the raw value is sealed with the site key for the follow-ups).
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row Record row.
	 * @return string '' when it cannot be made or read.
	 */
	private function token_for( array $row ): string {
		$id     = (int) $row['id'];
		$ad     = 'cartpinger_recovery_token:' . $id;
		$sealed = (string) ( $row['token_sealed'] ?? '' );
		if ( '' !== $sealed ) {
			try {
				return $this->box->open( $sealed, $ad );
			} catch ( \Throwable $e ) {
				Capture::log( 'Recovery token unreadable for record ' . $id . '.' );
				return '';
			}
		}
		try {
			$pair = RecoveryToken::generate( random_bytes( 32 ) );
			$this->records->update(
				$id,
				array(
					'token_hash'   => (string) $pair['hash'],
					'token_sealed' => $this->box->seal( (string) $pair['token'], $ad ),
				)
			);
			return (string) $pair['token'];
		} catch ( \Throwable $e ) {
			Capture::log( 'Recovery token not created: ' . $e->getMessage() );
			return '';
		}
	}

	/**
	 * An order of the same shopper created since the record's capture (0 when none).
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row Record row.
	 * @return int
	 */
	private function order_since( array $row ): int {
		if ( ! function_exists( 'wc_get_orders' ) ) {
			return 0;
		}
		$since    = self::ts( $row['created_at'] );
		$statuses = array_diff( array_keys( wc_get_order_statuses() ), array( 'wc-failed', 'wc-checkout-draft' ) );
		$queries  = array();
		if ( '' !== (string) $row['customer_email'] ) {
			$queries[] = array( 'billing_email' => (string) $row['customer_email'] );
		}
		$queries[] = array(
			'meta_key'   => CheckoutHooks::ORDER_PHONE_META, // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_key -- one order (limit 1) since the capture, only for a record about to be messaged.
			'meta_value' => (string) $row['customer_phone'], // phpcs:ignore WordPress.DB.SlowDBQuery.slow_db_query_meta_value -- as above: the E.164 phone meta is how orders are matched to records.
		);
		foreach ( $queries as $query ) {
			$ids = wc_get_orders(
				$query + array(
					'date_created' => '>=' . $since,
					'status'       => $statuses,
					'limit'        => 1,
					'return'       => 'ids',
					'orderby'      => 'date',
					'order'        => 'DESC',
				)
			);
			if ( is_array( $ids ) && array() !== $ids ) {
				return (int) $ids[0];
			}
		}
		return 0;
	}

	/**
	 * Unix time of a UTC DATETIME (0 for NULL or empty).
	 *
	 * @since 0.2.0
	 *
	 * @param mixed $value DATETIME string.
	 * @return int
	 */
	private static function ts( $value ): int {
		if ( ! is_string( $value ) || '' === $value || str_starts_with( $value, '0000' ) ) {
			return 0;
		}
		$time = strtotime( $value . ' UTC' );
		return false === $time ? 0 : $time;
	}
}
