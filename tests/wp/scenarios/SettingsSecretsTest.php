<?php
/**
 * Scenario c1: secrets through CartPinger\Settings\Settings with the real extension's vault
 * and the site's salts (CARTPINGER_ENCRYPTION_KEY not defined).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Native\Vault;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;

final class SettingsSecretsTest extends TestCase {

	public const ACCESS_TOKEN = 'EAAGm0PX4ZCpsBAIT-integration-token-0123456789abcdef';

	public static function setUpBeforeClass(): void {
		list( $result, $output ) = self::activate();
		if ( is_wp_error( $result ) || '' !== $output ) {
			throw new \RuntimeException( 'activation failed: ' . ( is_wp_error( $result ) ? $result->get_error_message() : $output ) );
		}
	}

	private static function settings(): Settings {
		// A fresh instance per call: nothing is served from the instance's read cache.
		return new Settings( new SecretBox() );
	}

	public function test_salts_are_the_key_material(): void {
		$this->assertFalse( defined( 'CARTPINGER_ENCRYPTION_KEY' ), 'the main run must use the salts path' );
		$this->assertFalse( SecretBox::uses_dedicated_key() );
		$this->assertSame( AUTH_KEY . SECURE_AUTH_KEY . LOGGED_IN_KEY . NONCE_KEY . AUTH_SALT . SECURE_AUTH_SALT . LOGGED_IN_SALT . NONCE_SALT, SecretBox::key_material() );
	}

	public function test_saved_access_token_is_stored_as_envelope_not_plaintext(): void {
		$this->assertTrue( self::settings()->set_secret( 'access_token', self::ACCESS_TOKEN ) );

		$raw = get_option( 'cartpinger_access_token' );
		$this->assertIsString( $raw );
		$this->assertNotSame( self::ACCESS_TOKEN, $raw );
		$this->assertStringNotContainsString( self::ACCESS_TOKEN, $raw );
		$this->assertTrue( Vault::is_envelope( $raw ), "stored value is not a vault envelope: {$raw}" );
		$this->assertStringStartsWith( 'cpv1.', $raw );

		$sql = self::raw_option( 'cartpinger_access_token' );
		$this->assertSame( $raw, $sql, 'raw SQL value differs from get_option()' );
		global $wpdb;
		$hits = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_value LIKE %s", '%' . $wpdb->esc_like( self::ACCESS_TOKEN ) . '%' ) );
		$this->assertSame( array(), $hits, 'the plaintext token is somewhere in wp_options' );
	}

	public function test_reading_back_gives_the_plaintext(): void {
		$this->assertSame( self::ACCESS_TOKEN, self::settings()->get_secret( 'access_token' ) );
	}

	public function test_each_save_uses_a_fresh_nonce(): void {
		$first = self::raw_option( 'cartpinger_access_token' );
		$this->assertTrue( self::settings()->set_secret( 'access_token', self::ACCESS_TOKEN ) );
		$second = self::raw_option( 'cartpinger_access_token' );
		$this->assertNotSame( $first, $second, 'same plaintext sealed twice gives the same envelope' );
		$this->assertSame( self::ACCESS_TOKEN, self::settings()->get_secret( 'access_token' ) );
	}

	public function test_update_seals_secrets_too(): void {
		$this->assertTrue( self::settings()->update( array( 'verify_token' => 'it-verify_token-1', 'phone_number_id' => '1234567890' ) ) );
		$raw = self::raw_option( 'cartpinger_verify_token' );
		$this->assertTrue( Vault::is_envelope( (string) $raw ) );
		$this->assertSame( 'it-verify_token-1', self::settings()->get_secret( 'verify_token' ) );
		$this->assertSame( '1234567890', self::raw_option( 'cartpinger_phone_number_id' ), 'plain settings are stored as plain options' );
	}

	public function test_envelope_copied_to_another_secret_option_is_unreadable(): void {
		$raw = self::raw_option( 'cartpinger_access_token' );
		update_option( 'cartpinger_app_secret', $raw );
		$value = self::settings()->get_secret( 'app_secret' );
		$this->assertInstanceOf( \WP_Error::class, $value, 'an envelope moved to another option must not decrypt (associated data = option name)' );
		$this->assertSame( 'cartpinger_secret_unreadable', $value->get_error_code() );
		$this->assertStringContainsString( 're-enter', $value->get_error_message() );
		// The original is still fine.
		$this->assertSame( self::ACCESS_TOKEN, self::settings()->get_secret( 'access_token' ) );
		delete_option( 'cartpinger_app_secret' );
	}

	public function test_tampered_or_foreign_values_are_unreadable_not_fatal(): void {
		$raw    = (string) self::raw_option( 'cartpinger_access_token' );
		$cases  = array(
			'tampered'  => substr( $raw, 0, -3 ) . ( 'A' === substr( $raw, -3, 1 ) ? 'B' : 'A' ) . substr( $raw, -2 ),
			'plaintext' => 'EAAG-a-legacy-plaintext-token',
			'truncated' => substr( $raw, 0, 20 ),
			'prefix'    => 'cpv1.',
		);
		foreach ( $cases as $label => $stored ) {
			update_option( 'cartpinger_app_secret', $stored );
			$value = self::settings()->get_secret( 'app_secret' );
			$this->assertInstanceOf( \WP_Error::class, $value, "{$label}: not a WP_Error" );
			$this->assertSame( 'cartpinger_secret_unreadable', $value->get_error_code(), $label );
		}
		update_option( 'cartpinger_app_secret', array( 'not', 'a', 'string' ) );
		$value = self::settings()->get_secret( 'app_secret' );
		$this->assertInstanceOf( \WP_Error::class, $value, 'array option: not a WP_Error' );
		delete_option( 'cartpinger_app_secret' );
	}

	public function test_saving_empty_or_mask_keeps_the_stored_value(): void {
		$before = self::raw_option( 'cartpinger_access_token' );
		$this->assertTrue( self::settings()->set_secret( 'access_token', '' ) );
		$this->assertSame( $before, self::raw_option( 'cartpinger_access_token' ), "saving '' changed the stored token" );
		$this->assertTrue( self::settings()->set_secret( 'access_token', '***' ) );
		$this->assertSame( $before, self::raw_option( 'cartpinger_access_token' ), "saving '***' changed the stored token" );
		$this->assertTrue( self::settings()->update( array( 'access_token' => '***', 'app_secret' => '' ) ) );
		$this->assertSame( $before, self::raw_option( 'cartpinger_access_token' ), "update() with '***' changed the stored token" );
		$this->assertNull( self::raw_option( 'cartpinger_app_secret' ), "update() with '' created an app secret" );
		$this->assertSame( self::ACCESS_TOKEN, self::settings()->get_secret( 'access_token' ) );
	}

	public function test_graph_version_and_base_url_are_validated_settings(): void {
		$settings = self::settings();
		$this->assertSame( 'v25.0', $settings->get( 'graph_api_version' ), 'default Graph version' );
		$this->assertSame( 'https://graph.facebook.com', $settings->get( 'graph_base_url' ), 'default base URL' );
		$this->assertTrue( $settings->set( 'graph_base_url', 'http://127.0.0.1:8787/' ) );
		$this->assertSame( 'http://127.0.0.1:8787', $settings->get( 'graph_base_url' ), 'sandbox address kept, slash trimmed' );
		foreach ( array( 'ftp://x', 'https://graph.facebook.com/v25.0', 'javascript:alert(1)', '' ) as $bad ) {
			$error = $settings->set( 'graph_base_url', $bad );
			$this->assertInstanceOf( \WP_Error::class, $error, "accepted $bad" );
			$this->assertSame( 422, $error->get_error_data()['status'] );
		}
		$this->assertSame( 'http://127.0.0.1:8787', $settings->get( 'graph_base_url' ), 'a rejected value loses nothing' );
		$this->assertInstanceOf( \WP_Error::class, $settings->set( 'graph_api_version', '25' ) );
		delete_option( 'cartpinger_graph_base_url' );
		// A new Graph address deleted the token given for the old one (issue 11): re-enter it for
		// the scenarios that continue this one (c2, c3 read its envelope).
		$this->assertSame( '', self::settings()->get_secret( 'access_token' ), 'the token survived a new Graph address' );
		$this->assertTrue( self::settings()->set_secret( 'access_token', self::ACCESS_TOKEN ) );
	}
}
