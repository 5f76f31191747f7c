<?php
/**
 * Scenario e2: uninstall_plugin() with cartpinger_delete_data_on_uninstall = '1' drops both
 * tables and deletes every cartpinger_ option and transient, and nothing else.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class UninstallDeleteTest extends TestCase {

	public function test_uninstall_with_opt_in_deletes_everything_of_ours(): void {
		global $wpdb;
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );
		update_option( 'cartpinger_delete_data_on_uninstall', '1' );
		update_option( 'cartpinger_phone_number_id', '1234567890' );
		update_option( 'cartpinger_access_token', 'cpv1.not-a-real-envelope-but-an-option-row' );
		set_transient( 'cartpinger_templates_cache', array( 'x' ), HOUR_IN_SECONDS );
		set_transient( 'cartpinger_it_other_transient', 'y', HOUR_IN_SECONDS );
		set_transient( 'cartpinger_it_no_expiry', 'z' );
		// Decoys: names that only look like ours ('_' is a LIKE wildcard) and a core option.
		update_option( 'cartpingerpro_license', 'keep-me' );
		update_option( 'my_cartpinger_notes', 'keep-me' );
		$this->assertSame( '', self::deactivate() );

		ob_start();
		$uninstalled = uninstall_plugin( self::PLUGIN );
		$this->assertSame( '', (string) ob_get_clean(), 'uninstall produced output' );
		$this->assertTrue( $uninstalled, 'uninstall_plugin() did not run uninstall.php' );

		$this->assertFalse( self::table_exists( self::table( 'cartpinger_recoveries' ) ), 'recoveries table not dropped' );
		$this->assertFalse( self::table_exists( self::table( 'cartpinger_messages_log' ) ), 'messages log table not dropped' );
		$this->assertSame( array(), self::raw_option_names( 'cartpinger\_%' ), 'cartpinger_ options left' );
		$this->assertSame( array(), self::raw_option_names( '\_transient\_cartpinger\_%' ), 'cartpinger_ transients left' );
		$this->assertSame( array(), self::raw_option_names( '\_transient\_timeout\_cartpinger\_%' ), 'cartpinger_ transient timeouts left' );
		$this->assertNotNull( self::raw_option( 'blogname' ) );
		$this->assertSame( 'keep-me', self::raw_option( 'my_cartpinger_notes' ), 'an unrelated option was deleted' );
	}

	public function test_uninstall_leaves_similarly_named_options_of_others(): void {
		// 'cartpinger_%' unescaped in LIKE also matches 'cartpingerpro_license'.
		$this->assertSame( 'keep-me', self::raw_option( 'cartpingerpro_license' ), 'uninstall deleted another plugin\'s option (unescaped _ in LIKE?)' );
	}
}
