<?php
/**
 * Scenario w1 (woo tier, continues w0): the WhatsApp webhook endpoint cartpinger/v1/webhook
 * through the real REST server: GET handshake (raw text/plain challenge, 403s), POST with
 * X-Hub-Signature-256 (401s and the failure counter), monotonic status application to seeded
 * messages_log rows (in order, out of order, duplicates, failed, biz_opaque_callback_data),
 * inbound STOP (consent revoked, pending messages cancelled), the cartpinger_webhook_entry
 * action and the options the endpoint records.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Native\Webhook;
use CartPinger\Plugin;
use CartPinger\Storage\Schema;

require_once __DIR__ . '/WebhookSetupTest.php'; // the credentials w0 stored

final class WebhookEndpointTest extends TestCase {

	public const ROUTE = '/cartpinger/v1/webhook';

	private const FIXTURES = '/tests/fixtures/meta/webhooks/';

	/** Wamids of the fixture synthetic_batched_out_of_order.json. */
	private const FIXTURE_READ   = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=';
	private const FIXTURE_FAILED = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA';

	/** @var array<int, array<string, mixed>> Events seen by cartpinger_webhook_entry. */
	private static array $entries = array();

	public static function setUpBeforeClass(): void {
		add_action(
			'cartpinger_webhook_entry',
			static function ( $event ): void {
				self::$entries[] = $event;
			}
		);
	}

	protected function setUp(): void {
		parent::setUp();
		self::$entries = array();
	}

	// ------------------------------------------------------------------ helpers

	private static function fixture( string $name ): string {
		$raw = file_get_contents( getenv( 'CARTPINGER_IT_REPO' ) . self::FIXTURES . $name );
		if ( ! is_string( $raw ) ) {
			throw new \RuntimeException( "fixture missing: {$name}" );
		}
		return $raw;
	}

	private static function get( array $query ): \WP_REST_Response {
		$request = new \WP_REST_Request( 'GET', self::ROUTE );
		$request->set_query_params( $query );
		return rest_do_request( $request );
	}

	private static function post( string $body, ?string $signature, string $content_type = 'application/json' ): \WP_REST_Response {
		$request = new \WP_REST_Request( 'POST', self::ROUTE );
		$request->set_header( 'Content-Type', $content_type );
		if ( null !== $signature ) {
			$request->set_header( 'X-Hub-Signature-256', $signature );
		}
		$request->set_body( $body );
		return rest_do_request( $request );
	}

	/** POSTs a signed body, then applies the inbox as the queue runner does. */
	private static function signed( string $body ): \WP_REST_Response {
		$response = self::post( $body, Webhook::sign( $body, WebhookSetupTest::APP_SECRET ) );
		( new \CartPinger\Webhook\Processor() )->apply_inbox( 1000 );
		return $response;
	}

	/** A compact envelope with the given statuses[] items (wamid, status, timestamp, extra). */
	private static function statuses_body( array $statuses ): string {
		$items = array();
		foreach ( $statuses as $s ) {
			$items[] = array_merge(
				array(
					'id'           => $s[0],
					'status'       => $s[1],
					'timestamp'    => (string) $s[2],
					'recipient_id' => '34612345678',
				),
				$s[3] ?? array()
			);
		}
		return (string) wp_json_encode(
			array(
				'object' => 'whatsapp_business_account',
				'entry'  => array(
					array(
						'id'      => '102290129340398',
						'changes' => array(
							array(
								'field' => 'messages',
								'value' => array(
									'messaging_product' => 'whatsapp',
									'metadata'          => array( 'display_phone_number' => '15550783881', 'phone_number_id' => '106540352242922' ),
									'statuses'          => $items,
								),
							),
						),
					),
				),
			)
		);
	}

	private static function inbound_text_body( string $from, string $text ): string {
		return (string) wp_json_encode(
			array(
				'object' => 'whatsapp_business_account',
				'entry'  => array(
					array(
						'id'      => '102290129340398',
						'changes' => array(
							array(
								'field' => 'messages',
								'value' => array(
									'messaging_product' => 'whatsapp',
									'metadata'          => array( 'display_phone_number' => '15550783881', 'phone_number_id' => '106540352242922' ),
									'contacts'          => array( array( 'profile' => array( 'name' => 'Ana' ), 'wa_id' => $from ) ),
									'messages'          => array(
										array(
											'from'      => $from,
											'id'        => 'wamid.IN-' . wp_generate_password( 8, false ),
											'timestamp' => '1750030300',
											'type'      => 'text',
											'text'      => array( 'body' => $text ),
										),
									),
								),
							),
						),
					),
				),
			)
		);
	}

	private static function seed_message( array $fields ): int {
		global $wpdb;
		$now = gmdate( 'Y-m-d H:i:s' );
		$ok  = $wpdb->insert(
			Schema::messages_log_table(),
			array_merge(
				array(
					'kind'            => 'recovery',
					'phone'           => '+34612345678',
					'template'        => 'abandoned_cart_recovery',
					'language'        => 'es',
					'status'          => 'sent',
					'idempotency_key' => 'it-' . wp_generate_password( 12, false ),
					'due_at'          => $now,
					'created_at'      => $now,
					'updated_at'      => $now,
				),
				$fields
			)
		);
		if ( 1 !== $ok ) {
			throw new \RuntimeException( 'seeding messages_log failed: ' . $wpdb->last_error );
		}
		return (int) $wpdb->insert_id;
	}

	private static function seed_recovery( string $phone, string $status, int $consent = 1 ): int {
		global $wpdb;
		$now = gmdate( 'Y-m-d H:i:s' );
		$ok  = $wpdb->insert(
			Schema::recoveries_table(),
			array(
				'session_key'      => 'it-' . wp_generate_password( 16, false ),
				'customer_phone'   => $phone,
				'consent'          => $consent,
				'consent_at'       => $now,
				'status'           => $status,
				'last_activity_at' => $now,
				'created_at'       => $now,
				'updated_at'       => $now,
			)
		);
		if ( 1 !== $ok ) {
			throw new \RuntimeException( 'seeding recoveries failed: ' . $wpdb->last_error );
		}
		return (int) $wpdb->insert_id;
	}

	private static function message( int $id ): array {
		global $wpdb;
		return (array) $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::messages_log_table(), $id ), ARRAY_A );
	}

	private static function recovery( int $id ): array {
		global $wpdb;
		return (array) $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::recoveries_table(), $id ), ARRAY_A );
	}

	private static function utc( int $ts ): string {
		return gmdate( 'Y-m-d H:i:s', $ts );
	}

	private function assertUtcNow( ?string $value, string $label ): void {
		$this->assertNotNull( $value, "{$label} not set" );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', (string) $value, $label );
		$this->assertLessThan( 120, abs( strtotime( $value . ' UTC' ) - time() ), "{$label} is not the current UTC time: {$value}" );
	}

	// ------------------------------------------------------------------ route

	public function test_plugin_booted_and_route_is_public_get_and_post(): void {
		$this->assertNotNull( Plugin::instance(), 'CartPinger did not boot' );
		$routes = rest_get_server()->get_routes( 'cartpinger/v1' );
		$this->assertArrayHasKey( self::ROUTE, $routes );
		$methods = array();
		foreach ( $routes[ self::ROUTE ] as $handler ) {
			$methods = array_merge( $methods, array_keys( $handler['methods'] ) );
			$this->assertSame( '__return_true', $handler['permission_callback'] );
		}
		sort( $methods );
		$this->assertSame( array( 'GET', 'POST' ), $methods );
		$this->assertSame( 0, get_current_user_id(), 'Meta calls the endpoint without a login' );
	}

	// ------------------------------------------------------------------ GET handshake

	public function test_handshake_answers_the_challenge(): void {
		$response = self::get(
			array(
				'hub_mode'         => 'subscribe',
				'hub_verify_token' => WebhookSetupTest::VERIFY_TOKEN,
				'hub_challenge'    => '1158201444',
			)
		);
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( '1158201444', $response->get_data() );
		$this->assertStringStartsWith( 'text/plain', $response->get_headers()['Content-Type'] ?? '' );
		$this->assertUtcNow( self::raw_option( 'cartpinger_webhook_verified_at' ), 'cartpinger_webhook_verified_at' );
	}

	public function test_handshake_accepts_the_dotted_names(): void {
		$response = self::get(
			array(
				'hub.mode'         => 'subscribe',
				'hub.verify_token' => WebhookSetupTest::VERIFY_TOKEN,
				'hub.challenge'    => 'abc-123',
			)
		);
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( 'abc-123', $response->get_data() );
	}

	/**
	 * Runs WP_REST_Server::serve_request() as index.php?rest_route= would, on a server whose
	 * header() calls are recorded (a CLI process cannot send headers).
	 *
	 * @return array{0: string, 1: array<string, string>, 2: int} [body, headers, status]
	 */
	private static function serve( string $method, array $query ): array {
		global $wp_rest_server;
		$saved          = $wp_rest_server;
		$wp_rest_server = null;
		$class          = static fn () => RecordingRestServer::class;
		add_filter( 'wp_rest_server_class', $class );
		$_GET                      = $query;
		$_SERVER['REQUEST_METHOD'] = $method;
		ob_start();
		try {
			$server = rest_get_server();
			$server->serve_request( self::ROUTE );
		} finally {
			$body = (string) ob_get_clean();
			remove_filter( 'wp_rest_server_class', $class );
			$wp_rest_server            = $saved;
			$_GET                      = array();
			$_SERVER['REQUEST_METHOD'] = 'GET';
		}
		return array( $body, $server->sent_headers, $server->sent_status );
	}

	public function test_served_handshake_body_is_the_raw_challenge_not_json(): void {
		list( $body, $headers, $status ) = self::serve(
			'GET',
			array(
				'hub_mode'         => 'subscribe',
				'hub_verify_token' => WebhookSetupTest::VERIFY_TOKEN,
				'hub_challenge'    => '987654321',
			)
		);
		$this->assertSame( 200, $status );
		$this->assertSame( '987654321', $body, 'the challenge must be echoed verbatim (no JSON quotes)' );
		$this->assertStringStartsWith( 'text/plain', $headers['Content-Type'] ?? '', wp_json_encode( $headers ) );
		$this->assertSame( 'nosniff', $headers['X-Content-Type-Options'] ?? '' );

		list( $body, $headers, $status ) = self::serve(
			'GET',
			array(
				'hub_mode'         => 'subscribe',
				'hub_verify_token' => 'wrong',
				'hub_challenge'    => '987654321',
			)
		);
		$this->assertSame( 403, $status );
		$this->assertStringStartsWith( 'application/json', $headers['Content-Type'] ?? '' );
		$this->assertStringNotContainsString( '987654321', $body );
		$this->assertSame( 'cartpinger_webhook_forbidden', json_decode( $body, true )['code'] ?? null, $body );

		// Whatever the challenge is (with the right token), it goes out as inert text/plain.
		list( $body, $headers ) = self::serve(
			'GET',
			array(
				'hub_mode'         => 'subscribe',
				'hub_verify_token' => WebhookSetupTest::VERIFY_TOKEN,
				'hub_challenge'    => '<b>x</b>',
			)
		);
		$this->assertSame( '<b>x</b>', $body );
		$this->assertStringStartsWith( 'text/plain', $headers['Content-Type'] ?? '' );
	}

	public function test_handshake_refusals_are_403(): void {
		$good  = array(
			'hub_mode'         => 'subscribe',
			'hub_verify_token' => WebhookSetupTest::VERIFY_TOKEN,
			'hub_challenge'    => '42',
		);
		$cases = array(
			'wrong token'     => array( 'hub_verify_token' => WebhookSetupTest::VERIFY_TOKEN . 'x' ),
			'empty token'     => array( 'hub_verify_token' => '' ),
			'wrong mode'      => array( 'hub_mode' => 'unsubscribe' ),
			'no mode'         => array( 'hub_mode' => null ),
			'array token'     => array( 'hub_verify_token' => array( WebhookSetupTest::VERIFY_TOKEN ) ),
			'empty challenge' => array( 'hub_challenge' => '' ),
			'space challenge' => array( 'hub_challenge' => '12 34' ),
			'long challenge'  => array( 'hub_challenge' => str_repeat( '9', 257 ) ),
		);
		foreach ( $cases as $label => $change ) {
			$query    = array_filter( array_merge( $good, $change ), static fn ( $v ) => null !== $v );
			$response = self::get( $query );
			$this->assertSame( 403, $response->get_status(), $label );
			$this->assertStringNotContainsString( WebhookSetupTest::VERIFY_TOKEN, (string) wp_json_encode( $response->get_data() ), $label );
		}
	}

	public function test_handshake_without_a_configured_token_is_403(): void {
		$stored = self::raw_option( 'cartpinger_verify_token' );
		delete_option( 'cartpinger_verify_token' );
		try {
			$response = self::get( array( 'hub_mode' => 'subscribe', 'hub_verify_token' => '', 'hub_challenge' => '1' ) );
			$this->assertSame( 403, $response->get_status() );
		} finally {
			update_option( 'cartpinger_verify_token', $stored );
		}
		$response = self::get( array( 'hub_mode' => 'subscribe', 'hub_verify_token' => WebhookSetupTest::VERIFY_TOKEN, 'hub_challenge' => '1' ) );
		$this->assertSame( 200, $response->get_status(), 'restoring the stored envelope restores the handshake' );
	}

	// ------------------------------------------------------------------ POST signature

	public function test_bad_or_missing_signatures_are_401_counted_and_change_nothing(): void {
		$id     = self::seed_message( array( 'wamid' => 'wamid.IT-SIG', 'status' => 'sent' ) );
		$before = self::message( $id );
		$body   = self::statuses_body( array( array( 'wamid.IT-SIG', 'read', 1750000000 ) ) );
		$count  = (int) get_option( 'cartpinger_webhook_signature_failures', 0 );
		$cases  = array(
			'missing'      => null,
			'empty'        => '',
			'malformed'    => 'sha256=abc',
			'other secret' => Webhook::sign( $body, 'not-the-app-secret' ),
			'other body'   => Webhook::sign( $body . ' ', WebhookSetupTest::APP_SECRET ),
			'sha1'         => 'sha1=' . hash_hmac( 'sha1', $body, WebhookSetupTest::APP_SECRET ),
		);
		foreach ( $cases as $label => $signature ) {
			$response = self::post( $body, $signature );
			$this->assertSame( 401, $response->get_status(), $label );
			$this->assertSame( ++$count, (int) get_option( 'cartpinger_webhook_signature_failures' ), "{$label}: counter" );
			$this->assertSame( (string) $count, self::raw_option( 'cartpinger_webhook_signature_failures' ), "{$label}: counter stored" );
		}
		$this->assertSame( $before, self::message( $id ), 'a rejected POST changed the row' );
		$this->assertSame( array(), self::$entries, 'a rejected POST fired cartpinger_webhook_entry' );

		// Unsigned garbage is a signature failure too (not WordPress's 400 for invalid JSON).
		$response = self::post( '{"object":', null );
		$this->assertSame( 401, $response->get_status() );
	}

	public function test_without_an_app_secret_every_post_is_rejected(): void {
		$stored = self::raw_option( 'cartpinger_app_secret' );
		$body   = self::statuses_body( array( array( 'wamid.IT-SIG', 'read', 1750000000 ) ) );
		delete_option( 'cartpinger_app_secret' );
		try {
			$this->assertSame( 401, self::post( $body, Webhook::sign( $body, WebhookSetupTest::APP_SECRET ) )->get_status() );
			$this->assertSame( 401, self::post( $body, Webhook::sign( $body, '' ) )->get_status(), 'the empty key must not verify' );
		} finally {
			update_option( 'cartpinger_app_secret', $stored );
		}
	}

	public function test_signed_but_unparseable_body_is_accepted_and_ignored(): void {
		foreach ( array( '{"object":', 'not json at all', '[]', '{"object":"whatsapp_business_account"}' ) as $body ) {
			$response = self::signed( $body );
			$this->assertSame( 200, $response->get_status(), $body . ' => ' . wp_json_encode( $response->get_data() ) );
		}
		$this->assertSame( 200, self::signed( self::fixture( 'synthetic_ignored_object.json' ) )->get_status() );
		$this->assertSame( array(), self::$entries );
	}

	// ------------------------------------------------------------------ POST statuses

	public function test_a_post_stores_one_inbox_row_and_changes_nothing_until_applied(): void {
		global $wpdb;
		$id    = self::seed_message( array( 'wamid' => 'wamid.IT-INBOX', 'status' => 'sent' ) );
		$inbox = \CartPinger\Storage\Schema::webhook_inbox_table();
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $inbox ) );
		$body     = self::statuses_body( array( array( 'wamid.IT-INBOX', 'delivered', 1750000100 ) ) );
		$queries  = $wpdb->num_queries;
		$response = self::post( $body, Webhook::sign( $body, WebhookSetupTest::APP_SECRET ) );
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( $body, $wpdb->get_var( $wpdb->prepare( 'SELECT body FROM %i', $inbox ) ), 'the raw body is stored as received' );
		$this->assertSame( 'sent', self::message( $id )['status'], 'applied on the request path' );
		$this->assertLessThanOrEqual( 3, $wpdb->num_queries - $queries, 'more than the insert (and the options it reads) on the request path' );
		$this->assertSame( 1, ( new \CartPinger\Webhook\Processor() )->apply_inbox() );
		$this->assertSame( 'delivered', self::message( $id )['status'] );
		$this->assertSame( '0', (string) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', $inbox ) ), 'applied bodies are deleted' );
	}

	public function test_statuses_in_order_move_the_row_forward(): void {
		$id = self::seed_message( array( 'wamid' => 'wamid.IT-ORDER', 'status' => 'pending' ) );
		$steps = array(
			array( 'sent', 1750000100, array( 'pricing' => array( 'billable' => true, 'pricing_model' => 'PMP', 'type' => 'regular', 'category' => 'marketing' ) ) ),
			array( 'delivered', 1750000200, array() ),
			array( 'read', 1750000300, array() ),
		);
		foreach ( $steps as $step ) {
			$response = self::signed( self::statuses_body( array( array( 'wamid.IT-ORDER', $step[0], $step[1], $step[2] ) ) ) );
			$this->assertSame( 200, $response->get_status() );
			$this->assertSame( $step[0], self::message( $id )['status'] );
		}
		$row = self::message( $id );
		$this->assertSame( self::utc( 1750000100 ), $row['sent_at'] );
		$this->assertSame( self::utc( 1750000200 ), $row['delivered_at'] );
		$this->assertSame( self::utc( 1750000300 ), $row['read_at'] );
		$this->assertNull( $row['failed_at'] );
		$this->assertSame( 'marketing', $row['pricing_category'] );
		$this->assertSame( '', $row['error_code'] );
		$this->assertCount( 3, self::$entries );
		$this->assertSame( 'status', self::$entries[0]['kind'] );
		$this->assertUtcNow( self::raw_option( 'cartpinger_webhook_last_event_at' ), 'cartpinger_webhook_last_event_at' );
	}

	public function test_out_of_order_and_duplicate_deliveries_converge(): void {
		$ids    = array(
			'one batch'  => self::seed_message( array( 'wamid' => 'wamid.IT-OOO-1', 'status' => 'sent' ) ),
			'separately' => self::seed_message( array( 'wamid' => 'wamid.IT-OOO-2', 'status' => 'sent' ) ),
		);
		$events = array(
			array( 'read', 1750000300 ),
			array( 'delivered', 1750000200 ),
			array( 'delivered', 1750000200 ),
			array( 'sent', 1750000100 ),
			array( 'read', 1750000300 ),
			array( 'played', 1750000400 ),
		);
		$this->assertSame( 200, self::signed( self::statuses_body( array_map( static fn ( $e ) => array( 'wamid.IT-OOO-1', $e[0], $e[1] ), $events ) ) )->get_status() );
		foreach ( array_reverse( $events ) as $e ) {
			$this->assertSame( 200, self::signed( self::statuses_body( array( array( 'wamid.IT-OOO-2', $e[0], $e[1] ) ) ) )->get_status() );
		}
		foreach ( $ids as $label => $id ) {
			$row = self::message( $id );
			$this->assertSame( 'read', $row['status'], $label );
			$this->assertSame( self::utc( 1750000100 ), $row['sent_at'], "{$label}: sent_at keeps the earliest value" );
			$this->assertSame( self::utc( 1750000200 ), $row['delivered_at'], $label );
			$this->assertSame( self::utc( 1750000300 ), $row['read_at'], $label );
		}
		// Redelivering everything once more changes nothing but updated_at.
		$before = self::message( $ids['one batch'] );
		self::signed( self::statuses_body( array_map( static fn ( $e ) => array( 'wamid.IT-OOO-1', $e[0], $e[1] ), $events ) ) );
		$after = self::message( $ids['one batch'] );
		unset( $before['updated_at'], $after['updated_at'] );
		$this->assertSame( $before, $after );
	}

	public function test_failed_stores_code_and_message_and_is_terminal(): void {
		$id   = self::seed_message( array( 'wamid' => 'wamid.IT-FAIL', 'status' => 'sent', 'sent_at' => self::utc( 1750000100 ) ) );
		$body = self::statuses_body(
			array(
				array(
					'wamid.IT-FAIL',
					'failed',
					1750000150,
					array(
						'errors' => array(
							array(
								'code'       => 131049,
								'title'      => 'This message was not delivered to maintain healthy ecosystem engagement.',
								'message'    => 'This message was not delivered to maintain healthy ecosystem engagement.',
								'error_data' => array( 'details' => 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' ),
							),
						),
					),
				),
			)
		);
		$this->assertSame( 200, self::signed( $body )->get_status() );
		$row = self::message( $id );
		$this->assertSame( 'failed', $row['status'] );
		$this->assertSame( '131049', $row['error_code'] );
		$this->assertSame( 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.', $row['error_message'] );
		$this->assertSame( self::utc( 1750000150 ), $row['failed_at'] );

		// A late delivered (multi-device relay) records its time but does not resurrect the message.
		$this->assertSame( 200, self::signed( self::statuses_body( array( array( 'wamid.IT-FAIL', 'delivered', 1750000160 ) ) ) )->get_status() );
		$row = self::message( $id );
		$this->assertSame( 'failed', $row['status'] );
		$this->assertSame( self::utc( 1750000160 ), $row['delivered_at'] );
		$this->assertSame( self::utc( 1750000100 ), $row['sent_at'] );
		$this->assertSame( '131049', $row['error_code'] );
	}

	public function test_meta_fixture_batch_applies_statuses_and_the_stop(): void {
		$read    = self::seed_message( array( 'wamid' => self::FIXTURE_READ, 'status' => 'sent', 'phone' => '+16505551234' ) );
		$failed  = self::seed_message( array( 'wamid' => self::FIXTURE_FAILED, 'status' => 'sent', 'phone' => '+16505559876' ) );
		$pending = self::seed_message( array( 'wamid' => '', 'status' => 'pending', 'phone' => '+16505551234', 'step' => 2 ) );
		$open    = self::seed_recovery( '+16505551234', 'open' );
		$other   = self::seed_recovery( '+16505559876', 'messaged' );

		$body = self::fixture( 'synthetic_batched_out_of_order.json' );
		$this->assertSame( 200, self::signed( $body )->get_status() );

		$row = self::message( $read );
		$this->assertSame( 'read', $row['status'] );
		$this->assertSame( self::utc( 1750030100 ), $row['delivered_at'] );
		$this->assertSame( self::utc( 1750030200 ), $row['read_at'] );
		$this->assertSame( 'utility', $row['pricing_category'] );
		$row = self::message( $failed );
		$this->assertSame( 'failed', $row['status'] );
		$this->assertSame( '131026', $row['error_code'] );
		$this->assertSame( 'Message Undeliverable.', $row['error_message'] );

		// The STOP from +16505551234 in the same batch.
		$this->assertSame( 'cancelled', self::message( $pending )['status'] );
		$this->assertSame( 'read', self::message( $read )['status'], 'messages already sent are not cancelled' );
		$this->assertSame( '0', (string) self::recovery( $open )['consent'] );
		$this->assertSame( 'opted_out', self::recovery( $open )['status'] );
		$this->assertSame( '1', (string) self::recovery( $other )['consent'], 'another phone keeps its consent' );
		$this->assertSame( 'messaged', self::recovery( $other )['status'] );

		$this->assertSame( array( 'status', 'status', 'status', 'message', 'status' ), array_column( self::$entries, 'kind' ) );
		$this->assertTrue( self::$entries[3]['opt_out'] );
	}

	public function test_inbound_stop_revokes_consent_and_cancels_pending_messages(): void {
		$phone      = '+34699000111';
		$open       = self::seed_recovery( $phone, 'open' );
		$messaged   = self::seed_recovery( $phone, 'messaged' );
		$recovered  = self::seed_recovery( $phone, 'recovered' );
		$pending    = self::seed_message( array( 'phone' => $phone, 'status' => 'pending', 'wamid' => '' ) );
		$sent       = self::seed_message( array( 'phone' => $phone, 'status' => 'sent', 'wamid' => 'wamid.IT-STOP-SENT' ) );
		$other      = self::seed_message( array( 'phone' => '+34699000222', 'status' => 'pending', 'wamid' => '' ) );
		$not_a_stop = self::signed( self::inbound_text_body( '34699000111', "don't stop, I'll buy it tomorrow" ) );
		$this->assertSame( 200, $not_a_stop->get_status() );
		$this->assertSame( 'pending', self::message( $pending )['status'], 'a sentence with "stop" is not an opt-out' );
		$this->assertSame( '1', (string) self::recovery( $open )['consent'] );

		$this->assertSame( 200, self::signed( self::inbound_text_body( '34699000111', '  Stop! ' ) )->get_status() );
		foreach ( array( $open, $messaged ) as $id ) {
			$this->assertSame( '0', (string) self::recovery( $id )['consent'] );
			$this->assertSame( 'opted_out', self::recovery( $id )['status'] );
		}
		$this->assertSame( '0', (string) self::recovery( $recovered )['consent'] );
		$this->assertSame( 'recovered', self::recovery( $recovered )['status'], 'a recovered cart stays recovered' );
		$this->assertSame( 'cancelled', self::message( $pending )['status'] );
		$this->assertSame( 'sent', self::message( $sent )['status'] );
		$this->assertSame( 'pending', self::message( $other )['status'] );
		$this->assertSame( array( 'message', 'message' ), array_column( self::$entries, 'kind' ) );
	}

	public function test_quick_reply_stop_button_opts_out(): void {
		$phone    = '+34699000333';
		$open     = self::seed_recovery( $phone, 'open' );
		$withheld = self::fixture( 'synthetic_bsuid_withheld_and_unknowns.json' );
		// Number withheld and a business-scoped user id no cart carries yet: accepted, nothing to
		// match on (MetaPlatformTest covers a known BSUID and the context id).
		$this->assertSame( 200, self::signed( $withheld )->get_status() );
		$this->assertSame( 'open', self::recovery( $open )['status'] );
		$this->assertSame( array( 'status', 'status', 'message', 'message', 'account' ), array_column( self::$entries, 'kind' ) );

		$body  = str_replace( '"from_user_id": "ES.13491208655302741918",', '"from": "34699000333", "from_user_id": "ES.13491208655302741918",', $withheld );
		$stops = array_values( array_filter( Webhook::parse( $body )['events'], static fn ( $e ) => 'message' === $e['kind'] && $e['opt_out'] ) );
		$this->assertCount( 1, $stops );
		$this->assertSame( '34699000333', $stops[0]['from'] );
		$this->assertSame( 200, self::signed( $body )->get_status() );
		$this->assertSame( 'opted_out', self::recovery( $open )['status'] );
		$this->assertSame( '0', (string) self::recovery( $open )['consent'] );
	}

	public function test_callback_data_finds_a_message_whose_wamid_is_unknown(): void {
		$id = self::seed_message( array( 'wamid' => '', 'status' => 'unknown' ) );
		$body = self::statuses_body( array( array( 'wamid.IT-LATE', 'sent', 1750000500, array( 'biz_opaque_callback_data' => 'cp-msg-' . $id ) ) ) );
		$this->assertSame( 200, self::signed( $body )->get_status() );
		$row = self::message( $id );
		$this->assertSame( 'sent', $row['status'] );
		$this->assertSame( 'wamid.IT-LATE', $row['wamid'] );
		$this->assertSame( self::utc( 1750000500 ), $row['sent_at'] );

		// A bare id works too; a row that already has another wamid is not taken over.
		$bare = self::seed_message( array( 'wamid' => '', 'status' => 'claimed' ) );
		$this->assertSame( 200, self::signed( self::statuses_body( array( array( 'wamid.IT-BARE', 'delivered', 1750000600, array( 'biz_opaque_callback_data' => (string) $bare ) ) ) ) )->get_status() );
		$this->assertSame( 'delivered', self::message( $bare )['status'] );
		$this->assertSame( 'wamid.IT-BARE', self::message( $bare )['wamid'] );
		$this->assertSame( 200, self::signed( self::statuses_body( array( array( 'wamid.IT-OTHER', 'read', 1750000700, array( 'biz_opaque_callback_data' => 'cp-msg-' . $id ) ) ) ) )->get_status() );
		$this->assertSame( 'sent', self::message( $id )['status'] );
		$this->assertSame( 'wamid.IT-LATE', self::message( $id )['wamid'] );
	}

	public function test_unknown_wamids_are_ignored(): void {
		global $wpdb;
		$table  = Schema::messages_log_table();
		$before = $wpdb->get_results( $wpdb->prepare( 'SELECT id, status, wamid, sent_at, delivered_at, read_at, failed_at FROM %i ORDER BY id', $table ), ARRAY_A );
		$body   = self::statuses_body( array( array( 'wamid.NOBODY', 'read', 1750000900, array( 'biz_opaque_callback_data' => 'cp-msg-999999' ) ) ) );
		$this->assertSame( 200, self::signed( $body )->get_status() );
		$after = $wpdb->get_results( $wpdb->prepare( 'SELECT id, status, wamid, sent_at, delivered_at, read_at, failed_at FROM %i ORDER BY id', $table ), ARRAY_A );
		$this->assertSame( $before, $after );
		$this->assertCount( 1, self::$entries, 'the event is still announced' );
	}

	public function test_secrets_never_reach_the_log_or_options(): void {
		global $wpdb;
		foreach ( array( WebhookSetupTest::APP_SECRET, WebhookSetupTest::VERIFY_TOKEN ) as $secret ) {
			$hits = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_value LIKE %s", '%' . $wpdb->esc_like( $secret ) . '%' ) );
			$this->assertSame( array(), $hits );
		}
		$logs = glob( WP_CONTENT_DIR . '/uploads/wc-logs/*.log' ) ?: array();
		foreach ( $logs as $file ) {
			$text = (string) file_get_contents( $file );
			$this->assertStringNotContainsString( WebhookSetupTest::APP_SECRET, $text, basename( $file ) );
			$this->assertStringNotContainsString( WebhookSetupTest::VERIFY_TOKEN, $text, basename( $file ) );
			$this->assertStringNotContainsString( 'whatsapp_business_account', $text, basename( $file ) . ': a body was logged' );
		}
	}
}

/** WP_REST_Server that records headers and status instead of calling header(). */
final class RecordingRestServer extends \WP_REST_Server {

	/** @var array<string, string> */
	public array $sent_headers = array();

	public int $sent_status = 0;

	public function send_header( $key, $value ) {
		$this->sent_headers[ $key ] = (string) preg_replace( '/\s+/', ' ', (string) $value );
	}

	public function remove_header( $key ) {
		unset( $this->sent_headers[ $key ] );
	}

	protected function set_status( $code ) {
		$this->sent_status = (int) $code;
	}
}
