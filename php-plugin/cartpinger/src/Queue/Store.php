<?php
/**
 * The message queue over the messages log table.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Queue;

use CartPinger\Native\Delivery;
use CartPinger\Storage\PhoneFacts;
use CartPinger\Storage\Schema;
use CartPinger\Storage\Stats;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Enqueues, claims and completes outgoing WhatsApp messages.
 *
 * A row moves pending → claimed (leased to one runner by a random claim id) → sent | failed |
 * unknown, or back to pending for a retry. Claiming is one UPDATE … ORDER BY … LIMIT, so two
 * runners never get the same row. A lease that expires (a runner that died) goes back to
 * pending. Completion only touches a row still claimed by the same claim id, so a status that
 * a webhook wrote meanwhile (delivered, read, failed) is never overwritten.
 *
 * Only prepared SQL; every time is UTC.
 *
 * @since 0.1.0
 */
final class Store {

	/**
	 * Option set when a fatal error (bad token, account problem) pauses the whole queue.
	 *
	 * @since 0.1.0
	 */
	public const PAUSED_OPTION = 'cartpinger_queue_paused';

	/**
	 * Priority of order notifications (sent before recovery messages).
	 *
	 * @since 0.1.0
	 */
	public const PRIORITY_ORDER = 20;

	/**
	 * Priority of cart recovery messages.
	 *
	 * @since 0.1.0
	 */
	public const PRIORITY_RECOVERY = 10;

	/**
	 * Priority of test messages sent from the admin.
	 *
	 * @since 0.1.0
	 */
	public const PRIORITY_TEST = 30;

	/**
	 * Error code of an invalid message passed to enqueue().
	 *
	 * @since 0.1.0
	 */
	public const ERROR_INVALID = 'cartpinger_queue_invalid';

	/**
	 * Error code of a database failure.
	 *
	 * @since 0.1.0
	 */
	public const ERROR_DB = 'cartpinger_queue_db';

	/**
	 * Kinds of message.
	 *
	 * @since 0.1.0
	 */
	private const KINDS = array( 'recovery', 'order', 'test' );

	/**
	 * Adds a message to the queue, once per idempotency key.
	 *
	 * Keys: phone (E.164), template, language, params (list of strings), kind
	 * (recovery|order|test), idempotency_key; optional: priority (defaults by kind), languages
	 * (fallback codes), recovery_id, order_id, step, due_at (UTC Y-m-d H:i:s, default now),
	 * expires_at (UTC Y-m-d H:i:s: a message still unsent then is dropped as `expired`, so a
	 * reminder never arrives late).
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $message The message.
	 * @return int|WP_Error The row id (the existing one for a known idempotency key).
	 */
	public function enqueue( array $message ): int|WP_Error {
		global $wpdb;
		$phone    = is_string( $message['phone'] ?? null ) ? $message['phone'] : '';
		$template = is_string( $message['template'] ?? null ) ? $message['template'] : '';
		$language = is_string( $message['language'] ?? null ) ? $message['language'] : '';
		$kind     = is_string( $message['kind'] ?? null ) ? $message['kind'] : '';
		$key      = is_string( $message['idempotency_key'] ?? null ) ? $message['idempotency_key'] : '';
		$params   = $message['params'] ?? array();
		if ( 1 !== preg_match( '/^\+[1-9]\d{6,14}$/', $phone )
			|| 1 !== preg_match( '/^[a-z0-9_]{1,191}$/', $template )
			|| 1 !== preg_match( '/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/', $language )
			|| ! in_array( $kind, self::KINDS, true )
			|| '' === $key || strlen( $key ) > 191
			|| ! is_array( $params ) || ! array_is_list( $params )
		) {
			return new WP_Error( self::ERROR_INVALID, 'Invalid queue message.' );
		}
		foreach ( $params as $param ) {
			if ( ! is_string( $param ) ) {
				return new WP_Error( self::ERROR_INVALID, 'Message parameters must be strings.' );
			}
		}
		$components = array( 'params' => $params );
		if ( isset( $message['languages'] ) && is_array( $message['languages'] ) ) {
			$components['languages'] = array_values( array_filter( $message['languages'], 'is_string' ) );
		}
		$json = wp_json_encode( $components );
		if ( ! is_string( $json ) ) {
			return new WP_Error( self::ERROR_INVALID, 'Message parameters cannot be encoded.' );
		}
		$now    = gmdate( 'Y-m-d H:i:s' );
		$due_at = is_string( $message['due_at'] ?? null ) && 1 === preg_match( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $message['due_at'] )
			? $message['due_at'] : $now;

		$expires_at = is_string( $message['expires_at'] ?? null ) && 1 === preg_match( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $message['expires_at'] )
			? $message['expires_at'] : null;

		// INSERT IGNORE: the UNIQUE idempotency_key makes a duplicate insert nothing, atomically.
		$inserted = $wpdb->query(
			$wpdb->prepare(
				'INSERT IGNORE INTO %i (recovery_id, order_id, kind, step, idempotency_key, phone, template, language, components, priority, status, attempts, due_at, expires_at, created_at, updated_at)
				VALUES (%d, %d, %s, %d, %s, %s, %s, %s, %s, %d, %s, 0, %s, NULLIF(%s, \'\'), %s, %s)',
				Schema::messages_log_table(),
				max( 0, (int) ( $message['recovery_id'] ?? 0 ) ),
				max( 0, (int) ( $message['order_id'] ?? 0 ) ),
				$kind,
				max( 0, min( 255, (int) ( $message['step'] ?? 0 ) ) ),
				$key,
				$phone,
				$template,
				$language,
				$json,
				isset( $message['priority'] ) ? max( 0, min( 65535, (int) $message['priority'] ) ) : self::default_priority( $kind ),
				'pending',
				$due_at,
				(string) $expires_at,
				$now,
				$now
			)
		);
		if ( false === $inserted ) {
			return new WP_Error( self::ERROR_DB, 'The message could not be queued.' );
		}
		if ( 1 === $inserted ) {
			$id = (int) $wpdb->insert_id;
			if ( 'recovery' === $kind ) {
				PhoneFacts::message_queued( $phone, (int) ( $message['recovery_id'] ?? 0 ), $now );
			}
			return $id;
		}
		$id = $wpdb->get_var(
			$wpdb->prepare( 'SELECT id FROM %i WHERE idempotency_key = %s', Schema::messages_log_table(), $key )
		);
		return null === $id ? new WP_Error( self::ERROR_DB, 'The message could not be queued.' ) : (int) $id;
	}

	/**
	 * Default priority of a kind of message.
	 *
	 * @since 0.1.0
	 *
	 * @param string $kind Kind: recovery, order or test.
	 * @return int
	 */
	public static function default_priority( string $kind ): int {
		if ( 'order' === $kind ) {
			return self::PRIORITY_ORDER;
		}
		return 'test' === $kind ? self::PRIORITY_TEST : self::PRIORITY_RECOVERY;
	}

	/**
	 * Message states in which a row is settled for good (with its reason in error_code).
	 *
	 * @since 0.3.0
	 */
	public const FINAL_STATES = array( 'sent', 'delivered', 'read', 'failed', 'expired', 'cancelled', 'unconfirmed' );

	/**
	 * Rows of unknown outcome settled per call of release_expired().
	 *
	 * @since 0.3.0
	 */
	private const SETTLE_BATCH = 200;

	/**
	 * Deals with rows whose time-to-live ran out, whose runner stopped, and whose outcome is
	 * unknown. Every decision is the extension's (Delivery); this only stores it.
	 *
	 * A lease that ran out on a `claimed` row (never handed to a sending thread) puts it back
	 * to pending; on a `sending` row (its request may have reached Meta) it makes it `unknown`,
	 * never pending. Unknown rows are then settled by Delivery::settle_unknown(): sent (a wamid
	 * was stored after all), wait, resend once (order updates, with evidence only) or close as
	 * `unconfirmed` ("unknown — not resent", final).
	 *
	 * @since 0.1.0
	 *
	 * @param bool $orphans Every lease counts as run out: the caller holds the runner lock, so
	 *                      no other runner is alive (the lock dies with its process).
	 * @return int Rows changed.
	 */
	public function release_expired( bool $orphans = false ): int {
		global $wpdb;
		$table   = Schema::messages_log_table();
		$now     = gmdate( 'Y-m-d H:i:s' );
		$changed = 0;
		// Past their time-to-live: never sent late (and never counted in a phone's cool-off).
		$phones   = $wpdb->get_col(
			$wpdb->prepare(
				'SELECT DISTINCT phone FROM %i WHERE status = %s AND expires_at IS NOT NULL AND expires_at < %s AND kind = %s',
				$table,
				'pending',
				$now,
				'recovery'
			)
		);
		$changed += (int) $wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET status = %s, error_code = %s, error_message = %s, updated_at = %s WHERE status = %s AND expires_at IS NOT NULL AND expires_at < %s',
				$table,
				'expired',
				'ttl',
				'Not sent before its time-to-live ran out.',
				$now,
				'pending',
				$now
			)
		);
		if ( array() !== $phones ) {
			PhoneFacts::refresh( array_map( 'strval', $phones ) );
		}
		foreach ( array( 'claimed', 'sending' ) as $state ) {
			$next = Delivery::lease_expired( $state );
			if ( 'pending' === $next ) {
				$changed += (int) $wpdb->query(
					$wpdb->prepare(
						'UPDATE %i SET status = %s, claim_id = 0, claimed_until = NULL, updated_at = %s WHERE status = %s AND claimed_until < %s',
						$table,
						'pending',
						$now,
						$state,
						$orphans ? '9999-12-31 23:59:59' : $now
					)
				);
			} elseif ( 'unknown' === $next ) {
				$changed += (int) $wpdb->query(
					$wpdb->prepare(
						'UPDATE %i SET status = %s, claim_id = 0, claimed_until = NULL, due_at = %s, error_code = %s, error_message = %s, updated_at = %s WHERE status = %s AND claimed_until < %s',
						$table,
						'unknown',
						$now,
						'runner_stopped',
						'The sending run stopped while this request may have been on its way to WhatsApp; waiting for the status webhook.',
						$now,
						$state,
						$orphans ? '9999-12-31 23:59:59' : $now
					)
				);
			}
		}
		return $changed + $this->settle_unknown();
	}

	/**
	 * Settles the due `unknown` rows (see release_expired()).
	 *
	 * @since 0.3.0
	 *
	 * @return int Rows changed.
	 */
	public function settle_unknown(): int {
		global $wpdb;
		$table   = Schema::messages_log_table();
		$now     = time();
		$rows    = $wpdb->get_results(
			$wpdb->prepare(
				'SELECT id, kind, wamid, created_at, in_flight_at, resends FROM %i WHERE status = %s AND due_at <= %s ORDER BY due_at ASC LIMIT %d',
				$table,
				'unknown',
				gmdate( 'Y-m-d H:i:s', $now ),
				self::SETTLE_BATCH
			),
			ARRAY_A
		);
		$changed = 0;
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$in_flight = strtotime( ( $row['in_flight_at'] ?? '' ) ? $row['in_flight_at'] . ' UTC' : $row['created_at'] . ' UTC' );
			$in_flight = false === $in_flight ? $now : $in_flight;
			$facts     = array(
				'kind'              => (string) $row['kind'],
				'in_flight_at'      => $in_flight,
				'now'               => $now,
				'has_wamid'         => '' !== (string) $row['wamid'],
				'status_seen'       => false, // A matched status webhook moves the row out of `unknown`.
				'later_status_seen' => false,
				'resent'            => (int) $row['resends'] > 0,
			);
			if ( 'order' === $row['kind'] && ! $facts['resent'] ) {
				$facts['later_status_seen'] = $this->status_seen_after( gmdate( 'Y-m-d H:i:s', $in_flight ) );
			}
			$settle = Delivery::settle_unknown( $facts );
			$stamp  = gmdate( 'Y-m-d H:i:s', $now );
			$id     = (int) $row['id'];
			switch ( $settle['action'] ) {
				case 'sent':
					$done = Stats::transaction(
						static function () use ( $wpdb, $table, $stamp, $id ) {
							$done = $wpdb->query( $wpdb->prepare( "UPDATE %i SET status = 'sent', sent_at = COALESCE(sent_at, %s), error_code = '', error_message = NULL, updated_at = %s WHERE id = %d AND status = 'unknown'", $table, $stamp, $stamp, $id ) );
							if ( 1 === $done ) {
								Stats::message_status_changed( $id, 'unknown' );
							}
							return $done;
						}
					);
					break;
				case 'resend':
					$done = $wpdb->query( $wpdb->prepare( "UPDATE %i SET status = 'pending', resends = resends + 1, due_at = %s, error_code = %s, error_message = %s, updated_at = %s WHERE id = %d AND status = 'unknown'", $table, $stamp, (string) $settle['reason'], 'No status webhook for an hour while later messages got theirs: WhatsApp never had it, resent once.', $stamp, $id ) );
					break;
				case 'close':
					$done = $wpdb->query( $wpdb->prepare( "UPDATE %i SET status = 'unconfirmed', error_code = %s, error_message = %s, updated_at = %s WHERE id = %d AND status = 'unknown'", $table, (string) $settle['reason'], 'Unknown — not resent: WhatsApp never confirmed this message, and resending it could reach the customer twice.', $stamp, $id ) );
					break;
				default:
					$done = $wpdb->query( $wpdb->prepare( "UPDATE %i SET due_at = %s WHERE id = %d AND status = 'unknown'", $table, gmdate( 'Y-m-d H:i:s', (int) $settle['check_at'] ), $id ) );
					$done = 0;
			}
			$changed += max( 0, (int) $done );
		}
		return $changed;
	}

	/**
	 * Whether a status webhook (delivered, read or failed: only webhooks write those) arrived
	 * for a message put on the wire after the given time.
	 *
	 * @since 0.3.0
	 *
	 * @param string $after UTC Y-m-d H:i:s.
	 * @return bool
	 */
	private function status_seen_after( string $after ): bool {
		global $wpdb;
		return null !== $wpdb->get_var(
			$wpdb->prepare(
				'SELECT id FROM %i WHERE created_at >= %s AND in_flight_at > %s AND (delivered_at IS NOT NULL OR read_at IS NOT NULL OR failed_at IS NOT NULL) LIMIT 1',
				Schema::messages_log_table(),
				gmdate( 'Y-m-d H:i:s', (int) strtotime( $after . ' UTC' ) - DAY_IN_SECONDS ),
				$after
			)
		);
	}

	/**
	 * Cancels the pending (not yet claimed) messages of some recoveries.
	 *
	 * @since 0.2.0
	 *
	 * @param int[]  $recovery_ids Recovery ids.
	 * @param string $reason       Short reason stored in error_code (e.g. ordered, consent_revoked).
	 * @return int Messages cancelled.
	 */
	public function cancel_for_recoveries( array $recovery_ids, string $reason ): int {
		global $wpdb;
		$ids = array_values( array_unique( array_filter( array_map( 'intval', $recovery_ids ), static fn( $id ) => $id > 0 ) ) );
		if ( array() === $ids ) {
			return 0;
		}
		$done = $wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET status = %s, error_code = %s, updated_at = %s WHERE status = %s AND recovery_id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')',
				Schema::messages_log_table(),
				'cancelled',
				substr( $reason, 0, 32 ),
				gmdate( 'Y-m-d H:i:s' ),
				'pending',
				...$ids
			)
		);
		if ( $done > 0 ) {
			PhoneFacts::refresh( PhoneFacts::phones_of_recoveries( $ids ) );
		}
		return max( 0, (int) $done );
	}

	/**
	 * Leases up to $limit due messages to the caller, highest priority and oldest first.
	 *
	 * @since 0.1.0
	 *
	 * @param int $limit         Most rows to claim (1..1000).
	 * @param int $lease_seconds How long the claim holds (at least 1 s).
	 * @return array<int, array<string, mixed>> The claimed rows (each carries its claim_id).
	 */
	public function claim( int $limit, int $lease_seconds ): array {
		global $wpdb;
		$table = Schema::messages_log_table();
		$this->release_expired();
		$claim_id = random_int( 1, PHP_INT_MAX );
		$now      = time();
		$updated  = $wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET status = %s, claim_id = %d, claimed_until = %s, updated_at = %s
				WHERE status = %s AND due_at <= %s ORDER BY priority DESC, due_at ASC, id ASC LIMIT %d',
				$table,
				'claimed',
				$claim_id,
				gmdate( 'Y-m-d H:i:s', $now + max( 1, $lease_seconds ) ),
				gmdate( 'Y-m-d H:i:s', $now ),
				'pending',
				gmdate( 'Y-m-d H:i:s', $now ),
				max( 1, min( 1000, $limit ) )
			)
		);
		if ( ! $updated ) {
			return array();
		}
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				'SELECT * FROM %i WHERE claim_id = %d AND status = %s ORDER BY priority DESC, due_at ASC, id ASC',
				$table,
				$claim_id,
				'claimed'
			),
			ARRAY_A
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * Marks claimed rows "in flight" (`sending`) just before their requests are handed to a
	 * sending thread, so a runner that dies leaves rows the next one can tell apart: `claimed`
	 * were never attempted, `sending` may have reached Meta.
	 *
	 * @since 0.3.0
	 *
	 * @param int[] $ids      Row ids.
	 * @param int   $claim_id The claim that leased them.
	 * @return int Rows marked.
	 */
	public function mark_in_flight( array $ids, int $claim_id ): int {
		global $wpdb;
		$ids = array_values( array_filter( array_map( 'intval', $ids ), static fn( $id ) => $id > 0 ) );
		if ( array() === $ids ) {
			return 0;
		}
		$now = gmdate( 'Y-m-d H:i:s' );
		return max(
			0,
			(int) $wpdb->query(
				$wpdb->prepare(
					"UPDATE %i SET status = 'sending', in_flight_at = %s, updated_at = %s WHERE claim_id = %d AND status = 'claimed' AND id IN (" . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')',
					Schema::messages_log_table(),
					$now,
					$now,
					$claim_id,
					...$ids
				)
			)
		);
	}

	/**
	 * Records the Sender's result for a leased message: the extension decides the next state
	 * (Delivery::decide()), this writes it.
	 *
	 * A wamid is stored whatever happened to the row meanwhile (its lease ran out, another
	 * runner's expiry made it unknown): Meta's answer is the one fact that must not be lost.
	 * Every other step applies only while the row is still leased by the same claim.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $row    The claimed row (id, claim_id, kind, attempts).
	 * @param array<string, mixed> $result One result row of Sender::send_stream().
	 * @return string What happened: sent|retry|failed|paused|unknown|released|stale.
	 */
	public function complete( array $row, array $result ): string {
		global $wpdb;
		$table    = Schema::messages_log_table();
		$id       = (int) ( $row['id'] ?? 0 );
		$claim_id = (int) ( $row['claim_id'] ?? 0 );
		$now      = gmdate( 'Y-m-d H:i:s' );
		$message  = is_string( $result['message'] ?? null ) ? mb_substr( $result['message'], 0, 1000 ) : '';
		$step     = Delivery::decide( (string) ( $row['kind'] ?? 'recovery' ), $result, (int) ( $row['attempts'] ?? 0 ), time(), random_int( 0, PHP_INT_MAX ) );
		$leased   = "WHERE id = %d AND claim_id = %d AND status IN ('claimed', 'sending')";
		$release  = 'claim_id = 0, claimed_until = NULL, updated_at = %s';
		$reason   = substr( (string) ( $step['reason'] ?? '' ), 0, 32 );

		switch ( $step['step'] ) {
			case 'sent':
				// No claim condition: a late answer still lands. A state a webhook wrote
				// (delivered, read, failed) is kept; every waiting state becomes sent.
				$before  = (string) $wpdb->get_var( $wpdb->prepare( 'SELECT status FROM %i WHERE id = %d FOR UPDATE', $table, $id ) );
				$updated = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET wamid = IF(wamid = '', %s, wamid), endpoint = IF(endpoint = '', %s, endpoint), sent_at = COALESCE(sent_at, %s), attempts = attempts + 1,
						error_code = IF(status IN ('pending', 'claimed', 'sending', 'unknown', 'unconfirmed'), '', error_code),
						error_message = IF(status IN ('pending', 'claimed', 'sending', 'unknown', 'unconfirmed'), NULL, error_message),
						status = IF(status IN ('pending', 'claimed', 'sending', 'unknown', 'unconfirmed'), 'sent', status),
						claim_id = IF(claim_id = %d, 0, claim_id), claimed_until = IF(claim_id = 0, NULL, claimed_until), updated_at = %s WHERE id = %d",
						$table,
						substr( (string) $step['wamid'], 0, 191 ),
						is_string( $result['endpoint'] ?? null ) ? substr( $result['endpoint'], 0, 24 ) : '',
						$now,
						$claim_id,
						$now,
						$id
					)
				);
				if ( 1 === $updated && $before !== (string) $wpdb->get_var( $wpdb->prepare( 'SELECT status FROM %i WHERE id = %d', $table, $id ) ) ) {
					Stats::message_status_changed( $id, $before );
				}
				return false === $updated ? 'stale' : 'sent';

			case 'retry':
				$updated = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET status = 'pending', due_at = %s, attempts = attempts + 1, error_code = %s, error_message = %s, {$release} {$leased}", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $release and $leased are constant SQL fragments with %s/%d placeholders only.
						$table,
						gmdate( 'Y-m-d H:i:s', (int) $step['due_at'] ),
						$reason,
						$message,
						$now,
						$id,
						$claim_id
					)
				);
				return 1 === $updated ? 'retry' : 'stale';

			case 'pause':
				$this->pause( $reason, $message );
				return $this->release( $id, $claim_id ) ? 'paused' : 'stale';

			case 'release':
				return $this->release( $id, $claim_id ) ? 'released' : 'stale';

			case 'fail':
				$updated = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET status = 'failed', attempts = attempts + 1, error_code = %s, error_message = %s, failed_at = COALESCE(failed_at, %s), {$release} {$leased}", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $release and $leased are constant SQL fragments with %s/%d placeholders only.
						$table,
						$reason,
						'' === $message ? 'WhatsApp did not accept this message.' : $message,
						$now,
						$now,
						$id,
						$claim_id
					)
				);
				if ( 1 === $updated ) {
					Stats::message_status_changed( $id, 'sending' );
				}
				return 1 === $updated ? 'failed' : 'stale';

			default: // unknown: the request may have reached Meta. Never resent blindly.
				$updated = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET status = 'unknown', attempts = attempts + 1, due_at = %s, error_code = %s, error_message = %s, in_flight_at = COALESCE(in_flight_at, %s), {$release} {$leased}", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $release and $leased are constant SQL fragments with %s/%d placeholders only.
						$table,
						gmdate( 'Y-m-d H:i:s', (int) ( $step['due_at'] ?? time() ) ),
						$reason,
						'' === $message ? 'No answer from WhatsApp; waiting for the status webhook.' : $message,
						$now,
						$now,
						$id,
						$claim_id
					)
				);
				return 1 === $updated ? 'unknown' : 'stale';
		}
	}

	/**
	 * Records many results at once: every `sent` step in one UPDATE (the common case, so a
	 * drain at 1,000 msg/s costs one statement per batch of answers, not one per message), the
	 * rest one by one through complete().
	 *
	 * @since 0.3.0
	 *
	 * @param array<int, array{0: array<string, mixed>, 1: array<string, mixed>}> $pairs List of [row, result].
	 * @return array<int, string> Outcome per row id (as complete()).
	 */
	public function complete_many( array $pairs ): array {
		global $wpdb;
		$out   = array();
		$sent  = array();
		$now   = gmdate( 'Y-m-d H:i:s' );
		$clock = time();
		foreach ( $pairs as $pair ) {
			list( $row, $result ) = $pair;
			$id                   = (int) ( $row['id'] ?? 0 );
			$step                 = Delivery::decide( (string) ( $row['kind'] ?? 'recovery' ), $result, (int) ( $row['attempts'] ?? 0 ), $clock, random_int( 0, PHP_INT_MAX ) );
			if ( 'sent' === $step['step'] ) {
				$sent[ $id ] = array( substr( (string) $step['wamid'], 0, 191 ), (int) ( $row['claim_id'] ?? 0 ), is_string( $result['endpoint'] ?? null ) ? substr( $result['endpoint'], 0, 24 ) : '' );
				continue;
			}
			$out[ $id ] = $this->complete( $row, $result );
		}
		if ( array() === $sent ) {
			return $out;
		}
		$cases  = '';
		$claims = '';
		$args   = array( Schema::messages_log_table() );
		$wamids = array();
		$ids    = array();
		$routes = array();
		foreach ( $sent as $id => list( $wamid, $claim, $endpoint ) ) {
			$cases   .= ' WHEN %d THEN %s';
			$wamids[] = $id;
			$wamids[] = $wamid;
			$routes[] = $id;
			$routes[] = $endpoint;
			$ids[]    = $id;
		}
		$waiting = "status IN ('pending', 'claimed', 'sending', 'unknown', 'unconfirmed')";
		$sql     = "UPDATE %i SET wamid = IF(wamid = '', CASE id{$cases} END, wamid), endpoint = IF(endpoint = '', CASE id{$cases} END, endpoint), sent_at = COALESCE(sent_at, %s), attempts = attempts + 1,
			error_code = IF({$waiting}, '', error_code), error_message = IF({$waiting}, NULL, error_message), status = IF({$waiting}, 'sent', status),
			claim_id = 0, claimed_until = NULL, updated_at = %s WHERE id IN (" . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')';
		$args    = array_merge( $args, $wamids, $routes, array( $now, $now ), $ids );
		$in      = implode( ',', array_fill( 0, count( $ids ), '%d' ) );
		$cols    = 'id, created_at, currency, kind, step, status, cost_micros';
		$before  = $wpdb->get_results( $wpdb->prepare( "SELECT {$cols} FROM %i WHERE id IN ({$in}) FOR UPDATE", Schema::messages_log_table(), ...$ids ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders only.
		$done    = $wpdb->query( $wpdb->prepare( $sql, ...$args ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- built from placeholders only.
		if ( $done > 0 && is_array( $before ) ) {
			// The dashboard's counters move in the same transaction (the runner wraps a batch).
			$after = $wpdb->get_results( $wpdb->prepare( "SELECT {$cols} FROM %i WHERE id IN ({$in})", Schema::messages_log_table(), ...$ids ), OBJECT_K ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- placeholders only.
			foreach ( $before as $old ) {
				$new = isset( $after[ $old['id'] ] ) ? (array) $after[ $old['id'] ] : null;
				if ( null !== $new && $new['status'] !== $old['status'] ) {
					Stats::message_changed( $old, $new );
				}
			}
		}
		foreach ( $ids as $id ) {
			$out[ $id ] = false === $done ? 'stale' : 'sent';
		}
		return $out;
	}

	/**
	 * Puts a leased row back to pending (it never reached the wire), unchanged otherwise.
	 *
	 * @since 0.1.0
	 *
	 * @param int $id       Row id.
	 * @param int $claim_id The claim that leased it.
	 * @return bool Whether the row was still leased by that claim.
	 */
	public function release( int $id, int $claim_id ): bool {
		global $wpdb;
		$updated = $wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET status = 'pending', in_flight_at = NULL, claim_id = 0, claimed_until = NULL, updated_at = %s WHERE id = %d AND claim_id = %d AND status IN ('claimed', 'sending')",
				Schema::messages_log_table(),
				gmdate( 'Y-m-d H:i:s' ),
				$id,
				$claim_id
			)
		);
		return 1 === $updated;
	}

	/**
	 * Puts a claimed row that was never marked in flight back to pending.
	 *
	 * @since 0.3.0
	 *
	 * @param int $id       Row id.
	 * @param int $claim_id The claim that leased it.
	 * @return bool Whether it was released.
	 */
	public function release_unstarted( int $id, int $claim_id ): bool {
		global $wpdb;
		return 1 === $wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET status = 'pending', claim_id = 0, claimed_until = NULL, updated_at = %s WHERE id = %d AND claim_id = %d AND status = 'claimed'",
				Schema::messages_log_table(),
				gmdate( 'Y-m-d H:i:s' ),
				$id,
				$claim_id
			)
		);
	}

	/**
	 * Takes a named database lock without waiting (MariaDB/MySQL GET_LOCK: held by this
	 * connection, freed by the server when the process dies, so a killed runner never blocks
	 * the next one). A database without GET_LOCK (the SQLite drop-in) gets true: the leases
	 * still keep two runners off the same row.
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Lock name (the table prefix is added).
	 * @return bool Whether this process holds it.
	 */
	public function lock( string $name ): bool {
		global $wpdb;
		$got = $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 0)', self::lock_name( $name ) ) );
		return null === $got || '1' === (string) $got;
	}

	/**
	 * Frees a lock taken with lock().
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Lock name.
	 * @return void
	 */
	public function unlock( string $name ): void {
		global $wpdb;
		$wpdb->get_var( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', self::lock_name( $name ) ) );
	}

	/**
	 * A server-wide lock name for this site (locks are per database server, not per database).
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Lock name.
	 * @return string At most 64 characters.
	 */
	public static function lock_name( string $name ): string {
		global $wpdb;
		return 'cp_' . md5( (string) $wpdb->dbname . '|' . $wpdb->prefix . '|' . $name );
	}

	/**
	 * Pauses the queue until the shop owner fixes the cause.
	 *
	 * @since 0.1.0
	 *
	 * @param string $code    Error code (Meta's, or ours).
	 * @param string $message Explanation for the shop owner.
	 * @return void
	 */
	public function pause( string $code, string $message ): void {
		update_option(
			self::PAUSED_OPTION,
			array(
				'code'    => $code,
				'message' => $message,
				'at'      => gmdate( 'Y-m-d H:i:s' ),
			),
			false
		);
	}

	/**
	 * Why the queue is paused, or null when it runs.
	 *
	 * @since 0.1.0
	 *
	 * @return array{code: string, message: string, at: string}|null
	 */
	public function paused(): ?array {
		$value = get_option( self::PAUSED_OPTION, null );
		if ( ! is_array( $value ) ) {
			return null;
		}
		return array(
			'code'    => (string) ( $value['code'] ?? '' ),
			'message' => (string) ( $value['message'] ?? '' ),
			'at'      => (string) ( $value['at'] ?? '' ),
		);
	}

	/**
	 * Lets the queue run again.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function resume(): void {
		delete_option( self::PAUSED_OPTION );
	}
}
