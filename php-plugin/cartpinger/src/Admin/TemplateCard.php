<?php
/**
 * One template card of the Templates page, in a merchant's words (no markup).
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Support\Money;

defined( 'ABSPATH' ) || exit;

/**
 * Turns a catalog template and Meta's status rows into what views/templates.php prints: a
 * title ("First reminder"), plain variable names, and per language a WhatsApp-style preview
 * (variables filled with examples), its buttons and Meta's status.
 *
 * @since 0.3.0
 */
final class TemplateCard {

	/**
	 * A template's name for a merchant.
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Template name at Meta.
	 * @return string
	 */
	public static function title( string $name ): string {
		$titles = array(
			'abandoned_cart_recovery'               => __( 'First reminder', 'cartpinger-for-woocommerce' ),
			'abandoned_cart_recovery_24h'           => __( 'Coupon follow-up', 'cartpinger-for-woocommerce' ),
			'abandoned_cart_recovery_24h_no_coupon' => __( 'Follow-up (without coupon)', 'cartpinger-for-woocommerce' ),
			'abandoned_cart_recovery_48h'           => __( 'Last reminder', 'cartpinger-for-woocommerce' ),
			'order_confirmed'                       => __( 'Order confirmation', 'cartpinger-for-woocommerce' ),
			'order_completed'                       => __( 'Order completed', 'cartpinger-for-woocommerce' ),
			'order_cancelled'                       => __( 'Order cancelled', 'cartpinger-for-woocommerce' ),
		);
		return $titles[ $name ] ?? $name;
	}

	/**
	 * A variable's name for a merchant.
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Parameter name in the catalog.
	 * @return string
	 */
	public static function variable( string $name ): string {
		$names = array(
			'customer_name'  => __( 'Customer\'s first name', 'cartpinger-for-woocommerce' ),
			'first_name'     => __( 'Customer\'s first name', 'cartpinger-for-woocommerce' ),
			'coupon_code'    => __( 'Their one-time coupon code', 'cartpinger-for-woocommerce' ),
			'recovery_token' => __( 'Their personal link back to the cart (in the button)', 'cartpinger-for-woocommerce' ),
			'order_number'   => __( 'Order number', 'cartpinger-for-woocommerce' ),
			'order_total'    => __( 'Order total, in your store\'s format', 'cartpinger-for-woocommerce' ),
		);
		return $names[ $name ] ?? str_replace( '_', ' ', $name );
	}

	/**
	 * The card's data.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed>                $t     Catalog template.
	 * @param array<string, array<string, mixed>> $by    Meta's rows by name/language.
	 * @param bool                                $known Whether Meta's status is known.
	 * @return array<string, mixed>
	 */
	public static function build( array $t, array $by, bool $known ): array {
		$name     = (string) $t['name'];
		$examples = array();
		$vars     = array();
		foreach ( (array) $t['params'] as $p ) {
			$vars[] = self::variable( (string) $p['name'] );
			if ( 'token' === ( $p['kind'] ?? '' ) ) {
				continue;
			}
			$examples[] = 'order_total' === $p['name'] ? Money::plain( 42.5 ) : (string) $p['example'];
		}
		$languages = array();
		foreach ( (array) $t['languages'] as $language ) {
			$meta       = $by[ $name . '/' . $language ] ?? null;
			$status     = null === $meta ? ( $known ? 'MISSING' : 'UNKNOWN' ) : strtoupper( (string) $meta['status'] );
			$mismatches = array();
			foreach ( (array) ( $meta['mismatches'] ?? array() ) as $m ) {
				$mismatches[] = (string) ( $m['message'] ?? $m['kind'] ?? '' );
			}
			if ( null !== $meta && false === ( $meta['compatible'] ?? true ) && array() === $mismatches ) {
				$mismatches[] = __( 'Not compatible with the catalog.', 'cartpinger-for-woocommerce' );
			}
			if ( null !== $meta && is_string( $meta['button_url'] ?? null ) && \CartPinger\Recovery\Link::is_stale_button( $meta['button_url'] ) ) {
				$mismatches[] = TemplatesPage::stale_message( $meta['button_url'] );
			}
			$text        = (array) ( $t['texts'][ $language ] ?? array() );
			$languages[] = array(
				'code'       => (string) $language,
				'status'     => $status,
				'status_txt' => self::status_text( $status ),
				'mismatches' => $mismatches,
				'header'     => self::fill( (string) ( $text['header'] ?? '' ), $examples ),
				'body'       => self::fill( (string) ( $text['body'] ?? '' ), $examples ),
				'footer'     => (string) ( $text['footer'] ?? '' ),
				'buttons'    => array_values(
					array_filter(
						array(
							(string) ( $text['url_button_label'] ?? '' ),
							in_array( 'copy_code', (array) ( $t['buttons'] ?? array() ), true ) ? __( 'Copy code', 'cartpinger-for-woocommerce' ) : '',
						)
					)
				),
			);
		}
		return array(
			'name'       => $name,
			'title'      => self::title( $name ),
			'category'   => 'MARKETING' === $t['category'] ? __( 'Marketing (needs the reminders consent)', 'cartpinger-for-woocommerce' ) : __( 'Utility (needs the order-updates consent)', 'cartpinger-for-woocommerce' ),
			'when'       => (string) $t['when'],
			'variables'  => $vars,
			'url_button' => ! empty( $t['needs_recovery_url'] ),
			'languages'  => $languages,
		);
	}

	/**
	 * Meta's status in words.
	 *
	 * @since 0.3.0
	 *
	 * @param string $status APPROVED, PENDING, REJECTED, PAUSED, DISABLED, MISSING or UNKNOWN.
	 * @return string
	 */
	public static function status_text( string $status ): string {
		switch ( $status ) {
			case 'APPROVED':
				return __( 'Approved by Meta', 'cartpinger-for-woocommerce' );
			case 'PENDING':
			case 'IN_APPEAL':
				return __( 'Waiting for Meta\'s review', 'cartpinger-for-woocommerce' );
			case 'REJECTED':
				return __( 'Rejected by Meta', 'cartpinger-for-woocommerce' );
			case 'MISSING':
				return __( 'Not submitted yet', 'cartpinger-for-woocommerce' );
			case 'UNKNOWN':
				return __( 'Status unknown', 'cartpinger-for-woocommerce' );
			default:
				return ucfirst( strtolower( $status ) );
		}
	}

	/**
	 * Replaces {{1}}, {{2}}… with the examples.
	 *
	 * @since 0.3.0
	 *
	 * @param string   $text     Template text.
	 * @param string[] $examples Examples in variable order.
	 * @return string
	 */
	private static function fill( string $text, array $examples ): string {
		return (string) preg_replace_callback(
			'/\{\{(\d+)\}\}/',
			static fn( $m ) => $examples[ (int) $m[1] - 1 ] ?? $m[0],
			$text
		);
	}
}
