<?php
/**
 * The dashboard's Meta cost section and the reasons messages were not sent.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Meta;

use CartPinger\Native\Platform;
use CartPinger\Storage\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Two small tables for the dashboard: Meta cost against recovered orders and revenue per shop
 * currency (from Costs::summary(), priced with the rate card in the core), and carts not
 * messaged because of Meta's rules or the merchant's ceiling, by reason.
 *
 * @since 0.3.0
 */
final class DashboardSection {

	/**
	 * Renders both tables for a range (UTC bounds).
	 *
	 * @since 0.3.0
	 *
	 * @param string $from UTC Y-m-d H:i:s.
	 * @param string $to   UTC Y-m-d H:i:s.
	 * @return void
	 */
	public static function render( string $from, string $to ): void {
		self::render_costs( $from, $to );
		self::render_reasons();
	}

	/**
	 * Meta cost, cost per recovered order and revenue per unit of cost, per currency.
	 *
	 * @since 0.3.0
	 *
	 * @param string $from UTC Y-m-d H:i:s.
	 * @param string $to   UTC Y-m-d H:i:s.
	 * @return void
	 */
	public static function render_costs( string $from, string $to ): void {
		$rows = Costs::summary( $from, $to );
		$card = Platform::rate_card();
		echo '<h2>' . esc_html__( 'Meta cost and return', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<p class="description">' . esc_html(
			sprintf(
				/* translators: 1: date, 2: currency code. */
				__( 'Meta charges per delivered template message, by category and by the customer\'s country. Costs are priced with Meta\'s rate card of %1$s in %2$s, from the category Meta reports for each message.', 'cartpinger-for-woocommerce' ),
				(string) $card['effective'],
				(string) $card['currency']
			)
		) . '</p>';
		if ( array() === $rows ) {
			echo '<p class="cartpinger-costs-empty">' . esc_html__( 'No priced message in this period yet.', 'cartpinger-for-woocommerce' ) . '</p>';
			return;
		}
		echo '<table class="widefat striped cartpinger-costs" style="max-width:60em"><thead><tr><th>' . esc_html__( 'Shop currency', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Meta cost', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Recovered orders', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Recovered revenue', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Cost per recovered order', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Revenue per unit of cost', 'cartpinger-for-woocommerce' ) . '</th></tr></thead><tbody>';
		foreach ( $rows as $row ) {
			$order_updates = '' === $row['currency'];
			printf(
				'<tr data-currency="%1$s" data-cost-micros="%2$d" data-cost-per-recovered-micros="%3$s"><td>%4$s</td><td>%5$s</td><td>%6$s</td><td>%7$s</td><td class="cartpinger-cost-per-order">%8$s</td><td>%9$s</td></tr>',
				esc_attr( $order_updates ? 'order_updates' : (string) $row['currency'] ),
				(int) $row['cost_micros'],
				esc_attr( null === $row['cost_per_recovered_micros'] ? '' : (string) $row['cost_per_recovered_micros'] ),
				esc_html( $order_updates ? __( 'Order updates', 'cartpinger-for-woocommerce' ) : (string) $row['currency'] ),
				esc_html( self::usd( (int) $row['cost_micros'], (string) $row['cost_currency'] ) ),
				esc_html( $order_updates ? '–' : number_format_i18n( (int) $row['recovered'] ) ),
				esc_html( $order_updates ? '–' : number_format_i18n( $row['revenue_minor'] / ( 10 ** (int) $row['decimals'] ), (int) $row['decimals'] ) . ' ' . $row['currency'] ),
				esc_html( null === $row['cost_per_recovered_micros'] ? '–' : self::usd( (int) $row['cost_per_recovered_micros'], (string) $row['cost_currency'] ) ),
				esc_html(
					null === $row['revenue_per_cost'] ? '–' : sprintf(
						/* translators: 1: amount, 2: shop currency, 3: cost currency. */
						__( '%1$s %2$s per 1 %3$s', 'cartpinger-for-woocommerce' ),
						number_format_i18n( (float) $row['revenue_per_cost'], 2 ),
						(string) $row['currency'],
						(string) $row['cost_currency']
					)
				)
			);
		}
		echo '</tbody></table>';
	}

	/**
	 * Carts held or stopped by Meta's rules or the merchant's ceiling, by reason.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public static function render_reasons(): void {
		global $wpdb;
		$labels = self::reason_labels();
		$keys   = array_keys( $labels );
		$rows   = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT reason, COUNT(*) AS n FROM (SELECT IF(status = 'open' OR status = 'messaged', hold_reason, close_reason) AS reason FROM %i WHERE hold_reason IN (" . implode( ',', array_fill( 0, count( $keys ), '%s' ) ) . ') OR close_reason IN (' . implode( ',', array_fill( 0, count( $keys ), '%s' ) ) . ')) t GROUP BY reason', // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- placeholders only.
				Schema::recoveries_table(),
				...array_merge( $keys, $keys )
			),
			ARRAY_A
		);
		$failed = $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM %i WHERE error_code = %s AND status = 'failed'", Schema::messages_log_table(), '131063' ) );
		echo '<h2>' . esc_html__( 'Not sent, and why', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<table class="widefat striped cartpinger-reasons" style="max-width:60em"><thead><tr><th>' . esc_html__( 'Reason', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Carts', 'cartpinger-for-woocommerce' ) . '</th></tr></thead><tbody>';
		$by = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$by[ (string) $row['reason'] ] = (int) $row['n'];
		}
		foreach ( $labels as $reason => $label ) {
			printf( '<tr data-reason="%1$s"><td>%2$s</td><td>%3$s</td></tr>', esc_attr( $reason ), esc_html( $label ), esc_html( number_format_i18n( $by[ $reason ] ?? 0 ) ) );
		}
		printf( '<tr data-reason="meta_131063"><td>%1$s</td><td>%2$s</td></tr>', esc_html__( 'Reminder refused by Meta on /messages (131063): accept the Marketing Messages API terms', 'cartpinger-for-woocommerce' ), esc_html( number_format_i18n( (int) $failed ) ) );
		echo '</tbody></table>';
	}

	/**
	 * The reasons, with their labels.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, string>
	 */
	public static function reason_labels(): array {
		return array(
			'us_marketing'      => __( 'US (+1) number: Meta delivers no marketing templates there (held)', 'cartpinger-for-woocommerce' ),
			'meta_131049'       => __( 'Meta did not deliver the last reminder to keep the ecosystem healthy (131049): held 24 hours', 'cartpinger-for-woocommerce' ),
			'messaging_limit'   => __( 'Daily messaging limit: reminders wait so order updates get through (held)', 'cartpinger-for-woocommerce' ),
			'cost_ceiling'      => __( 'Above your cost ceiling (skipped)', 'cartpinger-for-woocommerce' ),
			'template_paused'   => __( 'Template paused by Meta (stopped)', 'cartpinger-for-woocommerce' ),
			'template_rejected' => __( 'Template rejected by Meta (stopped)', 'cartpinger-for-woocommerce' ),
			'email_sent'        => __( 'WooCommerce\'s recovery email went out first (stopped)', 'cartpinger-for-woocommerce' ),
			'email_first'       => __( 'Waiting for WooCommerce\'s recovery email (held)', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * Micro-units as money ("0.0615 USD").
	 *
	 * @since 0.3.0
	 *
	 * @param int    $micros   Micro-units.
	 * @param string $currency Currency code.
	 * @return string
	 */
	private static function usd( int $micros, string $currency ): string {
		return number_format_i18n( $micros / 1000000, 4 ) . ' ' . $currency;
	}
}
