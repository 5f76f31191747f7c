<?php
/**
 * The recovery policy handed to the native scheduler.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Turns the merchant's settings into the policy array of CartPinger\Native\Scheduler::plan().
 *
 * Every duration is in seconds. Follow-up delays count from the moment the first message was
 * queued (not from the previous follow-up), so "+48 h" means 48 h after the first message.
 *
 * @since 0.2.0
 */
final class Policy {

	/**
	 * Option holding the site's random holdout salt (so assignment is stable and unguessable).
	 *
	 * @since 0.2.0
	 */
	public const SALT_OPTION = 'cartpinger_holdout_salt';

	/**
	 * The policy for the current settings, after the `cartpinger_recovery_policy` filter.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings The settings service.
	 * @return array<string, mixed>
	 */
	public static function build( Settings $settings ): array {
		$ttl    = 3600 * (int) $settings->get( 'message_ttl_hours' );
		$policy = array(
			'delay'              => 60 * (int) $settings->get( 'recovery_delay_minutes' ),
			'followups'          => (bool) $settings->get( 'enable_followups' ),
			'followup_1_after'   => 3600 * (int) $settings->get( 'followup_1_hours' ),
			'followup_2_enabled' => (bool) $settings->get( 'followup_2_enabled' ),
			'followup_2_after'   => 3600 * (int) $settings->get( 'followup_2_hours' ),
			'coupon'             => (bool) $settings->get( 'enable_auto_coupon' ),
			'cooloff'            => 3600 * (int) $settings->get( 'cooloff_hours' ),
			'max_age'            => DAY_IN_SECONDS * (int) $settings->get( 'max_cart_age_days' ),
			'holdout_percent'    => (int) $settings->get( 'holdout_percent' ),
			'holdout_salt'       => self::salt(),
			'quiet'              => array(
				'enabled' => (bool) $settings->get( 'quiet_hours_enabled' ),
				'start'   => self::minutes( (string) $settings->get( 'quiet_hours_start' ) ),
				'end'     => self::minutes( (string) $settings->get( 'quiet_hours_end' ) ),
			),
			'default_timezone'   => self::site_timezone(),
			'ttl'                => array( $ttl, $ttl, $ttl ),
			'us_marketing_guard' => (bool) $settings->get( 'us_marketing_guard' ),
		);

		/**
		 * Filters the recovery policy before the scheduler uses it.
		 *
		 * Durations are seconds. The demo store (`./build.sh serve --fast`) uses this to shorten
		 * every delay. Values of the wrong type are replaced by the setting's value.
		 *
		 * @since 0.2.0
		 *
		 * @param array<string, mixed> $policy The policy.
		 */
		$filtered = apply_filters( 'cartpinger_recovery_policy', $policy );
		$out      = self::conform( is_array( $filtered ) ? $filtered : array(), $policy );
		if ( $out['followup_2_after'] <= $out['followup_1_after'] ) {
			$out['followup_2_after'] = $out['followup_1_after'] + 1;
		}
		return $out;
	}

	/**
	 * Keeps the shape of $defaults: each key of the same type, else the default.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $given    Filtered policy.
	 * @param array<string, mixed> $defaults Policy from the settings.
	 * @return array<string, mixed>
	 */
	private static function conform( array $given, array $defaults ): array {
		$out = array();
		foreach ( $defaults as $key => $default ) {
			$value = $given[ $key ] ?? $default;
			if ( is_array( $default ) ) {
				$out[ $key ] = is_array( $value ) ? self::conform( $value, $default ) : $default;
			} elseif ( is_int( $default ) ) {
				$out[ $key ] = is_int( $value ) && $value >= 0 ? $value : $default;
			} else {
				$out[ $key ] = gettype( $value ) === gettype( $default ) ? $value : $default;
			}
		}
		return $out;
	}

	/**
	 * Minutes after midnight of "HH:MM" (0 for anything else).
	 *
	 * @since 0.2.0
	 *
	 * @param string $time Time of day.
	 * @return int
	 */
	public static function minutes( string $time ): int {
		if ( 1 !== preg_match( '/^(\d{2}):(\d{2})$/', $time, $m ) ) {
			return 0;
		}
		return min( 1439, 60 * (int) $m[1] + (int) $m[2] );
	}

	/**
	 * The site's time zone as an IANA name or a ±HH:MM offset.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	private static function site_timezone(): string {
		$zone = wp_timezone_string();
		if ( 1 === preg_match( '/^[+-]\d{2}:\d{2}$/', $zone ) || str_contains( $zone, '/' ) || 'UTC' === $zone ) {
			return $zone;
		}
		return 'UTC';
	}

	/**
	 * The site's holdout salt, created once.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	private static function salt(): string {
		$salt = get_option( self::SALT_OPTION, '' );
		if ( is_string( $salt ) && 64 === strlen( $salt ) ) {
			return $salt;
		}
		$salt = bin2hex( random_bytes( 32 ) );
		add_option( self::SALT_OPTION, $salt, '', false );
		$stored = get_option( self::SALT_OPTION, '' );
		return is_string( $stored ) && '' !== $stored ? $stored : $salt;
	}
}
