<?php
/**
 * Scenario b1: activation over a legacy install (dotted cartpinger_db_version, an older and
 * smaller recoveries table with data). Leaves a second legacy state behind for b2.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class MigrationTest extends TestCase {

	public function test_activation_migrates_legacy_dotted_version_and_keeps_rows(): void {
		global $wpdb;
		$recoveries = self::table( 'cartpinger_recoveries' );
		// Hypothetical shape of the original plugin's table: fewer columns, no secondary indexes.
		$wpdb->query( "CREATE TABLE `{$recoveries}` (
			id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
			session_key varchar(64) NULL DEFAULT NULL,
			customer_phone varchar(32) NOT NULL DEFAULT '',
			status varchar(20) NOT NULL DEFAULT 'open',
			created_at datetime NOT NULL,
			PRIMARY KEY  (id)
		) " . $wpdb->get_charset_collate() );
		$this->assertSame( '', $wpdb->last_error );
		$wpdb->insert( $recoveries, array( 'session_key' => 'legacy-1', 'customer_phone' => '+34612345678', 'status' => 'messaged', 'created_at' => '2024-01-02 03:04:05' ) );
		$wpdb->insert( $recoveries, array( 'session_key' => 'legacy-2', 'customer_phone' => '', 'status' => 'open', 'created_at' => '2024-01-03 03:04:05' ) );
		add_option( 'cartpinger_db_version', '1.0.0' );

		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );

		$this->assertSame( (string) \CartPinger\Storage\Schema::VERSION, self::raw_option( 'cartpinger_db_version' ), 'legacy 1.0.0 not migrated to the current version' );
		update_option( 'cartpinger_db_version', '1.0.0' );
		$this->assertSame( 1, \CartPinger\Storage\Schema::installed_version(), 'a dotted legacy version counts as 1' );
		update_option( 'cartpinger_db_version', \CartPinger\Storage\Schema::VERSION );
		$this->assertTrue( self::table_exists( self::table( 'cartpinger_messages_log' ) ) );
		$this->assertSame( array(), array_values( array_diff( self::RECOVERIES_COLUMNS, self::columns( $recoveries ) ) ), 'columns not added to the legacy table' );
		$this->assertIndexes( self::RECOVERIES_INDEXES, $recoveries );
		$this->assertIndexes( self::MESSAGES_LOG_INDEXES, self::table( 'cartpinger_messages_log' ) );
		$rows = $wpdb->get_results( "SELECT session_key, customer_phone, status FROM `{$recoveries}` ORDER BY id", ARRAY_A );
		$this->assertSame(
			array(
				array( 'session_key' => 'legacy-1', 'customer_phone' => '+34612345678', 'status' => 'messaged' ),
				array( 'session_key' => 'legacy-2', 'customer_phone' => '', 'status' => 'open' ),
			),
			$rows,
			'legacy rows lost or changed by the migration'
		);
		$this->assertNull( self::raw_option( 'cartpinger_db_migration_lock' ), 'migration lock left behind' );
	}

	public function test_prepare_legacy_state_for_the_plugins_loaded_migration(): void {
		global $wpdb;
		// b2 runs in a new process with the plugin active: it must migrate on plugins_loaded.
		$wpdb->query( 'DROP TABLE IF EXISTS `' . self::table( 'cartpinger_messages_log' ) . '`' );
		update_option( 'cartpinger_db_version', '0.2.1' );
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertSame( '0.2.1', self::raw_option( 'cartpinger_db_version' ) );
	}
}
