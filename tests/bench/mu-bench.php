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

/*
 * In-process storefront cost (issue 15, storefront_hook_ms): for requests with X-CPBench-Hooks: 1,
 * the time spent in CartPinger's own code, summed with hrtime():
 * - including its plugin file (the time between the plugin_loaded of the plugin before it, or
 *   the last read of active_plugins, and its own plugin_loaded: WordPress only includes the file
 *   in between);
 * - every callback it registered (functions named cartpinger_*, closures and methods of classes
 *   in the CartPinger\ namespace), wrapped in a timer the first time its hook fires ('all' runs
 *   before each hook's callbacks); class autoloading inside a callback counts in that callback.
 * The sum (ns) and the number of calls are appended to the page as an HTML comment at shutdown.
 */
if ( isset( $_SERVER['HTTP_X_CPBENCH_HOOKS'] ) && '1' === $_SERVER['HTTP_X_CPBENCH_HOOKS'] && ! $cpbench_off ) {
	$GLOBALS['cpbench_hook_ns']    = 0;
	$GLOBALS['cpbench_hook_calls'] = 0;
	$GLOBALS['cpbench_depth']      = 0;
	$GLOBALS['cpbench_last_mark']  = hrtime( true );
	$cpbench_mark                  = static function () {
		$GLOBALS['cpbench_last_mark'] = hrtime( true );
	};
	// wp_get_active_and_valid_plugins() reads active_plugins right before WordPress includes the
	// plugin files one by one (nothing else runs in between but its file checks), so the last
	// read marks the start of the first include; each plugin_loaded marks the next one's.
	add_filter(
		'option_active_plugins',
		static function ( $plugins ) use ( $cpbench_mark ) {
			$cpbench_mark();
			return $plugins;
		},
		PHP_INT_MAX
	);
	add_action(
		'plugin_loaded',
		static function ( $file ) {
			$now = hrtime( true );
			if ( 'cartpinger.php' === basename( (string) $file ) ) {
				$GLOBALS['cpbench_hook_ns'] += $now - $GLOBALS['cpbench_last_mark'];
				++$GLOBALS['cpbench_hook_calls'];
				$GLOBALS['cpbench_by']['(include cartpinger.php)'] = $now - $GLOBALS['cpbench_last_mark'];
			}
			$GLOBALS['cpbench_last_mark'] = hrtime( true );
		},
		PHP_INT_MAX
	);
	$cpbench_is_ours = static function ( $cb ): bool {
		if ( is_string( $cb ) ) {
			return 0 === strncmp( $cb, 'cartpinger_', 11 ) || 0 === strncmp( $cb, 'CartPinger\\', 11 );
		}
		if ( is_array( $cb ) && isset( $cb[0] ) ) {
			$class = is_object( $cb[0] ) ? get_class( $cb[0] ) : (string) $cb[0];
			return 0 === strncmp( $class, 'CartPinger\\', 11 );
		}
		if ( $cb instanceof Closure ) {
			$r = new ReflectionFunction( $cb );
			$c = $r->getClosureScopeClass();
			return ( null !== $c && 0 === strncmp( $c->getName(), 'CartPinger\\', 11 ) )
				|| str_contains( (string) $r->getFileName(), '/plugins/cartpinger/' );
		}
		return false;
	};
	// WooCommerce builds its FeaturesController and feature definitions in every request anyway
	// (FeaturesUtil::get_features() by wp_footer takes 0.05 ms with CartPinger off): build them
	// here, first thing in before_woocommerce_init, so that the first plugin to declare its
	// compatibility (cartpinger_declare_woocommerce_compatibility) is not charged for it.
	add_action(
		'before_woocommerce_init',
		static function () {
			if ( class_exists( '\\Automattic\\WooCommerce\\Utilities\\FeaturesUtil' ) ) {
				\Automattic\WooCommerce\Utilities\FeaturesUtil::get_features();
			}
		},
		PHP_INT_MIN
	);
	$GLOBALS['cpbench_wrapped'] = array();
	add_action(
		'all',
		static function ( $hook ) use ( $cpbench_is_ours ) {
			global $wp_filter;
			if ( ! isset( $wp_filter[ $hook ] ) || ! $wp_filter[ $hook ] instanceof WP_Hook ) {
				return;
			}
			foreach ( $wp_filter[ $hook ]->callbacks as $prio => $cbs ) {
				foreach ( $cbs as $key => $cb ) {
					if ( isset( $GLOBALS['cpbench_wrapped'][ $hook ][ $prio ][ $key ] ) ) {
						continue;
					}
					$GLOBALS['cpbench_wrapped'][ $hook ][ $prio ][ $key ] = true;
					if ( ! $cpbench_is_ours( $cb['function'] ) ) {
						continue;
					}
					$orig = $cb['function'];
					// Only the outermost of nested CartPinger callbacks counts (no double counting).
					$wp_filter[ $hook ]->callbacks[ $prio ][ $key ]['function'] = static function ( ...$args ) use ( $orig, $hook, $key ) {
						if ( $GLOBALS['cpbench_depth'] > 0 ) {
							return $orig( ...$args );
						}
						++$GLOBALS['cpbench_depth'];
						$q0 = $GLOBALS['wpdb']->num_queries;
						$t0 = hrtime( true );
						try {
							return $orig( ...$args );
						} finally {
							$dt                          = hrtime( true ) - $t0;
							$GLOBALS['cpbench_hook_ns'] += $dt;
							++$GLOBALS['cpbench_hook_calls'];
							--$GLOBALS['cpbench_depth'];
							$GLOBALS['cpbench_by'][ $hook . ':' . $key ] = ( $GLOBALS['cpbench_by'][ $hook . ':' . $key ] ?? 0 ) + $dt;
							$GLOBALS['cpbench_queries']                  = ( $GLOBALS['cpbench_queries'] ?? 0 ) + $GLOBALS['wpdb']->num_queries - $q0;
							if ( $GLOBALS['wpdb']->num_queries > $q0 ) {
								$GLOBALS['cpbench_qby'][] = $hook . '+' . ( $GLOBALS['wpdb']->num_queries - $q0 );
							}
						}
					};
				}
			}
		}
	);
	add_action(
		'shutdown',
		static function () {
			$by = $GLOBALS['cpbench_by'] ?? array();
			arsort( $by );
			$top = array();
			foreach ( array_slice( $by, 0, 5, true ) as $what => $ns ) {
				$top[] = str_replace( '--', '-', $what ) . '=' . round( $ns / 1000 ) . 'us';
			}
			printf( "\n<!-- cpbench-hooks ns=%d calls=%d top=%s queries=%d (%s) -->\n", (int) $GLOBALS['cpbench_hook_ns'], (int) $GLOBALS['cpbench_hook_calls'], esc_html( implode( ' ', $top ) ), (int) ( $GLOBALS['cpbench_queries'] ?? 0 ), esc_html( implode( ' ', $GLOBALS['cpbench_qby'] ?? array() ) ) );
		},
		PHP_INT_MAX
	);
}
