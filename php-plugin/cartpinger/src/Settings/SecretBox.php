<?php
/**
 * The secret box over the extension's vault.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Settings;

use CartPinger\Native\Vault;

defined( 'ABSPATH' ) || exit;

/**
 * Seals secrets with CartPinger\Native\Vault (AES-256-GCM, versioned envelope with key id).
 *
 * The only class besides Requirements that names an extension class. The key material is
 * CARTPINGER_ENCRYPTION_KEY when defined and non-empty, else the eight WordPress salts
 * concatenated; the vault derives the actual key from it with HKDF. The vault is built on
 * first use, so a bad key surfaces as a VaultException where the caller handles it.
 *
 * @since 0.1.0
 */
final class SecretBox implements SecretBoxInterface {

	/**
	 * The wp-config.php constants whose concatenation is the fallback key material, in order.
	 *
	 * @since 0.1.0
	 */
	public const SALT_CONSTANTS = array(
		'AUTH_KEY',
		'SECURE_AUTH_KEY',
		'LOGGED_IN_KEY',
		'NONCE_KEY',
		'AUTH_SALT',
		'SECURE_AUTH_SALT',
		'LOGGED_IN_SALT',
		'NONCE_SALT',
	);

	/**
	 * Length in bytes of the random nonce of each envelope.
	 *
	 * @since 0.1.0
	 */
	public const NONCE_BYTES = 12;

	/**
	 * The vault, built on first use.
	 *
	 * @since 0.1.0
	 *
	 * @var Vault|null
	 */
	private ?Vault $vault = null;

	/**
	 * Key material; null means "read it from wp-config.php on first use".
	 *
	 * @since 0.1.0
	 *
	 * @var string|null
	 */
	private ?string $key_material;

	/**
	 * Creates the box.
	 *
	 * @since 0.1.0
	 *
	 * @param string|null $key_material Key material, or null for the site's (see key_material()).
	 */
	public function __construct( ?string $key_material = null ) {
		$this->key_material = $key_material;
	}

	/**
	 * Encrypts a secret with a fresh random nonce.
	 *
	 * @since 0.1.0
	 *
	 * @param string $plaintext       The secret.
	 * @param string $associated_data Context the envelope is bound to (the option name).
	 * @return string
	 * @throws \CartPinger\Native\Exception\VaultException When the key is unusable.
	 */
	public function seal( string $plaintext, string $associated_data ): string {
		return $this->vault()->encrypt( $plaintext, $associated_data, random_bytes( self::NONCE_BYTES ) );
	}

	/**
	 * Decrypts an envelope.
	 *
	 * @since 0.1.0
	 *
	 * @param string $envelope        The stored envelope.
	 * @param string $associated_data Context the envelope must be bound to.
	 * @return string
	 * @throws \CartPinger\Native\Exception\VaultException When it cannot be opened.
	 */
	public function open( string $envelope, string $associated_data ): string {
		return $this->vault()->decrypt( $envelope, $associated_data );
	}

	/**
	 * Identifier of the current key (16 hex characters), for the setup doctor.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 * @throws \CartPinger\Native\Exception\VaultException When the key is unusable.
	 */
	public function key_id(): string {
		return $this->vault()->key_id();
	}

	/**
	 * Whether the site defines its own CARTPINGER_ENCRYPTION_KEY (rather than using the salts).
	 *
	 * @since 0.1.0
	 *
	 * @return bool
	 */
	public static function uses_dedicated_key(): bool {
		return '' !== self::dedicated_key();
	}

	/**
	 * The site's key material: CARTPINGER_ENCRYPTION_KEY, else the salts concatenated.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	public static function key_material(): string {
		$dedicated = self::dedicated_key();
		if ( '' !== $dedicated ) {
			return $dedicated;
		}
		$material = '';
		foreach ( self::SALT_CONSTANTS as $name ) {
			$value     = defined( $name ) ? constant( $name ) : '';
			$material .= is_scalar( $value ) ? (string) $value : '';
		}
		return $material;
	}

	/**
	 * CARTPINGER_ENCRYPTION_KEY as a string, or '' when undefined or empty.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private static function dedicated_key(): string {
		if ( ! defined( 'CARTPINGER_ENCRYPTION_KEY' ) ) {
			return '';
		}
		$value = constant( 'CARTPINGER_ENCRYPTION_KEY' );
		return is_scalar( $value ) ? (string) $value : '';
	}

	/**
	 * The vault, built on first use.
	 *
	 * @since 0.1.0
	 *
	 * @return Vault
	 * @throws \CartPinger\Native\Exception\VaultException When the key material is unusable.
	 */
	private function vault(): Vault {
		if ( null === $this->vault ) {
			$this->vault = new Vault( $this->key_material ?? self::key_material() );
		}
		return $this->vault;
	}
}
