<?php
/**
 * An internal error inside the extension.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * An internal error inside the extension.
 *
 * Thrown by the cartpinger extension. Code 9001: a Rust panic was caught by the guard; the PHP worker keeps running.
 */
class InternalException extends NativeException {
}
