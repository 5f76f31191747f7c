<?php
/**
 * A phone number could not be turned into E.164.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * A phone number could not be turned into E.164.
 *
 * Thrown by the cartpinger extension. Codes 2001-2007 give the reason (empty, country, not a number, too short, too long, invalid for region, no country).
 */
class InvalidPhoneException extends NativeException {
}
