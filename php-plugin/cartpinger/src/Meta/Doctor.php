<?php
/**
 * The setup doctor's rows about Meta's platform.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Meta;

use CartPinger\Native\Platform;
use CartPinger\Native\Sender;
use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Rows for the setup doctor (same shape as SetupPage::doctor_checks()): the Marketing Messages
 * API terms, the messaging limit and quality rating, the Graph API version's end date, and
 * Meta's template category changes.
 *
 * @since 0.3.0
 */
final class Doctor {

	/**
	 * The rows.
	 *
	 * @since 0.3.0
	 *
	 * @param Settings           $settings Settings.
	 * @param Sender|string|null $sender   A sender for the saved credentials (null or a reason
	 *                                     string when there is none: nothing is asked of Meta).
	 * @return list<array{id: string, ok: bool|null, label: string, detail: string, fix: string}>
	 */
	public static function checks( Settings $settings, Sender|string|null $sender ): array {
		$checks = array();
		$today  = gmdate( 'Y-m-d' );
		$cutoff = Platform::marketing_cutoff();

		if ( $sender instanceof Sender ) {
			Account::refresh_onboarding( $sender );
		}
		$state = Account::get();
		$mm    = $state['mm_status'];
		if ( 'ONBOARDED' === $mm ) {
			$checks[] = array(
				'id'     => 'marketing_messages',
				'ok'     => true,
				'label'  => __( 'Marketing Messages API', 'cartpinger-for-woocommerce' ),
				'detail' => __( 'The Marketing Messages API terms are accepted: cart reminders (marketing templates) go through /marketing_messages, order updates (utility templates) through /messages.', 'cartpinger-for-woocommerce' ),
				'fix'    => '',
			);
		} else {
			$allowed  = $today < $cutoff;
			$checks[] = array(
				'id'     => 'marketing_messages',
				'ok'     => $allowed ? null : false,
				'label'  => __( 'Marketing Messages API', 'cartpinger-for-woocommerce' ),
				'detail' => '' === $mm
					? __( 'Not checked yet (the credentials must work first).', 'cartpinger-for-woocommerce' )
					: sprintf(
						/* translators: 1: Meta's onboarding status, e.g. ELIGIBLE, 2: date. */
						__( 'The Marketing Messages API terms are not accepted (Meta says %1$s). Cart reminders go through /messages, which Meta accepts for marketing templates until %2$s.', 'cartpinger-for-woocommerce' ),
						$mm,
						$cutoff
					),
				'fix'    => __( 'In WhatsApp Manager, open the alert "Accept terms to get started" for the Marketing Messages API and accept the terms for your business portfolio. CartPinger notices it within 12 hours, or when you run these checks again.', 'cartpinger-for-woocommerce' ),
			);
		}

		$limit    = Account::daily_limit();
		$budget   = Account::recovery_daily_budget();
		$rating   = '' === $state['quality_rating'] ? __( 'unknown', 'cartpinger-for-woocommerce' ) : $state['quality_rating'];
		$checks[] = array(
			'id'     => 'messaging_limit',
			'ok'     => 'RED' === $state['quality_rating'] ? false : ( '' === $state['quality_rating'] ? null : true ),
			'label'  => __( 'Messaging limit and quality', 'cartpinger-for-woocommerce' ),
			'detail' => $limit > 0
				? sprintf(
					/* translators: 1: number of customers, 2: Meta's tier name, 3: quality rating, 4: number of customers. */
					__( 'Up to %1$s customers per 24 hours for your business portfolio (%2$s); quality rating %3$s. Cart reminders use at most %4$s of them so order updates always get through.', 'cartpinger-for-woocommerce' ),
					number_format_i18n( $limit ),
					'' === $state['messaging_limit'] ? '-' : $state['messaging_limit'],
					$rating,
					number_format_i18n( (int) $budget )
				)
				: sprintf(
					/* translators: %s: quality rating. */
					__( 'No daily limit known (unlimited, or not reported yet); quality rating %s.', 'cartpinger-for-woocommerce' ),
					$rating
				),
			'fix'    => 'RED' === $state['quality_rating'] ? __( 'Customers are blocking or reporting your messages: send fewer reminders (longer delays, no second follow-up) and check the templates\' quality in WhatsApp Manager.', 'cartpinger-for-woocommerce' ) : '',
		);

		$version  = (string) $settings->get( 'graph_api_version' );
		$status   = Platform::version_status( $version, $today );
		$checks[] = array(
			'id'     => 'graph_version',
			'ok'     => $status['known'] ? ! $status['warn'] : null,
			'label'  => __( 'Graph API version', 'cartpinger-for-woocommerce' ),
			'detail' => self::version_detail( $version, $status ),
			'fix'    => $status['warn'] && is_string( $status['suggested'] )
				/* translators: %s: Graph API version, e.g. v25.0. */
				? sprintf( __( 'Switch to %s with the button in the notice at the top of this page (or in Settings > WhatsApp API).', 'cartpinger-for-woocommerce' ), $status['suggested'] )
				: '',
		);

		foreach ( Templates::notices() as $notice ) {
			$checks[] = array(
				'id'     => 'template_category_' . $notice['name'] . '_' . $notice['language'],
				'ok'     => null,
				/* translators: 1: template name, 2: language code. */
				'label'  => sprintf( __( 'Category of %1$s (%2$s)', 'cartpinger-for-woocommerce' ), $notice['name'], $notice['language'] ),
				'detail' => self::category_detail( $notice ),
				'fix'    => 'impending' === $notice['kind'] && 'MARKETING' === $notice['to']
					? __( 'Marketing templates cost more and reach only customers who accept marketing. If this template only confirms or updates an order, edit its text in WhatsApp Manager so it reads as an update, not a promotion.', 'cartpinger-for-woocommerce' )
					: '',
			);
		}
		return $checks;
	}

	/**
	 * One sentence about a configured version.
	 *
	 * @since 0.3.0
	 *
	 * @param string               $version The version.
	 * @param array<string, mixed> $status  Platform::version_status().
	 * @return string
	 */
	public static function version_detail( string $version, array $status ): string {
		if ( ! $status['known'] ) {
			/* translators: %s: Graph API version. */
			return sprintf( __( '%s is not a version CartPinger knows; Meta may have retired it.', 'cartpinger-for-woocommerce' ), $version );
		}
		if ( null === $status['available_until'] ) {
			/* translators: %s: Graph API version. */
			return sprintf( __( '%s is current; Meta has not announced its end date yet.', 'cartpinger-for-woocommerce' ), $version );
		}
		if ( (int) $status['days_left'] < 0 ) {
			/* translators: 1: Graph API version, 2: date. */
			return sprintf( __( 'Meta stopped supporting %1$s on %2$s: requests may fail.', 'cartpinger-for-woocommerce' ), $version, $status['available_until'] );
		}
		return sprintf(
			/* translators: 1: Graph API version, 2: date, 3: number of days. */
			_n( 'Meta supports %1$s until %2$s (%3$s day left).', 'Meta supports %1$s until %2$s (%3$s days left).', (int) $status['days_left'], 'cartpinger-for-woocommerce' ),
			$version,
			$status['available_until'],
			number_format_i18n( (int) $status['days_left'] )
		);
	}

	/**
	 * One sentence about a template category notice.
	 *
	 * @since 0.3.0
	 *
	 * @param array{name: string, language: string, kind: string, from: string, to: string, at: string} $notice Templates::notices() entry.
	 * @return string
	 */
	public static function category_detail( array $notice ): string {
		if ( 'impending' === $notice['kind'] ) {
			return sprintf(
				/* translators: 1: current category, 2: new category, 3: date and time (UTC). */
				__( 'Meta will change it from %1$s to %2$s on %3$s UTC. CartPinger keeps sending it as %1$s until Meta confirms the change, then routes it as %2$s automatically.', 'cartpinger-for-woocommerce' ),
				'' === $notice['from'] ? '?' : $notice['from'],
				$notice['to'],
				'' === $notice['at'] ? '?' : $notice['at']
			);
		}
		return sprintf(
			/* translators: 1: previous category, 2: new category. */
			__( 'Meta changed it from %1$s to %2$s; CartPinger now sends it as %2$s.', 'cartpinger-for-woocommerce' ),
			'' === $notice['from'] ? '?' : $notice['from'],
			$notice['to']
		);
	}
}
