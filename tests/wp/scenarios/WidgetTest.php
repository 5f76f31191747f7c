<?php
/**
 * Scenario wd (woo tier, restores the database and activates CartPinger itself): the
 * click-to-chat widget's footer output (CartPinger\Frontend\Widget, built and registered here):
 * nothing when disabled or misconfigured, the wa.me link with the RFC 3986-encoded message,
 * position, devices, page rules on real WooCommerce pages, escaping, printed once, and its size
 * (style element + markup <= 1.5 KB; measured sizes written to target/wp-it/results/widget-size.txt).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Frontend\Widget;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;

final class WidgetTest extends TestCase {

	public const BUDGET = 1536;

	public const TYPICAL_MESSAGE = 'Hi! I have a question about an order.';

	private static Settings $settings;

	/** @var array<string, int> what => bytes */
	private static array $sizes = array();

	public static function setUpBeforeClass(): void {
		if ( ! is_plugin_active( self::PLUGIN ) ) {
			wp_set_current_user( 1 );
			ob_start();
			$result = activate_plugin( self::PLUGIN );
			ob_end_clean();
			if ( is_wp_error( $result ) ) {
				throw new \RuntimeException( 'activation failed: ' . $result->get_error_message() );
			}
			wp_set_current_user( 0 );
		}
		self::$settings = new Settings( new SecretBox() );
	}

	public static function tearDownAfterClass(): void {
		$lines = array();
		foreach ( self::$sizes as $what => $bytes ) {
			$lines[] = sprintf( '%-60s %5d bytes', $what, $bytes );
		}
		$dir = getenv( 'CARTPINGER_IT_REPO' ) . '/target/wp-it/results';
		if ( is_dir( $dir ) ) {
			file_put_contents( $dir . '/widget-size.txt', implode( "\n", $lines ) . "\n" );
		}
		fwrite( STDOUT, "\n[wd] widget size (style + markup):\n  " . implode( "\n  ", $lines ) . "\n" );
	}

	protected function setUp(): void {
		parent::setUp();
		foreach ( array( 'widget_enabled', 'support_phone', 'widget_message', 'widget_position', 'widget_pages', 'widget_devices' ) as $key ) {
			delete_option( Settings::option_name( $key ) );
		}
		self::use_query( array() );
	}

	// ------------------------------------------------------------------ helpers

	private static function set( array $values ): void {
		foreach ( $values as $key => $value ) {
			$result = self::$settings->set( $key, $value );
			if ( true !== $result ) {
				throw new \RuntimeException( "could not set {$key}: " . ( is_wp_error( $result ) ? $result->get_error_code() : '?' ) );
			}
		}
	}

	private static function enable( array $more = array() ): void {
		self::set( array_merge( array( 'widget_enabled' => '1', 'support_phone' => '+34 612 345 678' ), $more ) );
	}

	/** What the widget prints in wp_footer for the current settings and query. */
	private static function footer( ?Widget $widget = null ): string {
		$widget = $widget ?? new Widget( self::$settings );
		ob_start();
		$widget->action_wp_footer();
		return (string) ob_get_clean();
	}

	/** Makes $args the main query, as WordPress does for a front-end request. */
	private static function use_query( array $args ): void {
		unset( $GLOBALS['post'] );
		$GLOBALS['wp_the_query'] = new \WP_Query( $args );
		$GLOBALS['wp_query']     = $GLOBALS['wp_the_query'];
		if ( $GLOBALS['wp_query']->have_posts() ) {
			$GLOBALS['post'] = $GLOBALS['wp_query']->posts[0];
		}
		// WooCommerce 9.9+ remembers is_cart()/is_checkout() for the rest of the request
		// (CartCheckoutUtils); each simulated page here is a new request.
		$utils = 'Automattic\WooCommerce\Blocks\Utils\CartCheckoutUtils';
		foreach ( array( 'is_cart_page', 'is_checkout_page' ) as $cached ) {
			if ( class_exists( $utils ) && property_exists( $utils, $cached ) ) {
				$property = new \ReflectionProperty( $utils, $cached );
				$property->setAccessible( true );
				$property->setValue( null, null );
			}
		}
	}

	/** A WooCommerce page (shop, checkout), created when the store has none. */
	private static function wc_page( string $which ): int {
		$id = wc_get_page_id( $which );
		if ( $id > 0 && get_post( $id ) ) {
			return $id;
		}
		$id = wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => ucfirst( $which ), 'post_content' => in_array( $which, array( 'checkout', 'cart' ), true ) ? "<!-- wp:shortcode -->[woocommerce_{$which}]<!-- /wp:shortcode -->" : '' ) );
		update_option( "woocommerce_{$which}_page_id", $id );
		return (int) $id;
	}

	private static function href( string $html ): string {
		return preg_match( '/<a id="cartpinger-chat" href="([^"]*)"/', $html, $m ) ? html_entity_decode( $m[1], ENT_QUOTES ) : '';
	}

	// ------------------------------------------------------------------ nothing printed

	public function test_register_hooks_the_footer_only(): void {
		$widget = new Widget( self::$settings );
		$widget->register();
		$this->assertSame( 100, has_action( 'wp_footer', array( $widget, 'action_wp_footer' ) ) );
		$this->enable();
		ob_start();
		do_action( 'wp_footer' );
		$html = (string) ob_get_clean();
		remove_action( 'wp_footer', array( $widget, 'action_wp_footer' ), 100 );
		$this->assertSame( 1, substr_count( $html, 'id="cartpinger-chat"' ), 'the widget is printed through wp_footer' );
	}

	public function test_nothing_when_disabled(): void {
		self::set( array( 'support_phone' => '+34612345678' ) );
		$this->assertSame( '', self::footer(), 'default (off)' );
		self::set( array( 'widget_enabled' => '0' ) );
		$this->assertSame( '', self::footer(), 'switched off' );
	}

	public function test_nothing_when_misconfigured(): void {
		self::set( array( 'widget_enabled' => '1' ) );
		$this->assertSame( '', self::footer(), 'no support phone' );
		foreach ( array( 'abc', '+0612345678', '+123', '+1234567890123456', '34 612 345 678', '<script>' ) as $raw ) {
			update_option( Settings::option_name( 'support_phone' ), $raw ); // As a bad import or older version might leave it.
			$this->assertSame( '', self::footer(), "invalid stored support phone {$raw}" );
		}
		update_option( Settings::option_name( 'widget_enabled' ), 'maybe' );
		update_option( Settings::option_name( 'support_phone' ), '+34612345678' );
		$this->assertSame( '', self::footer(), 'unreadable switch counts as off' );
	}

	// ------------------------------------------------------------------ the link

	public function test_enabled_link_markup_and_css(): void {
		$this->enable();
		$html = self::footer();
		self::$sizes['enabled, no message, right, all devices'] = strlen( $html );
		$this->assertSame( 'https://wa.me/34612345678', self::href( $html ), 'no ?text= without a message' );
		$this->assertSame( 1, substr_count( $html, '<style' ), 'one style element' );
		$this->assertStringStartsWith( '<style id="cartpinger-chat-css">', $html, 'CSS printed with (before) the markup' );
		$this->assertMatchesRegularExpression( '#<a id="cartpinger-chat" href="[^"]+" target="_blank" rel="noopener noreferrer" aria-label="Open WhatsApp chat"><svg viewBox="0 0 32 32" aria-hidden="true" focusable="false"><path d="[^"<>]+"/></svg></a>$#', $html );
		foreach ( array( 'position:fixed', 'bottom:24px', 'right:24px', 'z-index:9999', 'width:56px', 'height:56px', 'border-radius:50%', 'background:#25d366', '#cartpinger-chat:focus-visible{outline:3px solid', '@media (prefers-reduced-motion:reduce){#cartpinger-chat{transition:none}' ) as $rule ) {
			$this->assertStringContainsString( $rule, $html );
		}
		$this->assertStringNotContainsString( 'left:24px', $html );
		$this->assertStringNotContainsString( '<script', $html, 'no JavaScript' );
		$this->assertDoesNotMatchRegularExpression( '#(src|url\()\s*=?\s*["\']?(https?:)?//#i', $html, 'no external resource' );
		$this->assertStringNotContainsString( '@media (min-width', $html, 'all devices: no device query' );
		$this->assertStringNotContainsString( '@media (max-width', $html, 'all devices: no device query' );
		$widget = new Widget( self::$settings );
		$this->assertSame( esc_html( $widget->css() ), $widget->css(), 'the CSS has no character that escaping would change' );
	}

	public function test_message_is_rfc3986_encoded(): void {
		$message = "Hola, ¿tenéis talla M? It's 2 & 3 (50%) + ~tilde*\nsecond line";
		$this->enable( array( 'widget_message' => $message ) );
		$stored = (string) self::$settings->get( 'widget_message' );
		$this->assertSame( $message, $stored, 'the sanitizer kept the message as typed' );
		$html = self::footer();
		$this->assertSame( 'https://wa.me/34612345678?text=' . rawurlencode( $message ), self::href( $html ) );
		$this->assertStringContainsString( 'text=Hola%2C%20%C2%BFten%C3%A9is%20talla%20M%3F%20It%27s%202%20%26%203%20%2850%25%29%20%2B%20~tilde%2A%0Asecond%20line', $html, 'RFC 3986: spaces %20, ~ kept, !\'()* encoded' );
		$this->assertStringNotContainsString( '+', (string) wp_parse_url( self::href( $html ), PHP_URL_QUERY ), 'no + for spaces' );

		$this->set( array( 'widget_message' => self::TYPICAL_MESSAGE ) );
		self::$sizes[ 'enabled, typical message (' . strlen( self::TYPICAL_MESSAGE ) . ' chars)' ] = strlen( self::footer() );

		$this->set( array( 'widget_message' => '   ' ) );
		$this->assertSame( 'https://wa.me/34612345678', self::href( self::footer() ), 'blank message: no ?text=' );
	}

	public function test_markup_in_the_message_cannot_break_out(): void {
		update_option( Settings::option_name( 'widget_message' ), '"><script>alert(1)</script><b onmouseover=x>' ); // Raw, past the sanitizer.
		$this->enable();
		$html = self::footer();
		$this->assertStringNotContainsString( '<script', $html );
		$this->assertStringNotContainsString( '"><script', $html );
		$this->assertStringNotContainsString( 'onmouseover=', $html );
		$this->assertSame( 1, substr_count( $html, '<a ' ) );
		$this->assertStringContainsString( 'text=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E', $html );
	}

	public function test_translated_label_is_escaped(): void {
		$filter = static function ( $translation, $text, $domain ) {
			return ( 'Open WhatsApp chat' === $text && 'cartpinger-for-woocommerce' === $domain ) ? 'Abrir chat "WhatsApp" <b>&</b>' : $translation;
		};
		add_filter( 'gettext', $filter, 10, 3 );
		$this->enable();
		$html = self::footer();
		remove_filter( 'gettext', $filter, 10 );
		$this->assertStringContainsString( 'aria-label="Abrir chat &quot;WhatsApp&quot; &lt;b&gt;&amp;&lt;/b&gt;"', $html );
	}

	public function test_left_position(): void {
		$this->enable( array( 'widget_position' => 'left' ) );
		$html = self::footer();
		$this->assertStringContainsString( 'bottom:24px;left:24px', $html );
		$this->assertStringNotContainsString( 'right:24px', $html );
		update_option( Settings::option_name( 'widget_position' ), 'top;background:url(//evil)' );
		$html = self::footer();
		$this->assertStringContainsString( 'bottom:24px;right:24px', $html, 'unknown stored position falls back to right' );
		$this->assertStringNotContainsString( 'evil', $html );
	}

	public function test_devices_by_media_query(): void {
		$this->enable( array( 'widget_devices' => 'mobile' ) );
		$html = self::footer();
		self::$sizes['enabled, no message, mobile only'] = strlen( $html );
		$this->assertStringContainsString( '@media (min-width:768px){#cartpinger-chat{display:none}}', $html );
		$this->set( array( 'widget_devices' => 'desktop' ) );
		$html = self::footer();
		$this->assertStringContainsString( '@media (max-width:767.98px){#cartpinger-chat{display:none}}', $html );
		$this->assertStringNotContainsString( 'min-width', $html );
	}

	public function test_printed_once_per_request(): void {
		$this->enable();
		$widget = new Widget( self::$settings );
		$this->assertNotSame( '', self::footer( $widget ) );
		$this->assertSame( '', self::footer( $widget ), 'second wp_footer in the same request' );
	}

	// ------------------------------------------------------------------ page rules

	public function test_page_rules(): void {
		$this->enable();
		$shop     = self::wc_page( 'shop' );
		$checkout = self::wc_page( 'checkout' );
		$cart     = self::wc_page( 'cart' );
		$product  = new \WC_Product_Simple();
		$product->set_name( 'Widget test product' );
		$product->set_regular_price( '10' );
		$product->set_status( 'publish' );
		$product_id = $product->save();
		$plain      = wp_insert_post( array( 'post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'About us' ) );

		$pages = array(
			'shop'     => array( 'page_id' => $shop ),
			'product'  => array( 'p' => $product_id, 'post_type' => 'product' ),
			'checkout' => array( 'page_id' => $checkout ),
			'cart'     => array( 'page_id' => $cart ),
			'plain'    => array( 'page_id' => $plain ),
		);
		$expect = array( // rule => pages where the widget shows
			'all'          => array( 'shop', 'product', 'checkout', 'cart', 'plain' ),
			'shop'         => array( 'shop' ),
			'product'      => array( 'product' ),
			'not_checkout' => array( 'shop', 'product', 'plain' ),
		);
		foreach ( $expect as $rule => $shown ) {
			$this->set( array( 'widget_pages' => $rule ) );
			foreach ( $pages as $page => $query ) {
				self::use_query( $query );
				$html = self::footer();
				if ( in_array( $page, $shown, true ) ) {
					$this->assertStringContainsString( 'id="cartpinger-chat"', $html, "rule {$rule}: shown on {$page}" );
					// On cart and checkout it never floats over Place Order / Proceed to checkout.
					$in_flow = str_contains( $html, '{position:static;' );
					$this->assertSame( in_array( $page, array( 'checkout', 'cart' ), true ), $in_flow, "rule {$rule}: floating only off cart and checkout ({$page})" );
				} else {
					$this->assertSame( '', $html, "rule {$rule}: nothing (not even CSS) on {$page}" );
				}
			}
		}
		// Sanity: the queries really are those pages for WooCommerce.
		self::use_query( $pages['shop'] );
		$this->assertTrue( is_shop() );
		self::use_query( $pages['product'] );
		$this->assertTrue( is_product() );
		self::use_query( $pages['checkout'] );
		$this->assertTrue( is_checkout() );
		self::use_query( $pages['cart'] );
		$this->assertTrue( is_cart() );
	}

	public function test_off_on_cart_and_checkout_by_default(): void {
		delete_option( Settings::option_name( 'widget_pages' ) );
		$this->enable();
		$this->assertSame( 'not_checkout', self::$settings->get( 'widget_pages' ) );
		self::use_query( array( 'page_id' => self::wc_page( 'checkout' ) ) );
		$this->assertSame( '', self::footer(), 'default: not on checkout' );
		self::use_query( array( 'page_id' => self::wc_page( 'cart' ) ) );
		$this->assertSame( '', self::footer(), 'default: not on cart' );
	}

	// ------------------------------------------------------------------ weight

	public function test_size_budget(): void {
		$this->enable( array( 'widget_message' => self::TYPICAL_MESSAGE, 'widget_position' => 'left', 'widget_devices' => 'desktop' ) );
		$html = self::footer();
		self::$sizes[ 'largest CSS (left, desktop only) + typical message' ] = strlen( $html );
		$this->assertLessThanOrEqual( self::BUDGET, strlen( $html ), "style + markup is " . strlen( $html ) . " bytes:\n" . $html );
		$this->set( array( 'widget_message' => '' ) );
		$this->assertLessThanOrEqual( self::BUDGET, strlen( self::footer() ) );
	}
}
