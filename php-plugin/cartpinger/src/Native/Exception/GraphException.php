<?php
/**
 * A Graph API call could not be built, configured or understood.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A Graph API call could not be built, configured or understood.
 *
 * Thrown by the cartpinger extension. Codes 4001-4005: invalid configuration (IDs, base URL, version), invalid recipient, invalid input, an API error answer, a malformed response.
 */
class GraphException extends NativeException {
}
