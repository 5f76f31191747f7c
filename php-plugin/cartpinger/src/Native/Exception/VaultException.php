<?php
/**
 * A stored credential could not be sealed or opened.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A stored credential could not be sealed or opened.
 *
 * Thrown by the cartpinger extension. Base of the credential vault errors (codes 1001-1006). The admin sees "re-enter your access token".
 */
class VaultException extends NativeException {
}
