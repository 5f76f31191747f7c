<?php
/**
 * Scenario lic (woo tier, continues ap; wp-admin request as "admin"): the optional supporter
 * licence (Settings > Supporter, src/Licence/Licence.php) against a Lemon Squeezy stub.
 *
 * THE ONLY MOCK: Lemon Squeezy's License API cannot be reached from the test machine (no
 * network, and a real licence key would be needed), so tests/wp/lib/ls-stub.php answers the
 * three documented endpoints (activate / validate / deactivate, same JSON shapes and 404/400
 * errors) from PHP's built-in server on a free loopback port, and can be told to fail with 500
 * or to hang. The plugin is pointed at it with the cartpinger_license_api_base filter; the HTTP
 * goes through the real wp_remote_post() (the harness mu-plugin's "no HTTP" filter is replaced
 * by one that lets only the stub through). Everything else is real: WordPress, WooCommerce's
 * Action Scheduler, MariaDB, the vault of the cartpinger extension.
 *
 * Covered: activate ok (key stored only as an envelope: not in plaintext anywhere in the options
 * table, status/instance/dates stored, daily job scheduled on Action Scheduler), activate refused
 * (Lemon Squeezy's error shown, nothing stored), validate valid, validate with 500 / a timeout /
 * a network error (status kept, last_error recorded: never downgrade), validate invalid (cleared,
 * reason recorded and shown, job unscheduled), deactivate (remote called with the key and the
 * instance id, local state cleared), the handlers' capability and nonce checks, the admin-post
 * hooks, the Supporter tab rendering (masked key, escaped), the daily hook runs the validation.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\AdminPostHandler;
use CartPinger\Admin\SettingsPage;
use CartPinger\Admin\SetupPage;
use CartPinger\Licence\Licence;
use CartPinger\Lifecycle;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;

final class LicenceRedirectException extends \RuntimeException {
}

final class LicenceTest extends TestCase {

	public const KEY       = '38b1460a-5104-4067-a91d-77b872934d51';
	public const KEY_LIMIT = 'aaaa1111-2222-4333-8444-555566667777';

	/** @var resource|null */
	private static $server = null;
	private static string $base       = '';
	private static string $state_file = '';

	public static function setUpBeforeClass(): void {
		self::$state_file = sys_get_temp_dir() . '/cp-ls-stub-' . getmypid() . '-' . bin2hex( random_bytes( 4 ) ) . '.json';
		self::write_state(
			array(
				'keys' => array(
					self::KEY       => array( 'status' => 'active', 'limit' => 3 ),
					self::KEY_LIMIT => array( 'status' => 'active', 'limit' => 0 ),
				),
			)
		);
		$probe = stream_socket_server( 'tcp://127.0.0.1:0' );
		$name  = stream_socket_get_name( $probe, false );
		fclose( $probe );
		$port = (int) substr( $name, strrpos( $name, ':' ) + 1 );
		$env  = getenv();
		$env['CARTPINGER_LS_STUB_STATE'] = self::$state_file;
		$proc = proc_open(
			array( PHP_BINARY, '-n', '-S', '127.0.0.1:' . $port, dirname( __DIR__ ) . '/lib/ls-stub.php' ),
			array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'file', '/dev/null', 'w' ), 2 => array( 'file', '/dev/null', 'w' ) ),
			$pipes,
			null,
			$env
		);
		if ( ! is_resource( $proc ) ) {
			throw new \RuntimeException( 'could not start the Lemon Squeezy stub' );
		}
		self::$server = $proc;
		self::$base   = 'http://127.0.0.1:' . $port;
		for ( $i = 0; $i < 100; $i++ ) {
			$s = @fsockopen( '127.0.0.1', $port, $errno, $errstr, 0.1 );
			if ( $s ) {
				fclose( $s );
				return;
			}
			usleep( 50000 );
		}
		throw new \RuntimeException( 'the Lemon Squeezy stub did not start' );
	}

	public static function tearDownAfterClass(): void {
		if ( is_resource( self::$server ) ) {
			proc_terminate( self::$server );
			proc_close( self::$server );
		}
		@unlink( self::$state_file );
		@unlink( self::$state_file . '.lock' );
	}

	protected function setUp(): void {
		parent::setUp();
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		$_POST    = array();
		$_REQUEST = array();
		$_GET     = array();
		// The harness blocks all HTTP; let only the stub through.
		remove_all_filters( 'pre_http_request' );
		add_filter(
			'pre_http_request',
			static function ( $pre, $args, $url ) {
				return str_starts_with( (string) $url, self::$base . '/' ) ? $pre : new \WP_Error( 'http_request_failed', 'cartpinger-it: no HTTP (' . $url . ')' );
			},
			10,
			3
		);
		add_filter( 'cartpinger_license_api_base', array( self::class, 'api_base' ) );
		self::set_mode( 'ok' );
	}

	protected function tearDown(): void {
		remove_filter( 'cartpinger_license_api_base', array( self::class, 'api_base' ) );
		$_GET = array();
		parent::tearDown();
	}

	public static function api_base(): string {
		return self::$base;
	}

	private static function read_state(): array {
		clearstatcache();
		return json_decode( (string) file_get_contents( self::$state_file ), true ) ?: array();
	}

	private static function write_state( array $state ): void {
		file_put_contents( self::$state_file, json_encode( $state ) );
	}

	private static function set_mode( string $mode, int $hang = 3 ): void {
		$s                 = self::read_state();
		$s['mode']         = $mode;
		$s['hang_seconds'] = $hang;
		self::write_state( $s );
	}

	private static function requests(): array {
		return self::read_state()['requests'] ?? array();
	}

	private static function clear_requests(): void {
		$s             = self::read_state();
		$s['requests'] = array();
		self::write_state( $s );
	}

	private static function set_key_status( string $key, string $status ): void {
		$s                           = self::read_state();
		$s['keys'][ $key ]['status'] = $status;
		self::write_state( $s );
	}

	private static function page(): SettingsPage {
		return new SettingsPage( new Settings( new SecretBox() ), new Licence() );
	}

	private static function render_tab(): string {
		$_GET = array( 'tab' => 'supporter' );
		ob_start();
		try {
			self::page()->render();
		} finally {
			$html = (string) ob_get_clean();
		}
		$_GET = array();
		return $html;
	}

	private static function post( string $action, array $values = array(), ?string $nonce = null ): void {
		$_POST    = wp_slash( array( 'action' => $action, '_wpnonce' => $nonce ?? wp_create_nonce( $action ) ) + $values );
		$_REQUEST = $_POST;
	}

	private static function option_rows_containing( string $needle ): array {
		global $wpdb;
		return $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_value LIKE %s", '%' . $wpdb->esc_like( $needle ) . '%' ) );
	}

	private static function as_scheduled(): bool {
		return (bool) as_has_scheduled_action( Licence::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP );
	}

	/** Starts from an active licence (through the real activation). */
	private static function ensure_active(): Licence {
		$licence = new Licence();
		if ( ! $licence->is_active() ) {
			$outcome = $licence->activate( self::KEY );
			if ( ! $outcome['ok'] ) {
				throw new \RuntimeException( 'activation failed: ' . $outcome['message'] );
			}
		}
		return $licence;
	}

	// ------------------------------------------------------------------ tests

	public function test_nothing_active_at_first_and_the_tab_offers_activation(): void {
		$licence = new Licence();
		$this->assertFalse( $licence->is_active() );
		$this->assertSame( 'none', $licence->validate(), 'no licence: nothing to validate, no request' );
		$this->assertSame( array(), self::requests() );
		$html = self::render_tab();
		$this->assertStringContainsString( 'data-status="inactive"', $html );
		$this->assertStringContainsString( 'name="action" value="' . SettingsPage::LICENCE_ACTIVATE . '"', $html );
		$this->assertStringContainsString( 'name="license_key"', $html );
		$this->assertStringNotContainsString( 'ls_webhook_secret', $html );
		$this->assertFalse( self::as_scheduled() );
	}

	public function test_activation_refused_shows_the_error_and_stores_nothing(): void {
		self::post( SettingsPage::LICENCE_ACTIVATE, array( 'license_key' => '00000000-dead-beef-0000-000000000000' ) );
		$url = self::page()->licence_activate_from_request();
		$this->assertStringContainsString( 'tab=supporter', $url );
		$this->assertStringContainsString( 'license=error', $url );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );
		$this->assertFalse( get_option( Licence::STATE_OPTION ) );
		$this->assertSame( array(), self::option_rows_containing( '00000000-dead-beef' ) );
		$this->assertFalse( self::as_scheduled() );
		$html = self::render_tab();
		$this->assertStringContainsString( 'cartpinger-license-notice', $html );
		$this->assertStringContainsString( 'notice-error', $html );
		$this->assertStringContainsString( 'The licence was not activated: license_key not found.', $html );

		// Activation limit reached (400): the same.
		$outcome = ( new Licence() )->activate( self::KEY_LIMIT );
		$this->assertFalse( $outcome['ok'] );
		$this->assertStringContainsString( 'activation limit', $outcome['message'] );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );

		// Lemon Squeezy down: refused too, with the HTTP status.
		self::set_mode( 'fail500' );
		$outcome = ( new Licence() )->activate( self::KEY );
		$this->assertFalse( $outcome['ok'] );
		$this->assertStringContainsString( 'HTTP 500', $outcome['message'] );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );

		// A malformed key never reaches the network.
		self::set_mode( 'ok' );
		self::clear_requests();
		$this->assertFalse( ( new Licence() )->activate( "<script>x</script>" )['ok'] );
		$this->assertSame( array(), self::requests() );
	}

	public function test_activation_stores_the_key_encrypted_and_schedules_the_daily_job(): void {
		self::clear_requests();
		self::post( SettingsPage::LICENCE_ACTIVATE, array( 'license_key' => '  ' . self::KEY . ' ' ) );
		$url = self::page()->licence_activate_from_request();
		$this->assertStringContainsString( 'license=ok', $url );

		$requests = self::requests();
		$this->assertCount( 1, $requests );
		$this->assertSame( '/v1/licenses/activate', $requests[0]['path'] );
		$this->assertSame( self::KEY, $requests[0]['fields']['license_key'] );
		$this->assertSame( get_bloginfo( 'name' ), $requests[0]['fields']['instance_name'] );
		$this->assertSame( 'application/json', $requests[0]['accept'] );

		// Encrypted: the raw option is an envelope, and the key is nowhere in wp_options.
		$raw = get_option( Licence::KEY_OPTION );
		$this->assertIsString( $raw );
		$this->assertNotSame( '', $raw );
		$this->assertStringNotContainsString( self::KEY, $raw );
		$this->assertStringNotContainsString( '77b872934d51', $raw );
		$this->assertSame( array(), self::option_rows_containing( self::KEY ) );
		$this->assertSame( array(), self::option_rows_containing( '77b872934d51' ) );
		$this->assertSame( self::KEY, ( new Licence() )->key() );
		// Bound to its option name: under another option it cannot be opened.
		try {
			( new SecretBox() )->open( $raw, 'cartpinger_access_token' );
			$this->fail( 'the envelope opened under another option name' );
		} catch ( \RuntimeException $e ) {
			$this->addToAssertionCount( 1 );
		}

		$state = ( new Licence() )->state();
		$this->assertSame( 'active', $state['status'] );
		$instances = self::read_state()['instances'];
		$this->assertArrayHasKey( $state['instance_id'], $instances );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $state['activated_at'] );
		// Not autoloaded: 'no' before WordPress 6.6, 'off' since (wp_set_option_autoload_values()).
		$this->assertContains( $GLOBALS['wpdb']->get_var( $GLOBALS['wpdb']->prepare( "SELECT autoload FROM {$GLOBALS['wpdb']->options} WHERE option_name = %s", Licence::STATE_OPTION ) ), array( 'no', 'off' ) );

		// The daily job, on Action Scheduler (WooCommerce's), in the plugin's group, about a day out.
		$this->assertTrue( self::as_scheduled() );
		$next = as_next_scheduled_action( Licence::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP );
		$this->assertIsInt( $next );
		$this->assertEqualsWithDelta( time() + DAY_IN_SECONDS, $next, 120 );
		$this->assertFalse( wp_next_scheduled( Licence::HOOK ), 'no WP-Cron duplicate when Action Scheduler runs it' );

		// The tab: active, masked key, Deactivate form; the key itself never printed.
		$html = self::render_tab();
		$this->assertStringContainsString( 'notice-success', $html );
		$this->assertStringContainsString( 'data-status="active"', $html );
		$this->assertStringContainsString( '••••••••4d51', $html );
		$this->assertStringNotContainsString( self::KEY, $html );
		$this->assertStringContainsString( 'name="action" value="' . SettingsPage::LICENCE_DEACTIVATE . '"', $html );
		$this->assertStringNotContainsString( 'name="license_key"', $html );
		$this->assertStringContainsString( 'cartpinger-license-validated', $html );

		// Activating again while active is refused without a request.
		self::clear_requests();
		$this->assertFalse( ( new Licence() )->activate( self::KEY )['ok'] );
		$this->assertSame( array(), self::requests() );
	}

	public function test_validate_valid_updates_the_time(): void {
		$licence = self::ensure_active();
		$state   = $licence->state();
		update_option( Licence::STATE_OPTION, array( 'validated_at' => '2020-01-01 00:00:00' ) + $state, false );
		self::clear_requests();
		$this->assertSame( 'valid', $licence->validate() );
		$requests = self::requests();
		$this->assertCount( 1, $requests );
		$this->assertSame( '/v1/licenses/validate', $requests[0]['path'] );
		$this->assertSame( self::KEY, $requests[0]['fields']['license_key'] );
		$this->assertSame( $state['instance_id'], $requests[0]['fields']['instance_id'] );
		$after = $licence->state();
		$this->assertSame( 'active', $after['status'] );
		$this->assertNotSame( '2020-01-01 00:00:00', $after['validated_at'] );
		$this->assertSame( '', $after['last_error'] );
	}

	public function test_network_errors_never_downgrade(): void {
		$licence = self::ensure_active();
		$before  = $licence->state();

		// HTTP 500.
		self::set_mode( 'fail500' );
		$this->assertSame( 'kept', $licence->validate() );
		$state = $licence->state();
		$this->assertSame( 'active', $state['status'] );
		$this->assertSame( $before['instance_id'], $state['instance_id'] );
		$this->assertSame( 'HTTP 500', $state['last_error'] );
		$this->assertSame( self::KEY, $licence->key() );
		$this->assertTrue( self::as_scheduled() );
		$html = self::render_tab();
		$this->assertStringContainsString( 'data-status="active"', $html );
		$this->assertStringContainsString( 'Could not reach Lemon Squeezy', $html );
		$this->assertStringContainsString( 'HTTP 500', $html );

		// A timeout (the stub hangs longer than the client waits; the 10 s default is shortened
		// for the test through WordPress's own http_request_args filter).
		self::set_mode( 'hang', 3 );
		$short = static function ( $args ) {
			$args['timeout'] = 1;
			return $args;
		};
		add_filter( 'http_request_args', $short );
		try {
			$t0 = microtime( true );
			$this->assertSame( 'kept', $licence->validate() );
			$this->assertLessThan( 2.9, microtime( true ) - $t0 );
		} finally {
			remove_filter( 'http_request_args', $short );
		}
		$state = $licence->state();
		$this->assertSame( 'active', $state['status'] );
		$this->assertStringContainsStringIgnoringCase( 'timed out', $state['last_error'] );
		sleep( 3 ); // Let the single-threaded stub finish the hanging request.

		// Connection refused (nothing listening).
		self::set_mode( 'ok' );
		$dead = static fn() => 'http://127.0.0.1:9';
		remove_all_filters( 'pre_http_request' );
		add_filter( 'cartpinger_license_api_base', $dead, 20 );
		try {
			$this->assertSame( 'kept', $licence->validate() );
		} finally {
			remove_filter( 'cartpinger_license_api_base', $dead, 20 );
		}
		$this->assertSame( 'active', $licence->state()['status'] );
		$this->assertNotSame( '', $licence->state()['last_error'] );

		// The real filter value: the request went where the filter said.
		$this->assertSame( self::$base, Licence::api_base() );

		// Back online: a valid answer clears last_error.
		$this->assertSame( 'valid', $licence->validate() );
		$this->assertSame( '', $licence->state()['last_error'] );
	}

	public function test_daily_hook_runs_the_validation(): void {
		$licence = self::ensure_active();
		if ( ! has_action( Licence::HOOK ) ) {
			// Until Plugin.php wires Licence (see the report), register it here.
			$licence->register();
		}
		self::clear_requests();
		do_action( Licence::HOOK );
		$paths = array_column( self::requests(), 'path' );
		$this->assertContains( '/v1/licenses/validate', $paths );

		// A lost schedule is repaired on action_scheduler_init, checked at most once an hour.
		as_unschedule_all_actions( Licence::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP );
		$this->assertFalse( self::as_scheduled() );
		Lifecycle::check_done( 'licence', 0 ); // Forget the last hourly check.
		$licence->action_schedule_as();
		$this->assertTrue( self::as_scheduled(), 'rescheduled' );
		as_unschedule_all_actions( Licence::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP );
		$licence->action_schedule_as();
		$this->assertFalse( self::as_scheduled(), 'not checked again within the hour' );
		$licence->action_schedule(); // WP-Cron path: a no-op while Action Scheduler runs the job.
		$this->assertFalse( wp_next_scheduled( Licence::HOOK ) );
		$licence->schedule();
		$this->assertTrue( self::as_scheduled() );
	}

	public function test_invalid_answer_clears_the_licence_and_records_the_reason(): void {
		$licence = self::ensure_active();
		self::set_key_status( self::KEY, 'expired' );
		try {
			$this->assertSame( 'invalid', $licence->validate() );
		} finally {
			self::set_key_status( self::KEY, 'active' );
		}
		$state = $licence->state();
		$this->assertSame( '', $state['status'] );
		$this->assertSame( '', $state['instance_id'] );
		$this->assertSame( 'expired', $state['reason'] );
		$this->assertNotSame( '', $state['validated_at'] );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );
		$this->assertFalse( self::as_scheduled(), 'no daily job without an active licence' );
		$html = self::render_tab();
		$this->assertStringContainsString( 'data-status="inactive"', $html );
		$this->assertStringContainsString( 'Lemon Squeezy no longer accepts this licence: expired', $html );

		// An instance Lemon Squeezy no longer knows (404, valid=false, error text) also clears.
		$licence = self::ensure_active();
		$s       = self::read_state();
		$s['instances'] = array();
		self::write_state( $s );
		$this->assertSame( 'invalid', $licence->validate() );
		$this->assertSame( 'license_key instance not found.', $licence->state()['reason'] );
		$this->assertFalse( $licence->is_active() );
	}

	public function test_reason_is_escaped(): void {
		update_option( Licence::STATE_OPTION, array( 'status' => '', 'reason' => '<img src=x onerror=alert(1)>', 'validated_at' => '2026-01-01 00:00:00' ), false );
		$html = self::render_tab();
		$this->assertStringNotContainsString( '<img src=x', $html );
		$this->assertStringContainsString( '&lt;img src=x', $html );
		delete_option( Licence::STATE_OPTION );
	}

	public function test_deactivation_calls_lemon_squeezy_and_clears_locally(): void {
		$licence  = self::ensure_active();
		$instance = $licence->state()['instance_id'];
		$this->assertArrayHasKey( $instance, self::read_state()['instances'] );
		self::clear_requests();
		self::post( SettingsPage::LICENCE_DEACTIVATE );
		$url = self::page()->licence_deactivate_from_request();
		$this->assertStringContainsString( 'license=ok', $url );
		$requests = self::requests();
		$this->assertCount( 1, $requests );
		$this->assertSame( '/v1/licenses/deactivate', $requests[0]['path'] );
		$this->assertSame( self::KEY, $requests[0]['fields']['license_key'] );
		$this->assertSame( $instance, $requests[0]['fields']['instance_id'] );
		$this->assertArrayNotHasKey( $instance, self::read_state()['instances'], 'freed at Lemon Squeezy' );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );
		$this->assertFalse( get_option( Licence::STATE_OPTION ) );
		$this->assertFalse( self::as_scheduled() );
		$this->assertStringContainsString( 'Licence deactivated.', self::render_tab() );

		// Lemon Squeezy down: cleared locally anyway, and the admin is told.
		$licence = self::ensure_active();
		self::set_mode( 'fail500' );
		$outcome = $licence->deactivate();
		$this->assertTrue( $outcome['ok'] );
		$this->assertStringContainsString( 'did not confirm', $outcome['message'] );
		$this->assertFalse( $licence->is_active() );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );
	}

	public function test_handlers_require_the_nonce_and_the_capability(): void {
		self::clear_requests();
		self::post( SettingsPage::LICENCE_ACTIVATE, array( 'license_key' => self::KEY ), 'not-a-nonce' );
		try {
			self::page()->licence_activate_from_request();
			$this->fail( 'a bad nonce was accepted' );
		} catch ( WpDieException $e ) {
			$this->assertStringContainsString( 'wp_die()', $e->getMessage() );
		}
		// A nonce of the other form is not enough either.
		self::post( SettingsPage::LICENCE_ACTIVATE, array( 'license_key' => self::KEY ), wp_create_nonce( SettingsPage::LICENCE_DEACTIVATE ) );
		try {
			self::page()->licence_activate_from_request();
			$this->fail( 'the deactivate nonce activated' );
		} catch ( WpDieException $e ) {
			$this->assertStringContainsString( 'wp_die()', $e->getMessage() );
		}
		$this->assertSame( array(), self::requests() );
		$this->assertFalse( get_option( Licence::KEY_OPTION ) );

		$licence = self::ensure_active();
		self::clear_requests();
		$uid = username_exists( 'it-lic-subscriber' ) ?: wp_insert_user(
			array(
				'user_login' => 'it-lic-subscriber',
				'user_pass'  => wp_generate_password(),
				'user_email' => 'it-lic-subscriber@example.com',
				'role'       => 'subscriber',
			)
		);
		$this->assertIsInt( $uid );
		wp_set_current_user( $uid );
		foreach ( array( SettingsPage::LICENCE_ACTIVATE => 'licence_activate_from_request', SettingsPage::LICENCE_DEACTIVATE => 'licence_deactivate_from_request' ) as $action => $method ) {
			self::post( $action, array( 'license_key' => self::KEY ) );
			try {
				self::page()->$method();
				$this->fail( "a subscriber ran $action" );
			} catch ( WpDieException $e ) {
				$this->assertStringContainsString( 'not allowed', $e->getMessage() );
			}
		}
		$this->assertSame( array(), self::requests() );
		$this->assertTrue( $licence->is_active(), 'still active' );
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
	}

	public function test_admin_post_hooks_run_the_handlers_and_redirect(): void {
		$store = new Store();
		$settings = new Settings( new SecretBox() );
		( new AdminPostHandler( self::page(), new SetupPage( $settings, $store, new Runner( $settings, $store ) ) ) )->register();
		$redirect = static function ( $location ) {
			throw new LicenceRedirectException( (string) $location );
		};
		add_filter( 'wp_redirect', $redirect );
		try {
			self::ensure_active();
			self::post( SettingsPage::LICENCE_DEACTIVATE );
			try {
				do_action( 'admin_post_' . SettingsPage::LICENCE_DEACTIVATE );
				$this->fail( 'no redirect' );
			} catch ( LicenceRedirectException $e ) {
				$this->assertStringContainsString( 'page=cartpinger-settings', $e->getMessage() );
				$this->assertStringContainsString( 'tab=supporter', $e->getMessage() );
			}
			$this->assertFalse( ( new Licence() )->is_active() );
			self::post( SettingsPage::LICENCE_ACTIVATE, array( 'license_key' => self::KEY ) );
			try {
				do_action( 'admin_post_' . SettingsPage::LICENCE_ACTIVATE );
				$this->fail( 'no redirect' );
			} catch ( LicenceRedirectException $e ) {
				$this->assertStringContainsString( 'license=ok', $e->getMessage() );
			}
			$this->assertTrue( ( new Licence() )->is_active() );
		} finally {
			remove_filter( 'wp_redirect', $redirect );
		}
	}

	public function test_plugin_deactivation_unschedules_the_daily_job(): void {
		self::ensure_active();
		$this->assertTrue( self::as_scheduled() );
		Lifecycle::deactivate_site();
		$this->assertFalse( self::as_scheduled() );
		$this->assertFalse( wp_next_scheduled( Licence::HOOK ) );
	}
}
