<?php
/**
 * Scenario a: activation through WordPress's own activate_plugin().
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class ActivationTest extends TestCase {

	private static $result;
	private static string $output = '';
	private static string $started_at_utc = '';

	public static function setUpBeforeClass(): void {
		self::$started_at_utc = gmdate( 'Y-m-d H:i:s' );
		list( self::$result, self::$output ) = self::activate();
	}

	public function test_activate_plugin_returns_no_error_and_no_output(): void {
		$this->assertSame( '', (string) ( $GLOBALS['cartpinger_it_boot_output'] ?? '' ), 'output while WordPress booted' );
		$this->assertActivated( self::$result, self::$output );
		$this->assertTrue( defined( 'CARTPINGER_VERSION' ), 'CARTPINGER_VERSION not defined' );
		$this->assertSame( CARTPINGER_VERSION, get_plugin_data( WP_PLUGIN_DIR . '/' . self::PLUGIN, false, false )['Version'] );
	}

	public function test_both_tables_exist_with_contract_columns(): void {
		$recoveries = self::table( 'cartpinger_recoveries' );
		$log        = self::table( 'cartpinger_messages_log' );
		$this->assertTrue( self::table_exists( $recoveries ), "{$recoveries} missing" );
		$this->assertTrue( self::table_exists( $log ), "{$log} missing" );
		$this->assertSame( array(), array_values( array_diff( self::RECOVERIES_COLUMNS, self::columns( $recoveries ) ) ), "columns missing in {$recoveries}" );
		$this->assertSame( array(), array_values( array_diff( self::MESSAGES_LOG_COLUMNS, self::columns( $log ) ) ), "columns missing in {$log}" );
	}

	public function test_recoveries_indexes_match_contract(): void {
		$this->assertIndexes( self::RECOVERIES_INDEXES, self::table( 'cartpinger_recoveries' ) );
	}

	public function test_messages_log_indexes_match_contract(): void {
		$this->assertIndexes( self::MESSAGES_LOG_INDEXES, self::table( 'cartpinger_messages_log' ) );
	}

	public function test_db_version_is_schema_version(): void {
		$this->assertTrue( class_exists( \CartPinger\Storage\Schema::class ) );
		$this->assertIsInt( \CartPinger\Storage\Schema::VERSION );
		$this->assertSame( (string) \CartPinger\Storage\Schema::VERSION, self::raw_option( 'cartpinger_db_version' ), 'raw cartpinger_db_version' );
		$this->assertSame( \CartPinger\Storage\Schema::VERSION, (int) get_option( 'cartpinger_db_version' ) );
	}

	public function test_activated_at_is_a_utc_datetime(): void {
		$raw = self::raw_option( 'cartpinger_activated_at' );
		$this->assertNotNull( $raw, 'cartpinger_activated_at not added' );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/', $raw, 'cartpinger_activated_at is Y-m-d H:i:s' );
		$parsed = \DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', $raw, new \DateTimeZone( 'UTC' ) );
		$this->assertNotFalse( $parsed );
		$this->assertSame( $raw, $parsed->format( 'Y-m-d H:i:s' ), 'not a real date' );
		// The site runs Europe/Madrid (UTC+1/+2): a local time would be an hour or more away.
		$now   = time();
		$delta = abs( $now - $parsed->getTimestamp() );
		$this->assertLessThan( 300, $delta, "cartpinger_activated_at {$raw} is not the current UTC time (now UTC " . gmdate( 'Y-m-d H:i:s', $now ) . ', site-local ' . current_time( 'mysql' ) . ')' );
		$this->assertNotSame( 'UTC', wp_timezone_string(), 'the test site must not run in UTC, or this check proves nothing' );
	}

	public function test_onboarding_flag_added(): void {
		$this->assertSame( '0', self::raw_option( 'cartpinger_onboarding_completed' ) );
	}

	public function test_activating_twice_is_harmless(): void {
		$recoveries = self::table( 'cartpinger_recoveries' );
		$log        = self::table( 'cartpinger_messages_log' );
		$before     = array( self::indexes( $recoveries ), self::indexes( $log ), self::raw_option( 'cartpinger_activated_at' ) );

		// Second activation the way a user does it: deactivate, activate again.
		$this->assertSame( '', self::deactivate(), 'deactivation produced output' );
		$this->assertFalse( is_plugin_active( self::PLUGIN ) );
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );
		// And the activation hook fired again while already installed (e.g. a network re-run).
		ob_start();
		do_action( 'activate_' . self::PLUGIN, false );
		$this->assertSame( '', (string) ob_get_clean(), 'activation hook produced output' );

		$after = array( self::indexes( $recoveries ), self::indexes( $log ), self::raw_option( 'cartpinger_activated_at' ) );
		$this->assertSame( $before, $after, 'indexes or cartpinger_activated_at changed on reactivation' );
		$this->assertIndexes( self::RECOVERIES_INDEXES, $recoveries );
		$this->assertIndexes( self::MESSAGES_LOG_INDEXES, $log );
		$this->assertSame( (string) \CartPinger\Storage\Schema::VERSION, self::raw_option( 'cartpinger_db_version' ) );
		$this->assertNull( self::raw_option( 'cartpinger_db_migration_lock' ), 'migration lock left behind' );
	}

	public function test_dbdelta_is_idempotent(): void {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$this->assertTrue( method_exists( \CartPinger\Storage\Schema::class, 'create_table_statements' ), 'Schema::create_table_statements() is gone; update this test' );
		$changes = dbDelta( \CartPinger\Storage\Schema::create_table_statements(), false ); // false: only report
		$this->assertSame( array(), $changes, 'dbDelta() on the installed schema would still change something' );
		$this->assertSame( '', $wpdb->last_error );
	}
}
