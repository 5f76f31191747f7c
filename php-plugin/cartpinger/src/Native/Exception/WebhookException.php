<?php
/**
 * A Meta webhook request was refused or could not be read.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A Meta webhook request was refused or could not be read.
 *
 * Thrown by the cartpinger extension. Base of the webhook errors (codes 6001-6204): 60xx the GET handshake, 61xx the POST signature, 62xx the POST body.
 */
class WebhookException extends NativeException {
}
