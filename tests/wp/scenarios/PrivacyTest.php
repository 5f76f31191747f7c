<?php
/**
 * Scenario p1 (woo tier, continues r0 = WebhookSetupTest): WordPress's personal-data exporter
 * and eraser for CartPinger's data, and the retention purge, on real WooCommerce orders.
 *
 * CartPinger\Privacy\Privacy is registered by the plugin; this scenario also builds one to call
 * the retention purge directly. The exporter and eraser are taken from WordPress's own
 * wp_privacy_personal_data_exporters / _erasers filters, as Tools → Export / Erase Personal
 * Data does.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Privacy\Privacy;
use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;

final class PrivacyTest extends TestCase {

	private const EMAIL = 'ana.privacy@example.com';

	private const PHONE_RECORD = '+34600300001';

	private const PHONE_ORDER = '+34600300002';

	private const OTHER_PHONE = '+34600300009';

	private static ?Privacy $privacy = null;

	public static function setUpBeforeClass(): void {
		self::$privacy = new Privacy( new Settings( new SecretBox() ) );
	}

	protected function setUp(): void {
		parent::setUp();
		global $wpdb;
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::messages_log_table() ) );
		foreach ( wc_get_orders( array( 'billing_email' => self::EMAIL, 'limit' => -1 ) ) as $order ) {
			$order->delete( true );
		}
	}

	private static function exporter(): callable {
		$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
		return $exporters['cartpinger']['callback'];
	}

	private static function eraser(): callable {
		$erasers = apply_filters( 'wp_privacy_personal_data_erasers', array() );
		return $erasers['cartpinger']['callback'];
	}

	private static function recovery( array $data ): int {
		global $wpdb;
		$now = gmdate( 'Y-m-d H:i:s' );
		$wpdb->insert(
			Schema::recoveries_table(),
			$data + array(
				'customer_phone'   => '',
				'customer_name'    => '',
				'customer_email'   => '',
				'cart_snapshot'    => '{"lines":[{"product_id":7,"name":"Blue mug","quantity":2}],"total_minor":2500,"currency":"EUR"}',
				'cart_total_minor' => 2500,
				'currency'         => 'EUR',
				'consent'          => 1,
				'consent_at'       => $now,
				'consent_ip'       => \CartPinger\Recovery\CaptureGuard::hash_address( '203.0.113.5' ),
				'consent_label'    => 'Send me order updates and reminders via WhatsApp.',
				'consent_text_version' => '2026-11-v1',
				'status'           => 'open',
				'last_activity_at' => $now,
				'created_at'       => $now,
				'updated_at'       => $now,
			)
		);
		return (int) $wpdb->insert_id;
	}

	private static function message( array $data ): int {
		global $wpdb;
		static $n = 0;
		++$n;
		$now = gmdate( 'Y-m-d H:i:s' );
		$wpdb->insert(
			Schema::messages_log_table(),
			$data + array(
				'kind'            => 'recovery',
				'idempotency_key' => 'privacy-test-' . $n . '-' . wp_generate_password( 8, false ),
				'phone'           => '',
				'template'        => 'abandoned_cart_recovery',
				'language'        => 'en',
				'components'      => '{"params":["Ana","' . str_repeat( 'a', 64 ) . '"]}',
				'status'          => 'sent',
				'due_at'          => $now,
				'created_at'      => $now,
				'updated_at'      => $now,
			)
		);
		return (int) $wpdb->insert_id;
	}

	private static function row( string $table, int $id ): ?array {
		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT * FROM %i WHERE id = %d', $table, $id ), ARRAY_A );
		return is_array( $row ) ? $row : null;
	}

	/** Ana: a live record and a recovered one (same phone, no email), an order with another phone, messages to both. Bob: one record and one message. */
	private static function seed(): array {
		$ids              = array();
		$ids['open']      = self::recovery( array( 'customer_phone' => self::PHONE_RECORD, 'customer_name' => 'Ana', 'customer_email' => self::EMAIL ) );
		$ids['recovered'] = self::recovery( array( 'customer_phone' => self::PHONE_RECORD, 'customer_name' => 'Ana', 'status' => 'recovered', 'recovered_revenue_minor' => 2500 ) );
		$ids['bob']       = self::recovery( array( 'customer_phone' => self::OTHER_PHONE, 'customer_name' => 'Bob', 'customer_email' => 'bob@example.com' ) );

		$order = wc_create_order();
		$order->set_billing_email( self::EMAIL );
		$order->set_billing_first_name( 'Ana' );
		$order->set_billing_phone( '600 300 002' );
		$order->set_billing_country( 'ES' );
		$order->update_meta_data( CheckoutHooks::ORDER_META, '1' );
		$order->update_meta_data( CheckoutHooks::ORDER_PHONE_META, self::PHONE_ORDER );
		$order->update_meta_data( '_cartpinger_consent_proof', array( 'at' => gmdate( 'Y-m-d H:i:s' ), 'ip' => \CartPinger\Recovery\CaptureGuard::hash_address( '198.51.100.7' ), 'label' => 'Send me order updates', 'label_version' => '2026-11-v1', 'source' => 'classic' ) );
		$order->save();
		$ids['order'] = $order->get_id();

		$ids['msg_record']  = self::message( array( 'phone' => self::PHONE_RECORD, 'recovery_id' => $ids['open'] ) );
		$ids['msg_order']   = self::message( array( 'phone' => self::PHONE_ORDER, 'kind' => 'order', 'order_id' => $ids['order'], 'template' => 'order_confirmed', 'components' => '{"params":["Ana","' . $ids['order'] . '","25.00 EUR"]}', 'status' => 'pending' ) );
		$ids['msg_bob']     = self::message( array( 'phone' => self::OTHER_PHONE, 'components' => '{"params":["Bob","x"]}' ) );
		return $ids;
	}

	private static function export_all( string $email ): array {
		$data = array();
		for ( $page = 1; $page < 50; $page++ ) {
			$res  = call_user_func( self::exporter(), $email, $page );
			$data = array_merge( $data, $res['data'] );
			if ( $res['done'] ) {
				return array( $data, $page );
			}
		}
		throw new \RuntimeException( 'exporter never done' );
	}

	/** How many Privacy instances have $method hooked on $hook. */
	private static function plugin_callbacks( string $hook, string $method ): int {
		$n = 0;
		foreach ( $GLOBALS['wp_filter'][ $hook ]->callbacks ?? array() as $callbacks ) {
			foreach ( $callbacks as $cb ) {
				$n += is_array( $cb['function'] ) && $cb['function'][0] instanceof Privacy && $method === $cb['function'][1] ? 1 : 0;
			}
		}
		return $n;
	}

	public function test_hooks_are_registered(): void {
		$this->assertArrayHasKey( 'cartpinger', apply_filters( 'wp_privacy_personal_data_exporters', array() ) );
		$this->assertArrayHasKey( 'cartpinger', apply_filters( 'wp_privacy_personal_data_erasers', array() ) );
		$this->assertSame( 1, self::plugin_callbacks( 'admin_init', 'add_policy_content' ), 'the plugin registers the policy text once' );
		$this->assertSame( 1, self::plugin_callbacks( Privacy::RETENTION_HOOK, 'action_purge' ), 'the plugin registers the purge once' );
		$text = Privacy::policy_text();
		$this->assertStringContainsString( 'WhatsApp', $text );
		$this->assertStringContainsString( 'STOP', $text );
	}

	public function test_exporter_returns_everything_about_the_email_and_nothing_else(): void {
		$ids            = self::seed();
		list( $data, ) = self::export_all( self::EMAIL );
		$items          = array();
		foreach ( $data as $item ) {
			$values = array();
			foreach ( $item['data'] as $pair ) {
				$values[ $pair['name'] ] = $pair['value'];
			}
			$items[ $item['item_id'] ] = array( $item['group_id'], $values );
		}
		$this->assertEqualsCanonicalizing(
			array(
				'cartpinger-recovery-' . $ids['open'],
				'cartpinger-recovery-' . $ids['recovered'],
				'cartpinger-message-' . $ids['msg_record'],
				'cartpinger-message-' . $ids['msg_order'],
				'cartpinger-order-' . $ids['order'],
			),
			array_keys( $items ),
			'records by email and by phone, messages by phone and order, the order meta; nothing of Bob'
		);
		$open = $items[ 'cartpinger-recovery-' . $ids['open'] ];
		$this->assertSame( 'cartpinger-recoveries', $open[0] );
		$this->assertSame( self::PHONE_RECORD, $open[1]['WhatsApp phone'] );
		$this->assertSame( 'Ana', $open[1]['Name'] );
		$this->assertSame( self::EMAIL, $open[1]['Email'] );
		// Proof of consent: UTC time, the keyed hash of the address (never the address), the version.
		$this->assertMatchesRegularExpression( '/^h1:[0-9a-f]{40}$/', $open[1]['Consent address (keyed hash)'] );
		$this->assertSame( \CartPinger\Recovery\CaptureGuard::hash_address( '203.0.113.5' ), $open[1]['Consent address (keyed hash)'] );
		$this->assertNotSame( \CartPinger\Recovery\CaptureGuard::hash_address( '203.0.113.6' ), $open[1]['Consent address (keyed hash)'] );
		$this->assertSame( '2026-11-v1', $open[1]['Consent wording version'] );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $open[1]['Consent time (UTC)'] );
		$this->assertStringContainsString( 'Blue mug', $open[1]['Cart'] );
		$msg = $items[ 'cartpinger-message-' . $ids['msg_order'] ];
		$this->assertSame( self::PHONE_ORDER, $msg[1]['WhatsApp phone'] );
		$this->assertStringContainsString( '25.00 EUR', $msg[1]['Details'] );
		$order = $items[ 'cartpinger-order-' . $ids['order'] ];
		$this->assertSame( \CartPinger\Recovery\CaptureGuard::hash_address( '198.51.100.7' ), $order[1]['Consent address (keyed hash)'] );
		$this->assertSame( '2026-11-v1', $order[1]['Consent wording version'] );
		$this->assertSame( array(), call_user_func( self::exporter(), 'nobody@example.com', 1 )['data'] );
	}

	public function test_export_is_paginated_by_100(): void {
		self::seed();
		for ( $i = 0; $i < 150; $i++ ) {
			self::message( array( 'phone' => self::PHONE_RECORD ) );
		}
		$first = call_user_func( self::exporter(), self::EMAIL, 1 );
		$this->assertCount( 100, $first['data'] );
		$this->assertFalse( $first['done'] );
		list( $data, $pages ) = self::export_all( self::EMAIL );
		$this->assertSame( 2, $pages );
		$this->assertCount( 155, $data, '2 records + 152 messages + 1 order' );
		$this->assertCount( 155, array_unique( array_column( $data, 'item_id' ) ), 'no item twice across pages' );
	}

	public function test_eraser_anonymises_everything_and_reports_it(): void {
		$ids = self::seed();
		for ( $i = 0; $i < 120; $i++ ) {
			self::message( array( 'phone' => self::PHONE_ORDER, 'kind' => 'order', 'order_id' => $ids['order'] ) );
		}
		$responses = array();
		for ( $page = 1; $page < 20; $page++ ) {
			$res         = call_user_func( self::eraser(), self::EMAIL, $page );
			$responses[] = $res;
			if ( $res['done'] ) {
				break;
			}
		}
		$this->assertGreaterThan( 1, count( $responses ), '125 items take more than one page of 100' );
		$this->assertFalse( $responses[0]['done'] );
		$this->assertTrue( $responses[0]['items_removed'] );
		$this->assertTrue( end( $responses )['done'] );
		foreach ( $responses as $res ) {
			$this->assertFalse( $res['items_retained'] );
			$this->assertIsArray( $res['messages'] );
		}

		$open = self::row( Schema::recoveries_table(), $ids['open'] );
		foreach ( array( 'customer_phone', 'customer_name', 'customer_email', 'consent_ip' ) as $col ) {
			$this->assertSame( '', $open[ $col ], "{$col} erased" );
		}
		$this->assertNull( $open['cart_snapshot'] );
		$this->assertNull( $open['consent_label'] );
		$this->assertSame( 'expired', $open['status'], 'a live record closes' );
		$this->assertSame( 'erased', $open['close_reason'] );
		$rec = self::row( Schema::recoveries_table(), $ids['recovered'] );
		$this->assertSame( '', $rec['customer_phone'], 'the record found by phone is erased too' );
		$this->assertSame( 'recovered', $rec['status'], 'a closed record keeps its outcome' );
		$this->assertSame( '2500', (string) $rec['recovered_revenue_minor'], 'anonymous revenue kept' );

		$m = self::row( Schema::messages_log_table(), $ids['msg_record'] );
		$this->assertSame( '', $m['phone'] );
		$this->assertSame( array(), json_decode( (string) $m['components'], true )['params'] );
		$this->assertSame( 'sent', $m['status'], 'delivery status kept' );
		$pending = self::row( Schema::messages_log_table(), $ids['msg_order'] );
		$this->assertSame( '', $pending['phone'] );
		$this->assertSame( 'cancelled', $pending['status'], 'a pending message is never sent after erasure' );
		global $wpdb;
		$this->assertSame( '0', (string) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i WHERE phone IN (%s, %s)', Schema::messages_log_table(), self::PHONE_RECORD, self::PHONE_ORDER ) ) );

		$order = wc_get_order( $ids['order'] );
		foreach ( Privacy::ORDER_META as $meta ) {
			$this->assertFalse( $order->meta_exists( $meta ), "{$meta} deleted from the order" );
		}

		// Bob is untouched.
		$bob = self::row( Schema::recoveries_table(), $ids['bob'] );
		$this->assertSame( self::OTHER_PHONE, $bob['customer_phone'] );
		$this->assertSame( 'bob@example.com', $bob['customer_email'] );
		$this->assertSame( self::OTHER_PHONE, self::row( Schema::messages_log_table(), $ids['msg_bob'] )['phone'] );

		// Nothing left to export or erase.
		$this->assertSame( array(), self::export_all( self::EMAIL )[0] );
		$again = call_user_func( self::eraser(), self::EMAIL, 1 );
		$this->assertFalse( $again['items_removed'] );
		$this->assertTrue( $again['done'] );
	}

	public function test_retention_purge_deletes_only_old_closed_rows(): void {
		global $wpdb;
		$settings = new Settings( new SecretBox() );
		$old      = gmdate( 'Y-m-d H:i:s', time() - 40 * DAY_IN_SECONDS );
		$recent   = gmdate( 'Y-m-d H:i:s', time() - 10 * DAY_IN_SECONDS );
		$r        = array(
			'old_closed'   => self::recovery( array( 'status' => 'expired', 'created_at' => $old, 'last_activity_at' => $old ) ),
			'old_recov'    => self::recovery( array( 'status' => 'recovered', 'created_at' => $old, 'last_activity_at' => $old ) ),
			'old_live'     => self::recovery( array( 'status' => 'messaged', 'created_at' => $old, 'last_activity_at' => $old ) ),
			'recent_close' => self::recovery( array( 'status' => 'expired', 'created_at' => $recent, 'last_activity_at' => $recent ) ),
		);
		$m        = array(
			'old_sent'    => self::message( array( 'status' => 'read', 'created_at' => $old ) ),
			'old_failed'  => self::message( array( 'status' => 'failed', 'created_at' => $old ) ),
			'old_pending' => self::message( array( 'status' => 'pending', 'created_at' => $old ) ),
			'old_unknown' => self::message( array( 'status' => 'unknown', 'created_at' => $old ) ),
			'recent_sent' => self::message( array( 'status' => 'sent', 'created_at' => $recent ) ),
		);

		// 0 = keep forever.
		$this->assertTrue( $settings->set( 'retention_days', '0' ) );
		$this->assertSame( 0, self::$privacy->purge()['recoveries'] + self::$privacy->purge()['messages'] );
		$this->assertNotNull( self::row( Schema::recoveries_table(), $r['old_closed'] ) );

		$this->assertTrue( $settings->set( 'retention_days', '30' ) );
		try {
			do_action( Privacy::RETENTION_HOOK ); // The daily job, as cron runs it.
		} finally {
			$settings->set( 'retention_days', '365' );
		}
		$this->assertNull( self::row( Schema::recoveries_table(), $r['old_closed'] ) );
		$this->assertNull( self::row( Schema::recoveries_table(), $r['old_recov'] ) );
		$this->assertNotNull( self::row( Schema::recoveries_table(), $r['old_live'] ), 'a live record is never purged' );
		$this->assertNotNull( self::row( Schema::recoveries_table(), $r['recent_close'] ) );
		$this->assertNull( self::row( Schema::messages_log_table(), $m['old_sent'] ) );
		$this->assertNull( self::row( Schema::messages_log_table(), $m['old_failed'] ) );
		$this->assertNotNull( self::row( Schema::messages_log_table(), $m['old_pending'] ), 'unsent messages are kept' );
		$this->assertNotNull( self::row( Schema::messages_log_table(), $m['old_unknown'] ), 'messages awaiting reconciliation are kept' );
		$this->assertNotNull( self::row( Schema::messages_log_table(), $m['recent_sent'] ) );

		// Batches of 1000: 2500 old finished messages go in three DELETEs.
		$values = array();
		for ( $i = 0; $i < 2500; $i++ ) {
			$values[] = $wpdb->prepare( '(%s, %s, %s, %s, %s, %s, %s)', 'bulk-' . $i, 'sent', 'recovery', $old, $old, $old, '+34600300100' );
		}
		$wpdb->query( $wpdb->prepare( 'INSERT INTO %i (idempotency_key, status, kind, due_at, created_at, updated_at, phone) VALUES ', Schema::messages_log_table() ) . implode( ',', $values ) ); // phpcs:ignore
		$queries = array();
		add_filter(
			'query',
			static function ( $sql ) use ( &$queries ) {
				if ( str_starts_with( (string) $sql, 'DELETE FROM' ) && str_contains( (string) $sql, 'cartpinger_messages_log' ) ) {
					$queries[] = $sql;
				}
				return $sql;
			}
		);
		$this->assertTrue( $settings->set( 'retention_days', '30' ) );
		try {
			$result = self::$privacy->purge();
		} finally {
			$settings->set( 'retention_days', '365' );
		}
		$this->assertSame( 2500, $result['messages'] );
		$this->assertCount( 3, $queries, 'deleted 1000 rows per statement' );
		foreach ( $queries as $sql ) {
			$this->assertMatchesRegularExpression( '/WHERE id IN \(/', $sql, 'primary-key deletes' );
		}
	}
}
