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
 * The Dashboard shows the queue heartbeat and carts by status; the other pages are placeholders
 * for now (issue 5 builds them).
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
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'cartpinger-for-woocommerce' ), 403 );
		}
		echo '<div class="wrap cartpinger-admin"><h1>' . esc_html__( 'CartPinger Dashboard', 'cartpinger-for-woocommerce' ) . '</h1>';
		$this->render_heartbeat();
		$this->render_recovery_counts();
		echo '</div>';
	}

	/**
	 * The queue heartbeat: when it last ran (UTC, shown in the site's time zone) and what it did.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_heartbeat(): void {
		$last = get_option( \CartPinger\Queue\Runner::LAST_RUN_OPTION, array() );
		if ( ! is_array( $last ) || ! is_string( $last['at'] ?? null ) ) {
			echo '<p class="cartpinger-heartbeat">' . esc_html__( 'The message queue has not run yet. It runs every minute through Action Scheduler or WP-Cron, or with "wp cartpinger queue run".', 'cartpinger-for-woocommerce' ) . '</p>';
			return;
		}
		$at = (int) strtotime( $last['at'] . ' UTC' );
		printf(
			'<p class="cartpinger-heartbeat">%s</p>',
			esc_html(
				sprintf(
					/* translators: 1: how long ago (e.g. "2 mins"), 2: date and time in the site's time zone, 3: number of messages sent in that run. */
					__( 'Message queue last ran %1$s ago (%2$s) and sent %3$d messages.', 'cartpinger-for-woocommerce' ),
					human_time_diff( $at, time() ),
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $at ),
					(int) ( $last['sent'] ?? 0 )
				)
			)
		);
		if ( time() - $at > 10 * MINUTE_IN_SECONDS ) {
			echo '<div class="notice notice-warning inline"><p>' . esc_html__( 'The queue has not run for more than 10 minutes: check that WP-Cron or Action Scheduler runs on this site, or add a server cron job running "wp cartpinger queue run" every minute.', 'cartpinger-for-woocommerce' ) . '</p></div>';
		}
	}

	/**
	 * Carts by lifecycle status (one indexed GROUP BY).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_recovery_counts(): void {
		global $wpdb;
		$rows   = $wpdb->get_results( $wpdb->prepare( 'SELECT status, COUNT(*) AS n, SUM(recovered_revenue_minor) AS revenue FROM %i GROUP BY status', \CartPinger\Storage\Schema::recoveries_table() ), ARRAY_A );
		$labels = array(
			'open'      => __( 'Waiting (abandoned, not messaged yet)', 'cartpinger-for-woocommerce' ),
			'messaged'  => __( 'Messaged', 'cartpinger-for-woocommerce' ),
			'recovered' => __( 'Recovered', 'cartpinger-for-woocommerce' ),
			'converted' => __( 'Ordered before any message', 'cartpinger-for-woocommerce' ),
			'holdout'   => __( 'Holdout (never messaged, for comparison)', 'cartpinger-for-woocommerce' ),
			'expired'   => __( 'Expired or consent withdrawn', 'cartpinger-for-woocommerce' ),
			'opted_out' => __( 'Replied STOP', 'cartpinger-for-woocommerce' ),
		);
		echo '<table class="widefat striped cartpinger-counts" style="max-width:40em"><thead><tr><th>' . esc_html__( 'Carts', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Count', 'cartpinger-for-woocommerce' ) . '</th></tr></thead><tbody>';
		$by = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$by[ (string) $row['status'] ] = $row;
		}
		foreach ( $labels as $status => $label ) {
			printf( '<tr data-status="%s"><td>%s</td><td>%s</td></tr>', esc_attr( $status ), esc_html( $label ), esc_html( number_format_i18n( (int) ( $by[ $status ]['n'] ?? 0 ) ) ) );
		}
		echo '</tbody></table>';
		$held = (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i WHERE status = %s AND hold_reason = %s', \CartPinger\Storage\Schema::recoveries_table(), 'open', 'us_marketing' ) );
		if ( $held > 0 ) {
			printf(
				'<div class="notice notice-info inline cartpinger-held"><p>%s</p></div>',
				esc_html(
					sprintf(
						/* translators: %d: number of carts. */
						_n(
							'%d cart is on hold: Meta does not deliver marketing templates, such as the cart reminders, to US (+1) numbers. It is checked again daily.',
							'%d carts are on hold: Meta does not deliver marketing templates, such as the cart reminders, to US (+1) numbers. They are checked again daily.',
							$held,
							'cartpinger-for-woocommerce'
						),
						$held
					)
				)
			);
		}
		$revenue = (int) ( $by['recovered']['revenue'] ?? 0 );
		if ( $revenue > 0 && function_exists( 'wc_price' ) ) {
			$decimals = function_exists( 'wc_get_price_decimals' ) ? wc_get_price_decimals() : 2;
			echo '<p>' . esc_html__( 'Recovered revenue:', 'cartpinger-for-woocommerce' ) . ' ' . wp_kses_post( wc_price( $revenue / ( 10 ** $decimals ) ) ) . '</p>';
		}
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
