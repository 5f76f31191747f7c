<?php
/**
 * The Dashboard's numbers in a merchant's words (no queries, no markup).
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Support\Money;

defined( 'ABSPATH' ) || exit;

/**
 * Labels, KPI groups, the chart payload and the funnel rows that views/dashboard.php prints.
 *
 * @since 0.3.0
 */
final class DashboardView {

	/**
	 * KPI groups: cart recovery, then delivery of every message and its cost.
	 *
	 * Values are safe HTML (money comes from wc_price()).
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $data DashboardStats::data().
	 * @return array<string, array{title: string, boxes: array<string, array{0: string, 1: string}>}>
	 */
	public static function kpis( array $data ): array {
		$k     = $data['kpis'];
		$n     = static fn( $v ): string => esc_html( number_format_i18n( (int) $v ) );
		$money = array();
		foreach ( $data['revenue'] as $currency => $minor ) {
			$money[] = Money::from_minor( (int) $minor, (string) $currency );
		}
		$groups = array(
			'recovery' => array(
				'title' => __( 'Cart recovery', 'cartpinger-for-woocommerce' ),
				'boxes' => array(
					'captured'       => array( __( 'Abandoned carts captured', 'cartpinger-for-woocommerce' ), $n( $k['captured'] ) ),
					'recovered'      => array( __( 'Recovered carts', 'cartpinger-for-woocommerce' ), $n( $k['recovered'] ) ),
					'recovery_rate'  => array( __( 'Recovery rate (of messaged carts)', 'cartpinger-for-woocommerce' ), null === $k['recovery_rate'] ? esc_html__( 'not yet', 'cartpinger-for-woocommerce' ) : esc_html( number_format_i18n( 100 * $k['recovery_rate'], 1 ) . ' %' ) ),
					'revenue'        => array( __( 'Recovered revenue', 'cartpinger-for-woocommerce' ), array() === $money ? Money::html( 0.0 ) : implode( ' + ', $money ) ),
				),
			),
			'delivery' => array(
				'title' => __( 'All WhatsApp messages (reminders and order updates)', 'cartpinger-for-woocommerce' ),
				'boxes' => array(
					'sent'      => array( __( 'Sent', 'cartpinger-for-woocommerce' ), $n( $k['sent'] ) ),
					'delivered' => array( __( 'Delivered', 'cartpinger-for-woocommerce' ), $n( $k['delivered'] ) ),
					'read'      => array( __( 'Read', 'cartpinger-for-woocommerce' ), $n( $k['read'] ) ),
					'failed'    => array( __( 'Failed', 'cartpinger-for-woocommerce' ), $n( $k['failed'] ) ),
				),
			),
		);
		if ( array() !== $data['cost'] ) {
			$cost = array();
			foreach ( $data['cost'] as $currency => $micros ) {
				$cost[] = esc_html( number_format_i18n( $micros / 1000000, 4 ) . ' ' . $currency );
			}
			$groups['delivery']['boxes']['cost'] = array( __( 'Meta cost', 'cartpinger-for-woocommerce' ), implode( ' + ', $cost ) );
		}
		return $groups;
	}

	/**
	 * The chart's data: x = site days as Unix time at UTC midnight, one series per line.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $data DashboardStats::data().
	 * @return array<string, mixed>
	 */
	public static function chart( array $data ): array {
		$names = array(
			'captured'  => __( 'Carts captured', 'cartpinger-for-woocommerce' ),
			'sent'      => __( 'Messages sent', 'cartpinger-for-woocommerce' ),
			'delivered' => __( 'Delivered', 'cartpinger-for-woocommerce' ),
			'read'      => __( 'Read', 'cartpinger-for-woocommerce' ),
			'failed'    => __( 'Failed', 'cartpinger-for-woocommerce' ),
			'recovered' => __( 'Recovered', 'cartpinger-for-woocommerce' ),
		);
		$out   = array(
			'x'      => array(),
			'series' => array(),
		);
		$lines = array_fill_keys( array_keys( $names ), array() );
		foreach ( $data['series'] as $date => $day ) {
			$out['x'][] = (int) strtotime( $date . ' 00:00:00 UTC' );
			foreach ( array_keys( $names ) as $key ) {
				$lines[ $key ][] = (int) $day[ $key ];
			}
		}
		foreach ( $names as $key => $label ) {
			$out['series'][] = array(
				'key'   => $key,
				'label' => $label,
				'data'  => $lines[ $key ],
			);
		}
		return $out;
	}

	/**
	 * The funnel rows: key, label, count, percent of captured.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, int> $funnel Counts.
	 * @return array<int, array{key: string, label: string, count: int, pct: float}>
	 */
	public static function funnel( array $funnel ): array {
		$labels = array(
			'captured'  => __( 'Captured', 'cartpinger-for-woocommerce' ),
			'messaged'  => __( 'Messaged', 'cartpinger-for-woocommerce' ),
			'delivered' => __( 'Delivered', 'cartpinger-for-woocommerce' ),
			'read'      => __( 'Read', 'cartpinger-for-woocommerce' ),
			'clicked'   => __( 'Opened the link', 'cartpinger-for-woocommerce' ),
			'ordered'   => __( 'Ordered', 'cartpinger-for-woocommerce' ),
		);
		$top    = max( 1, (int) $funnel['captured'] );
		$rows   = array();
		foreach ( $labels as $key => $label ) {
			$rows[] = array(
				'key'   => $key,
				'label' => $label,
				'count' => (int) $funnel[ $key ],
				'pct'   => 100 * (int) $funnel[ $key ] / $top,
			);
		}
		return $rows;
	}

	/**
	 * Labels of the cart statuses.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, string>
	 */
	public static function status_labels(): array {
		return array(
			'open'      => __( 'Waiting (abandoned, not messaged yet)', 'cartpinger-for-woocommerce' ),
			'messaged'  => __( 'Messaged', 'cartpinger-for-woocommerce' ),
			'recovered' => __( 'Recovered', 'cartpinger-for-woocommerce' ),
			'converted' => __( 'Ordered before any message', 'cartpinger-for-woocommerce' ),
			'holdout'   => __( 'Holdout (never messaged, for comparison)', 'cartpinger-for-woocommerce' ),
			'expired'   => __( 'Expired or consent withdrawn', 'cartpinger-for-woocommerce' ),
			'opted_out' => __( 'Replied STOP', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * Why a cart closed or waits, in words.
	 *
	 * @since 0.3.0
	 *
	 * @param string $close Close reason.
	 * @param string $hold  Hold reason.
	 * @return string
	 */
	public static function reason( string $close, string $hold ): string {
		$words = array(
			'link'            => __( 'ordered after opening the link', 'cartpinger-for-woocommerce' ),
			'phone'           => __( 'ordered with the same phone', 'cartpinger-for-woocommerce' ),
			'email'           => __( 'ordered with the same email', 'cartpinger-for-woocommerce' ),
			'session'         => __( 'ordered from the same browser', 'cartpinger-for-woocommerce' ),
			'order_found'     => __( 'an order from the same customer', 'cartpinger-for-woocommerce' ),
			'ordered'         => __( 'ordered', 'cartpinger-for-woocommerce' ),
			'consent_revoked' => __( 'unticked the WhatsApp box', 'cartpinger-for-woocommerce' ),
			'opted_out'       => __( 'replied STOP', 'cartpinger-for-woocommerce' ),
			'too_old'         => __( 'cart too old', 'cartpinger-for-woocommerce' ),
			'us_marketing'    => __( 'US number: Meta does not deliver reminders there', 'cartpinger-for-woocommerce' ),
			'quiet_hours'     => __( 'waiting for the end of quiet hours', 'cartpinger-for-woocommerce' ),
		);
		$out   = array();
		foreach ( array( $close, $hold ) as $r ) {
			if ( '' !== $r ) {
				$out[] = $words[ $r ] ?? str_replace( '_', ' ', $r );
			}
		}
		return implode( '; ', $out );
	}

	/**
	 * A message status in words (keys stay the stored values).
	 *
	 * @since 0.3.0
	 *
	 * @param string $status Stored or derived status.
	 * @return string
	 */
	public static function message_status( string $status ): string {
		$words = array(
			'pending'   => __( 'waiting to be sent', 'cartpinger-for-woocommerce' ),
			'claimed'   => __( 'being sent', 'cartpinger-for-woocommerce' ),
			'sent'      => __( 'sent', 'cartpinger-for-woocommerce' ),
			'delivered' => __( 'delivered', 'cartpinger-for-woocommerce' ),
			'read'      => __( 'read', 'cartpinger-for-woocommerce' ),
			'failed'    => __( 'failed', 'cartpinger-for-woocommerce' ),
			'expired'   => __( 'expired (not sent in time)', 'cartpinger-for-woocommerce' ),
			'cancelled' => __( 'cancelled', 'cartpinger-for-woocommerce' ),
			'unknown'   => __( 'unknown (checking with Meta)', 'cartpinger-for-woocommerce' ),
		);
		return $words[ $status ] ?? $status;
	}

	/**
	 * A UTC DATETIME in the site's time zone.
	 *
	 * @since 0.3.0
	 *
	 * @param string $utc Y-m-d H:i:s (UTC).
	 * @return string
	 */
	public static function site_time( string $utc ): string {
		$ts = strtotime( $utc . ' UTC' );
		return false === $ts ? '' : (string) wp_date( 'Y-m-d H:i', $ts );
	}
}
