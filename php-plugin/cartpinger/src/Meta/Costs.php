<?php
/**
 * What messages cost on Meta's side, recorded from status webhooks and summed for the
 * dashboard.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Meta;

use CartPinger\Native\Platform;
use CartPinger\Storage\Schema;
use CartPinger\Storage\Stats;

defined( 'ABSPATH' ) || exit;

/**
 * Meta's status webhooks carry `pricing` (billable, category, type, pricing_model) but no
 * price: the price is the rate card's for the recipient's market and the category Meta
 * charged (CartPinger\Native\Platform, dated data in the core). The first priced status of a
 * message sets its cost_micros (micro-units of the card's currency, USD); later ones only fill
 * gaps, so redeliveries never double it.
 *
 * @since 0.3.0
 */
final class Costs {

	/**
	 * Records a status webhook's pricing on its message.
	 *
	 * @since 0.3.0
	 *
	 * @param int                  $message_id Messages log id.
	 * @param string               $phone      The recipient (+E.164).
	 * @param array<string, mixed> $pricing    The status event's "pricing".
	 * @return void
	 */
	public static function record( int $message_id, string $phone, array $pricing ): void {
		global $wpdb;
		$category = is_string( $pricing['category'] ?? null ) ? strtolower( $pricing['category'] ) : '';
		if ( '' === $category ) {
			return;
		}
		$type     = is_string( $pricing['type'] ?? null ) ? $pricing['type'] : '';
		$billable = is_bool( $pricing['billable'] ?? null ) ? $pricing['billable'] : null;
		$cost     = '' === $phone ? null : Platform::cost( $phone, $category, '' === $type ? null : $type, $billable );
		$card     = Platform::rate( '+1', 'utility' );
		$wpdb->query(
			$wpdb->prepare(
				"UPDATE %i SET pricing_category = %s, pricing_type = IF(pricing_type = '', %s, pricing_type) WHERE id = %d",
				Schema::messages_log_table(),
				substr( $category, 0, 32 ),
				substr( $type, 0, 32 ),
				$message_id
			)
		);
		if ( null === $cost ) {
			return;
		}
		// The first priced status sets the cost; the dashboard's counters move with it (Stats).
		$currency = (string) $card['currency'];
		Stats::transaction(
			static function () use ( $wpdb, $message_id, $cost, $currency ) {
				$old = $wpdb->get_row(
					$wpdb->prepare( 'SELECT status, currency FROM %i WHERE id = %d AND cost_micros IS NULL', Schema::messages_log_table(), $message_id ),
					ARRAY_A
				);
				if ( ! is_array( $old ) ) {
					return 0;
				}
				$updated = $wpdb->query(
					$wpdb->prepare(
						"UPDATE %i SET cost_micros = %d, currency = IF(currency = '', %s, currency) WHERE id = %d AND cost_micros IS NULL",
						Schema::messages_log_table(),
						$cost,
						$currency,
						$message_id
					)
				);
				if ( 1 === $updated ) {
					Stats::message_status_changed(
						$message_id,
						(string) $old['status'],
						array(
							'cost_micros' => null,
							'currency'    => (string) $old['currency'],
						)
					);
				}
				return $updated;
			}
		);
	}

	/**
	 * Meta cost against recovered revenue, per shop currency, for messages created in
	 * [$from, $to) (UTC): list of ['currency' (the carts'), 'cost_currency' (Meta's, USD),
	 * 'cost_micros' (all recovery messages of those carts), 'recovered' (orders),
	 * 'revenue_minor', 'decimals', 'cost_per_recovered_micros' (?int), 'revenue_per_cost'
	 * (?float: revenue in the shop currency per 1 unit of Meta cost)], plus one row with
	 * currency '' for order updates' cost.
	 *
	 * @since 0.3.0
	 *
	 * @param string $from UTC Y-m-d H:i:s.
	 * @param string $to   UTC Y-m-d H:i:s.
	 * @return list<array<string, mixed>>
	 */
	public static function summary( string $from, string $to ): array {
		global $wpdb;
		$messages   = Schema::messages_log_table();
		$recoveries = Schema::recoveries_table();
		$costs      = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT r.currency AS currency, m.currency AS cost_currency, SUM(m.cost_micros) AS cost_micros, COUNT(*) AS priced
				FROM %i m JOIN %i r ON r.id = m.recovery_id
				WHERE m.kind = 'recovery' AND m.created_at >= %s AND m.created_at < %s AND m.cost_micros IS NOT NULL
				GROUP BY r.currency, m.currency",
				$messages,
				$recoveries,
				$from,
				$to
			),
			ARRAY_A
		);
		$revenue    = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT currency, COUNT(*) AS recovered, SUM(recovered_revenue_minor) AS revenue_minor FROM %i WHERE status = 'recovered' AND recovered_at >= %s AND recovered_at < %s GROUP BY currency",
				$recoveries,
				$from,
				$to
			),
			ARRAY_A
		);
		$out        = array();
		foreach ( is_array( $costs ) ? $costs : array() as $row ) {
			$key         = (string) $row['currency'];
			$out[ $key ] = array(
				'currency'      => $key,
				'cost_currency' => '' === (string) $row['cost_currency'] ? 'USD' : (string) $row['cost_currency'],
				'cost_micros'   => (int) ( $out[ $key ]['cost_micros'] ?? 0 ) + (int) $row['cost_micros'],
				'recovered'     => 0,
				'revenue_minor' => 0,
			);
		}
		foreach ( is_array( $revenue ) ? $revenue : array() as $row ) {
			$key         = (string) $row['currency'];
			$out[ $key ] = array_merge(
				$out[ $key ] ?? array(
					'currency'      => $key,
					'cost_currency' => 'USD',
					'cost_micros'   => 0,
				),
				array(
					'recovered'     => (int) $row['recovered'],
					'revenue_minor' => (int) $row['revenue_minor'],
				)
			);
		}
		$decimals = function_exists( 'wc_get_price_decimals' ) ? (int) wc_get_price_decimals() : 2;
		foreach ( $out as $key => $row ) {
			$out[ $key ]['decimals']                  = $decimals;
			$out[ $key ]['cost_per_recovered_micros'] = $row['recovered'] > 0 ? (int) round( $row['cost_micros'] / $row['recovered'] ) : null;
			$out[ $key ]['revenue_per_cost']          = $row['cost_micros'] > 0 ? ( $row['revenue_minor'] / ( 10 ** $decimals ) ) / ( $row['cost_micros'] / 1000000 ) : null;
		}
		$orders = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT SUM(cost_micros) FROM %i WHERE kind = 'order' AND created_at >= %s AND created_at < %s AND cost_micros IS NOT NULL",
				$messages,
				$from,
				$to
			)
		);
		$list   = array_values( $out );
		if ( null !== $orders ) {
			$list[] = array(
				'currency'                  => '',
				'cost_currency'             => 'USD',
				'cost_micros'               => (int) $orders,
				'recovered'                 => 0,
				'revenue_minor'             => 0,
				'decimals'                  => $decimals,
				'cost_per_recovered_micros' => null,
				'revenue_per_cost'          => null,
			);
		}
		return $list;
	}
}
