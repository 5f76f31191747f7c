<?php
/**
 * Scenario q1 (woo tier, continues q0 = WebhookSetupTest: plugin active, app secret and verify
 * token stored): the message queue against the real Cloud API sandbox binary. Enqueue with an
 * idempotency key, the WP-Cron wiring, a Runner run that sends through the extension, claims
 * that never overlap, an expired lease taken back, a webhook state kept over a late
 * completion, and a wrong token that pauses the queue (rows kept pending) until a new token
 * is saved.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\QueueNotice;
use CartPinger\Plugin;
use CartPinger\Queue\Cron;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class QueueTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	private static int $phone = 0;

	public static function setUpBeforeClass(): void {
		global $wpdb;
		self::$sandbox = new SandboxProcess();
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		delete_option( Store::PAUSED_OPTION );
		$settings = self::settings();
		$app_secret = $settings->get_secret( 'app_secret' );
		foreach ( array(
			'phone_number_id' => SandboxProcess::PHONE_NUMBER_ID,
			'waba_id'         => SandboxProcess::WABA_ID,
			'graph_base_url'  => self::$sandbox->base,
		) as $key => $value ) {
			if ( true !== $settings->set( $key, $value ) ) {
				throw new \RuntimeException( "could not set {$key}" );
			}
		}
		if ( true !== $settings->set_secret( 'access_token', SandboxProcess::TOKEN ) ) {
			throw new \RuntimeException( 'could not set the access token' );
		}
		// Changing the Graph address discards the app secret (issue 11): re-enter the one stored.
		if ( is_string( $app_secret ) && '' !== $app_secret ) {
			$settings->set_secret( 'app_secret', $app_secret );
		}
	}

	public static function tearDownAfterClass(): void {
		self::$sandbox = null;
	}

	private static function settings(): Settings {
		return new Settings( new SecretBox() );
	}

	private static function runner(): Runner {
		return new Runner( self::settings(), new Store() );
	}

	/** A distinct recipient per message: the sender's pair guard spaces messages to one number. */
	private static function order_message( string $key ): array {
		++self::$phone;
		return array(
			'phone'           => '+346123456' . str_pad( (string) self::$phone, 2, '0', STR_PAD_LEFT ),
			'template'        => 'order_confirmed',
			'language'        => 'es',
			'params'          => array( 'Ana', '1001', '49.90 EUR' ),
			'kind'            => 'order',
			'idempotency_key' => $key,
		);
	}

	private static function row( int $id ): array {
		global $wpdb;
		return (array) $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', Schema::messages_log_table(), $id ), ARRAY_A );
	}

	private static function count_rows(): int {
		global $wpdb;
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', Schema::messages_log_table() ) );
	}

	private static function stored_once( array $ids ): void {
		$stored = self::$sandbox->stored_per_id();
		foreach ( $ids as $id ) {
			self::assertSame( 1, $stored[ (string) $id ] ?? 0, "sandbox stored message {$id} " . ( $stored[ (string) $id ] ?? 0 ) . ' times' );
		}
	}

	public function test_cron_is_wired(): void {
		$this->assertNotNull( Plugin::instance(), 'the plugin did not boot' );
		$this->assertTrue( self::settings()->is_configured(), 'settings not configured' );
		$schedules = wp_get_schedules();
		$this->assertArrayHasKey( Cron::SCHEDULE, $schedules );
		$this->assertSame( 60, (int) $schedules[ Cron::SCHEDULE ]['interval'] );
		$this->assertNotFalse( has_action( Cron::HOOK ) );
		if ( Cron::uses_action_scheduler() ) {
			// WooCommerce bundles Action Scheduler: it drives the runs, and WP-Cron's event is removed.
			$this->assertTrue( as_has_scheduled_action( Cron::HOOK, array(), \CartPinger\Lifecycle::ACTION_SCHEDULER_GROUP ), 'no recurring Action Scheduler action' );
			$this->assertFalse( wp_next_scheduled( Cron::HOOK ), 'both WP-Cron and Action Scheduler would run the queue' );
			return;
		}
		$this->assertNotFalse( wp_next_scheduled( Cron::HOOK ), 'cartpinger_queue_run is not scheduled' );
		$this->assertSame( Cron::SCHEDULE, wp_get_schedule( Cron::HOOK ) );
	}

	public function test_enqueue_and_run_sends_each_message_once(): void {
		$store = new Store();
		$ids   = array();
		for ( $i = 1; $i <= 3; $i++ ) {
			$id = $store->enqueue( self::order_message( "order-1001-confirmed-{$i}" ) );
			$this->assertIsInt( $id );
			$ids[] = $id;
		}
		$again = $store->enqueue( self::order_message( 'order-1001-confirmed-2' ) );
		$this->assertSame( $ids[1], $again, 'a duplicate idempotency key returns the existing id' );
		$this->assertSame( 3, self::count_rows(), 'a duplicate idempotency key inserted a row' );
		$this->assertInstanceOf( \WP_Error::class, $store->enqueue( array( 'phone' => '612345678' ) + self::order_message( 'bad' ) ) );
		$row = self::row( $ids[0] );
		$this->assertSame( 'pending', $row['status'] );
		$this->assertSame( Store::PRIORITY_ORDER, (int) $row['priority'] );
		$this->assertGreaterThan( Store::PRIORITY_RECOVERY, Store::PRIORITY_ORDER );

		$summary = self::runner()->run( 10000 );
		$this->assertSame( 'ran', $summary['state'], wp_json_encode( $summary ) );
		$this->assertSame( 3, $summary['claimed'] );
		$this->assertSame( 3, $summary['sent'] ?? 0, wp_json_encode( $summary ) );
		foreach ( $ids as $id ) {
			$row = self::row( $id );
			$this->assertSame( 'sent', $row['status'], wp_json_encode( $row ) );
			$this->assertStringStartsWith( 'wamid.', $row['wamid'] );
			$this->assertNotEmpty( $row['sent_at'] );
			$this->assertSame( '0', (string) $row['claim_id'] );
			$this->assertNull( $row['claimed_until'] );
			$this->assertSame( 1, (int) $row['attempts'] );
		}
		self::stored_once( $ids );
		$last = get_option( Runner::LAST_RUN_OPTION );
		$this->assertIsArray( $last );
		$this->assertSame( 3, $last['sent'] );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $last['at'] );
		$this->assertLessThan( 5, abs( strtotime( $last['at'] . ' UTC' ) - time() ), 'heartbeat is not UTC' );

		// Nothing left: a second run sends nothing and the sandbox still has each id once.
		$summary = self::runner()->run( 5000 );
		$this->assertSame( 0, $summary['claimed'] );
		self::stored_once( $ids );
	}

	public function test_claims_never_overlap_and_expired_leases_come_back(): void {
		global $wpdb;
		$store = new Store();
		$ids   = array();
		for ( $i = 1; $i <= 4; $i++ ) {
			$ids[] = $store->enqueue( self::order_message( "claim-{$i}" ) );
		}
		$recovery = $store->enqueue( array( 'kind' => 'recovery' ) + self::order_message( 'claim-recovery' ) );
		$future   = $store->enqueue( array( 'due_at' => gmdate( 'Y-m-d H:i:s', time() + 3600 ) ) + self::order_message( 'claim-future' ) );

		$first  = $store->claim( 2, 60 );
		$second = $store->claim( 10, 60 );
		$a      = array_map( static fn ( $r ) => (int) $r['id'], $first );
		$b      = array_map( static fn ( $r ) => (int) $r['id'], $second );
		$this->assertCount( 2, $a );
		$this->assertSame( array_slice( $ids, 0, 2 ), $a, 'order rows first, oldest first' );
		$this->assertSame( array(), array_intersect( $a, $b ), 'two claims returned the same row' );
		$this->assertSame( array( $ids[2], $ids[3], $recovery ), $b, 'recovery after orders; a future row is not due' );
		$this->assertNotContains( $future, array_merge( $a, $b ) );
		$this->assertNotSame( (int) $first[0]['claim_id'], (int) $second[0]['claim_id'] );
		$this->assertSame( array(), $store->claim( 10, 60 ), 'a third claim found rows still leased' );

		// The first runner died after marking only a[0] in flight: a[0] may have reached Meta,
		// a[1] was never attempted.
		$this->assertSame( 1, $store->mark_in_flight( array( $a[0] ), (int) $first[0]['claim_id'] ) );
		$this->assertSame( 'sending', self::row( $a[0] )['status'] );
		$wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET claimed_until = %s WHERE claim_id = %d',
				Schema::messages_log_table(),
				gmdate( 'Y-m-d H:i:s', time() - 5 ),
				(int) $first[0]['claim_id']
			)
		);
		$third = $store->claim( 10, 60 );
		$this->assertSame( array( $a[1] ), array_map( static fn ( $r ) => (int) $r['id'], $third ), 'the never-attempted row comes back, the in-flight one does not' );
		$row = self::row( $a[0] );
		$this->assertSame( array( 'unknown', 'runner_stopped' ), array( $row['status'], $row['error_code'] ) );
		// The dead runner's late rejection no longer counts...
		$this->assertSame( 'stale', $store->complete( $first[0], array( 'status' => 'permanent', 'code' => '131026' ) ) );
		$this->assertSame( 'unknown', self::row( $a[0] )['status'] );
		// ...but a late wamid always lands: no row stays unknown with a wamid.
		$this->assertSame( 'sent', $store->complete( $first[0], array( 'status' => 'accepted', 'wamid' => 'wamid.late0' ) ) );
		$row = self::row( $a[0] );
		$this->assertSame( array( 'sent', 'wamid.late0', '' ), array( $row['status'], $row['wamid'], $row['error_code'] ) );

		// A webhook moved a row to delivered before the runner completed it: delivered stays,
		// the wamid is filled in. (Written here as the webhook processor writes it: the status
		// and its counters.)
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s WHERE id = %d', Schema::messages_log_table(), 'delivered', $a[1] ) );
		\CartPinger\Storage\Stats::message_status_changed( $a[1], 'claimed' );
		$this->assertSame( 'sent', $store->complete( $third[0], array( 'status' => 'accepted', 'wamid' => 'wamid.late' ) ) );
		$row = self::row( $a[1] );
		$this->assertSame( 'delivered', $row['status'] );
		$this->assertSame( 'wamid.late', $row['wamid'] );

		// Outcome mapping (the extension's Delivery::decide(); the store only writes it).
		$rows = array();
		foreach ( $second as $r ) {
			$rows[ (int) $r['id'] ] = $r;
		}
		$this->assertSame( 'retry', $store->complete( $rows[ $ids[2] ], array( 'status' => 'rate_limited', 'code' => 130429, 'retry_after_ms' => 120000 ) ) );
		$row = self::row( $ids[2] );
		$this->assertSame( array( 'pending', '130429' ), array( $row['status'], $row['error_code'] ) );
		$this->assertSame( 1, (int) $row['attempts'] );
		$this->assertGreaterThanOrEqual( time() + 115, strtotime( $row['due_at'] . ' UTC' ) );
		$this->assertSame( 'failed', $store->complete( $rows[ $ids[3] ], array( 'status' => 'permanent', 'code' => 131026, 'message' => 'Not on WhatsApp.' ) ) );
		$row = self::row( $ids[3] );
		$this->assertSame( array( 'failed', '131026', 'Not on WhatsApp.' ), array( $row['status'], $row['error_code'], $row['error_message'] ) );
		$this->assertNotEmpty( $row['failed_at'] );
		$this->assertSame( 'unknown', $store->complete( $rows[ $recovery ], array( 'status' => 'unknown' ) ) );
		$this->assertSame( 'unknown', self::row( $recovery )['status'] );

		// Unknown never comes back by itself: a recovery message closes, unresent, after the
		// window (15 min).
		$back = static function ( int $id, int $seconds ) use ( $wpdb ): void {
			$at = gmdate( 'Y-m-d H:i:s', time() - $seconds );
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET in_flight_at = %s, due_at = %s WHERE id = %d', Schema::messages_log_table(), $at, $at, $id ) );
		};
		$back( $recovery, 60 );
		$this->assertSame( array(), $store->claim( 10, 60 ) );
		$this->assertSame( 'unknown', self::row( $recovery )['status'], 'closed before the window' );
		$back( $recovery, 15 * 60 );
		$this->assertSame( array(), $store->claim( 10, 60 ), 'an unknown recovery message was resent' );
		$row = self::row( $recovery );
		$this->assertSame( array( 'unconfirmed', 'unknown_not_resent' ), array( $row['status'], $row['error_code'] ) );
		$this->assertStringContainsString( 'not resent', (string) $row['error_message'] );

		// Leave nothing due for the next test.
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s, claim_id = 0 WHERE status IN (%s, %s, %s, %s)', Schema::messages_log_table(), 'cancelled', 'pending', 'claimed', 'sending', 'unknown' ) );
	}

	public function test_an_unknown_order_update_is_resent_once_and_only_on_evidence(): void {
		global $wpdb;
		$store = new Store();
		$table = Schema::messages_log_table();
		$id    = $store->enqueue( self::order_message( 'unknown-order' ) );
		$rows  = $store->claim( 10, 60 );
		$this->assertSame( array( $id ), array_map( static fn ( $r ) => (int) $r['id'], $rows ) );
		$store->mark_in_flight( array( $id ), (int) $rows[0]['claim_id'] );
		$this->assertSame( 'unknown', $store->complete( $rows[0], array( 'status' => 'unknown' ) ) );
		$back = static function ( int $seconds ) use ( $wpdb, $table, $id ): void {
			$at = gmdate( 'Y-m-d H:i:s', time() - $seconds );
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET in_flight_at = %s, created_at = %s, due_at = %s WHERE id = %d', $table, $at, $at, $at, $id ) );
		};
		// An hour of silence, but no status webhook arrived for any later message either: the
		// silence proves nothing, so it is not resent.
		$back( 3600 );
		$this->assertSame( array(), $store->claim( 10, 60 ), 'resent without evidence' );
		$this->assertSame( 'unknown', self::row( $id )['status'] );
		// A later message got its "delivered" webhook: Meta would have told us about this one.
		$later = $store->enqueue( self::order_message( 'unknown-order-later' ) );
		$now   = gmdate( 'Y-m-d H:i:s', time() - 60 );
		$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s, in_flight_at = %s, delivered_at = %s, wamid = %s WHERE id = %d', $table, 'delivered', $now, $now, 'wamid.later', $later ) );
		\CartPinger\Storage\Stats::message_status_changed( $later, 'pending' );
		$back( 3600 );
		$again = $store->claim( 10, 60 );
		$this->assertSame( array( $id ), array_map( static fn ( $r ) => (int) $r['id'], $again ), 'not resent with evidence' );
		$row = self::row( $id );
		$this->assertSame( array( '1', 'unknown_resent' ), array( (string) $row['resends'], $row['error_code'] ) );
		// Unknown again: closed, never a third send.
		$store->mark_in_flight( array( $id ), (int) $again[0]['claim_id'] );
		$this->assertSame( 'unknown', $store->complete( $again[0], array( 'status' => 'unknown' ) ) );
		$back( 3600 );
		$this->assertSame( array(), $store->claim( 10, 60 ), 'resent twice' );
		$row = self::row( $id );
		$this->assertSame( array( 'unconfirmed', 'unknown_not_resent' ), array( $row['status'], $row['error_code'] ) );
	}

	public function test_wrong_token_pauses_the_queue(): void {
		$store    = new Store();
		$settings = self::settings();
		$this->assertTrue( $settings->set_secret( 'access_token', 'wrong-token' ) );
		$ids      = array( $store->enqueue( self::order_message( 'fatal-1' ) ), $store->enqueue( self::order_message( 'fatal-2' ) ) );
		$before   = self::$sandbox->stored_per_id();

		$summary = self::runner()->run( 10000 );
		$this->assertSame( 2, $summary['claimed'], wp_json_encode( $summary ) );
		$paused = $store->paused();
		$this->assertNotNull( $paused, 'a fatal result did not pause the queue: ' . wp_json_encode( $summary ) );
		$this->assertSame( '190', $paused['code'] );
		$this->assertNotSame( '', $paused['message'] );
		foreach ( $ids as $id ) {
			$row = self::row( $id );
			$this->assertSame( 'pending', $row['status'], 'a fatal error must not fail the message' );
			$this->assertSame( '0', (string) $row['claim_id'] );
		}
		$this->assertSame( $before, self::$sandbox->stored_per_id() );

		// Paused: the next run does nothing.
		$summary = self::runner()->run( 5000 );
		$this->assertSame( array( 'state' => 'paused', 'claimed' => 0, 'rounds' => 0 ), $summary );
		$this->assertSame( 'pending', self::row( $ids[0] )['status'] );

		// The admin notice, for shop managers only.
		wp_set_current_user( 1 );
		ob_start();
		( new QueueNotice( $store ) )->action_admin_notices();
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'cartpinger-queue-paused', $html );
		$this->assertStringContainsString( 'data-code="190"', $html );
		wp_set_current_user( 0 );
		ob_start();
		( new QueueNotice( $store ) )->action_admin_notices();
		$this->assertSame( '', (string) ob_get_clean() );

		// Saving a token lifts the pause; the kept messages go out.
		$this->assertTrue( $settings->set_secret( 'access_token', SandboxProcess::TOKEN ) );
		$this->assertNull( $store->paused(), 'saving the access token did not lift the pause' );
		$summary = self::runner()->run( 10000 );
		$this->assertSame( 2, $summary['sent'] ?? 0, wp_json_encode( $summary ) );
		self::stored_once( $ids );
	}

	/** Issue 15: the queue's sends and failures kept the dashboard's counters in step. */
	public function test_zz_counters_kept_on_write_equal_a_rebuild(): void {
		$this->assertCountersMatchRebuild();
	}
}
