<?php
/**
 * Prints the table of tests/bench/recovery.sh and puts its rows into the results file
 * (rows of the same names are replaced, every other row is kept).
 *
 *   php recovery-report.php WORK_DIR RESULTS_JSON [FILL_SECONDS]
 *
 * @package CartPinger
 */

declare(strict_types=1);

$dir  = $argv[1] ?? '';
$out  = $argv[2] ?? 'target/bench/results.json';
$fill = (int) ( $argv[3] ?? 0 );

/** @return array<string, mixed> */
function load( string $file ): array {
	$data = json_decode( (string) @file_get_contents( $file ), true );
	if ( ! is_array( $data ) ) {
		fwrite( STDERR, "recovery-report.php: missing or unreadable $file\n" );
		exit( 1 );
	}
	return $data;
}

$bare = array();
foreach ( glob( "$dir/boot-bare-*.json" ) as $f ) {
	$b = load( $f );
	if ( $b['cartpinger_loaded'] ) {
		fwrite( STDERR, "recovery-report.php: the bare boot loaded CartPinger ($f)\n" );
		exit( 1 );
	}
	$bare[] = (float) $b['peak_mb'];
}
sort( $bare );
$bare_mb = $bare[ intdiv( count( $bare ), 2 ) ];
$plugin  = load( "$dir/boot-plugin.json" );
$select  = load( "$dir/select.json" );
$front   = load( "$dir/storefront.json" );
$run     = load( "$dir/run.json" );

$full     = $select['full'];
$empty    = $select['empty'];
$backfill = is_file( "$dir/backfill.json" ) ? load( "$dir/backfill.json" ) : null;
$rows     = array(
	array( 'due_select_ms_1m', $full['total_ms'], 'ms', $empty['total_ms'], sprintf( 'due() + PhoneFacts::get(), %d due rows/%d phones, vs the same calls on empty tables (goal <= 20 ms, ratio <= 2)', $full['rows'], $full['phones'] ) ),
	array( 'dashboard_30d_ms_1m', $full['dashboard_ms'], 'ms', $empty['dashboard_ms'], 'DashboardPage::data(30), warm views (median of 5) vs the same on empty tables (goal <= 150 ms)' ),
	array( 'dashboard_30d_first_ms_1m', $full['dashboard_cold_ms'], 'ms', $empty['dashboard_cold_ms'], 'DashboardPage::data(30), first call of a fresh PHP process vs the first call on empty tables (goal <= 500 ms)' ),
	array( 'run_peak_mb_1m', $run['peak_mb'], 'MB', $bare_mb, 'Cron::run_once() peak (memory_get_peak_usage(true)) vs bare WP+WooCommerce CLI boot' ),
	array( 'storefront_hook_ms', $front['hook_ms'], 'ms', $front['shop_off_ms'], sprintf( '/shop/: time in CartPinger\'s file + hook callbacks (hrtime, in-process, median, %d calls) vs the whole page with CartPinger off (goal <= 0.5 ms)', $front['hook_calls'] ) ),
	array( 'storefront_overhead_ms', $front['shop_on_ms'] - $front['shop_off_ms'], 'ms', $front['shop_off_ms'], sprintf( '/shop/ median on %.1f ms minus off %.1f ms (noisy: two page medians); baseline = page with CartPinger off', $front['shop_on_ms'], $front['shop_off_ms'] ) ),
	array( 'track_cart_ms', $front['track_ms'], 'ms', $front['cart_ms'], ( $front['track_what'] ?? 'POST /cartpinger/v1/track-cart vs GET /wc/store/v1/cart, same WooCommerce session' ) . ' (goal ratio <= 1.0)' ),
);

printf(
	"\nRecovery at scale: %s recoveries, %s messages in MariaDB (loaded in %d s), demo store on loopback\n\n",
	number_format( $select['counts']['recoveries'] ),
	number_format( $select['counts']['messages'] ),
	$fill
);
printf( "| %-25s | %10s | %10s | %7s | %-4s | %s\n", 'name', 'value', 'baseline', 'ratio', 'unit', 'what' );
printf( "|%s|%s|%s|%s|%s|%s\n", str_repeat( '-', 27 ), str_repeat( '-', 12 ), str_repeat( '-', 12 ), str_repeat( '-', 9 ), str_repeat( '-', 6 ), str_repeat( '-', 40 ) );
$json_rows = array();
foreach ( $rows as list( $name, $value, $unit, $baseline, $what ) ) {
	$ratio = $baseline > 0 ? $value / $baseline : null;
	printf( "| %-25s | %10.3f | %10.3f | %7.3f | %-4s | %s\n", $name, $value, $baseline, (float) $ratio, $unit, $what );
	$json_rows[] = array(
		'name'     => $name,
		'value'    => round( $value, 4 ),
		'unit'     => $unit,
		'baseline' => round( $baseline, 4 ),
		'ratio'    => null === $ratio ? null : round( $ratio, 4 ),
	);
}

printf( "\nTick reads, median of %d (ms):   due()  PhoneFacts::get()  total\n", $full['rounds'] );
printf( "  1 M / 10 M rows            %8.3f  %17.3f  %6.3f   (%d due rows, %d phones, %d with facts, %d messaged within 24 h, %d opted out)\n", $full['due_ms'], $full['facts_ms'], $full['total_ms'], $full['rows'], $full['phones'], $full['facts_n'], $full['last_n'], $full['opt_n'] );
printf( "  empty tables (baseline)    %8.3f  %17.3f  %6.3f   (same %d phones)\n", $empty['due_ms'], $empty['facts_ms'], $empty['total_ms'], $full['phones'] );
printf( "  for scale: due() as one OR query without its index (full scan): %.1f ms; the whole dashboard page (render(), 30 days, carts by status, recent lists): %.0f ms\n", $select['naive_ms'], $select['page_ms'] ?? 0 );
if ( null !== $backfill ) {
	printf( "  update to schema 5 on these rows (Backfill::build(), = wp cartpinger stats rebuild): %.1f s (%d phones, %d days, %d quarter-hour rows)\n", $backfill['seconds'], $backfill['phones'], $backfill['days'], $backfill['slots'] );
}
$bad = 0;
foreach ( $select['explain'] as $e ) {
	// A derived table (<derivedN>) is the small result of its own (checked) inner query.
	$access = in_array( $e['type'], array( 'range', 'ref', 'eq_ref', 'const' ), true ) || str_starts_with( (string) ( $e['table'] ?? '' ), '<derived' );
	$flag   = ( str_contains( (string) $e['extra'], 'temporary' ) || str_contains( (string) $e['extra'], 'filesort' ) || ! $access ) ? 'CHECK' : 'ok';
	$bad += 'ok' === $flag ? 0 : 1;
	printf( "  EXPLAIN %-9s %-5s %-70s type=%s key=%s rows=%d %s\n", $e['part'] ?? '', $flag, $e['query'], $e['type'] ?? '', $e['key'] ?? 'NULL', $e['rows'], $e['extra'] ?? '' );
}
printf( "  EXPLAIN: %d of %d query plans without an index range/lookup or with a temporary table/filesort\n", $bad, count( $select['explain'] ) );
$sched = $run['summary']['scheduler'] ?? array();
$queue = $run['summary']['queue'] ?? array();
$kv    = static fn( array $a ) => implode( ', ', array_map( static fn( $k, $v ) => "$k=" . ( is_scalar( $v ) ? (string) $v : json_encode( $v ) ), array_keys( $a ), $a ) );
printf( "\nOne Cron::run_once(): %.0f ms, peak %.1f MB (after boot %.1f MB; bare boot %.1f MB, boot with CartPinger %.1f MB)\n", $run['run_ms'], $run['peak_mb'], $run['boot_peak_mb'], $bare_mb, $plugin['peak_mb'] );
printf( "  scheduler: %s\n  queue:     %s\n", $kv( $sched ), $kv( $queue ) );
printf( "Storefront: /shop/ %d requests per variant, interleaved; track-cart %d calls (%s)\n", $front['shop_n'], $front['track_n'], $kv( $front['track_statuses'] ) );
printf( "  CartPinger's code on /shop/, last request, largest parts: %s\n", $front['hook_top'] ?? '' );
if ( isset( $sched['error'] ) ) {
	fwrite( STDERR, "the scheduler tick failed: {$sched['error']}\n" );
}

$json = is_file( $out ) ? (array) json_decode( (string) file_get_contents( $out ), true ) : array();
$mine = array_column( $json_rows, 'name' );
$json = array_values( array_filter( $json, static fn( $r ) => ! in_array( $r['name'] ?? '', $mine, true ) ) );
file_put_contents( $out, json_encode( array_merge( $json, $json_rows ), JSON_PRETTY_PRINT ) . "\n" );
printf( "\nappended to %s (ratio = value / baseline)\n", $out );
if ( isset( $sched['error'] ) ) {
	exit( 1 );
}
