<?php
/**
 * The numbers behind the CartPinger Dashboard (every query it runs lives here).
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Storage;

defined( 'ABSPATH' ) || exit;

/**
 * Per-site-day numbers (settled days cached), totals, the funnel, the holdout comparison, and
 * the paged recent lists. No HTML: Admin\DashboardPage renders views/dashboard.php with them.
 *
 * @since 0.3.0
 */
final class DashboardStats {

	/**
	 * Ranges offered, in days.
	 *
	 * @since 0.3.0
	 */
	public const RANGES = array( 7, 30, 90 );

	/**
	 * Rows per page in the recent lists.
	 *
	 * @since 0.3.0
	 */
	public const PER_PAGE = 50;

	/**
	 * Most rows a recent list counts (200 pages of 50).
	 *
	 * @since 0.3.0
	 */
	public const MAX_COUNTED = 10000;

	/**
	 * The UTC bounds and site days of a range ending today (site time).
	 *
	 * @since 0.2.0
	 *
	 * @param int      $days Days (7, 30 or 90; anything else becomes 30).
	 * @param int|null $now  Unix time (tests); null = now.
	 * @return array{days: int, from: string, to: string, offset: int, shifts: array<int, array{0: string, 1: int}>, dates: string[]}
	 */
	public static function range( int $days, ?int $now = null ): array {
		return self::span( in_array( $days, self::RANGES, true ) ? $days : 30, $now );
	}

	/**
	 * The UTC bounds and site days of the last $days site days (any length).
	 *
	 * @since 0.2.0
	 *
	 * @param int      $days Days (at least 1).
	 * @param int|null $now  Unix time; null = now.
	 * @return array{days: int, from: string, to: string, offset: int, shifts: array<int, array{0: string, 1: int}>, dates: string[]}
	 */
	private static function span( int $days, ?int $now = null ): array {
		$days  = max( 1, $days );
		$zone  = wp_timezone();
		$local = ( new \DateTimeImmutable( '@' . ( $now ?? time() ) ) )->setTimezone( $zone );
		$start = $local->setTime( 0, 0 )->modify( '-' . ( $days - 1 ) . ' days' );
		$end   = $local->setTime( 0, 0 )->modify( '+1 day' );
		$utc   = new \DateTimeZone( 'UTC' );
		$dates = array();
		for ( $d = $start; $d < $end; $d = $d->modify( '+1 day' ) ) {
			$dates[] = $d->format( 'Y-m-d' );
		}
		// Offsets in force inside the range: [UTC instant it starts, seconds]; the first from the start.
		$shifts      = array( array( $start->setTimezone( $utc )->format( 'Y-m-d H:i:s' ), $zone->getOffset( $start ) ) );
		$transitions = $zone->getTransitions( $start->getTimestamp() + 1, $end->getTimestamp() );
		foreach ( is_array( $transitions ) ? $transitions : array() as $t ) {
			$last = $shifts[ count( $shifts ) - 1 ];
			if ( (int) $t['ts'] > $start->getTimestamp() && (int) $t['offset'] !== $last[1] ) {
				$shifts[] = array( gmdate( 'Y-m-d H:i:s', (int) $t['ts'] ), (int) $t['offset'] );
			}
		}
		return array(
			'days'   => $days,
			'from'   => $start->setTimezone( $utc )->format( 'Y-m-d H:i:s' ),
			'to'     => $end->setTimezone( $utc )->format( 'Y-m-d H:i:s' ),
			'offset' => $zone->getOffset( $local ),
			'shifts' => $shifts,
			'dates'  => $dates,
		);
	}

	/**
	 * Per-day numbers the dashboard adds up.
	 *
	 * @since 0.2.0
	 */
	private const DAY_FIELDS = array( 'captured', 'messaged', 'clicked', 'recovered', 'holdout', 'holdout_converted', 'messaged_recovered', 'sent', 'delivered', 'read', 'failed' );

	/**
	 * A day with nothing.
	 *
	 * @since 0.2.0
	 *
	 * @return array<string, mixed>
	 */
	private static function empty_day(): array {
		return array_fill_keys( self::DAY_FIELDS, 0 ) + array(
			'reach_delivered' => 0,
			'reach_read'      => 0,
			'revenue'         => array(),
			'cost'            => array(),
		);
	}

	/**
	 * The numbers of each site day of a range, from the counters kept on write (Stats): one
	 * primary-key range read of the range's quarter hours, whatever the size of the tables.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $range Result of range().
	 * @return array<string, array<string, mixed>> Site date => numbers.
	 */
	private static function daily( array $range ): array {
		$out = array();
		foreach ( Stats::days( $range['from'], $range['to'], $range['shifts'] ) as $date => $counts ) {
			$day = self::empty_day();
			foreach ( self::DAY_FIELDS as $field ) {
				$day[ $field ] = (int) ( $counts[ 'read' === $field ? 'read_n' : $field ] ?? 0 );
			}
			$day['reach_delivered'] = (int) ( $counts['reach_delivered'] ?? 0 );
			$day['reach_read']      = (int) ( $counts['reach_read'] ?? 0 );
			$day['revenue']         = $counts['revenue'];
			$day['cost']            = $counts['cost'];
			$out[ $date ]           = $day;
		}
		return $out;
	}

	/**
	 * Builds every number the page shows for a range (no HTML).
	 *
	 * One read of the counters table (Stats): carts per day, messages per day, carts with a
	 * delivered or read first reminder, revenue and Meta cost by currency.
	 *
	 * @since 0.2.0
	 *
	 * @param int      $days Range in days.
	 * @param int|null $now  Unix time (tests); null = now.
	 * @return array<string, mixed>
	 */
	public static function data( int $days, ?int $now = null ): array {
		$range   = self::range( $days, $now );
		$fields  = self::DAY_FIELDS;
		$daily   = self::daily( $range );
		$series  = array();
		$totals  = array_fill_keys( $fields, 0 );
		$reach   = array(
			'delivered' => 0,
			'read_n'    => 0,
		);
		$revenue = array();
		$cost    = array();
		foreach ( $range['dates'] as $date ) {
			$day             = $daily[ $date ] ?? self::empty_day();
			$series[ $date ] = array_intersect_key( $day, array_flip( $fields ) );
			foreach ( $fields as $f ) {
				$totals[ $f ] += (int) $day[ $f ];
			}
			$reach['delivered'] += (int) $day['reach_delivered'];
			$reach['read_n']    += (int) $day['reach_read'];
			foreach ( $day['revenue'] as $currency => $minor ) {
				$revenue[ $currency ] = ( $revenue[ $currency ] ?? 0 ) + (int) $minor;
			}
			foreach ( $day['cost'] as $currency => $micros ) {
				$cost[ $currency ] = ( $cost[ $currency ] ?? 0 ) + (int) $micros;
			}
		}

		ksort( $revenue );
		ksort( $cost );

		// Holdout carts are never messaged: every messaged cart is in the messaged group.
		$messaged_carts = $totals['messaged'];
		return array(
			'range'   => $range,
			'kpis'    => array(
				'captured'      => $totals['captured'],
				'sent'          => $totals['sent'],
				'delivered'     => $totals['delivered'],
				'read'          => $totals['read'],
				'failed'        => $totals['failed'],
				'recovered'     => $totals['recovered'],
				'recovery_rate' => $totals['messaged'] > 0 ? $totals['recovered'] / $totals['messaged'] : null,
			),
			'revenue' => $revenue,
			'cost'    => $cost,
			'funnel'  => array(
				'captured'  => $totals['captured'],
				'messaged'  => $totals['messaged'],
				'delivered' => (int) ( $reach['delivered'] ?? 0 ),
				'read'      => (int) ( $reach['read_n'] ?? 0 ),
				'clicked'   => $totals['clicked'],
				'ordered'   => $totals['recovered'],
			),
			'holdout' => $totals['holdout'] > 0 ? array(
				'holdout_carts'     => $totals['holdout'],
				'holdout_converted' => $totals['holdout_converted'],
				'holdout_rate'      => $totals['holdout_converted'] / $totals['holdout'],
				'messaged_carts'    => $messaged_carts,
				'messaged_ordered'  => $totals['messaged_recovered'],
				'messaged_rate'     => $messaged_carts > 0 ? $totals['messaged_recovered'] / $messaged_carts : null,
			) : null,
			'series'  => $series,
		);
	}

	/**
	 * Recent carts or messages, newest first, 50 a page.
	 *
	 * @since 0.2.0
	 *
	 * @param string $which    Either "carts" or "messages".
	 * @param array  $filters  Keys status (string), step (int, messages only; -1 = any).
	 * @param int    $page     Page, from 1.
	 * @param int    $per_page Rows a page.
	 * @return array{rows: array<int, array<string, mixed>>, total: int, pages: int}
	 */
	public static function recent( string $which, array $filters, int $page, int $per_page = self::PER_PAGE ): array {
		global $wpdb;
		$page   = max( 1, $page );
		$where  = array( '1=1' );
		$params = array();
		$status = (string) ( $filters['status'] ?? '' );
		if ( '' !== $status ) {
			$where[]  = 'status = %s';
			$params[] = $status;
		}
		if ( 'messages' === $which ) {
			$table   = Schema::messages_log_table();
			$columns = 'id, recovery_id, kind, step, template, language, phone, status, attempts, error_code, error_message, created_at, sent_at, delivered_at, read_at, failed_at';
			$kind    = (string) ( $filters['kind'] ?? '' );
			if ( in_array( $kind, array( 'recovery', 'order' ), true ) ) {
				$where[]  = 'kind = %s';
				$params[] = $kind;
			}
			$step = (int) ( $filters['step'] ?? -1 );
			if ( $step >= 0 ) {
				$where[]  = 'step = %d';
				$params[] = $step;
			}
		} else {
			$table   = Schema::recoveries_table();
			$columns = 'id, created_at, status, close_reason, hold_reason, sequence_step, customer_phone, customer_name, cart_total_minor, currency, recovered_order_id, recovered_revenue_minor, holdout';
		}
		$sql = implode( ' AND ', $where );
		// Counted up to MAX_COUNTED rows, newest first along the primary key (a COUNT(*) of a
		// 10 M-row log would scan all of it on every view); the pager stops there.
		$total = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM (SELECT id FROM %i WHERE id > 0 AND {$sql} ORDER BY id DESC LIMIT %d) AS newest", $table, ...array_merge( $params, array( self::MAX_COUNTED ) ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $sql joins fixed conditions with %s/%d placeholders only; values go to prepare().
		$rows  = $wpdb->get_results(
			$wpdb->prepare( "SELECT {$columns} FROM %i WHERE id > 0 AND {$sql} ORDER BY id DESC LIMIT %d OFFSET %d", $table, ...array_merge( $params, array( $per_page, ( $page - 1 ) * $per_page ) ) ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- $columns is one of two constant lists; $sql holds placeholder-only conditions.
			ARRAY_A
		);
		return array(
			'rows'  => is_array( $rows ) ? $rows : array(),
			'total' => $total,
			'pages' => max( 1, (int) ceil( $total / $per_page ) ),
		);
	}


	/**
	 * Carts by lifecycle status, all time.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, int> Status => count.
	 */
	public static function status_counts(): array {
		global $wpdb;
		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT status, COUNT(*) AS n FROM %i GROUP BY status', Schema::recoveries_table() ), ARRAY_A );
		$by   = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$by[ (string) $row['status'] ] = (int) $row['n'];
		}
		return $by;
	}

	/**
	 * Open carts held because Meta does not deliver marketing templates to US numbers.
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function held_us(): int {
		global $wpdb;
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i WHERE status = %s AND hold_reason = %s', Schema::recoveries_table(), 'open', 'us_marketing' ) );
	}
}
