<?php
/**
 * A tap on the recovery link pauses the remaining reminders.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * A shopper who tapped the link is looking at their cart, often at the checkout: a reminder
 * arriving then reads as spam. So the next step waits at least Steps::LINK_PAUSE (2 hours,
 * filter cartpinger_link_pause_seconds) after the tap; an order in that time ends the sequence
 * as usual, and a shopper who leaves again still gets the remaining reminders afterwards.
 *
 * @since 0.3.0
 */
final class LinkPause implements RegistersHooks {

	/**
	 * The records.
	 *
	 * @since 0.3.0
	 *
	 * @var Repository
	 */
	private Repository $records;

	/**
	 * Creates the listener.
	 *
	 * @since 0.3.0
	 *
	 * @param Repository $records Records.
	 */
	public function __construct( Repository $records ) {
		$this->records = $records;
	}

	/**
	 * Registers the hooks.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'cartpinger_recovery_link_opened', array( $this, 'pause' ) );
	}

	/**
	 * Pushes the record's next check to at least now + the pause.
	 *
	 * @since 0.3.0
	 *
	 * @param mixed $record The record as the link found it.
	 * @return void
	 */
	public function pause( $record ): void {
		if ( ! is_array( $record ) || empty( $record['id'] ) ) {
			return;
		}
		try {
			$row = $this->records->find( (int) $record['id'] );
			// A record with nothing scheduled (sequence done, or closed) has nothing to pause.
			if ( null === $row || 'messaged' !== $row['status'] || null === $row['next_check_at'] || '' === (string) $row['next_check_at'] ) {
				return;
			}
			/**
			 * Filters how long a tap on the recovery link pauses the remaining reminders.
			 *
			 * @since 0.3.0
			 *
			 * @param int $seconds Default 7200 (2 hours).
			 */
			$seconds = (int) apply_filters( 'cartpinger_link_pause_seconds', Steps::LINK_PAUSE );
			$until   = time() + max( 0, $seconds );
			$next    = strtotime( (string) $row['next_check_at'] . ' UTC' );
			if ( false !== $next && $next >= $until ) {
				return;
			}
			$this->records->update( (int) $row['id'], array( 'next_check_at' => gmdate( 'Y-m-d H:i:s', $until ) ) );
		} catch ( \Throwable $e ) {
			Capture::log( 'Reminder pause not saved: ' . $e->getMessage() );
		}
	}
}
