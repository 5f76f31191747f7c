<?php
/**
 * Scenario ad1 (woo tier, continues ad0 = WebhookSetupTest): the Dashboard page's numbers
 * against seeded rows (site-day buckets in the site's time zone, range bounds, KPIs, funnel,
 * holdout comparison, revenue and Meta cost by currency), its HTML (heartbeat, counts rows,
 * KPI boxes, chart JSON, recent lists with filters and failure reasons), and the time of the
 * data build on 100k carts + 100k messages (printed, and written to target/perf/dashboard-timing.txt).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\DashboardPage;
use CartPinger\Storage\Schema;
use CartPinger\Storage\Stats;

final class AdminDashboardTest extends TestCase {

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		// Each test seeds its own rows straight into the tables, then rebuilds the counters
		// (Stats::rebuild(), what the update to schema 5 and `wp cartpinger stats rebuild` do).
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Stats::table() ) );
		update_option( 'timezone_string', 'Europe/Madrid' );
		update_option( 'gmt_offset', '' );
		wp_set_current_user( 1 );
		$_GET = array();
	}

	private static function cart( array $row ): int {
		global $wpdb;
		static $n = 0;
		++$n;
		$row += array(
			'session_key'      => null,
			'customer_phone'   => '+3460000' . sprintf( '%04d', $n ),
			'customer_name'    => 'Cart ' . $n,
			'billing_country'  => 'ES',
			'currency'         => 'EUR',
			'consent'          => 1,
			'status'           => 'open',
			'cart_total_minor' => 1000,
		);
		$row += array(
			'last_activity_at' => $row['created_at'],
			'updated_at'       => $row['created_at'],
		);
		$wpdb->insert( Schema::recoveries_table(), $row );
		return (int) $wpdb->insert_id;
	}

	private static function message( array $row ): int {
		global $wpdb;
		// As the webhook processor keeps them: the status follows the furthest timestamp.
		if ( ! isset( $row['status'] ) ) {
			$row['status'] = isset( $row['read_at'] ) ? 'read' : ( isset( $row['delivered_at'] ) ? 'delivered' : 'sent' );
		}
		$row += array(
			'kind'       => 'recovery',
			'step'       => 1,
			'phone'      => '+34600000000',
			'template'   => 'abandoned_cart_recovery',
			'language'   => 'en',
			'status'     => 'sent',
			'components' => '{}',
		);
		$row += array(
			'due_at'     => $row['created_at'],
			'updated_at' => $row['created_at'],
		);
		$wpdb->insert( Schema::messages_log_table(), $row );
		return (int) $wpdb->insert_id;
	}

	/** The seeded data set; returns the clock. Madrid is UTC+2 in June. */
	private static function seed(): int {
		$r1 = self::cart( array( 'created_at' => '2026-06-14 23:30:00', 'status' => 'recovered', 'messaged_at' => '2026-06-15 00:30:00', 'clicked_at' => '2026-06-15 01:00:00', 'recovered_at' => '2026-06-15 01:10:00', 'recovered_order_id' => 77, 'recovered_revenue_minor' => 2500, 'sequence_step' => 1 ) ); // Site day 06-15.
		$r2 = self::cart( array( 'created_at' => '2026-06-14 21:30:00', 'status' => 'messaged', 'messaged_at' => '2026-06-14 22:30:00', 'sequence_step' => 1 ) ); // Site day 06-14 (23:30).
		self::cart( array( 'created_at' => '2026-06-10 10:00:00', 'status' => 'converted', 'holdout' => 1 ) );
		self::cart( array( 'created_at' => '2026-06-10 11:00:00', 'status' => 'holdout', 'holdout' => 1 ) );
		self::cart( array( 'created_at' => '2026-06-08 21:59:00', 'status' => 'recovered', 'messaged_at' => '2026-06-08 22:30:00', 'recovered_revenue_minor' => 999 ) ); // 06-08 23:59 site: out.
		$r6 = self::cart( array( 'created_at' => '2026-06-12 09:00:00', 'status' => 'recovered', 'currency' => 'USD', 'messaged_at' => '2026-06-12 10:00:00', 'recovered_order_id' => 78, 'recovered_revenue_minor' => 1000 ) );
		$r7 = self::cart( array( 'created_at' => '2026-06-12 09:30:00', 'status' => 'expired', 'close_reason' => 'max_age', 'messaged_at' => '2026-06-12 10:30:00', 'sequence_step' => 2 ) );
		self::cart( array( 'created_at' => '2026-06-13 08:00:00', 'status' => 'open' ) );
		self::cart( array( 'created_at' => '2026-06-15 22:30:00', 'status' => 'open' ) ); // 06-16 00:30 site: out.

		self::message( array( 'recovery_id' => $r1, 'created_at' => '2026-06-14 23:31:00', 'sent_at' => '2026-06-14 23:31:01', 'delivered_at' => '2026-06-14 23:31:05', 'read_at' => '2026-06-14 23:40:00', 'cost_micros' => 12000, 'currency' => 'EUR' ) );
		self::message( array( 'recovery_id' => $r2, 'created_at' => '2026-06-14 21:31:00', 'sent_at' => '2026-06-14 21:31:01', 'delivered_at' => '2026-06-14 21:31:05', 'cost_micros' => 12000, 'currency' => 'EUR' ) );
		self::message( array( 'recovery_id' => $r6, 'created_at' => '2026-06-12 10:00:00', 'sent_at' => '2026-06-12 10:00:01' ) );
		self::message( array( 'recovery_id' => $r7, 'created_at' => '2026-06-12 10:30:00', 'status' => 'failed', 'failed_at' => '2026-06-12 10:30:02', 'error_code' => '131026', 'error_message' => 'Message undeliverable' ) );
		self::message( array( 'recovery_id' => $r7, 'step' => 2, 'created_at' => '2026-06-13 10:30:00', 'sent_at' => '2026-06-13 10:30:01', 'read_at' => '2026-06-13 11:00:00' ) );
		self::message( array( 'kind' => 'order', 'step' => 0, 'order_id' => 90, 'template' => 'order_confirmed', 'created_at' => '2026-06-13 12:00:00', 'sent_at' => '2026-06-13 12:00:01', 'delivered_at' => '2026-06-13 12:00:03', 'cost_micros' => 5000, 'currency' => 'EUR' ) );
		self::message( array( 'recovery_id' => $r1, 'created_at' => '2026-06-08 21:00:00', 'sent_at' => '2026-06-08 21:00:01' ) ); // Out of range.
		return (int) strtotime( '2026-06-15 12:00:00 UTC' );
	}

	public function test_range_follows_the_site_day(): void {
		$range = DashboardPage::range( 7, (int) strtotime( '2026-06-15 12:00:00 UTC' ) );
		$this->assertSame( '2026-06-08 22:00:00', $range['from'] );
		$this->assertSame( '2026-06-15 22:00:00', $range['to'] );
		$this->assertSame( 7200, $range['offset'] );
		$this->assertSame( array( '2026-06-09', '2026-06-10', '2026-06-11', '2026-06-12', '2026-06-13', '2026-06-14', '2026-06-15' ), $range['dates'] );
		$this->assertCount( 30, DashboardPage::range( 30 )['dates'] );
		$this->assertCount( 90, DashboardPage::range( 90 )['dates'] );
		$this->assertSame( 30, DashboardPage::range( 12345 )['days'], 'unknown ranges fall back to 30 days' );
		$this->assertCount( 1, $range['shifts'], 'no DST change in that week' );
	}

	public function test_days_across_a_dst_change_use_the_offset_of_their_instant(): void {
		// Madrid leaves summer time on 2026-10-25 01:00 UTC (UTC+2 before, UTC+1 after).
		$now   = (int) strtotime( '2026-11-15 12:00:00 UTC' );
		$range = DashboardPage::range( 90, $now );
		$this->assertSame( array( array( '2026-10-25 01:00:00', 3600 ) ), array_slice( $range['shifts'], 1 ) );
		$this->assertSame( 7200, $range['shifts'][0][1] );
		self::cart( array( 'created_at' => '2026-10-20 22:30:00' ) ); // 10-21 00:30 CEST.
		self::cart( array( 'created_at' => '2026-11-10 23:30:00' ) ); // 11-11 00:30 CET.
		self::cart( array( 'created_at' => '2026-11-10 22:30:00' ) ); // 11-10 23:30 CET.
		self::message( array( 'created_at' => '2026-10-20 22:31:00', 'sent_at' => '2026-10-20 22:31:01' ) );
		Stats::rebuild();
		$data = DashboardPage::data( 90, $now );
		$this->assertSame( 1, $data['series']['2026-10-21']['captured'] );
		$this->assertSame( 0, $data['series']['2026-10-20']['captured'] );
		$this->assertSame( 1, $data['series']['2026-10-21']['sent'] );
		$this->assertSame( 1, $data['series']['2026-11-11']['captured'] );
		$this->assertSame( 1, $data['series']['2026-11-10']['captured'] );
		$this->assertSame( 3, $data['kpis']['captured'] );
	}

	public function test_numbers_match_the_seeded_rows(): void {
		$now  = self::seed();
		Stats::rebuild();
		$data = DashboardPage::data( 7, $now );
		$this->assertSame(
			array(
				'captured'      => 7,
				'sent'          => 5,
				'delivered'     => 4,
				'read'          => 2,
				'failed'        => 1,
				'recovered'     => 2,
				'recovery_rate' => 0.5,
			),
			$data['kpis']
		);
		$this->assertSame(
			array(
				'EUR' => 2500,
				'USD' => 1000,
			),
			$data['revenue']
		);
		$this->assertSame( array( 'EUR' => 29000 ), $data['cost'] );
		// Delivered / read count carts whose first reminder (step 1, one per cart) was delivered
		// / read, so the numbers add up per day and can be cached: r7's first reminder failed
		// (its step-2 read does not count here).
		$this->assertSame(
			array(
				'captured'  => 7,
				'messaged'  => 4,
				'delivered' => 2,
				'read'      => 1,
				'clicked'   => 1,
				'ordered'   => 2,
			),
			$data['funnel']
		);
		$this->assertSame( 2, $data['holdout']['holdout_carts'] );
		$this->assertSame( 1, $data['holdout']['holdout_converted'] );
		$this->assertSame( 0.5, $data['holdout']['holdout_rate'] );
		$this->assertSame( 4, $data['holdout']['messaged_carts'] );
		$this->assertSame( 2, $data['holdout']['messaged_ordered'] );
		// Per site day: the 23:30 UTC cart of the 14th is on the 15th in Madrid.
		$this->assertSame( 1, $data['series']['2026-06-15']['captured'] );
		$this->assertSame( 1, $data['series']['2026-06-15']['recovered'] );
		$this->assertSame( 1, $data['series']['2026-06-15']['sent'] );
		$this->assertSame( 1, $data['series']['2026-06-15']['read'] );
		$this->assertSame( 1, $data['series']['2026-06-14']['captured'] );
		$this->assertSame( 2, $data['series']['2026-06-10']['holdout'] );
		$this->assertSame( 2, $data['series']['2026-06-12']['captured'] );
		$this->assertSame( 1, $data['series']['2026-06-12']['failed'] );
		$this->assertSame( 2, $data['series']['2026-06-13']['sent'] );
		$this->assertSame( 0, $data['series']['2026-06-09']['captured'] );
		$this->assertSame( array_sum( array_column( $data['series'], 'captured' ) ), $data['kpis']['captured'] );

		// No holdout rows in the range: no comparison.
		$this->assertNull( DashboardPage::data( 7, (int) strtotime( '2026-07-30 12:00:00 UTC' ) )['holdout'] );
		$this->assertSame( 0, DashboardPage::data( 7, (int) strtotime( '2026-07-30 12:00:00 UTC' ) )['kpis']['captured'] );
		$this->assertNull( DashboardPage::data( 7, (int) strtotime( '2026-07-30 12:00:00 UTC' ) )['kpis']['recovery_rate'] );
	}

	public function test_page_html_keeps_the_heartbeat_and_counts_and_lists_filter(): void {
		global $wpdb;
		self::seed();
		// Move everything so that the seed's clock is now; the row in the future goes.
		$shift = time() - (int) strtotime( '2026-06-15 12:00:00 UTC' );
		foreach ( array( 'created_at', 'messaged_at', 'clicked_at', 'recovered_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i + INTERVAL %d SECOND WHERE %i IS NOT NULL', Schema::recoveries_table(), $c, $c, $shift, $c ) );
		}
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET created_at = created_at + INTERVAL %d SECOND', Schema::messages_log_table(), $shift ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE created_at > UTC_TIMESTAMP()', Schema::recoveries_table() ) );
		Stats::rebuild();

		$html = self::render();
		$this->assertStringContainsString( 'class="cartpinger-heartbeat"', $html );
		$this->assertMatchesRegularExpression( '#<tr data-status="recovered"><td>[^<]+</td><td>3</td></tr>#', $html, 'all-time counts table' );
		$this->assertMatchesRegularExpression( '#data-kpi="captured".*?cartpinger-kpi-value[^>]*>8<#s', $html );
		$this->assertStringContainsString( 'data-kpi="cost"', $html );
		$this->assertMatchesRegularExpression( '#woocommerce-Price-amount.*?34\.99#s', $html, 'money as WooCommerce prints it' );
		$this->assertStringContainsString( 'cartpinger-holdout"', $html );
		$this->assertStringContainsString( '<tr data-group="holdout"><td>Holdout (never messaged)</td><td>2</td><td>1</td><td>50.0 %</td></tr>', $html );
		$this->assertStringContainsString( 'action" value="cartpinger_export"', $html );
		$this->assertMatchesRegularExpression( '#<script type="application/json" id="cartpinger-dashboard-data">(.*?)</script>#s', $html );
		preg_match( '#id="cartpinger-dashboard-data">(.*?)</script>#s', $html, $m );
		$chart = json_decode( $m[1], true );
		$this->assertCount( 30, $chart['x'] );
		$this->assertSame( 'captured', $chart['series'][0]['key'] );
		$this->assertSame( 8, array_sum( $chart['series'][0]['data'] ) );
		$this->assertStringContainsString( '131026: Message undeliverable', $html, 'failure reason listed' );

		$_GET = array(
			'msg_status' => 'failed',
			'step'       => '1',
		);
		$html = self::render();
		preg_match( '#<table class="widefat striped cartpinger-recent-messages">.*?</table>#s', $html, $t );
		$this->assertSame( 1, substr_count( $t[0], '<tr data-id=' ), 'status + step filter' );
		$_GET = array( 'step' => '2' );
		preg_match( '#<table class="widefat striped cartpinger-recent-messages">.*?</table>#s', self::render(), $t );
		$this->assertSame( 1, substr_count( $t[0], '<tr data-id=' ) );
		$this->assertStringContainsString( 'data-message-status="read"', $t[0], 'read without a delivery receipt shows as read' );
		$_GET = array( 'cart_status' => 'holdout' );
		preg_match( '#<table class="widefat striped cartpinger-recent-carts">.*?</table>#s', self::render(), $t );
		$this->assertSame( 1, substr_count( $t[0], '<tr data-id=' ) );
		$_GET = array( 'cart_status' => 'nonsense' );
		preg_match( '#<table class="widefat striped cartpinger-recent-carts">.*?</table>#s', self::render(), $t );
		$this->assertSame( 8, substr_count( $t[0], '<tr data-id=' ), 'unknown filter = any' );

		// Pagination: 50 a page.
		$list = DashboardPage::recent( 'carts', array(), 1 );
		$this->assertSame( 8, $list['total'] );
		$this->assertSame( 1, $list['pages'] );
	}

	public function test_refuses_users_without_the_capability(): void {
		$id = wp_insert_user(
			array(
				'user_login' => 'dash-sub-' . wp_generate_password( 6, false ),
				'user_pass'  => wp_generate_password(),
				'role'       => 'subscriber',
			)
		);
		wp_set_current_user( $id );
		$this->expectException( WpDieException::class );
		self::render();
	}

	public function test_100k_rows_data_build_time(): void {
		global $wpdb;
		$rt    = Schema::recoveries_table();
		$mt    = Schema::messages_log_table();
		$now   = time();
		$total = 100000;
		$t0    = microtime( true );
		$wpdb->query( 'SET unique_checks = 0' );
		for ( $chunk = 0; $chunk < $total / 1000; $chunk++ ) {
			$carts = array();
			$msgs  = array();
			for ( $i = 0; $i < 1000; $i++ ) {
				$n       = $chunk * 1000 + $i;
				$created = gmdate( 'Y-m-d H:i:s', $now - ( $n * 7919 ) % ( 100 * DAY_IN_SECONDS ) );
				$status  = array( 'open', 'messaged', 'recovered', 'converted', 'holdout', 'expired', 'opted_out' )[ $n % 7 ];
				$msg     = in_array( $status, array( 'messaged', 'recovered', 'expired', 'opted_out' ), true );
				$carts[] = $wpdb->prepare(
					'(%s,%s,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%d)',
					'+3461' . sprintf( '%07d', $n ),
					'Bulk ' . $n,
					'EUR',
					$status,
					'holdout' === $status ? 1 : 0,
					$msg ? $created : null,
					'recovered' === $status ? 1999 : 0,
					$created,
					$created,
					$created,
					'recovered' === $status ? $created : null,
					'1',
					1
				);
				$msgs[]  = $wpdb->prepare(
					'(%d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)',
					$n + 1,
					'recovery',
					1 + $n % 3,
					'+3461' . sprintf( '%07d', $n ),
					'abandoned_cart_recovery',
					'{}',
					0 === $n % 11 ? 'failed' : ( 0 === $n % 5 ? 'read' : ( 0 === $n % 2 ? 'delivered' : 'sent' ) ),
					$created,
					$created,
					$created,
					0 === $n % 11 ? null : $created,
					0 === $n % 2 ? $created : null,
					0 === $n % 5 ? $created : null
				);
			}
			// phpcs:ignore -- each value list is prepared above.
			$wpdb->query( "INSERT INTO {$rt} (customer_phone, customer_name, currency, status, holdout, messaged_at, recovered_revenue_minor, created_at, last_activity_at, updated_at, clicked_at, consent, sequence_step) VALUES " . implode( ',', $carts ) );
			// phpcs:ignore
			$wpdb->query( "INSERT INTO {$mt} (recovery_id, kind, step, phone, template, components, status, created_at, due_at, updated_at, sent_at, delivered_at, read_at) VALUES " . implode( ',', $msgs ) );
		}
		$seed_s = microtime( true ) - $t0;
		$this->assertSame( (string) $total, $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', $rt ) ) );
		$wpdb->query( $wpdb->prepare( 'ANALYZE TABLE %i, %i', $rt, $mt ) );
		$t       = microtime( true );
		$rebuilt = Stats::rebuild();
		$rebuild = sprintf( 'Stats::rebuild(): %d days, %d slots in %.1f s', $rebuilt['days'], $rebuilt['slots'], microtime( true ) - $t );

		$lines = array( sprintf( 'seeded %d carts + %d messages in %.1f s', $total, $total, $seed_s ), $rebuild );
		foreach ( array( 7, 30, 90 ) as $days ) {
			DashboardPage::data( $days ); // Warm.
			$t    = microtime( true );
			$data = DashboardPage::data( $days );
			$ms   = ( microtime( true ) - $t ) * 1000;
			$lines[] = sprintf( 'data(%d days): %.1f ms (captured %d, sent %d)', $days, $ms, $data['kpis']['captured'], $data['kpis']['sent'] );
			$this->assertLessThan( 5000, $ms, "data build of {$days} days too slow" );
			$this->assertGreaterThan( 0, $data['kpis']['captured'] );
		}
		$t    = microtime( true );
		$html = self::render();
		$lines[] = sprintf( 'render() full page (30 days, lists, counts): %.1f ms, %d bytes', ( microtime( true ) - $t ) * 1000, strlen( $html ) );
		$ninety = DashboardPage::data( 90 );
		$this->assertSame( $ninety['kpis']['captured'], array_sum( array_column( $ninety['series'], 'captured' ) ) );
		// The range filters use the created_at index.
		$plan    = $wpdb->get_results( $wpdb->prepare( 'EXPLAIN SELECT COUNT(*) FROM %i WHERE created_at >= %s AND created_at < %s', $rt, gmdate( 'Y-m-d H:i:s', $now - 7 * DAY_IN_SECONDS ), gmdate( 'Y-m-d H:i:s', $now ) ), ARRAY_A );
		$lines[] = 'EXPLAIN 7-day range on recoveries: key=' . $plan[0]['key'] . ' rows=' . $plan[0]['rows'];
		$this->assertSame( 'created_at', $plan[0]['key'] );
		$report = implode( "\n", $lines ) . "\n";
		echo "\n" . $report; // phpcs:ignore
		wp_mkdir_p( getenv( 'CARTPINGER_IT_REPO' ) . '/target/perf' );
		file_put_contents( getenv( 'CARTPINGER_IT_REPO' ) . '/target/perf/dashboard-timing.txt', $report );
	}

	private static function render(): string {
		ob_start();
		try {
			( new DashboardPage() )->render();
		} finally {
			$html = (string) ob_get_clean();
		}
		return $html;
	}
}
