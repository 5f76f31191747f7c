<?php
/**
 * Applies parsed webhook events to the plugin's tables.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Webhook;

use CartPinger\Meta\Account;
use CartPinger\Meta\Costs;
use CartPinger\Meta\Templates;
use CartPinger\Native\Webhook;
use CartPinger\Queue\Store;
use CartPinger\Storage\PhoneFacts;
use CartPinger\Storage\Schema;
use CartPinger\Storage\Stats;

defined( 'ABSPATH' ) || exit;

/**
 * Turns a batch from CartPinger\Native\Webhook::parse() into database changes.
 *
 * Status events update the messages log monotonically (the extension's apply_status(): the
 * state only moves forward, failed is terminal; every *_at column keeps its earliest value),
 * so any arrival order and any number of redeliveries converge to the same row. Inbound
 * opt-outs revoke consent for the sender's phone and cancel its pending messages. Every event
 * is then announced with the action cartpinger_webhook_entry.
 *
 * Only prepared SQL; every time is UTC.
 *
 * @since 0.1.0
 */
final class Processor {

	/**
	 * Option: UTC time (Y-m-d H:i:s) of the last authentic event POST that carried events.
	 *
	 * @since 0.1.0
	 */
	public const OPTION_LAST_EVENT_AT = 'cartpinger_webhook_last_event_at';

	/**
	 * How often a status update is retried when another request changed the row meanwhile.
	 *
	 * @since 0.1.0
	 */
	private const MAX_ATTEMPTS = 3;

	/**
	 * Applies every event of a batch.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $batch What Webhook::parse() returned.
	 * @return array<string, int> Counts: events, statuses_applied, statuses_unchanged,
	 *                            statuses_unknown, opt_outs, recoveries_opted_out,
	 *                            messages_cancelled.
	 */
	public function process( array $batch ): array {
		$summary = array(
			'events'               => 0,
			'statuses_applied'     => 0,
			'statuses_unchanged'   => 0,
			'statuses_unknown'     => 0,
			'opt_outs'             => 0,
			'recoveries_opted_out' => 0,
			'messages_cancelled'   => 0,
		);
		$events  = isset( $batch['events'] ) && is_array( $batch['events'] ) ? $batch['events'] : array();
		foreach ( $events as $event ) {
			if ( ! is_array( $event ) ) {
				continue;
			}
			++$summary['events'];
			$kind = $event['kind'] ?? '';
			if ( 'status' === $kind ) {
				$result = $this->apply_status_event( $event );
				++$summary[ 'statuses_' . $result ];
			} elseif ( 'message' === $kind && true === ( $event['opt_out'] ?? false ) ) {
				++$summary['opt_outs'];
				list( $recoveries, $messages )    = $this->apply_opt_out( $event );
				$summary['recoveries_opted_out'] += $recoveries;
				$summary['messages_cancelled']   += $messages;
			} elseif ( 'message' === $kind ) {
				$this->remember_user_id( $event );
			} elseif ( 'account' === $kind ) {
				if ( ! Templates::apply_event( $event ) ) {
					Account::apply_event( $event );
				}
			}

			/**
			 * Fires for each event of an authentic webhook POST, after CartPinger applied it.
			 *
			 * The event is one item of CartPinger\Native\Webhook::parse()'s "events": an array
			 * whose "kind" is "status" (wamid, status, timestamp, recipient_id, errors, pricing,
			 * ...), "message" (id, from, timestamp, type, text, payload, opt_out, ...), "error"
			 * (error) or "other" (field). See docs/contracts.md, "Webhook API".
			 *
			 * @since 0.1.0
			 *
			 * @param array<string, mixed> $event The event.
			 */
			do_action( 'cartpinger_webhook_entry', $event );
		}
		if ( $summary['events'] > 0 ) {
			update_option( self::OPTION_LAST_EVENT_AT, gmdate( 'Y-m-d H:i:s' ), false );
		}
		return $summary;
	}

	/**
	 * Bodies applied per call of apply_inbox().
	 *
	 * @since 0.3.0
	 */
	public const INBOX_BATCH = 200;

	/**
	 * Applies stored webhook bodies (Webhook\Ingest) oldest first, then deletes them.
	 *
	 * One applier at a time (a database lock; a second caller returns 0 at once). Applying is
	 * idempotent and monotonic (a status never moves a message backwards), so a body applied
	 * twice after a crash between apply and delete changes nothing.
	 *
	 * @since 0.3.0
	 *
	 * @param int $limit Most bodies to apply.
	 * @return int Events applied.
	 */
	public function apply_inbox( int $limit = self::INBOX_BATCH ): int {
		global $wpdb;
		$table = Schema::webhook_inbox_table();
		$lock  = Store::lock_name( 'cartpinger_inbox' );
		$got   = $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, 0)', $lock ) );
		if ( null !== $got && '1' !== (string) $got ) {
			return 0;
		}
		$events = 0;
		try {
			$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT id, body FROM %i ORDER BY id ASC LIMIT %d', $table, max( 1, $limit ) ), ARRAY_A );
			if ( ! is_array( $rows ) || array() === $rows ) {
				return 0;
			}
			$ids = array();
			foreach ( $rows as $row ) {
				$ids[] = (int) $row['id'];
				try {
					$batch = Webhook::parse( (string) $row['body'] );
				} catch ( \RuntimeException $e ) {
					// Authentic (the signature was checked on arrival) but unreadable: logged, dropped.
					Log::write( 'error', 'Signed webhook body could not be parsed: ' . $e->getMessage(), array( 'code' => $e->getCode() ) );
					continue;
				}
				if ( array() !== ( $batch['skipped'] ?? array() ) ) {
					Log::write(
						'warning',
						'Webhook items skipped.',
						array(
							'count'   => count( $batch['skipped'] ),
							'skipped' => array_slice( $batch['skipped'], 0, 10 ),
						)
					);
				}
				if ( ! empty( $batch['ignored'] ) ) {
					continue;
				}
				$summary = $this->process( $batch );
				$events += (int) $summary['events'];
			}
			$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')', $table, ...$ids ) );
		} finally {
			if ( null !== $got ) {
				$wpdb->get_var( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $lock ) );
			}
		}
		return $events;
	}

	/**
	 * Bodies waiting in the inbox.
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function inbox_size(): int {
		global $wpdb;
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', Schema::webhook_inbox_table() ) );
	}

	/**
	 * Applies one status event to its message.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $event A "status" event.
	 * @return string "applied", "unchanged" or "unknown" (no such message).
	 */
	private function apply_status_event( array $event ): string {
		global $wpdb;
		$table  = Schema::messages_log_table();
		$wamid  = is_string( $event['wamid'] ?? null ) ? $event['wamid'] : '';
		$status = is_string( $event['status'] ?? null ) ? $event['status'] : '';
		$row    = $this->find_message( $wamid, $event['biz_opaque_callback_data'] ?? null );
		if ( null === $row ) {
			return 'unknown';
		}
		$at = gmdate( 'Y-m-d H:i:s', max( 0, (int) ( $event['timestamp'] ?? 0 ) ) );

		for ( $attempt = 1; $attempt <= self::MAX_ATTEMPTS; $attempt++ ) {
			$transition = Webhook::apply_status( (string) $row['status'], $status );
			$sets       = array( '%i = %s' );
			$values     = array( 'updated_at', gmdate( 'Y-m-d H:i:s' ) );
			if ( $transition['changed'] ) {
				$sets[]   = '%i = %s';
				$values[] = 'status';
				$values[] = $transition['state'];
			}
			// Each *_at column keeps the earliest value seen (LEAST() is NULL while the column is).
			foreach ( $transition['timestamps'] as $column ) {
				$sets[]   = '%i = COALESCE(LEAST(%i, %s), %s)';
				$values[] = $column;
				$values[] = $column;
				$values[] = $at;
				$values[] = $at;
			}
			if ( '' === (string) $row['wamid'] && '' !== $wamid ) {
				$sets[]   = '%i = %s';
				$values[] = 'wamid';
				$values[] = $wamid;
			}
			if ( 'failed' === $status && '' === (string) $row['error_code'] ) {
				list( $code, $message ) = self::failure( $event );
				$sets[]                 = '%i = %s';
				$sets[]                 = '%i = %s';
				array_push( $values, 'error_code', $code, 'error_message', $message );
			}

			// The status is written only if nobody changed it since it was read (compare and swap).
			$where    = 'id = %d';
			$values[] = (int) $row['id'];
			if ( $transition['changed'] ) {
				$where   .= ' AND status = %s';
				$values[] = (string) $row['status'];
			}
			$sql     = 'UPDATE %i SET ' . implode( ', ', $sets ) . ' WHERE ' . $where;
			$old     = (string) $row['status'];
			$changed = $transition['changed'];
			// The status and the dashboard's counters change together (Stats).
			$updated = Stats::transaction(
				static function () use ( $wpdb, $sql, $table, $values, $old, $changed, $row ) {
					$updated = $wpdb->query( $wpdb->prepare( $sql, $table, ...$values ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- $sql is built from %i/%s/%d placeholders only; every value goes through prepare().
					if ( $changed && 1 === $updated ) {
						Stats::message_status_changed( (int) $row['id'], $old );
					}
					return $updated;
				}
			);
			if ( 1 === $attempt ) {
				$this->record_pricing_and_user( $row, $event );
			}
			if ( ! $transition['changed'] ) {
				return 'unchanged';
			}
			if ( 1 === $updated ) {
				return 'applied';
			}
			$row = $this->message_by_id( (int) $row['id'] );
			if ( null === $row ) {
				return 'unknown';
			}
		}
		Log::write( 'warning', 'Status update gave up after concurrent changes.', array( 'message_id' => (int) $row['id'] ) );
		return 'unchanged';
	}

	/**
	 * Records a status's pricing (cost from the rate card) and the recipient's business-scoped
	 * user id (on the cart the message belongs to, once seen).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $row   The message row (id, phone, recovery_id).
	 * @param array<string, mixed> $event A "status" event.
	 * @return void
	 */
	private function record_pricing_and_user( array $row, array $event ): void {
		global $wpdb;
		if ( is_array( $event['pricing'] ?? null ) ) {
			Costs::record( (int) $row['id'], (string) ( $row['phone'] ?? '' ), $event['pricing'] );
		}
		$user_id = $event['recipient_user_id'] ?? null;
		if ( is_string( $user_id ) && '' !== $user_id && (int) ( $row['recovery_id'] ?? 0 ) > 0 ) {
			$wpdb->query(
				$wpdb->prepare(
					"UPDATE %i SET wa_user_id = %s WHERE id = %d AND wa_user_id = ''",
					Schema::recoveries_table(),
					substr( $user_id, 0, 128 ),
					(int) $row['recovery_id']
				)
			);
		}
	}

	/**
	 * Keeps the business-scoped user id of an inbound message on the sender's carts (matched
	 * by phone), so a later message without the phone number still finds them.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $event A "message" event.
	 * @return void
	 */
	private function remember_user_id( array $event ): void {
		global $wpdb;
		$from    = $event['from'] ?? null;
		$user_id = $event['user_id'] ?? null;
		if ( ! is_string( $from ) || 1 !== preg_match( '/^\d{6,15}$/', $from ) || ! is_string( $user_id ) || '' === $user_id ) {
			return;
		}
		$wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET wa_user_id = %s WHERE customer_phone = %s AND wa_user_id = ''",
				Schema::recoveries_table(),
				substr( $user_id, 0, 128 ),
				'+' . $from
			)
		);
	}

	/**
	 * The phone numbers an inbound message is from: its `from` phone, else the carts carrying
	 * its business-scoped user id, else the recipient of the message it replies to (`context`).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $event A "message" event.
	 * @return array{0: list<string>, 1: string} Phones (+E.164) and how they were found
	 *                                           (phone|user_id|context|'').
	 */
	private function sender_phones( array $event ): array {
		global $wpdb;
		$from = $event['from'] ?? null;
		if ( is_string( $from ) && 1 === preg_match( '/^\d{6,15}$/', $from ) ) {
			return array( array( '+' . $from ), 'phone' );
		}
		$user_id = $event['user_id'] ?? null;
		if ( is_string( $user_id ) && '' !== $user_id ) {
			$phones = $wpdb->get_col(
				$wpdb->prepare(
					"SELECT DISTINCT customer_phone FROM %i WHERE wa_user_id = %s AND customer_phone <> ''",
					Schema::recoveries_table(),
					substr( $user_id, 0, 128 )
				)
			);
			if ( is_array( $phones ) && array() !== $phones ) {
				return array( array_values( array_map( 'strval', $phones ) ), 'user_id' );
			}
		}
		$context = $event['context_id'] ?? null;
		if ( is_string( $context ) && '' !== $context ) {
			$phone = $wpdb->get_var(
				$wpdb->prepare(
					'SELECT phone FROM %i WHERE wamid = %s ORDER BY id ASC LIMIT 1',
					Schema::messages_log_table(),
					$context
				)
			);
			if ( is_string( $phone ) && '' !== $phone ) {
				return array( array( $phone ), 'context' );
			}
		}
		return array( array(), '' );
	}

	/**
	 * The message a status is about: by wamid, else by our id in biz_opaque_callback_data.
	 *
	 * Our id is the messages log id, sent as "cp-msg-<id>" (a bare decimal id is accepted too).
	 * A row found by id must not already carry another wamid.
	 *
	 * @since 0.1.0
	 *
	 * @param string $wamid         The status's wamid.
	 * @param mixed  $callback_data The status's biz_opaque_callback_data.
	 * @return array<string, mixed>|null
	 */
	private function find_message( string $wamid, mixed $callback_data ): ?array {
		global $wpdb;
		if ( '' !== $wamid ) {
			$row = $wpdb->get_row(
				$wpdb->prepare(
					'SELECT id, status, wamid, error_code, phone, recovery_id FROM %i WHERE wamid = %s ORDER BY id ASC LIMIT 1',
					Schema::messages_log_table(),
					$wamid
				),
				ARRAY_A
			);
			if ( is_array( $row ) ) {
				return $row;
			}
		}
		if ( ! is_string( $callback_data ) || 1 !== preg_match( '/^(?:cp-msg-)?([1-9]\d{0,17})$/', $callback_data, $matches ) ) {
			return null;
		}
		$row = $this->message_by_id( (int) $matches[1] );
		if ( null === $row || ( '' !== (string) $row['wamid'] && $row['wamid'] !== $wamid ) ) {
			return null;
		}
		return $row;
	}

	/**
	 * A message row by id.
	 *
	 * @since 0.1.0
	 *
	 * @param int $id Messages log id.
	 * @return array<string, mixed>|null
	 */
	private function message_by_id( int $id ): ?array {
		global $wpdb;
		$row = $wpdb->get_row(
			$wpdb->prepare(
				'SELECT id, status, wamid, error_code, phone, recovery_id FROM %i WHERE id = %d',
				Schema::messages_log_table(),
				$id
			),
			ARRAY_A
		);
		return is_array( $row ) ? $row : null;
	}

	/**
	 * Error code and human-readable message of a failed status.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $event A "status" event.
	 * @return array{0: string, 1: string}
	 */
	private static function failure( array $event ): array {
		$error = isset( $event['errors'][0] ) && is_array( $event['errors'][0] ) ? $event['errors'][0] : array();
		$code  = isset( $error['code'] ) && is_int( $error['code'] ) ? (string) $error['code'] : 'unknown';
		$human = '';
		foreach ( array( 'details', 'message', 'title' ) as $field ) {
			if ( isset( $error[ $field ] ) && is_string( $error[ $field ] ) && '' !== trim( $error[ $field ] ) ) {
				$human = trim( $error[ $field ] );
				break;
			}
		}
		return array( substr( $code, 0, 32 ), mb_substr( '' === $human ? 'Message failed.' : $human, 0, 1000 ) );
	}

	/**
	 * Revokes consent for the sender of an opt-out message.
	 *
	 * Recoveries with that phone lose consent (and become opted_out while open or messaged);
	 * its pending messages are cancelled.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $event A "message" event with opt_out true.
	 * @return array{0: int, 1: int} Recoveries changed, messages cancelled.
	 */
	private function apply_opt_out( array $event ): array {
		list( $phones, $matched_by ) = $this->sender_phones( $event );
		if ( array() === $phones ) {
			// Neither a phone number, a known business-scoped user id nor a known context.
			Log::write( 'warning', 'Opt-out received from an unknown sender; nothing was changed.', array( 'message_id' => (string) ( $event['id'] ?? '' ) ) );
			return array( 0, 0 );
		}
		$this->remember_user_id( $event );
		$recoveries = 0;
		$messages   = 0;
		foreach ( $phones as $phone ) {
			list( $r, $m ) = $this->opt_out_phone( $phone );
			$recoveries   += $r;
			$messages     += $m;
		}
		Log::write(
			'info',
			'Opt-out received: consent revoked.',
			array(
				'matched_by' => $matched_by,
				'recoveries' => $recoveries,
				'messages'   => $messages,
			)
		);
		return array( $recoveries, $messages );
	}

	/**
	 * Revokes consent for one phone number and cancels its pending messages.
	 *
	 * @since 0.3.0
	 *
	 * @param string $phone Phone number, +E.164.
	 * @return array{0: int, 1: int} Recoveries changed, messages cancelled.
	 */
	private function opt_out_phone( string $phone ): array {
		global $wpdb;
		$now        = gmdate( 'Y-m-d H:i:s' );
		$recoveries = $wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET consent = 0, close_reason = CASE WHEN status IN ('open', 'messaged', 'holdout') THEN 'opted_out' ELSE close_reason END, session_key = CASE WHEN status IN ('open', 'messaged', 'holdout') THEN NULL ELSE session_key END, status = CASE WHEN status IN ('open', 'messaged', 'holdout') THEN 'opted_out' ELSE status END, next_check_at = NULL, updated_at = %s WHERE customer_phone = %s AND ( consent <> 0 OR status IN ('open', 'messaged', 'holdout') )",
				Schema::recoveries_table(),
				$now,
				$phone
			)
		);
		$messages   = $wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET status = 'cancelled', updated_at = %s WHERE phone = %s AND status = 'pending'",
				Schema::messages_log_table(),
				$now,
				$phone
			)
		);
		PhoneFacts::refresh( array( $phone ) );
		return array( (int) $recoveries, (int) $messages );
	}
}
