<?php
/**
 * Issue 17 point 4, part 2: the extension is back (after NoExtensionOrdersTest). One queue run
 * sends the fresh deferred notification exactly once and expires the one that would arrive
 * three days late, with its reason.
 *
 * @package CartPinger\Tests\WP
 */

declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class DeferredOrdersTest extends TestCase {

	public function test_deferred_notifications_are_sent_or_expired_with_a_reason(): void {
		global $wpdb;
		$this->assertTrue( extension_loaded( 'cartpinger' ) );
		$sandbox = new SandboxProcess();
		self::use_sandbox( $sandbox );
		list( $fresh, $old ) = array_map( 'intval', (array) get_option( 'cartpinger_it_deferred_orders', array( 0, 0 ) ) );
		$this->assertGreaterThan( 0, $fresh, 'part 1 did not run' );

		$result = self::plugin_cron()->run_once( 20000 );
		$this->assertSame( array( 'queued' => 1, 'expired' => 1 ), $result['deferred'], wp_json_encode( $result ) );

		$table = Schema::messages_log_table();
		$row   = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE idempotency_key = %s', $table, 'order:' . $fresh . ':processing' ), ARRAY_A );
		$this->assertSame( 'sent', $row['status'], wp_json_encode( $row ) );
		$this->assertSame( '+34612345001', $row['phone'] );
		$this->assertNotSame( '', $row['wamid'] );
		$this->assertSame( 1, $sandbox->stored_per_id()[ 'cp-msg-' . $row['id'] ] ?? $sandbox->stored_per_id()[ (string) $row['id'] ] ?? 0, 'sent exactly once' );

		$late = $wpdb->get_row( $wpdb->prepare( 'SELECT status, error_code, error_message FROM %i WHERE order_id = %d', $table, $old ), ARRAY_A );
		$this->assertSame( array( 'expired', 'too_late' ), array( $late['status'], $late['error_code'] ) );
		$this->assertStringContainsString( 'too late', $late['error_message'] );
		$this->assertSame( 0, (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i WHERE status = %s', $table, 'deferred' ) ) );

		// A second run changes nothing and sends nothing more.
		$again = self::plugin_cron()->run_once( 5000 );
		$this->assertSame( array( 'queued' => 0, 'expired' => 0 ), $again['deferred'] );
	}
}
