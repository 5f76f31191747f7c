<?php
/**
 * Scenario n1 (woo tier, continues r0 = WebhookSetupTest): WhatsApp order notifications with
 * real WooCommerce orders, the real extension and the Cloud API sandbox binary.
 *
 * CartPinger\Orders\Notifications is registered by the plugin (Plugin::hook_adapters()); every
 * status change below goes through WooCommerce's real woocommerce_order_status_* actions fired
 * by WC_Order::save().
 *
 * Covers: processing / completed / cancelled each queue exactly one message with the right
 * template and parameters ([first name or "there", order number, "<total> <ISO currency>"],
 * as many as the catalog's template); the language chain from the order's locale; exactly
 * once per order and status (processing → on-hold → processing, and the same hook fired
 * twice) with a logged suppression; no consent, switch off, invalid phone and missing
 * credentials queue nothing; a queue run delivers each message to the sandbox once.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Native\Catalog;
use CartPinger\Orders\Notifications;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class OrderNotificationsTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	private static int $product = 0;

	private static int $phone = 0;

	/** @var array<int, array{message: string, level: string, context: array, handler: string}> */
	private static array $logged = array();

	public static function setUpBeforeClass(): void {
		self::$sandbox = new SandboxProcess();
		self::use_sandbox( self::$sandbox );
		update_option( 'woocommerce_default_country', 'ES' );
		update_option( 'woocommerce_currency', 'EUR' );
		$product = new \WC_Product_Simple();
		$product->set_name( 'Blue mug' );
		$product->set_regular_price( '12.50' );
		$product->set_status( 'publish' );
		self::$product = $product->save();

		// Registered by the plugin itself (exactly once).
		$registered = 0;
		foreach ( $GLOBALS['wp_filter']['woocommerce_order_status_processing']->callbacks ?? array() as $callbacks ) {
			foreach ( $callbacks as $cb ) {
				$registered += is_array( $cb['function'] ) && $cb['function'][0] instanceof Notifications ? 1 : 0;
			}
		}
		if ( 1 !== $registered ) {
			throw new \RuntimeException( "Notifications registered {$registered} times by the plugin" );
		}

		add_filter(
			'woocommerce_logger_log_message',
			static function ( $message, $level, $context, $handler = null ) {
				self::$logged[] = array(
					'message' => (string) $message,
					'level'   => (string) $level,
					'context' => is_array( $context ) ? $context : array(),
					'handler' => is_object( $handler ) ? get_class( $handler ) : '',
				);
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
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		delete_option( Store::PAUSED_OPTION );
		self::$logged = array();
		$this->assertTrue( self::settings()->is_configured(), 'the sandbox credentials are configured' );
	}

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	private static function next_phone(): string {
		++self::$phone;
		return '+346002000' . str_pad( (string) self::$phone, 2, '0', STR_PAD_LEFT );
	}

	/** A pending order for 2 × 12.50 EUR with the given consent meta ('' = none). */
	private static function order( string $consent = '1', ?string $phone = null, string $first = 'Lucía' ): \WC_Order {
		$phone = $phone ?? self::next_phone();
		$order = wc_create_order();
		$order->set_billing_first_name( $first );
		$order->set_billing_last_name( 'García' );
		$order->set_billing_email( 'order' . self::$phone . '@example.com' );
		// As typed: national format, resolved with the billing country.
		$order->set_billing_phone( str_starts_with( $phone, '+34' ) ? substr( $phone, 3, 3 ) . ' ' . substr( $phone, 6, 3 ) . ' ' . substr( $phone, 9 ) : $phone );
		$order->set_billing_country( 'ES' );
		$order->set_currency( 'EUR' );
		$order->add_product( wc_get_product( self::$product ), 2 );
		$order->calculate_totals();
		if ( '' !== $consent ) {
			$order->update_meta_data( CheckoutHooks::ORDER_META, $consent );
		}
		$order->save();
		return $order;
	}

	private static function messages(): array {
		global $wpdb;
		return (array) $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM %i ORDER BY id', Schema::messages_log_table() ), ARRAY_A );
	}

	private static function params( array $row ): array {
		return json_decode( (string) $row['components'], true )['params'];
	}

	private static function catalog_param_count( string $template ): int {
		foreach ( Catalog::templates() as $t ) {
			if ( $t['name'] === $template ) {
				return count( $t['params'] );
			}
		}
		return -1;
	}

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

	/** Log entries containing $needle, as one handler saw them (the filter runs once per handler). */
	private static function logged_containing( string $needle ): array {
		$handler = self::$logged[0]['handler'] ?? null;
		return array_values( array_filter( self::$logged, static fn( $l ) => $l['handler'] === $handler && str_contains( $l['message'], $needle ) ) );
	}

	public function test_each_status_queues_exactly_one_message_with_the_right_template_and_params(): void {
		$phone = self::next_phone();
		$order = self::order( '1', $phone );
		$this->assertSame( array(), self::messages(), 'a pending order sends nothing' );

		$order->update_status( 'processing' );
		$msgs = self::messages();
		$this->assertCount( 1, $msgs );
		$m = $msgs[0];
		$this->assertSame( 'order_confirmed', $m['template'] );
		$this->assertSame( 'order', $m['kind'] );
		$this->assertSame( $phone, $m['phone'], 'billing phone in E.164' );
		$this->assertSame( (string) $order->get_id(), (string) $m['order_id'] );
		$this->assertSame( 'order:' . $order->get_id() . ':processing', $m['idempotency_key'] );
		$this->assertSame( (string) Store::PRIORITY_ORDER, (string) $m['priority'] );
		$this->assertSame( 'pending', $m['status'] );
		$this->assertSame( 'en', $m['language'], 'site locale en_US' );
		$params = self::params( $m );
		$this->assertSame( array( 'Lucía', (string) $order->get_order_number(), '€25.00' ), $params );
		$this->assertCount( self::catalog_param_count( 'order_confirmed' ), $params, "as many params as the catalog's template" );

		$order->update_status( 'completed' );
		$msgs = self::messages();
		$this->assertCount( 2, $msgs );
		$this->assertSame( 'order_completed', $msgs[1]['template'] );
		$this->assertSame( 'order:' . $order->get_id() . ':completed', $msgs[1]['idempotency_key'] );
		$this->assertSame( array( 'Lucía', (string) $order->get_order_number(), '€25.00' ), self::params( $msgs[1] ) );
		$this->assertCount( self::catalog_param_count( 'order_completed' ), self::params( $msgs[1] ) );

		$other = self::order( '1' );
		$other->update_status( 'cancelled' );
		$msgs = self::messages();
		$this->assertCount( 3, $msgs );
		$this->assertSame( 'order_cancelled', $msgs[2]['template'] );
		$this->assertSame( array( 'Lucía', (string) $other->get_order_number(), '€25.00' ), self::params( $msgs[2] ) );
		$this->assertCount( self::catalog_param_count( 'order_cancelled' ), self::params( $msgs[2] ) );

		// No other status sends anything.
		$third = self::order( '1' );
		foreach ( array( 'on-hold', 'refunded', 'failed' ) as $status ) {
			$third->update_status( $status );
		}
		$this->assertCount( 3, self::messages(), 'on-hold, refunded and failed send nothing' );
	}

	public function test_processing_twice_sends_once_and_logs_the_suppressed_duplicate(): void {
		$suppressed = array();
		add_action(
			'cartpinger_order_notification_suppressed',
			static function ( $id, $status, $existing ) use ( &$suppressed ) {
				$suppressed[] = array( $id, $status, $existing );
			},
			10,
			3
		);
		$order = self::order( '1' );
		$order->update_status( 'processing' );
		$order->update_status( 'on-hold' );
		$order->update_status( 'processing' );
		$msgs = self::messages();
		$this->assertCount( 1, $msgs, 'processing → on-hold → processing: one message' );
		$this->assertSame( array( array( $order->get_id(), 'processing', (int) $msgs[0]['id'] ) ), $suppressed );
		$lines = self::logged_containing( 'duplicate processing notification suppressed' );
		$this->assertCount( 1, $lines, 'the suppression is logged once: ' . wp_json_encode( self::$logged ) );
		$this->assertStringContainsString( 'Order ' . $order->get_id() . ':', $lines[0]['message'], 'log line names the order' );
		$this->assertSame( $order->get_id(), $lines[0]['context']['order_id'] ?? null );
		$this->assertSame( Notifications::LOG_SOURCE, $lines[0]['context']['source'] ?? null );

		// A gateway webhook and the thank-you redirect both firing the status hook.
		$again = self::order( '1' );
		$again->update_status( 'processing' );
		do_action( 'woocommerce_order_status_processing', $again->get_id(), wc_get_order( $again->get_id() ) );
		$this->assertCount( 2, self::messages(), 'one message per order and status' );
		$this->assertCount( 2, self::logged_containing( 'duplicate processing notification suppressed' ), wp_json_encode( self::$logged ) );
	}

	public function test_no_consent_sends_nothing(): void {
		self::order( '0' )->update_status( 'processing' );
		self::order( '' )->update_status( 'processing' );
		self::order( '0' )->update_status( 'cancelled' );
		$this->assertSame( array(), self::messages() );
	}

	public function test_order_updates_follow_their_own_consent_not_the_reminders_one(): void {
		// Reminders yes, order updates no: no order message.
		$order = self::order( '1' );
		$order->update_meta_data( CheckoutHooks::ORDER_UPDATES_META, '0' );
		$order->save();
		$order->update_status( 'processing' );
		$this->assertSame( array(), self::messages() );
		// Order updates yes, reminders no: the confirmation is queued.
		$order = self::order( '0' );
		$order->update_meta_data( CheckoutHooks::ORDER_UPDATES_META, '1' );
		$order->save();
		$order->update_status( 'processing' );
		$this->assertCount( 1, self::messages() );
	}

	public function test_switch_off_sends_nothing_for_that_status_only(): void {
		$settings = self::settings();
		$this->assertTrue( $settings->set( 'notify_processing', '0' ) );
		try {
			$order = self::order( '1' );
			$order->update_status( 'processing' );
			$this->assertSame( array(), self::messages(), 'notify_processing off' );
			$order->update_status( 'completed' );
			$this->assertSame( array( 'order_completed' ), array_column( self::messages(), 'template' ), 'notify_completed still on' );
		} finally {
			$settings->set( 'notify_processing', '1' );
		}
		$this->assertTrue( $settings->set( 'notify_cancelled', '0' ) );
		$this->assertTrue( $settings->set( 'notify_completed', '0' ) );
		try {
			self::order( '1' )->update_status( 'cancelled' );
			self::order( '1' )->update_status( 'completed' );
			$this->assertCount( 1, self::messages() );
		} finally {
			$settings->set( 'notify_cancelled', '1' );
			$settings->set( 'notify_completed', '1' );
		}
	}

	public function test_invalid_phone_and_missing_credentials_queue_nothing_and_are_logged(): void {
		$order = self::order( '1', '12' );
		$order->update_status( 'processing' );
		$this->assertSame( array(), self::messages() );
		$lines = self::logged_containing( 'no valid WhatsApp phone' );
		$this->assertCount( 1, $lines );
		$this->assertSame( $order->get_id(), $lines[0]['context']['order_id'] ?? null );
		$this->assertStringNotContainsString( '12', str_replace( (string) $order->get_id(), '', $lines[0]['message'] ), 'no phone in the log' );

		$settings = self::settings();
		$settings->delete_secret( 'access_token' );
		try {
			$order = self::order( '1' );
			$order->update_status( 'processing' );
			$this->assertSame( array(), self::messages(), 'no access token: nothing queued' );
			$this->assertCount( 1, self::logged_containing( 'WhatsApp is not connected' ) );
		} finally {
			$this->assertTrue( $settings->set_secret( 'access_token', SandboxProcess::TOKEN ) );
		}
		// Credentials back: the order can still be notified on its next status.
		$order->update_status( 'completed' );
		$this->assertSame( array( 'order_completed' ), array_column( self::messages(), 'template' ) );
	}

	public function test_unknown_name_the_stored_e164_phone_and_the_order_locale(): void {
		$order = self::order( '1', null, '' );
		$order->update_meta_data( '_cartpinger_locale', 'es_ES' );
		$order->update_meta_data( CheckoutHooks::ORDER_PHONE_META, '+34600299999' );
		$order->save();
		$order->update_status( 'processing' );
		$m = self::messages()[0];
		$this->assertSame( 'there', self::params( $m )[0], 'translated "there" when the first name is unknown' );
		$this->assertSame( '+34600299999', $m['phone'], 'the E.164 phone stored at checkout wins' );
		$this->assertSame( 'es', $m['language'], "the order's locale" );
		$this->assertSame( array( 'en' ), json_decode( (string) $m['components'], true )['languages'] ?? null, 'then the site language' );
	}

	public function test_a_queue_run_delivers_each_notification_to_the_sandbox_once(): void {
		$phones = array();
		foreach ( array( 'processing', 'completed', 'cancelled' ) as $status ) {
			$phone            = self::next_phone();
			$order            = self::order( '1', $phone );
			$phones[ $phone ] = array( $status, $order );
			$order->update_status( $status );
			if ( 'processing' === $status ) {
				// The duplicate transition must not reach the sandbox either.
				$order->update_status( 'on-hold' );
				$order->update_status( 'processing' );
			}
		}
		// completed from pending: WooCommerce fires only _completed.
		$this->assertCount( 3, self::messages() );
		$run = ( new Runner( self::settings(), new Store() ) )->run( 10000 );
		$this->assertSame( 3, $run['sent'] ?? 0, wp_json_encode( $run ) );
		$templates = array(
			'processing' => 'order_confirmed',
			'completed'  => 'order_completed',
			'cancelled'  => 'order_cancelled',
		);
		foreach ( $phones as $phone => list( $status, $order ) ) {
			$sent = self::sandbox_messages_to( $phone );
			$this->assertCount( 1, $sent, "the sandbox received exactly one message for the {$status} order" );
			$body = (string) wp_json_encode( $sent[0], JSON_UNESCAPED_UNICODE );
			$this->assertStringContainsString( $templates[ $status ], $body );
			$this->assertStringContainsString( '€25.00', $body );
			$this->assertStringContainsString( 'Lucía', $body );
		}
		foreach ( self::messages() as $m ) {
			$this->assertSame( 'sent', $m['status'] );
			$this->assertNotSame( '', $m['wamid'] );
		}
		// A second run sends nothing more.
		$run = ( new Runner( self::settings(), new Store() ) )->run( 10000 );
		$this->assertSame( 0, $run['claimed'], wp_json_encode( $run ) );
	}
}
