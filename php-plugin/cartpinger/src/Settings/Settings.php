<?php
/**
 * The plugin's settings: plain options and encrypted secrets.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Settings;

use CartPinger\Native\Exception\VaultException;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Reads, validates and writes the cartpinger_<key> options.
 *
 * Plain settings are stored as they are ('1'/'0' for switches). Secrets are stored only as
 * vault envelopes bound to their option name; their raw option value is never the plaintext.
 * Option names are those of the original plugin, so an upgraded site keeps its values; a
 * legacy secret that is not an envelope reads as unreadable and must be re-entered.
 *
 * @since 0.1.0
 */
final class Settings {

	/**
	 * Prefix of every option.
	 *
	 * @since 0.1.0
	 */
	public const PREFIX = 'cartpinger_';

	/**
	 * What the API shows, and accepts back unchanged, for a secret that is set.
	 *
	 * @since 0.1.0
	 */
	public const MASK = '***';

	/**
	 * Plain settings and their defaults, as stored.
	 *
	 * @since 0.1.0
	 */
	public const DEFAULTS = array(
		'phone_number_id'          => '',
		'waba_id'                  => '',
		'graph_api_version'        => 'v25.0',
		'graph_base_url'           => 'https://graph.facebook.com',
		'enable_followups'         => '1',
		'enable_auto_coupon'       => '0',
		'widget_enabled'           => '0',
		'support_phone'            => '',
		'widget_message'           => '',
		'delete_data_on_uninstall' => '0',
		'recovery_enabled'         => '1',
		'recovery_delay_minutes'   => '60',
		'followup_1_hours'         => '24',
		'followup_2_enabled'       => '1',
		'followup_2_hours'         => '48',
		'coupon_amount'            => '10',
		'coupon_type'              => 'percent',
		'coupon_expiry_hours'      => '48',
		'cooloff_hours'            => '24',
		'max_cart_age_days'        => '7',
		'quiet_hours_enabled'      => '1',
		'quiet_hours_start'        => '21:00',
		'quiet_hours_end'          => '09:00',
		'holdout_percent'          => '0',
		'us_marketing_guard'       => '1',
		'message_ttl_hours'        => '12',
		'notify_processing'        => '1',
		'notify_completed'         => '1',
		'notify_cancelled'         => '1',
		'widget_position'          => 'right',
		'widget_pages'             => 'not_checkout',
		'widget_devices'           => 'all',
		'retention_days'           => '365',
		'log_level'                => 'warning',
		'consent_updates_text'     => '',
		'consent_reminders_text'   => '',
		'cost_cap_message'         => '',
		'cost_cap_cart'            => '',
		'email_coordination'       => 'whatsapp_first',
	);

	/**
	 * Whole-number settings and their allowed range (inclusive).
	 *
	 * @since 0.2.0
	 */
	public const INTEGERS = array(
		'recovery_delay_minutes' => array( 1, 10080 ),
		'followup_1_hours'       => array( 1, 720 ),
		'followup_2_hours'       => array( 2, 720 ),
		'coupon_amount'          => array( 1, 100000 ),
		'coupon_expiry_hours'    => array( 1, 8760 ),
		'cooloff_hours'          => array( 0, 720 ),
		'max_cart_age_days'      => array( 1, 365 ),
		'holdout_percent'        => array( 0, 50 ),
		'message_ttl_hours'      => array( 1, 720 ),
		'retention_days'         => array( 0, 3650 ),
	);

	/**
	 * Plain settings that are switches (stored '1' or '0').
	 *
	 * @since 0.1.0
	 */
	public const SWITCHES = array(
		'enable_followups',
		'enable_auto_coupon',
		'widget_enabled',
		'delete_data_on_uninstall',
		'recovery_enabled',
		'followup_2_enabled',
		'quiet_hours_enabled',
		'us_marketing_guard',
		'notify_processing',
		'notify_completed',
		'notify_cancelled',
	);

	/**
	 * Settings stored encrypted.
	 *
	 * @since 0.1.0
	 */
	public const SECRETS = array(
		'access_token',
		'app_secret',
		'verify_token',
		'ls_webhook_secret',
	);

	/**
	 * The five credentials that together make the WhatsApp connection configured.
	 *
	 * @since 0.1.0
	 */
	public const CREDENTIALS = array(
		'phone_number_id',
		'waba_id',
		'access_token',
		'app_secret',
		'verify_token',
	);

	/**
	 * Secrets discarded when the Graph API address changes (they must be re-entered for it).
	 *
	 * @since 0.3.0
	 */
	public const ENDPOINT_SECRETS = array( 'access_token', 'app_secret' );

	/**
	 * Error code of an unreadable stored secret.
	 *
	 * @since 0.1.0
	 */
	public const ERROR_UNREADABLE = 'cartpinger_secret_unreadable';

	/**
	 * Error code of a secret that could not be encrypted.
	 *
	 * @since 0.1.0
	 */
	public const ERROR_UNSEALABLE = 'cartpinger_secret_unsealable';

	/**
	 * Error code of an invalid value.
	 *
	 * @since 0.1.0
	 */
	public const ERROR_INVALID = 'cartpinger_invalid_setting';

	/**
	 * The secret box.
	 *
	 * @since 0.1.0
	 *
	 * @var SecretBoxInterface
	 */
	private SecretBoxInterface $box;

	/**
	 * Secrets opened during this request, keyed by setting, with the raw value they came from.
	 *
	 * @since 0.1.0
	 *
	 * @var array<string, array{raw: string, value: string|WP_Error}>
	 */
	private array $opened = array();

	/**
	 * Creates the settings service.
	 *
	 * @since 0.1.0
	 *
	 * @param SecretBoxInterface $box Seals and opens the secrets.
	 */
	public function __construct( SecretBoxInterface $box ) {
		$this->box = $box;
	}

	/**
	 * Option name of a setting.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Setting key, e.g. "access_token".
	 * @return string E.g. "cartpinger_access_token".
	 */
	public static function option_name( string $key ): string {
		return self::PREFIX . $key;
	}

	/**
	 * Whether a key names a secret.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Setting key.
	 * @return bool
	 */
	public static function is_secret( string $key ): bool {
		return in_array( $key, self::SECRETS, true );
	}

	/**
	 * Loads every plain setting that is not autoloaded with one query, once per request (a
	 * setting never saved is otherwise one query of its own on every page that reads it).
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	private static function prime(): void {
		static $primed = false;
		if ( $primed ) {
			return;
		}
		$primed = true;
		if ( function_exists( 'wp_prime_option_caches' ) ) {
			$names = array();
			foreach ( array_keys( self::DEFAULTS ) as $key ) {
				if ( ! in_array( $key, self::SECRETS, true ) ) {
					$names[] = self::option_name( $key );
				}
			}
			wp_prime_option_caches( $names );
		}
	}

	/**
	 * A plain setting, normalised: bool for switches, string otherwise.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Plain setting key.
	 * @return bool|string
	 * @throws \InvalidArgumentException For an unknown key or a secret (use get_secret()).
	 */
	public function get( string $key ): bool|string {
		self::assert_plain( $key );
		$name = self::option_name( $key );
		$all  = wp_load_alloptions();
		if ( ! isset( $all[ $name ] ) ) {
			self::prime(); // Not autoloaded (or never saved): read every such setting at once.
		}
		$raw = get_option( $name, self::DEFAULTS[ $key ] );
		if ( in_array( $key, self::SWITCHES, true ) ) {
			$parsed = self::parse_switch( $raw );
			return $parsed ?? ( '1' === self::DEFAULTS[ $key ] );
		}
		return is_scalar( $raw ) ? (string) $raw : self::DEFAULTS[ $key ];
	}

	/**
	 * Every plain setting, normalised.
	 *
	 * @since 0.1.0
	 *
	 * @return array<string, bool|string>
	 */
	public function all(): array {
		$values = array();
		foreach ( array_keys( self::DEFAULTS ) as $key ) {
			$values[ $key ] = $this->get( $key );
		}
		return $values;
	}

	/**
	 * Validates and stores one setting. Secrets go through set_secret().
	 *
	 * @since 0.1.0
	 *
	 * @param string $key   Setting key.
	 * @param mixed  $value Submitted value.
	 * @return true|WP_Error
	 */
	public function set( string $key, mixed $value ): bool|WP_Error {
		if ( self::is_secret( $key ) ) {
			return is_string( $value ) ? $this->set_secret( $key, $value ) : self::invalid( $key );
		}
		if ( 'graph_base_url' === $key ) {
			// Where the token goes: the rules of update() (who, and the secrets it discards).
			return $this->update( array( $key => $value ) );
		}
		$clean = $this->sanitize( $key, $value );
		if ( is_wp_error( $clean ) ) {
			return $clean;
		}
		update_option( self::option_name( $key ), $clean, true );
		return true;
	}

	/**
	 * Validates every submitted setting, then stores them; keys not submitted keep their value.
	 *
	 * Nothing is written when any value is invalid or any secret cannot be encrypted.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $values Submitted values by setting key; unknown keys are ignored.
	 * @return true|WP_Error The first error, with data {status, field}.
	 */
	public function update( array $values ): bool|WP_Error {
		$writes = array();
		foreach ( $values as $key => $value ) {
			$key = (string) $key;
			if ( self::is_secret( $key ) ) {
				$clean = is_string( $value ) ? $this->seal_secret( $key, $value ) : self::invalid( $key );
			} elseif ( array_key_exists( $key, self::DEFAULTS ) ) {
				$clean = $this->sanitize( $key, $value );
			} else {
				continue;
			}
			if ( is_wp_error( $clean ) ) {
				return $clean;
			}
			if ( null !== $clean ) {
				$writes[ $key ] = $clean;
			}
		}
		$discard = array();
		if ( isset( $writes['graph_base_url'] ) && $writes['graph_base_url'] !== $this->get( 'graph_base_url' ) ) {
			if ( ! self::may_change_endpoint() ) {
				return new WP_Error(
					'cartpinger_endpoint_forbidden',
					__( 'Only an administrator can change the Graph API address.', 'cartpinger-for-woocommerce' ),
					array(
						'status' => 403,
						'field'  => 'graph_base_url',
					)
				);
			}
			// The stored token and app secret were given for the old address: they are never
			// sent to the new one. Values re-entered in this same save are kept.
			foreach ( self::ENDPOINT_SECRETS as $secret ) {
				if ( ! isset( $writes[ $secret ] ) ) {
					$discard[] = $secret;
				}
			}
		}
		foreach ( $writes as $key => $stored ) {
			update_option( self::option_name( $key ), $stored, true );
			unset( $this->opened[ $key ] );
		}
		foreach ( $discard as $secret ) {
			$this->delete_secret( $secret );
		}
		return true;
	}

	/**
	 * Whether the current context may change where the token is sent: an administrator
	 * (`manage_options`), or the server itself (WP-CLI, cron or a CLI script with no user).
	 *
	 * @since 0.3.0
	 *
	 * @return bool
	 */
	public static function may_change_endpoint(): bool {
		if ( current_user_can( 'manage_options' ) ) {
			return true;
		}
		return 0 === get_current_user_id() && ( 'cli' === PHP_SAPI || wp_doing_cron() );
	}

	/**
	 * Whether a Graph API address may receive the token: https to a public host; plain http
	 * only to a loopback host on a `local` or `development` site (the demo and the tests); never
	 * a private, link-local or reserved address (the server must not be pointed inwards).
	 *
	 * @since 0.3.0
	 *
	 * @param string $url Address without a path, e.g. https://graph.facebook.com.
	 * @return bool
	 */
	public static function endpoint_allowed( string $url ): bool {
		if ( 1 !== preg_match( '#^(https?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(:\d{1,5})?$#', $url, $m ) ) {
			return false;
		}
		$scheme   = strtolower( $m[1] );
		$host     = strtolower( trim( $m[2], '[]' ) );
		$loopback = 'localhost' === $host || str_ends_with( $host, '.localhost' ) || self::is_loopback_ip( $host );
		$dev_site = in_array( wp_get_environment_type(), array( 'local', 'development' ), true );
		if ( $loopback ) {
			return $dev_site;
		}
		if ( 'https' !== $scheme ) {
			return false;
		}
		if ( false !== filter_var( $host, FILTER_VALIDATE_IP ) ) {
			return self::is_public_ip( $host );
		}
		// A name that resolves to an inside address now is refused too (checked at save time;
		// a name that does not resolve here is judged by its form alone).
		$resolved = gethostbynamel( $host );
		foreach ( is_array( $resolved ) ? $resolved : array() as $ip ) {
			if ( ! self::is_public_ip( $ip ) ) {
				return false;
			}
		}
		return str_contains( $host, '.' );
	}

	/**
	 * Whether an IP literal is a loopback address (127.0.0.0/8, ::1).
	 *
	 * @since 0.3.0
	 *
	 * @param string $host Host.
	 * @return bool
	 */
	private static function is_loopback_ip( string $host ): bool {
		if ( false !== filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4 ) ) {
			return str_starts_with( $host, '127.' );
		}
		return false !== filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV6 ) && '::1' === inet_ntop( (string) inet_pton( $host ) );
	}

	/**
	 * Whether an IP is public: not private, loopback, link-local, reserved, shared (CGNAT) or
	 * unspecified.
	 *
	 * @since 0.3.0
	 *
	 * @param string $ip Address.
	 * @return bool
	 */
	private static function is_public_ip( string $ip ): bool {
		if ( false === filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) ) {
			return false;
		}
		$packed = (string) inet_pton( $ip );
		if ( 4 === strlen( $packed ) ) {
			$n = (int) unpack( 'N', $packed )[1];
			// 100.64.0.0/10 shared address space, 169.254.0.0/16 link-local (also in RES_RANGE on
			// newer PHP), 0.0.0.0/8.
			return ( $n & 0xFFC00000 ) !== 0x64400000 && ( $n & 0xFFFF0000 ) !== 0xA9FE0000 && ( $n >> 24 ) !== 0;
		}
		$first = ord( $packed[0] );
		// fc00::/7 unique local, fe80::/10 link-local, ::ffff:0:0/96 mapped IPv4 (judged as IPv4).
		if ( 0xFC === ( $first & 0xFE ) || ( 0xFE === $first && 0x80 === ( ord( $packed[1] ) & 0xC0 ) ) ) {
			return false;
		}
		if ( str_starts_with( $packed, str_repeat( "\0", 10 ) . "\xff\xff" ) ) {
			return self::is_public_ip( (string) inet_ntop( substr( $packed, 12 ) ) );
		}
		return true;
	}

	/**
	 * The plaintext of a secret; '' when none is stored.
	 *
	 * Never fatal and never garbage: a value that the vault cannot open (other key, tampered,
	 * moved to another option, legacy format) gives a WP_Error that tells the admin to
	 * re-enter it.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Secret key, e.g. "access_token".
	 * @return string|WP_Error
	 */
	public function get_secret( string $key ): string|WP_Error {
		self::assert_secret( $key );
		$option = self::option_name( $key );
		$raw    = get_option( $option, '' );
		if ( '' === $raw || false === $raw || null === $raw ) {
			return '';
		}
		if ( ! is_string( $raw ) ) {
			return self::unreadable( $key );
		}
		if ( isset( $this->opened[ $key ] ) && $this->opened[ $key ]['raw'] === $raw ) {
			return $this->opened[ $key ]['value'];
		}
		try {
			$value = $this->box->open( $raw, $option );
		} catch ( VaultException $e ) {
			$value = self::unreadable( $key, $e );
		} catch ( \RuntimeException $e ) {
			// Any other extension error (NativeException, or the RuntimeException the
			// extension throws when its exception classes cannot be loaded).
			$value = self::unreadable( $key, $e );
		}
		$this->opened[ $key ] = array(
			'raw'   => $raw,
			'value' => $value,
		);
		return $value;
	}

	/**
	 * Encrypts and stores a secret. '' and '***' keep the stored value.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key       Secret key.
	 * @param string $plaintext Submitted value.
	 * @return true|WP_Error
	 */
	public function set_secret( string $key, string $plaintext ): bool|WP_Error {
		self::assert_secret( $key );
		$envelope = $this->seal_secret( $key, $plaintext );
		if ( is_wp_error( $envelope ) ) {
			return $envelope;
		}
		if ( null !== $envelope ) {
			update_option( self::option_name( $key ), $envelope, true );
			unset( $this->opened[ $key ] );
		}
		return true;
	}

	/**
	 * Validates and encrypts a submitted secret.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key       Secret key.
	 * @param string $plaintext Submitted value.
	 * @return string|WP_Error|null The envelope to store, null to keep the stored value, or an error.
	 */
	private function seal_secret( string $key, string $plaintext ): string|WP_Error|null {
		$clean = self::sanitize_secret( $key, $plaintext );
		if ( null === $clean || is_wp_error( $clean ) ) {
			return $clean;
		}
		try {
			return $this->box->seal( $clean, self::option_name( $key ) );
		} catch ( \RuntimeException $e ) {
			// VaultException (e.g. key material too short) or any other extension error.
			return new WP_Error(
				self::ERROR_UNSEALABLE,
				__( 'CartPinger could not encrypt this value. Check that CARTPINGER_ENCRYPTION_KEY in wp-config.php, if you set it, is at least 16 characters long, and that the WordPress salts are defined.', 'cartpinger-for-woocommerce' ),
				array(
					'status'     => 500,
					'field'      => $key,
					'vault_code' => $e->getCode(),
				)
			);
		}
	}

	/**
	 * Removes a stored secret.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Secret key.
	 * @return void
	 */
	public function delete_secret( string $key ): void {
		self::assert_secret( $key );
		delete_option( self::option_name( $key ) );
		unset( $this->opened[ $key ] );
	}

	/**
	 * Whether a value is stored for a secret (readable or not); the API then shows '***'.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Secret key.
	 * @return bool
	 */
	public function has_secret( string $key ): bool {
		self::assert_secret( $key );
		$raw = get_option( self::option_name( $key ), '' );
		return '' !== $raw && false !== $raw && null !== $raw;
	}

	/**
	 * The secrets that are stored but cannot be read.
	 *
	 * @since 0.1.0
	 *
	 * @return string[] Secret keys.
	 */
	public function unreadable_secrets(): array {
		$keys = array();
		foreach ( self::SECRETS as $key ) {
			if ( $this->has_secret( $key ) && is_wp_error( $this->get_secret( $key ) ) ) {
				$keys[] = $key;
			}
		}
		return $keys;
	}

	/**
	 * Whether the five WhatsApp credentials are all present, valid and readable.
	 *
	 * @since 0.1.0
	 *
	 * @return bool
	 */
	public function is_configured(): bool {
		foreach ( self::CREDENTIALS as $key ) {
			if ( self::is_secret( $key ) ) {
				$value = $this->get_secret( $key );
				if ( is_wp_error( $value ) || '' === $value ) {
					return false;
				}
			} elseif ( ! is_string( $this->sanitize_ids( (string) $this->get( $key ) ) ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Translated "cannot read" message for a secret.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Secret key.
	 * @return string
	 */
	public static function unreadable_message( string $key ): string {
		switch ( $key ) {
			case 'app_secret':
				return __( 'CartPinger cannot read your saved app secret. Please re-enter your app secret.', 'cartpinger-for-woocommerce' );
			case 'verify_token':
				return __( 'CartPinger cannot read your saved webhook verify token. Please re-enter your webhook verify token.', 'cartpinger-for-woocommerce' );
			case 'ls_webhook_secret':
				return __( 'CartPinger cannot read your saved Lemon Squeezy webhook secret. Please re-enter your Lemon Squeezy webhook secret.', 'cartpinger-for-woocommerce' );
			default:
				return __( 'CartPinger cannot read your saved access token. Please re-enter your access token.', 'cartpinger-for-woocommerce' );
		}
	}

	/**
	 * Validates a plain setting and returns the value to store.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key   Plain setting key.
	 * @param mixed  $value Submitted value.
	 * @return string|WP_Error
	 */
	private function sanitize( string $key, mixed $value ): string|WP_Error {
		self::assert_plain( $key );
		if ( in_array( $key, self::SWITCHES, true ) ) {
			$parsed = self::parse_switch( $value );
			if ( null === $parsed ) {
				return self::invalid( $key );
			}
			return $parsed ? '1' : '0';
		}
		if ( ! is_scalar( $value ) ) {
			return self::invalid( $key );
		}
		$value = trim( (string) $value );
		if ( isset( self::INTEGERS[ $key ] ) ) {
			list( $min, $max ) = self::INTEGERS[ $key ];
			if ( 1 !== preg_match( '/^\d{1,9}$/', $value ) || (int) $value < $min || (int) $value > $max ) {
				return self::invalid( $key );
			}
			return (string) (int) $value;
		}
		switch ( $key ) {
			case 'coupon_type':
				return in_array( $value, array( 'percent', 'fixed_cart' ), true ) ? $value : self::invalid( $key );

			case 'widget_position':
				return in_array( $value, array( 'right', 'left' ), true ) ? $value : self::invalid( $key );

			case 'widget_pages':
				return in_array( $value, array( 'all', 'shop', 'product', 'not_checkout' ), true ) ? $value : self::invalid( $key );

			case 'widget_devices':
				return in_array( $value, array( 'all', 'mobile', 'desktop' ), true ) ? $value : self::invalid( $key );

			case 'log_level':
				return in_array( $value, array( 'error', 'warning', 'info', 'debug' ), true ) ? $value : self::invalid( $key );

			case 'cost_cap_message':
			case 'cost_cap_cart':
				// US dollars (Meta's rate card currency), up to 6 decimals; '' for no ceiling.
				$value = str_replace( ',', '.', ltrim( $value, '$ ' ) );
				return '' === $value || 1 === preg_match( '/^\d{1,4}(\.\d{1,6})?$/', $value ) ? $value : self::invalid( $key );

			case 'email_coordination':
				return in_array( $value, array( 'whatsapp_first', 'email_first', 'off' ), true ) ? $value : self::invalid( $key );

			case 'quiet_hours_start':
			case 'quiet_hours_end':
				return 1 === preg_match( '/^([01]\d|2[0-3]):[0-5]\d$/', $value ) ? $value : self::invalid( $key );

			case 'phone_number_id':
			case 'waba_id':
				$clean = $this->sanitize_ids( $value );
				return is_string( $clean ) ? $clean : self::invalid( $key );

			case 'graph_api_version':
				return 1 === preg_match( '/^v\d{1,2}\.\d$/', $value ) ? $value : self::invalid( $key );

			case 'graph_base_url':
				// Meta's Graph API over https, or a local sandbox on a development site; no path.
				$url = untrailingslashit( $value );
				return self::endpoint_allowed( $url ) ? $url : self::invalid( $key );

			case 'support_phone':
				if ( '' === $value ) {
					return '';
				}
				return self::phone( $value ) ?? self::invalid( $key );

			case 'widget_message':
				return mb_substr( sanitize_textarea_field( $value ), 0, 1000 );

			case 'consent_updates_text':
			case 'consent_reminders_text':
				// Plain text with {shop}, {reminders} and {privacy_policy}; '' = the translated default.
				return mb_substr( sanitize_text_field( $value ), 0, 600 );
		}
		return sanitize_text_field( $value );
	}

	/**
	 * A phone number in E.164, read like every other phone field of CartPinger: with + and the
	 * country code, or as dialled in the store's country (WooCommerce's base country).
	 *
	 * @since 0.3.0
	 *
	 * @param string $value As typed.
	 * @return string|null Null when it is not a phone number.
	 */
	public static function phone( string $value ): ?string {
		$country = function_exists( 'WC' ) && null !== WC()->countries ? strtoupper( (string) WC()->countries->get_base_country() ) : '';
		if ( class_exists( \CartPinger\Native\Phone::class ) ) {
			try {
				return \CartPinger\Native\Phone::to_e164( $value, ( 1 === preg_match( '/^[A-Z]{2}$/', $country ) ) ? $country : '' );
			} catch ( \RuntimeException $e ) {
				return null;
			}
		}
		$digits = (string) preg_replace( '/[\s().\-]/', '', $value );
		return 1 === preg_match( '/^\+[1-9]\d{6,14}$/', $digits ) ? $digits : null;
	}

	/**
	 * A Meta phone number ID or WABA ID: 1 to 20 digits.
	 *
	 * @since 0.1.0
	 *
	 * @param string $value Submitted value.
	 * @return string|null The ID, or null when invalid.
	 */
	private function sanitize_ids( string $value ): ?string {
		return 1 === preg_match( '/^\d{1,20}$/', $value ) ? $value : null;
	}

	/**
	 * Validates a submitted secret.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key   Secret key.
	 * @param string $value Submitted value.
	 * @return string|WP_Error|null The value to seal, null to keep the stored one, or an error.
	 */
	private static function sanitize_secret( string $key, string $value ): string|WP_Error|null {
		if ( '' === $value || self::MASK === $value ) {
			return null;
		}
		if ( 'verify_token' === $key ) {
			$clean = substr( (string) preg_replace( '/[^A-Za-z0-9_\-]/', '', $value ), 0, 80 );
			return '' === $clean ? self::invalid( $key ) : $clean;
		}
		// Tokens and secrets never contain whitespace; pasted ones often do at the ends.
		$clean = (string) preg_replace( '/\s+/', '', $value );
		return '' === $clean ? self::invalid( $key ) : $clean;
	}

	/**
	 * Reads a switch value; null when it is not one.
	 *
	 * Accepts what the original plugin and HTML forms store: booleans, 1/0, 'yes'/'no', 'on'.
	 *
	 * @since 0.1.0
	 *
	 * @param mixed $value Raw value.
	 * @return bool|null
	 */
	private static function parse_switch( mixed $value ): ?bool {
		if ( is_bool( $value ) ) {
			return $value;
		}
		if ( is_int( $value ) ) {
			return 0 !== $value;
		}
		if ( ! is_string( $value ) ) {
			return null;
		}
		$value = strtolower( trim( $value ) );
		if ( in_array( $value, array( '1', 'true', 'yes', 'on' ), true ) ) {
			return true;
		}
		if ( in_array( $value, array( '0', '', 'false', 'no', 'off' ), true ) ) {
			return false;
		}
		return null;
	}

	/**
	 * The error for an unreadable secret.
	 *
	 * @since 0.1.0
	 *
	 * @param string          $key   Secret key.
	 * @param \Throwable|null $cause The vault error, if any. Its message holds no secret.
	 * @return WP_Error
	 */
	private static function unreadable( string $key, ?\Throwable $cause = null ): WP_Error {
		return new WP_Error(
			self::ERROR_UNREADABLE,
			self::unreadable_message( $key ),
			array(
				'field'      => $key,
				'vault_code' => null === $cause ? 0 : $cause->getCode(),
			)
		);
	}

	/**
	 * The error for an invalid value.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Setting key.
	 * @return WP_Error
	 */
	private static function invalid( string $key ): WP_Error {
		switch ( $key ) {
			case 'phone_number_id':
				$message = __( 'The phone number ID must be 1 to 20 digits.', 'cartpinger-for-woocommerce' );
				break;
			case 'waba_id':
				$message = __( 'The WhatsApp Business Account ID must be 1 to 20 digits.', 'cartpinger-for-woocommerce' );
				break;
			case 'verify_token':
				$message = __( 'The webhook verify token must contain letters, digits, "_" or "-" (up to 80 characters).', 'cartpinger-for-woocommerce' );
				break;
			case 'graph_api_version':
				$message = __( 'The Graph API version must look like v25.0.', 'cartpinger-for-woocommerce' );
				break;
			case 'graph_base_url':
				$message = __( 'The Graph API address must be an https:// address of a public host without a path, for example https://graph.facebook.com (plain http:// only to this computer on a local or development site).', 'cartpinger-for-woocommerce' );
				break;
			case 'support_phone':
				$message = __( 'This is not a phone number we can use: type it with + and the country code (for example +34 612 345 678), or as you would dial it in your store\'s country.', 'cartpinger-for-woocommerce' );
				break;
			case 'coupon_type':
				$message = __( 'The coupon type must be a percentage or a fixed amount.', 'cartpinger-for-woocommerce' );
				break;
			case 'quiet_hours_start':
			case 'quiet_hours_end':
				$message = __( 'Quiet hours must be times such as 21:00.', 'cartpinger-for-woocommerce' );
				break;
			case 'cost_cap_message':
			case 'cost_cap_cart':
				$message = __( 'Enter the ceiling in US dollars, for example 0.08, or leave it empty for none.', 'cartpinger-for-woocommerce' );
				break;
			default:
				if ( isset( self::INTEGERS[ $key ] ) ) {
					$message = sprintf(
						/* translators: 1: smallest allowed number, 2: largest allowed number. */
						__( 'Enter a whole number from %1$d to %2$d.', 'cartpinger-for-woocommerce' ),
						self::INTEGERS[ $key ][0],
						self::INTEGERS[ $key ][1]
					);
					break;
				}
				$message = __( 'This value is not valid.', 'cartpinger-for-woocommerce' );
		}
		return new WP_Error(
			self::ERROR_INVALID,
			$message,
			array(
				'status' => 422,
				'field'  => $key,
			)
		);
	}

	/**
	 * Rejects keys that are not plain settings.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Setting key.
	 * @return void
	 * @throws \InvalidArgumentException For an unknown key or a secret.
	 */
	private static function assert_plain( string $key ): void {
		if ( ! array_key_exists( $key, self::DEFAULTS ) ) {
			throw new \InvalidArgumentException( 'Unknown plain setting: ' . esc_html( $key ) );
		}
	}

	/**
	 * Rejects keys that are not secrets.
	 *
	 * @since 0.1.0
	 *
	 * @param string $key Setting key.
	 * @return void
	 * @throws \InvalidArgumentException For a key that is not a secret.
	 */
	private static function assert_secret( string $key ): void {
		if ( ! self::is_secret( $key ) ) {
			throw new \InvalidArgumentException( 'Unknown secret setting: ' . esc_html( $key ) );
		}
	}
}
