<?php
/**
 * Admin notices about Meta's platform: the Graph API version ending, template categories.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Meta\Doctor;
use CartPinger\Meta\Templates;
use CartPinger\Native\Platform;
use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Warns from 60 days before the configured Graph API version ends (Meta's dates, kept in the
 * core) with a one-click switch to CartPinger's default version, and tells the merchant about
 * Meta's template category changes (an impending one before it happens, a completed one after).
 *
 * @since 0.3.0
 */
final class PlatformNotice implements RegistersHooks {

	/**
	 * The admin-post action of the one-click version change.
	 *
	 * @since 0.3.0
	 */
	public const ACTION_VERSION = 'cartpinger_graph_version';

	/**
	 * The settings service.
	 *
	 * @since 0.3.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Creates the notice.
	 *
	 * @since 0.3.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Hooks the notices and the action.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_notices', array( $this, 'action_admin_notices' ) );
		add_action( 'admin_post_' . self::ACTION_VERSION, array( $this, 'handle_version' ) );
	}

	/**
	 * Prints the notices for users who manage CartPinger.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function action_admin_notices(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			return;
		}
		$version = (string) $this->settings->get( 'graph_api_version' );
		$status  = Platform::version_status( $version, gmdate( 'Y-m-d' ) );
		if ( $status['warn'] && is_string( $status['suggested'] ) && $status['suggested'] !== $version ) {
			echo '<div class="notice notice-warning cartpinger-version-notice"><p><strong>' . esc_html__( 'CartPinger:', 'cartpinger-for-woocommerce' ) . '</strong> ' . esc_html( Doctor::version_detail( $version, $status ) ) . '</p>';
			if ( current_user_can( 'manage_options' ) ) {
				echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '"><p>';
				echo '<input type="hidden" name="action" value="' . esc_attr( self::ACTION_VERSION ) . '">';
				echo '<input type="hidden" name="version" value="' . esc_attr( $status['suggested'] ) . '">';
				wp_nonce_field( self::ACTION_VERSION );
				/* translators: %s: Graph API version, e.g. v25.0. */
				echo '<button type="submit" class="button button-primary cartpinger-version-switch">' . esc_html( sprintf( __( 'Switch to %s', 'cartpinger-for-woocommerce' ), $status['suggested'] ) ) . '</button>';
				echo '</p></form>';
			} else {
				echo '<p>' . esc_html__( 'Ask a site administrator to switch the Graph API version in CartPinger\'s settings.', 'cartpinger-for-woocommerce' ) . '</p>';
			}
			echo '</div>';
		}
		foreach ( Templates::notices() as $notice ) {
			printf(
				'<div class="notice notice-info cartpinger-category-notice" data-template="%1$s" data-kind="%2$s"><p><strong>%3$s</strong> %4$s</p></div>',
				esc_attr( $notice['name'] . '|' . $notice['language'] ),
				esc_attr( $notice['kind'] ),
				/* translators: 1: template name, 2: language code. */
				esc_html( sprintf( __( 'CartPinger: WhatsApp template %1$s (%2$s).', 'cartpinger-for-woocommerce' ), $notice['name'], $notice['language'] ) ),
				esc_html( Doctor::category_detail( $notice ) )
			);
		}
	}

	/**
	 * Switches the Graph API version (administrators, nonce, a version the core knows).
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function handle_version(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'cartpinger-for-woocommerce' ), 403 );
		}
		check_admin_referer( self::ACTION_VERSION );
		$version = isset( $_POST['version'] ) ? sanitize_text_field( wp_unslash( $_POST['version'] ) ) : '';
		$this->switch_version( $version );
		wp_safe_redirect( wp_get_referer() ? wp_get_referer() : admin_url( 'admin.php?page=' . Menu::SLUG_SETUP ) );
		exit;
	}

	/**
	 * Sets the Graph API version when the core knows it and it is not about to end.
	 *
	 * @since 0.3.0
	 *
	 * @param string $version E.g. v25.0.
	 * @return bool Whether it was changed.
	 */
	public function switch_version( string $version ): bool {
		$known  = array_column( Platform::graph_versions(), 'version' );
		$status = Platform::version_status( $version, gmdate( 'Y-m-d' ) );
		if ( ! in_array( $version, $known, true ) || $status['warn'] ) {
			return false;
		}
		return true === $this->settings->set( 'graph_api_version', $version );
	}
}
