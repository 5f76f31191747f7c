<?php
/**
 * WP-Cron adapter of the queue.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Queue;

use CartPinger\Lifecycle;
use CartPinger\Orders\Notifications;
use CartPinger\Recovery\Coupons;
use CartPinger\Recovery\Scheduler;
use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;
use CartPinger\Webhook\Processor;

defined( 'ABSPATH' ) || exit;

/**
 * Every minute: the recovery scheduler turns due carts into queued messages, then the queue
 * sends what is due. Triggered by Action Scheduler when it is present (WooCommerce bundles
 * it; it survives low-traffic sites better and runs on several web servers safely), else by
 * WP-Cron, and by `wp cartpinger queue run` for a real server cron. Every trigger runs the
 * same code; record leases and message claims make overlapping runs safe. Also lifts a queue
 * pause when the access token is saved, and cleans up expired coupons daily.
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
	 * The recovery scheduler.
	 *
	 * @since 0.2.0
	 *
	 * @var Scheduler|null
	 */
	private ?Scheduler $scheduler;

	/**
	 * Coupons (daily cleanup).
	 *
	 * @since 0.2.0
	 *
	 * @var Coupons|null
	 */
	private ?Coupons $coupons;

	/**
	 * Applies stored webhooks (also when the queue cannot send: opt-outs must land).
	 *
	 * @since 0.3.0
	 *
	 * @var Processor|null
	 */
	private ?Processor $processor;

	/**
	 * Sends the order notifications recorded while the extension was missing.
	 *
	 * @since 0.3.0
	 *
	 * @var Notifications|null
	 */
	private ?Notifications $notifications;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.1.0
	 *
	 * @param Runner             $runner        The runner.
	 * @param Store              $store         The queue.
	 * @param Scheduler|null     $scheduler     The recovery scheduler (none: queue only).
	 * @param Coupons|null       $coupons       Coupons (daily cleanup).
	 * @param Processor|null     $processor     Applies stored webhooks.
	 * @param Notifications|null $notifications Sends the notifications deferred without the extension.
	 */
	public function __construct( Runner $runner, Store $store, ?Scheduler $scheduler = null, ?Coupons $coupons = null, ?Processor $processor = null, ?Notifications $notifications = null ) {
		$this->runner        = $runner;
		$this->store         = $store;
		$this->scheduler     = $scheduler;
		$this->coupons       = $coupons;
		$this->processor     = $processor;
		$this->notifications = $notifications;
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
		add_action( 'action_scheduler_init', array( $this, 'action_schedule_as' ) );
		add_action( Coupons::CLEANUP_HOOK, array( $this, 'action_cleanup' ) );
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
		if ( self::uses_action_scheduler() ) {
			return;
		}
		if ( false === wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time(), self::SCHEDULE, self::HOOK );
		}
		if ( null !== $this->coupons && false === wp_next_scheduled( Coupons::CLEANUP_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', Coupons::CLEANUP_HOOK );
		}
	}

	/**
	 * Whether Action Scheduler (bundled with WooCommerce) drives the runs.
	 *
	 * @since 0.2.0
	 *
	 * @return bool
	 */
	public static function uses_action_scheduler(): bool {
		return function_exists( 'as_schedule_recurring_action' ) && function_exists( 'as_has_scheduled_action' );
	}

	/**
	 * Schedules the recurring Action Scheduler actions (checked at most once an hour) and
	 * removes the WP-Cron events they replace.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_schedule_as(): void {
		if ( ! self::uses_action_scheduler() || ! Lifecycle::check_due( 'queue' ) ) {
			return;
		}
		try {
			if ( ! as_has_scheduled_action( self::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP ) ) {
				as_schedule_recurring_action( time(), MINUTE_IN_SECONDS, self::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP, true );
			}
			if ( null !== $this->coupons && ! as_has_scheduled_action( Coupons::CLEANUP_HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP ) ) {
				as_schedule_recurring_action( time() + HOUR_IN_SECONDS, DAY_IN_SECONDS, Coupons::CLEANUP_HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP, true );
			}
			wp_clear_scheduled_hook( self::HOOK );
			wp_clear_scheduled_hook( Coupons::CLEANUP_HOOK );
			Lifecycle::check_done( 'queue' );
		} catch ( \Throwable $e ) {
			unset( $e ); // Action Scheduler not ready yet: WP-Cron keeps running the queue.
		}
	}

	/**
	 * Daily: deletes expired, unused recovery coupons.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_cleanup(): void {
		if ( null !== $this->coupons ) {
			$this->coupons->cleanup();
		}
	}

	/**
	 * One full run: scheduler, then queue.
	 *
	 * @since 0.2.0
	 *
	 * @param int $budget_ms Send budget in milliseconds.
	 * @return array<string, mixed> 'scheduler' and 'queue' summaries.
	 */
	public function run_once( int $budget_ms = 0 ): array {
		$webhooks  = null === $this->processor ? 0 : $this->processor->apply_inbox();
		$deferred  = null === $this->notifications ? array() : $this->notifications->resume_deferred();
		$scheduled = array();
		if ( null !== $this->scheduler ) {
			try {
				$scheduled = $this->scheduler->tick();
			} catch ( \Throwable $e ) {
				$scheduled = array( 'error' => $e->getMessage() );
			}
		}
		return array(
			'webhooks'  => $webhooks,
			'deferred'  => $deferred,
			'scheduler' => $scheduled,
			'queue'     => $this->runner->run( $budget_ms ),
		);
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
		$this->run_once();
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
