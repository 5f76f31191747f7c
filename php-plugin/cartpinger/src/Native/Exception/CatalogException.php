<?php
/**
 * A template request does not fit CartPinger's template catalog.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A template request does not fit CartPinger's template catalog.
 *
 * Thrown by the cartpinger extension. Codes 5001-5006: unknown template, no translation in that language, wrong number of parameters, an invalid parameter value, an invalid recovery URL prefix, a message that cannot be built (recipient, message id).
 */
class CatalogException extends NativeException {
}
