<?php
/**
 * Per-phone facts the scheduler's rules need, kept on write.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Storage;

defined( 'ABSPATH' ) || exit;

/**
 * `{prefix}cartpinger_phones`: one small row per phone, so a scheduler tick reads the cool-off
 * and opt-out facts of its 500 phones with one primary-key lookup instead of aggregating the
 * messages log (10 M rows on a big store) and the recoveries:
 *
 * - last_recovery_id / last_recovery_at: the newest recovery message to this phone (queued,
 *   sent or delivered; cancelled and expired ones never reached the shopper and do not count);
 * - other_recovery_at: the newest such message of any *other* recovery record, so "when did
 *   this phone last get a reminder about another cart" is answered for every record;
 * - opted_out_at: the newest STOP (a recovery closed as opted_out; its updated_at).
 *
 * refresh() recomputes a phone's row from its own rows in both tables (indexed by phone). Every
 * write that changes these facts calls it: a recovery message queued (Queue\Store::enqueue), a
 * pending one cancelled or expired, a recovery closed as opted_out, a STOP webhook. backfill()
 * builds the rows of an existing site (migration 5). The privacy eraser deletes a phone's row.
 *
 * @since 0.3.0
 */
final class PhoneFacts {

	/**
	 * Unprefixed table name.
	 *
	 * @since 0.3.0
	 */
	public const TABLE = 'cartpinger_phones';

	/**
	 * Messages that never reached the shopper.
	 *
	 * @since 0.3.0
	 */
	private const NOT_SENT = array( 'cancelled', 'expired' );

	/**
	 * Full table name.
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function table(): string {
		global $wpdb;
		return $wpdb->prefix . self::TABLE;
	}

	/**
	 * The CREATE TABLE statement (dbDelta format).
	 *
	 * @since 0.3.0
	 *
	 * @param string $charset_collate Charset clause.
	 * @return string
	 */
	public static function create_statement( string $charset_collate ): string {
		$table = self::table();
		return "CREATE TABLE {$table} (
  phone varchar(32) NOT NULL,
  last_recovery_id bigint(20) unsigned NOT NULL DEFAULT 0,
  last_recovery_at datetime NULL DEFAULT NULL,
  other_recovery_at datetime NULL DEFAULT NULL,
  opted_out_at datetime NULL DEFAULT NULL,
  updated_at datetime NOT NULL,
  PRIMARY KEY  (phone)
) {$charset_collate};";
	}

	/**
	 * The facts of some phones: one primary-key read.
	 *
	 * @since 0.3.0
	 *
	 * @param string[] $phones E.164 phones.
	 * @return array<string, array{last_recovery_id: int, last_recovery_at: int, other_recovery_at: int, opted_out_at: int}> Unix times (0 = never).
	 */
	public static function get( array $phones ): array {
		global $wpdb;
		$phones = array_values( array_unique( array_filter( array_map( 'strval', $phones ) ) ) );
		if ( array() === $phones ) {
			return array();
		}
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				'SELECT phone, last_recovery_id, last_recovery_at, other_recovery_at, opted_out_at FROM %i WHERE phone IN (' . implode( ',', array_fill( 0, count( $phones ), '%s' ) ) . ')', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
				self::table(),
				...$phones
			),
			ARRAY_A
		);
		$out  = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$out[ (string) $row['phone'] ] = array(
				'last_recovery_id'  => (int) $row['last_recovery_id'],
				'last_recovery_at'  => self::ts( $row['last_recovery_at'] ),
				'other_recovery_at' => self::ts( $row['other_recovery_at'] ),
				'opted_out_at'      => self::ts( $row['opted_out_at'] ),
			);
		}
		return $out;
	}

	/**
	 * When a phone last got a recovery message about a record other than $recovery_id (0 = never).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, int>|null $facts       The phone's facts from get().
	 * @param int                     $recovery_id The record asking.
	 * @return int Unix time.
	 */
	public static function last_other( ?array $facts, int $recovery_id ): int {
		if ( null === $facts ) {
			return 0;
		}
		return $facts['last_recovery_id'] !== $recovery_id ? $facts['last_recovery_at'] : $facts['other_recovery_at'];
	}

	/**
	 * Recomputes the rows of some phones from the messages log and the recoveries (indexed by
	 * phone: phone_kind and customer_phone).
	 *
	 * @since 0.3.0
	 *
	 * @param string[] $phones E.164 phones.
	 * @return void
	 */
	public static function refresh( array $phones ): void {
		global $wpdb;
		$now = gmdate( 'Y-m-d H:i:s' );
		foreach ( array_values( array_unique( array_filter( array_map( 'strval', $phones ) ) ) ) as $phone ) {
			// Newest first along (phone, kind, created_at); stops at the first other record.
			$rows     = $wpdb->get_results(
				$wpdb->prepare(
					'SELECT recovery_id, created_at FROM %i WHERE phone = %s AND kind = %s AND status NOT IN (%s, %s) ORDER BY created_at DESC LIMIT 50',
					Schema::messages_log_table(),
					$phone,
					'recovery',
					...self::NOT_SENT
				),
				ARRAY_A
			);
			$last_id  = 0;
			$last_at  = null;
			$other_at = null;
			foreach ( is_array( $rows ) ? $rows : array() as $i => $row ) {
				if ( 0 === $i ) {
					$last_id = (int) $row['recovery_id'];
					$last_at = (string) $row['created_at'];
				} elseif ( (int) $row['recovery_id'] !== $last_id ) {
					$other_at = (string) $row['created_at'];
					break;
				}
			}
			$opted = $wpdb->get_var(
				$wpdb->prepare(
					'SELECT MAX(updated_at) FROM %i WHERE customer_phone = %s AND status = %s',
					Schema::recoveries_table(),
					$phone,
					'opted_out'
				)
			);
			$opted = is_string( $opted ) && '' !== $opted ? $opted : null;
			if ( null === $last_at && null === $opted ) {
				$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE phone = %s', self::table(), $phone ) );
				continue;
			}
			$wpdb->query(
				$wpdb->prepare(
					'REPLACE INTO %i (phone, last_recovery_id, last_recovery_at, other_recovery_at, opted_out_at, updated_at) VALUES (%s, %d, '
						. ( null === $last_at ? 'NULL' : '%s' ) . ', ' . ( null === $other_at ? 'NULL' : '%s' ) . ', ' . ( null === $opted ? 'NULL' : '%s' ) . ', %s)', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
					self::table(),
					...array_values( array_filter( array( $phone, $last_id, $last_at, $other_at, $opted, $now ), static fn( $v ) => null !== $v ) )
				)
			);
		}
	}

	/**
	 * A recovery message was queued: it becomes the phone's newest, and the previous newest
	 * becomes "another record's" unless it was about the same record. One upsert (MySQL applies
	 * the ON DUPLICATE KEY assignments left to right, so other_recovery_at sees the old values).
	 *
	 * @since 0.3.0
	 *
	 * @param string $phone       E.164 phone.
	 * @param int    $recovery_id Record id.
	 * @param string $at          UTC DATETIME the message was queued.
	 * @return void
	 */
	public static function message_queued( string $phone, int $recovery_id, string $at ): void {
		global $wpdb;
		if ( '' === $phone || $recovery_id <= 0 ) {
			return;
		}
		$wpdb->query(
			$wpdb->prepare(
				'INSERT INTO %i (phone, last_recovery_id, last_recovery_at, updated_at) VALUES (%s, %d, %s, %s)
				ON DUPLICATE KEY UPDATE
					other_recovery_at = IF(last_recovery_id = VALUES(last_recovery_id), other_recovery_at, last_recovery_at),
					last_recovery_id = VALUES(last_recovery_id), last_recovery_at = VALUES(last_recovery_at), updated_at = VALUES(updated_at)',
				self::table(),
				$phone,
				$recovery_id,
				$at,
				$at
			)
		);
	}

	/**
	 * The phones of some recovery records (to refresh after their messages were cancelled).
	 *
	 * @since 0.3.0
	 *
	 * @param int[] $recovery_ids Record ids.
	 * @return string[]
	 */
	public static function phones_of_recoveries( array $recovery_ids ): array {
		global $wpdb;
		$ids = array_values( array_unique( array_filter( array_map( 'intval', $recovery_ids ), static fn( $id ) => $id > 0 ) ) );
		if ( array() === $ids ) {
			return array();
		}
		return array_map(
			'strval',
			(array) $wpdb->get_col(
				$wpdb->prepare(
					'SELECT DISTINCT customer_phone FROM %i WHERE id IN (' . implode( ',', array_fill( 0, count( $ids ), '%d' ) ) . ')', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
					Schema::recoveries_table(),
					...$ids
				)
			)
		);
	}

	/**
	 * Builds the rows of an existing site: recovery messages of the last $window seconds (the
	 * longest cool-off that matters) and every opt-out. Set-based, no window functions (MySQL 5.7).
	 *
	 * @since 0.3.0
	 *
	 * @param int $window Seconds of message history to read (default 30 days, the longest cool-off).
	 * @return int Phones written.
	 */
	public static function backfill( int $window = 30 * DAY_IN_SECONDS ): int {
		global $wpdb;
		$table    = self::table();
		$messages = Schema::messages_log_table();
		$now      = gmdate( 'Y-m-d H:i:s' );
		$since    = gmdate( 'Y-m-d H:i:s', time() - $window );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $table ) );
		// 1. The newest message per phone.
		$wpdb->query(
			$wpdb->prepare(
				'INSERT INTO %i (phone, last_recovery_at, updated_at)
				SELECT phone, MAX(created_at), %s FROM %i WHERE created_at >= %s AND kind = %s AND status NOT IN (%s, %s) AND phone <> %s GROUP BY phone',
				$table,
				$now,
				$messages,
				$since,
				'recovery',
				'cancelled',
				'expired',
				''
			)
		);
		// 2. Its record.
		$wpdb->query(
			$wpdb->prepare(
				'UPDATE %i p JOIN %i m ON m.phone = p.phone AND m.kind = %s AND m.created_at = p.last_recovery_at AND m.status NOT IN (%s, %s) SET p.last_recovery_id = m.recovery_id',
				$table,
				$messages,
				'recovery',
				'cancelled',
				'expired'
			)
		);
		// 3. The newest message of any other record.
		$wpdb->query(
			$wpdb->prepare(
				'UPDATE %i p JOIN (
					SELECT m.phone, MAX(m.created_at) AS at FROM %i m JOIN %i q ON q.phone = m.phone
					WHERE m.created_at >= %s AND m.kind = %s AND m.status NOT IN (%s, %s) AND m.recovery_id <> q.last_recovery_id GROUP BY m.phone
				) o ON o.phone = p.phone SET p.other_recovery_at = o.at',
				$table,
				$messages,
				$table,
				$since,
				'recovery',
				'cancelled',
				'expired'
			)
		);
		// 4. Opt-outs (status index: the opted_out records only).
		$wpdb->query(
			$wpdb->prepare(
				'INSERT INTO %i (phone, opted_out_at, updated_at)
				SELECT customer_phone, MAX(updated_at), %s FROM %i WHERE status = %s AND customer_phone <> %s GROUP BY customer_phone
				ON DUPLICATE KEY UPDATE opted_out_at = VALUES(opted_out_at)',
				$table,
				$now,
				Schema::recoveries_table(),
				'opted_out',
				''
			)
		);
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', $table ) );
	}

	/**
	 * Forgets a phone (privacy eraser).
	 *
	 * @since 0.3.0
	 *
	 * @param string $phone E.164 phone.
	 * @return void
	 */
	public static function erase( string $phone ): void {
		global $wpdb;
		if ( '' !== $phone ) {
			$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE phone = %s', self::table(), $phone ) );
		}
	}

	/**
	 * Unix time of a UTC DATETIME (0 for NULL).
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $value DATETIME.
	 * @return int
	 */
	private static function ts( $value ): int {
		if ( ! is_string( $value ) || '' === $value || str_starts_with( $value, '0000' ) ) {
			return 0;
		}
		$t = strtotime( $value . ' UTC' );
		return false === $t ? 0 : $t;
	}
}
