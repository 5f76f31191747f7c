<?php
/**
 * The dashboard's counters, kept on write.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Storage;

defined( 'ABSPATH' ) || exit;

/**
 * `{prefix}cartpinger_stats`: one row per quarter hour (UTC) and currency with the numbers the
 * dashboard adds up, as WooCommerce Analytics keeps `wc_order_stats` instead of scanning orders.
 *
 * A cart counts in the quarter hour it was captured in, a message in the one it was queued in
 * (the same cohorts the dashboard always showed). Every write that changes what a row counts for
 * (a status, messaged_at, clicked_at, holdout, revenue, a message's cost) passes the row before
 * and after to recovery_changed() / message_changed(), which add the difference, in the same
 * transaction as the write (see transaction()). Quarter hours in UTC fit every site time zone
 * (including +5:30 and +5:45) and a DST change, so the rows never need rewriting when the site's
 * time zone changes; a view of 30 days reads 2,880 slots by primary key.
 *
 * rebuild() recomputes everything from the two tables (migration 5, `wp cartpinger stats
 * rebuild`). Rows purged by the retention setting or erased on request keep counting: the
 * counters hold no personal data.
 *
 * @since 0.3.0
 */
final class Stats {

	/**
	 * Unprefixed table name.
	 *
	 * @since 0.3.0
	 */
	public const TABLE = 'cartpinger_stats';

	/**
	 * Seconds per slot.
	 *
	 * @since 0.3.0
	 */
	public const SLOT = 900;

	/**
	 * Counters from the recoveries table.
	 *
	 * @since 0.3.0
	 */
	public const CART_FIELDS = array( 'captured', 'messaged', 'clicked', 'recovered', 'holdout', 'holdout_converted', 'messaged_recovered', 'revenue_minor' );

	/**
	 * Counters from the messages log.
	 *
	 * @since 0.3.0
	 */
	public const MESSAGE_FIELDS = array( 'sent', 'delivered', 'read_n', 'failed', 'reach_delivered', 'reach_read', 'costed', 'cost_micros' );

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
		$table   = self::table();
		$columns = '';
		foreach ( array_merge( self::CART_FIELDS, self::MESSAGE_FIELDS ) as $field ) {
			$columns .= "  {$field} bigint(20) NOT NULL DEFAULT 0,\n";
		}
		return "CREATE TABLE {$table} (
  slot datetime NOT NULL,
  currency char(3) NOT NULL DEFAULT '',
{$columns}  PRIMARY KEY  (slot,currency)
) {$charset_collate};";
	}

	/**
	 * The slot (UTC quarter hour start) of a UTC DATETIME.
	 *
	 * @since 0.3.0
	 *
	 * @param string $utc DATETIME.
	 * @return string|null Null for an empty or zero date.
	 */
	public static function slot( string $utc ): ?string {
		if ( '' === $utc || str_starts_with( $utc, '0000' ) ) {
			return null;
		}
		$ts = strtotime( $utc . ' UTC' );
		return false === $ts ? null : gmdate( 'Y-m-d H:i:s', $ts - ( $ts % self::SLOT ) );
	}

	/**
	 * What one recovery row counts for.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $row Row (created_at, currency, status, holdout, messaged_at, clicked_at, recovered_revenue_minor).
	 * @return array<string, int>
	 */
	public static function cart_vector( array $row ): array {
		$status    = (string) ( $row['status'] ?? '' );
		$holdout   = 1 === (int) ( $row['holdout'] ?? 0 );
		$messaged  = null !== ( $row['messaged_at'] ?? null ) && '' !== (string) $row['messaged_at'];
		$recovered = 'recovered' === $status;
		return array(
			'captured'           => 1,
			'messaged'           => (int) $messaged,
			'clicked'            => (int) ( null !== ( $row['clicked_at'] ?? null ) && '' !== (string) $row['clicked_at'] ),
			'recovered'          => (int) $recovered,
			'holdout'            => (int) $holdout,
			'holdout_converted'  => (int) ( $holdout && 'converted' === $status ),
			'messaged_recovered' => (int) ( ! $holdout && $messaged && $recovered ),
			'revenue_minor'      => $recovered ? (int) ( $row['recovered_revenue_minor'] ?? 0 ) : 0,
		);
	}

	/**
	 * What one message row counts for (status only moves forward: sent → delivered → read).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $row Row (created_at, currency, kind, step, status, cost_micros).
	 * @return array<string, int>
	 */
	public static function message_vector( array $row ): array {
		$status    = (string) ( $row['status'] ?? '' );
		$delivered = in_array( $status, array( 'delivered', 'read' ), true );
		$first     = 'recovery' === ( $row['kind'] ?? '' ) && 1 === (int) ( $row['step'] ?? 0 );
		$cost      = $row['cost_micros'] ?? null;
		return array(
			'sent'            => (int) in_array( $status, array( 'sent', 'delivered', 'read' ), true ),
			'delivered'       => (int) $delivered,
			'read_n'          => (int) ( 'read' === $status ),
			'failed'          => (int) ( 'failed' === $status ),
			'reach_delivered' => (int) ( $first && $delivered ),
			'reach_read'      => (int) ( $first && 'read' === $status ),
			'costed'          => (int) ( null !== $cost ),
			'cost_micros'     => null === $cost ? 0 : (int) $cost,
		);
	}

	/**
	 * Adds what a recovery row's change moved (null before = inserted, null after = nothing).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed>|null $before Row before the write.
	 * @param array<string, mixed>|null $after  Row after the write.
	 * @return void
	 */
	public static function recovery_changed( ?array $before, ?array $after ): void {
		self::changed( $before, $after, array( self::class, 'cart_vector' ) );
	}

	/**
	 * Adds what a message row's change moved.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed>|null $before Row before the write (created_at, currency, kind, step, status, cost_micros).
	 * @param array<string, mixed>|null $after  Row after the write.
	 * @return void
	 */
	public static function message_changed( ?array $before, ?array $after ): void {
		self::changed( $before, $after, array( self::class, 'message_vector' ) );
	}

	/**
	 * One message's status change, by id: reads the row's cohort (primary key) and adds the move
	 * from $old_status to its status now. For callers that changed a status with a compare-and-set
	 * UPDATE … WHERE status = $old_status that hit one row.
	 *
	 * @since 0.3.0
	 *
	 * @param int                  $id         Messages log id.
	 * @param string               $old_status The status the write replaced.
	 * @param array<string, mixed> $old        Other counted columns the write changed, with their
	 *                                         values before it (e.g. cost_micros => null).
	 * @return void
	 */
	public static function message_status_changed( int $id, string $old_status, array $old = array() ): void {
		global $wpdb;
		$row = $wpdb->get_row(
			$wpdb->prepare( 'SELECT created_at, currency, kind, step, status, cost_micros FROM %i WHERE id = %d', Schema::messages_log_table(), $id ),
			ARRAY_A
		);
		if ( ! is_array( $row ) ) {
			return;
		}
		$before           = array_merge( $row, array_intersect_key( $old, array_flip( array( 'cost_micros', 'currency', 'kind', 'step', 'created_at' ) ) ) );
		$before['status'] = $old_status;
		self::message_changed( $before, $row );
	}

	/**
	 * Runs a write and its counter update as one transaction (rolled back if the write throws).
	 *
	 * @since 0.3.0
	 *
	 * @throws \Throwable Whatever the write throws, after the rollback.
	 *
	 * @template T
	 * @param callable(): T $write The write (its queries use $wpdb).
	 * @return T
	 */
	public static function transaction( callable $write ) {
		global $wpdb;
		$wpdb->query( 'START TRANSACTION' );
		try {
			$result = $write();
		} catch ( \Throwable $e ) {
			$wpdb->query( 'ROLLBACK' );
			throw $e;
		}
		$wpdb->query( 'COMMIT' );
		return $result;
	}

	/**
	 * Adds vector(after) - vector(before) to the slots of both rows.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed>|null $before Row before.
	 * @param array<string, mixed>|null $after  Row after.
	 * @param callable                  $vector Row → counters.
	 * @return void
	 */
	private static function changed( ?array $before, ?array $after, callable $vector ): void {
		$deltas = array();
		foreach ( array( array( $before, -1 ), array( $after, 1 ) ) as list( $row, $sign ) ) {
			if ( null === $row ) {
				continue;
			}
			$slot = self::slot( (string) ( $row['created_at'] ?? '' ) );
			if ( null === $slot ) {
				continue;
			}
			$key = $slot . '|' . substr( (string) ( $row['currency'] ?? '' ), 0, 3 );
			foreach ( $vector( $row ) as $field => $value ) {
				$deltas[ $key ][ $field ] = ( $deltas[ $key ][ $field ] ?? 0 ) + $sign * $value;
			}
		}
		foreach ( $deltas as $key => $fields ) {
			$fields = array_filter( $fields );
			if ( array() === $fields ) {
				continue;
			}
			list( $slot, $currency ) = explode( '|', $key, 2 );
			self::add( $slot, $currency, $fields );
		}
	}

	/**
	 * Upserts one slot's deltas.
	 *
	 * @since 0.3.0
	 *
	 * @param string             $slot     Slot DATETIME.
	 * @param string             $currency Currency.
	 * @param array<string, int> $fields   Field => delta (known fields only).
	 * @return void
	 */
	private static function add( string $slot, string $currency, array $fields ): void {
		global $wpdb;
		$known  = array_merge( self::CART_FIELDS, self::MESSAGE_FIELDS );
		$fields = array_intersect_key( $fields, array_flip( $known ) );
		if ( array() === $fields ) {
			return;
		}
		$names  = array_keys( $fields );
		$cols   = implode( ', ', $names );
		$marks  = implode( ', ', array_fill( 0, count( $names ), '%d' ) );
		$update = implode( ', ', array_map( static fn( $f ) => "{$f} = {$f} + VALUES({$f})", $names ) );
		$wpdb->query(
			$wpdb->prepare(
				"INSERT INTO %i (slot, currency, {$cols}) VALUES (%s, %s, {$marks}) ON DUPLICATE KEY UPDATE {$update}", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- known column names only.
				self::table(),
				$slot,
				$currency,
				...array_values( array_map( 'intval', $fields ) )
			)
		);
	}

	/**
	 * The counters of each site day of a range, read by primary key (no GROUP BY: the slots are
	 * summed here, each into the site day it starts in).
	 *
	 * @since 0.3.0
	 *
	 * @param string                               $from   UTC start (inclusive).
	 * @param string                               $to     UTC end (exclusive).
	 * @param array<int, array{0: string, 1: int}> $shifts Offsets in force: [UTC instant it starts, seconds].
	 * @return array<string, array<string, mixed>> Site date => field => int, plus revenue/cost per currency.
	 */
	public static function days( string $from, string $to, array $shifts ): array {
		global $wpdb;
		$fields = array_merge( self::CART_FIELDS, self::MESSAGE_FIELDS );
		// Seconds since the epoch computed by the server (no strtotime() per row), rows in
		// primary-key order (slot ascending), numeric arrays (no per-row array copies).
		$rows   = $wpdb->get_results(
			$wpdb->prepare(
				'SELECT TIMESTAMPDIFF(SECOND, %s, slot) AS ts, currency, ' . implode( ', ', $fields ) . ' FROM %i WHERE slot >= %s AND slot < %s', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- constant column names.
				'1970-01-01 00:00:00',
				self::table(),
				$from,
				$to
			),
			ARRAY_N
		);
		$bounds = array();
		foreach ( $shifts as $shift ) {
			$bounds[] = array( (int) strtotime( $shift[0] . ' UTC' ), (int) $shift[1] );
		}
		$count     = count( $fields );
		$recovered = array_search( 'recovered', $fields, true ) + 2;
		$revenue   = array_search( 'revenue_minor', $fields, true ) + 2;
		$costed    = array_search( 'costed', $fields, true ) + 2;
		$cost      = array_search( 'cost_micros', $fields, true ) + 2;
		$out       = array();
		$day_end   = PHP_INT_MIN;
		$sums      = array();
		$money     = array();
		$date      = '';
		$flush     = static function () use ( &$out, &$sums, &$money, &$date, $fields ) {
			if ( '' !== $date ) {
				$out[ $date ] = array_combine( $fields, $sums ) + $money;
			}
		};
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$ts = (int) $row[0];
			if ( $ts >= $day_end ) {
				// A new site day: its offset is the one in force at this instant.
				$offset = $bounds[0][1] ?? 0;
				foreach ( $bounds as list( $start, $off ) ) {
					if ( $ts >= $start ) {
						$offset = $off;
					}
				}
				$next = gmdate( 'Y-m-d', $ts + $offset );
				if ( $next !== $date ) {
					$flush();
					$date  = $next;
					$sums  = $out[ $date ] ?? null ? array_values( array_intersect_key( $out[ $date ], array_flip( $fields ) ) ) : array_fill( 0, $count, 0 );
					$money = array(
						'revenue' => $out[ $date ]['revenue'] ?? array(),
						'cost'    => $out[ $date ]['cost'] ?? array(),
					);
				}
				// The day ends at the next site midnight (a DST change inside it moves the
				// offset by an hour at most: days are re-checked at that boundary as well).
				$day_end = (int) strtotime( $date . ' 00:00:00 UTC' ) + DAY_IN_SECONDS - $offset;
				foreach ( $bounds as list( $start ) ) {
					if ( $start > $ts && $start < $day_end ) {
						$day_end = $start;
					}
				}
			}
			for ( $i = 0; $i < $count; $i++ ) {
				$sums[ $i ] += (int) $row[ $i + 2 ];
			}
			$currency = (string) $row[1];
			if ( (int) $row[ $recovered ] > 0 ) {
				$money['revenue'][ $currency ] = ( $money['revenue'][ $currency ] ?? 0 ) + (int) $row[ $revenue ];
			}
			if ( (int) $row[ $costed ] > 0 ) {
				$money['cost'][ $currency ] = ( $money['cost'][ $currency ] ?? 0 ) + (int) $row[ $cost ];
			}
		}
		$flush();
		return $out;
	}

	/**
	 * Recomputes every counter from the two tables, one UTC day at a time (each day in its own
	 * transaction: its slots are deleted and summed again, so writes meanwhile are not lost).
	 *
	 * @since 0.3.0
	 *
	 * @param callable|null $progress Called with (day, days done, days) after each day.
	 * @return array{days: int, slots: int} Days rebuilt, slots written.
	 */
	public static function rebuild( ?callable $progress = null ): array {
		global $wpdb;
		$recoveries = Schema::recoveries_table();
		$messages   = Schema::messages_log_table();
		$first      = array_filter(
			array(
				(string) $wpdb->get_var( $wpdb->prepare( 'SELECT MIN(created_at) FROM %i', $recoveries ) ),
				(string) $wpdb->get_var( $wpdb->prepare( 'SELECT MIN(created_at) FROM %i', $messages ) ),
			),
			static fn( $d ) => '' !== $d && ! str_starts_with( $d, '0000' )
		);
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', self::table() ) );
		if ( array() === $first ) {
			return array(
				'days'  => 0,
				'slots' => 0,
			);
		}
		$last  = array(
			(string) $wpdb->get_var( $wpdb->prepare( 'SELECT MAX(created_at) FROM %i', $recoveries ) ),
			(string) $wpdb->get_var( $wpdb->prepare( 'SELECT MAX(created_at) FROM %i', $messages ) ),
		);
		$start = (int) strtotime( substr( min( $first ), 0, 10 ) . ' 00:00:00 UTC' );
		$end   = max( time(), (int) strtotime( max( $last ) . ' UTC' ) ) + DAY_IN_SECONDS;
		$total = (int) ceil( ( $end - $start ) / DAY_IN_SECONDS );
		$slot  = 'created_at - INTERVAL (MINUTE(created_at) % 15) MINUTE - INTERVAL SECOND(created_at) SECOND';
		$days  = 0;
		for ( $day = $start; $day < $end; $day += DAY_IN_SECONDS ) {
			$from = gmdate( 'Y-m-d H:i:s', $day );
			$to   = gmdate( 'Y-m-d H:i:s', $day + DAY_IN_SECONDS );
			self::transaction(
				static function () use ( $wpdb, $recoveries, $messages, $from, $to, $slot ) {
					$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE slot >= %s AND slot < %s', self::table(), $from, $to ) );
					$wpdb->query(
						$wpdb->prepare(
							// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- {$slot} is a constant SQL expression (the quarter-hour of created_at); every value goes through prepare().
							"INSERT INTO %i (slot, currency, captured, messaged, clicked, recovered, holdout, holdout_converted, messaged_recovered, revenue_minor)
							SELECT {$slot} AS s, currency, COUNT(*), SUM(messaged_at IS NOT NULL), SUM(clicked_at IS NOT NULL), SUM(status = 'recovered'),
								SUM(holdout = 1), SUM(holdout = 1 AND status = 'converted'), SUM(holdout = 0 AND messaged_at IS NOT NULL AND status = 'recovered'),
								SUM(IF(status = 'recovered', recovered_revenue_minor, 0))
							FROM %i WHERE created_at >= %s AND created_at < %s GROUP BY s, currency",
							// phpcs:enable WordPress.DB.PreparedSQL.InterpolatedNotPrepared
							self::table(),
							$recoveries,
							$from,
							$to
						)
					);
					$wpdb->query(
						$wpdb->prepare(
							// phpcs:disable WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- {$slot} is a constant SQL expression (the quarter-hour of created_at); every value goes through prepare().
							"INSERT INTO %i (slot, currency, sent, delivered, read_n, failed, reach_delivered, reach_read, costed, cost_micros)
							SELECT {$slot} AS s, currency, SUM(status IN ('sent', 'delivered', 'read')), SUM(status IN ('delivered', 'read')), SUM(status = 'read'),
								SUM(status = 'failed'), SUM(kind = 'recovery' AND step = 1 AND status IN ('delivered', 'read')),
								SUM(kind = 'recovery' AND step = 1 AND status = 'read'), SUM(cost_micros IS NOT NULL), COALESCE(SUM(cost_micros), 0)
							FROM %i WHERE created_at >= %s AND created_at < %s GROUP BY s, currency
							ON DUPLICATE KEY UPDATE sent = VALUES(sent), delivered = VALUES(delivered), read_n = VALUES(read_n), failed = VALUES(failed),
								reach_delivered = VALUES(reach_delivered), reach_read = VALUES(reach_read), costed = VALUES(costed), cost_micros = VALUES(cost_micros)",
								// phpcs:enable WordPress.DB.PreparedSQL.InterpolatedNotPrepared
							self::table(),
							$messages,
							$from,
							$to
						)
					);
				}
			);
			++$days;
			if ( null !== $progress ) {
				$progress( $from, $days, $total );
			}
		}
		return array(
			'days'  => $days,
			'slots' => (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', self::table() ) ),
		);
	}
}
