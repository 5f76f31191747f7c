<?php
/**
 * Rate limits on consented captures and the hashed client address of the proof of consent.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

defined( 'ABSPATH' ) || exit;

/**
 * Limits that a script cannot walk around by opening sessions: new consented captures (a new
 * record, or a new phone on a session's record) are counted per client address (IPv4 /32,
 * IPv6 /64) and store-wide, per UTC hour. Counters are rows of the options table incremented
 * atomically by the database (never read-modify-write, so concurrent requests cannot slip
 * through), named by the hour, and deleted when the next hour starts.
 *
 * Defaults (filter `cartpinger_capture_limits`): 10 per address and 500 store-wide per hour.
 * A real shopper creates one capture per cart (typing, re-ticking and refreshing update the
 * same record); 10 leaves room for a household or an office behind one address. 500 consented
 * checkouts an hour is more than 10 000 a day, beyond what a shop on this plugin sees; a larger
 * shop raises it with the filter.
 *
 * The client address is REMOTE_ADDR: X-Forwarded-For is set by the client and would let a
 * script pick a new address per request, so it is read only when REMOTE_ADDR is a loopback or
 * private address (a reverse proxy in front of the site), and then only its last hop, the one
 * that proxy appended. Other set-ups pass the visitor's address through the
 * `cartpinger_client_address` filter.
 *
 * @since 0.3.0
 */
final class CaptureGuard {

	/**
	 * Option name prefix of the hourly counters.
	 *
	 * @since 0.3.0
	 */
	public const COUNTER_PREFIX = 'cartpinger_cap_';

	/**
	 * Option name prefix of the daily counts of refused captures (dashboard).
	 *
	 * @since 0.3.0
	 */
	public const REFUSED_PREFIX = 'cartpinger_cap_refused_';

	/**
	 * Option holding the key of the address hash (random, made once per site).
	 *
	 * @since 0.3.0
	 */
	public const HASH_KEY_OPTION = 'cartpinger_consent_hash_key';

	/**
	 * Default limits.
	 *
	 * @since 0.3.0
	 */
	public const DEFAULT_LIMITS = array(
		'per_address_hour' => 10,
		'store_hour'       => 500,
	);

	/**
	 * The limits in force (defaults through the `cartpinger_capture_limits` filter).
	 *
	 * @since 0.3.0
	 *
	 * @return array{per_address_hour: int, store_hour: int}
	 */
	public static function limits(): array {
		/**
		 * Filters the limits on new consented captures.
		 *
		 * @since 0.3.0
		 *
		 * @param array{per_address_hour: int, store_hour: int} $limits New captures allowed per
		 *        client address (IPv4 /32, IPv6 /64) per hour and store-wide per hour.
		 */
		$limits = apply_filters( 'cartpinger_capture_limits', self::DEFAULT_LIMITS );
		$limits = is_array( $limits ) ? $limits : array();
		return array(
			'per_address_hour' => max( 1, (int) ( $limits['per_address_hour'] ?? self::DEFAULT_LIMITS['per_address_hour'] ) ),
			'store_hour'       => max( 1, (int) ( $limits['store_hour'] ?? self::DEFAULT_LIMITS['store_hour'] ) ),
		);
	}

	/**
	 * The client's address: REMOTE_ADDR unless a filter says otherwise; '' when not an IP.
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function client_address(): string {
		$ip = isset( $_SERVER['REMOTE_ADDR'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REMOTE_ADDR'] ) ) : '';
		// Behind a reverse proxy on this host or network (REMOTE_ADDR loopback or private), the
		// visitor is the last address that proxy appended to X-Forwarded-For; addresses before
		// it are whatever the client claimed and are ignored.
		if ( '' !== $ip && false === filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) && isset( $_SERVER['HTTP_X_FORWARDED_FOR'] ) ) {
			$hops = explode( ',', sanitize_text_field( wp_unslash( $_SERVER['HTTP_X_FORWARDED_FOR'] ) ) );
			$last = trim( (string) end( $hops ) );
			if ( false !== filter_var( $last, FILTER_VALIDATE_IP ) ) {
				$ip = $last;
			}
		}
		/**
		 * Filters the address the capture limits and the proof of consent use.
		 *
		 * @since 0.3.0
		 *
		 * @param string $ip REMOTE_ADDR. Return the visitor's address when a trusted proxy sits
		 *                   in front of the site.
		 */
		$ip = (string) apply_filters( 'cartpinger_client_address', $ip );
		return false !== filter_var( $ip, FILTER_VALIDATE_IP ) ? $ip : '';
	}

	/**
	 * The network the per-address limit counts: the IPv4 address, or the IPv6 /64.
	 *
	 * @since 0.3.0
	 *
	 * @param string $ip A valid address, or ''.
	 * @return string
	 */
	public static function network( string $ip ): string {
		if ( '' === $ip ) {
			return 'unknown';
		}
		$packed = inet_pton( $ip );
		if ( false === $packed ) {
			return 'unknown';
		}
		if ( 16 === strlen( $packed ) ) {
			// An IPv4-mapped IPv6 address is its IPv4 address.
			if ( str_starts_with( $packed, str_repeat( "\0", 10 ) . "\xff\xff" ) ) {
				return (string) inet_ntop( substr( $packed, 12 ) );
			}
			return bin2hex( substr( $packed, 0, 8 ) ) . '::/64';
		}
		return $ip;
	}

	/**
	 * Keyed hash of a client address, as stored with the proof of consent ("h1:" + 40 hex, fits
	 * the 45-character column). The key is the site's, so the hash cannot be reversed by trying
	 * every IPv4 address, yet the shop can check a given address against it.
	 *
	 * @since 0.3.0
	 *
	 * @param string $ip The address ('' gives '').
	 * @return string
	 */
	public static function hash_address( string $ip ): string {
		if ( '' === $ip ) {
			return '';
		}
		return 'h1:' . substr( hash_hmac( 'sha256', $ip, self::hash_key() ), 0, 40 );
	}

	/**
	 * The site's address-hash key, made on first use.
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	private static function hash_key(): string {
		$key = get_option( self::HASH_KEY_OPTION, '' );
		if ( ! is_string( $key ) || strlen( $key ) < 32 ) {
			$key = bin2hex( random_bytes( 32 ) );
			add_option( self::HASH_KEY_OPTION, $key, '', false );
			$key = (string) get_option( self::HASH_KEY_OPTION, $key );
		}
		return $key;
	}

	/**
	 * Counts one new capture from the current client; false when a limit is exceeded (the
	 * refusal is counted for the dashboard and logged once per limit and hour).
	 *
	 * @since 0.3.0
	 *
	 * @param int $now Unix time (tests pass a fixed one; 0 = now).
	 * @return bool
	 */
	public static function admit( int $now = 0 ): bool {
		$now    = $now > 0 ? $now : time();
		$hour   = gmdate( 'YmdH', $now );
		$limits = self::limits();
		// The address first: attempts refused there never count store-wide, so one address
		// cannot use up the store's allowance and lock every other shopper out.
		$address = self::increment( self::COUNTER_PREFIX . $hour . '_' . substr( hash( 'sha256', self::network( self::client_address() ) ), 0, 24 ) );
		if ( 1 === $address ) {
			self::purge_before( $hour, gmdate( 'Ymd', $now - 90 * DAY_IN_SECONDS ) );
		}
		if ( $address > $limits['per_address_hour'] ) {
			self::refuse( $now, $address === $limits['per_address_hour'] + 1 ? sprintf( 'Capture refused: more than %d new WhatsApp opt-ins from one address this hour (limit: cartpinger_capture_limits filter).', $limits['per_address_hour'] ) : '' );
			return false;
		}
		$store = self::increment( self::COUNTER_PREFIX . $hour . '_store' );
		if ( $store > $limits['store_hour'] ) {
			self::refuse( $now, $store === $limits['store_hour'] + 1 ? sprintf( 'Capture refused: more than %d new WhatsApp opt-ins store-wide this hour (limit: cartpinger_capture_limits filter).', $limits['store_hour'] ) : '' );
			return false;
		}
		return true;
	}

	/**
	 * Counts a refused capture for the dashboard and logs the first one of a limit and hour.
	 *
	 * @since 0.3.0
	 *
	 * @param int    $now     Unix time.
	 * @param string $message Log line ('' = already logged this hour).
	 * @return void
	 */
	private static function refuse( int $now, string $message ): void {
		self::increment( self::REFUSED_PREFIX . gmdate( 'Ymd', $now ) );
		if ( '' !== $message ) {
			Capture::log( $message );
		}
	}

	/**
	 * Captures refused by the limits over the last days (today included, UTC days).
	 *
	 * @since 0.3.0
	 *
	 * @param int $days Days.
	 * @param int $now  Unix time (0 = now).
	 * @return int
	 */
	public static function refused( int $days = 7, int $now = 0 ): int {
		global $wpdb;
		$now   = $now > 0 ? $now : time();
		$since = self::REFUSED_PREFIX . gmdate( 'Ymd', $now - ( max( 1, $days ) - 1 ) * DAY_IN_SECONDS );
		$sum   = $wpdb->get_var(
			$wpdb->prepare(
				'SELECT SUM(CAST(option_value AS UNSIGNED)) FROM %i WHERE option_name LIKE %s AND option_name >= %s',
				$wpdb->options,
				$wpdb->esc_like( self::REFUSED_PREFIX ) . '%',
				$since
			)
		);
		return (int) $sum;
	}

	/**
	 * Adds one to a counter row and returns its new value (atomic in the database).
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Option name.
	 * @return int
	 */
	private static function increment( string $name ): int {
		global $wpdb;
		$wpdb->query(
			$wpdb->prepare(
				'INSERT INTO %i (option_name, option_value, autoload) VALUES (%s, %s, %s) ON DUPLICATE KEY UPDATE option_value = CAST(option_value AS UNSIGNED) + 1',
				$wpdb->options,
				$name,
				'1',
				'no'
			)
		);
		return (int) $wpdb->get_var( $wpdb->prepare( 'SELECT option_value FROM %i WHERE option_name = %s', $wpdb->options, $name ) );
	}

	/**
	 * Deletes the hourly counters of earlier hours and refusal counts older than a day.
	 *
	 * @since 0.3.0
	 *
	 * @param string $hour        Current hour (YmdH).
	 * @param string $refused_day Oldest refusal day kept (Ymd).
	 * @return void
	 */
	private static function purge_before( string $hour, string $refused_day ): void {
		global $wpdb;
		$wpdb->query(
			$wpdb->prepare(
				'DELETE FROM %i WHERE option_name LIKE %s AND option_name NOT LIKE %s AND option_name < %s',
				$wpdb->options,
				$wpdb->esc_like( self::COUNTER_PREFIX ) . '%',
				$wpdb->esc_like( self::REFUSED_PREFIX ) . '%',
				self::COUNTER_PREFIX . $hour
			)
		);
		$wpdb->query(
			$wpdb->prepare(
				'DELETE FROM %i WHERE option_name LIKE %s AND option_name < %s',
				$wpdb->options,
				$wpdb->esc_like( self::REFUSED_PREFIX ) . '%',
				self::REFUSED_PREFIX . $refused_day
			)
		);
	}
}
