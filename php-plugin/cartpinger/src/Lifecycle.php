<?php
/**
 * Activation and deactivation.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger;

use CartPinger\Storage\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * What happens when the plugin is activated or deactivated.
 *
 * Neither step needs WooCommerce or the cartpinger extension: a site can activate CartPinger
 * first and install the rest afterwards. Uninstalling lives in uninstall.php.
 *
 * @since 0.1.0
 */
final class Lifecycle {

	/**
	 * Prefix shared by every WP-Cron hook the plugin schedules (now or in earlier versions).
	 *
	 * @since 0.1.0
	 */
	public const CRON_HOOK_PREFIX = 'cartpinger_';

	/**
	 * Action Scheduler group of the plugin's background jobs.
	 *
	 * @since 0.1.0
	 */
	public const ACTION_SCHEDULER_GROUP = 'cartpinger';

	/**
	 * Transient that caches the WhatsApp template list.
	 *
	 * @since 0.1.0
	 */
	public const TEMPLATES_CACHE_TRANSIENT = 'cartpinger_templates_cache';

	/**
	 * Installs or upgrades the plugin on the current site, or on every site of the network.
	 *
	 * The caller (cartpinger_activate() in the main file) has already refused PHP < 8.2 and
	 * WordPress < 6.5.
	 *
	 * @since 0.1.0
	 *
	 * @param bool $network_wide Whether the plugin is being network-activated.
	 * @return void
	 */
	public static function activate( bool $network_wide ): void {
		self::for_each_site( $network_wide, array( self::class, 'install_site' ) );
	}

	/**
	 * Stops the plugin's scheduled work on the current site, or on every site of the network.
	 *
	 * Data (tables, options, credentials) is kept; uninstall.php removes it when asked to.
	 *
	 * @since 0.1.0
	 *
	 * @param bool $network_wide Whether the plugin is being network-deactivated.
	 * @return void
	 */
	public static function deactivate( bool $network_wide ): void {
		self::for_each_site( $network_wide, array( self::class, 'deactivate_site' ) );
	}

	/**
	 * Runs the migrations and adds the first-run options on the current site.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public static function install_site(): void {
		Schema::migrate( true );
		// add_option() never overwrites: a reactivation keeps the first activation date and
		// the onboarding state.
		add_option( 'cartpinger_activated_at', current_time( 'mysql', true ) );
		add_option( 'cartpinger_onboarding_completed', '0' );
	}

	/**
	 * Unschedules every cartpinger_* cron event and clears the template cache on the current site.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public static function deactivate_site(): void {
		foreach ( self::scheduled_cron_hooks() as $hook ) {
			wp_unschedule_hook( $hook );
		}
		if ( function_exists( 'as_unschedule_all_actions' ) ) {
			try {
				as_unschedule_all_actions( '', array(), self::ACTION_SCHEDULER_GROUP );
			} catch ( \Throwable $e ) {
				// Action Scheduler not ready (e.g. WooCommerce half-loaded): WP-Cron is cleared anyway.
				unset( $e );
			}
		}
		delete_transient( self::TEMPLATES_CACHE_TRANSIENT );
		delete_transient( 'cartpinger_as_checked' );
		delete_transient( 'cartpinger_retention_checked' );
		delete_transient( 'cartpinger_license_as_checked' );
		update_option( self::CHECKS_OPTION, array(), true ); // Checked again on reactivation (kept: data stays).
	}

	/**
	 * Autoloaded option: when each "is my recurring job scheduled?" check is due next
	 * (name => unix time). Autoloaded so that the storefront's requests read it with the other
	 * options, without a query of their own (a transient per check costs two queries a page).
	 *
	 * @since 0.3.0
	 */
	public const CHECKS_OPTION = 'cartpinger_schedule_checks';

	/**
	 * Whether a scheduling check is due (none done in the last hour).
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Check name.
	 * @return bool
	 */
	public static function check_due( string $name ): bool {
		$checks = get_option( self::CHECKS_OPTION, array() );
		return ! is_array( $checks ) || (int) ( $checks[ $name ] ?? 0 ) <= time();
	}

	/**
	 * Records a scheduling check as done for an hour, or forgets it ($every = 0).
	 *
	 * @since 0.3.0
	 *
	 * @param string $name  Check name.
	 * @param int    $every Seconds until the next check.
	 * @return void
	 */
	public static function check_done( string $name, int $every = HOUR_IN_SECONDS ): void {
		$checks = get_option( self::CHECKS_OPTION, array() );
		$checks = is_array( $checks ) ? $checks : array();
		if ( $every > 0 ) {
			$checks[ $name ] = time() + $every;
		} else {
			unset( $checks[ $name ] );
		}
		update_option( self::CHECKS_OPTION, $checks, true );
	}

	/**
	 * The distinct WP-Cron hooks on this site that belong to the plugin.
	 *
	 * Read from the cron array rather than from a list, so that follow-up jobs with arguments
	 * and hooks of earlier plugin versions are found too.
	 *
	 * @since 0.1.0
	 *
	 * @return string[]
	 */
	public static function scheduled_cron_hooks(): array {
		$crons = _get_cron_array();
		$hooks = array();
		foreach ( $crons as $events ) {
			if ( ! is_array( $events ) ) {
				continue;
			}
			foreach ( array_keys( $events ) as $hook ) {
				$hook = (string) $hook;
				if ( str_starts_with( $hook, self::CRON_HOOK_PREFIX ) ) {
					$hooks[ $hook ] = true;
				}
			}
		}
		return array_keys( $hooks );
	}

	/**
	 * Runs a callback on the current site, or on every site of the network.
	 *
	 * @since 0.1.0
	 *
	 * @param bool     $network_wide Whether to visit every site of the network.
	 * @param callable $callback     Called with no argument while each site is current.
	 * @return void
	 */
	private static function for_each_site( bool $network_wide, callable $callback ): void {
		if ( ! $network_wide || ! is_multisite() ) {
			$callback();
			return;
		}
		$site_ids = get_sites(
			array(
				'fields'     => 'ids',
				'number'     => 0,
				'network_id' => get_current_network_id(),
			)
		);
		foreach ( $site_ids as $site_id ) {
			switch_to_blog( (int) $site_id );
			try {
				$callback();
			} finally {
				restore_current_blog();
			}
		}
	}
}
