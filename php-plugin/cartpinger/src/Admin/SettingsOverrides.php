<?php
/**
 * Which reminder settings code on this site overrides (the cartpinger_recovery_policy filter).
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Recovery\Policy;
use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Compares each saved reminder setting with the policy the scheduler really uses (after
 * filters): where they differ, the settings page says so at the field and shows the value in
 * force, so a merchant never edits a number that has no effect without knowing why.
 *
 * @since 0.3.0
 */
final class SettingsOverrides {

	/**
	 * Setting key => [policy path, seconds per unit (0 = a switch)].
	 *
	 * @since 0.3.0
	 */
	private const MAP = array(
		'recovery_delay_minutes' => array( array( 'delay' ), 60 ),
		'followup_1_hours'       => array( array( 'followup_1_after' ), 3600 ),
		'followup_2_hours'       => array( array( 'followup_2_after' ), 3600 ),
		'cooloff_hours'          => array( array( 'cooloff' ), 3600 ),
		'max_cart_age_days'      => array( array( 'max_age' ), 86400 ),
		'holdout_percent'        => array( array( 'holdout_percent' ), 1 ),
		'enable_followups'       => array( array( 'followups' ), 0 ),
		'followup_2_enabled'     => array( array( 'followup_2_enabled' ), 0 ),
		'enable_auto_coupon'     => array( array( 'coupon' ), 0 ),
		'quiet_hours_enabled'    => array( array( 'quiet', 'enabled' ), 0 ),
		'us_marketing_guard'     => array( array( 'us_marketing_guard' ), 0 ),
	);

	/**
	 * Overridden settings and the value in force, in words.
	 *
	 * @since 0.3.0
	 *
	 * @param Settings $settings Settings.
	 * @return array<string, string> Setting key => the value the scheduler uses.
	 */
	public static function for_settings( Settings $settings ): array {
		if ( ! has_filter( 'cartpinger_recovery_policy' ) ) {
			return array();
		}
		$policy = Policy::build( $settings );
		$out    = array();
		foreach ( self::MAP as $key => list( $path, $unit ) ) {
			$value = $policy;
			foreach ( $path as $part ) {
				$value = is_array( $value ) ? ( $value[ $part ] ?? null ) : null;
			}
			if ( null === $value ) {
				continue;
			}
			$saved = $settings->get( $key );
			if ( 0 === $unit ) {
				if ( (bool) $value !== (bool) $saved ) {
					$out[ $key ] = $value ? __( 'on', 'cartpinger-for-woocommerce' ) : __( 'off', 'cartpinger-for-woocommerce' );
				}
				continue;
			}
			if ( (int) $value !== (int) $saved * $unit ) {
				$out[ $key ] = 1 === $unit ? number_format_i18n( (int) $value ) : self::duration( (int) $value );
			}
		}
		return $out;
	}

	/**
	 * Seconds in words ("20 seconds", "2 hours").
	 *
	 * @since 0.3.0
	 *
	 * @param int $seconds Seconds.
	 * @return string
	 */
	private static function duration( int $seconds ): string {
		if ( $seconds < MINUTE_IN_SECONDS ) {
			/* translators: %d: number of seconds. */
			return sprintf( _n( '%d second', '%d seconds', $seconds, 'cartpinger-for-woocommerce' ), $seconds );
		}
		return human_time_diff( 0, $seconds );
	}
}
