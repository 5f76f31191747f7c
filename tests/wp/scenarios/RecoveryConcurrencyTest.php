<?php
/**
 * Scenario r2 (woo tier): several runners at once, and runners killed at known points.
 *
 * 120 abandoned carts are due. Each runner is a PHP process (tests/wp/lib/run-once.php: a full
 * scheduler tick + queue run, as WP-Cron, Action Scheduler and `wp cartpinger queue run` on
 * different web servers would) against the same MariaDB and the real sandbox.
 *
 *  1. A runner is SIGKILLed right after its tick queued its 30th message: it holds the leases of
 *     the records it had not applied yet and sent nothing (the failure seen on a loaded machine:
 *     the rest of the run saw only the carts it had not leased).
 *  2. Those leases run out the way the product lets them (Scheduler::LEASE after they were
 *     taken: the data is aged by exactly that, the clock is real).
 *  3. A runner is SIGKILLed while its requests hang at the sandbox after being stored (Meta got
 *     them, the answers never came): its claims stay `claimed`.
 *  4. Four runners start together and drain the rest; the sandbox's status webhooks are applied
 *     as Meta's would arrive; the killed runner's claims expire as the product expires them
 *     (claimed_until in the past) and reconcile runs finish.
 * Expected, whatever the machine's load: exactly one message row per cart, no message reached
 * the sandbox twice, every record messaged: 0 duplicates. A message the killed runner had in
 * flight whose request never got out stays unknown and is not resent (docs/delivery.md: no
 * message twice, ever); any other message reached the sandbox exactly once.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Recovery\Scheduler;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class RecoveryConcurrencyTest extends TestCase {

	private const CARTS = 120;

	private const KILL_AFTER_QUEUED = 30;

	public function test_concurrent_and_killed_runners_lose_and_duplicate_nothing(): void {
		global $wpdb;
		$sandbox = new SandboxProcess( array( '--latency-ms', '200', '--mps-cap', '0' ) );
		self::use_sandbox(
			$sandbox,
			array(
				'quiet_hours_enabled' => '0',
				'cooloff_hours'       => '0',
				'us_marketing_guard'  => '0',
			)
		);
		$recoveries = Schema::recoveries_table();
		$messages   = Schema::messages_log_table();
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $recoveries ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $messages ) );

		$past = gmdate( 'Y-m-d H:i:s', time() - 2 * 3600 );
		$snap = wp_json_encode( array( 'lines' => array(), 'coupons' => array(), 'total_minor' => 1000, 'currency' => 'EUR' ) );
		for ( $i = 0; $i < self::CARTS; $i++ ) {
			$wpdb->insert(
				$recoveries,
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

		$cmd = array( PHP_BINARY, '-d', 'extension=' . (string) getenv( 'CARTPINGER_IT_SO' ), __DIR__ . '/../lib/run-once.php', '8000' );

		// 1. Killed by SIGKILL right after queueing its 30th message.
		$out = $this->run_proc( $cmd, array( 'CARTPINGER_IT_KILL_AFTER_QUEUED' => (string) self::KILL_AFTER_QUEUED ) );
		$this->assertSame( 9, $out['signal'], 'the first runner died at the known point: ' . $out['output'] );
		$this->assertSame( self::KILL_AFTER_QUEUED, (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', $messages ) ) );
		$held = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM %i WHERE status = 'open' AND next_check_at > %s", $recoveries, gmdate( 'Y-m-d H:i:s' ) ) );
		$this->assertSame( self::CARTS - self::KILL_AFTER_QUEUED, $held, 'the dead tick holds the leases of the records it had not applied' );
		$this->assertLessThanOrEqual( Scheduler::LEASE, (int) $wpdb->get_var( $wpdb->prepare( "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), MAX(next_check_at)) FROM %i WHERE status = 'open'", $recoveries ) ), 'a crashed tick holds records for at most Scheduler::LEASE' );
		// A run now finds nothing due: the leases hold.
		$this->run_proc( $cmd );
		$this->assertSame( $held, (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM %i WHERE status = 'open'", $recoveries ) ), 'leased records are not taken while the lease holds' );

		// 2. The lease runs out: exactly Scheduler::LEASE passes for the held records.
		$wpdb->query( $wpdb->prepare( "UPDATE %i SET next_check_at = next_check_at - INTERVAL %d SECOND WHERE status = 'open'", $recoveries, Scheduler::LEASE ) );

		// 3. A runner whose requests are stored by the sandbox and never answered, killed there.
		$sandbox->control( '/_sandbox/inject', array( 'class' => 'timeout_after_write', 'count' => 5, 'hang_ms' => 60000 ) );
		// A long budget: the runner is still waiting for the answers (Sender timeout 20 s) when
		// it is killed, whatever the load.
		$slow = $cmd;
		$slow[ count( $slow ) - 1 ] = '60000';
		$proc = proc_open( $slow, array( 1 => array( 'file', '/dev/null', 'w' ), 2 => array( 'file', '/dev/null', 'w' ) ), $pipes, null, getenv() );
		$this->assertIsResource( $proc );
		$end = microtime( true ) + 120;
		while ( self::hung( $sandbox ) < 5 && microtime( true ) < $end ) {
			usleep( 100000 );
		}
		$this->assertSame( 5, self::hung( $sandbox ), 'five requests stored and left hanging' );
		proc_terminate( $proc, 9 );
		proc_close( $proc );
		// Nothing left queued for the next runners.
		file_get_contents( $sandbox->base . '/_sandbox/inject', false, stream_context_create( array( 'http' => array( 'method' => 'DELETE' ) ) ) );
		// Its rows are told apart (docs/delivery.md): `sending` were handed to a sending thread
		// (they may have reached Meta, so they are never resent blindly), `claimed` never were.
		$in_flight = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM %i WHERE status = 'sending'", $messages ) );
		$this->assertGreaterThanOrEqual( 5, $in_flight, 'the killed runner left its five hanging requests marked in flight' );

		// 4. Four runners at once drain the rest.
		$runs  = array();
		$pipes = array();
		for ( $n = 0; $n < 4; $n++ ) {
			$runs[ $n ] = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes[ $n ], null, getenv() );
			$this->assertIsResource( $runs[ $n ] );
		}
		$outputs = array();
		foreach ( $runs as $n => $proc ) {
			$outputs[ $n ] = stream_get_contents( $pipes[ $n ][1] ) . stream_get_contents( $pipes[ $n ][2] );
			proc_close( $proc );
		}
		// Status webhooks, as Meta sends them, settle what the killed runner had in flight; its
		// claims expire as the product expires them; later runs finish.
		for ( $round = 0; $round < 4; $round++ ) {
			$this->apply_sandbox_statuses( $sandbox );
			$wpdb->query( $wpdb->prepare( "UPDATE %i SET claimed_until = %s WHERE status = 'claimed'", $messages, gmdate( 'Y-m-d H:i:s', time() - 1 ) ) );
			$this->run_proc( $cmd );
			$this->apply_sandbox_statuses( $sandbox );
			$wpdb->query( $wpdb->prepare( "UPDATE %i SET due_at = %s WHERE status = 'unknown'", $messages, gmdate( 'Y-m-d H:i:s', time() - 1 ) ) );
		}

		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT id, recovery_id, step, status FROM %i', $messages ), ARRAY_A );
		$this->assertCount( self::CARTS, $rows, 'one message row per cart: ' . implode( "\n", $outputs ) );
		$per_record = array_count_values( array_map( static fn( $r ) => (int) $r['recovery_id'], $rows ) );
		$this->assertSame( array( 1 ), array_values( array_unique( $per_record ) ), 'a cart got two message rows' );
		$stored = $sandbox->stored_per_id();
		$unsent = 0;
		foreach ( $rows as $row ) {
			$n = $stored[ (string) $row['id'] ] ?? 0;
			$this->assertLessThanOrEqual( 1, $n, "message {$row['id']} reached the sandbox {$n} times (status {$row['status']})" );
			if ( 1 === $n ) {
				$this->assertContains( $row['status'], array( 'sent', 'delivered', 'read' ), "message {$row['id']}" );
				continue;
			}
			// In flight when its runner was killed, and the request never got out: its outcome
			// is unknown to us, so it is not resent (it closes as "unknown — not resent").
			$this->assertContains( $row['status'], array( 'unknown', 'unconfirmed' ), "message {$row['id']} never reached the sandbox" );
			++$unsent;
		}
		$this->assertLessThanOrEqual( $in_flight - 5, $unsent, 'only rows the killed runner had in flight may be unknown' );
		$statuses = $wpdb->get_col( $wpdb->prepare( 'SELECT DISTINCT status FROM %i', $recoveries ) );
		$this->assertSame( array( 'messaged' ), $statuses );
	}

	public function test_heartbeat_renews_only_the_leases_the_tick_still_holds(): void {
		global $wpdb;
		$table = Schema::recoveries_table();
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $table ) );
		$now   = time();
		$lease = gmdate( 'Y-m-d H:i:s', $now + Scheduler::LEASE );
		$ids   = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$wpdb->insert( $table, array( 'session_key' => hash( 'sha256', "hb-{$i}" ), 'customer_phone' => '+346100000' . $i, 'status' => 'open', 'last_activity_at' => gmdate( 'Y-m-d H:i:s', $now ), 'next_check_at' => $lease, 'created_at' => gmdate( 'Y-m-d H:i:s', $now ), 'updated_at' => gmdate( 'Y-m-d H:i:s', $now ) ) );
			$ids[] = (int) $wpdb->insert_id;
		}
		// Another run took the second record after this tick's lease had lapsed.
		$wpdb->update( $table, array( 'next_check_at' => gmdate( 'Y-m-d H:i:s', $now + 999 ) ), array( 'id' => $ids[1] ) );
		$next = gmdate( 'Y-m-d H:i:s', $now + Scheduler::HEARTBEAT + Scheduler::LEASE );
		$kept = ( new \CartPinger\Recovery\Repository() )->renew_lease( $ids, $lease, $next );
		sort( $kept );
		$this->assertSame( array( $ids[0], $ids[2] ), $kept );
		$this->assertSame( $next, $wpdb->get_var( $wpdb->prepare( 'SELECT next_check_at FROM %i WHERE id = %d', $table, $ids[0] ) ) );
		$this->assertSame( gmdate( 'Y-m-d H:i:s', $now + 999 ), $wpdb->get_var( $wpdb->prepare( 'SELECT next_check_at FROM %i WHERE id = %d', $table, $ids[1] ) ), 'the other run keeps its lease' );
		$this->assertLessThan( Scheduler::LEASE, Scheduler::HEARTBEAT * 2, 'a heartbeat comes well before the lease runs out' );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $table ) );
	}

	/** Runs one runner to its end; returns its output and the signal that ended it (0 if none). */
	private function run_proc( array $cmd, array $env = array() ): array {
		$proc = proc_open( $cmd, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes, null, $env + getenv() );
		$this->assertIsResource( $proc );
		$output = stream_get_contents( $pipes[1] ) . stream_get_contents( $pipes[2] );
		do {
			$status = proc_get_status( $proc );
			if ( $status['running'] ) {
				usleep( 20000 );
			}
		} while ( $status['running'] );
		proc_close( $proc );
		return array(
			'output' => $output,
			'signal' => $status['signaled'] ? (int) $status['termsig'] : 0,
		);
	}

	/** Requests the sandbox stored and left unanswered (timeout_after_write). */
	private static function hung( SandboxProcess $sandbox ): int {
		$data = json_decode( (string) file_get_contents( $sandbox->base . '/_sandbox/messages?limit=100000' ), true );
		return count( array_filter( $data['messages'] ?? array(), static fn( $m ) => str_starts_with( (string) ( $m['injected'] ?? '' ), 'timeout_after_write' ) ) );
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
