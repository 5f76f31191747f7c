<?php
/**
 * The nonce given to the vault is invalid.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The nonce given to the vault is invalid.
 *
 * Thrown by the cartpinger extension. Code 1006: the nonce is not exactly 12 bytes.
 */
class InvalidNonceException extends VaultException {
}
