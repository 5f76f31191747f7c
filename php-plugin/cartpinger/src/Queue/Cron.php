<?php
/**
 * WP-Cron adapter of the queue.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Queue;

use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Runs the queue every minute through WP-Cron, and lifts a pause when the access token is saved.
 *
 * @since 0.1.0
 */
final class Cron implements RegistersHooks {

	/**
	 * The cron hook.
	 *
	 * @since 0.1.0
	 */
	public const HOOK = 'cartpinger_queue_run';

	/**
	 * The custom schedule.
	 *
	 * @since 0.1.0
	 */
	public const SCHEDULE = 'cartpinger_every_minute';

	/**
	 * The runner.
	 *
	 * @since 0.1.0
	 *
	 * @var Runner
	 */
	private Runner $runner;

	/**
	 * The queue.
	 *
	 * @since 0.1.0
	 *
	 * @var Store
	 */
	private Store $store;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.1.0
	 *
	 * @param Runner $runner The runner.
	 * @param Store  $store  The queue.
	 */
	public function __construct( Runner $runner, Store $store ) {
		$this->runner = $runner;
		$this->store  = $store;
	}

	/**
	 * Hooks the schedule, the event and its scheduling.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_filter( 'cron_schedules', array( $this, 'filter_cron_schedules' ) );
		add_action( self::HOOK, array( $this, 'action_run' ) );
		add_action( 'init', array( $this, 'action_schedule' ) );
		$option = Settings::option_name( 'access_token' );
		add_action( 'add_option_' . $option, array( $this, 'action_token_saved' ) );
		add_action( 'update_option_' . $option, array( $this, 'action_token_saved' ) );
	}

	/**
	 * Adds the every-minute schedule.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @param mixed $schedules The schedules.
	 * @return mixed
	 */
	public function filter_cron_schedules( $schedules ) {
		if ( ! is_array( $schedules ) ) {
			return $schedules;
		}
		$schedules[ self::SCHEDULE ] = array(
			'interval' => MINUTE_IN_SECONDS,
			'display'  => __( 'CartPinger: every minute', 'cartpinger-for-woocommerce' ),
		);
		return $schedules;
	}

	/**
	 * Schedules the event when it is missing.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_schedule(): void {
		if ( false === wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time(), self::SCHEDULE, self::HOOK );
		}
	}

	/**
	 * The cron event: one queue run.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_run(): void {
		$this->runner->run();
	}

	/**
	 * A newly saved access token may fix what paused the queue: try again.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_token_saved(): void {
		$this->store->resume();
	}
}
