<?php
/**
 * The CartPinger Dashboard page: KPIs, per-day chart, funnel, holdout comparison, recent lists.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Queue\Runner;
use CartPinger\Storage\Schema;
use CartPinger\Storage\Stats;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Renders the Dashboard (slug "cartpinger") and enqueues its chart.
 *
 * Every DATETIME column holds UTC; the range and the per-day buckets follow the site's time
 * zone, DST changes included: each row is shifted by the offset in force at its instant
 * (a CASE over the zone's transitions inside the range) before DATE(). The aggregate queries
 * filter on the indexed created_at of one table and group by that day.
 *
 * @since 0.2.0
 */
final class DashboardPage implements RegistersHooks {

	/**
	 * The ranges offered, in days.
	 *
	 * @since 0.2.0
	 */
	public const RANGES = array( 7, 30, 90 );

	/**
	 * Rows per page in the recent lists.
	 *
	 * @since 0.2.0
	 */
	public const PER_PAGE = 50;

	/**
	 * Hook suffix WordPress gives the top-level page.
	 *
	 * @since 0.2.0
	 */
	public const HOOK_SUFFIX = 'toplevel_page_cartpinger';

	/**
	 * Bundled uPlot version (assets/vendor/uplot/).
	 *
	 * @since 0.2.0
	 */
	public const UPLOT_VERSION = '1.6.32';

	/**
	 * Cart statuses (docs/recovery.md, "Lifecycle").
	 *
	 * @since 0.2.0
	 */
	public const CART_STATUSES = array( 'open', 'messaged', 'recovered', 'converted', 'holdout', 'expired', 'opted_out' );

	/**
	 * Message statuses of the queue.
	 *
	 * @since 0.2.0
	 */
	public const MESSAGE_STATUSES = array( 'pending', 'claimed', 'sent', 'failed', 'expired', 'cancelled', 'unknown' );

	/**
	 * Hooks the assets.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
	}

	/**
	 * Enqueues uPlot and the dashboard script on the Dashboard only.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param string $hook_suffix Current admin page.
	 * @return void
	 */
	public function enqueue( $hook_suffix ): void {
		if ( self::HOOK_SUFFIX !== $hook_suffix ) {
			return;
		}
		wp_enqueue_style( 'cartpinger-uplot', plugins_url( 'assets/vendor/uplot/uPlot.min.css', CARTPINGER_PLUGIN_FILE ), array(), self::UPLOT_VERSION );
		wp_enqueue_script( 'cartpinger-uplot', plugins_url( 'assets/vendor/uplot/uPlot.iife.min.js', CARTPINGER_PLUGIN_FILE ), array(), self::UPLOT_VERSION, true );
		wp_enqueue_script( 'cartpinger-admin-dashboard', plugins_url( 'assets/js/admin-dashboard.js', CARTPINGER_PLUGIN_FILE ), array( 'cartpinger-uplot' ), CARTPINGER_VERSION, true );
	}

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
	 * @param string $which   Either "carts" or "messages".
	 * @param array  $filters Keys status (string), step (int, messages only; -1 = any).
	 * @param int    $page    Page, from 1.
	 * @return array{rows: array<int, array<string, mixed>>, total: int, pages: int}
	 */
	public static function recent( string $which, array $filters, int $page ): array {
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
			$step    = (int) ( $filters['step'] ?? -1 );
			if ( $step >= 0 ) {
				$where[]  = 'step = %d';
				$params[] = $step;
			}
		} else {
			$table   = Schema::recoveries_table();
			$columns = 'id, created_at, status, close_reason, hold_reason, sequence_step, customer_phone, customer_name, cart_total_minor, currency, recovered_order_id, recovered_revenue_minor, holdout';
		}
		$sql   = implode( ' AND ', $where );
		$total = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM %i WHERE {$sql}", $table, ...$params ) ); // phpcs:ignore -- $sql holds placeholders only.
		$rows  = $wpdb->get_results(
			$wpdb->prepare( "SELECT {$columns} FROM %i WHERE {$sql} ORDER BY id DESC LIMIT %d OFFSET %d", $table, ...array_merge( $params, array( self::PER_PAGE, ( $page - 1 ) * self::PER_PAGE ) ) ), // phpcs:ignore -- constant column list, placeholder-only conditions.
			ARRAY_A
		);
		return array(
			'rows'  => is_array( $rows ) ? $rows : array(),
			'total' => $total,
			'pages' => max( 1, (int) ceil( $total / self::PER_PAGE ) ),
		);
	}

	/**
	 * Renders the page.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function render(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'cartpinger-for-woocommerce' ), 403 );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only filters.
		$days        = isset( $_GET['range'] ) ? (int) $_GET['range'] : 30;
		$cart_status = isset( $_GET['cart_status'] ) ? sanitize_key( wp_unslash( $_GET['cart_status'] ) ) : '';
		$msg_status  = isset( $_GET['msg_status'] ) ? sanitize_key( wp_unslash( $_GET['msg_status'] ) ) : '';
		$step        = isset( $_GET['step'] ) && '' !== $_GET['step'] ? (int) $_GET['step'] : -1;
		$cpage       = isset( $_GET['cpage'] ) ? (int) $_GET['cpage'] : 1;
		$mpage       = isset( $_GET['mpage'] ) ? (int) $_GET['mpage'] : 1;
		// phpcs:enable
		$cart_status = in_array( $cart_status, self::CART_STATUSES, true ) ? $cart_status : '';
		$msg_status  = in_array( $msg_status, self::MESSAGE_STATUSES, true ) ? $msg_status : '';
		$step        = $step >= 0 && $step <= 3 ? $step : -1;
		$data        = self::data( $days );
		$days        = $data['range']['days'];

		echo '<div class="wrap cartpinger-admin cartpinger-dashboard"><h1>' . esc_html__( 'CartPinger Dashboard', 'cartpinger-for-woocommerce' ) . '</h1>';
		$this->render_heartbeat();
		$this->render_toolbar( $days );
		$this->render_kpis( $data );
		echo '<h2>' . esc_html__( 'Per day', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<div id="cartpinger-chart" class="cartpinger-chart" style="max-width:960px;min-height:300px"></div>';
		printf( '<script type="application/json" id="cartpinger-dashboard-data">%s</script>', wp_json_encode( $this->chart_payload( $data ), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ) );
		$this->render_funnel( $data['funnel'] );
		$this->render_holdout( $data['holdout'] );
		$this->render_recovery_counts();
		$this->render_recent_carts( $days, $cart_status, $cpage );
		$this->render_recent_messages( $days, $msg_status, $step, $mpage );
		echo '</div>';
	}

	/**
	 * The chart's data: x = site days as Unix time at UTC midnight, one array per series.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $data Page data.
	 * @return array<string, mixed>
	 */
	private function chart_payload( array $data ): array {
		$names  = array(
			'captured'  => __( 'Carts captured', 'cartpinger-for-woocommerce' ),
			'sent'      => __( 'Messages sent', 'cartpinger-for-woocommerce' ),
			'delivered' => __( 'Delivered', 'cartpinger-for-woocommerce' ),
			'read'      => __( 'Read', 'cartpinger-for-woocommerce' ),
			'failed'    => __( 'Failed', 'cartpinger-for-woocommerce' ),
			'recovered' => __( 'Recovered', 'cartpinger-for-woocommerce' ),
		);
		$x      = array();
		$series = array_fill_keys( array_keys( $names ), array() );
		foreach ( $data['series'] as $date => $day ) {
			$x[] = (int) strtotime( $date . ' 00:00:00 UTC' );
			foreach ( array_keys( $names ) as $key ) {
				$series[ $key ][] = $day[ $key ];
			}
		}
		$out = array(
			'x'      => $x,
			'series' => array(),
		);
		foreach ( $names as $key => $label ) {
			$out['series'][] = array(
				'key'   => $key,
				'label' => $label,
				'data'  => $series[ $key ],
			);
		}
		return $out;
	}

	/**
	 * Range picker and the export button.
	 *
	 * @since 0.2.0
	 *
	 * @param int $days Current range.
	 * @return void
	 */
	private function render_toolbar( int $days ): void {
		echo '<div class="cartpinger-toolbar" style="display:flex;gap:1em;align-items:center;margin:1em 0"><span class="cartpinger-range subsubsub" style="margin:0">';
		$links = array();
		foreach ( self::RANGES as $n ) {
			$url = add_query_arg(
				array(
					'page'  => Menu::SLUG_DASHBOARD,
					'range' => $n,
				),
				admin_url( 'admin.php' )
			);
			/* translators: %d: number of days. */
			$label   = sprintf( _n( 'Last %d day', 'Last %d days', $n, 'cartpinger-for-woocommerce' ), $n );
			$links[] = sprintf( '<a href="%1$s" data-range="%2$d"%3$s>%4$s</a>', esc_url( $url ), $n, $n === $days ? ' class="current" aria-current="page"' : '', esc_html( $label ) );
		}
		echo implode( ' | ', $links ); // phpcs:ignore -- built from escaped parts above.
		echo '</span>';
		printf(
			'<form method="post" action="%1$s" style="margin:0"><input type="hidden" name="action" value="%2$s">%3$s<button type="submit" class="button cartpinger-export">%4$s</button></form>',
			esc_url( admin_url( 'admin-post.php' ) ),
			esc_attr( Export::ACTION ),
			wp_nonce_field( Export::NONCE, '_wpnonce', true, false ),
			esc_html__( 'Export carts (CSV)', 'cartpinger-for-woocommerce' )
		);
		echo '</div>';
	}

	/**
	 * KPI boxes.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $data Page data.
	 * @return void
	 */
	private function render_kpis( array $data ): void {
		$k     = $data['kpis'];
		$boxes = array(
			'captured'      => array( __( 'Abandoned carts captured', 'cartpinger-for-woocommerce' ), number_format_i18n( $k['captured'] ) ),
			'sent'          => array( __( 'Messages sent', 'cartpinger-for-woocommerce' ), number_format_i18n( $k['sent'] ) ),
			'delivered'     => array( __( 'Delivered', 'cartpinger-for-woocommerce' ), number_format_i18n( $k['delivered'] ) ),
			'read'          => array( __( 'Read', 'cartpinger-for-woocommerce' ), number_format_i18n( $k['read'] ) ),
			'failed'        => array( __( 'Failed', 'cartpinger-for-woocommerce' ), number_format_i18n( $k['failed'] ) ),
			'recovered'     => array( __( 'Recovered carts', 'cartpinger-for-woocommerce' ), number_format_i18n( $k['recovered'] ) ),
			'recovery_rate' => array( __( 'Recovery rate (of messaged carts)', 'cartpinger-for-woocommerce' ), null === $k['recovery_rate'] ? '–' : number_format_i18n( 100 * $k['recovery_rate'], 1 ) . ' %' ),
		);
		$money = array();
		foreach ( $data['revenue'] as $currency => $minor ) {
			$money[] = self::money( $minor, $currency );
		}
		$boxes['revenue'] = array( __( 'Recovered revenue', 'cartpinger-for-woocommerce' ), array() === $money ? '0' : implode( ' + ', $money ) );
		if ( array() !== $data['cost'] ) {
			$cost = array();
			foreach ( $data['cost'] as $currency => $micros ) {
				$cost[] = number_format_i18n( $micros / 1000000, 4 ) . ' ' . $currency;
			}
			$boxes['cost'] = array( __( 'Meta cost', 'cartpinger-for-woocommerce' ), implode( ' + ', $cost ) );
		}
		echo '<div class="cartpinger-kpis" style="display:flex;flex-wrap:wrap;gap:12px;margin:1em 0">';
		foreach ( $boxes as $key => $box ) {
			printf(
				'<div class="cartpinger-kpi card" data-kpi="%1$s" style="margin:0;min-width:150px;padding:8px 12px"><div class="cartpinger-kpi-label">%2$s</div><div class="cartpinger-kpi-value" style="font-size:1.6em;font-weight:600">%3$s</div></div>',
				esc_attr( $key ),
				esc_html( $box[0] ),
				esc_html( $box[1] )
			);
		}
		echo '</div>';
	}

	/**
	 * An amount in minor units, with the store's decimals and the ISO currency.
	 *
	 * @since 0.2.0
	 *
	 * @param int    $minor    Minor units.
	 * @param string $currency ISO currency.
	 * @return string
	 */
	public static function money( int $minor, string $currency ): string {
		$decimals = function_exists( 'wc_get_price_decimals' ) ? (int) wc_get_price_decimals() : 2;
		return number_format_i18n( $minor / ( 10 ** $decimals ), $decimals ) . ' ' . $currency;
	}

	/**
	 * The funnel: captured → messaged → delivered → read → clicked → ordered.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, int> $funnel Counts.
	 * @return void
	 */
	private function render_funnel( array $funnel ): void {
		$labels = array(
			'captured'  => __( 'Captured', 'cartpinger-for-woocommerce' ),
			'messaged'  => __( 'Messaged', 'cartpinger-for-woocommerce' ),
			'delivered' => __( 'Delivered', 'cartpinger-for-woocommerce' ),
			'read'      => __( 'Read', 'cartpinger-for-woocommerce' ),
			'clicked'   => __( 'Clicked', 'cartpinger-for-woocommerce' ),
			'ordered'   => __( 'Ordered', 'cartpinger-for-woocommerce' ),
		);
		$top    = max( 1, $funnel['captured'] );
		echo '<h2>' . esc_html__( 'Funnel (carts captured in the range)', 'cartpinger-for-woocommerce' ) . '</h2><table class="widefat striped cartpinger-funnel" style="max-width:40em"><tbody>';
		foreach ( $labels as $key => $label ) {
			$pct = 100 * $funnel[ $key ] / $top;
			printf(
				'<tr data-step="%1$s"><td>%2$s</td><td>%3$s</td><td style="width:50%%"><div style="background:#2271b1;height:12px;width:%4$s%%"></div></td><td>%5$s %%</td></tr>',
				esc_attr( $key ),
				esc_html( $label ),
				esc_html( number_format_i18n( $funnel[ $key ] ) ),
				esc_attr( number_format( $pct, 1, '.', '' ) ),
				esc_html( number_format_i18n( $pct, 1 ) )
			);
		}
		echo '</tbody></table>';
	}

	/**
	 * Holdout vs messaged conversion, when the range has holdout carts.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed>|null $h Comparison.
	 * @return void
	 */
	private function render_holdout( ?array $h ): void {
		if ( null === $h ) {
			return;
		}
		$rate = static function ( $r ): string {
			return null === $r ? '–' : number_format_i18n( 100 * $r, 1 ) . ' %';
		};
		echo '<h2>' . esc_html__( 'Holdout comparison', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<table class="widefat striped cartpinger-holdout" style="max-width:40em"><thead><tr><th></th><th>' . esc_html__( 'Carts', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Ordered', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Conversion', 'cartpinger-for-woocommerce' ) . '</th></tr></thead><tbody>';
		printf( '<tr data-group="messaged"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>', esc_html__( 'Messaged', 'cartpinger-for-woocommerce' ), esc_html( number_format_i18n( $h['messaged_carts'] ) ), esc_html( number_format_i18n( $h['messaged_ordered'] ) ), esc_html( $rate( $h['messaged_rate'] ) ) );
		printf( '<tr data-group="holdout"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>', esc_html__( 'Holdout (never messaged)', 'cartpinger-for-woocommerce' ), esc_html( number_format_i18n( $h['holdout_carts'] ) ), esc_html( number_format_i18n( $h['holdout_converted'] ) ), esc_html( $rate( $h['holdout_rate'] ) ) );
		echo '</tbody></table>';
	}

	/**
	 * The queue heartbeat (same output as the original dashboard).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_heartbeat(): void {
		$last = get_option( Runner::LAST_RUN_OPTION, array() );
		if ( ! is_array( $last ) || ! is_string( $last['at'] ?? null ) ) {
			echo '<p class="cartpinger-heartbeat">' . esc_html__( 'The message queue has not run yet. It runs every minute through Action Scheduler or WP-Cron, or with "wp cartpinger queue run".', 'cartpinger-for-woocommerce' ) . '</p>';
			return;
		}
		$at = (int) strtotime( $last['at'] . ' UTC' );
		printf(
			'<p class="cartpinger-heartbeat">%s</p>',
			esc_html(
				sprintf(
					/* translators: 1: how long ago (e.g. "2 mins"), 2: date and time in the site's time zone, 3: number of messages sent in that run. */
					__( 'Message queue last ran %1$s ago (%2$s) and sent %3$d messages.', 'cartpinger-for-woocommerce' ),
					human_time_diff( $at, time() ),
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $at ),
					(int) ( $last['sent'] ?? 0 )
				)
			)
		);
		if ( time() - $at > 10 * MINUTE_IN_SECONDS ) {
			echo '<div class="notice notice-warning inline"><p>' . esc_html__( 'The queue has not run for more than 10 minutes: check that WP-Cron or Action Scheduler runs on this site, or add a server cron job running "wp cartpinger queue run" every minute.', 'cartpinger-for-woocommerce' ) . '</p></div>';
		}
	}

	/**
	 * Carts by lifecycle status, all time (same rows as the original dashboard).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_recovery_counts(): void {
		global $wpdb;
		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT status, COUNT(*) AS n FROM %i GROUP BY status', Schema::recoveries_table() ), ARRAY_A );
		$by   = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$by[ (string) $row['status'] ] = (int) $row['n'];
		}
		echo '<h2>' . esc_html__( 'All carts by status', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<table class="widefat striped cartpinger-counts" style="max-width:40em"><thead><tr><th>' . esc_html__( 'Carts', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Count', 'cartpinger-for-woocommerce' ) . '</th></tr></thead><tbody>';
		foreach ( self::status_labels() as $status => $label ) {
			printf( '<tr data-status="%s"><td>%s</td><td>%s</td></tr>', esc_attr( $status ), esc_html( $label ), esc_html( number_format_i18n( $by[ $status ] ?? 0 ) ) );
		}
		echo '</tbody></table>';
		$held = (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i WHERE status = %s AND hold_reason = %s', Schema::recoveries_table(), 'open', 'us_marketing' ) );
		if ( $held > 0 ) {
			printf(
				'<div class="notice notice-info inline cartpinger-held"><p>%s</p></div>',
				esc_html(
					sprintf(
						/* translators: %d: number of carts. */
						_n(
							'%d cart is on hold: Meta does not deliver marketing templates, such as the cart reminders, to US (+1) numbers. It is checked again daily.',
							'%d carts are on hold: Meta does not deliver marketing templates, such as the cart reminders, to US (+1) numbers. They are checked again daily.',
							$held,
							'cartpinger-for-woocommerce'
						),
						$held
					)
				)
			);
		}
	}

	/**
	 * Labels of the cart statuses.
	 *
	 * @since 0.2.0
	 *
	 * @return array<string, string>
	 */
	private static function status_labels(): array {
		return array(
			'open'      => __( 'Waiting (abandoned, not messaged yet)', 'cartpinger-for-woocommerce' ),
			'messaged'  => __( 'Messaged', 'cartpinger-for-woocommerce' ),
			'recovered' => __( 'Recovered', 'cartpinger-for-woocommerce' ),
			'converted' => __( 'Ordered before any message', 'cartpinger-for-woocommerce' ),
			'holdout'   => __( 'Holdout (never messaged, for comparison)', 'cartpinger-for-woocommerce' ),
			'expired'   => __( 'Expired or consent withdrawn', 'cartpinger-for-woocommerce' ),
			'opted_out' => __( 'Replied STOP', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * A GET filter form for the recent lists.
	 *
	 * @since 0.2.0
	 *
	 * @param int                  $days   Current range (kept).
	 * @param array<string, mixed> $keep   Other query args to keep.
	 * @param string               $inner  Escaped form controls.
	 * @param string               $anchor Fragment.
	 * @return void
	 */
	private function render_filter_form( int $days, array $keep, string $inner, string $anchor ): void {
		printf( '<form method="get" action="%s#%s" class="cartpinger-filter" style="margin:.5em 0">', esc_url( admin_url( 'admin.php' ) ), esc_attr( $anchor ) );
		$keep = array_merge(
			array(
				'page'  => Menu::SLUG_DASHBOARD,
				'range' => $days,
			),
			$keep
		);
		foreach ( $keep as $k => $v ) {
			printf( '<input type="hidden" name="%s" value="%s">', esc_attr( (string) $k ), esc_attr( (string) $v ) );
		}
		echo $inner; // phpcs:ignore -- escaped by the callers.
		echo ' <button type="submit" class="button">' . esc_html__( 'Filter', 'cartpinger-for-woocommerce' ) . '</button></form>';
	}

	/**
	 * A select of values.
	 *
	 * @since 0.2.0
	 *
	 * @param string                $name    Field name.
	 * @param array<string, string> $options Labels by value ('' = any).
	 * @param string                $current Selected value.
	 * @return string Escaped HTML.
	 */
	private static function select( string $name, array $options, string $current ): string {
		$html = sprintf( '<select name="%s">', esc_attr( $name ) );
		foreach ( $options as $value => $label ) {
			$html .= sprintf( '<option value="%s"%s>%s</option>', esc_attr( (string) $value ), selected( (string) $value, $current, false ), esc_html( $label ) );
		}
		return $html . '</select>';
	}

	/**
	 * Pagination links.
	 *
	 * @since 0.2.0
	 *
	 * @param string               $arg   Page query arg.
	 * @param int                  $page  Current page.
	 * @param int                  $pages Page count.
	 * @param array<string, mixed> $args  Query args to keep.
	 * @return void
	 */
	private function render_pagination( string $arg, int $page, int $pages, array $args ): void {
		if ( $pages <= 1 ) {
			return;
		}
		$links = paginate_links(
			array(
				'base'      => add_query_arg( array_merge( $args, array( $arg => '%#%' ) ), admin_url( 'admin.php' ) ),
				'format'    => '',
				'current'   => min( $page, $pages ),
				'total'     => $pages,
				'prev_text' => '‹',
				'next_text' => '›',
			)
		);
		echo '<div class="tablenav"><div class="tablenav-pages cartpinger-pages">' . wp_kses_post( (string) $links ) . '</div></div>';
	}

	/**
	 * Recent carts, filterable by status.
	 *
	 * @since 0.2.0
	 *
	 * @param int    $days   Range.
	 * @param string $status Filter.
	 * @param int    $page   Page.
	 * @return void
	 */
	private function render_recent_carts( int $days, string $status, int $page ): void {
		$list = self::recent( 'carts', array( 'status' => $status ), $page );
		echo '<h2 id="cartpinger-recent-carts">' . esc_html__( 'Recent carts', 'cartpinger-for-woocommerce' ) . '</h2>';
		$options = array_merge( array( '' => __( 'Any status', 'cartpinger-for-woocommerce' ) ), self::status_labels() );
		$this->render_filter_form( $days, array(), self::select( 'cart_status', $options, $status ), 'cartpinger-recent-carts' );
		echo '<table class="widefat striped cartpinger-recent-carts"><thead><tr>';
		foreach ( array( __( 'ID', 'cartpinger-for-woocommerce' ), __( 'Created', 'cartpinger-for-woocommerce' ), __( 'Status', 'cartpinger-for-woocommerce' ), __( 'Reason', 'cartpinger-for-woocommerce' ), __( 'Step', 'cartpinger-for-woocommerce' ), __( 'Customer', 'cartpinger-for-woocommerce' ), __( 'Cart total', 'cartpinger-for-woocommerce' ), __( 'Order', 'cartpinger-for-woocommerce' ) ) as $h ) {
			echo '<th>' . esc_html( $h ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		if ( array() === $list['rows'] ) {
			echo '<tr><td colspan="8">' . esc_html__( 'No carts.', 'cartpinger-for-woocommerce' ) . '</td></tr>';
		}
		foreach ( $list['rows'] as $r ) {
			$order = (int) $r['recovered_order_id'];
			printf(
				'<tr data-id="%1$d" data-cart-status="%3$s"><td>%1$d</td><td>%2$s</td><td>%3$s%9$s</td><td>%4$s</td><td>%5$d</td><td>%6$s</td><td>%7$s</td><td>%8$s</td></tr>',
				(int) $r['id'],
				esc_html( self::site_time( (string) $r['created_at'] ) ),
				esc_html( (string) $r['status'] ),
				esc_html( trim( $r['close_reason'] . ' ' . $r['hold_reason'] ) ),
				(int) $r['sequence_step'],
				esc_html( trim( $r['customer_name'] . ' ' . $r['customer_phone'] ) ),
				esc_html( self::money( (int) $r['cart_total_minor'], (string) $r['currency'] ) ),
				$order > 0 ? '<a href="' . esc_url( admin_url( 'post.php?post=' . $order . '&action=edit' ) ) . '">#' . esc_html( (string) $order ) . '</a>' : '',
				'1' === (string) $r['holdout'] ? ' ' . esc_html__( '(holdout)', 'cartpinger-for-woocommerce' ) : ''
			);
		}
		echo '</tbody></table>';
		$this->render_pagination(
			'cpage',
			$page,
			$list['pages'],
			array(
				'page'        => Menu::SLUG_DASHBOARD,
				'range'       => $days,
				'cart_status' => $status,
			)
		);
	}

	/**
	 * Recent messages, filterable by status and step, with each failure's reason.
	 *
	 * @since 0.2.0
	 *
	 * @param int    $days   Range.
	 * @param string $status Filter.
	 * @param int    $step   Filter (-1 = any).
	 * @param int    $page   Page.
	 * @return void
	 */
	private function render_recent_messages( int $days, string $status, int $step, int $page ): void {
		$list = self::recent(
			'messages',
			array(
				'status' => $status,
				'step'   => $step,
			),
			$page
		);
		echo '<h2 id="cartpinger-recent-messages">' . esc_html__( 'Recent messages', 'cartpinger-for-woocommerce' ) . '</h2>';
		$statuses = array( '' => __( 'Any status', 'cartpinger-for-woocommerce' ) ) + array_combine( self::MESSAGE_STATUSES, self::MESSAGE_STATUSES );
		$steps    = array(
			''  => __( 'Any step', 'cartpinger-for-woocommerce' ),
			'0' => __( 'Order notifications', 'cartpinger-for-woocommerce' ),
			'1' => __( 'Step 1', 'cartpinger-for-woocommerce' ),
			'2' => __( 'Step 2', 'cartpinger-for-woocommerce' ),
			'3' => __( 'Step 3', 'cartpinger-for-woocommerce' ),
		);
		$this->render_filter_form( $days, array(), self::select( 'msg_status', $statuses, $status ) . ' ' . self::select( 'step', $steps, $step >= 0 ? (string) $step : '' ), 'cartpinger-recent-messages' );
		echo '<table class="widefat striped cartpinger-recent-messages"><thead><tr>';
		foreach ( array( __( 'ID', 'cartpinger-for-woocommerce' ), __( 'Created', 'cartpinger-for-woocommerce' ), __( 'Cart', 'cartpinger-for-woocommerce' ), __( 'Step', 'cartpinger-for-woocommerce' ), __( 'Template', 'cartpinger-for-woocommerce' ), __( 'Phone', 'cartpinger-for-woocommerce' ), __( 'Status', 'cartpinger-for-woocommerce' ), __( 'Failure reason', 'cartpinger-for-woocommerce' ) ) as $h ) {
			echo '<th>' . esc_html( $h ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		if ( array() === $list['rows'] ) {
			echo '<tr><td colspan="8">' . esc_html__( 'No messages.', 'cartpinger-for-woocommerce' ) . '</td></tr>';
		}
		foreach ( $list['rows'] as $m ) {
			$state = (string) $m['status'];
			if ( 'sent' === $state ) {
				$state = null !== $m['read_at'] ? 'read' : ( null !== $m['delivered_at'] ? 'delivered' : 'sent' );
			}
			$reason = '' !== (string) $m['error_code'] || '' !== (string) $m['error_message'] ? trim( (string) $m['error_code'] . ': ' . (string) $m['error_message'], ': ' ) : '';
			printf(
				'<tr data-id="%1$d" data-message-status="%7$s"><td>%1$d</td><td>%2$s</td><td>%3$s</td><td>%4$d</td><td>%5$s</td><td>%6$s</td><td>%7$s</td><td class="cartpinger-error">%8$s</td></tr>',
				(int) $m['id'],
				esc_html( self::site_time( (string) $m['created_at'] ) ),
				(int) $m['recovery_id'] > 0 ? esc_html( '#' . $m['recovery_id'] ) : esc_html( (string) $m['kind'] ),
				(int) $m['step'],
				esc_html( $m['template'] . ' (' . $m['language'] . ')' ),
				esc_html( (string) $m['phone'] ),
				esc_html( $state ),
				esc_html( $reason )
			);
		}
		echo '</tbody></table>';
		$this->render_pagination(
			'mpage',
			$page,
			$list['pages'],
			array(
				'page'       => Menu::SLUG_DASHBOARD,
				'range'      => $days,
				'msg_status' => $status,
				'step'       => $step >= 0 ? $step : '',
			)
		);
	}

	/**
	 * A UTC DATETIME shown in the site's time zone.
	 *
	 * @since 0.2.0
	 *
	 * @param string $utc Y-m-d H:i:s (UTC).
	 * @return string
	 */
	private static function site_time( string $utc ): string {
		$ts = strtotime( $utc . ' UTC' );
		return false === $ts ? '' : (string) wp_date( 'Y-m-d H:i', $ts );
	}
}
