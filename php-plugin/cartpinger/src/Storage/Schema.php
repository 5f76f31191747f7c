<?php
/**
 * Database schema and versioned migrations.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Storage;

defined( 'ABSPATH' ) || exit;

/**
 * The plugin's two tables and the migrations that bring a site's database up to date.
 *
 * Versions: 0 = nothing installed; 1 = the original plugin (0.2.x stored a dotted version
 * string such as "0.2.1" in cartpinger_db_version, which counts as 1); 2 = both tables;
 * 3 = the recovery scheduler's columns (next_check_at, holdout, locale, country, proof of
 * consent label, close reason) and the message time-to-live (expires_at); 4 = the dashboard's
 * covering index on messages (created_at, kind, step, status, cost_micros, currency); 5 = the
 * dashboard's counters kept on write (Stats, {prefix}cartpinger_stats) and the scheduler's
 * per-phone facts (PhoneFacts, {prefix}cartpinger_phones), both built from the existing rows.
 * Every DATETIME column holds UTC (`current_time( 'mysql', true )` / `gmdate()`).
 *
 * @since 0.1.0
 */
final class Schema {

	/**
	 * Schema version this code expects.
	 *
	 * @since 0.1.0
	 */
	public const VERSION = 7;

	/**
	 * Option that holds the installed schema version (an integer).
	 *
	 * @since 0.1.0
	 */
	public const VERSION_OPTION = 'cartpinger_db_version';

	/**
	 * Option used as a short-lived lock so that concurrent requests do not migrate twice.
	 *
	 * @since 0.1.0
	 */
	public const LOCK_OPTION = 'cartpinger_db_migration_lock';

	/**
	 * Seconds after which a migration lock is considered abandoned.
	 *
	 * @since 0.1.0
	 */
	public const LOCK_TTL = 600;

	/**
	 * Unprefixed name of the recoveries table (one row per checkout session or cart).
	 *
	 * @since 0.1.0
	 */
	public const RECOVERIES = 'cartpinger_recoveries';

	/**
	 * Unprefixed name of the message queue and log table.
	 *
	 * @since 0.1.0
	 */
	public const MESSAGES_LOG = 'cartpinger_messages_log';

	/**
	 * Full name of the recoveries table on the current site.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	public static function recoveries_table(): string {
		global $wpdb;
		return $wpdb->prefix . self::RECOVERIES;
	}

	/**
	 * Full name of the messages log table on the current site.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	public static function messages_log_table(): string {
		global $wpdb;
		return $wpdb->prefix . self::MESSAGES_LOG;
	}

	/**
	 * Unprefixed name of the webhook inbox (signed raw bodies waiting to be applied).
	 *
	 * @since 0.3.0
	 */
	public const WEBHOOK_INBOX = 'cartpinger_webhook_inbox';

	/**
	 * Prefixed name of the webhook inbox table.
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function webhook_inbox_table(): string {
		global $wpdb;
		return $wpdb->prefix . self::WEBHOOK_INBOX;
	}

	/**
	 * The schema version installed on the current site.
	 *
	 * An integer option is the version. A legacy dotted value ("0.2.1", "1.0") written by the
	 * original plugin counts as 1. Missing or unreadable means 0.
	 *
	 * @since 0.1.0
	 *
	 * @return int
	 */
	public static function installed_version(): int {
		$value = get_option( self::VERSION_OPTION, '' );
		if ( is_int( $value ) ) {
			return max( 0, $value );
		}
		if ( ! is_string( $value ) || '' === $value ) {
			return 0;
		}
		if ( ctype_digit( $value ) ) {
			return (int) $value;
		}
		return str_contains( $value, '.' ) ? 1 : 0;
	}

	/**
	 * Whether the current site's schema is older than this code.
	 *
	 * @since 0.1.0
	 *
	 * @return bool
	 */
	public static function needs_migration(): bool {
		return self::installed_version() < self::VERSION;
	}

	/**
	 * Migrates when the schema is behind; a cheap option read otherwise.
	 *
	 * Runs on every plugins_loaded, with or without WooCommerce and the extension.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public static function maybe_migrate(): void {
		if ( self::needs_migration() ) {
			self::migrate();
		}
	}

	/**
	 * Applies every migration between the installed version and VERSION.
	 *
	 * Guarded by a lock row in the options table (see acquire_lock()). After a failed
	 * migration the lock is left in place, so page loads retry at most once per LOCK_TTL
	 * instead of running dbDelta() on every request.
	 *
	 * @since 0.1.0
	 *
	 * @param bool $force Take the lock even when another request holds it (activation).
	 * @return bool True when the schema is current afterwards.
	 */
	public static function migrate( bool $force = false ): bool {
		global $wpdb;
		if ( ! self::acquire_lock( $force ) ) {
			return false;
		}
		$version = self::installed_version();
		if ( $version < 2 ) {
			if ( ! self::migrate_to_2() ) {
				return false;
			}
			$version = 2;
			update_option( self::VERSION_OPTION, $version, true );
		}
		if ( $version < 3 ) {
			if ( ! self::migrate_to_3() ) {
				return false;
			}
			$version = 3;
			update_option( self::VERSION_OPTION, $version, true );
		}
		if ( $version < 4 ) {
			// Only an index is added: dbDelta() builds it from the statements below.
			require_once ABSPATH . 'wp-admin/includes/upgrade.php';
			dbDelta( self::create_table_statements() );
			$version = 4;
			update_option( self::VERSION_OPTION, $version, true );
		}
		if ( $version < 5 ) {
			require_once ABSPATH . 'wp-admin/includes/upgrade.php';
			dbDelta( self::create_table_statements() );
			foreach ( array( Stats::table(), PhoneFacts::table() ) as $table ) {
				if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) !== $table ) {
					return false;
				}
			}
			Backfill::start();
			$version = 5;
			update_option( self::VERSION_OPTION, $version, true );
		}
		if ( $version < 6 ) {
			// in_flight_at, resends and the webhook inbox. A row `claimed` by the old runner
			// may have been on the wire (it did not tell): treat it as in flight.
			require_once ABSPATH . 'wp-admin/includes/upgrade.php';
			dbDelta( self::create_table_statements() );
			$wpdb->query( $wpdb->prepare( 'UPDATE %i SET status = %s WHERE status = %s', self::messages_log_table(), 'sending', 'claimed' ) );
			$version = 6;
			update_option( self::VERSION_OPTION, $version, true );
		}
		if ( $version < 7 ) {
			// Columns with defaults (the BSUID, the send endpoint, Meta's pricing type): dbDelta().
			require_once ABSPATH . 'wp-admin/includes/upgrade.php';
			dbDelta( self::create_table_statements() );
			$version = 7;
			update_option( self::VERSION_OPTION, $version, true );
		}
		self::release_lock();
		return self::VERSION <= $version;
	}

	/**
	 * Migration 2: creates both tables, or upgrades the original plugin's tables in place.
	 *
	 * DbDelta() adds missing columns and indexes and never drops anything, so the rows of a
	 * site upgrading from the original plugin are kept.
	 *
	 * @since 0.1.0
	 *
	 * @return bool True when both tables exist afterwards.
	 */
	private static function migrate_to_2(): bool {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::create_table_statements() );

		foreach ( array( self::recoveries_table(), self::messages_log_table() ) as $table ) {
			$found = $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
			if ( $found !== $table ) {
				return false;
			}
		}

		// Columns added to legacy rows got the zero date; give them the row's creation time.
		$backfill = array(
			self::recoveries_table()   => array( 'last_activity_at', 'updated_at' ),
			self::messages_log_table() => array( 'due_at', 'updated_at' ),
		);
		foreach ( $backfill as $table => $columns ) {
			foreach ( $columns as $column ) {
				$wpdb->query(
					$wpdb->prepare(
						'UPDATE %i SET %i = created_at WHERE %i = %s',
						$table,
						$column,
						$column,
						'0000-00-00 00:00:00'
					)
				);
			}
		}
		return true;
	}

	/**
	 * Migration 3: the scheduler's columns and index (dbDelta adds them in place).
	 *
	 * Open and messaged rows get next_check_at = now, so the scheduler looks at each once and
	 * sets its real next time.
	 *
	 * @since 0.2.0
	 *
	 * @return bool
	 */
	private static function migrate_to_3(): bool {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		dbDelta( self::create_table_statements() );
		$column = $wpdb->get_var( $wpdb->prepare( 'SHOW COLUMNS FROM %i LIKE %s', self::recoveries_table(), 'next_check_at' ) );
		if ( 'next_check_at' !== $column ) {
			return false;
		}
		$wpdb->query(
			$wpdb->prepare(
				'UPDATE %i SET next_check_at = %s WHERE next_check_at IS NULL AND status IN (%s, %s)',
				self::recoveries_table(),
				gmdate( 'Y-m-d H:i:s' ),
				'open',
				'messaged'
			)
		);
		return true;
	}

	/**
	 * The CREATE TABLE statements, formatted the way dbDelta() parses them.
	 *
	 * One column per line, two spaces after PRIMARY KEY, KEY rather than INDEX.
	 *
	 * @since 0.1.0
	 *
	 * @return string[]
	 */
	public static function create_table_statements(): array {
		global $wpdb;
		$charset_collate = $wpdb->get_charset_collate();
		$recoveries      = self::recoveries_table();
		$messages_log    = self::messages_log_table();
		$webhook_inbox   = self::webhook_inbox_table();

		// session_key and token_hash are NULL until known: UNIQUE allows many NULLs, so rows
		// upgraded from the original plugin do not collide.
		$statements   = array();
		$statements[] = "CREATE TABLE {$recoveries} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  session_key varchar(64) NULL DEFAULT NULL,
  billing_country char(2) NOT NULL DEFAULT '',
  locale varchar(20) NOT NULL DEFAULT '',
  customer_phone varchar(32) NOT NULL DEFAULT '',
  wa_user_id varchar(128) NOT NULL DEFAULT '',
  customer_name varchar(191) NOT NULL DEFAULT '',
  customer_email varchar(191) NOT NULL DEFAULT '',
  user_id bigint(20) unsigned NOT NULL DEFAULT 0,
  cart_snapshot longtext NULL,
  cart_total_minor bigint(20) NOT NULL DEFAULT 0,
  currency char(3) NOT NULL DEFAULT '',
  consent tinyint(1) unsigned NOT NULL DEFAULT 0,
  consent_at datetime NULL DEFAULT NULL,
  consent_ip varchar(45) NOT NULL DEFAULT '',
  consent_text_version varchar(32) NOT NULL DEFAULT '',
  consent_label text NULL,
  consent_source varchar(20) NOT NULL DEFAULT '',
  revoked_at datetime NULL DEFAULT NULL,
  status varchar(20) NOT NULL DEFAULT 'open',
  close_reason varchar(32) NOT NULL DEFAULT '',
  hold_reason varchar(32) NOT NULL DEFAULT '',
  holdout tinyint(1) unsigned NOT NULL DEFAULT 0,
  next_check_at datetime NULL DEFAULT NULL,
  first_message_at datetime NULL DEFAULT NULL,
  recovered_step tinyint(3) unsigned NOT NULL DEFAULT 0,
  sequence_step tinyint(3) unsigned NOT NULL DEFAULT 0,
  token_hash char(64) NULL DEFAULT NULL,
  token_sealed varchar(255) NOT NULL DEFAULT '',
  coupon_code varchar(64) NOT NULL DEFAULT '',
  recovered_order_id bigint(20) unsigned NOT NULL DEFAULT 0,
  recovered_revenue_minor bigint(20) NOT NULL DEFAULT 0,
  last_activity_at datetime NOT NULL,
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  messaged_at datetime NULL DEFAULT NULL,
  clicked_at datetime NULL DEFAULT NULL,
  recovered_at datetime NULL DEFAULT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY session_key (session_key),
  UNIQUE KEY token_hash (token_hash),
  KEY status_activity (status,last_activity_at),
  KEY status_next_check (status,next_check_at),
  KEY recovered_order_id (recovered_order_id),
  KEY customer_phone (customer_phone),
  KEY wa_user_id (wa_user_id),
  KEY customer_email (customer_email),
  KEY created_at (created_at)
) {$charset_collate};";

		$statements[] = "CREATE TABLE {$messages_log} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  recovery_id bigint(20) unsigned NOT NULL DEFAULT 0,
  order_id bigint(20) unsigned NOT NULL DEFAULT 0,
  kind varchar(20) NOT NULL DEFAULT 'recovery',
  step tinyint(3) unsigned NOT NULL DEFAULT 0,
  idempotency_key varchar(191) NULL DEFAULT NULL,
  phone varchar(32) NOT NULL DEFAULT '',
  template varchar(191) NOT NULL DEFAULT '',
  language varchar(16) NOT NULL DEFAULT '',
  components longtext NULL,
  priority smallint(5) unsigned NOT NULL DEFAULT 10,
  status varchar(20) NOT NULL DEFAULT 'pending',
  attempts smallint(5) unsigned NOT NULL DEFAULT 0,
  due_at datetime NOT NULL,
  expires_at datetime NULL DEFAULT NULL,
  claim_id bigint(20) unsigned NOT NULL DEFAULT 0,
  claimed_until datetime NULL DEFAULT NULL,
  in_flight_at datetime NULL DEFAULT NULL,
  resends tinyint(3) unsigned NOT NULL DEFAULT 0,
  wamid varchar(191) NOT NULL DEFAULT '',
  error_code varchar(32) NOT NULL DEFAULT '',
  error_message text NULL,
  pricing_category varchar(32) NOT NULL DEFAULT '',
  pricing_type varchar(32) NOT NULL DEFAULT '',
  endpoint varchar(24) NOT NULL DEFAULT '',
  cost_micros bigint(20) NULL DEFAULT NULL,
  currency char(3) NOT NULL DEFAULT '',
  created_at datetime NOT NULL,
  updated_at datetime NOT NULL,
  sent_at datetime NULL DEFAULT NULL,
  delivered_at datetime NULL DEFAULT NULL,
  read_at datetime NULL DEFAULT NULL,
  failed_at datetime NULL DEFAULT NULL,
  PRIMARY KEY  (id),
  UNIQUE KEY idempotency_key (idempotency_key),
  KEY claim (status,due_at,priority),
  KEY claim_id (claim_id),
  KEY wamid (wamid),
  KEY phone_kind (phone,kind,created_at),
  KEY dashboard (created_at,kind,step,status,cost_micros,currency),
  KEY recovery_id (recovery_id),
  KEY order_id (order_id),
  KEY created_at (created_at)
) {$charset_collate};";

		$statements[] = Stats::create_statement( $charset_collate );
		$statements[] = PhoneFacts::create_statement( $charset_collate );
		$statements[] = "CREATE TABLE {$webhook_inbox} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  received_at datetime NOT NULL,
  body longtext NOT NULL,
  PRIMARY KEY  (id)
) {$charset_collate};";

		return $statements;
	}

	/**
	 * Takes the migration lock, or returns false when another request holds a fresh one.
	 *
	 * The lock is a row in the options table written with INSERT IGNORE, which the unique
	 * option_name index makes atomic (add_option() is not: it upserts). A lock older than
	 * LOCK_TTL is taken over with a conditional UPDATE, atomic as well.
	 *
	 * @since 0.1.0
	 *
	 * @param bool $force Take the lock whatever its age.
	 * @return bool
	 */
	private static function acquire_lock( bool $force ): bool {
		global $wpdb;
		$now      = time();
		$inserted = $wpdb->query(
			$wpdb->prepare(
				"INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
				self::LOCK_OPTION,
				(string) $now
			)
		);
		if ( 1 === $inserted || $force ) {
			return true;
		}
		$taken_over = $wpdb->query(
			$wpdb->prepare(
				"UPDATE {$wpdb->options} SET option_value = %s WHERE option_name = %s AND CAST(option_value AS UNSIGNED) < %d",
				(string) $now,
				self::LOCK_OPTION,
				$now - self::LOCK_TTL
			)
		);
		return 1 === $taken_over;
	}

	/**
	 * Releases the migration lock.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	private static function release_lock(): void {
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s", self::LOCK_OPTION ) );
	}
}
