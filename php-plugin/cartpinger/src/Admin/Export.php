<?php
/**
 * CSV export of the recovery records (admin download and `wp cartpinger export`).
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Storage\Schema;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Streams every recovery record as RFC 4180 CSV, newest first, in constant memory.
 *
 * Records are read in id-keyset pages of 1000 (`WHERE id < last ORDER BY id DESC`), each
 * written and flushed before the next is fetched. Cells that a spreadsheet would run as a
 * formula (starting with = + - @, a tab or a carriage return) get a leading apostrophe.
 * Date columns are UTC, ISO 8601 (`2026-01-31T18:05:00Z`).
 *
 * @since 0.2.0
 */
final class Export implements RegistersHooks {

	/**
	 * The admin-post action.
	 *
	 * @since 0.2.0
	 */
	public const ACTION = 'cartpinger_export';

	/**
	 * Nonce action of the export button.
	 *
	 * @since 0.2.0
	 */
	public const NONCE = 'cartpinger_export';

	/**
	 * Download file name.
	 *
	 * @since 0.2.0
	 */
	public const FILENAME = 'cartpinger-recoveries.csv';

	/**
	 * Records per keyset page.
	 *
	 * @since 0.2.0
	 */
	public const PAGE = 1000;

	/**
	 * The CSV columns, in order.
	 *
	 * @since 0.2.0
	 */
	public const COLUMNS = array( 'id', 'created_at', 'status', 'close_reason', 'sequence_step', 'customer_phone', 'customer_name', 'customer_email', 'consent', 'consent_at', 'messaged_at', 'clicked_at', 'recovered_at', 'recovered_order_id', 'recovered_revenue', 'currency', 'holdout' );

	/**
	 * Columns that hold a UTC DATETIME.
	 *
	 * @since 0.2.0
	 */
	private const DATES = array( 'created_at', 'consent_at', 'messaged_at', 'clicked_at', 'recovered_at' );

	/**
	 * Hooks the admin-post handler.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_post_' . self::ACTION, array( $this, 'handle' ) );
	}

	/**
	 * Registers `wp cartpinger export` when running under WP-CLI.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public static function register_cli(): void {
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( '\WP_CLI' ) ) {
			\WP_CLI::add_command( 'cartpinger export', array( new self(), 'cli' ) );
		}
	}

	/**
	 * The admin-post handler: checks capability and nonce, then streams the download.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to export CartPinger data.', 'cartpinger-for-woocommerce' ), 403 );
		}
		check_admin_referer( self::NONCE );
		while ( ob_get_level() > 0 ) {
			ob_end_clean();
		}
		nocache_headers();
		header( 'Content-Type: text/csv; charset=utf-8' );
		header( 'Content-Disposition: attachment; filename="' . self::FILENAME . '"' );
		header( 'X-Content-Type-Options: nosniff' );
		$out = fopen( 'php://output', 'wb' );
		if ( false !== $out ) {
			$this->write( $out, true );
			fclose( $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- closes the CSV stream opened here.
		}
		exit;
	}

	/**
	 * Exports to a file or standard output.
	 *
	 * ## OPTIONS
	 *
	 * [--file=<path>]
	 * : Write to this file instead of standard output.
	 *
	 * ## EXAMPLES
	 *
	 *     wp cartpinger export --file=/tmp/cartpinger-recoveries.csv
	 *
	 * @since 0.2.0
	 *
	 * @param array<int, string>    $args       Positional arguments (none).
	 * @param array<string, string> $assoc_args Options.
	 * @return void
	 */
	public function cli( array $args, array $assoc_args ): void {
		unset( $args );
		$file = isset( $assoc_args['file'] ) ? (string) $assoc_args['file'] : '';
		if ( '' !== $file && ! wp_is_writable( is_file( $file ) ? $file : dirname( $file ) ) ) {
			\WP_CLI::error( sprintf( 'Cannot write to %s.', $file ) );
			return;
		}
		$out = fopen( '' === $file ? 'php://stdout' : $file, 'wb' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fopen -- a CLI export streams to stdout or a file; WP_Filesystem cannot stream.
		if ( false === $out ) {
			\WP_CLI::error( sprintf( 'Cannot write to %s.', $file ) );
			return;
		}
		$rows = $this->write( $out, '' === $file );
		fclose( $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose -- closes the CSV stream opened here.
		if ( '' !== $file ) {
			\WP_CLI::success( sprintf( 'Exported %d carts to %s.', $rows, $file ) );
		}
	}

	/**
	 * Writes the header and every record to a stream, newest first.
	 *
	 * @since 0.2.0
	 *
	 * @param resource $out   Writable stream.
	 * @param bool     $flush Flush PHP's output after each page (downloads, stdout).
	 * @return int Records written.
	 */
	public function write( $out, bool $flush = false ): int {
		global $wpdb;
		fwrite( $out, self::csv_line( self::COLUMNS ) ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite -- streams the CSV to the response or a CLI file; WP_Filesystem cannot stream.
		$decimals = function_exists( 'wc_get_price_decimals' ) ? (int) wc_get_price_decimals() : 2;
		$last     = PHP_INT_MAX;
		$count    = 0;
		do {
			$rows = $wpdb->get_results(
				$wpdb->prepare(
					'SELECT id, created_at, status, close_reason, sequence_step, customer_phone, customer_name, customer_email, consent, consent_at, messaged_at, clicked_at, recovered_at, recovered_order_id, recovered_revenue_minor, currency, holdout FROM %i WHERE id < %d ORDER BY id DESC LIMIT %d',
					Schema::recoveries_table(),
					$last,
					self::PAGE
				),
				ARRAY_A
			);
			$rows = is_array( $rows ) ? $rows : array();
			$page = '';
			foreach ( $rows as $row ) {
				$last  = (int) $row['id'];
				$page .= self::csv_line( self::cells( $row, $decimals ) );
				++$count;
			}
			if ( '' !== $page ) {
				fwrite( $out, $page ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite -- streams the CSV to the response or a CLI file; WP_Filesystem cannot stream.
				fflush( $out );
				if ( $flush ) {
					flush();
				}
			}
			$wpdb->flush();
			$full = count( $rows ) === self::PAGE;
		} while ( $full );
		return $count;
	}

	/**
	 * One record as CSV cells, in COLUMNS order.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row      Database row.
	 * @param int                  $decimals Store price decimals.
	 * @return string[]
	 */
	private static function cells( array $row, int $decimals ): array {
		$cells = array();
		foreach ( self::COLUMNS as $column ) {
			if ( 'recovered_revenue' === $column ) {
				$minor   = (int) $row['recovered_revenue_minor'];
				$cells[] = 0 === $minor && 0 === (int) $row['recovered_order_id'] ? '' : self::decimal( $minor, $decimals );
			} elseif ( in_array( $column, self::DATES, true ) ) {
				$value   = (string) ( $row[ $column ] ?? '' );
				$cells[] = '' === $value || '0000-00-00 00:00:00' === $value ? '' : str_replace( ' ', 'T', $value ) . 'Z';
			} else {
				$cells[] = (string) ( $row[ $column ] ?? '' );
			}
		}
		return $cells;
	}

	/**
	 * Minor units as a decimal string without float rounding ("-1234", 2 → "-12.34").
	 *
	 * @since 0.2.0
	 *
	 * @param int $minor    Amount in minor units.
	 * @param int $decimals Decimals.
	 * @return string
	 */
	public static function decimal( int $minor, int $decimals ): string {
		if ( $decimals <= 0 ) {
			return (string) $minor;
		}
		$sign   = $minor < 0 ? '-' : '';
		$digits = str_pad( (string) abs( $minor ), $decimals + 1, '0', STR_PAD_LEFT );
		return $sign . substr( $digits, 0, -$decimals ) . '.' . substr( $digits, -$decimals );
	}

	/**
	 * A cell with spreadsheet formulas neutralised: a leading apostrophe before = + - @ tab CR.
	 *
	 * @since 0.2.0
	 *
	 * @param string $cell Cell value.
	 * @return string
	 */
	public static function neutralise( string $cell ): string {
		return '' !== $cell && false !== strpos( "=+-@\t\r", $cell[0] ) ? "'" . $cell : $cell;
	}

	/**
	 * One RFC 4180 record: cells quoted when they hold a comma, quote, CR or LF (quotes
	 * doubled), CRLF at the end; each cell neutralised first.
	 *
	 * @since 0.2.0
	 *
	 * @param array<int, string> $cells Cells.
	 * @return string
	 */
	public static function csv_line( array $cells ): string {
		$out = array();
		foreach ( $cells as $cell ) {
			$cell  = self::neutralise( (string) $cell );
			$out[] = strpbrk( $cell, ",\"\r\n" ) !== false ? '"' . str_replace( '"', '""', $cell ) . '"' : $cell;
		}
		return implode( ',', $out ) . "\r\n";
	}
}
