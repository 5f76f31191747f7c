<?php
/**
 * Scenario f1: no cartpinger extension in this PHP. Activation must still work (it needs only
 * WordPress and the database). f2/f3 then load the site with the plugin active.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class NoExtensionActivationTest extends TestCase {

	public function test_activation_without_extension_does_not_fatal(): void {
		$this->assertFalse( extension_loaded( 'cartpinger' ) );
		$this->assertFalse( class_exists( 'CartPinger\\Native\\Vault', false ) );
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );
		$this->assertTrue( self::table_exists( self::table( 'cartpinger_recoveries' ) ) );
		$this->assertTrue( self::table_exists( self::table( 'cartpinger_messages_log' ) ) );
		$this->assertSame( (string) \CartPinger\Storage\Schema::VERSION, self::raw_option( 'cartpinger_db_version' ) );
	}
}
