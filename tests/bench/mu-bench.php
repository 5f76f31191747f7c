<?php
/**
 * Plugin Name: CartPinger bench switches
 * Description: Copied into the demo store's mu-plugins by tests/bench/recovery.sh for the length of
 *              a benchmark run (never shipped). Two switches, both off unless asked for:
 *              - "plugin off": the request header X-CPBench-Off: 1 (or CPBENCH_PLUGIN_OFF=1 in a CLI
 *                process) takes cartpinger/cartpinger.php out of active_plugins for that one
 *                request, exactly as if it were deactivated (its file is never loaded), so pages
 *                with the plugin on and off can be timed interleaved on one server;
 *              - CPBENCH_NO_QUIET=1 (CLI): no quiet hours in the recovery policy, so what a tick
 *                does (send or wait) does not depend on the time of day the bench runs at.
 *
 * @package CartPinger
 */

$cpbench_off = ( isset( $_SERVER['HTTP_X_CPBENCH_OFF'] ) && '1' === $_SERVER['HTTP_X_CPBENCH_OFF'] )
	|| ( 'cli' === PHP_SAPI && '1' === getenv( 'CPBENCH_PLUGIN_OFF' ) );
if ( $cpbench_off ) {
	add_filter(
		'option_active_plugins',
		static function ( $plugins ) {
			return is_array( $plugins ) ? array_values( array_diff( $plugins, array( 'cartpinger/cartpinger.php' ) ) ) : $plugins;
		},
		PHP_INT_MAX
	);
}

if ( 'cli' === PHP_SAPI && '1' === getenv( 'CPBENCH_NO_QUIET' ) ) {
	add_filter(
		'cartpinger_recovery_policy',
		static function ( $policy ) {
			$policy          = is_array( $policy ) ? $policy : array();
			$policy['quiet'] = array(
				'enabled' => false,
				'start'   => 0,
				'end'     => 0,
			);
			return $policy;
		},
		99
	);
}
