<?php
/**
 * WP-CLI: `wp cartpinger stats …`.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Cli;

use CartPinger\Storage\Backfill;

defined( 'ABSPATH' ) || exit;

/**
 * Rebuilds the dashboard's counters and the scheduler's per-phone facts from the recoveries and
 * the messages log (what the 0.3 update does once, in the background on big stores).
 *
 * @since 0.3.0
 */
final class StatsCommand {

	/**
	 * Recomputes the dashboard counters and per-phone facts from the existing rows.
	 *
	 * ## EXAMPLES
	 *
	 *     wp cartpinger stats rebuild
	 *
	 * @since 0.3.0
	 *
	 * @param array<int, string>    $args       Positional arguments.
	 * @param array<string, string> $assoc_args Options.
	 * @return void
	 */
	public function rebuild( array $args, array $assoc_args ): void {
		unset( $args, $assoc_args );
		$t0     = microtime( true );
		$result = Backfill::build(
			static function ( string $day, int $done, int $total ): void {
				if ( 0 === $done % 30 || $done === $total ) {
					/* translators: 1: days done, 2: days in all, 3: UTC date */
					\WP_CLI::log( sprintf( __( 'Counters: %1$d of %2$d days (%3$s).', 'cartpinger-for-woocommerce' ), $done, $total, substr( $day, 0, 10 ) ) );
				}
			}
		);
		\WP_CLI::success(
			sprintf(
				/* translators: 1: phones, 2: days, 3: quarter-hour rows, 4: seconds */
				__( 'Rebuilt: facts of %1$d phones, counters of %2$d days (%3$d quarter-hour rows) in %4$.1f s.', 'cartpinger-for-woocommerce' ),
				$result['phones'],
				$result['days'],
				$result['slots'],
				microtime( true ) - $t0
			)
		);
	}

	/**
	 * Registers the command when WP-CLI runs.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public static function register(): void {
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( '\WP_CLI' ) ) {
			\WP_CLI::add_command( 'cartpinger stats', new self() );
		}
	}
}
