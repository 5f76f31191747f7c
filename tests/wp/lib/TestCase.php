<?php
/**
 * Base class of the WordPress integration scenarios (tests/wp/scenarios/).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use PHPUnit\Framework\TestCase as PHPUnitTestCase;

abstract class TestCase extends PHPUnitTestCase {

	public const PLUGIN = 'cartpinger/cartpinger.php';

	/** Index expectations from docs/contracts.md: name => [unique, [columns in order]]. */
	public const RECOVERIES_INDEXES = array(
		'PRIMARY'         => array( true, array( 'id' ) ),
		'session_key'     => array( true, array( 'session_key' ) ),
		'token_hash'      => array( true, array( 'token_hash' ) ),
		'status_activity' => array( false, array( 'status', 'last_activity_at' ) ),
		'status_next_check' => array( false, array( 'status', 'next_check_at' ) ),
		'recovered_order_id' => array( false, array( 'recovered_order_id' ) ),
		'customer_phone'  => array( false, array( 'customer_phone' ) ),
		'wa_user_id'      => array( false, array( 'wa_user_id' ) ),
		'customer_email'  => array( false, array( 'customer_email' ) ),
		'created_at'      => array( false, array( 'created_at' ) ),
	);

	public const MESSAGES_LOG_INDEXES = array(
		'PRIMARY'         => array( true, array( 'id' ) ),
		'idempotency_key' => array( true, array( 'idempotency_key' ) ),
		'claim'           => array( false, array( 'status', 'due_at', 'priority' ) ),
		'claim_id'        => array( false, array( 'claim_id' ) ),
		'wamid'           => array( false, array( 'wamid' ) ),
		'phone_kind'      => array( false, array( 'phone', 'kind', 'created_at' ) ),
		'dashboard'       => array( false, array( 'created_at', 'kind', 'step', 'status', 'cost_micros', 'currency' ) ),
		'recovery_id'     => array( false, array( 'recovery_id' ) ),
		'order_id'        => array( false, array( 'order_id' ) ),
		'created_at'      => array( false, array( 'created_at' ) ),
	);

	public const RECOVERIES_COLUMNS = array(
		'id', 'session_key', 'customer_phone', 'customer_name', 'customer_email', 'user_id',
		'cart_snapshot', 'cart_total_minor', 'currency', 'consent', 'consent_at', 'consent_ip',
		'consent_text_version', 'status', 'sequence_step', 'token_hash', 'coupon_code',
		'recovered_order_id', 'recovered_revenue_minor', 'last_activity_at', 'created_at',
		'updated_at', 'messaged_at', 'clicked_at', 'recovered_at',
		// Schema 3 (recovery scheduler).
		'billing_country', 'locale', 'consent_label', 'consent_source', 'revoked_at', 'close_reason',
		'hold_reason', 'holdout', 'next_check_at', 'first_message_at', 'recovered_step', 'token_sealed',
		// Schema 7 (business-scoped user id).
		'wa_user_id',
	);

	public const MESSAGES_LOG_COLUMNS = array(
		'id', 'recovery_id', 'order_id', 'kind', 'step', 'idempotency_key', 'phone', 'template',
		'language', 'components', 'priority', 'status', 'attempts', 'due_at', 'claim_id',
		'claimed_until', 'wamid', 'error_code', 'error_message', 'pricing_category',
		'cost_micros', 'currency', 'created_at', 'updated_at', 'sent_at', 'delivered_at',
		'read_at', 'failed_at', 'expires_at',
		// Schema 7 (endpoint and Meta's pricing type).
		'pricing_type', 'endpoint',
	);

	/**
	 * Points CartPinger at a sandbox process (IDs, Graph address, access token) plus any other
	 * settings, and lifts a queue pause. Throws on any refused value.
	 *
	 * @param array<string, string> $extra More plain settings.
	 */
	protected static function use_sandbox( \CartPinger\Tests\Native\SandboxProcess $sandbox, array $extra = array() ): \CartPinger\Settings\Settings {
		$settings = new \CartPinger\Settings\Settings( new \CartPinger\Settings\SecretBox() );
		$app_secret = $settings->get_secret( 'app_secret' );
		$values   = array(
			'phone_number_id' => \CartPinger\Tests\Native\SandboxProcess::PHONE_NUMBER_ID,
			'waba_id'         => \CartPinger\Tests\Native\SandboxProcess::WABA_ID,
			'graph_base_url'  => $sandbox->base,
		) + $extra;
		foreach ( $values as $key => $value ) {
			if ( true !== $settings->set( $key, $value ) ) {
				throw new \RuntimeException( "could not set {$key}" );
			}
		}
		if ( true !== $settings->set_secret( 'access_token', \CartPinger\Tests\Native\SandboxProcess::TOKEN ) ) {
			throw new \RuntimeException( 'could not set the access token' );
		}
		// Changing the Graph address discards the app secret (issue 11): re-enter the one stored.
		if ( is_string( $app_secret ) && '' !== $app_secret ) {
			$settings->set_secret( 'app_secret', $app_secret );
		}
		delete_option( \CartPinger\Queue\Store::PAUSED_OPTION );
		return $settings;
	}

	/** The Cron adapter the plugin registered (one full run = scheduler + queue). */
	protected static function plugin_cron(): \CartPinger\Queue\Cron {
		foreach ( $GLOBALS['wp_filter'][ \CartPinger\Queue\Cron::HOOK ]->callbacks ?? array() as $callbacks ) {
			foreach ( $callbacks as $cb ) {
				if ( is_array( $cb['function'] ) && $cb['function'][0] instanceof \CartPinger\Queue\Cron ) {
					return $cb['function'][0];
				}
			}
		}
		throw new \RuntimeException( 'the cron adapter is not registered' );
	}

	/** Whether run.sh loaded the extension for this scenario. */
	protected static function extension_expected(): bool {
		return '1' === getenv( 'CARTPINGER_IT_EXT' );
	}

	protected static function woo_tier(): bool {
		return 'woo' === getenv( 'CARTPINGER_IT_TIER' );
	}

	protected function setUp(): void {
		parent::setUp();
		// A scenario that meant to exercise the real extension must never silently run without it.
		$this->assertSame(
			self::extension_expected(),
			extension_loaded( 'cartpinger' ),
			self::extension_expected() ? 'the cartpinger extension is not loaded in this process' : 'the cartpinger extension is loaded but this scenario runs without it'
		);
		if ( self::woo_tier() ) {
			$this->assertTrue( class_exists( 'WooCommerce', false ), 'WooCommerce is not loaded in the woo tier' );
		}
		// wp_die() must not end the PHPUnit process: it becomes an exception the test sees.
		add_filter( 'wp_die_handler', array( self::class, 'wp_die_handler_filter' ), PHP_INT_MAX );
		add_filter( 'wp_die_ajax_handler', array( self::class, 'wp_die_handler_filter' ), PHP_INT_MAX );
	}

	protected function tearDown(): void {
		remove_filter( 'wp_die_handler', array( self::class, 'wp_die_handler_filter' ), PHP_INT_MAX );
		remove_filter( 'wp_die_ajax_handler', array( self::class, 'wp_die_handler_filter' ), PHP_INT_MAX );
		parent::tearDown();
	}

	public static function wp_die_handler_filter(): callable {
		return static function ( $message, $title = '', $args = array() ) {
			if ( is_wp_error( $message ) ) {
				$message = $message->get_error_message();
			}
			throw new WpDieException( 'wp_die(): ' . wp_strip_all_tags( (string) $message ) );
		};
	}

	// ------------------------------------------------------------------ plugin lifecycle

	/**
	 * activate_plugin() exactly as wp-admin/plugins.php calls it, with output captured.
	 *
	 * @return array{0: mixed, 1: string} [result, output]
	 */
	protected static function activate(): array {
		wp_set_current_user( 1 );
		ob_start();
		try {
			$result = activate_plugin( self::PLUGIN );
		} finally {
			$output = (string) ob_get_clean();
		}
		return array( $result, $output );
	}

	/** @return string output */
	protected static function deactivate(): string {
		ob_start();
		try {
			deactivate_plugins( self::PLUGIN );
		} finally {
			$output = (string) ob_get_clean();
		}
		return $output;
	}

	protected function assertActivated( $result, string $output ): void {
		$this->assertFalse( is_wp_error( $result ), 'activate_plugin() returned WP_Error: ' . ( is_wp_error( $result ) ? $result->get_error_code() . ' ' . $result->get_error_message() . ' ' . wp_json_encode( $result->get_error_data() ) : '' ) );
		$this->assertNull( $result, 'activate_plugin() returns null on success' );
		$this->assertSame( '', $output, 'activation produced output' );
		$this->assertTrue( is_plugin_active( self::PLUGIN ), 'plugin not in active_plugins after activation' );
	}

	// ------------------------------------------------------------------ database

	/**
	 * The dashboard's counters kept on write (CartPinger\Storage\Stats) add up to what a rebuild
	 * from the rows computes: totals per currency over all slots (tests back-date rows with raw
	 * UPDATEs, which moves them between slots but never changes the totals).
	 */
	protected function assertCountersMatchRebuild(): void {
		global $wpdb;
		$table  = \CartPinger\Storage\Stats::table();
		$fields = array_merge( \CartPinger\Storage\Stats::CART_FIELDS, \CartPinger\Storage\Stats::MESSAGE_FIELDS );
		$sums   = 'currency, ' . implode( ', ', array_map( static fn( $f ) => "SUM({$f}) AS {$f}", $fields ) );
		$read   = static function () use ( $wpdb, $table, $sums ): array {
			$rows = (array) $wpdb->get_results( "SELECT {$sums} FROM {$table} GROUP BY currency ORDER BY currency", ARRAY_A ); // phpcs:ignore
			$out  = array();
			foreach ( $rows as $row ) {
				$c = (string) $row['currency'];
				unset( $row['currency'] );
				$out[ $c ] = array_filter( array_map( 'intval', $row ) );
			}
			return array_filter( $out );
		};
		$kept = $read();
		\CartPinger\Storage\Stats::rebuild();
		$this->assertSame( $read(), $kept, 'the counters kept on write differ from a rebuild from the rows' );
	}

	protected static function table( string $name ): string {
		global $wpdb;
		return $wpdb->prefix . $name;
	}

	protected static function table_exists( string $table ): bool {
		global $wpdb;
		return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
	}

	/** @return array<string, array{0: bool, 1: string[]}> index name => [unique, columns in order] */
	protected static function indexes( string $table ): array {
		global $wpdb;
		$rows = $wpdb->get_results( "SHOW INDEX FROM `{$table}`", ARRAY_A ); // phpcs:ignore
		$out  = array();
		foreach ( $rows as $row ) {
			$name = $row['Key_name'];
			if ( ! isset( $out[ $name ] ) ) {
				$out[ $name ] = array( '0' === (string) $row['Non_unique'], array() );
			}
			$out[ $name ][1][ (int) $row['Seq_in_index'] - 1 ] = $row['Column_name'];
		}
		foreach ( $out as &$index ) {
			ksort( $index[1] );
			$index[1] = array_values( $index[1] );
		}
		ksort( $out );
		return $out;
	}

	protected static function columns( string $table ): array {
		global $wpdb;
		return $wpdb->get_col( "SHOW COLUMNS FROM `{$table}`" ); // phpcs:ignore
	}

	protected function assertIndexes( array $expected, string $table ): void {
		$actual = self::indexes( $table );
		ksort( $expected );
		foreach ( $expected as $name => $spec ) {
			$this->assertArrayHasKey( $name, $actual, "index {$name} missing on {$table}; present: " . implode( ', ', array_keys( $actual ) ) );
			$this->assertSame( $spec[0], $actual[ $name ][0], "index {$name} on {$table}: unique should be " . var_export( $spec[0], true ) );
			$this->assertSame( $spec[1], $actual[ $name ][1], "index {$name} on {$table}: column order" );
		}
		$extra = array_diff( array_keys( $actual ), array_keys( $expected ) );
		$this->assertSame( array(), array_values( $extra ), "unexpected extra (duplicate?) indexes on {$table}" );
	}

	/** Raw option value straight from the options table (no cache, no filters). */
	protected static function raw_option( string $name ): ?string {
		global $wpdb;
		$value = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $name ) );
		return null === $value ? null : (string) $value;
	}

	/** @return string[] option names LIKE $like (raw SQL) */
	protected static function raw_option_names( string $like ): array {
		global $wpdb;
		return $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s ORDER BY option_name", $like ) );
	}

	/** Cron hooks currently stored in the DB (bypassing the in-memory option cache). */
	protected static function raw_cron_hooks(): array {
		$raw   = self::raw_option( 'cron' );
		$crons = null === $raw ? array() : maybe_unserialize( $raw );
		$hooks = array();
		foreach ( (array) $crons as $events ) {
			if ( is_array( $events ) ) {
				foreach ( array_keys( $events ) as $hook ) {
					$hooks[ $hook ] = true;
				}
			}
		}
		return array_keys( $hooks );
	}

	// ------------------------------------------------------------------ hooks

	/**
	 * Callbacks registered by CartPinger code (plugin folder or CartPinger\ classes), per hook.
	 *
	 * @param callable|null $hook_filter fn(string $hook): bool
	 * @return array<string, string[]>
	 */
	protected static function cartpinger_callbacks( ?callable $hook_filter = null ): array {
		global $wp_filter;
		$plugin_dir = (string) realpath( WP_PLUGIN_DIR . '/cartpinger' );
		$found      = array();
		foreach ( (array) $wp_filter as $hook => $wp_hook ) {
			$hook = (string) $hook;
			if ( null !== $hook_filter && ! $hook_filter( $hook ) ) {
				continue;
			}
			foreach ( $wp_hook->callbacks as $priority => $callbacks ) {
				foreach ( $callbacks as $entry ) {
					$desc = self::describe_callback( $entry['function'], $plugin_dir );
					if ( null !== $desc ) {
						$found[ $hook ][] = $desc . " @{$priority}";
					}
				}
			}
		}
		return $found;
	}

	/** "name (file)" when the callback is CartPinger's, null otherwise. */
	private static function describe_callback( $callback, string $plugin_dir ): ?string {
		try {
			if ( is_string( $callback ) && str_contains( $callback, '::' ) ) {
				$callback = explode( '::', $callback, 2 );
			}
			if ( is_array( $callback ) && 2 === count( $callback ) ) {
				$class = is_object( $callback[0] ) ? get_class( $callback[0] ) : (string) $callback[0];
				if ( 0 === stripos( $class, 'CartPinger\\' ) ) {
					return $class . '::' . $callback[1];
				}
				if ( ! method_exists( $class, (string) $callback[1] ) ) {
					return null;
				}
				$ref  = new \ReflectionMethod( $class, (string) $callback[1] );
				$name = $class . '::' . $callback[1];
			} elseif ( $callback instanceof \Closure || is_string( $callback ) ) {
				if ( is_string( $callback ) && ! function_exists( $callback ) ) {
					return null;
				}
				$ref  = new \ReflectionFunction( $callback );
				$name = $callback instanceof \Closure ? 'closure' : $callback;
			} elseif ( is_object( $callback ) ) {
				$class = get_class( $callback );
				if ( 0 === stripos( $class, 'CartPinger\\' ) ) {
					return $class . '::__invoke';
				}
				$ref  = new \ReflectionMethod( $class, '__invoke' );
				$name = $class . '::__invoke';
			} else {
				return null;
			}
		} catch ( \ReflectionException $e ) {
			return null;
		}
		$file = (string) $ref->getFileName();
		if ( '' !== $plugin_dir && '' !== $file && str_starts_with( (string) realpath( $file ), $plugin_dir . '/' ) ) {
			return $name . ' (' . substr( (string) realpath( $file ), strlen( $plugin_dir ) + 1 ) . ':' . $ref->getStartLine() . ')';
		}
		return null;
	}
}

final class WpDieException extends \RuntimeException {
}
