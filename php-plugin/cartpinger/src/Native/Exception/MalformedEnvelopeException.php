<?php
/**
 * The stored value is not a CartPinger envelope.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The stored value is not a CartPinger envelope.
 *
 * Thrown by the cartpinger extension. Code 1002: the value is not a CartPinger envelope (prefix, base64 or length).
 */
class MalformedEnvelopeException extends VaultException {
}
