<?php
/**
 * Scenario w0 (woo tier): activates CartPinger and stores the webhook credentials (verify
 * token, app secret) through Settings, for the webhook requests of w1.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;

final class WebhookSetupTest extends TestCase {

	public const VERIFY_TOKEN = 'it-verify_token-7f3c';
	public const APP_SECRET   = 'it-app-secret-0123456789abcdef0123456789abcdef';

	public function test_activate_and_store_webhook_credentials(): void {
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );
		$settings = new Settings( new SecretBox() );
		$this->assertTrue( $settings->set_secret( 'verify_token', self::VERIFY_TOKEN ) );
		$this->assertTrue( $settings->set_secret( 'app_secret', self::APP_SECRET ) );
		$this->assertSame( self::VERIFY_TOKEN, $settings->get_secret( 'verify_token' ) );
		$this->assertSame( self::APP_SECRET, $settings->get_secret( 'app_secret' ) );
		$this->assertStringNotContainsString( self::APP_SECRET, (string) self::raw_option( 'cartpinger_app_secret' ) );
		$this->assertNull( self::raw_option( 'cartpinger_webhook_verified_at' ) );
		$this->assertNull( self::raw_option( 'cartpinger_webhook_signature_failures' ) );
	}
}
