<?php
/**
 * Scenario ap (woo tier, continues r0 = WebhookSetupTest; wp-admin request as "admin"): the
 * Settings page save handler and the Setup wizard / doctor, against the real Cloud API sandbox.
 *
 * Settings: saving one tab writes only that tab's keys (other tabs unchanged), unchecked
 * switches of the tab become '0', secrets left blank or '***' are kept, an invalid value writes
 * nothing and leaves the message and field for the next render, the nonce and the capability
 * are required, the admin-post hook redirects. Setup: credentials check (ok and Meta's error),
 * the verify token generated once, the test message (kind 'test', a real first reminder, lands in the
 * sandbox with a wamid), the doctor rows (green with the sandbox; red for a missing template,
 * a stale heartbeat, a paused queue), finish sets the onboarding option.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\AdminPostHandler;
use CartPinger\Admin\SettingsPage;
use CartPinger\Admin\SetupPage;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Rest\WebhookController;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';
require_once __DIR__ . '/WebhookSetupTest.php';

final class RedirectException extends \RuntimeException {
}

final class AdminPagesTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	public static function setUpBeforeClass(): void {
		self::$sandbox = new SandboxProcess();
	}

	public static function tearDownAfterClass(): void {
		self::$sandbox = null;
	}

	protected function setUp(): void {
		parent::setUp();
		wp_set_current_user( (int) get_user_by( 'login', 'admin' )->ID );
		$_POST    = array();
		$_REQUEST = array();
		delete_transient( SettingsPage::ERROR_TRANSIENT . get_current_user_id() );
		delete_transient( SetupPage::OUTCOME_TRANSIENT . get_current_user_id() );
	}

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	private static function setup_page(): SetupPage {
		$store = new Store();
		return new SetupPage( self::settings(), $store, new Runner( self::settings(), $store ) );
	}

	/** Fakes the POST of a settings tab (fresh nonce unless given). */
	private static function post_tab( string $tab, array $values, ?string $nonce = null ): void {
		$nonce    = $nonce ?? wp_create_nonce( SettingsPage::NONCE );
		$_POST    = wp_slash(
			array(
				'action'           => SettingsPage::ACTION,
				'tab'              => $tab,
				'_wpnonce'         => $nonce,
				SettingsPage::FIELD => $values,
			)
		);
		$_REQUEST = $_POST;
	}

	private static function post_action( string $action, array $values ): void {
		$_POST    = wp_slash( array( 'action' => $action, '_wpnonce' => wp_create_nonce( $action ) ) + $values );
		$_REQUEST = $_POST;
	}

	private static function render( callable $render ): string {
		ob_start();
		try {
			$render();
		} finally {
			$html = (string) ob_get_clean();
		}
		return $html;
	}

	// ------------------------------------------------------------------ settings page

	public function test_saving_one_tab_keeps_the_other_tabs(): void {
		$settings = self::settings();
		$this->assertTrue( $settings->update( array( 'support_phone' => '+34612345678', 'widget_enabled' => '1', 'log_level' => 'debug' ) ) );
		$token_before = get_option( 'cartpinger_verify_token' );

		// Recovery tab: only a few fields posted; unchecked switches of this tab become '0'.
		self::post_tab(
			'recovery',
			array(
				'recovery_enabled'       => '1',
				'recovery_delay_minutes' => '45',
				'coupon_type'            => 'fixed_cart',
				'quiet_hours_start'      => '22:30',
				// A key of another tab smuggled in is ignored.
				'support_phone'          => '+34699999999',
			)
		);
		$url = ( new SettingsPage( self::settings() ) )->save_from_request();
		$this->assertStringContainsString( 'updated=1', $url );
		$this->assertStringContainsString( 'tab=recovery', $url );

		$s = self::settings();
		$this->assertSame( '45', $s->get( 'recovery_delay_minutes' ) );
		$this->assertSame( 'fixed_cart', $s->get( 'coupon_type' ) );
		$this->assertSame( '22:30', $s->get( 'quiet_hours_start' ) );
		$this->assertTrue( $s->get( 'recovery_enabled' ) );
		foreach ( array( 'enable_followups', 'followup_2_enabled', 'enable_auto_coupon', 'quiet_hours_enabled', 'us_marketing_guard' ) as $switch ) {
			$this->assertSame( '0', get_option( 'cartpinger_' . $switch ), "$switch unchecked saved as '0'" );
		}
		// Not posted, not a switch: untouched (still the default, no option written).
		$this->assertFalse( get_option( 'cartpinger_followup_1_hours' ) );
		// Other tabs untouched.
		$this->assertSame( '+34612345678', $s->get( 'support_phone' ) );
		$this->assertTrue( $s->get( 'widget_enabled' ) );
		$this->assertSame( 'debug', $s->get( 'log_level' ) );
		$this->assertSame( $token_before, get_option( 'cartpinger_verify_token' ) );
		$this->assertTrue( $s->get( 'notify_processing' ) );
	}

	public function test_blank_secrets_are_kept_and_new_ones_saved(): void {
		$settings = self::settings();
		$this->assertTrue( $settings->set_secret( 'access_token', 'tok-original' ) );
		$app_secret = $settings->get_secret( 'app_secret' );
		$this->assertSame( WebhookSetupTest::APP_SECRET, $app_secret );

		self::post_tab(
			'whatsapp',
			array(
				'phone_number_id'   => '123456',
				'waba_id'           => '654321',
				'access_token'      => '',
				'app_secret'        => Settings::MASK,
				'verify_token'      => 'new_verify-token',
				'graph_api_version' => 'v25.0',
				// Unchanged: a new address would discard the token and app secret (ConsentAbuseTest).
				'graph_base_url'    => (string) $settings->get( 'graph_base_url' ),
			)
		);
		$url = ( new SettingsPage( self::settings() ) )->save_from_request();
		$this->assertStringContainsString( 'updated=1', $url );
		$s = self::settings();
		$this->assertSame( 'tok-original', $s->get_secret( 'access_token' ) );
		$this->assertSame( WebhookSetupTest::APP_SECRET, $s->get_secret( 'app_secret' ) );
		$this->assertSame( 'new_verify-token', $s->get_secret( 'verify_token' ) );
		$this->assertSame( '123456', $s->get( 'phone_number_id' ) );

		// The form never prints a secret; a set secret shows the placeholder.
		$_GET = array( 'tab' => 'whatsapp' );
		$html = self::render( array( new SettingsPage( self::settings() ), 'render' ) );
		$this->assertStringNotContainsString( 'tok-original', $html );
		$this->assertStringNotContainsString( 'new_verify-token', $html );
		$this->assertStringNotContainsString( WebhookSetupTest::APP_SECRET, $html );
		$this->assertSame( 3, substr_count( $html, 'placeholder="Saved — leave blank to keep"' ) );
		$this->assertStringContainsString( 'value="123456"', $html );
		$_GET = array();
	}

	public function test_invalid_value_writes_nothing_and_reports_the_field(): void {
		$before = get_option( 'cartpinger_recovery_delay_minutes' );
		self::post_tab(
			'recovery',
			array(
				'recovery_delay_minutes' => '9',
				'holdout_percent'        => '77',
			)
		);
		$url = ( new SettingsPage( self::settings() ) )->save_from_request();
		$this->assertStringContainsString( 'settings-error=1', $url );
		$this->assertSame( $before, get_option( 'cartpinger_recovery_delay_minutes' ), 'nothing written when a value is invalid' );
		$error = get_transient( SettingsPage::ERROR_TRANSIENT . get_current_user_id() );
		$this->assertSame( 'holdout_percent', $error['field'] );
		$this->assertSame( 'Enter a whole number from 0 to 50.', $error['message'] );

		$_GET = array( 'tab' => 'recovery' );
		$html = self::render( array( new SettingsPage( self::settings() ), 'render' ) );
		$this->assertStringContainsString( 'data-field="holdout_percent"', $html );
		$this->assertStringContainsString( 'Enter a whole number from 0 to 50.', $html );
		$this->assertStringContainsString( 'Settings not saved: Hold-out group', $html );
		// What was typed stays in the form, and the error sits at its field.
		$this->assertMatchesRegularExpression( '#id="cartpinger-recovery-delay-minutes" name="cartpinger\[recovery_delay_minutes\]" value="9"#', $html, 'typed input kept' );
		$this->assertMatchesRegularExpression( '#id="cartpinger-holdout-percent" name="cartpinger\[holdout_percent\]" value="77"[^>]*aria-invalid="true"#', $html, 'the bad value kept and marked' );
		$this->assertMatchesRegularExpression( '#<p class="cartpinger-field-error" role="alert">Enter a whole number from 0 to 50.</p>#', $html, 'error at the field' );
		$this->assertSame( 1, substr_count( $html, 'class="cartpinger-section cartpinger-step"' ) > 0 ? 1 : 0, 'the recovery tab is a timeline of steps' );
		// Shown once.
		$this->assertFalse( get_transient( SettingsPage::ERROR_TRANSIENT . get_current_user_id() ) );
		$_GET = array();
	}

	public function test_phone_fields_read_national_numbers_with_the_store_country_and_filters_are_named(): void {
		update_option( 'woocommerce_default_country', 'ES' );
		$settings = self::settings();
		$this->assertTrue( $settings->set( 'support_phone', '612 345 678' ) );
		$this->assertSame( '+34612345678', $settings->get( 'support_phone' ) );
		$this->assertTrue( is_wp_error( $settings->set( 'support_phone', 'call me' ) ) );
		// A filter that changes the policy is named at the field it overrides.
		$filter = static function ( $policy ) {
			$policy['delay'] = 20;
			return $policy;
		};
		add_filter( 'cartpinger_recovery_policy', $filter );
		$_GET = array( 'tab' => 'recovery' );
		$html = self::render( array( new SettingsPage( self::settings() ), 'render' ) );
		remove_filter( 'cartpinger_recovery_policy', $filter );
		$_GET = array();
		$this->assertStringContainsString( 'Changed by code on this site (the cartpinger_recovery_policy filter): CartPinger uses 20 seconds', $html );
		$this->assertSame( 1, substr_count( $html, 'class="cartpinger-overridden"' ), 'only the overridden field says so' );
	}

	public function test_field_label_and_message_are_escaped(): void {
		set_transient(
			SettingsPage::ERROR_TRANSIENT . get_current_user_id(),
			array(
				'message' => '<script>alert(1)</script>',
				'field'   => '"><img src=x onerror=alert(1)>',
			),
			60
		);
		$html = self::render( array( new SettingsPage( self::settings() ), 'render' ) );
		$this->assertStringNotContainsString( '<script>alert(1)', $html );
		$this->assertStringNotContainsString( '<img src=x', $html );
		$this->assertStringContainsString( '&lt;script&gt;', $html );
	}

	public function test_bad_nonce_is_refused(): void {
		$before = get_option( 'cartpinger_log_level' );
		self::post_tab( 'advanced', array( 'log_level' => 'error' ), 'not-a-nonce' );
		try {
			( new SettingsPage( self::settings() ) )->save_from_request();
			$this->fail( 'a bad nonce was accepted' );
		} catch ( WpDieException $e ) {
			$this->assertStringContainsString( 'wp_die()', $e->getMessage() );
		}
		$this->assertSame( $before, get_option( 'cartpinger_log_level' ) );
	}

	public function test_user_without_capability_is_refused(): void {
		$uid = wp_insert_user(
			array(
				'user_login' => 'it-ap-subscriber',
				'user_pass'  => wp_generate_password(),
				'user_email' => 'it-ap-subscriber@example.com',
				'role'       => 'subscriber',
			)
		);
		$this->assertIsInt( $uid );
		wp_set_current_user( $uid );
		$before = get_option( 'cartpinger_log_level' );
		self::post_tab( 'advanced', array( 'log_level' => 'error' ) );
		try {
			( new SettingsPage( self::settings() ) )->save_from_request();
			$this->fail( 'a subscriber saved settings' );
		} catch ( WpDieException $e ) {
			$this->assertStringContainsString( 'not allowed', $e->getMessage() );
		}
		self::post_action( SetupPage::ACTION_FINISH, array() );
		try {
			self::setup_page()->finish_from_request();
			$this->fail( 'a subscriber finished the wizard' );
		} catch ( WpDieException $e ) {
			$this->assertStringContainsString( 'not allowed', $e->getMessage() );
		}
		$this->assertSame( $before, get_option( 'cartpinger_log_level' ) );
		$this->assertNotSame( '1', get_option( SetupPage::ONBOARDING_OPTION ) );
	}

	public function test_admin_post_hook_saves_and_redirects(): void {
		( new AdminPostHandler( new SettingsPage( self::settings() ), self::setup_page() ) )->register();
		$redirect = static function ( $location ) {
			throw new RedirectException( (string) $location );
		};
		add_filter( 'wp_redirect', $redirect );
		self::post_tab( 'advanced', array( 'retention_days' => '90', 'log_level' => 'info' ) );
		try {
			do_action( 'admin_post_' . SettingsPage::ACTION );
			$this->fail( 'no redirect' );
		} catch ( RedirectException $e ) {
			$this->assertStringContainsString( 'page=cartpinger-settings', $e->getMessage() );
			$this->assertStringContainsString( 'updated=1', $e->getMessage() );
		} finally {
			remove_filter( 'wp_redirect', $redirect );
		}
		$this->assertSame( '90', self::settings()->get( 'retention_days' ) );
		$this->assertSame( '0', get_option( 'cartpinger_delete_data_on_uninstall' ) );
	}

	public function test_supporter_tab_has_only_the_licence_form(): void {
		$_GET = array( 'tab' => 'supporter' );
		$html = self::render( array( new SettingsPage( self::settings() ), 'render' ) );
		$this->assertStringContainsString( 'cartpinger-tab-supporter', $html );
		// The licence form (scenario lic covers it), never the settings save form.
		$this->assertSame( 1, substr_count( $html, '<form' ) );
		$this->assertStringContainsString( 'cartpinger-license-form', $html );
		$this->assertStringNotContainsString( 'value="' . SettingsPage::ACTION . '"', $html );
		$this->assertStringNotContainsString( 'ls_webhook_secret', $html );
		$_GET = array();
	}

	// ------------------------------------------------------------------ setup wizard and doctor

	public function test_credentials_step_checks_with_meta(): void {
		// A new Graph address discards the app secret: the administrator re-enters it with it.
		$this->assertTrue( self::settings()->update( array( 'graph_base_url' => self::$sandbox->base, 'app_secret' => WebhookSetupTest::APP_SECRET ) ) );
		self::post_action(
			SetupPage::ACTION_CREDENTIALS,
			array(
				SettingsPage::FIELD => array(
					'phone_number_id' => SandboxProcess::PHONE_NUMBER_ID,
					'waba_id'         => SandboxProcess::WABA_ID,
					'access_token'    => 'wrong-token',
					'app_secret'      => '',
				),
			)
		);
		$url     = self::setup_page()->save_credentials_from_request();
		$outcome = get_transient( SetupPage::OUTCOME_TRANSIENT . get_current_user_id() );
		$this->assertStringContainsString( 'step=2', $url );
		$this->assertFalse( $outcome['ok'] );
		$this->assertStringContainsString( 'code 190', $outcome['message'] );

		self::post_action(
			SetupPage::ACTION_CREDENTIALS,
			array(
				SettingsPage::FIELD => array(
					'phone_number_id' => SandboxProcess::PHONE_NUMBER_ID,
					'waba_id'         => SandboxProcess::WABA_ID,
					'access_token'    => SandboxProcess::TOKEN,
					'app_secret'      => '',
				),
			)
		);
		$url     = self::setup_page()->save_credentials_from_request();
		$outcome = get_transient( SetupPage::OUTCOME_TRANSIENT . get_current_user_id() );
		$this->assertStringContainsString( 'step=3', $url );
		$this->assertTrue( $outcome['ok'], $outcome['message'] );
		$this->assertStringContainsString( 'Connected to WhatsApp as', $outcome['message'] );
		$this->assertSame( WebhookSetupTest::APP_SECRET, self::settings()->get_secret( 'app_secret' ), 'blank app secret kept' );

		$_GET = array( 'step' => '2' );
		$html = self::render( array( self::setup_page(), 'render' ) );
		$this->assertStringContainsString( 'cartpinger-outcome', $html );
		$this->assertStringNotContainsString( SandboxProcess::TOKEN, $html );
		$_GET = array();
	}

	public function test_webhook_step_generates_the_verify_token_once(): void {
		self::settings()->delete_secret( 'verify_token' );
		$_GET  = array( 'step' => '3' );
		$html  = self::render( array( self::setup_page(), 'render' ) );
		$token = self::settings()->get_secret( 'verify_token' );
		$this->assertMatchesRegularExpression( '/^[A-Za-z0-9]{32}$/', $token );
		$this->assertStringContainsString( 'value="' . $token . '"', $html );
		$this->assertStringContainsString( esc_attr( rest_url( 'cartpinger/v1/webhook' ) ), $html );
		$this->assertSame( 2, substr_count( $html, 'class="button cartpinger-copy"' ) );
		$html2 = self::render( array( self::setup_page(), 'render' ) );
		$this->assertSame( $token, self::settings()->get_secret( 'verify_token' ), 'not regenerated' );
		$this->assertStringContainsString( 'value="' . $token . '"', $html2 );
		$_GET = array();
	}

	public function test_test_message_lands_in_the_sandbox(): void {
		self::use_sandbox( self::$sandbox );
		delete_option( Store::PAUSED_OPTION );
		$user = wp_get_current_user();
		update_user_meta( $user->ID, 'first_name', 'Ada' );
		update_option( 'woocommerce_currency', 'EUR' );

		$bad = self::setup_page()->send_test( 'not a phone' );
		$this->assertFalse( $bad['ok'] );

		self::post_action( SetupPage::ACTION_TEST, array( 'phone' => '+34 600 111 222' ) );
		$url     = self::setup_page()->send_test_from_request();
		$outcome = get_transient( SetupPage::OUTCOME_TRANSIENT . get_current_user_id() );
		$this->assertStringContainsString( 'step=4', $url );
		$this->assertTrue( $outcome['ok'], $outcome['message'] );
		$this->assertStringContainsString( 'wamid', $outcome['message'] );

		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE kind = %s ORDER BY id DESC LIMIT 1', Schema::messages_log_table(), 'test' ), ARRAY_A );
		$this->assertSame( 'abandoned_cart_recovery', $row['template'], 'the test is a real first reminder' );
		$this->assertSame( '+34600111222', $row['phone'] );
		$params = json_decode( $row['components'], true )['params'];
		$this->assertSame( 'Ada', $params[0] );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{64}$/', $params[1], 'a sample-cart link token' );
		$this->assertNotEmpty( $row['wamid'] );

		$data  = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/messages?limit=100' ), true );
		$found = false;
		foreach ( $data['messages'] ?? array() as $m ) {
			if ( str_contains( wp_json_encode( $m ), '34600111222' ) && str_contains( wp_json_encode( $m ), 'abandoned_cart_recovery' ) ) {
				$found = true;
			}
		}
		$this->assertTrue( $found, 'the sandbox stored the test message' );
		$this->assertIsArray( get_option( Runner::LAST_RUN_OPTION ) );
	}

	private static function by_id( array $checks ): array {
		$out = array();
		foreach ( $checks as $c ) {
			$out[ $c['id'] ] = $c;
		}
		return $out;
	}

	public function test_doctor_against_the_sandbox(): void {
		self::use_sandbox( self::$sandbox );
		delete_option( Store::PAUSED_OPTION );
		delete_option( WebhookController::OPTION_VERIFIED_AT );
		delete_option( \CartPinger\Webhook\Processor::OPTION_LAST_EVENT_AT );
		update_option( Runner::LAST_RUN_OPTION, array( 'at' => gmdate( 'Y-m-d H:i:s', time() - 3600 ) ), false );

		$checks = self::by_id( self::setup_page()->doctor_checks() );
		$this->assertTrue( $checks['credentials']['ok'], $checks['credentials']['detail'] );
		$this->assertStringContainsString( 'CartPinger Sandbox', $checks['credentials']['detail'] );
		$this->assertNull( $checks['token_type']['ok'] );
		$this->assertFalse( $checks['webhook_verified']['ok'] );
		$this->assertNotSame( '', $checks['webhook_verified']['fix'] );
		$this->assertFalse( $checks['webhook_event']['ok'] );
		$this->assertFalse( $checks['callback_public']['ok'], 'the test site\'s http://127.0.0.1 callback is not reachable by Meta' );
		$this->assertStringContainsString( 'Meta cannot reach', $checks['callback_public']['detail'] );
		// Signed events prove the webhook works even when the handshake was not recorded.
		update_option( \CartPinger\Webhook\Processor::OPTION_LAST_EVENT_AT, gmdate( 'Y-m-d H:i:s' ), false );
		$checks = self::by_id( self::setup_page()->doctor_checks() );
		$this->assertTrue( $checks['webhook_verified']['ok'], 'no "never verified" beside "events received"' );
		$this->assertTrue( $checks['webhook_event']['ok'] );
		delete_option( \CartPinger\Webhook\Processor::OPTION_LAST_EVENT_AT );
		$this->assertNull( SetupPage::callback_problem( 'https://shop.example.com/wp-json/cartpinger/v1/webhook' ) );
		$this->assertNotNull( SetupPage::callback_problem( 'http://shop.example.com/wp-json/cartpinger/v1/webhook' ), 'plain http' );
		$this->assertNotNull( SetupPage::callback_problem( 'https://192.168.1.20/wp-json/cartpinger/v1/webhook' ), 'private network' );
		$checks = self::by_id( self::setup_page()->doctor_checks() );
		foreach ( \CartPinger\Native\Catalog::templates() as $t ) {
			$this->assertTrue( $checks[ 'template_' . $t['name'] ]['ok'], $t['name'] . ': ' . $checks[ 'template_' . $t['name'] ]['detail'] );
		}
		$this->assertFalse( $checks['heartbeat']['ok'], 'a heartbeat an hour old is stale' );
		$this->assertTrue( $checks['queue_paused']['ok'] );

		// Now everything green: handshake done, an event, a fresh run; then a paused queue.
		update_option( WebhookController::OPTION_VERIFIED_AT, gmdate( 'Y-m-d H:i:s' ), false );
		update_option( \CartPinger\Webhook\Processor::OPTION_LAST_EVENT_AT, gmdate( 'Y-m-d H:i:s' ), false );
		update_option( Runner::LAST_RUN_OPTION, array( 'at' => gmdate( 'Y-m-d H:i:s' ) ), false );
		( new Store() )->pause( '190', 'Token expired.' );
		$checks = self::by_id( self::setup_page()->doctor_checks() );
		$this->assertTrue( $checks['webhook_verified']['ok'] );
		$this->assertTrue( $checks['webhook_event']['ok'] );
		$this->assertTrue( $checks['heartbeat']['ok'] );
		$this->assertFalse( $checks['queue_paused']['ok'] );
		$this->assertStringContainsString( 'Token expired.', $checks['queue_paused']['detail'] );
		( new Store() )->resume();

		// A template missing in one language, another pending: their rows turn red.
		$all  = json_decode( (string) file_get_contents( self::$sandbox->base . '/_sandbox/templates' ), true )['templates'];
		$keep = array();
		foreach ( $all as $t ) {
			if ( 'order_cancelled' === $t['name'] && 'de' === $t['language'] ) {
				continue;
			}
			if ( 'order_completed' === $t['name'] && 'es' === $t['language'] ) {
				$t['status'] = 'PENDING';
			}
			$keep[] = $t;
		}
		self::$sandbox->control( '/_sandbox/templates', array( 'templates' => $keep, 'replace' => true ) );
		$checks = self::by_id( self::setup_page()->doctor_checks() );
		$this->assertFalse( $checks['template_order_cancelled']['ok'] );
		$this->assertStringContainsString( 'de: missing', $checks['template_order_cancelled']['detail'] );
		$this->assertFalse( $checks['template_order_completed']['ok'] );
		$this->assertStringContainsString( 'es: PENDING', $checks['template_order_completed']['detail'] );
		$this->assertTrue( $checks['template_order_confirmed']['ok'] );

		// The doctor view renders the rows, escaped.
		$_GET = array( 'view' => 'doctor' );
		$html = self::render( array( self::setup_page(), 'render' ) );
		$this->assertStringContainsString( 'data-check="template_order_cancelled" data-state="fail"', $html );
		$this->assertStringContainsString( 'data-check="credentials" data-state="ok"', $html );
		$_GET = array();
	}

	public function test_doctor_reports_unconfigured_credentials(): void {
		self::settings()->delete_secret( 'access_token' );
		$checks = self::by_id( self::setup_page()->doctor_checks() );
		$this->assertFalse( $checks['credentials']['ok'] );
		$this->assertFalse( $checks['templates']['ok'] );
	}

	public function test_finish_sets_the_option_and_goes_to_the_dashboard(): void {
		self::post_action( SetupPage::ACTION_FINISH, array() );
		$url = self::setup_page()->finish_from_request();
		$this->assertSame( '1', get_option( SetupPage::ONBOARDING_OPTION ) );
		$this->assertStringContainsString( 'page=cartpinger', $url );
		$this->assertStringNotContainsString( 'cartpinger-', $url );
	}
}
