<?php
/**
 * Scenario ad2 (woo tier, continues ad0): the CSV export. Round trip of awkward values (commas,
 * quotes, newlines, formula cells) through the RFC 4180 writer, newest first, flat memory on
 * 50k rows, the admin-post handler's nonce and capability refusals, and `wp cartpinger
 * export --file` (with a minimal \WP_CLI shim, as in CliQueueCommandTest: WP-CLI itself is
 * not installable here).
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
			public static function error( string $s ): void { throw new \RuntimeException( $s ); }
			public static function add_command( string $name, $callable ): void { self::$commands[ $name ] = $callable; }
		}
	}
}

namespace CartPinger\Tests\WP {

	use CartPinger\Admin\Export;
	use CartPinger\Storage\Schema;

	final class AdminExportTest extends TestCase {

		protected function setUp(): void {
			parent::setUp();
			global $wpdb;
			$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::recoveries_table() ) );
			wp_set_current_user( 1 );
			$_REQUEST = array();
			$_POST    = array();
		}

		private static function insert( array $row ): int {
			global $wpdb;
			$row += array(
				'created_at'       => '2026-05-01 10:00:00',
				'customer_phone'   => '+34600000001',
				'currency'         => 'EUR',
				'status'           => 'open',
				'consent'          => 1,
			);
			$row += array(
				'last_activity_at' => $row['created_at'],
				'updated_at'       => $row['created_at'],
			);
			$wpdb->insert( Schema::recoveries_table(), $row );
			return (int) $wpdb->insert_id;
		}

		/** @return array<int, array<int, string>> Records parsed back (fgetcsv = str_getcsv's parser, RFC mode: no escape char). */
		private static function parse( string $csv ): array {
			$fh = fopen( 'php://temp', 'w+b' );
			fwrite( $fh, $csv );
			rewind( $fh );
			$rows = array();
			while ( false !== ( $r = fgetcsv( $fh, null, ',', '"', '' ) ) ) {
				$rows[] = $r;
			}
			fclose( $fh );
			return $rows;
		}

		private static function export(): string {
			$fh = fopen( 'php://temp', 'w+b' );
			( new Export() )->write( $fh );
			rewind( $fh );
			$csv = (string) stream_get_contents( $fh );
			fclose( $fh );
			return $csv;
		}

		public function test_awkward_values_round_trip_and_formulas_are_neutralised(): void {
			$cases = array(
				array( 'customer_name' => 'Smith, "Jo"', 'customer_email' => 'jo@example.com' ),
				array( 'customer_name' => "Line one\nLine two\r\nthree", 'customer_email' => '=HYPERLINK("http://evil","x")' ),
				array( 'customer_name' => '@SUM(A1:A9)', 'customer_email' => '-2+3' ),
				array( 'customer_name' => "\tTabbed", 'customer_email' => "\rCR" ),
				array( 'customer_name' => 'Ünïcødé 🛒 ñ', 'customer_email' => 'plain', 'status' => 'recovered', 'recovered_order_id' => 42, 'recovered_revenue_minor' => 123456, 'recovered_at' => '2026-05-02 11:12:13', 'messaged_at' => '2026-05-01 11:00:00', 'clicked_at' => '2026-05-02 11:00:00', 'close_reason' => 'link', 'sequence_step' => 2, 'holdout' => 0 ),
				array( 'customer_name' => '', 'customer_email' => '', 'status' => 'holdout', 'holdout' => 1, 'consent_at' => '2026-05-01 09:59:00' ),
			);
			$ids = array();
			foreach ( $cases as $c ) {
				$ids[] = self::insert( $c );
			}
			$csv = self::export();
			$this->assertStringEndsWith( "\r\n", $csv );
			$this->assertStringStartsWith( implode( ',', Export::COLUMNS ) . "\r\n", $csv );
			$rows   = self::parse( $csv );
			$header = array_shift( $rows );
			$this->assertSame( Export::COLUMNS, $header );
			$this->assertCount( count( $cases ), $rows );
			$this->assertSame( array_map( 'strval', array_reverse( $ids ) ), array_column( $rows, 0 ), 'newest first' );
			$neutral = static function ( string $v ): string {
				return '' !== $v && false !== strpos( "=+-@\t\r", $v[0] ) ? "'" . $v : $v;
			};
			foreach ( array_reverse( $cases ) as $i => $c ) {
				$row = array_combine( $header, $rows[ $i ] );
				$this->assertSame( $neutral( $c['customer_name'] ), $row['customer_name'] );
				$this->assertSame( $neutral( $c['customer_email'] ), $row['customer_email'] );
				$this->assertSame( "'+34600000001", $row['customer_phone'], 'a leading + is neutralised too' );
				$this->assertSame( '2026-05-01T10:00:00Z', $row['created_at'] );
			}
			$rec = array_combine( $header, $rows[1] );
			$this->assertSame( '1234.56', $rec['recovered_revenue'] );
			$this->assertSame( '42', $rec['recovered_order_id'] );
			$this->assertSame( '2026-05-02T11:12:13Z', $rec['recovered_at'] );
			$this->assertSame( 'link', $rec['close_reason'] );
			$this->assertSame( '2', $rec['sequence_step'] );
			$this->assertSame( 'EUR', $rec['currency'] );
			$hold = array_combine( $header, $rows[0] );
			$this->assertSame( '1', $hold['holdout'] );
			$this->assertSame( '', $hold['recovered_revenue'] );
			$this->assertSame( '', $hold['messaged_at'] );
			$this->assertSame( '2026-05-01T09:59:00Z', $hold['consent_at'] );
			// Quoting only where needed; quotes doubled.
			$this->assertStringContainsString( ',"Smith, ""Jo""",', $csv );
			$this->assertSame( "'=1", Export::neutralise( '=1' ) );
			$this->assertSame( 'a=1', Export::neutralise( 'a=1' ) );
			$this->assertSame( '-0.05', Export::decimal( -5, 2 ) );
			$this->assertSame( '7', Export::decimal( 7, 0 ) );
		}

		private static function bulk( int $from, int $to ): void {
			global $wpdb;
			$table = Schema::recoveries_table();
			for ( $start = $from; $start < $to; $start += 1000 ) {
				$values = array();
				for ( $n = $start; $n < min( $to, $start + 1000 ); $n++ ) {
					$values[] = $wpdb->prepare( '(%s,%s,%s,%s,%s,%s,%s,%s)', '+3462' . sprintf( '%07d', $n ), 'Customer "' . $n . '", the long name of a shopper', "c{$n}@example.com", 'EUR', 'open', '2026-05-01 10:00:00', '2026-05-01 10:00:00', '2026-05-01 10:00:00' );
				}
				// phpcs:ignore -- prepared value lists.
				$wpdb->query( "INSERT INTO {$table} (customer_phone, customer_name, customer_email, currency, status, created_at, last_activity_at, updated_at) VALUES " . implode( ',', $values ) );
			}
		}

		/** @return array{0: int, 1: int, 2: int, 3: float} [rows, peak memory delta, bytes, ms] */
		private static function measure(): array {
			$file = tempnam( sys_get_temp_dir(), 'cpexp' );
			$fh   = fopen( $file, 'wb' );
			gc_collect_cycles();
			memory_reset_peak_usage();
			$before = memory_get_usage();
			$t      = microtime( true );
			$rows   = ( new Export() )->write( $fh );
			$ms     = ( microtime( true ) - $t ) * 1000;
			$delta  = memory_get_peak_usage() - $before;
			fclose( $fh );
			$lines = count( file( $file ) );
			$size  = (int) filesize( $file );
			unlink( $file );
			return array( $rows, $delta, $size, $ms, $lines );
		}

		public function test_memory_stays_flat_on_50k_rows(): void {
			self::bulk( 0, 5000 );
			list( $rows5, $delta5, $size5, $ms5 ) = self::measure();
			self::bulk( 5000, 50000 );
			list( $rows, $delta, $size, $ms, $lines ) = self::measure();
			$this->assertSame( 5000, $rows5 );
			$this->assertSame( 50000, $rows );
			$this->assertSame( 50001, $lines, 'one line per record (no newlines in these values)' );
			$report = sprintf( "export of 5000 rows: %.0f ms, %d bytes, peak memory delta %.0f KB\nexport of 50000 rows: %.0f ms, %d bytes, peak memory delta %.0f KB\n", $ms5, $size5, $delta5 / 1024, $ms, $size, $delta / 1024 );
			echo "\n" . $report; // phpcs:ignore
			wp_mkdir_p( getenv( 'CARTPINGER_IT_REPO' ) . '/target/perf' );
			file_put_contents( getenv( 'CARTPINGER_IT_REPO' ) . '/target/perf/export-memory.txt', $report );
			$this->assertLessThan( $delta5 + 256 * 1024, $delta, 'memory grows with the number of rows' );
			$this->assertLessThan( 8 * 1024 * 1024, $delta, 'more than one page held in memory' );
		}

		public function test_handler_refuses_without_nonce_or_capability(): void {
			$export = new Export();
			$export->register();
			$this->assertNotFalse( has_action( 'admin_post_' . Export::ACTION, array( $export, 'handle' ) ) );
			// No nonce.
			try {
				$export->handle();
				$this->fail( 'exported without a nonce' );
			} catch ( WpDieException $e ) {
				$this->assertStringContainsString( 'wp_die()', $e->getMessage() );
			}
			// A wrong nonce.
			$_REQUEST['_wpnonce'] = 'not-a-nonce';
			try {
				$export->handle();
				$this->fail( 'exported with a wrong nonce' );
			} catch ( WpDieException $e ) {
				$this->assertStringContainsString( 'wp_die()', $e->getMessage() );
			}
			// A valid nonce, but a customer.
			$id = wp_insert_user(
				array(
					'user_login' => 'exp-cust-' . wp_generate_password( 6, false ),
					'user_pass'  => wp_generate_password(),
					'role'       => 'customer',
				)
			);
			wp_set_current_user( $id );
			$_REQUEST['_wpnonce'] = wp_create_nonce( Export::NONCE );
			try {
				$export->handle();
				$this->fail( 'a customer exported' );
			} catch ( WpDieException $e ) {
				$this->assertStringContainsString( 'not allowed to export', $e->getMessage() );
			}
		}

		public function test_cli_command_writes_the_same_file(): void {
			self::insert( array( 'customer_name' => 'CLI, "one"' ) );
			self::insert( array( 'customer_name' => '=cmd' ) );
			Export::register_cli();
			$this->assertSame( array(), \WP_CLI::$commands, 'registered outside WP-CLI' );
			$file = tempnam( sys_get_temp_dir(), 'cpcli' );
			( new Export() )->cli( array(), array( 'file' => $file ) );
			$this->assertSame( self::export(), file_get_contents( $file ) );
			$this->assertSame( 'success', \WP_CLI::$out[0][0] );
			$this->assertStringContainsString( 'Exported 2 carts', \WP_CLI::$out[0][1] );
			unlink( $file );
			$this->expectException( \RuntimeException::class );
			( new Export() )->cli( array(), array( 'file' => '/nonexistent-dir/x.csv' ) );
		}
	}
}
