<?php
/**
 * Scenario r1 (woo tier, continues q0 = WebhookSetupTest): abandoned-cart recovery inside real
 * WordPress + WooCommerce + MariaDB, with the real extension and the real Cloud API sandbox
 * binary. The WooCommerce session and cart are the real classes, loaded in this CLI process
 * with wc_load_cart() (no browser here: the browser walk is tests/e2e). The clock is injected
 * through Scheduler::tick( $now ).
 *
 * Covers: capture (consent, one record per session updated in place, invalid phone, empty
 * cart, revocation), scheduling (delay, +24 h with coupon, +48 h, quiet hours in the shopper's
 * zone, holdout, US +1 guard, cool-off, max age), sending through the queue to the sandbox
 * (right name and recovery token), the recovery link (cart + coupon restored in a fresh
 * session, click recorded, closed tokens ignored), attribution (recovered with order id,
 * revenue, step; follow-ups cancelled), order before the delay, STOP, the hooks, coupon
 * cleanup and time-to-live expiry.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Native\RecoveryToken;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\Attribution;
use CartPinger\Recovery\Capture;
use CartPinger\Recovery\Coupons;
use CartPinger\Recovery\Link;
use CartPinger\Recovery\Repository;
use CartPinger\Recovery\Scheduler;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class RecoveryFlowTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	private static int $product = 0;

	private static int $phone = 0;

	public static function setUpBeforeClass(): void {
		// Every shopper here comes from 127.0.0.1: more carts than the per-address limit allows in
		// an hour (the limits have their own scenario, ConsentAbuseTest).
		add_filter( 'cartpinger_capture_limits', static fn() => array( 'per_address_hour' => 10000, 'store_hour' => 10000 ) );
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
		$product->set_name( 'Blue mug' );
		$product->set_regular_price( '12.50' );
		$product->set_status( 'publish' );
		self::$product = $product->save();
		wc_load_cart();
	}

	public static function tearDownAfterClass(): void {
		self::$sandbox = null;
	}

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', \CartPinger\Storage\Stats::table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', \CartPinger\Storage\PhoneFacts::table() ) );
		delete_option( Store::PAUSED_OPTION );
		remove_all_filters( 'cartpinger_recovery_policy' );
		self::new_shopper();
	}

	/**
	 * Issue 15: every write of the test (captures, scheduler sends, closes, attribution, link
	 * clicks, statuses from the queue run and webhooks, STOP) kept the dashboard's counters in
	 * step with the rows.
	 */
	protected function tearDown(): void {
		if ( ! $this->hasFailed() ) {
			$this->assertCountersMatchRebuild();
		}
		parent::tearDown();
	}

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	private static function capture(): Capture {
		return new Capture( self::settings(), new Repository(), new Store() );
	}

	private static function scheduler(): Scheduler {
		return new Scheduler( self::settings(), new Repository(), new Store(), new Coupons( self::settings() ), new SecretBox() );
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
			WC()->cart->add_to_cart( self::$product, 2 );
		}
		// The browser sends the session cookie back (a CLI process cannot receive Set-Cookie):
		// a capture needs a live session (issue 11).
		$live = new \ReflectionProperty( \WC_Session_Handler::class, '_has_cookie' );
		$live->setAccessible( true );
		$live->setValue( WC()->session, true );
	}

	private static function next_phone(): string {
		++self::$phone;
		return '+346001000' . str_pad( (string) self::$phone, 2, '0', STR_PAD_LEFT );
	}

	private static function records(): array {
		global $wpdb;
		return (array) $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM %i ORDER BY id', Schema::recoveries_table() ), ARRAY_A );
	}

	private static function messages(): array {
		global $wpdb;
		return (array) $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM %i ORDER BY id', Schema::messages_log_table() ), ARRAY_A );
	}

	private static function capture_now( string $phone, bool $consent = true, string $name = 'Lucía' ): string {
		return self::capture()->capture(
			array(
				'phone'   => $phone,
				'country' => 'ES',
				'name'    => $name,
				'email'   => 'lucia' . self::$phone . '@example.com',
				'consent' => $consent,
				'source'  => 'tracker',
			)
		);
	}

	/** Sandbox messages sent to a phone (newest first). */
	private static function sandbox_messages_to( string $phone ): array {
		$data = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/messages?limit=1000' ), true );
		$out  = array();
		foreach ( $data['messages'] ?? array() as $m ) {
			$to = (string) ( $m['request']['to'] ?? $m['to'] ?? '' );
			if ( ltrim( $to, '+' ) === ltrim( $phone, '+' ) ) {
				$out[] = $m;
			}
		}
		return $out;
	}

	/**
	 * Moves a record (and its messages) $seconds into the past: the runner sends with the real
	 * clock, so time is advanced by ageing the data instead of faking "now".
	 */
	private static function age( int $id, int $seconds ): void {
		global $wpdb;
		foreach ( array( 'last_activity_at', 'created_at', 'consent_at', 'first_message_at', 'messaged_at', 'next_check_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i - INTERVAL %d SECOND WHERE id = %d AND %i IS NOT NULL', Schema::recoveries_table(), $c, $c, $seconds, $id, $c ) );
		}
		foreach ( array( 'created_at', 'due_at', 'expires_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i - INTERVAL %d SECOND WHERE recovery_id = %d AND %i IS NOT NULL', Schema::messages_log_table(), $c, $c, $seconds, $id, $c ) );
		}
	}

	private static function run_queue(): array {
		return ( new Runner( self::settings(), new Store() ) )->run( 10000 );
	}

	public function test_capture_needs_consent_a_valid_phone_and_a_cart_and_keeps_one_record(): void {
		$phone = self::next_phone();
		$this->assertSame( 'revoked', self::capture_now( $phone, false ), 'no consent is a revocation' );
		$this->assertSame( array(), self::records(), 'a capture without consent stored a record' );
		$this->assertSame( 'invalid_phone', self::capture_now( '12', true ) );
		$this->assertSame( 'captured', self::capture_now( '600 100 0' . sprintf( '%02d', self::$phone ), true ), 'a national number with the billing country' );
		$this->assertSame( 'captured', self::capture_now( $phone, true, 'Lucía María' ) );
		$records = self::records();
		$this->assertCount( 1, $records, 'repeated captures of one session must update one record' );
		$r = $records[0];
		$this->assertSame( $phone, $r['customer_phone'], 'phone normalised to E.164' );
		$this->assertSame( 'Lucía María', $r['customer_name'] );
		$this->assertSame( 'open', $r['status'] );
		$this->assertSame( '1', (string) $r['consent'] );
		$this->assertNotEmpty( $r['consent_at'] );
		$this->assertSame( Capture::label(), $r['consent_label'], 'proof of consent: the label text' );
		$this->assertSame( Capture::label_version(), $r['consent_text_version'], 'the version of the text shown' );
		$this->assertMatchesRegularExpression( '/^reminders-[0-9a-f]{12}$/', $r['consent_text_version'] );
		$this->assertSame( 'ES', $r['billing_country'] );
		$this->assertSame( 'EUR', $r['currency'] );
		$this->assertSame( 2500, (int) $r['cart_total_minor'] );
		$snapshot = json_decode( (string) $r['cart_snapshot'], true );
		$this->assertSame( self::$product, $snapshot['lines'][0]['product_id'] );
		$this->assertEquals( 2, $snapshot['lines'][0]['quantity'] );
		$this->assertSame( '1', WC()->session->get( Capture::SESSION_CONSENT ), 'the choice is kept in the session' );
		// Unticking revokes: the record closes with consent 0 and proof of when.
		$this->assertSame( 'revoked', self::capture_now( $phone, false ) );
		$r = self::records()[0];
		$this->assertSame( 'expired', $r['status'] );
		$this->assertSame( 'consent_revoked', $r['close_reason'] );
		$this->assertSame( '0', (string) $r['consent'] );
		$this->assertNotEmpty( $r['revoked_at'] );
		$this->assertNull( $r['session_key'], 'a closed record frees the session for a new cart' );
		// An empty cart is not captured.
		self::new_shopper( false );
		$this->assertSame( 'empty', self::capture_now( self::next_phone() ) );
	}

	public function test_full_sequence_link_coupon_and_attribution(): void {
		$phone = self::next_phone();
		$this->assertSame( 'captured', self::capture_now( $phone ) );
		$record = self::records()[0];
		$t0     = (int) strtotime( $record['last_activity_at'] . ' UTC' );
		$hooks  = array();
		add_action( 'cartpinger_before_send_recovery', function ( $row, $components ) use ( &$hooks ) { $hooks[] = array( 'before', $components['step'] ); }, 10, 2 );
		add_filter( 'cartpinger_recovery_components', function ( $components ) use ( &$hooks ) { $hooks[] = array( 'filter', $components['step'] ); return $components; } );
		add_action( 'cartpinger_after_send_recovery', function () use ( &$hooks ) { $hooks[] = array( 'after', 0 ); } );

		// Before the delay: nothing.
		$id = (int) $record['id'];
		self::age( $id, 59 * 60 );
		$summary = self::scheduler()->tick();
		$this->assertSame( 0, $summary['send'], wp_json_encode( $summary ) );
		$this->assertSame( array(), self::messages() );

		// After 60 min: the first message is queued, then sent through the sandbox.
		self::age( $id, 2 * 60 );
		$summary = self::scheduler()->tick();
		$this->assertSame( 1, $summary['send'], wp_json_encode( $summary ) );
		$this->assertSame( array( array( 'before', 1 ), array( 'filter', 1 ), array( 'after', 0 ) ), $hooks, 'hook order' );
		$msgs = self::messages();
		$this->assertCount( 1, $msgs );
		$this->assertSame( 'abandoned_cart_recovery', $msgs[0]['template'] );
		$this->assertSame( 'recovery:' . $record['id'] . ':1', $msgs[0]['idempotency_key'] );
		$this->assertNotNull( $msgs[0]['expires_at'], 'a time-to-live is set' );
		$params = json_decode( (string) $msgs[0]['components'], true )['params'];
		$this->assertSame( 'Lucía', $params[0] );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{64}$/', $params[1] );
		$token  = $params[1];
		$record = self::records()[0];
		$this->assertSame( 'messaged', $record['status'] );
		$this->assertSame( RecoveryToken::hash( $token ), $record['token_hash'], 'only the token hash is indexed' );
		$this->assertStringNotContainsString( $token, (string) $record['token_sealed'], 'the raw token is sealed at rest' );

		$run = self::run_queue();
		$this->assertSame( 1, $run['sent'] ?? 0, wp_json_encode( $run ) );
		$sent = self::sandbox_messages_to( $phone );
		$this->assertCount( 1, $sent, 'the sandbox received exactly one message for the phone' );
		$body = (string) wp_json_encode( $sent[0], JSON_UNESCAPED_UNICODE );
		$this->assertStringContainsString( 'Lucía', $body, 'name in the request' );
		$this->assertStringContainsString( $token, $body, 'recovery token in the URL button' );

		// A second tick does not send step 1 again; 24 h after the first message, the coupon step.
		self::scheduler()->tick();
		$this->assertCount( 1, self::messages(), 'at most one message per (record, step)' );
		self::age( $id, 24 * 3600 );
		self::scheduler()->tick();
		$msgs = self::messages();
		$this->assertCount( 2, $msgs );
		$this->assertSame( 'abandoned_cart_recovery_24h', $msgs[1]['template'] );
		$params = json_decode( (string) $msgs[1]['components'], true )['params'];
		$this->assertMatchesRegularExpression( '/^CP-[A-Z0-9]{8}$/', $params[1], 'coupon code' );
		$this->assertSame( $token, $params[2], 'the follow-up links to the same cart' );
		$code   = $params[1];
		$coupon = new \WC_Coupon( $code );
		$this->assertGreaterThan( 0, $coupon->get_id(), 'coupon created when its message was queued' );
		$this->assertSame( 1, $coupon->get_usage_limit() );
		$this->assertSame( array( self::records()[0]['customer_email'] ), $coupon->get_email_restrictions() );
		$this->assertSame( 'percent', $coupon->get_discount_type() );
		$this->assertNotNull( $coupon->get_date_expires() );
		$run = self::run_queue();
		$this->assertSame( 1, $run['sent'] ?? 0, wp_json_encode( $run ) );

		// The link, opened in a fresh session: cart and coupon restored, click recorded.
		self::new_shopper( false );
		$this->assertTrue( WC()->cart->is_empty() );
		$this->assertNull( ( new Link( new Repository() ) )->restore( str_repeat( 'a', 64 ) ), 'unknown token does nothing' );
		$url = ( new Link( new Repository() ) )->restore( $token );
		$this->assertSame( add_query_arg( array( 'utm_source' => 'cartpinger', 'utm_medium' => 'whatsapp', 'utm_campaign' => 'cart-recovery' ), wc_get_checkout_url() ), $url, 'checkout, with the utm parameters WooCommerce\'s order attribution reads' );
		$this->assertEquals( 2, WC()->cart->get_cart_contents_count(), 'saved lines restored' );
		$this->assertTrue( WC()->cart->has_discount( strtolower( $code ) ) || WC()->cart->has_discount( $code ), 'coupon applied on restore' );
		$this->assertSame( $phone, WC()->customer->get_billing_phone(), 'phone pre-filled' );
		$this->assertNotEmpty( self::records()[0]['clicked_at'] );
		$this->assertSame( 0, get_current_user_id(), 'no auto-login' );

		// Order placed from the restored cart: recovered; the +48 h follow-up never goes out.
		$order = wc_create_order( array( 'created_via' => 'checkout' ) );
		$order->set_billing_phone( '600 100 0' . sprintf( '%02d', self::$phone ) );
		$order->set_billing_country( 'ES' );
		$order->set_billing_email( 'someone-else@example.com' );
		$order->add_product( wc_get_product( self::$product ), 2 );
		$order->calculate_totals();
		$order->save();
		( new Attribution( new Repository(), new Store() ) )->on_order( $order );
		$record = self::records()[0];
		$this->assertSame( 'recovered', $record['status'] );
		$this->assertSame( $order->get_id(), (int) $record['recovered_order_id'] );
		$this->assertSame( (int) round( (float) $order->get_total() * 100 ), (int) $record['recovered_revenue_minor'] );
		$this->assertSame( 2, (int) $record['recovered_step'] );
		$this->assertSame( 'link', $record['close_reason'], 'the session came from the link' );
		self::age( $id, 25 * 3600 );
		self::scheduler()->tick();
		$this->assertCount( 2, self::messages(), 'no follow-up after the order' );
		$this->assertNull( ( new Link( new Repository() ) )->restore( $token ), 'a recovered token does nothing' );
	}

	public function test_order_before_the_delay_sends_nothing(): void {
		$phone = self::next_phone();
		self::capture_now( $phone );
		$record = self::records()[0];
		$order  = new \WC_Order();
		$order->set_billing_phone( $phone );
		$order->set_billing_email( 'other@example.com' );
		$order->save(); // first save: woocommerce_new_order → Attribution.
		$this->assertSame( 'converted', self::records()[0]['status'], 'an order before any message converts, not recovers' );
		self::scheduler()->tick( (int) strtotime( $record['last_activity_at'] . ' UTC' ) + 2 * 3600 );
		$this->assertSame( array(), self::messages() );
	}

	public function test_scheduler_safety_net_finds_orders_by_email(): void {
		$phone = self::next_phone();
		self::capture_now( $phone );
		$record = self::records()[0];
		// An order the hooks did not attribute (e.g. imported): the scheduler finds it by email.
		remove_all_actions( 'woocommerce_new_order' );
		$order = wc_create_order();
		$order->set_billing_email( $record['customer_email'] );
		$order->save();
		$summary = self::scheduler()->tick( (int) strtotime( $record['last_activity_at'] . ' UTC' ) + 2 * 3600 );
		$this->assertSame( 0, $summary['send'], wp_json_encode( $summary ) );
		$this->assertSame( 'converted', self::records()[0]['status'] );
		$this->assertSame( array(), self::messages() );
	}

	public function test_stop_reply_stops_everything(): void {
		$phone = self::next_phone();
		self::capture_now( $phone );
		$record = self::records()[0];
		$t0     = (int) strtotime( $record['last_activity_at'] . ' UTC' );
		self::scheduler()->tick( $t0 + 3601 );
		self::run_queue();
		// The shopper replies STOP: the sandbox builds Meta's signed inbound webhook; it is parsed
		// by the extension and applied by the same processor the webhook route uses.
		$ctx     = stream_context_create( array( 'http' => array( 'method' => 'POST', 'header' => "Content-Type: application/json\r\n", 'content' => wp_json_encode( array( 'from' => $phone, 'text' => 'STOP' ) ) ) ) );
		$inbound = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/inbound', false, $ctx ), true );
		$raw     = is_string( $inbound['payload'] ?? null ) ? $inbound['payload'] : (string) wp_json_encode( $inbound['payload'] ?? array() );
		$summary = ( new \CartPinger\Webhook\Processor() )->process( \CartPinger\Native\Webhook::parse( $raw ) );
		$this->assertSame( 1, $summary['opt_outs'], wp_json_encode( $summary ) );
		$this->assertSame( 'opted_out', self::records()[0]['status'] );
		$first = (int) strtotime( self::records()[0]['first_message_at'] . ' UTC' );
		self::scheduler()->tick( $first + 25 * 3600 );
		$this->assertCount( 1, self::messages(), 'nothing after STOP' );
	}

	public function test_quiet_hours_wait_in_the_shoppers_time_zone(): void {
		self::settings()->set( 'quiet_hours_enabled', '1' );
		self::settings()->set( 'quiet_hours_start', '21:00' );
		self::settings()->set( 'quiet_hours_end', '09:00' );
		$phone = self::next_phone();
		self::capture_now( $phone );
		$record = self::records()[0];
		// 23:30 in Madrid on a winter day = 22:30 UTC.
		$night = (int) gmmktime( 22, 30, 0, 1, 15, 2027 );
		global $wpdb;
		$wpdb->update( Schema::recoveries_table(), array( 'last_activity_at' => gmdate( 'Y-m-d H:i:s', $night - 3601 ), 'created_at' => gmdate( 'Y-m-d H:i:s', $night - 3601 ), 'next_check_at' => gmdate( 'Y-m-d H:i:s', $night - 1 ) ), array( 'id' => $record['id'] ) );
		self::scheduler()->tick( $night );
		$msgs = self::messages();
		$this->assertCount( 1, $msgs, 'queued, not dropped' );
		// Spain's zones are Madrid and the Canaries (one hour behind): 09:00 must have come in both.
		$this->assertSame( gmdate( 'Y-m-d H:i:s', (int) gmmktime( 9, 0, 0, 1, 16, 2027 ) ), $msgs[0]['due_at'], 'waits for 09:00 in every Spanish zone (09:00 UTC)' );
		self::settings()->set( 'quiet_hours_enabled', '0' );
	}

	public function test_holdout_and_us_guard_and_cooloff(): void {
		add_filter( 'cartpinger_recovery_policy', static function ( $p ) { $p['holdout_percent'] = 100; return $p; } );
		self::capture_now( self::next_phone() );
		$t0 = (int) strtotime( self::records()[0]['last_activity_at'] . ' UTC' );
		$summary = self::scheduler()->tick( $t0 + 3601 );
		$this->assertSame( 1, $summary['holdout'], wp_json_encode( $summary ) );
		$this->assertSame( 'holdout', self::records()[0]['status'] );
		$this->assertSame( '1', (string) self::records()[0]['holdout'] );
		$this->assertSame( array(), self::messages(), 'a holdout cart gets no message' );
		remove_all_filters( 'cartpinger_recovery_policy' );

		// US number, marketing template: held, with the reason.
		self::new_shopper();
		self::capture()->capture( array( 'phone' => '+12015550123', 'country' => 'US', 'name' => 'Sam', 'email' => '', 'consent' => true, 'source' => 'tracker' ) );
		$us = self::records()[1];
		$summary = self::scheduler()->tick( (int) strtotime( $us['last_activity_at'] . ' UTC' ) + 3601 );
		$this->assertSame( 1, $summary['hold'], wp_json_encode( $summary ) );
		$this->assertSame( 'us_marketing', self::records()[1]['hold_reason'] );
		$this->assertSame( array(), self::messages() );
		// The admin is told why.
		wp_set_current_user( 1 );
		ob_start();
		( new \CartPinger\Admin\DashboardPage() )->render();
		$html = (string) ob_get_clean();
		wp_set_current_user( 0 );
		$this->assertStringContainsString( '1 cart is on hold', $html );
		$this->assertStringContainsString( 'US (+1)', $html );
		$this->assertMatchesRegularExpression( '#data-status="holdout"><td>[^<]+</td><td>1</td>#', $html, 'holdout counted' );

		// Cool-off: a second cart of the same phone within N hours waits.
		self::settings()->set( 'cooloff_hours', '24' );
		$phone = self::next_phone();
		self::new_shopper();
		self::capture_now( $phone );
		self::new_shopper();
		self::capture_now( $phone );
		$rows = array_values( array_filter( self::records(), static fn( $r ) => $r['customer_phone'] === $phone ) );
		$this->assertCount( 2, $rows, 'two sessions, two records' );
		$t1 = (int) strtotime( $rows[1]['last_activity_at'] . ' UTC' ) + 3601;
		self::scheduler()->tick( $t1 );
		$sent = array_filter( self::messages(), static fn( $m ) => $m['phone'] === $phone );
		$this->assertCount( 1, $sent, 'cool-off: one message per phone within 24 h' );
		self::settings()->set( 'cooloff_hours', '0' );
	}

	public function test_max_age_and_ttl_and_coupon_cleanup(): void {
		self::capture_now( self::next_phone() );
		$record = self::records()[0];
		$old    = (int) strtotime( $record['last_activity_at'] . ' UTC' ) + 8 * DAY_IN_SECONDS;
		self::scheduler()->tick( $old );
		$this->assertSame( 'expired', self::records()[0]['status'] );
		$this->assertSame( 'max_age', self::records()[0]['close_reason'] );

		// Time-to-live: a pending message past expires_at is never sent.
		$store = new Store();
		$id    = $store->enqueue(
			array(
				'phone'           => self::next_phone(),
				'template'        => 'abandoned_cart_recovery',
				'language'        => 'en',
				'params'          => array( 'Ann', str_repeat( 'b', 64 ) ),
				'kind'            => 'recovery',
				'idempotency_key' => 'ttl-test',
				'due_at'          => gmdate( 'Y-m-d H:i:s', time() - 7200 ),
				'expires_at'      => gmdate( 'Y-m-d H:i:s', time() - 60 ),
			)
		);
		$this->assertIsInt( $id );
		self::run_queue();
		$row = array_values( array_filter( self::messages(), static fn( $m ) => (int) $m['id'] === $id ) )[0];
		$this->assertSame( 'expired', $row['status'] );
		$this->assertSame( 'ttl', $row['error_code'] );

		// Cleanup: an expired unused CartPinger coupon is deleted, a used or foreign one is kept.
		$coupons = new Coupons( self::settings() );
		$code    = $coupons->create_for( array( 'id' => 999, 'customer_email' => '', 'coupon_code' => '' ) );
		$c       = new \WC_Coupon( $code );
		$c->set_date_expires( time() - 3600 );
		$c->save();
		$foreign = new \WC_Coupon();
		$foreign->set_code( 'SUMMER' );
		$foreign->set_date_expires( time() - 3600 );
		$foreign->save();
		$this->assertSame( 1, $coupons->cleanup() );
		$this->assertNull( get_post( $c->get_id() ), 'expired unused CartPinger coupon deleted' );
		$this->assertGreaterThan( 0, wc_get_coupon_id_by_code( 'SUMMER' ) );
	}

	public function test_order_notifications_go_first_when_the_cap_binds(): void {
		$store = new Store();
		for ( $i = 0; $i < 3; $i++ ) {
			$store->enqueue( array( 'phone' => self::next_phone(), 'template' => 'abandoned_cart_recovery', 'language' => 'en', 'params' => array( 'Ann', str_repeat( 'c', 64 ) ), 'kind' => 'recovery', 'idempotency_key' => "prio-r{$i}", 'due_at' => gmdate( 'Y-m-d H:i:s', time() - 600 ) ) );
		}
		for ( $i = 0; $i < 3; $i++ ) {
			$store->enqueue( array( 'phone' => self::next_phone(), 'template' => 'order_confirmed', 'language' => 'en', 'params' => array( 'Ann', "10{$i}", '9.00 EUR' ), 'kind' => 'order', 'idempotency_key' => "prio-o{$i}" ) );
		}
		// A run that may take only 3 (the cap binds): the order notifications, although queued later.
		$claimed = $store->claim( 3, 60 );
		$this->assertSame( array( 'order', 'order', 'order' ), array_map( static fn( $r ) => $r['kind'], $claimed ) );
	}

}
