<?php
/**
 * The envelope format version is not supported.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The envelope format version is not supported.
 *
 * Thrown by the cartpinger extension. Code 1003: the envelope has an unknown format version.
 */
class UnsupportedEnvelopeException extends VaultException {
}
