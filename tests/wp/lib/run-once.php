<?php
/**
 * One full CartPinger run (scheduler tick + queue) in its own PHP process, as WP-Cron, Action
 * Scheduler or `wp cartpinger queue run` would do on another web server. Used by the
 * concurrency scenario (r2). Prints the summary as JSON.
 *
 *   php run-once.php [budget_ms]
 */
declare(strict_types=1);

$_SERVER['HTTP_HOST']   = '127.0.0.1:8089';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
define( 'DOING_CRON', true );
require getenv( 'CARTPINGER_IT_WP_DIR' ) . '/wp-load.php';

$budget = isset( $argv[1] ) ? (int) $argv[1] : 20000;
// CARTPINGER_IT_KILL_AFTER_QUEUED=N: this process SIGKILLs itself right after the scheduler
// queued its N-th message (a known point: it holds the leases of the records it has not
// applied yet, and has sent nothing).
$kill_after = (int) getenv( 'CARTPINGER_IT_KILL_AFTER_QUEUED' );
if ( $kill_after > 0 ) {
	add_action(
		'cartpinger_after_send_recovery',
		static function () use ( $kill_after ) {
			static $queued = 0;
			if ( ++$queued >= $kill_after ) {
				posix_kill( getmypid(), 9 );
			}
		}
	);
}
$cron   = null;
foreach ( $GLOBALS['wp_filter'][ \CartPinger\Queue\Cron::HOOK ]->callbacks ?? array() as $callbacks ) {
	foreach ( $callbacks as $cb ) {
		if ( is_array( $cb['function'] ) && $cb['function'][0] instanceof \CartPinger\Queue\Cron ) {
			$cron = $cb['function'][0];
		}
	}
}
if ( null === $cron ) {
	fwrite( STDERR, "CartPinger's cron adapter is not registered\n" );
	exit( 1 );
}
echo wp_json_encode( $cron->run_once( $budget ) ), PHP_EOL;
