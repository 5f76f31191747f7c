<?php
/**
 * Meta's limits and the merchant's cost ceiling, checked before a recovery step is queued.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Meta;

use CartPinger\Native\Platform;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Decides whether a recovery step may be queued now:
 *
 * - a template Meta paused, rejected or disabled stops the step (reason template_paused,
 *   template_rejected);
 * - a recipient whose last marketing message failed with 131049 ("not delivered to keep the
 *   ecosystem healthy") is held at least 24 h from that failure (reason meta_131049): never an
 *   immediate retry;
 * - recovery uses at most Account::recovery_daily_budget() recipients per 24 h, so order
 *   updates keep the rest of the messaging limit (reason messaging_limit);
 * - a step whose rate-card cost is above the merchant's ceiling per message, or would bring the
 *   cart's Meta cost above the ceiling per recovered cart, is skipped (reason cost_ceiling).
 *
 * @since 0.3.0
 */
final class Guard {

	/**
	 * How long a 131049 failure holds the recipient.
	 *
	 * @since 0.3.0
	 */
	public const HOLD_131049 = DAY_IN_SECONDS;

	/**
	 * How long a step held by the messaging limit waits before the next check.
	 *
	 * @since 0.3.0
	 */
	public const LIMIT_RECHECK = HOUR_IN_SECONDS;

	/**
	 * Null when the step may be queued; otherwise ['action' => stop|hold, 'reason' => string,
	 * 'until' => int (hold only)].
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $row      The recovery record.
	 * @param string               $template Template of the step.
	 * @param string               $language First language of the step.
	 * @param int                  $now      Unix time.
	 * @param Settings             $settings Settings.
	 * @return array{action: string, reason: string, until?: int}|null
	 */
	public static function check_recovery( array $row, string $template, string $language, int $now, Settings $settings ): ?array {
		global $wpdb;
		$status = Templates::status( $template, $language );
		if ( in_array( $status, Templates::BLOCKING, true ) ) {
			return array(
				'action' => 'stop',
				'reason' => 'REJECTED' === $status ? 'template_rejected' : 'template_paused',
			);
		}

		$phone  = (string) $row['customer_phone'];
		$table  = Schema::messages_log_table();
		$failed = $wpdb->get_var(
			$wpdb->prepare(
				'SELECT MAX(failed_at) FROM %i WHERE phone = %s AND error_code = %s AND failed_at > %s',
				$table,
				$phone,
				'131049',
				gmdate( 'Y-m-d H:i:s', $now - self::HOLD_131049 )
			)
		);
		if ( is_string( $failed ) && '' !== $failed ) {
			return array(
				'action' => 'hold',
				'reason' => 'meta_131049',
				'until'  => (int) strtotime( $failed . ' UTC' ) + self::HOLD_131049,
			);
		}

		$budget = Account::recovery_daily_budget();
		if ( null !== $budget ) {
			$used = (int) $wpdb->get_var(
				$wpdb->prepare(
					"SELECT COUNT(DISTINCT phone) FROM %i WHERE kind = 'recovery' AND created_at > %s AND status NOT IN ('cancelled', 'expired') AND phone <> %s",
					$table,
					gmdate( 'Y-m-d H:i:s', $now - DAY_IN_SECONDS ),
					$phone
				)
			);
			if ( $used >= $budget ) {
				return array(
					'action' => 'hold',
					'reason' => 'messaging_limit',
					'until'  => $now + self::LIMIT_RECHECK,
				);
			}
		}

		$rate     = Platform::rate( $phone, Templates::category( $template, $language ) );
		$micros   = is_int( $rate['micros'] ?? null ) ? $rate['micros'] : 0;
		$per_msg  = self::ceiling_micros( (string) $settings->get( 'cost_cap_message' ) );
		$per_cart = self::ceiling_micros( (string) $settings->get( 'cost_cap_cart' ) );
		if ( $per_msg > 0 && $micros > $per_msg ) {
			return array(
				'action' => 'stop',
				'reason' => 'cost_ceiling',
			);
		}
		if ( $per_cart > 0 ) {
			$spent = self::cart_cost_micros( (int) $row['id'], $phone );
			if ( $spent + $micros > $per_cart ) {
				return array(
					'action' => 'stop',
					'reason' => 'cost_ceiling',
				);
			}
		}
		return null;
	}

	/**
	 * A ceiling setting (US dollars, "0.05") in micro-dollars; 0 for none.
	 *
	 * @since 0.3.0
	 *
	 * @param string $value The setting.
	 * @return int
	 */
	public static function ceiling_micros( string $value ): int {
		$value = trim( $value );
		if ( '' === $value || 1 !== preg_match( '/^\d{1,4}(\.\d{1,6})?$/', $value ) ) {
			return 0;
		}
		list( $whole, $fraction ) = array_pad( explode( '.', $value ), 2, '' );
		return (int) $whole * 1000000 + (int) str_pad( $fraction, 6, '0' );
	}

	/**
	 * What a cart's messages cost so far: recorded costs, plus the rate card for sent messages
	 * not priced yet (their status webhook has not arrived).
	 *
	 * @since 0.3.0
	 *
	 * @param int    $recovery_id Recovery id.
	 * @param string $phone       The recipient.
	 * @return int Micro-units of the rate card's currency.
	 */
	public static function cart_cost_micros( int $recovery_id, string $phone ): int {
		global $wpdb;
		$rows  = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT template, language, cost_micros FROM %i WHERE recovery_id = %d AND kind = 'recovery' AND status NOT IN ('cancelled', 'expired', 'failed')",
				Schema::messages_log_table(),
				$recovery_id
			),
			ARRAY_A
		);
		$total = 0;
		foreach ( is_array( $rows ) ? $rows : array() as $message ) {
			if ( null !== $message['cost_micros'] ) {
				$total += (int) $message['cost_micros'];
				continue;
			}
			$rate   = Platform::rate( $phone, Templates::category( (string) $message['template'], (string) $message['language'] ) );
			$total += is_int( $rate['micros'] ?? null ) ? $rate['micros'] : 0;
		}
		return $total;
	}
}
