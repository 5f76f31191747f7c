<?php
/**
 * Benchmark probes that run inside the demo store's WordPress (wp-load.php), one mode per process,
 * started by tests/bench/recovery.sh on the 1 M / 10 M data it loaded:
 *
 *   php recovery.php boot   OUT.json   peak memory of a WordPress + WooCommerce CLI boot (run it
 *                                      with CPBENCH_PLUGIN_OFF=1 for the bare baseline)
 *   php recovery.php backfill OUT.json what the update to schema 5 does on an existing store (and
 *                                      `wp cartpinger stats rebuild`): Backfill::build(), timed
 *   php recovery.php select OUT.json   the reads of one scheduler tick: Repository::due(now, 500),
 *                                      then PhoneFacts::get() for the due phones, median of ROUNDS;
 *                                      the dashboard's 30-day data (first view and warm); the same
 *                                      calls on empty copies of the tables (same indexes) as the
 *                                      baseline; EXPLAIN of each query
 *   php recovery.php run    OUT.json   one Cron::run_once() (scheduler tick + queue run sending to the
 *                                      sandbox): memory_get_peak_usage(true) and wall time
 *
 * Environment: CPBENCH_WP_DIR (the site), CPBENCH_HOST (127.0.0.1:PORT).
 *
 * @package CartPinger
 */

declare(strict_types=1);

$cpb_mode = $argv[1] ?? '';
$cpb_out  = $argv[2] ?? '';
$cpb_wp   = (string) getenv( 'CPBENCH_WP_DIR' );
if ( ! in_array( $cpb_mode, array( 'boot', 'backfill', 'select', 'run' ), true ) || '' === $cpb_out || ! is_file( $cpb_wp . '/wp-load.php' ) ) {
	fwrite( STDERR, "usage: CPBENCH_WP_DIR=... php recovery.php boot|backfill|select|run OUT.json\n" );
	exit( 2 );
}
$_SERVER['HTTP_HOST']   = (string) ( getenv( 'CPBENCH_HOST' ) ?: '127.0.0.1' );
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
if ( 'run' === $cpb_mode ) {
	define( 'DOING_CRON', true ); // As the ticker and wp-cron.php run it.
}
require $cpb_wp . '/wp-load.php';

/** Writes the probe's result. */
function cpb_write( string $file, array $data ): void {
	file_put_contents( $file, json_encode( $data, JSON_PRETTY_PRINT ) . "\n" );
}

/** Median of a list of numbers. */
function cpb_median( array $xs ): float {
	sort( $xs );
	$n = count( $xs );
	return 0 === $n ? 0.0 : ( $n % 2 ? (float) $xs[ intdiv( $n, 2 ) ] : ( $xs[ $n / 2 - 1 ] + $xs[ $n / 2 ] ) / 2 );
}

$cpb_active = class_exists( \CartPinger\Plugin::class, false ) && null !== \CartPinger\Plugin::instance();

if ( 'boot' === $cpb_mode ) {
	cpb_write(
		$cpb_out,
		array(
			'peak_mb'           => memory_get_peak_usage( true ) / 1048576,
			'peak_mb_emalloc'   => memory_get_peak_usage( false ) / 1048576,
			'cartpinger_loaded' => $cpb_active,
			'woocommerce'       => defined( 'WC_VERSION' ) ? WC_VERSION : null,
		)
	);
	exit( 0 );
}

if ( ! $cpb_active ) {
	fwrite( STDERR, "recovery.php: CartPinger is not active in this site\n" );
	exit( 1 );
}

if ( 'backfill' === $cpb_mode ) {
	$cpb_t0 = hrtime( true );
	$cpb_r  = \CartPinger\Storage\Backfill::build();
	cpb_write( $cpb_out, $cpb_r + array( 'seconds' => ( hrtime( true ) - $cpb_t0 ) / 1e9 ) );
	exit( 0 );
}

if ( 'select' === $cpb_mode ) {
	global $wpdb;
	$rounds = (int) ( getenv( 'CPBENCH_ROUNDS' ) ?: 9 );
	$repo   = new \CartPinger\Recovery\Repository();
	$now    = gmdate( 'Y-m-d H:i:s' );
	$batch  = \CartPinger\Recovery\Scheduler::BATCH;

	// One tick's selects, timed per call; $phones null = the phones of the due rows (as tick() does).
	$tick = static function ( ?array $phones ) use ( $repo, $now, $batch ): array {
		$t0     = hrtime( true );
		$rows   = $repo->due( $now, $batch );
		$t1     = hrtime( true );
		$phones = $phones ?? array_map( static fn( $r ) => (string) $r['customer_phone'], $rows );
		// As tick() does: the cool-off and opt-out facts of the due phones, one read.
		$facts  = \CartPinger\Storage\PhoneFacts::get( $phones );
		$t2     = hrtime( true );
		$since  = time() - DAY_IN_SECONDS;
		return array(
			'due_ms'   => ( $t1 - $t0 ) / 1e6,
			'facts_ms' => ( $t2 - $t1 ) / 1e6,
			'total_ms' => ( $t2 - $t0 ) / 1e6,
			'rows'     => count( $rows ),
			'phones'   => $phones,
			'facts_n'  => count( $facts ),
			'last_n'   => count( array_filter( $facts, static fn( $f ) => $f['last_recovery_at'] >= $since ) ),
			'opt_n'    => count( array_filter( $facts, static fn( $f ) => $f['opted_out_at'] > 0 ) ),
		);
	};
	$measure = static function ( ?array $phones ) use ( $tick, $rounds ): array {
		$tick( $phones ); // warm-up (buffer pool, prepared plans).
		$samples = array();
		for ( $r = 0; $r < $rounds; $r++ ) {
			$samples[] = $tick( $phones );
		}
		$out = array( 'rounds' => $rounds );
		foreach ( array( 'due_ms', 'facts_ms', 'total_ms' ) as $k ) {
			$out[ $k ] = cpb_median( array_column( $samples, $k ) );
		}
		$out['rows']   = $samples[0]['rows'];
		$out['phones'] = count( array_unique( $samples[0]['phones'] ) );
		$out['last_n']  = $samples[0]['last_n'];
		$out['facts_n'] = $samples[0]['facts_n'];
		$out['opt_n']  = $samples[0]['opt_n'];
		return array( $out, $samples[0]['phones'] );
	};

	// The merchant's first view of the dashboard in this process (nothing of it cached by PHP or
	// read by this process yet), before anything below touches the counters.
	$cpb_t0     = hrtime( true );
	\CartPinger\Admin\DashboardPage::data( 30 );
	$first_view = ( hrtime( true ) - $cpb_t0 ) / 1e6;

	// The SQL one tick and one dashboard view send, for EXPLAIN.
	$sql     = array();
	$part    = 'tick';
	$collect = static function ( $q ) use ( &$sql, &$part ) {
		if ( 1 === preg_match( '/^\s*SELECT/i', $q ) && str_contains( $q, 'cartpinger_' ) ) {
			$sql[] = array( $part, $q );
		}
		return $q;
	};
	add_filter( 'query', $collect );
	$tick( null );
	$part = 'dashboard';
	\CartPinger\Admin\DashboardPage::data( 30 );
	// The whole page as a shop manager opens it (KPIs, carts by status, recent lists): its
	// queries for EXPLAIN, its time for scale.
	$part  = 'page';
	$admin = get_users(
		array(
			'role'   => 'administrator',
			'number' => 1,
			'fields' => 'ids',
		)
	);
	wp_set_current_user( (int) ( $admin[0] ?? 1 ) );
	$cpb_t0 = hrtime( true );
	ob_start();
	( new \CartPinger\Admin\DashboardPage() )->render();
	ob_end_clean();
	$page_ms = ( hrtime( true ) - $cpb_t0 ) / 1e6;
	remove_filter( 'query', $collect );
	$explain = array();
	foreach ( $sql as list( $p, $q ) ) {
		foreach ( (array) $wpdb->get_results( 'EXPLAIN ' . $q, ARRAY_A ) as $e ) {
			$explain[] = array(
				'part'  => $p,
				'table' => (string) $e['table'],
				'query' => preg_replace( '/\s+/', ' ', substr( $q, 0, 90 ) ) . '…',
				'type'  => $e['type'],
				'key'   => $e['key'],
				'rows'  => (int) $e['rows'],
				'extra' => $e['Extra'],
			);
		}
	}

	list( $full, $phones ) = $measure( null );
	// The dashboard's 30-day data (counters kept on write, Stats): its first call here, then
	// warm views (median of 5).
	$dashboard = static function (): array {
		$xs = array();
		for ( $r = 0; $r < 6; $r++ ) {
			$t0   = hrtime( true );
			\CartPinger\Admin\DashboardPage::data( 30 );
			$xs[] = ( hrtime( true ) - $t0 ) / 1e6;
		}
		return array( cpb_median( array_slice( $xs, 1 ) ), $xs[0] );
	};
	list( $full['dashboard_ms'] ) = $dashboard();
	$full['dashboard_cold_ms']    = $first_view;

	// Baseline: the same calls (same due phones) on empty copies of both tables, same indexes.
	$base_prefix = $wpdb->prefix . 'cpbempty_';
	$cpb_tables = array( \CartPinger\Storage\Schema::RECOVERIES, \CartPinger\Storage\Schema::MESSAGES_LOG, \CartPinger\Storage\Stats::TABLE, \CartPinger\Storage\PhoneFacts::TABLE );
	foreach ( $cpb_tables as $t ) {
		$wpdb->query( "DROP TABLE IF EXISTS `{$base_prefix}{$t}`" ); // phpcs:ignore
		$wpdb->query( "CREATE TABLE `{$base_prefix}{$t}` LIKE `{$wpdb->prefix}{$t}`" ); // phpcs:ignore
	}
	$saved_prefix  = $wpdb->prefix;
	$wpdb->prefix  = $base_prefix; // Schema::*_table() = $wpdb->prefix . name.
	list( $empty ) = $measure( $phones );
	list( $empty['dashboard_ms'], $empty['dashboard_cold_ms'] ) = $dashboard();
	$wpdb->prefix  = $saved_prefix;
	foreach ( $cpb_tables as $t ) {
		$wpdb->query( "DROP TABLE IF EXISTS `{$base_prefix}{$t}`" ); // phpcs:ignore
	}

	// For scale only (not a row): due() written as one OR/IN query without its index, a full scan.
	$naive = array();
	for ( $r = 0; $r < 3; $r++ ) {
		$t0 = hrtime( true );
		$wpdb->get_results(
			$wpdb->prepare(
				"SELECT * FROM %i IGNORE INDEX (status_next_check, status_activity) WHERE (status = 'open' OR status = 'messaged') AND next_check_at <= %s ORDER BY next_check_at ASC LIMIT %d",
				\CartPinger\Storage\Schema::recoveries_table(),
				$now,
				$batch
			),
			ARRAY_A
		);
		$naive[] = ( hrtime( true ) - $t0 ) / 1e6;
	}

	$counts = $wpdb->get_row(
		$wpdb->prepare(
			"SELECT (SELECT COUNT(*) FROM %i) AS recoveries, (SELECT COUNT(*) FROM %i) AS messages, (SELECT COUNT(*) FROM %i WHERE status IN ('open','messaged') AND next_check_at <= %s) AS due",
			\CartPinger\Storage\Schema::recoveries_table(),
			\CartPinger\Storage\Schema::messages_log_table(),
			\CartPinger\Storage\Schema::recoveries_table(),
			$now
		),
		ARRAY_A
	);
	cpb_write(
		$cpb_out,
		array(
			'now'      => $now,
			'counts'   => array_map( 'intval', (array) $counts ),
			'full'     => $full,
			'empty'    => $empty,
			'naive_ms' => cpb_median( $naive ),
			'page_ms'  => $page_ms,
			'explain'  => $explain,
		)
	);
	exit( 0 );
}

// run: the Cron instance the plugin hooked on cartpinger_queue_run, so the run is exactly the
// plugin's own (scheduler tick with the native planner, then the queue run through the Sender).
global $wp_filter;
$cpb_cron = null;
foreach ( isset( $wp_filter[ \CartPinger\Queue\Cron::HOOK ] ) ? $wp_filter[ \CartPinger\Queue\Cron::HOOK ]->callbacks : array() as $cpb_cbs ) {
	foreach ( $cpb_cbs as $cpb_cb ) {
		if ( is_array( $cpb_cb['function'] ) && $cpb_cb['function'][0] instanceof \CartPinger\Queue\Cron ) {
			$cpb_cron = $cpb_cb['function'][0];
		}
	}
}
if ( null === $cpb_cron ) {
	fwrite( STDERR, "recovery.php: no CartPinger\\Queue\\Cron on cartpinger_queue_run\n" );
	exit( 1 );
}
$cpb_boot_peak = memory_get_peak_usage( true );
$cpb_t0        = hrtime( true );
$cpb_summary   = $cpb_cron->run_once();
$cpb_ms        = ( hrtime( true ) - $cpb_t0 ) / 1e6;
cpb_write(
	$cpb_out,
	array(
		'peak_mb'         => memory_get_peak_usage( true ) / 1048576,
		'peak_mb_emalloc' => memory_get_peak_usage( false ) / 1048576,
		'boot_peak_mb'    => $cpb_boot_peak / 1048576,
		'run_ms'          => $cpb_ms,
		'summary'         => $cpb_summary,
		'native_scheduler' => class_exists( \CartPinger\Native\Scheduler::class ),
	)
);
