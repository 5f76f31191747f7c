<?php
/**
 * Scenario ca (woo tier, continues ca0 = WebhookSetupTest): the attacks of issue 11, tried on
 * real WordPress + WooCommerce + MariaDB with the real extension and the real Cloud API
 * sandbox binary, and refused.
 *
 * 1. A script opening a fresh guest session per request (each with a product in the cart and
 *    its own checkout page nonce) captures at most the per-address limit from one address; the
 *    rest get a 429, logged once, counted for the dashboard; other addresses are unaffected; an
 *    IPv6 /64 is one address; the store-wide limit holds; a nonce of another session, a session
 *    without its cookie or an empty cart capture nothing; the proof of consent is stored.
 * 2. A second session sending consent:false with the first shopper's phone withdraws nothing;
 *    the shopper's own session can.
 * 3. A shop manager cannot change the Graph API address; an administrator can, and the stored
 *    token and app secret are discarded (the new address never receives the old token); plain
 *    http and inside addresses are refused.
 * 4. The first open of a recovery link, soon after the message, pre-fills the contact details;
 *    a second open (another browser) restores the cart and coupon only, and pre-fills nothing.
 *
 * The sessions are WooCommerce's own classes in this CLI process (no browser here). Sending the
 * session cookie back is simulated by marking the handler as having its cookie, because a CLI
 * process cannot receive Set-Cookie (the browser tier exercises the real cookie).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\Capture;
use CartPinger\Recovery\CaptureGuard;
use CartPinger\Recovery\Coupons;
use CartPinger\Recovery\Link;
use CartPinger\Recovery\Repository;
use CartPinger\Recovery\Scheduler;
use CartPinger\Rest\TrackCartController;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class ConsentAbuseTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	private static int $product = 0;

	/** @var string[] Log lines our code wrote through the WooCommerce logger. */
	private static array $logged = array();

	public static function setUpBeforeClass(): void {
		self::$sandbox = new SandboxProcess();
		self::use_sandbox(
			self::$sandbox,
			array(
				'quiet_hours_enabled' => '0',
				'cooloff_hours'       => '0',
				'enable_auto_coupon'  => '1',
			)
		);
		update_option( 'woocommerce_default_country', 'ES' );
		update_option( 'woocommerce_currency', 'EUR' );
		$product = new \WC_Product_Simple();
		$product->set_name( 'Green mug' );
		$product->set_regular_price( '10.00' );
		$product->set_status( 'publish' );
		self::$product = $product->save();
		wc_load_cart();
		add_filter(
			'woocommerce_logger_log_message',
			static function ( $message, $level, $context, $handler = null ) {
				// Applied once per log handler: keep the lines of one handler.
				static $first = null;
				$first ??= is_object( $handler ) ? spl_object_id( $handler ) : 0;
				if ( 'cartpinger' === ( $context['source'] ?? '' ) && ( is_object( $handler ) ? spl_object_id( $handler ) : 0 ) === $first ) {
					self::$logged[] = (string) $message;
				}
				return $message;
			},
			10,
			4
		);
	}

	public static function tearDownAfterClass(): void {
		self::$sandbox = null;
	}

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE option_name LIKE %s', $wpdb->options, $wpdb->esc_like( CaptureGuard::COUNTER_PREFIX ) . '%' ) );
		remove_all_filters( 'cartpinger_capture_limits' );
		delete_option( Store::PAUSED_OPTION );
		remove_all_filters( 'cartpinger_client_address' );
		self::$logged           = array();
		$_SERVER['REMOTE_ADDR'] = '198.51.100.20';
		wp_set_current_user( 0 );
	}

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	/** A fresh guest session with its cookie (as the browser sends it back), optionally a cart. */
	private static function new_session( bool $with_cart = true, bool $cookie = true ): void {
		WC()->session = new \WC_Session_Handler();
		WC()->session->init();
		WC()->customer = new \WC_Customer( 0, true );
		WC()->cart     = new \WC_Cart();
		WC()->cart->get_cart_from_session();
		WC()->cart->empty_cart();
		if ( $with_cart ) {
			WC()->cart->add_to_cart( self::$product, 1 );
		}
		if ( $cookie ) {
			$live = new \ReflectionProperty( \WC_Session_Handler::class, '_has_cookie' );
			$live->setAccessible( true );
			$live->setValue( WC()->session, true );
		}
	}

	/** The nonces the checkout page of the current session prints for the tracker. */
	private static function checkout_nonces(): array {
		return array(
			'X-WP-Nonce'         => wp_create_nonce( 'wp_rest' ),
			'X-CartPinger-Nonce' => wp_create_nonce( TrackCartController::NONCE_ACTION ),
		);
	}

	private static function post_track( array $params, array $headers ): \WP_REST_Response {
		$request = new \WP_REST_Request( 'POST', '/cartpinger/v1/track-cart' );
		$request->set_header( 'Content-Type', 'application/json' );
		foreach ( $headers as $name => $value ) {
			$request->set_header( $name, $value );
		}
		$request->set_body( (string) wp_json_encode( $params ) );
		return rest_do_request( $request );
	}

	private static function opt_in( string $phone, bool $consent = true ): \WP_REST_Response {
		return self::post_track(
			array(
				'phone'   => $phone,
				'name'    => 'Ana',
				'email'   => 'ana@example.com',
				'country' => 'ES',
				'consent' => $consent,
			),
			self::checkout_nonces()
		);
	}

	private static function records(): array {
		global $wpdb;
		return (array) $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM %i ORDER BY id', Schema::recoveries_table() ), ARRAY_A );
	}

	private static function code( \WP_REST_Response $r ): string {
		$data = $r->get_data();
		return $r->get_status() . ' ' . ( is_array( $data ) ? (string) ( $data['code'] ?? $data['status'] ?? $data['reason'] ?? '' ) : '' );
	}

	public function test_fresh_sessions_from_one_address_capture_at_most_the_limit(): void {
		$limit   = CaptureGuard::DEFAULT_LIMITS['per_address_hour'];
		$refused = CaptureGuard::refused();
		$codes   = array();
		for ( $i = 0; $i < 32; $i++ ) {
			self::new_session();
			$r       = self::opt_in( sprintf( '+3461100%04d', $i ) );
			$codes[] = self::code( $r );
		}
		$counts = array_count_values( $codes );
		$this->assertSame( $limit, $counts['200 captured'] ?? 0, 'captures from one address: ' . wp_json_encode( $counts ) );
		$this->assertSame( 32 - $limit, $counts['429 cartpinger_capture_limited'] ?? 0, wp_json_encode( $counts ) );
		$this->assertCount( $limit, self::records(), 'records stored from one address' );
		$this->assertSame( $refused + 32 - $limit, CaptureGuard::refused(), 'refused captures are counted for the dashboard' );
		require_once ABSPATH . 'wp-admin/includes/admin.php';
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		ob_start();
		( new \CartPinger\Admin\DashboardPage() )->render();
		$html = (string) ob_get_clean();
		wp_set_current_user( 0 );
		$this->assertStringContainsString( 'data-count="' . ( $refused + 32 - $limit ) . '"', $html, 'the dashboard shows the refused captures' );
		$this->assertCount( 1, array_filter( self::$logged, static fn( $m ) => str_contains( $m, 'Capture refused' ) ), 'logged once: ' . implode( ' | ', self::$logged ) );

		// Proof of consent: UTC time, the keyed hash of the address (not the address), the version.
		$r = self::records()[0];
		$this->assertSame( CaptureGuard::hash_address( '198.51.100.20' ), $r['consent_ip'] );
		$this->assertStringNotContainsString( '198.51.100.20', (string) $r['consent_ip'] );
		$this->assertSame( Capture::label_version(), $r['consent_text_version'] );
		$this->assertLessThan( 120, abs( time() - (int) strtotime( $r['consent_at'] . ' UTC' ) ), 'consent time is UTC now' );

		// The same session re-sending its own phone is no new capture (a real shopper typing).
		$this->assertSame( '429 cartpinger_capture_limited', self::code( self::opt_in( '+34611009999' ) ) );
		// Another address is not affected.
		$_SERVER['REMOTE_ADDR'] = '203.0.113.77';
		self::new_session();
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34611008888' ) ) );
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34611008888' ) ), 'the same capture again is an update' );
		$this->assertCount( $limit + 1, self::records() );
	}

	public function test_an_ipv6_64_is_one_address_and_the_store_limit_holds(): void {
		$this->assertSame( CaptureGuard::network( '2001:db8:1:2::1' ), CaptureGuard::network( '2001:db8:1:2:ffff::9' ) );
		$this->assertNotSame( CaptureGuard::network( '2001:db8:1:2::1' ), CaptureGuard::network( '2001:db8:1:3::1' ) );
		$this->assertSame( '192.0.2.1', CaptureGuard::network( '::ffff:192.0.2.1' ) );
		// X-Forwarded-For is the client's to write: ignored from a public address; behind a local
		// proxy only its last hop (the one the proxy appended) counts.
		$_SERVER['HTTP_X_FORWARDED_FOR'] = '198.18.0.1, 203.0.113.5';
		$_SERVER['REMOTE_ADDR']          = '198.51.100.30';
		$this->assertSame( '198.51.100.30', CaptureGuard::client_address() );
		$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
		$this->assertSame( '203.0.113.5', CaptureGuard::client_address() );
		unset( $_SERVER['HTTP_X_FORWARDED_FOR'] );
		add_filter( 'cartpinger_capture_limits', static fn() => array( 'per_address_hour' => 2, 'store_hour' => 3 ) );
		$codes = array();
		foreach ( array( '2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2::3' ) as $n => $ip ) {
			$_SERVER['REMOTE_ADDR'] = $ip;
			self::new_session();
			$codes[] = self::code( self::opt_in( '+3461200000' . $n ) );
		}
		$this->assertSame( array( '200 captured', '200 captured', '429 cartpinger_capture_limited' ), $codes, 'one /64, limit 2' );
		$_SERVER['REMOTE_ADDR'] = '192.0.2.10';
		self::new_session();
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34612000010' ) ), 'third store-wide capture' );
		$_SERVER['REMOTE_ADDR'] = '192.0.2.11';
		self::new_session();
		$this->assertSame( '429 cartpinger_capture_limited', self::code( self::opt_in( '+34612000011' ) ), 'store-wide limit 3' );
		$this->assertCount( 3, self::records() );
	}

	public function test_a_capture_needs_this_sessions_checkout_nonce_a_live_session_and_a_cart(): void {
		self::new_session();
		$other = self::checkout_nonces();
		self::new_session();
		$r = self::post_track( array( 'phone' => '+34613000001', 'consent' => true ), $other );
		$this->assertSame( 403, $r->get_status(), 'a checkout nonce of another session: ' . self::code( $r ) );
		$r = self::post_track( array( 'phone' => '+34613000001', 'consent' => true ), array( 'X-WP-Nonce' => wp_create_nonce( 'wp_rest' ) ) );
		$this->assertSame( 403, $r->get_status(), 'the wp_rest nonce alone (the same for every guest): ' . self::code( $r ) );
		self::new_session( true, false );
		$this->assertSame( '200 no_session', self::code( self::opt_in( '+34613000002' ) ), 'a session made up for this request' );
		self::new_session( false );
		$this->assertSame( '200 empty_cart', self::code( self::opt_in( '+34613000003' ) ) );
		$this->assertSame( array(), self::records() );
	}

	public function test_a_second_session_cannot_withdraw_the_first_ones_consent(): void {
		self::new_session();
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34614000001' ) ) );
		$first = self::records()[0];
		// A stranger, from another session and address, sends consent:false with that phone.
		$_SERVER['REMOTE_ADDR'] = '203.0.113.99';
		self::new_session();
		$this->assertSame( '200 revoked', self::code( self::opt_in( '+34614000001', false ) ), 'the stranger\'s own (empty) choice' );
		$after = self::records()[0];
		$this->assertSame( 'open', $after['status'], 'the first shopper\'s record is untouched' );
		$this->assertSame( '1', (string) $after['consent'] );
		$this->assertNull( $after['revoked_at'] );
		$this->assertSame( $first['session_key'], $after['session_key'] );
		// A stranger's order without consent, with that phone, withdraws nothing either.
		$order = wc_create_order();
		$order->set_billing_phone( '+34614000001' );
		$order->set_billing_country( 'ES' );
		( new \ReflectionMethod( \CartPinger\Recovery\CheckoutHooks::class, 'stamp_order' ) )->invoke( new \CartPinger\Recovery\CheckoutHooks( new Capture( self::settings(), new Repository(), new Store() ) ), $order, false, 'classic' );
		$this->assertSame( 'open', self::records()[0]['status'], 'an order by someone else withdrew the consent' );
		// The administrator's act withdraws a phone everywhere.
		$this->assertSame( 1, ( new Capture( self::settings(), new Repository(), new Store() ) )->revoke_phone( '+34614000001' ) );
		$this->assertSame( 'expired', self::records()[0]['status'] );
	}

	public function test_an_administrator_withdraws_a_phone_everywhere_with_wp_cli(): void {
		$wp = rtrim( (string) ( getenv( 'CARTPINGER_VERSIONS_DIR' ) ?: '/work/versions' ), '/' ) . '/wp-cli/wp';
		if ( ! is_file( $wp ) ) {
			$this->markTestSkipped( "SKIPPED: no real WP-CLI at {$wp} (tests/versions/bring.sh makes it)" );
		}
		foreach ( array( '198.51.100.41', '198.51.100.42' ) as $ip ) {
			$_SERVER['REMOTE_ADDR'] = $ip;
			self::new_session();
			$this->assertSame( '200 captured', self::code( self::opt_in( '+34614000003' ) ) );
		}
		$cmd = sprintf(
			'%s -d extension=%s %s --path=%s --allow-root cartpinger consent revoke +34614000003 2>&1',
			escapeshellarg( PHP_BINARY ),
			escapeshellarg( (string) getenv( 'CARTPINGER_IT_SO' ) ),
			escapeshellarg( $wp ),
			escapeshellarg( ABSPATH )
		);
		exec( $cmd, $out, $rc ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions -- the test runs the real WP-CLI.
		$this->assertSame( 0, $rc, implode( "\n", $out ) );
		$this->assertStringContainsString( 'Consent withdrawn on 2 open cart(s) of +34614000003', implode( "\n", $out ) );
		foreach ( self::records() as $r ) {
			$this->assertSame( 'expired', $r['status'] );
			$this->assertSame( '0', (string) $r['consent'] );
		}
	}

	public function test_the_shopper_withdraws_their_own_consent(): void {
		self::new_session();
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34614000002' ) ) );
		$this->assertSame( '200 revoked', self::code( self::opt_in( '+34614000002', false ) ) );
		$r = self::records()[0];
		$this->assertSame( 'expired', $r['status'] );
		$this->assertSame( '0', (string) $r['consent'] );
	}

	public function test_only_an_administrator_changes_the_graph_address_and_must_re_enter_the_token(): void {
		$settings = self::settings();
		$app      = (string) $settings->get_secret( 'app_secret' );
		$this->assertTrue( $settings->set_secret( 'access_token', 'old-token-for-meta' ) );
		$this->assertTrue( $settings->set_secret( 'app_secret', 'old-app-secret-0123456789' ) );
		$before = (string) $settings->get( 'graph_base_url' );
		$second = new SandboxProcess();

		$manager = wp_insert_user( array( 'user_login' => 'ca-manager', 'user_pass' => wp_generate_password(), 'user_email' => 'ca-manager@example.org', 'role' => 'shop_manager' ) );
		$this->assertIsInt( $manager );
		wp_set_current_user( $manager );
		$this->assertTrue( current_user_can( 'manage_woocommerce' ) );
		$error = self::settings()->update( array( 'graph_base_url' => $second->base ) );
		$this->assertInstanceOf( \WP_Error::class, $error, 'a shop manager changed the Graph address' );
		$this->assertSame( 403, $error->get_error_data()['status'] );
		$this->assertSame( $before, (string) self::settings()->get( 'graph_base_url' ) );
		$this->assertSame( 'old-token-for-meta', self::settings()->get_secret( 'access_token' ) );
		// The rest of the WhatsApp tab stays theirs (the address unchanged is no change).
		$this->assertTrue( self::settings()->update( array( 'graph_base_url' => $before, 'graph_api_version' => 'v25.0' ) ) );
		require_once ABSPATH . 'wp-admin/includes/admin.php';
		$_GET['tab'] = 'advanced';
		ob_start();
		( new \CartPinger\Admin\SettingsPage( self::settings() ) )->render();
		$html = (string) ob_get_clean();
		$_GET = array();
		$this->assertMatchesRegularExpression( '/name="cartpinger\[graph_base_url\]"[^>]* disabled/', $html, 'the field is read-only for a shop manager' );

		$admin = wp_insert_user( array( 'user_login' => 'ca-admin', 'user_pass' => wp_generate_password(), 'user_email' => 'ca-admin@example.org', 'role' => 'administrator' ) );
		wp_set_current_user( $admin );
		foreach ( array( 'http://graph.example.com', 'https://10.0.0.5', 'https://169.254.169.254', 'https://[fe80::1]', 'https://192.168.1.1:8443', 'https://100.64.0.1' ) as $bad ) {
			$this->assertInstanceOf( \WP_Error::class, self::settings()->update( array( 'graph_base_url' => $bad ) ), "accepted {$bad}" );
		}
		$this->assertSame( 'old-token-for-meta', self::settings()->get_secret( 'access_token' ), 'a refused address discards nothing' );
		$this->assertTrue( self::settings()->update( array( 'graph_base_url' => $second->base, 'access_token' => Settings::MASK, 'app_secret' => '' ) ) );
		$this->assertSame( $second->base, (string) self::settings()->get( 'graph_base_url' ) );
		$this->assertSame( '', self::settings()->get_secret( 'access_token' ), 'the token given for the old address is gone' );
		$this->assertSame( '', self::settings()->get_secret( 'app_secret' ) );
		$this->assertNull( self::raw_option( 'cartpinger_access_token' ) );

		// Nothing reaches the new address with the old token: a queued message is not sent.
		$this->assertIsInt(
			( new Store() )->enqueue(
				array(
					'kind'            => 'order',
					'phone'           => '+34615000001',
					'template'        => 'order_confirmation',
					'language'        => 'en',
					'params'          => array( 'Ana', '1001' ),
					'idempotency_key' => 'ca-order-1',
				)
			)
		);
		( new Runner( self::settings(), new Store() ) )->run( 2000 );
		$sent = json_decode( (string) file_get_contents( $second->base . '/_sandbox/messages?limit=100' ), true );
		$this->assertSame( array(), $sent['messages'] ?? array(), 'the new address received a message' );

		// Re-entered for the new address: stored again.
		$this->assertTrue( self::settings()->update( array( 'access_token' => SandboxProcess::TOKEN ) ) );
		$this->assertSame( SandboxProcess::TOKEN, self::settings()->get_secret( 'access_token' ) );
		// Back to the first sandbox for the rest of this scenario.
		$this->assertTrue( self::settings()->update( array( 'graph_base_url' => self::$sandbox->base, 'access_token' => SandboxProcess::TOKEN, 'app_secret' => $app ) ) );
		delete_option( Store::PAUSED_OPTION );
		wp_set_current_user( 0 );
	}

	public function test_a_second_open_of_a_link_prefills_nothing(): void {
		self::new_session();
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34616000001' ) ) );
		$id = (int) self::records()[0]['id'];
		// An hour later the scheduler queues the message and the queue sends it to the sandbox.
		global $wpdb;
		foreach ( array( 'last_activity_at', 'created_at', 'consent_at', 'next_check_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i - INTERVAL 2 HOUR WHERE id = %d', Schema::recoveries_table(), $c, $c, $id ) );
		}
		$settings = self::settings();
		( new Scheduler( $settings, new Repository(), new Store(), new Coupons( $settings ), new SecretBox() ) )->tick();
		$run = ( new Runner( $settings, new Store() ) )->run( 5000 );
		$missing = array();
		foreach ( Settings::CREDENTIALS as $key ) {
			$v = Settings::is_secret( $key ) ? $settings->get_secret( $key ) : $settings->get( $key );
			if ( '' === $v || is_wp_error( $v ) ) {
				$missing[] = $key;
			}
		}
		$this->assertSame( 1, $run['sent'] ?? 0, wp_json_encode( $run ) . ' missing: ' . implode( ',', $missing ) );
		$sent = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/messages?limit=1000' ), true );
		$token = '';
		foreach ( $sent['messages'] ?? array() as $m ) {
			$body = (string) wp_json_encode( $m );
			if ( str_contains( $body, '34616000001' ) && 1 === preg_match( '/[0-9a-f]{64}/', $body, $mm ) ) {
				$token = $mm[0];
			}
		}
		$this->assertNotSame( '', $token, 'the message the shopper received carries the link token' );
		// The record's coupon, restricted to the shopper's email (as Coupons makes it).
		$coupon = new \WC_Coupon();
		$coupon->set_code( 'CA-' . strtoupper( wp_generate_password( 8, false ) ) );
		$coupon->set_amount( 10 );
		$coupon->set_discount_type( 'percent' );
		$coupon->set_email_restrictions( array( 'ana@example.com' ) );
		$coupon->save();
		$code = strtolower( $coupon->get_code() );
		( new Repository() )->update( $id, array( 'coupon_code' => $coupon->get_code() ) );

		// First open, soon after the message: the shopper's details are filled in.
		self::new_session( false );
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( $token ) );
		$this->assertSame( '+34616000001', WC()->customer->get_billing_phone() );
		$this->assertSame( 'ana@example.com', WC()->customer->get_billing_email() );
		$this->assertSame( '1', WC()->session->get( Capture::SESSION_CONSENT ) );
		$this->assertTrue( WC()->cart->has_discount( $code ), 'the shopper gets the coupon' );

		// Second open, in another browser (the link was forwarded): the cart only.
		self::new_session( false );
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( $token ), 'the cart is still restored' );
		$this->assertEquals( 1, WC()->cart->get_cart_contents_count(), 'cart lines restored' );
		$this->assertSame( '', WC()->customer->get_billing_phone(), 'phone pre-filled on a second open' );
		$this->assertSame( '', WC()->customer->get_billing_email(), 'email pre-filled on a second open' );
		$this->assertSame( '', WC()->customer->get_billing_first_name(), 'name pre-filled on a second open' );
		$this->assertNotSame( '1', WC()->session->get( Capture::SESSION_CONSENT ), 'consent pre-ticked for someone else' );
		$this->assertSame( '', WC()->customer->get_shipping_phone() );
		// The coupon waits for the shopper's email: never for another one.
		$this->assertFalse( WC()->cart->has_discount( $code ), 'the coupon went to someone without the email' );
		$link = new Link( new Repository() );
		$link->pending_coupon_from_review( 'billing_first_name=Eve&billing_email=eve%40example.com' );
		$this->assertFalse( WC()->cart->has_discount( $code ), 'the coupon applied for another email' );
		$link->pending_coupon_from_review( 'billing_first_name=Ana&billing_email=ana%40example.com' );
		$this->assertTrue( WC()->cart->has_discount( $code ), 'the coupon restored once the shopper typed their email' );
		wc_clear_notices();
	}

	public function test_a_first_open_after_the_window_prefills_nothing(): void {
		self::new_session();
		$this->assertSame( '200 captured', self::code( self::opt_in( '+34616000002' ) ) );
		$id = (int) self::records()[0]['id'];
		global $wpdb;
		$token = bin2hex( random_bytes( 32 ) );
		// A record messaged three hours ago (past the two-hour default window).
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s, token_hash = %s, messaged_at = UTC_TIMESTAMP() - INTERVAL 3 HOUR WHERE id = %d', Schema::recoveries_table(), 'messaged', \CartPinger\Native\RecoveryToken::hash( $token ), $id ) );
		self::new_session( false );
		$this->assertNotNull( ( new Link( new Repository() ) )->restore( $token ) );
		$this->assertEquals( 1, WC()->cart->get_cart_contents_count() );
		$this->assertSame( '', WC()->customer->get_billing_phone(), 'pre-filled long after the message' );
		$this->assertNotEmpty( self::records()[0]['clicked_at'], 'the click is still recorded' );
	}
}
