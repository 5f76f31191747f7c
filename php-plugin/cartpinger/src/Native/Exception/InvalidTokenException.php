<?php
/**
 * A recovery token or its random input is invalid.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A recovery token or its random input is invalid.
 *
 * Thrown by the cartpinger extension. Code 3001: the random input is not 32 bytes; 3002: the token is malformed.
 */
class InvalidTokenException extends NativeException {
}
