<?php
/**
 * What CartPinger knows about the WhatsApp account on Meta's side.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Meta;

use CartPinger\Native\Sender;

defined( 'ABSPATH' ) || exit;

/**
 * The account's state as last seen: whether the business accepted the Marketing Messages API
 * terms (the WABA's marketing_messages_onboarding_status), the phone number's quality rating
 * and the portfolio's messaging limit (from the credentials check and from the
 * phone_number_quality_update webhook). Kept in one option; every time is UTC.
 *
 * @since 0.3.0
 */
final class Account {

	/**
	 * Option holding the state.
	 *
	 * @since 0.3.0
	 */
	public const OPTION = 'cartpinger_meta_account';

	/**
	 * How long a Marketing Messages API onboarding answer is trusted before it is asked again.
	 *
	 * @since 0.3.0
	 */
	public const ONBOARDING_TTL = 43200;

	/**
	 * Share of the daily messaging limit recovery may use: the rest is kept for order updates.
	 *
	 * @since 0.3.0
	 */
	public const RECOVERY_SHARE = 0.8;

	/**
	 * Unique users per 24 h of each messaging-limit tier (Meta: 250, 2,000, 10,000, 100,000,
	 * unlimited; per business portfolio since 2025-10-07).
	 *
	 * @since 0.3.0
	 */
	private const TIERS = array(
		'TIER_250'       => 250,
		'TIER_2K'        => 2000,
		'TIER_10K'       => 10000,
		'TIER_100K'      => 100000,
		'TIER_UNLIMITED' => 0,
	);

	/**
	 * The stored state.
	 *
	 * @since 0.3.0
	 *
	 * @return array{mm_status: string, mm_checked_at: string, quality_rating: string, messaging_limit: string, max_daily: int, quality_event: string, quality_at: string}
	 */
	public static function get(): array {
		$value = get_option( self::OPTION, array() );
		$value = is_array( $value ) ? $value : array();
		return array(
			'mm_status'       => (string) ( $value['mm_status'] ?? '' ),
			'mm_checked_at'   => (string) ( $value['mm_checked_at'] ?? '' ),
			'quality_rating'  => (string) ( $value['quality_rating'] ?? '' ),
			'messaging_limit' => (string) ( $value['messaging_limit'] ?? '' ),
			'max_daily'       => (int) ( $value['max_daily'] ?? 0 ),
			'quality_event'   => (string) ( $value['quality_event'] ?? '' ),
			'quality_at'      => (string) ( $value['quality_at'] ?? '' ),
		);
	}

	/**
	 * Merges values into the state.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, string|int> $values Keys of get().
	 * @return void
	 */
	public static function set( array $values ): void {
		update_option( self::OPTION, array_merge( self::get(), $values ), false );
	}

	/**
	 * The onboarding status the sender routes on ('' when never checked).
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function onboarding_status(): string {
		return self::get()['mm_status'];
	}

	/**
	 * Asks Meta whether the business accepted the Marketing Messages API terms, and keeps the
	 * answer. A failed check keeps the previous answer.
	 *
	 * @since 0.3.0
	 *
	 * @param Sender $sender The sender of the saved credentials.
	 * @return array<string, mixed> Sender::marketing_onboarding()'s row.
	 */
	public static function refresh_onboarding( Sender $sender ): array {
		try {
			$row = $sender->marketing_onboarding();
		} catch ( \Throwable $e ) {
			return array(
				'status'  => 'error',
				'message' => $e->getMessage(),
			);
		}
		if ( 'ok' === ( $row['status'] ?? '' ) ) {
			self::set(
				array(
					'mm_status'     => strtoupper( (string) ( $row['onboarding_status'] ?? '' ) ),
					'mm_checked_at' => gmdate( 'Y-m-d H:i:s' ),
				)
			);
		}
		return $row;
	}

	/**
	 * Refreshes the onboarding answer when it is older than ONBOARDING_TTL.
	 *
	 * @since 0.3.0
	 *
	 * @param Sender $sender The sender.
	 * @return void
	 */
	public static function maybe_refresh_onboarding( Sender $sender ): void {
		$checked = self::get()['mm_checked_at'];
		if ( '' === $checked || (int) strtotime( $checked . ' UTC' ) < time() - self::ONBOARDING_TTL ) {
			self::refresh_onboarding( $sender );
		}
	}

	/**
	 * Keeps the quality rating and messaging limit of a credentials check.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $row Sender::check_credentials()'s row.
	 * @return void
	 */
	public static function remember_phone( array $row ): void {
		if ( 'ok' !== ( $row['status'] ?? '' ) ) {
			return;
		}
		$values = array();
		if ( is_string( $row['quality_rating'] ?? null ) && '' !== $row['quality_rating'] ) {
			$values['quality_rating'] = strtoupper( $row['quality_rating'] );
		}
		if ( is_string( $row['messaging_limit'] ?? null ) && '' !== $row['messaging_limit'] ) {
			$values['messaging_limit'] = strtoupper( $row['messaging_limit'] );
		}
		if ( array() !== $values ) {
			self::set( $values );
		}
	}

	/**
	 * Applies an account-level webhook event (phone_number_quality_update, account_update).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $event A "account" event of Webhook::parse().
	 * @return bool Whether it was one of ours.
	 */
	public static function apply_event( array $event ): bool {
		$field = (string) ( $event['field'] ?? '' );
		$value = is_array( $event['value'] ?? null ) ? $event['value'] : array();
		if ( 'phone_number_quality_update' === $field ) {
			$values = array(
				'quality_event' => strtoupper( (string) ( $value['event'] ?? '' ) ),
				'quality_at'    => gmdate( 'Y-m-d H:i:s' ),
			);
			// Since 2025-10-07 the limit is per business portfolio: max_daily_conversations_per_business
			// replaces current_limit (still sent, for older integrations).
			if ( isset( $value['max_daily_conversations_per_business'] ) && is_numeric( $value['max_daily_conversations_per_business'] ) ) {
				$values['max_daily'] = max( 0, (int) $value['max_daily_conversations_per_business'] );
			}
			if ( isset( $value['current_limit'] ) && is_string( $value['current_limit'] ) && '' !== $value['current_limit'] ) {
				$values['messaging_limit'] = strtoupper( $value['current_limit'] );
			}
			if ( in_array( $values['quality_event'], array( 'FLAGGED', 'DOWNGRADE' ), true ) && ! isset( $value['quality_rating'] ) ) {
				$values['quality_rating'] = 'FLAGGED' === $values['quality_event'] ? 'RED' : 'YELLOW';
			}
			if ( isset( $value['quality_rating'] ) && is_string( $value['quality_rating'] ) ) {
				$values['quality_rating'] = strtoupper( $value['quality_rating'] );
			}
			if ( 'UNFLAGGED' === $values['quality_event'] ) {
				$values['quality_rating'] = 'GREEN';
			}
			self::set( $values );
			return true;
		}
		if ( 'account_update' === $field ) {
			// Meta announces the accepted Marketing Messages API terms with an account_update.
			if ( str_contains( strtoupper( (string) ( $value['event'] ?? '' ) ), 'MM_LITE_TERMS_SIGNED' ) ) {
				self::set(
					array(
						'mm_status'     => 'ONBOARDED',
						'mm_checked_at' => gmdate( 'Y-m-d H:i:s' ),
					)
				);
			}
			return true;
		}
		return false;
	}

	/**
	 * Unique users per 24 h the account may open conversations with (0 = unlimited or unknown).
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function daily_limit(): int {
		$state = self::get();
		if ( $state['max_daily'] > 0 ) {
			return $state['max_daily'];
		}
		return self::TIERS[ $state['messaging_limit'] ] ?? 0;
	}

	/**
	 * How many recipients recovery may message per 24 h: RECOVERY_SHARE of the limit, half of
	 * that while the quality rating is low; null when there is no known limit.
	 *
	 * @since 0.3.0
	 *
	 * @return int|null
	 */
	public static function recovery_daily_budget(): ?int {
		$limit = self::daily_limit();
		if ( $limit <= 0 ) {
			return null;
		}
		$share = self::RECOVERY_SHARE;
		if ( in_array( self::get()['quality_rating'], array( 'RED', 'YELLOW' ), true ) ) {
			$share /= 2;
		}
		return (int) floor( $limit * $share );
	}
}
