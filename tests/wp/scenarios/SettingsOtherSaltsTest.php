<?php
/**
 * Scenarios c2 / c3: the same database read with different key material.
 *   c2: CARTPINGER_IT_SALTS=alt (the admin regenerated the salts), admin request as "admin".
 *   c3: CARTPINGER_ENCRYPTION_KEY defined (main salts), after c2 re-entered the token.
 * The stored token must be unreadable with the "re-enter your access token" message, never a
 * fatal; re-entering it fixes it.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Native\Vault;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;

require_once __DIR__ . '/SettingsSecretsTest.php';

final class SettingsOtherSaltsTest extends TestCase {

	public function test_key_material_is_the_changed_one(): void {
		if ( getenv( 'CARTPINGER_IT_ENCRYPTION_KEY' ) ) {
			$this->assertTrue( defined( 'CARTPINGER_ENCRYPTION_KEY' ) );
			$this->assertTrue( SecretBox::uses_dedicated_key() );
			$this->assertSame( getenv( 'CARTPINGER_IT_ENCRYPTION_KEY' ), SecretBox::key_material() );
		} else {
			$this->assertFalse( defined( 'CARTPINGER_ENCRYPTION_KEY' ) );
			$this->assertSame( 'alt', getenv( 'CARTPINGER_IT_SALTS' ) );
		}
	}

	public function test_token_sealed_under_other_key_is_unreadable_with_reenter_message(): void {
		$raw = (string) self::raw_option( 'cartpinger_access_token' );
		$this->assertTrue( Vault::is_envelope( $raw ), 'precondition: an envelope from the previous scenario' );
		$settings = new Settings( new SecretBox() );
		$value    = $settings->get_secret( 'access_token' );
		$this->assertInstanceOf( \WP_Error::class, $value, 'a token sealed under other key material was decrypted?!' );
		$this->assertSame( 'cartpinger_secret_unreadable', $value->get_error_code() );
		$this->assertStringContainsString( 're-enter your access token', $value->get_error_message() );
		$data = (array) $value->get_error_data();
		$this->assertSame( 1004, $data['vault_code'] ?? null, 'other key material must be reported as KeyMismatchException (1004); data: ' . wp_json_encode( $data ) );
		$this->assertSame( array( 'access_token' ), array_values( array_intersect( array( 'access_token' ), $settings->unreadable_secrets() ) ) );
		$this->assertFalse( $settings->is_configured() );
	}

	public function test_admin_sees_the_reenter_notice_when_the_plugin_runs(): void {
		if ( ! is_admin() ) {
			$this->markTestSkipped( 'not an admin request' );
		}
		if ( ! self::woo_tier() ) {
			// Without WooCommerce the plugin does not boot (requirements notice only).
			$this->assertNull( \CartPinger\Plugin::instance() );
			return;
		}
		$this->assertNotNull( \CartPinger\Plugin::instance(), 'plugin did not boot with WooCommerce and the extension' );
		set_current_screen( 'dashboard' );
		ob_start();
		do_action( 'admin_notices' );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 're-enter your access token', $html, "no re-enter notice in admin_notices:\n" . $html );
	}

	public function test_reentering_the_token_fixes_it(): void {
		$settings = new Settings( new SecretBox() );
		$this->assertTrue( $settings->set_secret( 'access_token', SettingsSecretsTest::ACCESS_TOKEN ) );
		$this->assertSame( SettingsSecretsTest::ACCESS_TOKEN, ( new Settings( new SecretBox() ) )->get_secret( 'access_token' ) );
	}
}
