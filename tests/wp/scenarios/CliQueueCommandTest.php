<?php
/**
 * Scenario r3 (woo tier, continues r2's site): `wp cartpinger queue run` and `status`.
 *
 * WP-CLI itself is on no registry this build can reach (no Packagist, no GitHub releases), so
 * this test stands in a minimal \WP_CLI shim (line/success/warning/add_command and
 * \WP_CLI\Utils\format_items) — the only mock here — and runs the real command class against
 * real WordPress, WooCommerce, MariaDB, the extension and the sandbox. Registration is checked
 * the way WP-CLI loads plugins: with the WP_CLI constant defined before the plugin boots.
 */
declare(strict_types=1);

namespace {
	if ( ! class_exists( 'WP_CLI', false ) ) {
		// phpcs:ignore
		final class WP_CLI {
			public static array $out      = array();
			public static array $commands = array();
			public static function line( string $s ): void { self::$out[] = array( 'line', $s ); }
			public static function success( string $s ): void { self::$out[] = array( 'success', $s ); }
			public static function warning( string $s ): void { self::$out[] = array( 'warning', $s ); }
			public static function add_command( string $name, $callable ): void { self::$commands[ $name ] = $callable; }
		}
	}
}

namespace WP_CLI\Utils {
	if ( ! function_exists( 'WP_CLI\Utils\format_items' ) ) {
		function format_items( string $format, array $items, array $fields ): void {
			\WP_CLI::$out[] = array( $format, $items, $fields );
		}
	}
}

namespace CartPinger\Tests\WP {

	use CartPinger\Cli\QueueCommand;
	use CartPinger\Queue\Runner;
	use CartPinger\Queue\Store;
	use CartPinger\Storage\Schema;
	use CartPinger\Tests\Native\SandboxProcess;

	require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

	final class CliQueueCommandTest extends TestCase {

		public function test_queue_run_plans_and_sends_and_status_shows_the_heartbeat(): void {
			global $wpdb;
			$sandbox  = new SandboxProcess();
			self::use_sandbox( $sandbox, array( 'quiet_hours_enabled' => '0' ) );
			$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
			$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
			delete_option( Store::PAUSED_OPTION );
			$past = gmdate( 'Y-m-d H:i:s', time() - 7200 );
			$wpdb->insert(
				Schema::recoveries_table(),
				array(
					'session_key'      => hash( 'sha256', 'cli' ),
					'customer_phone'   => '+34612000111',
					'customer_name'    => 'Marta',
					'billing_country'  => 'ES',
					'cart_snapshot'    => '{"lines":[],"coupons":[],"total_minor":100,"currency":"EUR"}',
					'consent'          => 1,
					'consent_at'       => $past,
					'status'           => 'open',
					'last_activity_at' => $past,
					'next_check_at'    => $past,
					'created_at'       => $past,
					'updated_at'       => $past,
				)
			);

			QueueCommand::register( self::plugin_cron(), new Store() );
			$this->assertSame( array(), \WP_CLI::$commands, 'registered outside WP-CLI' );

			$command = new QueueCommand( self::plugin_cron(), new Store() );
			$command->run( array(), array( 'format' => 'json' ) );
			$json = json_decode( (string) \WP_CLI::$out[0][1], true );
			$this->assertSame( 1, $json['scheduler']['send'], (string) \WP_CLI::$out[0][1] );
			$this->assertSame( 1, $json['queue']['sent'] ?? 0, (string) \WP_CLI::$out[0][1] );
			$this->assertSame( 'sent', $wpdb->get_var( $wpdb->prepare( 'SELECT status FROM %i', Schema::messages_log_table() ) ) );

			\WP_CLI::$out = array();
			$command->run( array(), array( 'budget' => '5000' ) );
			$this->assertSame( 'table', \WP_CLI::$out[0][0] );
			$this->assertSame( array( 'part', 'key', 'value' ), \WP_CLI::$out[0][2] );
			$this->assertSame( 'success', \WP_CLI::$out[1][0] );

			\WP_CLI::$out = array();
			$command->status();
			$status = json_decode( (string) \WP_CLI::$out[0][1], true );
			$this->assertSame( get_option( Runner::LAST_RUN_OPTION )['at'], $status['at'] );
		}
	}
}
