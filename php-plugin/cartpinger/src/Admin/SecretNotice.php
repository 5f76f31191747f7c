<?php
/**
 * Admin notice for stored secrets that cannot be read.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Tells shop managers when a saved credential no longer decrypts.
 *
 * That happens when the WordPress salts or CARTPINGER_ENCRYPTION_KEY changed, when the
 * database came from another site, or for credentials saved by the original plugin. Until the
 * value is re-entered, the plugin treats the connection as not configured.
 *
 * @since 0.1.0
 */
final class SecretNotice implements RegistersHooks {

	/**
	 * The settings service.
	 *
	 * @since 0.1.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.1.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
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
	 * Prints one error notice per unreadable secret.
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
		$unreadable = $this->settings->unreadable_secrets();
		if ( array() === $unreadable ) {
			return;
		}
		$settings_url = admin_url( 'admin.php?page=' . Menu::SLUG_SETTINGS );
		foreach ( $unreadable as $key ) {
			printf(
				'<div class="notice notice-error cartpinger-secret-unreadable" data-setting="%1$s"><p>%2$s %3$s <a href="%4$s">%5$s</a></p></div>',
				esc_attr( $key ),
				esc_html( Settings::unreadable_message( $key ) ),
				esc_html__( 'This happens when the WordPress salts or CARTPINGER_ENCRYPTION_KEY change, or when the database comes from another site. Until then, CartPinger sends no messages.', 'cartpinger-for-woocommerce' ),
				esc_url( $settings_url ),
				esc_html__( 'Open CartPinger settings', 'cartpinger-for-woocommerce' )
			);
		}
	}
}
