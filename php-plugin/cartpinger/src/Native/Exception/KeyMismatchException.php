<?php
/**
 * The envelope was sealed under another key.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The envelope was sealed under another key.
 *
 * Thrown by the cartpinger extension. Code 1004: the envelope was sealed under another key (salts or CARTPINGER_ENCRYPTION_KEY changed).
 */
class KeyMismatchException extends VaultException {
}
