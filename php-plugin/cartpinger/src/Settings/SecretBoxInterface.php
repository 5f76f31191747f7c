<?php
/**
 * Contract of the secret box.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Seals and opens secrets bound to a context string (the option name).
 *
 * Implementations throw CartPinger\Native\Exception\VaultException (or a subclass) when a
 * secret cannot be sealed or opened. Tests use an in-memory fake.
 *
 * @since 0.1.0
 */
interface SecretBoxInterface {

	/**
	 * Encrypts a secret into a text envelope bound to $associated_data.
	 *
	 * @since 0.1.0
	 *
	 * @param string $plaintext       The secret.
	 * @param string $associated_data Context the envelope is bound to (the option name).
	 * @return string The envelope ("cpv1.…").
	 * @throws \CartPinger\Native\Exception\VaultException When the key is unusable.
	 */
	public function seal( string $plaintext, string $associated_data ): string;

	/**
	 * Decrypts an envelope made by seal() with the same associated data.
	 *
	 * @since 0.1.0
	 *
	 * @param string $envelope        The stored envelope.
	 * @param string $associated_data Context the envelope must be bound to.
	 * @return string The secret.
	 * @throws \CartPinger\Native\Exception\VaultException When the envelope is malformed,
	 *                                                     from another key, or tampered with.
	 */
	public function open( string $envelope, string $associated_data ): string;
}
