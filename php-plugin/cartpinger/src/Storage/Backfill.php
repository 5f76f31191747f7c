<?php
/**
 * Builds the counters and phone facts of an existing site (migration 5), in the background when
 * the tables are big.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Storage;

defined( 'ABSPATH' ) || exit;

/**
 * Migration 5 runs on the first request after an update, which may be a shopper's: on small
 * tables the build runs right there (well under a second); on big ones it is handed to a WP-Cron
 * event (no time limit) and the PENDING option is set meanwhile. While it is set the scheduler
 * does not plan (its cool-off facts are not there yet); it is cleared as soon as the phone facts
 * are built, before the dashboard's counters (which fill in day by day). `wp cartpinger stats
 * rebuild` runs the same build in the foreground.
 *
 * @since 0.3.0
 */
final class Backfill {

	/**
	 * WP-Cron hook of the background build.
	 *
	 * @since 0.3.0
	 */
	public const HOOK = 'cartpinger_backfill';

	/**
	 * Option set while a build is pending (value: when it was asked for, unix time).
	 *
	 * @since 0.3.0
	 */
	public const PENDING = 'cartpinger_backfill_pending';

	/**
	 * Rows (recoveries + messages, estimated) up to which the build runs inline.
	 *
	 * @since 0.3.0
	 */
	public const INLINE_ROWS = 50000;

	/**
	 * Hooks the background build (always: migrations run without WooCommerce too).
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public static function register(): void {
		add_action( self::HOOK, array( self::class, 'run' ) );
	}

	/**
	 * Builds now (small tables) or schedules the background build.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public static function start(): void {
		global $wpdb;
		$rows = (int) $wpdb->get_var(
			$wpdb->prepare(
				'SELECT COALESCE(SUM(TABLE_ROWS), 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (%s, %s)',
				Schema::recoveries_table(),
				Schema::messages_log_table()
			)
		);
		if ( $rows <= self::INLINE_ROWS ) {
			self::build();
			return;
		}
		update_option( self::PENDING, time(), false );
		if ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_single_event( time(), self::HOOK );
		}
	}

	/**
	 * Whether a build is still pending.
	 *
	 * @since 0.3.0
	 *
	 * @return bool
	 */
	public static function pending(): bool {
		return false !== get_option( self::PENDING, false );
	}

	/**
	 * The WP-Cron event: builds without a time limit.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public static function run(): void {
		if ( function_exists( 'set_time_limit' ) ) {
			set_time_limit( 0 ); // phpcs:ignore Squiz.PHP.DiscouragedFunctions.Discouraged -- a background cron event.
		}
		self::build();
	}

	/**
	 * Phone facts, then the counters; clears PENDING.
	 *
	 * @since 0.3.0
	 *
	 * @param callable|null $progress Stats::rebuild() progress callback.
	 * @return array{phones: int, days: int, slots: int}
	 */
	public static function build( ?callable $progress = null ): array {
		$phones = PhoneFacts::backfill();
		// The scheduler only needs the phone facts: it plans again while the counters build.
		delete_option( self::PENDING );
		$stats = Stats::rebuild( $progress );
		return array( 'phones' => $phones ) + $stats;
	}
}
