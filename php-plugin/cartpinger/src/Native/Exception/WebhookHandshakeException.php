<?php
/**
 * Meta's webhook verification handshake (GET) was refused.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * Meta's webhook verification handshake (GET) was refused.
 *
 * Thrown by the cartpinger extension. Code 6001: hub.mode is not "subscribe"; 6002: no verify token is configured; 6003: the verify token does not match; 6004: the challenge is empty, too long or not visible ASCII. The endpoint answers 403.
 */
class WebhookHandshakeException extends WebhookException {
}
