<?php
/**
 * Automatic recovery coupons.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * One WooCommerce coupon per record, created only when the message that carries it is queued:
 * `CP-` + 8 characters from a CSPRNG over an unambiguous alphabet (≈ 40 bits), single use,
 * restricted to the shopper's email when known, with a configurable amount, type and expiry.
 * Expired unused ones are deleted by a daily job.
 *
 * @since 0.2.0
 */
final class Coupons {

	/**
	 * Meta key linking a coupon to its record.
	 *
	 * @since 0.2.0
	 */
	public const META = '_cartpinger_recovery_id';

	/**
	 * Daily cleanup hook.
	 *
	 * @since 0.2.0
	 */
	public const CLEANUP_HOOK = 'cartpinger_coupon_cleanup';

	/**
	 * Characters of the random part (no 0/O, 1/I/L).
	 *
	 * @since 0.2.0
	 */
	private const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Creates the service.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings Settings.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * A fresh random code.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public static function new_code(): string {
		$code = 'CP-';
		$max  = strlen( self::ALPHABET ) - 1;
		for ( $i = 0; $i < 8; $i++ ) {
			$code .= self::ALPHABET[ random_int( 0, $max ) ];
		}
		return $code;
	}

	/**
	 * Creates the coupon of a record (or returns its existing one).
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $record The recovery record.
	 * @return string The code, '' when WooCommerce refused.
	 */
	public function create_for( array $record ): string {
		if ( '' !== (string) ( $record['coupon_code'] ?? '' ) ) {
			return (string) $record['coupon_code'];
		}
		if ( ! class_exists( '\WC_Coupon' ) ) {
			return '';
		}
		try {
			for ( $attempt = 0; $attempt < 3; $attempt++ ) {
				$code = self::new_code();
				if ( 0 === wc_get_coupon_id_by_code( $code ) ) {
					break;
				}
			}
			$coupon = new \WC_Coupon();
			$coupon->set_code( $code );
			$coupon->set_description( __( 'Created by CartPinger for an abandoned-cart reminder.', 'cartpinger-for-woocommerce' ) );
			$coupon->set_discount_type( 'fixed_cart' === $this->settings->get( 'coupon_type' ) ? 'fixed_cart' : 'percent' );
			$coupon->set_amount( (float) $this->settings->get( 'coupon_amount' ) );
			$coupon->set_usage_limit( 1 );
			$coupon->set_usage_limit_per_user( 1 );
			$coupon->set_date_expires( time() + HOUR_IN_SECONDS * (int) $this->settings->get( 'coupon_expiry_hours' ) );
			$email = (string) ( $record['customer_email'] ?? '' );
			if ( '' !== $email && is_email( $email ) ) {
				$coupon->set_email_restrictions( array( $email ) );
			}
			$coupon->update_meta_data( self::META, (string) (int) $record['id'] );
			$coupon->save();
			// WooCommerce stores codes lower-case and matches them case-insensitively; the
			// message shows the readable upper-case form.
			return $coupon->get_id() > 0 ? $code : '';
		} catch ( \Throwable $e ) {
			Capture::log( 'Coupon not created: ' . $e->getMessage() );
			return '';
		}
	}

	/**
	 * Deletes expired, unused CartPinger coupons (at most $limit per run).
	 *
	 * @since 0.2.0
	 *
	 * @param int $limit Most coupons per run.
	 * @return int Coupons deleted.
	 */
	public function cleanup( int $limit = 200 ): int {
		global $wpdb;
		$ids     = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT p.ID FROM {$wpdb->posts} p
				INNER JOIN {$wpdb->postmeta} r ON r.post_id = p.ID AND r.meta_key = %s
				INNER JOIN {$wpdb->postmeta} e ON e.post_id = p.ID AND e.meta_key = 'date_expires'
				LEFT JOIN {$wpdb->postmeta} u ON u.post_id = p.ID AND u.meta_key = 'usage_count'
				WHERE p.post_type = 'shop_coupon' AND CAST(e.meta_value AS UNSIGNED) > 0 AND CAST(e.meta_value AS UNSIGNED) < %d
				AND COALESCE(CAST(u.meta_value AS UNSIGNED), 0) = 0 LIMIT %d",
				self::META,
				time(),
				max( 1, $limit )
			)
		);
		$deleted = 0;
		foreach ( (array) $ids as $id ) {
			$coupon = new \WC_Coupon( (int) $id );
			if ( $coupon->get_id() > 0 && 0 === $coupon->get_usage_count() && $coupon->delete( true ) ) {
				++$deleted;
			}
		}
		return $deleted;
	}
}
