<?php
/**
 * Base of all CartPinger extension errors.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * Base of all CartPinger extension errors.
 *
 * Thrown by the cartpinger extension. Base class of every error the extension raises; catch it to handle them all.
 */
class NativeException extends \RuntimeException {
}
