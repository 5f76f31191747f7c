<?php
/**
 * A webhook event POST is not authentic.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A webhook event POST is not authentic.
 *
 * Thrown by the cartpinger extension. Code 6101: no app secret is configured; 6102: the X-Hub-Signature-256 header is missing; 6103: the header is malformed; 6104: the signature does not match the raw body. The endpoint answers 401.
 */
class WebhookSignatureException extends WebhookException {
}
