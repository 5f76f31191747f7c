<?php
/**
 * Scenario rl (woo tier, continues r0 = WebhookSetupTest): the recovery link as the shopper gets
 * it, and the block checkout's partial updates (issue 10).
 *
 * Real WordPress + WooCommerce + MariaDB, the real extension and the real Cloud API sandbox. The
 * link is never built here: the test reads the URL the sandbox rendered for the message's button
 * (the template's approved URL with the token substituted, as Meta does) and parses that URL's
 * query as PHP would for the request.
 *
 * Covers: the URL button submitted for every recovery template × language is the one
 * Link::button_url() (ending `cartpinger_recover={{1}}`, also with plain permalinks); the
 * delivered link restores; the legacy form (`cartpinger_recover<token>`, no `=`) restores too;
 * templates approved with the legacy base are detected (Templates page, setup doctor) and the
 * one-click resubmit edits them at Meta; a second tap restores the same cart and leaves one
 * record; a new WooCommerce customer id after the tap (login, new cookie) and a record the
 * browser already had never make a second record for the order; the Store API checkout's
 * partial update (PUT, WooCommerce 9.8+) neither revokes nor stamps, an explicit untick
 * revokes, and Place Order (the POST) stamps the order and counts it recovered once.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\SetupPage;
use CartPinger\Admin\TemplatesPage;
use CartPinger\Native\Catalog;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\Attribution;
use CartPinger\Recovery\Capture;
use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Recovery\Coupons;
use CartPinger\Recovery\Link;
use CartPinger\Recovery\Repository;
use CartPinger\Recovery\Scheduler;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class RecoveryLinkTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	private static int $product = 0;

	private static int $phone = 0;

	public static function setUpBeforeClass(): void {
		// Every shopper here comes from 127.0.0.1, after r1's: more carts than the per-address
		// limit allows in an hour (the limits have their own scenario, ConsentAbuseTest).
		add_filter( 'cartpinger_capture_limits', static fn() => array( 'per_address_hour' => 10000, 'store_hour' => 10000 ) );
		self::$sandbox = new SandboxProcess();
		self::use_sandbox(
			self::$sandbox,
			array(
				'quiet_hours_enabled' => '0',
				'cooloff_hours'       => '0',
				'enable_auto_coupon'  => '0',
				'us_marketing_guard'  => '0',
			)
		);
		update_option( 'woocommerce_default_country', 'ES' );
		update_option( 'woocommerce_currency', 'EUR' );
		update_option( 'woocommerce_cod_settings', array( 'enabled' => 'yes', 'title' => 'Cash on delivery' ) );
		$product = new \WC_Product_Simple();
		$product->set_name( 'Green mug' );
		$product->set_regular_price( '12.50' );
		$product->set_status( 'publish' );
		$product->set_virtual( true );
		self::$product = $product->save();
		wc_load_cart();
		// Our own templates, submitted exactly as the Templates page does.
		self::sandbox_templates( array() );
	}

	public static function tearDownAfterClass(): void {
		self::$sandbox = null;
	}

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		delete_transient( \CartPinger\Lifecycle::TEMPLATES_CACHE_TRANSIENT );
		self::new_shopper();
	}

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	/** Replaces the sandbox's templates (definitions as /_sandbox/templates takes them). */
	private static function sandbox_templates( array $definitions ): void {
		self::$sandbox->control( '/_sandbox/templates', array( 'replace' => true, 'templates' => $definitions ) );
	}

	/** The sandbox's templates (definition form, with id and status). */
	private static function sandbox_template_list(): array {
		$data = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/templates' ), true );
		return (array) ( $data['templates'] ?? array() );
	}

	private static function url_button( array $template ): ?string {
		foreach ( (array) ( $template['components'] ?? array() ) as $c ) {
			foreach ( (array) ( $c['buttons'] ?? array() ) as $b ) {
				if ( 'URL' === ( $b['type'] ?? '' ) ) {
					return (string) $b['url'];
				}
			}
		}
		return null;
	}

	/** Submits every catalog template through the Templates page and waits for the approvals. */
	private static function submit_all(): void {
		self::sandbox_templates( array() );
		$results = ( new TemplatesPage( self::settings() ) )->submit_missing();
		if ( is_wp_error( $results ) ) {
			throw new \RuntimeException( $results->get_error_message() );
		}
		foreach ( $results as $r ) {
			if ( 'ok' !== $r['status'] ) {
				throw new \RuntimeException( 'submission failed: ' . wp_json_encode( $r ) );
			}
		}
		self::wait_approved();
	}

	private static function wait_approved(): void {
		for ( $i = 0; $i < 100; $i++ ) {
			$pending = array_filter( self::sandbox_template_list(), static fn( $t ) => 'APPROVED' !== ( $t['status'] ?? '' ) );
			if ( array() === $pending ) {
				return;
			}
			usleep( 100000 );
		}
		throw new \RuntimeException( 'templates not approved by the sandbox' );
	}

	/** A fresh guest session (new customer id) with one product in the cart. */
	private static function new_shopper( bool $with_cart = true ): void {
		WC()->session = new \WC_Session_Handler();
		WC()->session->init();
		WC()->customer = new \WC_Customer( 0, true );
		WC()->cart     = new \WC_Cart();
		WC()->cart->get_cart_from_session();
		WC()->cart->empty_cart();
		if ( $with_cart ) {
			WC()->cart->add_to_cart( self::$product, 3 );
		}
		// The browser sends the session cookie back (a CLI process cannot receive Set-Cookie):
		// a capture needs a live session (issue 11).
		$live = new \ReflectionProperty( \WC_Session_Handler::class, '_has_cookie' );
		$live->setAccessible( true );
		$live->setValue( WC()->session, true );
	}

	private static function next_phone(): string {
		++self::$phone;
		return '+346002000' . str_pad( (string) self::$phone, 2, '0', STR_PAD_LEFT );
	}

	private static function records(): array {
		global $wpdb;
		return (array) $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM %i ORDER BY id', Schema::recoveries_table() ), ARRAY_A );
	}

	private static function capture_now( string $phone, bool $consent = true ): string {
		return ( new Capture( self::settings(), new Repository(), new Store() ) )->capture(
			array(
				'phone'   => $phone,
				'country' => 'ES',
				'name'    => 'Marta',
				'email'   => 'marta' . self::$phone . '@example.com',
				'consent' => $consent,
				'source'  => 'tracker',
			)
		);
	}

	/** Moves a record $seconds into the past (the runner sends with the real clock). */
	private static function age( int $id, int $seconds ): void {
		global $wpdb;
		foreach ( array( 'last_activity_at', 'created_at', 'consent_at', 'first_message_at', 'messaged_at', 'next_check_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i - INTERVAL %d SECOND WHERE id = %d AND %i IS NOT NULL', Schema::recoveries_table(), $c, $c, $seconds, $id, $c ) );
		}
	}

	/**
	 * Captures a cart, lets the first reminder go out through the sandbox, and returns the URL
	 * its button opens as the sandbox delivered it.
	 */
	private function delivered_link( string $phone ): string {
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$id = (int) self::records()[0]['id'];
		self::age( $id, 2 * 3600 );
		( new Scheduler( self::settings(), new Repository(), new Store(), new Coupons( self::settings() ), new SecretBox() ) )->tick();
		$run = ( new Runner( self::settings(), new Store() ) )->run( 10000 );
		$this->assertSame( 1, $run['sent'] ?? 0, wp_json_encode( $run ) );
		$data = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/messages?limit=1000' ), true );
		foreach ( $data['messages'] ?? array() as $m ) {
			if ( ltrim( (string) ( $m['to'] ?? '' ), '+' ) === ltrim( $phone, '+' ) ) {
				$urls = (array) ( $m['rendered']['urls'] ?? array() );
				$this->assertCount( 1, $urls, 'the delivered message has one URL button: ' . wp_json_encode( $m['rendered'] ?? null ) );
				return (string) $urls[0];
			}
		}
		$this->fail( 'no message to ' . $phone . ' in the sandbox' );
	}

	/** What PHP puts in $_GET for a URL's query (as WordPress sees the request). */
	private static function query_of( string $url ): array {
		$query = array();
		parse_str( (string) wp_parse_url( $url, PHP_URL_QUERY ), $query );
		return $query;
	}

	public function test_submitted_url_button_of_every_recovery_template_and_language(): void {
		$this->assertStringEndsWith( '?cartpinger_recover=', Link::prefix() );
		$this->assertStringStartsWith( wc_get_cart_url(), Link::prefix() );
		self::submit_all();
		$seen = 0;
		foreach ( Catalog::templates() as $t ) {
			foreach ( $t['languages'] as $language ) {
				$row = null;
				foreach ( self::sandbox_template_list() as $candidate ) {
					if ( $candidate['name'] === $t['name'] && $candidate['language'] === $language ) {
						$row = $candidate;
					}
				}
				$this->assertNotNull( $row, "{$t['name']} ({$language}) submitted" );
				if ( ! $t['needs_recovery_url'] ) {
					$this->assertNull( self::url_button( $row ), "{$t['name']} has no URL button" );
					continue;
				}
				$this->assertSame( Link::button_url(), self::url_button( $row ), "{$t['name']} ({$language})" );
				$this->assertStringEndsWith( 'cartpinger_recover={{1}}', (string) self::url_button( $row ) );
				++$seen;
			}
		}
		$this->assertGreaterThanOrEqual( 15, $seen );
		// Nothing is stale right after a submission.
		$status = ( new TemplatesPage( self::settings() ) )->meta_status( true );
		$this->assertIsArray( $status );
		$this->assertSame( array(), TemplatesPage::stale_links( $status['templates'] ) );

		// Plain permalinks: the cart page is ?page_id=N, the token argument follows with &.
		$permalinks = get_option( 'permalink_structure' );
		update_option( 'permalink_structure', '' );
		$GLOBALS['wp_rewrite']->init();
		try {
			$this->assertMatchesRegularExpression( '/\?page_id=\d+&cartpinger_recover=$/', Link::prefix() );
		} finally {
			update_option( 'permalink_structure', $permalinks );
			$GLOBALS['wp_rewrite']->init();
		}
	}

	public function test_delivered_link_and_legacy_link_restore_the_same_cart_once(): void {
		self::submit_all();
		$phone = self::next_phone();
		$url   = $this->delivered_link( $phone );
		$this->assertStringStartsWith( Link::prefix(), $url, 'the button opens the recovery base + token' );
		$token = Link::token_from_query( self::query_of( $url ) );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{64}$/', $token, "token read from {$url}" );

		// The shopper taps it in a fresh browser: cart restored.
		self::new_shopper( false );
		$this->assertStringStartsWith( wc_get_checkout_url(), (string) ( new Link( new Repository() ) )->restore( $token ) );
		$this->assertEquals( 3, WC()->cart->get_cart_contents_count() );
		// A second tap: the same cart (not doubled), still one record, still messaged.
		$this->assertStringStartsWith( wc_get_checkout_url(), (string) ( new Link( new Repository() ) )->restore( $token ) );
		$this->assertEquals( 3, WC()->cart->get_cart_contents_count(), 'a second tap shows the same cart' );
		$this->assertCount( 1, self::records() );
		$this->assertSame( 'messaged', self::records()[0]['status'] );

		// The legacy link (the old base had no '='): the token is glued to the argument name.
		$legacy = str_replace( 'cartpinger_recover=', 'cartpinger_recover', $url );
		$this->assertSame( $token, Link::token_from_query( self::query_of( $legacy ) ), "legacy link {$legacy}" );
		self::new_shopper( false );
		$this->assertStringStartsWith( wc_get_checkout_url(), (string) ( new Link( new Repository() ) )->restore( Link::token_from_query( self::query_of( $legacy ) ) ) );
		$this->assertEquals( 3, WC()->cart->get_cart_contents_count(), 'the legacy link restores too' );
		// Junk never reads as a token.
		$this->assertSame( '', Link::token_from_query( array( 'cartpinger_recover' => str_repeat( 'z', 64 ) ) ) );
		$this->assertSame( '', Link::token_from_query( array( 'cartpinger_recover' . str_repeat( 'a', 63 ) => '' ) ) );
		$this->assertSame( '', Link::token_from_query( array( 'cartpinger_recover' => array( $token ) ) ) );

		// WooCommerce gives the browser a new customer id (login, new cookie) with the same
		// session data; the checkout tracker then captures: still the one linked record.
		$customer_id = new \ReflectionProperty( WC()->session, '_customer_id' );
		$customer_id->setAccessible( true );
		$customer_id->setValue( WC()->session, 't_' . bin2hex( random_bytes( 15 ) ) );
		$this->assertEquals( 3, WC()->cart->get_cart_contents_count() );
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$records = self::records();
		$this->assertCount( 1, $records, 'no second record after the link: ' . wp_json_encode( array_column( $records, 'status', 'id' ) ) );
		$this->assertSame( Capture::session_key(), $records[0]['session_key'], 'the linked record follows the session' );

		// The order: one record, recovered; nothing closes as a second "ordered" record.
		$order = wc_create_order( array( 'created_via' => 'checkout' ) );
		$order->set_billing_phone( $phone );
		$order->set_billing_country( 'ES' );
		$order->add_product( wc_get_product( self::$product ), 3 );
		$order->calculate_totals();
		$order->save();
		( new Attribution( new Repository(), new Store() ) )->on_order( $order );
		$records = self::records();
		$this->assertCount( 1, $records );
		$this->assertSame( 'recovered', $records[0]['status'] );
		$this->assertSame( 'link', $records[0]['close_reason'] );
		// A tap after the order: nothing restored, still one record.
		self::new_shopper( false );
		$this->assertNull( ( new Link( new Repository() ) )->restore( $token ) );
		$this->assertCount( 1, self::records() );
	}

	public function test_a_capture_racing_place_order_does_not_bring_the_ordered_cart_back(): void {
		self::submit_all();
		$phone = self::next_phone();
		$url   = $this->delivered_link( $phone );
		self::new_shopper( false );
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( Link::token_from_query( self::query_of( $url ) ) ) );
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$linked = (int) WC()->session->get( Capture::SESSION_RECOVERY );
		$this->assertGreaterThan( 0, $linked );
		// Place Order: the order closes the record (its session key is freed).
		$order = wc_create_order( array( 'created_via' => 'checkout' ) );
		$order->set_billing_phone( $phone );
		$order->set_billing_country( 'ES' );
		$order->add_product( wc_get_product( self::$product ), 3 );
		$order->calculate_totals();
		$order->save();
		( new Attribution( new Repository(), new Store() ) )->on_order( $order );
		$this->assertSame( 'recovered', self::records()[0]['status'] );
		// WooCommerce saves the session before payment (link cleared, cart still full): a
		// capture loading that state knows the cart was ordered.
		$this->assertSame( 0, (int) WC()->session->get( Capture::SESSION_RECOVERY ) );
		$this->assertEquals( 3, WC()->cart->get_cart_contents_count() );
		$this->assertSame( 'ordered', self::capture_now( $phone ) );
		// The tracker's request of the same browser loaded the session before the order emptied
		// the cart (it still carries the link and the full cart) and lands after it.
		WC()->session->set( Capture::SESSION_RECOVERY, $linked );
		$this->assertEquals( 3, WC()->cart->get_cart_contents_count() );
		$this->assertSame( 'ordered', self::capture_now( $phone ) );
		$this->assertSame( 'ordered', self::capture_now( $phone ), 'the classic refresh too (any capture)' );
		$records = self::records();
		$this->assertCount( 1, $records, 'one record for the order: ' . wp_json_encode( array_column( $records, 'status', 'id' ) ) );
		$this->assertSame( 'recovered', $records[0]['status'] );
		// Another cart in that browser afterwards is a new cart: captured as a new record.
		WC()->cart->add_to_cart( self::$product, 1 );
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$this->assertCount( 2, self::records() );
	}

	public function test_a_forwarded_link_opener_is_not_held_back_by_the_shoppers_order(): void {
		self::submit_all();
		$phone = self::next_phone();
		$url   = $this->delivered_link( $phone );
		$token = Link::token_from_query( self::query_of( $url ) );
		// The shopper taps first (pre-fill, adoption) and orders elsewhere.
		self::new_shopper( false );
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( $token ) );
		$order = wc_create_order( array( 'created_via' => 'checkout' ) );
		$order->set_billing_phone( $phone );
		$order->set_billing_country( 'ES' );
		$order->add_product( wc_get_product( self::$product ), 3 );
		$order->calculate_totals();
		$order->save();
		// A friend opened the forwarded link before the order: same cart, the link in the session.
		self::new_shopper( false );
		WC()->cart->add_to_cart( self::$product, 3 );
		$linked = (int) self::records()[0]['id'];
		WC()->session->set( Capture::SESSION_RECOVERY, $linked );
		( new Attribution( new Repository(), new Store() ) )->attribute( $order );
		$this->assertSame( 'recovered', self::records()[0]['status'] );
		WC()->session->set( Capture::SESSION_RECOVERY, $linked ); // the friend's session as it loaded
		// …and consents with their own phone: their own record, the shopper's stays as it was.
		$friend = self::next_phone();
		$this->assertSame( 'captured', self::capture_now( $friend ) );
		$by_phone = array_column( self::records(), null, 'customer_phone' );
		$this->assertSame( 'open', $by_phone[ $friend ]['status'] ?? null );
		$this->assertSame( 'recovered', $by_phone[ $phone ]['status'] );
	}

	public function test_a_browser_with_its_own_cart_record_merges_into_the_link(): void {
		self::submit_all();
		$phone = self::next_phone();
		$url   = $this->delivered_link( $phone );
		// The same shopper, in another browser, started again and gave consent: record B.
		self::new_shopper();
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$this->assertCount( 2, self::records() );
		// …then taps the message in that browser.
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( Link::token_from_query( self::query_of( $url ) ) ) );
		$by = array_column( self::records(), null, 'status' );
		$this->assertSame( 'merged', $by['expired']['close_reason'] ?? null, 'the browser\'s own unsent record merged: ' . wp_json_encode( self::records() ) );
		$this->assertSame( Capture::session_key(), $by['messaged']['session_key'] );
		$order = wc_create_order( array( 'created_via' => 'checkout' ) );
		$order->set_billing_phone( $phone );
		$order->set_billing_country( 'ES' );
		$order->add_product( wc_get_product( self::$product ), 3 );
		$order->calculate_totals();
		$order->save();
		( new Attribution( new Repository(), new Store() ) )->on_order( $order );
		$closed_for_order = array_filter( self::records(), static fn( $r ) => (int) $r['recovered_order_id'] === $order->get_id() );
		$this->assertCount( 1, $closed_for_order, 'one record for one order' );
		$this->assertSame( 'recovered', array_values( $closed_for_order )[0]['status'] );
	}

	public function test_templates_approved_with_the_legacy_link_are_detected_and_resubmitted(): void {
		self::submit_all();
		// Turn the sandbox's templates into what Meta holds for sites that submitted before the
		// fix: the URL button without '='.
		$legacy = array();
		foreach ( self::sandbox_template_list() as $t ) {
			$legacy[] = json_decode( str_replace( 'cartpinger_recover={{1}}', 'cartpinger_recover{{1}}', (string) wp_json_encode( $t ) ), true );
		}
		self::sandbox_templates( $legacy );
		$page   = new TemplatesPage( self::settings() );
		$status = $page->meta_status( true );
		$this->assertIsArray( $status );
		$stale = TemplatesPage::stale_links( $status['templates'] );
		$want  = 0;
		foreach ( Catalog::templates() as $t ) {
			$want += $t['needs_recovery_url'] ? count( $t['languages'] ) : 0;
		}
		$this->assertCount( $want, $stale, 'every recovery template × language with the old link is named' );
		$this->assertStringEndsWith( 'cartpinger_recover{{1}}', $stale[0]['url'] );

		// The Templates page names them and offers the one-click resubmit.
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		ob_start();
		$page->render();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'cartpinger-stale-links', $html );
		$this->assertStringContainsString( 'name="action" value="' . TemplatesPage::ACTION_RESUBMIT . '"', $html );
		$this->assertStringContainsString( esc_html( 'abandoned_cart_recovery_48h' ), $html );
		// The setup doctor says which and what to do.
		$doctor = ( new SetupPage( self::settings(), new Store(), new Runner( self::settings(), new Store() ) ) )->doctor_checks();
		$row    = array_values( array_filter( $doctor, static fn( $c ) => 'template_abandoned_cart_recovery' === $c['id'] ) )[0] ?? null;
		$this->assertNotNull( $row );
		$this->assertFalse( $row['ok'] );
		$this->assertStringContainsString( 'cartpinger_recover{{1}}', $row['detail'] );
		$this->assertStringContainsString( 'Resubmit', $row['fix'] );

		// One click: every stale template is edited at Meta (same id), reviewed, fixed.
		$ids     = array_column( self::sandbox_template_list(), 'id', 'name' );
		$results = $page->resubmit_stale();
		$this->assertIsArray( $results );
		$this->assertCount( $want, $results );
		foreach ( $results as $r ) {
			$this->assertSame( 'ok', $r['status'], wp_json_encode( $r ) );
		}
		self::wait_approved();
		foreach ( self::sandbox_template_list() as $t ) {
			if ( null !== self::url_button( $t ) ) {
				$this->assertSame( Link::button_url(), self::url_button( $t ), "{$t['name']} ({$t['language']}) fixed" );
			}
		}
		$this->assertSame( $ids, array_column( self::sandbox_template_list(), 'id', 'name' ), 'edited in place, not recreated' );
		$status = $page->meta_status( true );
		$this->assertSame( array(), TemplatesPage::stale_links( $status['templates'] ) );
		wp_set_current_user( 0 );
	}

	/** A Store API request to /wc/store/v1/checkout, with the shopper's nonce. */
	private static function store_api( string $method, array $body, array $query = array() ): \WP_REST_Response {
		$request = new \WP_REST_Request( $method, '/wc/store/v1/checkout' );
		$request->set_header( 'Nonce', wp_create_nonce( 'wc_store_api' ) );
		$request->set_header( 'Content-Type', 'application/json' );
		$request->set_body( (string) wp_json_encode( $body ) );
		if ( array() !== $query ) {
			$request->set_query_params( $query );
		}
		return rest_ensure_response( rest_do_request( $request ) );
	}

	public function test_block_checkout_partial_updates_never_revoke_and_place_order_counts_once(): void {
		$wc = (string) WC()->version;
		self::submit_all();
		$phone = self::next_phone();
		$url   = $this->delivered_link( $phone );
		self::new_shopper( false );
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( Link::token_from_query( self::query_of( $url ) ) ) );
		$this->assertSame( '1', WC()->session->get( Capture::SESSION_CONSENT ) );
		WC()->customer->set_billing_phone( $phone );
		WC()->customer->set_billing_email( 'marta' . self::$phone . '@example.com' );
		WC()->customer->save();

		// The Checkout block's partial update when the shopper picks Cash on delivery.
		$put = self::store_api( 'PUT', array( 'payment_method' => 'cod' ) );
		$also = self::store_api( 'POST', array( 'payment_method' => 'cod' ), array( '__experimental_calc_totals' => 'true' ) );
		if ( version_compare( $wc, '9.8', '>=' ) ) {
			$this->assertSame( 200, $put->get_status(), "PUT /wc/store/v1/checkout on WooCommerce {$wc}: " . wp_json_encode( $put->get_data() ) );
		} else {
			$this->assertNotSame( 200, $put->get_status(), "WooCommerce {$wc} has no partial checkout update" );
		}
		unset( $also ); // Before 9.8 this is a Place Order attempt without an address; it must not revoke either.
		$this->assertSame( '1', WC()->session->get( Capture::SESSION_CONSENT ), "WooCommerce {$wc}: consent kept after a payment-method change" );
		$records = self::records();
		$this->assertSame( 'messaged', $records[0]['status'], "WooCommerce {$wc}: record kept: " . wp_json_encode( $records[0] ) );
		$this->assertSame( '1', (string) $records[0]['consent'] );

		// The hook itself, as every version fires it: absence keeps, explicit false revokes.
		$draft = wc_create_order();
		$draft->set_billing_phone( $phone );
		$request = new \WP_REST_Request( 'PUT', '/wc/store/v1/checkout' );
		$request->set_param( 'order_notes', 'ring twice' );
		do_action( 'woocommerce_store_api_checkout_update_order_from_request', $draft, $request );
		$this->assertSame( '1', WC()->session->get( Capture::SESSION_CONSENT ), 'an update without the field never revokes' );
		$this->assertSame( '', (string) $draft->get_meta( CheckoutHooks::ORDER_META ), 'an update does not stamp the order' );
		$this->assertSame( 'messaged', self::records()[0]['status'] );
		$this->assertNull( CheckoutHooks::explicit_block_choice( $request ) );
		$request->set_param( 'additional_fields', array( CheckoutHooks::BLOCK_FIELD => true ) );
		$this->assertTrue( CheckoutHooks::explicit_block_choice( $request ) );
		$request->set_param( 'additional_fields', array( 'other/field' => 'x' ) );
		$this->assertNull( CheckoutHooks::explicit_block_choice( $request ) );
		$draft->delete( true );

		// Place Order through the Store API: stamped with consent, counted recovered once.
		$address = array(
			'first_name' => 'Marta',
			'last_name'  => 'Prueba',
			'address_1'  => 'Calle Mayor 1',
			'city'       => 'Madrid',
			'state'      => 'M',
			'postcode'   => '28013',
			'country'    => 'ES',
			'email'      => 'marta' . self::$phone . '@example.com',
			'phone'      => $phone,
		);
		// The boxes sit in the address forms (additional fields, WooCommerce 8.9+); before 8.9
		// there is no such field and the value can only come as an additional field.
		$boxes    = array(
			CheckoutHooks::BLOCK_FIELD         => true,
			CheckoutHooks::BLOCK_UPDATES_FIELD => true,
		);
		$in_forms = function_exists( 'woocommerce_register_additional_checkout_field' );
		$placed   = self::store_api(
			'POST',
			array(
				'billing_address'   => $in_forms ? $address + $boxes : $address,
				'shipping_address'  => array_diff_key( $address, array( 'email' => 1 ) ) + ( $in_forms ? $boxes : array() ),
				'payment_method'    => 'cod',
				'additional_fields' => $in_forms ? array() : $boxes,
			)
		);
		$this->assertSame( 200, $placed->get_status(), "Place Order on WooCommerce {$wc}: " . wp_json_encode( $placed->get_data() ) );
		$order = wc_get_order( (int) ( $placed->get_data()['order_id'] ?? 0 ) );
		$this->assertInstanceOf( \WC_Order::class, $order );
		$this->assertSame( '1', (string) $order->get_meta( CheckoutHooks::ORDER_META ), 'stamped at Place Order' );
		$this->assertIsArray( $order->get_meta( '_cartpinger_consent_proof' ) );
		$this->assertSame( $phone, (string) $order->get_meta( CheckoutHooks::ORDER_PHONE_META ) );
		$records = self::records();
		$this->assertCount( 1, $records, wp_json_encode( $records ) );
		$this->assertSame( 'recovered', $records[0]['status'] );
		$this->assertSame( $order->get_id(), (int) $records[0]['recovered_order_id'] );
	}

	public function test_the_doctor_says_when_the_checkout_block_cannot_show_the_checkbox(): void {
		$wc     = (string) WC()->version;
		$page   = wc_get_page_id( 'checkout' );
		$before = get_post_field( 'post_content', $page );
		wp_update_post( array( 'ID' => $page, 'post_content' => '<!-- wp:woocommerce/checkout --><div class="wp-block-woocommerce-checkout"></div><!-- /wp:woocommerce/checkout -->' ) );
		try {
			$row = SetupPage::checkout_consent_check();
			$this->assertNotNull( $row );
			if ( version_compare( $wc, '8.9', '>=' ) ) {
				$this->assertTrue( $row['ok'], "WooCommerce {$wc} has additional checkout fields" );
			} else {
				$this->assertFalse( $row['ok'], "WooCommerce {$wc} cannot show the checkbox in the Checkout block" );
				$this->assertStringContainsString( '8.9', $row['detail'] );
				$this->assertStringContainsString( 'classic checkout', $row['fix'] );
			}
			wp_update_post( array( 'ID' => $page, 'post_content' => '[woocommerce_checkout]' ) );
			$this->assertNull( SetupPage::checkout_consent_check(), 'no row for a classic checkout page' );
		} finally {
			wp_update_post( array( 'ID' => $page, 'post_content' => $before ) );
		}
	}

	public function test_a_tap_during_a_tick_is_not_overwritten_by_the_ticks_older_decision(): void {
		global $wpdb;
		$phone = self::next_phone();
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$id = (int) self::records()[0]['id'];
		self::age( $id, 2 * 3600 );
		$scheduler = new Scheduler( self::settings(), new Repository(), new Store(), new Coupons( self::settings() ), new SecretBox() );
		$this->assertSame( 1, $scheduler->tick()['send'] );
		// Step 1 queued: the record is due again at once; the next tick will decide to wait.
		// The shopper taps the link after that tick leased the record, before it applies.
		$paused = gmdate( 'Y-m-d H:i:s', time() + 7200 );
		$tap    = static function ( $policy ) use ( $wpdb, $id, $paused ) {
			$wpdb->update( Schema::recoveries_table(), array( 'next_check_at' => $paused ), array( 'id' => $id ) );
			return $policy;
		};
		add_filter( 'cartpinger_recovery_policy', $tap );
		try {
			$summary = $scheduler->tick();
		} finally {
			remove_filter( 'cartpinger_recovery_policy', $tap );
		}
		$this->assertSame( 1, $summary['wait'] ?? 0, wp_json_encode( $summary ) );
		$this->assertSame( $paused, self::records()[0]['next_check_at'], 'the tap\'s pause survives the tick that leased the record before it' );
	}

	public function test_block_checkout_explicit_untick_revokes_before_place_order(): void {
		$phone = self::next_phone();
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$draft = wc_create_order();
		$draft->set_billing_phone( $phone );
		$draft->set_billing_country( 'ES' );
		$request = new \WP_REST_Request( 'PUT', '/wc/store/v1/checkout' );
		$request->set_param( 'additional_fields', array( CheckoutHooks::BLOCK_FIELD => false ) );
		do_action( 'woocommerce_store_api_checkout_update_order_from_request', $draft, $request );
		$this->assertSame( '0', WC()->session->get( Capture::SESSION_CONSENT ) );
		$this->assertSame( 'expired', self::records()[0]['status'] );
		$this->assertSame( 'consent_revoked', self::records()[0]['close_reason'] );
		$draft->delete( true );
	}
}
