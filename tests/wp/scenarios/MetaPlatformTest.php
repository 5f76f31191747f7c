<?php
/**
 * Scenario mp1 (woo tier, continues mp0 = WebhookSetupTest): Meta's platform as of December
 * 2026 (issue 13), inside real WordPress + WooCommerce + MariaDB with the real extension and the
 * real Cloud API sandbox binary.
 *
 * Status and account webhooks: the sandbox signs and posts them to a callback that refuses the
 * connection (nothing listens on it in this CLI process), and logs each body; the test reads
 * the bodies back from /_sandbox/webhooks and applies them with the extension's parser and the
 * same Processor the webhook route uses (as RecoveryFlowTest does for STOP).
 *
 * Covers: a recovery sent through /marketing_messages and an order update through /messages;
 * the fallback to /messages before the cut-off and Meta's 131063 after it; an impending and a
 * completed template_category_update (merchant told, route switched); a paused template
 * stopping its step; STOP with no phone but a BSUID (and by context id); privacy by BSUID; a
 * 131049 hold of at least 24 h; messaging-limit throttling of recovery before order updates;
 * the cost ceiling; the dashboard's cost per recovered order against the rate card; the
 * version-sunset notice with its one-click switch; the doctor's rows; WooCommerce 10.9's
 * recovery email coordination against a stand-in (see test_woocommerce_recovery_email_*).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\PlatformNotice;
use CartPinger\Meta\Account;
use CartPinger\Meta\Costs;
use CartPinger\Meta\DashboardSection;
use CartPinger\Meta\Doctor;
use CartPinger\Meta\Templates;
use CartPinger\Native\Platform;
use CartPinger\Native\Sender;
use CartPinger\Native\Webhook;
use CartPinger\Privacy\Privacy;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\Capture;
use CartPinger\Recovery\Coupons;
use CartPinger\Recovery\EmailCoordination;
use CartPinger\Recovery\Repository;
use CartPinger\Recovery\Scheduler;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;
use CartPinger\Webhook\Processor;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class MetaPlatformTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	private static int $product = 0;

	private static int $n = 0;

	public static function setUpBeforeClass(): void {
		self::$sandbox = new SandboxProcess();
		self::use_sandbox(
			self::$sandbox,
			array(
				'quiet_hours_enabled' => '0',
				'cooloff_hours'       => '0',
				'enable_auto_coupon'  => '0',
			)
		);
		update_option( 'woocommerce_default_country', 'ES' );
		update_option( 'woocommerce_currency', 'EUR' );
		$product = new \WC_Product_Simple();
		$product->set_name( 'Green mug' );
		$product->set_regular_price( '20.00' );
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
		// Many carts from this one CLI "address": lift the per-address capture limit (ConsentAbuseTest tests it).
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE option_name LIKE %s', $wpdb->options, $wpdb->esc_like( \CartPinger\Recovery\CaptureGuard::COUNTER_PREFIX ) . '%' ) );
		remove_all_filters( 'cartpinger_capture_limits' );
		add_filter( 'cartpinger_capture_limits', static fn() => array( 'per_address_hour' => 100000, 'store_hour' => 100000 ) );
		delete_option( Store::PAUSED_OPTION );
		delete_option( Account::OPTION );
		delete_option( Templates::OPTION );
		foreach ( array( 'cost_cap_message' => '', 'cost_cap_cart' => '', 'email_coordination' => 'whatsapp_first', 'graph_api_version' => 'v25.0' ) as $key => $value ) {
			self::settings()->set( $key, $value );
		}
		self::control(
			'/_sandbox/config',
			array(
				'callback'                    => 'http://127.0.0.1:9/refused',
				'status_delays_ms'            => array( 5, 5, 5 ),
				'mm_onboarding_status'        => 'ONBOARDED',
				'marketing_on_messages_until' => '2027-10-13',
				'marketing_disabled'          => false,
				'quality_rating'              => 'GREEN',
				'messaging_limit'             => 'TIER_2K',
			)
		);
		self::new_shopper();
	}

	// ------------------------------------------------------------------ helpers

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	private static function scheduler(): Scheduler {
		return new Scheduler( self::settings(), new Repository(), new Store(), new Coupons( self::settings() ), new SecretBox() );
	}

	private static function run_queue(): array {
		return ( new Runner( self::settings(), new Store() ) )->run( 10000 );
	}

	private static function control( string $path, array $body ): array {
		$ctx = stream_context_create(
			array(
				'http' => array(
					'method'        => 'POST',
					'header'        => "Content-Type: application/json\r\n",
					'content'       => (string) wp_json_encode( $body ),
					'ignore_errors' => true,
				),
			)
		);
		$out = json_decode( (string) file_get_contents( self::$sandbox->base . $path, false, $ctx ), true );
		return is_array( $out ) ? $out : array();
	}

	private static function get( string $path ): array {
		$out = json_decode( (string) file_get_contents( self::$sandbox->base . $path ), true );
		return is_array( $out ) ? $out : array();
	}

	private static function new_shopper(): void {
		// A guest: a logged-in user's session id is the user id, so every cart would be one record.
		wp_set_current_user( 0 );
		WC()->session = new \WC_Session_Handler();
		WC()->session->init();
		WC()->customer = new \WC_Customer( 0, true );
		WC()->cart     = new \WC_Cart();
		WC()->cart->get_cart_from_session();
		WC()->cart->empty_cart();
		WC()->cart->add_to_cart( self::$product, 1 );
		// The browser sends the session cookie back (a CLI process cannot receive Set-Cookie):
		// a capture needs a live session (issue 11).
		$live = new \ReflectionProperty( \WC_Session_Handler::class, '_has_cookie' );
		$live->setAccessible( true );
		$live->setValue( WC()->session, true );
	}

	/** Captures a consented cart for a phone (+E.164) and returns its record id. */
	private static function cart( string $phone, string $country = 'ES', string $email = '' ): int {
		global $wpdb;
		self::new_shopper();
		++self::$n;
		$capture = new Capture( self::settings(), new Repository(), new Store() );
		$captured = $capture->capture(
			array(
				'phone'   => $phone,
				'country' => $country,
				'name'    => 'Ana',
				'email'   => '' === $email ? 'ana' . self::$n . '@example.com' : $email,
				'consent' => true,
				'source'  => 'tracker',
			)
		);
		if ( 'captured' !== $captured || \CartPinger\Storage\Backfill::pending() ) {
			throw new \RuntimeException( 'capture: ' . $captured . ', backfill pending: ' . wp_json_encode( \CartPinger\Storage\Backfill::pending() ) );
		}
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT id FROM %i WHERE customer_phone = %s ORDER BY id DESC LIMIT 1', Schema::recoveries_table(), $phone ) );
	}

	private static function record( int $id ): array {
		global $wpdb;
		return (array) $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::recoveries_table(), $id ), ARRAY_A );
	}

	/** @return list<array<string, mixed>> */
	private static function messages_of( int $recovery_id ): array {
		global $wpdb;
		return (array) $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM %i WHERE recovery_id = %d ORDER BY id', Schema::messages_log_table(), $recovery_id ), ARRAY_A );
	}

	/** Moves a record's times $seconds into the past (the runner uses the real clock). */
	private static function age( int $id, int $seconds ): void {
		global $wpdb;
		foreach ( array( 'last_activity_at', 'created_at', 'consent_at', 'first_message_at', 'messaged_at', 'next_check_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i - INTERVAL %d SECOND WHERE id = %d AND %i IS NOT NULL', Schema::recoveries_table(), $c, $c, $seconds, $id, $c ) );
		}
		foreach ( array( 'created_at', 'due_at', 'expires_at', 'sent_at' ) as $c ) {
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET %i = %i - INTERVAL %d SECOND WHERE recovery_id = %d AND %i IS NOT NULL', Schema::messages_log_table(), $c, $c, $seconds, $id, $c ) );
		}
	}

	/** Sandbox messages to a phone, newest first. */
	private static function sandbox_to( string $phone ): array {
		$out = array();
		foreach ( self::get( '/_sandbox/messages?limit=1000' )['messages'] ?? array() as $m ) {
			if ( ltrim( (string) ( $m['to'] ?? '' ), '+' ) === ltrim( $phone, '+' ) ) {
				$out[] = $m;
			}
		}
		return $out;
	}

	/** Applies the signed body of a webhook the sandbox built (parser + Processor). */
	private static function apply( array $payload ): array {
		return ( new Processor() )->process( Webhook::parse( (string) wp_json_encode( $payload ) ) );
	}

	/**
	 * Waits for the sandbox's status webhooks of a wamid (first attempts) and applies them in
	 * order; returns their bodies.
	 *
	 * @return list<array<string, mixed>>
	 */
	private static function deliver_statuses( string $wamid, int $expect = 3 ): array {
		$bodies = array();
		for ( $i = 0; $i < 200; $i++ ) {
			$bodies = array();
			foreach ( array_reverse( self::get( '/_sandbox/webhooks?wamid=' . rawurlencode( $wamid ) . '&limit=100' )['webhooks'] ?? array() ) as $w ) {
				if ( 1 === (int) ( $w['attempt'] ?? 0 ) ) {
					$bodies[] = json_decode( (string) $w['body'], true );
				}
			}
			if ( count( $bodies ) >= $expect ) {
				break;
			}
			usleep( 25000 );
		}
		foreach ( $bodies as $body ) {
			self::apply( $body );
		}
		return $bodies;
	}

	/** Queues and sends the first recovery step of a cart; returns the message row. */
	private static function send_first_step( int $id ): array {
		self::age( $id, 61 * 60 );
		$tick = self::scheduler()->tick();
		$run  = self::run_queue();
		$rows = self::messages_of( $id );
		return array( 'tick' => $tick, 'run' => $run, 'row' => $rows[0] ?? array() );
	}

	private static function order_update( string $phone, string $key ): int {
		$id = ( new Store() )->enqueue(
			array(
				'phone'           => $phone,
				'template'        => 'order_confirmed',
				'language'        => 'es',
				'params'          => array( 'Ana', '1001', '20,00 €' ),
				'kind'            => 'order',
				'idempotency_key' => $key,
				'order_id'        => 0,
			)
		);
		return is_int( $id ) ? $id : 0;
	}

	private static function message( int $id ): array {
		global $wpdb;
		return (array) $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::messages_log_table(), $id ), ARRAY_A );
	}

	private static function sender(): Sender {
		return new Sender( self::$sandbox->config() );
	}

	// ------------------------------------------------------------------ (2) routing

	public function test_recovery_goes_through_marketing_messages_and_order_updates_through_messages(): void {
		$this->assertSame( 'ok', Account::refresh_onboarding( self::sender() )['status'] ?? '' );
		$this->assertSame( 'ONBOARDED', Account::onboarding_status(), 'detected from marketing_messages_onboarding_status' );

		$phone = '+34611000001';
		$id    = self::cart( $phone );
		$sent  = self::send_first_step( $id );
		$this->assertSame( 'sent', $sent['row']['status'] ?? '', wp_json_encode( $sent ) );
		$this->assertSame( 'marketing_messages', $sent['row']['endpoint'] );
		$at_meta = self::sandbox_to( $phone );
		$this->assertCount( 1, $at_meta );
		$this->assertSame( 'marketing_messages', $at_meta[0]['endpoint'], 'the sandbox received it on /marketing_messages' );
		$this->assertSame( 'abandoned_cart_recovery', $at_meta[0]['template'] );

		$order = self::order_update( $phone, 'order:mp:1' );
		self::run_queue();
		$this->assertSame( 'sent', self::message( $order )['status'] );
		$this->assertSame( 'messages', self::message( $order )['endpoint'] );
		$this->assertSame( 'messages', self::sandbox_to( $phone )[0]['endpoint'], 'the utility template went to /messages' );

		// (1) Pricing from the status webhooks, priced with the rate card (Spain).
		self::deliver_statuses( (string) $sent['row']['wamid'] );
		self::deliver_statuses( (string) self::message( $order )['wamid'] );
		$recovery_msg = self::messages_of( $id )[0];
		$this->assertSame( 'marketing', $recovery_msg['pricing_category'] );
		$this->assertSame( 'regular', $recovery_msg['pricing_type'] );
		$this->assertSame( Platform::rate( $phone, 'marketing' )['micros'], (int) $recovery_msg['cost_micros'] );
		$this->assertSame( 61500, (int) $recovery_msg['cost_micros'], 'Spain marketing on the card' );
		$this->assertSame( 'USD', $recovery_msg['currency'] );
		$this->assertSame( 20000, (int) self::message( $order )['cost_micros'], 'Spain utility on the card' );
		// Redelivered webhooks never double the cost.
		self::deliver_statuses( (string) $sent['row']['wamid'] );
		$this->assertSame( 61500, (int) self::messages_of( $id )[0]['cost_micros'] );
	}

	public function test_without_the_terms_marketing_falls_back_to_messages_until_meta_refuses_it(): void {
		self::control( '/_sandbox/config', array( 'mm_onboarding_status' => 'ELIGIBLE' ) );
		Account::refresh_onboarding( self::sender() );
		$this->assertSame( 'ELIGIBLE', Account::onboarding_status() );
		$rows = Doctor::checks( self::settings(), null );
		$mm   = array_values( array_filter( $rows, static fn( $r ) => 'marketing_messages' === $r['id'] ) )[0];
		$this->assertNull( $mm['ok'], 'a note before the cut-off' );
		$this->assertStringContainsString( '2027-10-13', $mm['detail'] );

		$phone = '+34611000002';
		$id    = self::cart( $phone );
		$sent  = self::send_first_step( $id );
		$this->assertSame( 'messages', $sent['row']['endpoint'], 'fallback to /messages while Meta accepts it' );
		$this->assertSame( 'messages', self::sandbox_to( $phone )[0]['endpoint'] );

		// After Meta's cut-off the sandbox refuses marketing on /messages with 131063: the reminder
		// fails with that reason, the queue is not paused, order updates still go.
		self::control( '/_sandbox/config', array( 'marketing_on_messages_until' => gmdate( 'Y-m-d' ) ) );
		$phone2 = '+34611000003';
		$id2    = self::cart( $phone2 );
		$failed = self::send_first_step( $id2 );
		$this->assertSame( 'failed', $failed['row']['status'], wp_json_encode( $failed ) );
		$this->assertSame( '131063', $failed['row']['error_code'] );
		$this->assertNull( ( new Store() )->paused(), '131063 does not halt order updates' );
		$order = self::order_update( $phone2, 'order:mp:2' );
		self::run_queue();
		$this->assertSame( 'sent', self::message( $order )['status'] );

		// The core refuses it itself once its own cut-off has passed (nothing is sent).
		$before = count( self::sandbox_to( $phone2 ) );
		$result = ( new Sender( self::$sandbox->config( array( 'marketing_messages' => 'ELIGIBLE', 'marketing_cutoff' => gmdate( 'Y-m-d' ) ) ) ) )->send_batch(
			array(
				array(
					'id'       => '77',
					'to'       => $phone2,
					'template' => 'abandoned_cart_recovery',
					'language' => 'es',
					'params'   => array( 'Ana', str_repeat( 'a', 64 ) ),
				),
			),
			5000
		);
		$this->assertSame( 'permanent', $result[0]['status'] );
		$this->assertSame( 'marketing_route', $result[0]['code'] );
		$this->assertSame( $before, count( self::sandbox_to( $phone2 ) ), 'not sent' );
	}

	public function test_template_category_update_impending_then_completed(): void {
		Account::refresh_onboarding( self::sender() );
		$phone = '+34611000004';
		// Impending: Meta will make the order template MARKETING. The merchant is told; the route
		// stays /messages (Meta: do not route on correct_category).
		$impending = self::control( '/_sandbox/template_category', array( 'name' => 'order_confirmed', 'language' => 'es', 'phase' => 'impending', 'category' => 'MARKETING' ) );
		$this->assertSame( 'MARKETING', $impending['payload']['entry'][0]['changes'][0]['value']['correct_category'] ?? null );
		$this->assertArrayHasKey( 'category_update_timestamp', $impending['payload']['entry'][0]['changes'][0]['value'] );
		self::apply( $impending['payload'] );
		$notices = Templates::notices();
		$this->assertCount( 1, $notices );
		$this->assertSame( array( 'order_confirmed', 'es', 'impending', 'UTILITY', 'MARKETING' ), array( $notices[0]['name'], $notices[0]['language'], $notices[0]['kind'], $notices[0]['from'], $notices[0]['to'] ) );
		$this->assertSame( 'UTILITY', Templates::category( 'order_confirmed', 'es' ) );
		wp_set_current_user( 1 );
		ob_start();
		( new PlatformNotice( self::settings() ) )->action_admin_notices();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'cartpinger-category-notice', $html );
		$this->assertStringContainsString( 'from UTILITY to MARKETING', $html, 'the merchant is told before it happens' );
		$order = self::order_update( $phone, 'order:mp:3' );
		self::run_queue();
		$this->assertSame( 'messages', self::message( $order )['endpoint'] );

		// Completed: the route switches to /marketing_messages.
		$completed = self::control( '/_sandbox/template_category', array( 'name' => 'order_confirmed', 'language' => 'es', 'phase' => 'completed', 'category' => 'MARKETING' ) );
		$this->assertSame( 'UTILITY', $completed['payload']['entry'][0]['changes'][0]['value']['previous_category'] ?? null );
		self::apply( $completed['payload'] );
		$this->assertSame( 'MARKETING', Templates::category( 'order_confirmed', 'es' ) );
		$this->assertSame( 'changed', Templates::notices()[0]['kind'] );
		$order2 = self::order_update( $phone, 'order:mp:4' );
		self::run_queue();
		$this->assertSame( 'sent', self::message( $order2 )['status'] );
		$this->assertSame( 'marketing_messages', self::message( $order2 )['endpoint'] );
		$this->assertSame( 'marketing_messages', self::sandbox_to( $phone )[0]['endpoint'] );
		// Put the sandbox's template back for the other tests.
		self::control( '/_sandbox/template_category', array( 'name' => 'order_confirmed', 'language' => 'es', 'phase' => 'completed', 'category' => 'UTILITY' ) );
	}

	public function test_a_paused_template_stops_its_recovery_step_with_that_reason(): void {
		// The language the shopper gets (site English, no browser language here).
		$language = \CartPinger\Native\Catalog::select_language( '', get_locale(), array() )[0];
		$status   = self::control( '/_sandbox/template_status', array( 'name' => 'abandoned_cart_recovery', 'language' => $language, 'status' => 'PAUSED' ) );
		self::apply( $status['payload'] );
		$this->assertSame( 'PAUSED', Templates::status( 'abandoned_cart_recovery', $language ) );
		$id   = self::cart( '+34611000005' );
		$sent = self::send_first_step( $id );
		$this->assertSame( array(), self::messages_of( $id ), 'nothing queued' );
		$this->assertSame( 'template_paused', self::record( $id )['close_reason'] );
		$this->assertSame( 'expired', self::record( $id )['status'] );
		$back = self::control( '/_sandbox/template_status', array( 'name' => 'abandoned_cart_recovery', 'language' => $language, 'status' => 'APPROVED' ) );
		self::apply( $back['payload'] );
	}

	// ------------------------------------------------------------------ (3) BSUID

	public function test_stop_with_no_phone_but_a_bsuid_and_by_context(): void {
		$phone = '+34611000006';
		$bsuid = 'ES.13491208655302741918';
		self::control( '/_sandbox/users', array( 'phone' => $phone, 'user_id' => $bsuid ) );
		$id   = self::cart( $phone );
		$sent = self::send_first_step( $id );
		$this->assertSame( 'sent', $sent['row']['status'] ?? '' );
		$bodies = self::deliver_statuses( (string) $sent['row']['wamid'] );
		$this->assertSame( $bsuid, $bodies[0]['entry'][0]['changes'][0]['value']['statuses'][0]['recipient_user_id'] ?? null );
		$this->assertSame( $bsuid, self::record( $id )['wa_user_id'], 'the consent record keeps the BSUID once seen' );

		// STOP from a user whose phone Meta withholds: only the BSUID.
		$inbound = self::control( '/_sandbox/inbound', array( 'from' => $phone, 'text' => 'STOP', 'withhold_phone' => true ) );
		$message = $inbound['payload']['entry'][0]['changes'][0]['value']['messages'][0];
		$this->assertArrayNotHasKey( 'from', $message, 'no phone in the webhook' );
		$this->assertSame( $bsuid, $message['from_user_id'] );
		$summary = self::apply( $inbound['payload'] );
		$this->assertSame( 1, $summary['opt_outs'] );
		$this->assertSame( 1, $summary['recoveries_opted_out'], wp_json_encode( $summary ) );
		$this->assertSame( 'opted_out', self::record( $id )['status'] );
		$this->assertSame( '0', (string) self::record( $id )['consent'] );

		// Another user, unknown BSUID and no phone: matched by the context id of our message.
		$phone2 = '+34611000007';
		$id2    = self::cart( $phone2 );
		$sent2  = self::send_first_step( $id2 );
		$reply  = self::control( '/_sandbox/inbound', array( 'from' => $phone2, 'text' => 'stop', 'user_id' => 'ES.999', 'withhold_phone' => true, 'context' => (string) $sent2['row']['wamid'] ) );
		$summary = self::apply( $reply['payload'] );
		$this->assertSame( 1, $summary['recoveries_opted_out'], wp_json_encode( $summary ) );
		$this->assertSame( 'opted_out', self::record( $id2 )['status'] );

		// Privacy tools find and erase by the BSUID.
		$privacy = new Privacy( self::settings() );
		$found   = $privacy->find_by_user_id( $bsuid );
		$this->assertSame( array( $id ), $found['recoveries'] );
		$this->assertSame( array( $phone ), $found['phones'] );
		$this->assertNotEmpty( $found['messages'] );
		$this->assertGreaterThan( 0, $privacy->erase_by_user_id( $bsuid ) );
		$this->assertSame( '', self::record( $id )['wa_user_id'] );
		$this->assertSame( '', self::record( $id )['customer_phone'] );
		$this->assertSame( array(), $privacy->find_by_user_id( $bsuid )['recoveries'] );
	}

	// ------------------------------------------------------------------ (4) limits

	public function test_131049_holds_the_recipient_at_least_24_hours(): void {
		$phone = '+34611000008';
		$id    = self::cart( $phone );
		self::control( '/_sandbox/inject', array( 'class' => 'failed', 'code' => 131049 ) );
		$sent = self::send_first_step( $id );
		self::deliver_statuses( (string) $sent['row']['wamid'], 1 );
		$row = self::messages_of( $id )[0];
		$this->assertSame( 'failed', $row['status'] );
		$this->assertSame( '131049', $row['error_code'] );

		// The follow-up is due 24 h after the first message, but the failure is recent: held.
		self::age( $id, 24 * 3600 + 60 );
		$tick = self::scheduler()->tick();
		$this->assertSame( 1, count( self::messages_of( $id ) ), 'no retry while held: ' . wp_json_encode( $tick ) );
		$record = self::record( $id );
		$this->assertSame( 'meta_131049', $record['hold_reason'] );
		$failed_at = (int) strtotime( $row['failed_at'] . ' UTC' );
		$this->assertGreaterThanOrEqual( $failed_at + 24 * 3600, (int) strtotime( $record['next_check_at'] . ' UTC' ), 'held at least 24 h from the failure' );

		// 24 h after the failure the step goes.
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET failed_at = failed_at - INTERVAL 86401 SECOND WHERE recovery_id = %d', Schema::messages_log_table(), $id ) );
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET next_check_at = %s WHERE id = %d', Schema::recoveries_table(), gmdate( 'Y-m-d H:i:s', time() - 1 ), $id ) );
		self::scheduler()->tick();
		$this->assertSame( 2, count( self::messages_of( $id ) ) );
		ob_start();
		DashboardSection::render_reasons();
		$this->assertMatchesRegularExpression( '/data-reason="us_marketing"/', (string) ob_get_clean(), 'the +1 guard stays visible as a reason' );
	}

	public function test_messaging_limit_throttles_recovery_before_order_updates_and_the_doctor_shows_it(): void {
		$quality = self::control( '/_sandbox/quality', array( 'event' => 'UPGRADE', 'max_daily_conversations_per_business' => 2, 'quality_rating' => 'GREEN' ) );
		$this->assertSame( 2, $quality['payload']['entry'][0]['changes'][0]['value']['max_daily_conversations_per_business'] ?? null );
		self::apply( $quality['payload'] );
		$this->assertSame( 2, Account::daily_limit() );
		$this->assertSame( 1, Account::recovery_daily_budget() );

		$a = self::cart( '+34611000009' );
		$b = self::cart( '+34611000010' );
		self::age( $a, 61 * 60 );
		self::age( $b, 61 * 60 );
		self::scheduler()->tick();
		$counts = array( count( self::messages_of( $a ) ), count( self::messages_of( $b ) ) );
		sort( $counts );
		$this->assertSame( array( 0, 1 ), $counts, 'one cart is messaged, the other waits' );
		$held = 0 === count( self::messages_of( $a ) ) ? $a : $b;
		$this->assertSame( 'messaging_limit', self::record( $held )['hold_reason'] );
		$order = self::order_update( self::record( $held )['customer_phone'], 'order:mp:5' );
		self::run_queue();
		$this->assertSame( 'sent', self::message( $order )['status'], 'order updates are not throttled' );

		Account::remember_phone( self::sender()->check_credentials() );
		$rows  = Doctor::checks( self::settings(), null );
		$limit = array_values( array_filter( $rows, static fn( $r ) => 'messaging_limit' === $r['id'] ) )[0];
		$this->assertStringContainsString( 'Up to 2 customers per 24 hours', $limit['detail'] );
		$this->assertStringContainsString( 'GREEN', $limit['detail'] );
		$flag = self::control( '/_sandbox/quality', array( 'event' => 'FLAGGED', 'max_daily_conversations_per_business' => 2 ) );
		self::apply( $flag['payload'] );
		$limit = array_values( array_filter( Doctor::checks( self::settings(), null ), static fn( $r ) => 'messaging_limit' === $r['id'] ) )[0];
		$this->assertFalse( $limit['ok'] );
		$this->assertStringContainsString( 'RED', $limit['detail'] );
	}

	// ------------------------------------------------------------------ (1) cost

	public function test_cost_ceiling_skips_a_step_with_that_reason(): void {
		$this->assertTrue( self::settings()->set( 'cost_cap_message', '0.05' ) );
		$this->assertTrue( is_wp_error( self::settings()->set( 'cost_cap_message', 'cheap' ) ) );
		$id = self::cart( '+34611000011' );
		self::send_first_step( $id );
		$this->assertSame( array(), self::messages_of( $id ), 'Spain marketing (0.0615 USD) is above 0.05' );
		$this->assertSame( 'cost_ceiling', self::record( $id )['close_reason'] );

		self::settings()->set( 'cost_cap_message', '' );
		self::settings()->set( 'cost_cap_cart', '0.10' );
		$id2 = self::cart( '+34611000012' );
		$sent = self::send_first_step( $id2 );
		$this->assertSame( 'sent', $sent['row']['status'] ?? '' );
		self::deliver_statuses( (string) $sent['row']['wamid'] );
		self::age( $id2, 24 * 3600 + 60 );
		self::scheduler()->tick();
		$this->assertCount( 1, self::messages_of( $id2 ), 'a second reminder would bring the cart to 0.123 USD > 0.10' );
		$this->assertSame( 'cost_ceiling', self::record( $id2 )['close_reason'] );
		ob_start();
		DashboardSection::render_reasons();
		$this->assertMatchesRegularExpression( '/data-reason="cost_ceiling"><td>[^<]+<\/td><td>2</', (string) ob_get_clean() );
	}

	public function test_dashboard_cost_per_recovered_order_matches_the_rate_card(): void {
		global $wpdb;
		$es   = self::cart( '+34611000013' );
		$de   = self::cart( '+4915112345678', 'DE' );
		$cost = 0;
		foreach ( array( $es => '+34611000013', $de => '+4915112345678' ) as $id => $phone ) {
			$sent = self::send_first_step( $id );
			$this->assertSame( 'sent', $sent['row']['status'] ?? '', wp_json_encode( $sent ) );
			self::deliver_statuses( (string) $sent['row']['wamid'] );
			$cost += (int) Platform::rate( $phone, 'marketing' )['micros'];
			$wpdb->query( $wpdb->prepare( "UPDATE %i SET status = 'recovered', recovered_at = %s, recovered_revenue_minor = 2000, currency = 'EUR' WHERE id = %d", Schema::recoveries_table(), gmdate( 'Y-m-d H:i:s' ), $id ) );
		}
		$this->assertSame( 61500 + 136500, $cost, 'Spain and Germany on the card' );
		$summary = Costs::summary( gmdate( 'Y-m-d H:i:s', time() - DAY_IN_SECONDS ), gmdate( 'Y-m-d H:i:s', time() + 60 ) );
		$eur     = array_values( array_filter( $summary, static fn( $r ) => 'EUR' === $r['currency'] ) )[0];
		$this->assertSame( $cost, $eur['cost_micros'] );
		$this->assertSame( 2, $eur['recovered'] );
		$this->assertSame( intdiv( $cost, 2 ), $eur['cost_per_recovered_micros'] );
		$this->assertEqualsWithDelta( 40.0 / ( $cost / 1000000 ), $eur['revenue_per_cost'], 0.001 );

		wp_set_current_user( 1 );
		ob_start();
		( new \CartPinger\Admin\DashboardPage() )->render();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'data-cost-per-recovered-micros="99000"', $html );
		$this->assertStringContainsString( number_format_i18n( 0.099, 4 ) . ' USD', $html, 'cost per recovered order on the dashboard' );
	}

	// ------------------------------------------------------------------ (5) versions

	public function test_version_sunset_notice_and_one_click_switch(): void {
		$today  = gmdate( 'Y-m-d' );
		$ending = null;
		foreach ( Platform::graph_versions() as $v ) {
			$s = Platform::version_status( $v['version'], $today );
			if ( $s['warn'] && $s['days_left'] >= 0 ) {
				$ending = $v['version'];
			}
		}
		if ( null === $ending ) {
			$this->markTestSkipped( 'No Graph API version ends within 60 days of ' . $today . ' (v21.0 ends 2027-01-21).' );
		}
		$this->assertTrue( self::settings()->set( 'graph_api_version', $ending ) );
		wp_set_current_user( 1 );
		$notice = new PlatformNotice( self::settings() );
		ob_start();
		$notice->action_admin_notices();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'cartpinger-version-notice', $html );
		$this->assertStringContainsString( 'Switch to ' . Platform::default_graph_version(), $html );
		$this->assertStringContainsString( PlatformNotice::ACTION_VERSION, $html );
		$doctor = array_values( array_filter( Doctor::checks( self::settings(), null ), static fn( $r ) => 'graph_version' === $r['id'] ) )[0];
		$this->assertFalse( $doctor['ok'] );

		$this->assertFalse( $notice->switch_version( $ending ), 'never to a version about to end' );
		$this->assertTrue( $notice->switch_version( Platform::default_graph_version() ) );
		$this->assertSame( Platform::default_graph_version(), self::settings()->get( 'graph_api_version' ) );
		ob_start();
		$notice->action_admin_notices();
		$this->assertStringNotContainsString( 'cartpinger-version-notice', (string) ob_get_clean() );
		$default = Platform::version_status( Platform::default_graph_version(), $today );
		$this->assertGreaterThanOrEqual( 365, $default['days_left'], 'the default lives at least 12 months' );
	}

	// ------------------------------------------------------------------ (6) WooCommerce email

	/**
	 * WooCommerce 10.9+ is not among the copies that run here, so this uses a STAND-IN for
	 * WC_Email_Customer_Abandoned_Cart_Recovery (defined below, only when the real class is
	 * missing): its trigger() calls the suppress filter exactly as WooCommerce's class does,
	 * `(bool) apply_filters( 'woocommerce_abandoned_cart_recovery_suppress', false )` before
	 * anything else, and its automatic send runs from the Action Scheduler hook
	 * woocommerce_send_abandoned_cart_recovery_notification with the order id, recording the
	 * send in _abandoned_cart_recovery_email_sent_at.
	 */
	public function test_woocommerce_recovery_email_is_coordinated_never_both(): void {
		update_option( 'woocommerce_customer_abandoned_cart_recovery_settings', array( 'enabled' => 'yes', 'automated' => 'yes' ) );
		$phone = '+34611000014';
		$id    = self::cart( $phone, 'ES', 'buyer14@example.com' );
		if ( ! class_exists( EmailCoordination::EMAIL_CLASS, false ) ) {
			// Older WooCommerce: inert.
			$this->assertFalse( EmailCoordination::email_active() );
			$this->assertNull( EmailCoordination::check_recovery( self::record( $id ), self::settings(), time() ) );
			require_once __DIR__ . '/../lib/wc-abandoned-cart-email-standin.php';
		}
		$this->assertTrue( EmailCoordination::email_active() );
		if ( ! property_exists( \WC_Email_Customer_Abandoned_Cart_Recovery::class, 'sent' ) ) {
			$this->markTestSkipped( 'The real WooCommerce class is loaded: this walk is written for the stand-in.' );
		}

		// WhatsApp first: the cart got its WhatsApp reminder, so WooCommerce's email is suppressed.
		self::send_first_step( $id );
		$order = self::pending_order( $phone, 'buyer14@example.com' );
		\WC_Email_Customer_Abandoned_Cart_Recovery::$sent = array();
		do_action( 'woocommerce_send_abandoned_cart_recovery_notification', $order->get_id() );
		$this->assertSame( array(), \WC_Email_Customer_Abandoned_Cart_Recovery::$sent, 'no email after a WhatsApp step' );

		// A customer with no WhatsApp step gets the email; a cart captured afterwards (the order
		// closes the carts that exist when it is created) then gets no WhatsApp step.
		$phone2 = '+34611000015';
		$order2 = self::pending_order( $phone2, 'buyer15@example.com' );
		do_action( 'woocommerce_send_abandoned_cart_recovery_notification', $order2->get_id() );
		$this->assertSame( array( $order2->get_id() ), \WC_Email_Customer_Abandoned_Cart_Recovery::$sent );
		$id2 = self::cart( $phone2, 'ES', 'buyer15@example.com' );
		self::send_first_step( $id2 );
		$this->assertSame( array(), self::messages_of( $id2 ), 'never both for one cart' );
		$this->assertSame( 'email_sent', self::record( $id2 )['close_reason'] );

		// Email first: the WhatsApp step waits for WooCommerce's send time.
		self::settings()->set( 'email_coordination', 'email_first' );
		$phone3 = '+34611000016';
		self::pending_order( $phone3, 'buyer16@example.com', 65 * 60 );
		$id3 = self::cart( $phone3, 'ES', 'buyer16@example.com' );
		self::send_first_step( $id3 );
		$this->assertSame( array(), self::messages_of( $id3 ) );
		$this->assertSame( 'email_first', self::record( $id3 )['hold_reason'] );

		// Off: no suppression.
		self::settings()->set( 'email_coordination', 'off' );
		$order4 = self::pending_order( $phone, 'buyer14@example.com' );
		do_action( 'woocommerce_send_abandoned_cart_recovery_notification', $order4->get_id() );
		$this->assertContains( $order4->get_id(), \WC_Email_Customer_Abandoned_Cart_Recovery::$sent );
		delete_option( 'woocommerce_customer_abandoned_cart_recovery_settings' );
	}

	private static function pending_order( string $phone, string $email, int $age = 7300 ): \WC_Order {
		$order = wc_create_order( array( 'created_via' => 'checkout' ) );
		$order->set_billing_phone( $phone );
		$order->set_billing_country( 'ES' );
		$order->set_billing_email( $email );
		$order->add_product( wc_get_product( self::$product ), 1 );
		$order->calculate_totals();
		$order->set_status( 'pending' );
		$order->set_date_created( time() - $age );
		$order->save();
		return $order;
	}
}
