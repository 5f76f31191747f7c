<?php
/**
 * Benchmark probes that run inside the demo store's WordPress (wp-load.php), one mode per process,
 * started by tests/bench/recovery.sh on the 1 M / 10 M data it loaded:
 *
 *   php recovery.php boot   OUT.json   peak memory of a WordPress + WooCommerce CLI boot (run it
 *                                      with CPBENCH_PLUGIN_OFF=1 for the bare baseline)
 *   php recovery.php select OUT.json   the selects of one scheduler tick: Repository::due(now, 500),
 *                                      then last_recovery_messages() and opt_outs() for the due phones,
 *                                      median of ROUNDS; the same calls on empty copies of the two
 *                                      tables (same indexes) as the baseline; EXPLAIN of each query
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
if ( ! in_array( $cpb_mode, array( 'boot', 'select', 'run' ), true ) || '' === $cpb_out || ! is_file( $cpb_wp . '/wp-load.php' ) ) {
	fwrite( STDERR, "usage: CPBENCH_WP_DIR=... php recovery.php boot|select|run OUT.json\n" );
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
		// As tick() does with the default 24 h cool-off.
		$last   = $repo->last_recovery_messages( $phones, gmdate( 'Y-m-d H:i:s', time() - DAY_IN_SECONDS ) );
		$t2     = hrtime( true );
		$opts   = $repo->opt_outs( $phones );
		$t3     = hrtime( true );
		return array(
			'due_ms'    => ( $t1 - $t0 ) / 1e6,
			'last_ms'   => ( $t2 - $t1 ) / 1e6,
			'optout_ms' => ( $t3 - $t2 ) / 1e6,
			'total_ms'  => ( $t3 - $t0 ) / 1e6,
			'rows'      => count( $rows ),
			'phones'    => $phones,
			'last_n'    => array_sum( array_map( 'count', $last ) ),
			'opt_n'     => count( $opts ),
		);
	};
	$measure = static function ( ?array $phones ) use ( $tick, $rounds ): array {
		$tick( $phones ); // warm-up (buffer pool, prepared plans).
		$samples = array();
		for ( $r = 0; $r < $rounds; $r++ ) {
			$samples[] = $tick( $phones );
		}
		$out = array( 'rounds' => $rounds );
		foreach ( array( 'due_ms', 'last_ms', 'optout_ms', 'total_ms' ) as $k ) {
			$out[ $k ] = cpb_median( array_column( $samples, $k ) );
		}
		$out['rows']   = $samples[0]['rows'];
		$out['phones'] = count( array_unique( $samples[0]['phones'] ) );
		$out['last_n'] = $samples[0]['last_n'];
		$out['opt_n']  = $samples[0]['opt_n'];
		return array( $out, $samples[0]['phones'] );
	};

	// The SQL one tick sends, for EXPLAIN.
	$sql     = array();
	$collect = static function ( $q ) use ( &$sql ) {
		$sql[] = $q;
		return $q;
	};
	add_filter( 'query', $collect );
	$tick( null );
	remove_filter( 'query', $collect );
	$explain = array();
	foreach ( $sql as $q ) {
		foreach ( (array) $wpdb->get_results( 'EXPLAIN ' . $q, ARRAY_A ) as $e ) {
			$explain[] = array(
				'query' => preg_replace( '/\s+/', ' ', substr( $q, 0, 90 ) ) . '…',
				'key'   => $e['key'],
				'rows'  => (int) $e['rows'],
				'extra' => $e['Extra'],
			);
		}
	}

	list( $full, $phones ) = $measure( null );
	// The dashboard's 30-day data build (issue 5: "fast on a million rows"): the first view
	// computes every day and caches the settled ones (cold); later views only query the last
	// days (warm, median of 3).
	$dashboard = static function (): array {
		delete_option( \CartPinger\Admin\DashboardPage::CACHE_OPTION );
		$xs = array();
		for ( $r = 0; $r < 4; $r++ ) {
			$t0   = hrtime( true );
			\CartPinger\Admin\DashboardPage::data( 30 );
			$xs[] = ( hrtime( true ) - $t0 ) / 1e6;
		}
		return array( cpb_median( array_slice( $xs, 1 ) ), $xs[0] );
	};
	list( $full['dashboard_ms'], $full['dashboard_cold_ms'] ) = $dashboard();

	// Baseline: the same calls (same due phones) on empty copies of both tables, same indexes.
	$base_prefix = $wpdb->prefix . 'cpbempty_';
	foreach ( array( \CartPinger\Storage\Schema::RECOVERIES, \CartPinger\Storage\Schema::MESSAGES_LOG ) as $t ) {
		$wpdb->query( "DROP TABLE IF EXISTS `{$base_prefix}{$t}`" ); // phpcs:ignore
		$wpdb->query( "CREATE TABLE `{$base_prefix}{$t}` LIKE `{$wpdb->prefix}{$t}`" ); // phpcs:ignore
	}
	$saved_prefix  = $wpdb->prefix;
	$wpdb->prefix  = $base_prefix; // Schema::*_table() = $wpdb->prefix . name.
	list( $empty ) = $measure( $phones );
	list( $empty['dashboard_ms'] ) = $dashboard();
	$wpdb->prefix  = $saved_prefix;
	foreach ( array( \CartPinger\Storage\Schema::RECOVERIES, \CartPinger\Storage\Schema::MESSAGES_LOG ) as $t ) {
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
