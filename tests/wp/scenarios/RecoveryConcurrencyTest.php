<?php
/**
 * Scenario r2 (woo tier): several runners at once, and one killed mid-batch.
 *
 * 120 abandoned carts are due. Four PHP processes (tests/wp/lib/run-once.php, each a full
 * scheduler tick + queue run, as WP-Cron, Action Scheduler and `wp cartpinger queue run` on
 * different web servers would) start together against the same MariaDB and the real sandbox
 * (200 ms latency, so runs overlap); a fifth is killed with SIGKILL while it sends. Then the
 * sandbox's status webhooks are applied (as Meta's would arrive), leases time out, and runs
 * drain the rest. Expected: exactly one message row per cart, and the sandbox received each
 * cart's message exactly once: 0 duplicates, 0 lost.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class RecoveryConcurrencyTest extends TestCase {

	private const CARTS = 120;

	public function test_concurrent_and_killed_runners_lose_and_duplicate_nothing(): void {
		global $wpdb;
		$sandbox  = new SandboxProcess( array( '--latency-ms', '200', '--mps-cap', '0' ) );
		self::use_sandbox(
			$sandbox,
			array(
				'quiet_hours_enabled' => '0',
				'cooloff_hours'       => '0',
				'us_marketing_guard'  => '0',
			)
		);
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );

		$past = gmdate( 'Y-m-d H:i:s', time() - 2 * 3600 );
		$snap = wp_json_encode( array( 'lines' => array(), 'coupons' => array(), 'total_minor' => 1000, 'currency' => 'EUR' ) );
		for ( $i = 0; $i < self::CARTS; $i++ ) {
			$wpdb->insert(
				Schema::recoveries_table(),
				array(
					'session_key'      => hash( 'sha256', "conc-{$i}" ),
					'customer_phone'   => '+3461' . str_pad( (string) $i, 7, '0', STR_PAD_LEFT ),
					'customer_name'    => "Shopper {$i}",
					'billing_country'  => 'ES',
					'cart_snapshot'    => $snap,
					'consent'          => 1,
					'consent_at'       => $past,
					'status'           => 'open',
					'last_activity_at' => $past,
					'next_check_at'    => $past,
					'created_at'       => $past,
					'updated_at'       => $past,
				)
			);
		}

		$php  = PHP_BINARY;
		$ext  = (string) getenv( 'CARTPINGER_IT_SO' );
		$cmd  = array( $php, '-d', 'extension=' . $ext, __DIR__ . '/../lib/run-once.php', '8000' );
		$env  = getenv();
		$runs = array();
		for ( $n = 0; $n < 5; $n++ ) {
			$runs[ $n ] = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes[ $n ], null, $env );
			$this->assertIsResource( $runs[ $n ] );
		}
		// Kill the last one mid-batch: its claimed rows stay claimed until the lease runs out.
		usleep( 1500000 );
		proc_terminate( $runs[4], 9 );
		$outputs = array();
		foreach ( $runs as $n => $proc ) {
			$outputs[ $n ] = stream_get_contents( $pipes[ $n ][1] ) . stream_get_contents( $pipes[ $n ][2] );
			proc_close( $proc );
		}

		// Status webhooks, as Meta sends them, settle whatever the killed run had in flight.
		$this->apply_sandbox_statuses( $sandbox );
		// The killed run's lease runs out; later runs drain the rest.
		$wpdb->query( $wpdb->prepare( "UPDATE %i SET claimed_until = %s WHERE status = 'claimed'", Schema::messages_log_table(), gmdate( 'Y-m-d H:i:s', time() - 1 ) ) );
		for ( $round = 0; $round < 4; $round++ ) {
			$out = array();
			exec( implode( ' ', array_map( 'escapeshellarg', $cmd ) ) . ' 2>&1', $out );
			$this->apply_sandbox_statuses( $sandbox );
			$wpdb->query( $wpdb->prepare( "UPDATE %i SET due_at = %s WHERE status = 'unknown'", Schema::messages_log_table(), gmdate( 'Y-m-d H:i:s', time() - 1 ) ) );
		}

		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT id, recovery_id, step, status FROM %i', Schema::messages_log_table() ), ARRAY_A );
		$this->assertCount( self::CARTS, $rows, 'one message row per cart: ' . implode( "\n", $outputs ) );
		$per_record = array_count_values( array_map( static fn( $r ) => (int) $r['recovery_id'], $rows ) );
		$this->assertSame( array( 1 ), array_values( array_unique( $per_record ) ), 'a cart got two message rows' );
		$stored = $sandbox->stored_per_id();
		foreach ( $rows as $row ) {
			$this->assertSame( 1, $stored[ (string) $row['id'] ] ?? 0, "message {$row['id']} reached the sandbox " . ( $stored[ (string) $row['id'] ] ?? 0 ) . " times (status {$row['status']})" );
			$this->assertContains( $row['status'], array( 'sent', 'delivered', 'read' ), "message {$row['id']}" );
		}
		$statuses = $wpdb->get_col( $wpdb->prepare( 'SELECT DISTINCT status FROM %i', Schema::recoveries_table() ) );
		$this->assertSame( array( 'messaged' ), $statuses );
	}

	/** Feeds the sandbox's accepted messages to the processor as "sent" status events. */
	private function apply_sandbox_statuses( SandboxProcess $sandbox ): void {
		$data   = json_decode( (string) file_get_contents( $sandbox->base . '/_sandbox/messages?limit=100000' ), true );
		$events = array();
		foreach ( $data['messages'] ?? array() as $m ) {
			$id    = $m['biz_opaque_callback_data'] ?? null;
			$wamid = $m['wamid'] ?? ( $m['id'] ?? null );
			if ( is_string( $id ) && is_string( $wamid ) ) {
				$events[] = array(
					'kind'                     => 'status',
					'wamid'                    => $wamid,
					'status'                   => 'sent',
					'timestamp'                => time(),
					'recipient_id'             => ltrim( (string) ( $m['to'] ?? '' ), '+' ),
					'biz_opaque_callback_data' => $id,
				);
			}
		}
		( new \CartPinger\Webhook\Processor() )->process( array( 'events' => $events ) );
	}
}
