<?php
/**
 * Scenario e1: uninstall_plugin() without cartpinger_delete_data_on_uninstall keeps all data.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class UninstallKeepTest extends TestCase {

	public function test_uninstall_without_opt_in_keeps_tables_and_options(): void {
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );
		update_option( 'cartpinger_phone_number_id', '1234567890' );
		set_transient( 'cartpinger_templates_cache', array( 'x' ), HOUR_IN_SECONDS );
		$this->assertSame( '', self::deactivate() );
		$this->assertNull( self::raw_option( 'cartpinger_delete_data_on_uninstall' ), 'precondition: the opt-in is not set' );
		$options_before = self::raw_option_names( 'cartpinger\_%' );

		$this->assertFileExists( WP_PLUGIN_DIR . '/cartpinger/uninstall.php', 'uninstall.php missing' );
		ob_start();
		$uninstalled = uninstall_plugin( self::PLUGIN );
		$this->assertSame( '', (string) ob_get_clean(), 'uninstall produced output' );
		$this->assertTrue( $uninstalled, 'uninstall_plugin() did not run uninstall.php' );

		$this->assertTrue( self::table_exists( self::table( 'cartpinger_recoveries' ) ), 'recoveries table dropped without opt-in' );
		$this->assertTrue( self::table_exists( self::table( 'cartpinger_messages_log' ) ), 'messages log table dropped without opt-in' );
		$this->assertSame( $options_before, self::raw_option_names( 'cartpinger\_%' ), 'options deleted without opt-in' );
		$this->assertSame( '1234567890', self::raw_option( 'cartpinger_phone_number_id' ) );
	}
}
