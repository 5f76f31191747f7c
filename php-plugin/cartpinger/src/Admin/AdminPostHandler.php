<?php
/**
 * Hooks of the Settings and Setup pages: their admin-post handlers and the setup script.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Registers admin_post_* for the settings save and the setup steps, and the setup script.
 *
 * Each handler checks the capability and nonce (in the page class), then redirects.
 *
 * @since 0.2.0
 */
final class AdminPostHandler implements RegistersHooks {

	/**
	 * The Settings page.
	 *
	 * @since 0.2.0
	 *
	 * @var SettingsPage
	 */
	private SettingsPage $settings_page;

	/**
	 * The Setup page.
	 *
	 * @since 0.2.0
	 *
	 * @var SetupPage
	 */
	private SetupPage $setup_page;

	/**
	 * Creates the adapter.
	 *
	 * @since 0.2.0
	 *
	 * @param SettingsPage $settings_page The Settings page.
	 * @param SetupPage    $setup_page    The Setup page.
	 */
	public function __construct( SettingsPage $settings_page, SetupPage $setup_page ) {
		$this->settings_page = $settings_page;
		$this->setup_page    = $setup_page;
	}

	/**
	 * Hooks the handlers.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_post_' . SettingsPage::ACTION, array( $this, 'handle_save_settings' ) );
		add_action( 'admin_post_' . SetupPage::ACTION_CREDENTIALS, array( $this, 'handle_setup_credentials' ) );
		add_action( 'admin_post_' . SetupPage::ACTION_TEST, array( $this, 'handle_setup_test' ) );
		add_action( 'admin_post_' . SetupPage::ACTION_FINISH, array( $this, 'handle_setup_finish' ) );
		add_action( 'admin_post_' . SettingsPage::LICENCE_ACTIVATE, array( $this, 'handle_licence_activate' ) );
		add_action( 'admin_post_' . SettingsPage::LICENCE_DEACTIVATE, array( $this, 'handle_licence_deactivate' ) );
		add_action( 'admin_enqueue_scripts', array( $this->setup_page, 'enqueue' ) );
	}

	/**
	 * Saves one settings tab.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_save_settings(): void {
		self::redirect( $this->settings_page->save_from_request() );
	}

	/**
	 * Saves and checks the credentials (setup step 2).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_setup_credentials(): void {
		self::redirect( $this->setup_page->save_credentials_from_request() );
	}

	/**
	 * Sends the test message (setup step 4).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_setup_test(): void {
		self::redirect( $this->setup_page->send_test_from_request() );
	}

	/**
	 * Finishes the wizard (setup step 5).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_setup_finish(): void {
		self::redirect( $this->setup_page->finish_from_request() );
	}

	/**
	 * Activates the supporter licence (Settings > Supporter).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_licence_activate(): void {
		self::redirect( $this->settings_page->licence_activate_from_request() );
	}

	/**
	 * Deactivates the supporter licence (Settings > Supporter).
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_licence_deactivate(): void {
		self::redirect( $this->settings_page->licence_deactivate_from_request() );
	}

	/**
	 * Redirects (admin URLs only) and ends the request.
	 *
	 * @since 0.2.0
	 *
	 * @param string $url Where to.
	 * @return void
	 */
	private static function redirect( string $url ): void {
		wp_safe_redirect( $url );
		exit;
	}
}
