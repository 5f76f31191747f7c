<?php
/**
 * WP-CLI: `wp cartpinger queue …`.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Cli;

use CartPinger\Queue\Cron;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;

defined( 'ABSPATH' ) || exit;

/**
 * Runs and inspects CartPinger's queue, for sites that drive it from a real server cron:
 *
 *     * * * * * wp --path=/var/www/shop cartpinger queue run --quiet
 *
 * @since 0.2.0
 */
final class QueueCommand {

	/**
	 * The cron adapter (one full run = scheduler + queue).
	 *
	 * @since 0.2.0
	 *
	 * @var Cron
	 */
	private Cron $cron;

	/**
	 * The queue.
	 *
	 * @since 0.2.0
	 *
	 * @var Store
	 */
	private Store $store;

	/**
	 * Creates the command.
	 *
	 * @since 0.2.0
	 *
	 * @param Cron  $cron  Cron adapter.
	 * @param Store $store Queue.
	 */
	public function __construct( Cron $cron, Store $store ) {
		$this->cron  = $cron;
		$this->store = $store;
	}

	/**
	 * Plans due abandoned carts and sends due messages now.
	 *
	 * ## OPTIONS
	 *
	 * [--budget=<ms>]
	 * : Time budget of the run in milliseconds (default: 50 s, less under a lower
	 * max_execution_time). The run keeps claiming and sending until the queue is empty or the
	 * budget is spent.
	 * ---
	 * default: 20000
	 * ---
	 *
	 * [--format=<format>]
	 * : table or json.
	 * ---
	 * default: table
	 * ---
	 *
	 * @since 0.2.0
	 *
	 * @param array<int, string>    $args       Positional arguments.
	 * @param array<string, string> $assoc_args Options.
	 * @return void
	 */
	public function run( array $args, array $assoc_args ): void {
		unset( $args );
		// Default: the run's own budget (cron interval and max_execution_time, minus headroom).
		$budget = isset( $assoc_args['budget'] ) && ctype_digit( (string) $assoc_args['budget'] ) ? (int) $assoc_args['budget'] : 0;
		$result = $this->cron->run_once( min( 600000, $budget ) );
		$rows   = array();
		foreach ( $result as $part => $summary ) {
			foreach ( (array) $summary as $key => $value ) {
				$rows[] = array(
					'part'  => $part,
					'key'   => (string) $key,
					'value' => is_scalar( $value ) ? (string) $value : (string) wp_json_encode( $value ),
				);
			}
		}
		if ( 'json' === ( $assoc_args['format'] ?? 'table' ) ) {
			\WP_CLI::line( (string) wp_json_encode( $result ) );
			return;
		}
		\WP_CLI\Utils\format_items( 'table', $rows, array( 'part', 'key', 'value' ) );
		$paused = $this->store->paused();
		if ( null !== $paused ) {
			\WP_CLI::warning( __( 'The queue is paused: fix the WhatsApp credentials in CartPinger > Settings.', 'cartpinger-for-woocommerce' ) );
			return;
		}
		\WP_CLI::success( __( 'CartPinger queue run finished.', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * Shows when the queue last ran and what it did.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function status(): void {
		$last = get_option( Runner::LAST_RUN_OPTION, array() );
		\WP_CLI::line( (string) wp_json_encode( is_array( $last ) ? $last : array(), JSON_PRETTY_PRINT ) );
	}

	/**
	 * Registers the command when WP-CLI runs.
	 *
	 * @since 0.2.0
	 *
	 * @param Cron  $cron  Cron adapter.
	 * @param Store $store Queue.
	 * @return void
	 */
	public static function register( Cron $cron, Store $store ): void {
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( '\WP_CLI' ) ) {
			\WP_CLI::add_command( 'cartpinger queue', new self( $cron, $store ) );
		}
	}
}
