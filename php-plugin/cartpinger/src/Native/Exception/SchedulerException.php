<?php
/**
 * The recovery scheduler refused its input.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Native\Exception;

/**
 * The recovery scheduler refused its input.
 *
 * Thrown by the cartpinger extension (CartPinger\Native\Scheduler::plan). Codes 7001-7099: 7001 a required key is missing, 7002 a value has the wrong type (no juggling), 7003 a policy value is out of range or unparseable, 7004 a record value is out of range or inconsistent, 7005 `now` is out of range. The message names the key (policy.quiet.start, records[3].phone).
 */
class SchedulerException extends NativeException {
}
