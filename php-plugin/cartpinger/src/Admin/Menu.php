<?php
/**
 * The CartPinger admin menu.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Adds the top-level "CartPinger" menu and its four pages.
 *
 * Each page is a page object passed in by Plugin (DashboardPage, SetupPage, TemplatesPage,
 * SettingsPage); without one, a short built-in page is shown (the dashboard always uses
 * DashboardPage).
 *
 * @since 0.1.0
 */
final class Menu implements RegistersHooks {

	/**
	 * Capability every CartPinger admin page requires.
	 *
	 * @since 0.1.0
	 */
	public const CAPABILITY = 'manage_woocommerce';

	/**
	 * Slug of the top-level menu and of the Dashboard page.
	 *
	 * @since 0.1.0
	 */
	public const SLUG_DASHBOARD = 'cartpinger';

	/**
	 * Slug of the Setup page.
	 *
	 * @since 0.1.0
	 */
	public const SLUG_SETUP = 'cartpinger-setup';

	/**
	 * Slug of the Templates page.
	 *
	 * @since 0.1.0
	 */
	public const SLUG_TEMPLATES = 'cartpinger-templates';

	/**
	 * Slug of the Settings page.
	 *
	 * @since 0.1.0
	 */
	public const SLUG_SETTINGS = 'cartpinger-settings';

	/**
	 * Menu icon.
	 *
	 * @since 0.1.0
	 */
	public const ICON = 'dashicons-format-chat';

	/**
	 * Menu position (after WooCommerce's own menus).
	 *
	 * @since 0.1.0
	 */
	public const POSITION = 58;

	/**
	 * Page objects by slug (each has a public render(): void); a slug without one shows the
	 * built-in page.
	 *
	 * @since 0.2.0
	 *
	 * @var array<string, object>
	 */
	private array $page_objects;

	/**
	 * Creates the menu.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, object> $page_objects Page objects by slug.
	 */
	public function __construct( array $page_objects = array() ) {
		$this->page_objects = $page_objects;
	}

	/**
	 * Hooks the menu.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'action_admin_menu' ) );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue_style' ) );
	}

	/**
	 * The one admin stylesheet (assets/css/admin.css), on CartPinger's pages only.
	 *
	 * @internal
	 * @since 0.3.0
	 *
	 * @param string $hook_suffix Current admin page.
	 * @return void
	 */
	public function enqueue_style( $hook_suffix ): void {
		if ( ! is_string( $hook_suffix ) || ! str_contains( $hook_suffix, self::SLUG_DASHBOARD ) ) {
			return;
		}
		wp_enqueue_style( 'cartpinger-admin', plugins_url( 'assets/css/admin.css', CARTPINGER_PLUGIN_FILE ), array(), CARTPINGER_VERSION );
		if ( ! str_ends_with( $hook_suffix, self::SLUG_SETTINGS ) ) {
			return;
		}
		// The chat button tab's live preview.
		wp_enqueue_script( 'cartpinger-admin-settings', plugins_url( 'assets/js/admin-settings.js', CARTPINGER_PLUGIN_FILE ), array(), CARTPINGER_VERSION, true );
		$fields = SettingsFields::fields();
		$code   = function_exists( 'WC' ) && null !== WC()->countries ? (string) WC()->countries->get_country_calling_code( WC()->countries->get_base_country() ) : '';
		wp_localize_script(
			'cartpinger-admin-settings',
			'cartpingerSettings',
			array(
				'callingCode' => preg_replace( '/\D/', '', $code ),
				'pages'       => $fields['widget_pages']['choices'],
				'devices'     => $fields['widget_devices']['choices'],
				'off'         => __( 'Off: shoppers do not see it.', 'cartpinger-for-woocommerce' ),
				'noPhone'     => __( '(enter a support phone number)', 'cartpinger-for-woocommerce' ),
			)
		);
	}

	/**
	 * Adds the menu and its submenus.
	 *
	 * The first submenu repeats the top-level slug, so the sidebar shows "Dashboard" rather
	 * than a second "CartPinger".
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_admin_menu(): void {
		add_menu_page(
			__( 'CartPinger', 'cartpinger-for-woocommerce' ),
			__( 'CartPinger', 'cartpinger-for-woocommerce' ),
			self::CAPABILITY,
			self::SLUG_DASHBOARD,
			$this->render_callback( self::SLUG_DASHBOARD, 'render_dashboard' ),
			self::ICON,
			self::POSITION
		);
		foreach ( $this->pages() as $slug => $page ) {
			add_submenu_page(
				self::SLUG_DASHBOARD,
				$page['title'],
				$page['menu_title'],
				self::CAPABILITY,
				$slug,
				$page['render']
			);
		}
	}

	/**
	 * Renders the Dashboard page.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function render_dashboard(): void {
		( new DashboardPage() )->render();
	}

	/**
	 * Renders the Setup page.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function render_setup(): void {
		$this->render_page(
			__( 'CartPinger Setup', 'cartpinger-for-woocommerce' ),
			__( 'A step-by-step guide to connect your WhatsApp Business Account will appear here. Coming soon.', 'cartpinger-for-woocommerce' )
		);
	}

	/**
	 * Renders the Templates page.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function render_templates(): void {
		$this->render_page(
			__( 'CartPinger Templates', 'cartpinger-for-woocommerce' ),
			__( 'The WhatsApp message templates CartPinger sends, and their approval status, will appear here. Coming soon.', 'cartpinger-for-woocommerce' )
		);
	}

	/**
	 * Renders the Settings page.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function render_settings(): void {
		$this->render_page(
			__( 'CartPinger Settings', 'cartpinger-for-woocommerce' ),
			__( 'WhatsApp API credentials, cart recovery, chat widget, supporter license and advanced options will be managed here. Coming soon.', 'cartpinger-for-woocommerce' )
		);
	}

	/**
	 * The submenu pages, by slug.
	 *
	 * @since 0.1.0
	 *
	 * @return array<string, array{title: string, menu_title: string, render: callable}>
	 */
	private function pages(): array {
		return array(
			self::SLUG_DASHBOARD => array(
				'title'      => __( 'CartPinger Dashboard', 'cartpinger-for-woocommerce' ),
				'menu_title' => __( 'Dashboard', 'cartpinger-for-woocommerce' ),
				'render'     => $this->render_callback( self::SLUG_DASHBOARD, 'render_dashboard' ),
			),
			self::SLUG_SETUP     => array(
				'title'      => __( 'CartPinger Setup', 'cartpinger-for-woocommerce' ),
				'menu_title' => __( 'Setup', 'cartpinger-for-woocommerce' ),
				'render'     => $this->render_callback( self::SLUG_SETUP, 'render_setup' ),
			),
			self::SLUG_TEMPLATES => array(
				'title'      => __( 'CartPinger Templates', 'cartpinger-for-woocommerce' ),
				'menu_title' => __( 'Templates', 'cartpinger-for-woocommerce' ),
				'render'     => $this->render_callback( self::SLUG_TEMPLATES, 'render_templates' ),
			),
			self::SLUG_SETTINGS  => array(
				'title'      => __( 'CartPinger Settings', 'cartpinger-for-woocommerce' ),
				'menu_title' => __( 'Settings', 'cartpinger-for-woocommerce' ),
				'render'     => $this->render_callback( self::SLUG_SETTINGS, 'render_settings' ),
			),
		);
	}

	/**
	 * Prints a page's frame: heading and description, escaped.
	 *
	 * WordPress already refuses users without the capability; the check is repeated so the
	 * method is safe to call from anywhere.
	 *
	 * @since 0.1.0
	 *
	 * @param string $title       Page heading.
	 * @param string $description Short description.
	 * @return void
	 */
	private function render_page( string $title, string $description ): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'cartpinger-for-woocommerce' ), 403 );
		}
		printf(
			'<div class="wrap cartpinger-admin"><h1>%1$s</h1><p>%2$s</p></div>',
			esc_html( $title ),
			esc_html( $description )
		);
	}

	/**
	 * The render callback of a page: its page object, else this class's built-in method.
	 *
	 * @since 0.2.0
	 *
	 * @param string $slug     Page slug.
	 * @param string $fallback Method of this class.
	 * @return callable
	 */
	private function render_callback( string $slug, string $fallback ): callable {
		$page = $this->page_objects[ $slug ] ?? null;
		if ( null !== $page && method_exists( $page, 'render' ) ) {
			return array( $page, 'render' );
		}
		return array( $this, $fallback );
	}
}
