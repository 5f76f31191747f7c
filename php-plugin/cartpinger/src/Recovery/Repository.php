<?php
/**
 * Reads and writes recovery records.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Storage\PhoneFacts;
use CartPinger\Storage\Schema;
use CartPinger\Storage\Stats;

defined( 'ABSPATH' ) || exit;

/**
 * The `{prefix}cartpinger_recoveries` table.
 *
 * Lifecycle (status): open → messaged → recovered; open → converted (ordered before any
 * message); open → holdout (kept as a control, never messaged) → converted; any live state →
 * expired (consent revoked, too old, invalid phone) or opted_out (replied STOP). Message delivery
 * lives in the messages log, apart from this lifecycle. Every DATETIME is UTC.
 *
 * One open record per checkout session: session_key is UNIQUE while the record is live and set
 * to NULL when it closes, so the next cart of the same session starts a new record.
 *
 * @since 0.2.0
 */
final class Repository {

	/**
	 * Statuses the scheduler and attribution still act on.
	 *
	 * @since 0.2.0
	 */
	public const LIVE = array( 'open', 'messaged', 'holdout' );

	/**
	 * What upsert_capture() returns when the cart it was given has just been ordered.
	 *
	 * @since 0.3.0
	 */
	public const ORDERED = -1;

	/**
	 * Whether two cart snapshots (JSON) hold the same lines (product, variation, quantity).
	 *
	 * @since 0.3.0
	 *
	 * @param string $a Snapshot JSON.
	 * @param string $b Snapshot JSON.
	 * @return bool
	 */
	private static function same_lines( string $a, string $b ): bool {
		$key   = static function ( string $json ): array {
			$snapshot = json_decode( $json, true );
			$lines    = array();
			foreach ( (array) ( is_array( $snapshot ) ? ( $snapshot['lines'] ?? array() ) : array() ) as $line ) {
				if ( is_array( $line ) ) {
					$lines[] = (int) ( $line['product_id'] ?? 0 ) . ':' . (int) ( $line['variation_id'] ?? 0 ) . ':' . wp_json_encode( (array) ( $line['variation'] ?? array() ) ) . ':' . (float) ( $line['quantity'] ?? 0 );
				}
			}
			sort( $lines );
			return $lines;
		};
		$lines = $key( $a );
		return array() !== $lines && $lines === $key( $b );
	}

	/**
	 * Creates the record of a session, or updates it in place.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $data Keys: session_key, phone, name, email, user_id, snapshot (JSON),
	 *                                   total_minor, currency, country, locale, ip, label,
	 *                                   label_version, source, next_check_at (UTC); optional
	 *                                   `guard` (int[]): the records this session's cart belongs
	 *                                   to (the one its recovery link restored, its own live one).
	 * @return int The record id (0 when the database refused, ORDERED when a guard record was
	 *             closed by an order of this very cart: nothing is written).
	 */
	public function upsert_capture( array $data ): int {
		global $wpdb;
		$now   = gmdate( 'Y-m-d H:i:s' );
		$table = Schema::recoveries_table();
		// A new consent (first capture, or re-consent after a revocation on a new record)
		// records its proof; an existing consent keeps its original proof.
		$guard  = array_values( array_filter( array_unique( array_map( 'intval', (array) ( $data['guard'] ?? array() ) ) ) ) );
		$result = Stats::transaction(
			static function () use ( $wpdb, $table, $data, $now, $guard ) {
				// A capture that loaded this session's cart before Place Order emptied it (the
				// tracker's request racing the checkout's) must not bring the cart back as a new
				// record once the order has closed the session's record (closing frees the
				// session key). The guard rows are read FOR UPDATE: an order closing them at the
				// same moment either commits first (seen here) or waits for this write.
				foreach ( $guard as $guard_id ) {
					$row = $wpdb->get_row( $wpdb->prepare( 'SELECT status, recovered_order_id, cart_snapshot FROM %i WHERE id = %d FOR UPDATE', $table, $guard_id ), ARRAY_A );
					if ( is_array( $row ) && in_array( $row['status'], array( 'recovered', 'converted' ), true ) && (int) $row['recovered_order_id'] > 0
						&& self::same_lines( (string) $row['cart_snapshot'], (string) $data['snapshot'] ) ) {
						return self::ORDERED;
					}
				}
				$result = $wpdb->query(
					$wpdb->prepare(
						'INSERT INTO %i (session_key, billing_country, locale, customer_phone, customer_name, customer_email, user_id, cart_snapshot, cart_total_minor, currency,
					consent, consent_at, consent_ip, consent_text_version, consent_label, consent_source, status, last_activity_at, next_check_at, created_at, updated_at)
				VALUES (%s, %s, %s, %s, %s, %s, %d, %s, %d, %s, 1, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
				ON DUPLICATE KEY UPDATE
					billing_country = VALUES(billing_country), locale = VALUES(locale), customer_phone = VALUES(customer_phone),
					customer_name = VALUES(customer_name), customer_email = IF(VALUES(customer_email) = %s, customer_email, VALUES(customer_email)),
					user_id = IF(VALUES(user_id) = 0, user_id, VALUES(user_id)), cart_snapshot = VALUES(cart_snapshot),
					cart_total_minor = VALUES(cart_total_minor), currency = VALUES(currency), last_activity_at = VALUES(last_activity_at),
					next_check_at = IF(status = %s, VALUES(next_check_at), next_check_at), updated_at = VALUES(updated_at), id = LAST_INSERT_ID(id)',
						$table,
						(string) $data['session_key'],
						(string) $data['country'],
						(string) $data['locale'],
						(string) $data['phone'],
						(string) $data['name'],
						(string) $data['email'],
						(int) $data['user_id'],
						(string) $data['snapshot'],
						(int) $data['total_minor'],
						(string) $data['currency'],
						$now,
						(string) $data['ip'],
						(string) $data['label_version'],
						(string) $data['label'],
						(string) $data['source'],
						'open',
						$now,
						(string) $data['next_check_at'],
						$now,
						$now,
						'',
						'open'
					)
				);
				if ( false === $result ) {
					return false;
				}
				$id = (int) $wpdb->insert_id; // Before the counters' INSERT resets it.
				// 1 = a new record (2 = updated in place, 0 = unchanged): it counts as captured.
				if ( 1 === $result ) {
					Stats::recovery_changed(
						null,
						array(
							'created_at' => $now,
							'currency'   => (string) $data['currency'],
							'status'     => 'open',
						)
					);
				}
				return $id;
			}
		);
		return false === $result ? 0 : (int) $result;
	}

	/**
	 * Whether one of the records holds this cart and was closed by its order (see
	 * upsert_capture(), which checks the same under a row lock).
	 *
	 * @since 0.3.0
	 *
	 * @param int[]  $ids      Record ids (0 ignored).
	 * @param string $snapshot The session's cart snapshot (JSON).
	 * @return bool
	 */
	public function ordered_cart( array $ids, string $snapshot ): bool {
		foreach ( array_filter( array_unique( array_map( 'intval', $ids ) ) ) as $id ) {
			$row = $this->find( $id );
			if ( null !== $row && in_array( $row['status'], array( 'recovered', 'converted' ), true ) && (int) $row['recovered_order_id'] > 0
				&& self::same_lines( (string) $row['cart_snapshot'], $snapshot ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The live record of a session, if any.
	 *
	 * @since 0.2.0
	 *
	 * @param string $session_key Hashed session key.
	 * @return array<string, mixed>|null
	 */
	public function find_by_session( string $session_key ): ?array {
		return self::find_one( 'session_key', $session_key );
	}

	/**
	 * Makes a live record the one of a browser session (the recovery link was opened there):
	 * the session's own unsent record, if it has one, is the same shopper continuing the same
	 * purchase, so it closes (`expired`, `merged`) instead of living on beside the linked one and
	 * closing as a second record for the order. A session whose record was already messaged
	 * keeps it (two messaged carts stay two). Idempotent.
	 *
	 * @since 0.1.0
	 *
	 * @param int    $id          The linked record.
	 * @param string $session_key The browser's session key.
	 * @return bool True when the record now belongs to the session.
	 */
	public function adopt_session( int $id, string $session_key ): bool {
		if ( '' === $session_key || $id <= 0 ) {
			return false;
		}
		$record = $this->find( $id );
		if ( null === $record || ! in_array( $record['status'], array( 'open', 'messaged', 'holdout' ), true ) ) {
			return false;
		}
		if ( (string) $record['session_key'] === $session_key ) {
			return true;
		}
		$own = $this->find_by_session( $session_key );
		if ( null !== $own && (int) $own['id'] !== $id ) {
			if ( 'open' !== $own['status'] ) {
				return false;
			}
			$this->close( array( (int) $own['id'] ), 'expired', 'merged' );
		}
		return $this->update( $id, array( 'session_key' => $session_key ) );
	}

	/**
	 * One record by id.
	 *
	 * @since 0.2.0
	 *
	 * @param int $id Record id.
	 * @return array<string, mixed>|null
	 */
	public function find( int $id ): ?array {
		return self::find_one( 'id', $id );
	}

	/**
	 * The record whose recovery token hashes to $hash, if any.
	 *
	 * @since 0.2.0
	 *
	 * @param string $hash SHA-256 of the token, lowercase hex.
	 * @return array<string, mixed>|null
	 */
	public function find_by_token_hash( string $hash ): ?array {
		return self::find_one( 'token_hash', $hash );
	}

	/**
	 * Live records of a session, a phone or an email (for revocation and attribution).
	 *
	 * @since 0.2.0
	 *
	 * @param string $session_key Hashed session key ('' for none).
	 * @param string $phone       E.164 phone ('' for none).
	 * @param string $email       Email ('' for none).
	 * @param int    $id          A record id known from the session (0 for none).
	 * @return array<int, array<string, mixed>>
	 */
	public function live_for_contact( string $session_key, string $phone, string $email, int $id = 0 ): array {
		global $wpdb;
		$table = Schema::recoveries_table();
		$parts = array();
		if ( $id > 0 ) {
			$parts[] = $wpdb->prepare( "SELECT * FROM %i WHERE id = %d AND status IN ('open', 'messaged', 'holdout')", $table, $id );
		}
		if ( '' !== $session_key ) {
			$parts[] = $wpdb->prepare( "SELECT * FROM %i WHERE session_key = %s AND status IN ('open', 'messaged', 'holdout')", $table, $session_key );
		}
		if ( '' !== $phone ) {
			$parts[] = $wpdb->prepare( "SELECT * FROM %i WHERE customer_phone = %s AND status IN ('open', 'messaged', 'holdout')", $table, $phone );
		}
		if ( '' !== $email ) {
			$parts[] = $wpdb->prepare( "SELECT * FROM %i WHERE customer_email = %s AND status IN ('open', 'messaged', 'holdout')", $table, $email );
		}
		if ( array() === $parts ) {
			return array();
		}
		// UNION of indexed lookups (an OR across columns would scan the table).
		$rows = $wpdb->get_results( implode( ' UNION ', $parts ), ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- each part is prepared above.
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * Closes records: a final status, why, and no more scheduling.
	 *
	 * @since 0.2.0
	 *
	 * @param int[]                $ids    Record ids.
	 * @param string               $status Final status.
	 * @param string               $reason Close reason.
	 * @param array<string, mixed> $extra  More columns (recovered_order_id, …), only known ones.
	 * @return int Records changed.
	 */
	public function close( array $ids, string $status, string $reason, array $extra = array() ): int {
		global $wpdb;
		$changed = 0;
		$now     = gmdate( 'Y-m-d H:i:s' );
		foreach ( array_unique( array_map( 'intval', $ids ) ) as $id ) {
			$data = array(
				'status'        => $status,
				'close_reason'  => substr( $reason, 0, 32 ),
				'session_key'   => null,
				'next_check_at' => null,
				'updated_at'    => $now,
			);
			foreach ( array( 'recovered_order_id', 'recovered_revenue_minor', 'recovered_step', 'recovered_at', 'consent', 'revoked_at' ) as $key ) {
				if ( array_key_exists( $key, $extra ) ) {
					$data[ $key ] = $extra[ $key ];
				}
			}
			// Only a live record closes: a recovered record never becomes expired.
			list( $set, $values ) = self::assignments( $data );
			$sql                  = 'UPDATE %i SET ' . $set . " WHERE id = %d AND status IN ('open', 'messaged', 'holdout')";
			$changed             += self::tracked(
				$id,
				$data,
				static fn() => max( 0, (int) $wpdb->query( $wpdb->prepare( $sql, Schema::recoveries_table(), ...array_merge( $values, array( $id ) ) ) ) ) // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- column names are checked in assignments().
			);
		}
		if ( 'opted_out' === $status && $changed > 0 ) {
			PhoneFacts::refresh( PhoneFacts::phones_of_recoveries( $ids ) );
		}
		return $changed;
	}

	/**
	 * When the latest recovery message of a record was queued (UTC), else $fallback.
	 *
	 * @since 0.3.0
	 *
	 * @param int    $id       Record id.
	 * @param string $fallback Value when the log has none (e.g. the record's messaged_at).
	 * @return string
	 */
	public function last_message_at( int $id, string $fallback ): string {
		global $wpdb;
		$at = $wpdb->get_var( $wpdb->prepare( 'SELECT MAX(created_at) FROM %i WHERE recovery_id = %d AND kind = %s', Schema::messages_log_table(), $id, 'recovery' ) );
		return is_string( $at ) && '' !== $at ? $at : $fallback;
	}

	/**
	 * Records the first open of a record's link; true only for the one request that set it
	 * (atomic: two concurrent opens cannot both be first).
	 *
	 * @since 0.3.0
	 *
	 * @param int $id Record id.
	 * @return bool
	 */
	public function claim_first_click( int $id ): bool {
		global $wpdb;
		$now = gmdate( 'Y-m-d H:i:s' );
		return 1 === self::tracked(
			$id,
			array(
				'clicked_at' => $now,
				'updated_at' => $now,
			),
			static fn() => (int) $wpdb->query(
				$wpdb->prepare(
					'UPDATE %i SET clicked_at = %s, updated_at = %s WHERE id = %d AND clicked_at IS NULL',
					Schema::recoveries_table(),
					$now,
					$now,
					$id
				)
			)
		);
	}

	/**
	 * Sets the revenue of the records an order recovered (the order's total may change after
	 * the hook that attributed it).
	 *
	 * @since 0.2.0
	 *
	 * @param int $order_id Order id.
	 * @param int $revenue  Order total in minor units.
	 * @return void
	 */
	public function refresh_revenue( int $order_id, int $revenue ): void {
		global $wpdb;
		if ( $order_id <= 0 ) {
			return;
		}
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				'SELECT id FROM %i WHERE recovered_order_id = %d AND status = %s AND recovered_revenue_minor <> %d',
				Schema::recoveries_table(),
				$order_id,
				'recovered',
				$revenue
			)
		);
		foreach ( array_map( 'intval', (array) $ids ) as $id ) {
			self::tracked(
				$id,
				array( 'recovered_revenue_minor' => $revenue ),
				static fn() => (int) $wpdb->query(
					$wpdb->prepare(
						'UPDATE %i SET recovered_revenue_minor = %d WHERE id = %d AND status = %s',
						Schema::recoveries_table(),
						$revenue,
						$id,
						'recovered'
					)
				)
			);
		}
	}

	/**
	 * Columns whose change moves the dashboard's counters (Stats::cart_vector()).
	 *
	 * @since 0.3.0
	 */
	private const COUNTED = array( 'status', 'holdout', 'messaged_at', 'clicked_at', 'recovered_revenue_minor', 'currency', 'created_at' );

	/**
	 * Runs an UPDATE of one record and, when it changed a counted column, the counters' update in
	 * the same transaction (the row is read FOR UPDATE first, so concurrent writes serialise).
	 *
	 * @since 0.3.0
	 *
	 * @param int                  $id    Record id.
	 * @param array<string, mixed> $data  The columns the write sets.
	 * @param callable(): int      $write The UPDATE; returns rows changed.
	 * @return int Rows changed.
	 */
	private static function tracked( int $id, array $data, callable $write ): int {
		global $wpdb;
		if ( array() === array_intersect( array_keys( $data ), self::COUNTED ) ) {
			return (int) $write();
		}
		return (int) Stats::transaction(
			static function () use ( $wpdb, $id, $data, $write ) {
				$before = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d FOR UPDATE', Schema::recoveries_table(), $id ), ARRAY_A );
				$n      = (int) $write();
				if ( $n > 0 && is_array( $before ) ) {
					Stats::recovery_changed( $before, array_merge( $before, $data ) );
				}
				return $n;
			}
		);
	}

	/**
	 * Updates columns of one record (scheduler bookkeeping).
	 *
	 * @since 0.2.0
	 *
	 * @param int                  $id   Record id.
	 * @param array<string, mixed> $data Column => value (null for NULL).
	 * @return bool
	 */
	public function update( int $id, array $data ): bool {
		global $wpdb;
		$data['updated_at']   = gmdate( 'Y-m-d H:i:s' );
		list( $set, $values ) = self::assignments( $data );
		$sql                  = 'UPDATE %i SET ' . $set . ' WHERE id = %d';
		$ok                   = true;
		self::tracked(
			$id,
			$data,
			static function () use ( $wpdb, $sql, $values, $id, &$ok ) {
				$result = $wpdb->query( $wpdb->prepare( $sql, Schema::recoveries_table(), ...array_merge( $values, array( $id ) ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- column names are checked in assignments().
				$ok     = false !== $result;
				return (int) $result;
			}
		);
		return $ok;
	}

	/**
	 * The record whose unique column equals a value.
	 *
	 * @since 0.2.0
	 *
	 * @param string     $column Column: id, session_key or token_hash.
	 * @param int|string $value  Value.
	 * @return array<string, mixed>|null
	 */
	private static function find_one( string $column, int|string $value ): ?array {
		global $wpdb;
		$row = $wpdb->get_row(
			$wpdb->prepare( 'SELECT * FROM %i WHERE %i = ' . ( is_int( $value ) ? '%d' : '%s' ), Schema::recoveries_table(), $column, $value ), // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- the placeholder is a literal.
			ARRAY_A
		);
		return is_array( $row ) ? $row : null;
	}

	/**
	 * The SET list of an UPDATE and its values: NULL inline, %d for ints, %s otherwise.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $data Column => value; names other than [a-z_] are skipped.
	 * @return array{0: string, 1: array<int, int|string>}
	 */
	private static function assignments( array $data ): array {
		$set    = array();
		$values = array();
		foreach ( $data as $column => $value ) {
			if ( 1 !== preg_match( '/^[a-z_]+$/', (string) $column ) ) {
				continue;
			}
			if ( null === $value ) {
				$set[] = "`{$column}` = NULL";
				continue;
			}
			$set[]    = "`{$column}` = " . ( is_int( $value ) ? '%d' : '%s' );
			$values[] = is_int( $value ) ? $value : (string) $value;
		}
		return array( implode( ', ', $set ), $values );
	}

	/**
	 * Takes a due record for this scheduler run: moves its next_check_at forward only when it
	 * still holds the value this run read, so two runs never both act on it.
	 *
	 * @since 0.2.0
	 *
	 * @param int    $id       Record id.
	 * @param string $seen     The next_check_at this run read.
	 * @param string $lease_to New next_check_at while this run works on it.
	 * @return bool True when this run owns the record.
	 */
	public function lease( int $id, string $seen, string $lease_to ): bool {
		global $wpdb;
		return 1 === $wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET next_check_at = %s WHERE id = %d AND next_check_at = %s',
				Schema::recoveries_table(),
				$lease_to,
				$id,
				$seen
			)
		);
	}

	/**
	 * The heartbeat of a scheduler tick: moves the lease of the records it still holds (their
	 * next_check_at is still its lease) to a later time. Returns the ids it still holds.
	 *
	 * @since 0.1.0
	 *
	 * @param int[]  $ids      Records the tick has not applied yet.
	 * @param string $lease    The tick's current lease (UTC).
	 * @param string $lease_to The renewed lease (UTC).
	 * @return int[]
	 */
	public function renew_lease( array $ids, string $lease, string $lease_to ): array {
		global $wpdb;
		$ids = array_values( array_unique( array_map( 'intval', $ids ) ) );
		if ( array() === $ids || $lease === $lease_to ) {
			return $ids;
		}
		$in = implode( ', ', array_fill( 0, count( $ids ), '%d' ) );
		$wpdb->query( $wpdb->prepare( "UPDATE %i SET next_check_at = %s WHERE next_check_at = %s AND id IN ({$in})", Schema::recoveries_table(), $lease_to, $lease, ...$ids ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $in is placeholders only.
		$kept = $wpdb->get_col( $wpdb->prepare( "SELECT id FROM %i WHERE next_check_at = %s AND id IN ({$in})", Schema::recoveries_table(), $lease_to, ...$ids ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $in is placeholders only.
		return array_map( 'intval', (array) $kept );
	}

	/**
	 * Live records whose next check is due, soonest first (index status_next_check).
	 *
	 * @since 0.2.0
	 *
	 * @param string $now   UTC now.
	 * @param int    $limit Most rows.
	 * @return array<int, array<string, mixed>>
	 */
	public function due( string $now, int $limit ): array {
		global $wpdb;
		$rows = array();
		foreach ( array( 'open', 'messaged' ) as $status ) {
			$part = $wpdb->get_results(
				$wpdb->prepare(
					'SELECT * FROM %i WHERE status = %s AND next_check_at <= %s ORDER BY next_check_at ASC LIMIT %d',
					Schema::recoveries_table(),
					$status,
					$now,
					max( 1, $limit )
				),
				ARRAY_A
			);
			if ( is_array( $part ) ) {
				$rows = array_merge( $rows, $part );
			}
		}
		usort( $rows, static fn( $a, $b ) => strcmp( (string) $a['next_check_at'], (string) $b['next_check_at'] ) );
		return array_slice( $rows, 0, max( 1, $limit ) );
	}
}
