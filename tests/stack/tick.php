<?php
/**
 * One tick of the demo store's scheduler (run every 5 s, or 2 s with --fast, by tests/stack/up.sh).
 *
 *   php -d extension=/abs/libcartpinger.so tests/stack/tick.php
 *
 * The site runs with DISABLE_WP_CRON (no visitor-triggered cron), so this does what wp-cron.php
 * would: it runs CartPinger's cron hook (cartpinger_queue_run) at once, then every due WordPress
 * cron event (WooCommerce's Action Scheduler among them). Environment: CP_DEMO_WP_DIR,
 * CP_DEMO_HOST (127.0.0.1:PORT). Prints one line per tick that did something.
 */
declare(strict_types=1);

$cp_tick_wp_dir = (string) getenv( 'CP_DEMO_WP_DIR' );
if ( '' === $cp_tick_wp_dir || ! is_file( $cp_tick_wp_dir . '/wp-load.php' ) ) {
	fwrite( STDERR, "tick.php: CP_DEMO_WP_DIR is not a WordPress\n" );
	exit( 1 );
}
$_SERVER['HTTP_HOST']   = (string) ( getenv( 'CP_DEMO_HOST' ) ?: '127.0.0.1' );
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/wp-cron.php';
define( 'DOING_CRON', true );
require $cp_tick_wp_dir . '/wp-load.php';

$cp_tick_t0  = microtime( true );
$cp_tick_ran = array();

// CartPinger's own hook first, every tick.
if ( has_action( 'cartpinger_queue_run' ) ) {
	do_action( 'cartpinger_queue_run' );
	$cp_tick_ran[] = 'cartpinger_queue_run';
}

// Then the due cron events, as wp-cron.php runs them.
$cp_tick_crons = wp_get_ready_cron_jobs();
foreach ( $cp_tick_crons as $cp_tick_ts => $cp_tick_hooks ) {
	if ( $cp_tick_ts > microtime( true ) ) {
		break;
	}
	foreach ( $cp_tick_hooks as $cp_tick_hook => $cp_tick_keys ) {
		foreach ( $cp_tick_keys as $cp_tick_event ) {
			$cp_tick_schedule = $cp_tick_event['schedule'];
			if ( $cp_tick_schedule ) {
				wp_reschedule_event( $cp_tick_ts, $cp_tick_schedule, $cp_tick_hook, $cp_tick_event['args'], true );
			}
			wp_unschedule_event( $cp_tick_ts, $cp_tick_hook, $cp_tick_event['args'], true );
			if ( 'cartpinger_queue_run' === $cp_tick_hook ) {
				continue; // already ran above in this tick
			}
			do_action_ref_array( $cp_tick_hook, $cp_tick_event['args'] );
			$cp_tick_ran[] = $cp_tick_hook;
		}
	}
}

if ( count( $cp_tick_ran ) > 1 || getenv( 'CP_DEMO_TICK_VERBOSE' ) ) {
	printf( "%s tick %.0f ms: %s\n", gmdate( 'H:i:s' ), ( microtime( true ) - $cp_tick_t0 ) * 1000, implode( ', ', $cp_tick_ran ) );
}
