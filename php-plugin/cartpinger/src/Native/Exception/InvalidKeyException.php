<?php
/**
 * The encryption key material is unusable.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The encryption key material is unusable.
 *
 * Thrown by the cartpinger extension. Code 1001: the key material is too short or unusable.
 */
class InvalidKeyException extends VaultException {
}
