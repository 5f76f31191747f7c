<?php
/**
 * The envelope failed authentication.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The envelope failed authentication.
 *
 * Thrown by the cartpinger extension. Code 1005: the authentication tag did not verify: tampered, or moved to another option.
 */
class DecryptionFailedException extends VaultException {
}
