<?php
/**
 * The message queue over the messages log table.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Queue;

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
	 * Attempts after which a message that keeps failing transiently is given up.
	 *
	 * @since 0.1.0
	 */
	public const MAX_ATTEMPTS = 8;

	/**
	 * First retry delay in seconds; doubles with every attempt, capped at BACKOFF_MAX.
	 *
	 * @since 0.1.0
	 */
	public const BACKOFF_BASE = 30;

	/**
	 * Longest retry delay in seconds.
	 *
	 * @since 0.1.0
	 */
	public const BACKOFF_MAX = 3600;

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
				VALUES (%d, %d, %s, %d, %s, %s, %s, %s, %s, %d, %s, 0, %s, ' . ( null === $expires_at ? 'NULL' : '%s' ) . ', %s, %s)',
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
				...array_values(
					array_filter(
						array( 'pending', $due_at, $expires_at, $now, $now ),
						static fn( $v ) => null !== $v
					)
				)
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
	 * How long an unknown outcome waits for a status webhook before it is resent, in seconds
	 * (docs/engine.md: Meta's "sent" webhook normally arrives within seconds).
	 *
	 * @since 0.1.0
	 */
	public const RECONCILE_SECONDS = 900;

	/**
	 * Marker in error_code of a message that was already resent once after an unknown outcome.
	 *
	 * @since 0.1.0
	 */
	public const RESENT_MARKER = 'unknown_resent';

	/**
	 * Deals with rows whose runner stopped, and with unknown outcomes whose window has passed.
	 *
	 * A lease that expired means the runner died, possibly after its request reached Meta: the
	 * row becomes `unknown`, never `pending`, so it is not resent blindly. An unknown row that no
	 * status webhook has settled (no wamid, no status time) within RECONCILE_SECONDS goes back to
	 * pending exactly once.
	 *
	 * @since 0.1.0
	 *
	 * @return int Rows changed.
	 */
	public function release_expired(): int {
		global $wpdb;
		$table = Schema::messages_log_table();
		$now   = gmdate( 'Y-m-d H:i:s' );
		// Past their time-to-live: never sent late (and never counted in a phone's cool-off).
		$phones = $wpdb->get_col(
			$wpdb->prepare(
				'SELECT DISTINCT phone FROM %i WHERE status = %s AND expires_at IS NOT NULL AND expires_at < %s AND kind = %s',
				$table,
				'pending',
				$now,
				'recovery'
			)
		);
		$wpdb->query(
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
		$expired = $wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET status = %s, claim_id = 0, claimed_until = NULL, due_at = %s, error_message = %s, updated_at = %s WHERE status = %s AND claimed_until < %s',
				$table,
				'unknown',
				gmdate( 'Y-m-d H:i:s', time() + self::RECONCILE_SECONDS ),
				'The sending run stopped before it recorded WhatsApp\'s answer; waiting for the status webhook.',
				$now,
				'claimed',
				$now
			)
		);
		$resend  = $wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET status = %s, error_code = %s, updated_at = %s WHERE status = %s AND due_at <= %s AND (wamid IS NULL OR wamid = '') AND sent_at IS NULL AND delivered_at IS NULL AND read_at IS NULL AND failed_at IS NULL AND error_code <> %s",
				$table,
				'pending',
				self::RESENT_MARKER,
				$now,
				'unknown',
				$now,
				self::RESENT_MARKER
			)
		);
		return max( 0, (int) $expired ) + max( 0, (int) $resend );
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
		$placeholders = implode( ',', array_fill( 0, count( $ids ), '%d' ) );
		$done         = $wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET status = %s, error_code = %s, updated_at = %s WHERE status = %s AND recovery_id IN ({$placeholders})", // phpcs:ignore Generic.Strings.UnnecessaryStringConcat
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
	 * Records the Sender's result for a claimed message.
	 *
	 * @since 0.1.0
	 *
	 * @param int                  $id       Row id.
	 * @param int                  $claim_id The claim that leased it.
	 * @param array<string, mixed> $result   One result row of Sender::send_batch().
	 * @return string What happened: sent|retry|failed|paused|unknown|released|stale.
	 */
	public function complete( int $id, int $claim_id, array $result ): string {
		global $wpdb;
		$table   = Schema::messages_log_table();
		$now     = gmdate( 'Y-m-d H:i:s' );
		$status  = is_string( $result['status'] ?? null ) ? $result['status'] : 'unknown';
		$code    = substr( (string) ( is_scalar( $result['code'] ?? null ) ? $result['code'] : '' ), 0, 32 );
		$message = is_string( $result['message'] ?? null ) ? $result['message'] : '';
		$where   = 'WHERE id = %d AND claim_id = %d AND status = %s';
		$release = 'claim_id = 0, claimed_until = NULL, updated_at = %s';

		switch ( $status ) {
			case 'accepted':
				$wamid   = is_string( $result['wamid'] ?? null ) ? substr( $result['wamid'], 0, 191 ) : '';
				$updated = Stats::transaction(
					static function () use ( $wpdb, $table, $wamid, $now, $release, $where, $id, $claim_id ) {
						$updated = $wpdb->query(
							$wpdb->prepare(
						"UPDATE %i SET status = %s, wamid = %s, sent_at = COALESCE(sent_at, %s), attempts = attempts + 1, error_code = '', error_message = NULL, {$release} {$where}", // phpcs:ignore -- $release and $where are placeholder-only fragments.
								$table,
								'sent',
								$wamid,
								$now,
								$now,
								$id,
								$claim_id,
								'claimed'
							)
						);
						if ( 1 === $updated ) {
							Stats::message_status_changed( $id, 'claimed' );
						}
						return $updated;
					}
				);
				if ( 1 !== $updated && '' !== $wamid ) {
					// A webhook got there first (delivered, read...): keep its state, fill the gaps.
					$wpdb->query(
						$wpdb->prepare(
							"UPDATE %i SET wamid = %s, sent_at = COALESCE(sent_at, %s), updated_at = %s WHERE id = %d AND wamid = ''",
							$table,
							$wamid,
							$now,
							$now,
							$id
						)
					);
					return 'stale';
				}
				return 1 === $updated ? 'sent' : 'stale';

			case 'transient':
			case 'rate_limited':
				$attempts = (int) $wpdb->get_var( $wpdb->prepare( 'SELECT attempts FROM %i WHERE id = %d', $table, $id ) ) + 1;
				if ( $attempts >= self::MAX_ATTEMPTS ) {
					return $this->fail( $id, $claim_id, $code, $message, $now );
				}
				$retry_after = (int) ceil( max( 0, (int) ( $result['retry_after_ms'] ?? 0 ) ) / 1000 );
				$delay       = max( $retry_after, self::backoff( $attempts ) );
				$updated     = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET status = %s, due_at = %s, attempts = attempts + 1, error_code = %s, error_message = %s, {$release} {$where}", // phpcs:ignore -- placeholder-only fragments.
						$table,
						'pending',
						gmdate( 'Y-m-d H:i:s', time() + $delay ),
						$code,
						$message,
						$now,
						$id,
						$claim_id,
						'claimed'
					)
				);
				return 1 === $updated ? 'retry' : 'stale';

			case 'fatal':
				$this->pause( $code, $message );
				return $this->release( $id, $claim_id ) ? 'paused' : 'stale';

			case 'not_attempted':
				return $this->release( $id, $claim_id ) ? 'released' : 'stale';

			case 'permanent':
			case 'invalid':
				return $this->fail( $id, $claim_id, $code, $message, $now );

			default: // unknown: the request may have reached Meta. Never resent blindly.
				$updated = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET status = %s, attempts = attempts + 1, due_at = %s, error_code = IF(error_code = %s, error_code, %s), error_message = %s, {$release} {$where}", // phpcs:ignore -- placeholder-only fragments.
						$table,
						'unknown',
						gmdate( 'Y-m-d H:i:s', time() + self::RECONCILE_SECONDS ),
						self::RESENT_MARKER,
						$code,
						$message,
						$now,
						$id,
						$claim_id,
						'claimed'
					)
				);
				return 1 === $updated ? 'unknown' : 'stale';
		}
	}

	/**
	 * Puts a claimed row back to pending, unchanged otherwise.
	 *
	 * @since 0.1.0
	 *
	 * @param int $id       Row id.
	 * @param int $claim_id The claim that leased it.
	 * @return bool Whether the row was still claimed by that claim.
	 */
	public function release( int $id, int $claim_id ): bool {
		global $wpdb;
		$updated = $wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET status = %s, claim_id = 0, claimed_until = NULL, updated_at = %s WHERE id = %d AND claim_id = %d AND status = %s',
				Schema::messages_log_table(),
				'pending',
				gmdate( 'Y-m-d H:i:s' ),
				$id,
				$claim_id,
				'claimed'
			)
		);
		return 1 === $updated;
	}

	/**
	 * Marks a claimed row failed.
	 *
	 * @since 0.1.0
	 *
	 * @param int    $id       Row id.
	 * @param int    $claim_id The claim that leased it.
	 * @param string $code     Meta's error code.
	 * @param string $message  Explanation for the shop owner.
	 * @param string $now      UTC now.
	 * @return string failed|stale
	 */
	private function fail( int $id, int $claim_id, string $code, string $message, string $now ): string {
		global $wpdb;
		$updated = Stats::transaction(
			static function () use ( $wpdb, $id, $claim_id, $code, $message, $now ) {
				$updated = $wpdb->query(
					$wpdb->prepare(
						'UPDATE %i SET status = %s, attempts = attempts + 1, error_code = %s, error_message = %s, failed_at = COALESCE(failed_at, %s), claim_id = 0, claimed_until = NULL, updated_at = %s WHERE id = %d AND claim_id = %d AND status = %s',
						Schema::messages_log_table(),
						'failed',
						$code,
						$message,
						$now,
						$now,
						$id,
						$claim_id,
						'claimed'
					)
				);
				if ( 1 === $updated ) {
					Stats::message_status_changed( $id, 'claimed' );
				}
				return $updated;
			}
		);
		return 1 === $updated ? 'failed' : 'stale';
	}

	/**
	 * Retry delay after the given number of attempts.
	 *
	 * @since 0.1.0
	 *
	 * @param int $attempts Attempts so far (1 after the first failure).
	 * @return int Seconds.
	 */
	public static function backoff( int $attempts ): int {
		return (int) min( self::BACKOFF_MAX, self::BACKOFF_BASE * ( 2 ** max( 0, min( 20, $attempts - 1 ) ) ) );
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
