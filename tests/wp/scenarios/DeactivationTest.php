<?php
/**
 * Scenario d: deactivate_plugins() stops cartpinger_* cron events and drops the template
 * cache, and keeps every table and option.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class DeactivationTest extends TestCase {

	public function test_deactivation_unschedules_cron_clears_cache_and_keeps_data(): void {
		global $wpdb;
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );

		$this->assertTrue( wp_schedule_event( time() + 3600, 'hourly', 'cartpinger_it_hourly' ) );
		$this->assertTrue( wp_schedule_event( time() + 7200, 'daily', 'cartpinger_it_daily', array( 'with', 'args' ) ) );
		$this->assertTrue( wp_schedule_single_event( time() + 60, 'cartpinger_it_single', array( 42 ) ) );
		$this->assertTrue( wp_schedule_event( time() + 3600, 'hourly', 'someone_else_it_hourly' ) );
		$this->assertTrue( set_transient( 'cartpinger_templates_cache', array( array( 'name' => 'cart_reminder_1' ) ), HOUR_IN_SECONDS ) );
		update_option( 'cartpinger_phone_number_id', '1234567890' );
		$wpdb->insert(
			self::table( 'cartpinger_recoveries' ),
			array( 'session_key' => 'd-1', 'status' => 'open', 'last_activity_at' => gmdate( 'Y-m-d H:i:s' ), 'created_at' => gmdate( 'Y-m-d H:i:s' ), 'updated_at' => gmdate( 'Y-m-d H:i:s' ) )
		);
		$this->assertSame( '', $wpdb->last_error );
		$as_id = null;
		if ( function_exists( 'as_schedule_single_action' ) ) {
			// WooCommerce tier: background jobs in the plugin's Action Scheduler group.
			$as_id = as_schedule_single_action( time() + 3600, 'cartpinger_it_as_job', array( 'k' => 1 ), 'cartpinger' );
			$this->assertGreaterThan( 0, $as_id );
			$this->assertNotFalse( as_next_scheduled_action( 'cartpinger_it_as_job', array( 'k' => 1 ), 'cartpinger' ) );
		}
		$options_before = self::raw_option_names( 'cartpinger\_%' );
		$this->assertContains( 'cartpinger_it_hourly', self::raw_cron_hooks() );

		$this->assertSame( '', self::deactivate(), 'deactivation produced output' );
		$this->assertFalse( is_plugin_active( self::PLUGIN ), 'still active' );

		$left = array_values( array_filter( self::raw_cron_hooks(), static fn ( $h ) => str_starts_with( (string) $h, 'cartpinger_' ) ) );
		$this->assertSame( array(), $left, 'cartpinger_* cron events survive deactivation' );
		$this->assertFalse( wp_next_scheduled( 'cartpinger_it_single', array( 42 ) ) );
		$this->assertContains( 'someone_else_it_hourly', self::raw_cron_hooks(), 'another plugin\'s cron event was removed' );

		if ( null !== $as_id ) {
			$this->assertFalse( as_next_scheduled_action( 'cartpinger_it_as_job', array( 'k' => 1 ), 'cartpinger' ), 'Action Scheduler job of group cartpinger survives deactivation' );
		}
		$this->assertFalse( get_transient( 'cartpinger_templates_cache' ), 'templates cache transient still readable' );
		$this->assertNull( self::raw_option( '_transient_cartpinger_templates_cache' ), 'templates cache transient still in wp_options' );

		$this->assertTrue( self::table_exists( self::table( 'cartpinger_recoveries' ) ), 'recoveries table dropped on deactivation' );
		$this->assertTrue( self::table_exists( self::table( 'cartpinger_messages_log' ) ), 'messages log table dropped on deactivation' );
		$this->assertSame( '1', (string) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . self::table( 'cartpinger_recoveries' ) ) );
		$options_after = self::raw_option_names( 'cartpinger\_%' );
		$this->assertSame( array(), array_values( array_diff( $options_before, $options_after ) ), 'options deleted on deactivation' );
		$this->assertSame( '1234567890', self::raw_option( 'cartpinger_phone_number_id' ) );
		$this->assertSame( (string) \CartPinger\Storage\Schema::VERSION, self::raw_option( 'cartpinger_db_version' ) );
	}
}
