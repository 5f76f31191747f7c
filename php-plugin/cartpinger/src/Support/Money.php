<?php
/**
 * Money as the store shows it.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Support;

defined( 'ABSPATH' ) || exit;

/**
 * One place that turns amounts into the store's format (WooCommerce's wc_price(): symbol,
 * position, separators and decimals of the store), for HTML screens and for plain text such as
 * a WhatsApp message, and minor units by the currency's decimals.
 *
 * @since 0.3.0
 */
final class Money {

	/**
	 * The amount as HTML, exactly as WooCommerce prints prices.
	 *
	 * @since 0.3.0
	 *
	 * @param float  $amount   Amount in major units.
	 * @param string $currency ISO code ('' for the store's).
	 * @return string Safe HTML.
	 */
	public static function html( float $amount, string $currency = '' ): string {
		if ( ! function_exists( 'wc_price' ) ) {
			return esc_html( number_format( $amount, 2, '.', '' ) . ( '' !== $currency ? ' ' . strtoupper( $currency ) : '' ) );
		}
		return (string) wc_price( $amount, '' !== $currency ? array( 'currency' => strtoupper( $currency ) ) : array() );
	}

	/**
	 * The amount as plain text in the store's format (e.g. "€16.65" or "16,65 €").
	 *
	 * @since 0.3.0
	 *
	 * @param float  $amount   Amount in major units.
	 * @param string $currency ISO code ('' for the store's).
	 * @return string
	 */
	public static function plain( float $amount, string $currency = '' ): string {
		$text = html_entity_decode( wp_strip_all_tags( self::html( $amount, $currency ) ), ENT_QUOTES | ENT_HTML5, 'UTF-8' );
		// WhatsApp text parameters: no-break spaces read as spaces; never tabs or line breaks.
		return trim( (string) preg_replace( '/[\s\x{00A0}\x{202F}]+/u', ' ', $text ) );
	}

	/**
	 * Minor units as the store shows them (e.g. 1665 EUR minor units → "€16.65").
	 *
	 * @since 0.3.0
	 *
	 * @param int    $minor    Amount in minor units of the currency.
	 * @param string $currency ISO code ('' for the store's).
	 * @param bool   $html     HTML (true) or plain text.
	 * @return string
	 */
	public static function from_minor( int $minor, string $currency = '', bool $html = true ): string {
		$amount = $minor / ( 10 ** self::decimals() );
		return $html ? self::html( $amount, $currency ) : self::plain( $amount, $currency );
	}

	/**
	 * The store's price decimals (the unit of every *_minor column).
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function decimals(): int {
		return function_exists( 'wc_get_price_decimals' ) ? max( 0, (int) wc_get_price_decimals() ) : 2;
	}
}
