<?php
/**
 * Admin notice for a paused message queue.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Queue\Store;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Tells shop managers that CartPinger stopped sending and why.
 *
 * @since 0.1.0
 */
final class QueueNotice implements RegistersHooks {

	/**
	 * The queue.
	 *
	 * @since 0.1.0
	 *
	 * @var Store
	 */
	private Store $store;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.1.0
	 *
	 * @param Store $store The queue.
	 */
	public function __construct( Store $store ) {
		$this->store = $store;
	}

	/**
	 * Hooks the notice.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_notices', array( $this, 'action_admin_notices' ) );
	}

	/**
	 * Prints the notice while the queue is paused.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_admin_notices(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			return;
		}
		$paused = $this->store->paused();
		if ( null === $paused ) {
			return;
		}
		printf(
			'<div class="notice notice-error cartpinger-queue-paused" data-code="%1$s"><p><strong>%2$s</strong> %3$s</p><p>%4$s <a href="%5$s">%6$s</a></p></div>',
			esc_attr( $paused['code'] ),
			esc_html__( 'CartPinger has paused sending WhatsApp messages.', 'cartpinger-for-woocommerce' ),
			esc_html( $paused['message'] ),
			esc_html__( 'Queued messages are kept and will be sent once the problem is fixed: check your WhatsApp credentials and save your access token again.', 'cartpinger-for-woocommerce' ),
			esc_url( admin_url( 'admin.php?page=' . Menu::SLUG_SETTINGS ) ),
			esc_html__( 'Open CartPinger settings', 'cartpinger-for-woocommerce' )
		);
	}
}
