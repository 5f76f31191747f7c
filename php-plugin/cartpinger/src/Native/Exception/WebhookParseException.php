<?php
/**
 * A signed webhook event POST could not be read.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A signed webhook event POST could not be read.
 *
 * Thrown by the cartpinger extension. Code 6201: the body is too large; 6202: not valid JSON; 6203: not a webhook envelope (no "object"); 6204: no "entry" array. The body is authentic, so the endpoint still answers 200 and logs it.
 */
class WebhookParseException extends WebhookException {
}
