<?php
/**
 * Scenario b2: a request with the plugin active and a legacy dotted cartpinger_db_version
 * ("0.2.1", left by b1) migrates on plugins_loaded, without any activation.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class MigrationOnLoadTest extends TestCase {

	public function test_plugins_loaded_migrated_the_legacy_version(): void {
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertTrue( did_action( 'plugins_loaded' ) > 0 );
		$this->assertSame( '', (string) ( $GLOBALS['cartpinger_it_boot_output'] ?? '' ), 'output while WordPress booted' );
		$this->assertSame( (string) \CartPinger\Storage\Schema::VERSION, self::raw_option( 'cartpinger_db_version' ), 'not migrated on plugins_loaded' );
		$this->assertTrue( self::table_exists( self::table( 'cartpinger_messages_log' ) ), 'dropped table not recreated' );
		$this->assertIndexes( self::MESSAGES_LOG_INDEXES, self::table( 'cartpinger_messages_log' ) );
		$this->assertIndexes( self::RECOVERIES_INDEXES, self::table( 'cartpinger_recoveries' ) );
		$this->assertNull( self::raw_option( 'cartpinger_db_migration_lock' ), 'migration lock left behind' );
	}
}
