<?php
/**
 * The click-to-chat button.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Frontend;

use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * A floating WhatsApp link, printed in wp_footer when cartpinger_widget_enabled is on and
 * cartpinger_support_phone holds a valid number.
 *
 * The link opens https://wa.me/<digits>, with ?text=<RFC 3986-encoded widget_message> when a
 * message is set, in a new tab. Its CSS is printed inline, once, right before the markup: no
 * stylesheet to enqueue (page caches and optimizers cannot serve a stale one or strip a
 * deferred one), no script, no font and no request to any other host. Pages follow
 * widget_pages (not_checkout = everywhere but cart and checkout, the default; all; shop; product); devices follow widget_devices through CSS
 * media queries only, so the page stays cacheable for every device. When the widget is off or
 * misconfigured nothing at all is printed, not even the CSS.
 *
 * @since 0.2.0
 */
final class Widget implements RegistersHooks {

	/**
	 * Id of the link (and prefix of the style element's id).
	 *
	 * @since 0.2.0
	 */
	public const ID = 'cartpinger-chat';

	/**
	 * Narrowest viewport, in CSS pixels, that counts as a desktop.
	 *
	 * @since 0.2.0
	 */
	public const DESKTOP_MIN_WIDTH = 768;

	/**
	 * The WhatsApp glyph (bubble and handset) in a 32 x 32 box, filled even-odd.
	 *
	 * @since 0.2.0
	 */
	private const ICON_PATH = 'M16 3a13 13 0 0 0-11.2 19.6L3 29l6.6-1.7A13 13 0 1 0 16 3zm0 2.4a10.6 10.6 0 1 0 0 21.2 10.6 10.6 0 1 0 0-21.2zM21.9 18.6c-.3-.2-1.9-1-2.2-1.1-.3-.1-.5-.1-.7.2-.2.3-.8 1-1 1.3-.2.2-.4.2-.7 0-.3-.1-1.4-.5-2.6-1.6-1-.8-1.6-1.9-1.8-2.2-.2-.3 0-.5.1-.6.2-.2.4-.4.5-.6.2-.2.2-.3.4-.5.1-.3 0-.5-.1-.6-.1-.2-.7-1.8-1-2.4-.2-.6-.5-.5-.7-.6-.2 0-.4 0-.6 0-.2 0-.6.1-.9.4-.3.4-1.1 1.1-1.1 2.7 0 1.6 1.2 3.1 1.3 3.4.2.2 2.3 3.4 5.5 4.8.8.3 1.4.5 1.9.7.7.2 1.4.2 2 .1.6-.1 1.9-.8 2.2-1.5.2-.8.2-1.4.1-1.5 0-.2-.3-.3-.6-.4z';

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Whether the widget was already printed in this request.
	 *
	 * @since 0.2.0
	 *
	 * @var boolean
	 */
	private bool $printed = false;

	/**
	 * Creates the widget.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Hooks the footer output.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'wp_footer', array( $this, 'action_wp_footer' ), 100 );
	}

	/**
	 * Prints the widget, once per request, when it is on, configured and allowed on this page.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_wp_footer(): void {
		// Off unless switched on: settings are saved autoloaded, so a shop that never switched
		// the widget on pays no query for it on any page.
		$all = wp_load_alloptions();
		if ( ! isset( $all[ Settings::option_name( 'widget_enabled' ) ] ) && '1' !== Settings::DEFAULTS['widget_enabled'] ) {
			return;
		}
		if ( $this->printed || true !== $this->settings->get( 'widget_enabled' ) || ! self::page_allowed( $this->option( 'widget_pages', array( 'not_checkout', 'all', 'shop', 'product' ) ) ) ) {
			return;
		}
		$html = $this->html();
		if ( '' === $html ) {
			return;
		}
		$this->printed = true;
		echo $html; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built by html() from esc_attr/esc_html/esc_url parts.
	}

	/**
	 * The style element and the link, or '' when the widget is off or misconfigured.
	 *
	 * Does not look at the page rule (see action_wp_footer()).
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public function html(): string {
		$url = $this->url();
		if ( '' === $url ) {
			return '';
		}
		return sprintf(
			'<style id="%1$s-css">%2$s</style><a id="%1$s" href="%3$s" target="_blank" rel="noopener noreferrer" aria-label="%4$s"><svg viewBox="0 0 32 32" aria-hidden="true" focusable="false"><path d="%5$s"/></svg></a>',
			esc_attr( self::ID ),
			// Built from constants and allow-listed values only; none of them has a character
			// that esc_html() changes, and nothing in it can close the style element.
			esc_html( $this->css() ),
			// The address is built here from "https://wa.me/", digits and rawurlencode() output
			// only ([A-Za-z0-9_.~%-]), so esc_attr() is enough. esc_url() would remove the %0A
			// of the message's line breaks.
			esc_attr( $url ),
			esc_attr__( 'Open WhatsApp chat', 'cartpinger-for-woocommerce' ),
			esc_attr( self::ICON_PATH )
		);
	}

	/**
	 * The wa.me address, or '' when the widget is off or the support phone is not valid.
	 *
	 * @since 0.2.0
	 *
	 * @return string Not HTML-escaped.
	 */
	public function url(): string {
		if ( true !== $this->settings->get( 'widget_enabled' ) ) {
			return '';
		}
		$phone = (string) $this->settings->get( 'support_phone' );
		if ( 1 !== preg_match( '/^\+?([1-9]\d{6,14})$/', $phone, $match ) ) {
			return '';
		}
		$url     = 'https://wa.me/' . $match[1];
		$message = (string) $this->settings->get( 'widget_message' );
		if ( '' !== trim( $message ) ) {
			$url .= '?text=' . rawurlencode( $message );
		}
		return $url;
	}

	/**
	 * The widget's CSS for the saved position and devices.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public function css(): string {
		$id   = '#' . self::ID;
		$side = $this->option( 'widget_position', array( 'right', 'left' ) );
		$css  = $id . '{position:fixed;bottom:24px;' . $side . ':24px;z-index:9999;display:flex;align-items:center;justify-content:center;width:56px;height:56px;border-radius:50%;background:#25d366;box-shadow:0 2px 6px rgba(0,0,0,.3);transition:transform .2s}'
			. $id . ':hover{transform:scale(1.08)}'
			. $id . ':focus-visible{outline:3px solid #1e1e1e;outline-offset:3px}'
			. $id . ' svg{width:32px;height:32px;fill:#fff;fill-rule:evenodd}'
			. '@media (prefers-reduced-motion:reduce){' . $id . '{transition:none}' . $id . ':hover{transform:none}}';
		if ( self::is_cart_or_checkout() ) {
			// Only when the merchant chose "all pages": on cart and checkout a floating button
			// would cover Place Order / Proceed to checkout on a phone, so it sits at the end of
			// the page, in the flow, where it can never overlap them.
			$css .= $id . '{position:static;margin:24px auto}';
		}
		switch ( $this->option( 'widget_devices', array( 'all', 'mobile', 'desktop' ) ) ) {
			case 'mobile':
				$css .= '@media (min-width:' . self::DESKTOP_MIN_WIDTH . 'px){' . $id . '{display:none}}';
				break;
			case 'desktop':
				$css .= '@media (max-width:' . ( self::DESKTOP_MIN_WIDTH - 1 ) . '.98px){' . $id . '{display:none}}';
				break;
		}
		return $css;
	}

	/**
	 * Whether the page rule lets the widget show on the current page.
	 *
	 * @since 0.2.0
	 *
	 * @param string $rule One of all, shop, product, not_checkout.
	 * @return bool
	 */
	public static function page_allowed( string $rule ): bool {
		switch ( $rule ) {
			case 'shop':
				return function_exists( 'is_shop' ) && is_shop();
			case 'product':
				return function_exists( 'is_product' ) && is_product();
			case 'not_checkout':
				return ! self::is_cart_or_checkout();
			default:
				return true;
		}
	}

	/**
	 * Whether this request shows the cart or the checkout (not the order-received page).
	 *
	 * @since 0.3.0
	 *
	 * @return bool
	 */
	public static function is_cart_or_checkout(): bool {
		if ( function_exists( 'is_order_received_page' ) && is_order_received_page() ) {
			return false;
		}
		return ( function_exists( 'is_checkout' ) && is_checkout() ) || ( function_exists( 'is_cart' ) && is_cart() );
	}

	/**
	 * A choice setting, or its first allowed value when the stored one is not allowed.
	 *
	 * @since 0.2.0
	 *
	 * @param string   $key     Setting key.
	 * @param string[] $allowed Allowed values, the default first.
	 * @return string
	 */
	private function option( string $key, array $allowed ): string {
		$value = (string) $this->settings->get( $key );
		return in_array( $value, $allowed, true ) ? $value : $allowed[0];
	}
}
