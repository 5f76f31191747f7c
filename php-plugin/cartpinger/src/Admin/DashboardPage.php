<?php
/**
 * CartPinger Dashboard: the controller.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Queue\Runner;
use CartPinger\Recovery\CaptureGuard;
use CartPinger\Recovery\Steps;
use CartPinger\Storage\DashboardStats;
use CartPinger\Support\Money;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Renders the Dashboard (slug "cartpinger") and enqueues its chart.
 *
 * Checks the capability, reads the (read-only) filters, asks Storage\DashboardStats for the
 * numbers and hands views/dashboard.php everything in the merchant's words: money through
 * WooCommerce (wc_price), steps by name, cart reminders and order updates apart.
 *
 * @since 0.2.0
 */
final class DashboardPage implements RegistersHooks {

	/**
	 * Ranges offered, in days.
	 *
	 * @since 0.2.0
	 */
	public const RANGES = DashboardStats::RANGES;

	/**
	 * Rows per page in the recent lists.
	 *
	 * @since 0.2.0
	 */
	public const PER_PAGE = DashboardStats::PER_PAGE;

	/**
	 * The page's admin hook suffix.
	 *
	 * @since 0.2.0
	 */
	public const HOOK_SUFFIX = 'toplevel_page_cartpinger';

	/**
	 * The bundled uPlot's version.
	 *
	 * @since 0.2.0
	 */
	public const UPLOT_VERSION = '1.6.32';

	/**
	 * Cart statuses the list can filter on.
	 *
	 * @since 0.2.0
	 */
	public const CART_STATUSES = array( 'open', 'messaged', 'recovered', 'converted', 'holdout', 'expired', 'opted_out' );

	/**
	 * Message statuses the list can filter on.
	 *
	 * @since 0.2.0
	 */
	public const MESSAGE_STATUSES = array( 'pending', 'claimed', 'sending', 'sent', 'failed', 'expired', 'cancelled', 'unknown', 'unconfirmed', 'deferred' );

	/**
	 * Registers the hooks.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
	}

	/**
	 * Enqueues uPlot and the dashboard script on the Dashboard only.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param string $hook_suffix Current admin page.
	 * @return void
	 */
	public function enqueue( $hook_suffix ): void {
		if ( self::HOOK_SUFFIX !== $hook_suffix ) {
			return;
		}
		wp_enqueue_style( 'cartpinger-uplot', plugins_url( 'assets/vendor/uplot/uPlot.min.css', CARTPINGER_PLUGIN_FILE ), array(), self::UPLOT_VERSION );
		wp_enqueue_script( 'cartpinger-uplot', plugins_url( 'assets/vendor/uplot/uPlot.iife.min.js', CARTPINGER_PLUGIN_FILE ), array(), self::UPLOT_VERSION, true );
		wp_enqueue_script( 'cartpinger-admin-dashboard', plugins_url( 'assets/js/admin-dashboard.js', CARTPINGER_PLUGIN_FILE ), array( 'cartpinger-uplot' ), CARTPINGER_VERSION, true );
	}

	/**
	 * The UTC bounds and site days of a range (see DashboardStats::range()).
	 *
	 * @since 0.2.0
	 *
	 * @param int      $days Days.
	 * @param int|null $now  Unix time (tests).
	 * @return array<string, mixed>
	 */
	public static function range( int $days, ?int $now = null ): array {
		return DashboardStats::range( $days, $now );
	}

	/**
	 * Every number the page shows for a range (see DashboardStats::data()).
	 *
	 * @since 0.2.0
	 *
	 * @param int      $days Range in days.
	 * @param int|null $now  Unix time (tests).
	 * @return array<string, mixed>
	 */
	public static function data( int $days, ?int $now = null ): array {
		return DashboardStats::data( $days, $now );
	}

	/**
	 * Recent carts or messages (see DashboardStats::recent()).
	 *
	 * @since 0.2.0
	 *
	 * @param string               $which   Either "carts" or "messages".
	 * @param array<string, mixed> $filters Filters.
	 * @param int                  $page    Page.
	 * @return array{rows: array<int, array<string, mixed>>, total: int, pages: int}
	 */
	public static function recent( string $which, array $filters, int $page ): array {
		return DashboardStats::recent( $which, $filters, $page );
	}

	/**
	 * An amount in minor units as the store prints it (HTML from wc_price()).
	 *
	 * @since 0.2.0
	 *
	 * @param int    $minor    Minor units.
	 * @param string $currency ISO currency.
	 * @return string Safe HTML.
	 */
	public static function money( int $minor, string $currency ): string {
		return Money::from_minor( $minor, $currency );
	}

	/**
	 * Renders the page.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function render(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'cartpinger-for-woocommerce' ), 403 );
		}
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only filters.
		$days        = isset( $_GET['range'] ) ? (int) $_GET['range'] : 30;
		$cart_status = isset( $_GET['cart_status'] ) ? sanitize_key( wp_unslash( $_GET['cart_status'] ) ) : '';
		$msg_status  = isset( $_GET['msg_status'] ) ? sanitize_key( wp_unslash( $_GET['msg_status'] ) ) : '';
		$step        = isset( $_GET['step'] ) && '' !== $_GET['step'] ? (int) $_GET['step'] : -1;
		$cpage       = isset( $_GET['cpage'] ) ? max( 1, (int) $_GET['cpage'] ) : 1;
		$mpage       = isset( $_GET['mpage'] ) ? max( 1, (int) $_GET['mpage'] ) : 1;
		// phpcs:enable
		$cart_status = in_array( $cart_status, self::CART_STATUSES, true ) ? $cart_status : '';
		$msg_status  = in_array( $msg_status, self::MESSAGE_STATUSES, true ) ? $msg_status : '';
		$step        = $step >= 0 && $step <= 3 ? $step : -1;
		$data        = DashboardStats::data( $days );
		$days        = (int) $data['range']['days'];
		$counts      = DashboardStats::status_counts();

		$view = array(
			'days'        => $days,
			'heartbeat'   => self::heartbeat(),
			// WhatsApp opt-ins refused by the capture limits (issue 11), last 7 days.
			'refused'     => CaptureGuard::refused( 7 ),
			'ranges'      => self::ranges( $days ),
			'empty'       => array() === $counts,
			'setup_url'   => admin_url( 'admin.php?page=' . Menu::SLUG_SETUP ),
			'kpis'        => DashboardView::kpis( $data ),
			'chart'       => DashboardView::chart( $data ),
			'funnel'      => DashboardView::funnel( $data['funnel'] ),
			'holdout'     => $data['holdout'],
			'counts'      => $counts,
			'held'        => DashboardStats::held_us(),
			'statuses'    => DashboardView::status_labels(),
			'cart_status' => $cart_status,
			'msg_status'  => $msg_status,
			'step'        => $step,
			'carts'       => DashboardStats::recent( 'carts', array( 'status' => $cart_status ), $cpage ),
			'cpage'       => $cpage,
			'messages'    => DashboardStats::recent(
				'messages',
				array(
					'status' => $msg_status,
					'step'   => $step,
				),
				$mpage
			),
			// Order updates apart from the reminders: the latest ones, on their own.
			'orders'      => DashboardStats::recent( 'messages', array( 'kind' => 'order' ), 1, 10 ),
			'mpage'       => $mpage,
			// Meta cost and return, and carts not messaged by reason (CartPinger\Meta\DashboardSection).
			'meta_range'  => array( (string) $data['range']['from'], (string) $data['range']['to'] ),
		);
		self::view( 'dashboard', $view );
	}

	/**
	 * Includes a template from views/ with $view in scope.
	 *
	 * @since 0.3.0
	 *
	 * @param string               $name Template name without .php.
	 * @param array<string, mixed> $view Variables for the template.
	 * @return void
	 */
	public static function view( string $name, array $view ): void {
		include dirname( CARTPINGER_PLUGIN_FILE ) . '/views/' . $name . '.php';
	}

	/**
	 * The queue heartbeat line: state (never|ok|stale) and its text.
	 *
	 * @since 0.3.0
	 *
	 * @return array{state: string, text: string}
	 */
	private static function heartbeat(): array {
		$last = get_option( Runner::LAST_RUN_OPTION, array() );
		if ( ! is_array( $last ) || ! is_string( $last['at'] ?? null ) ) {
			return array(
				'state' => 'never',
				'text'  => __( 'The message queue has not run yet. It runs every minute through Action Scheduler or WP-Cron, or with "wp cartpinger queue run".', 'cartpinger-for-woocommerce' ),
			);
		}
		$at = (int) strtotime( $last['at'] . ' UTC' );
		return array(
			'state' => time() - $at > 10 * MINUTE_IN_SECONDS ? 'stale' : 'ok',
			'text'  => sprintf(
				/* translators: 1: how long ago (e.g. "2 mins"), 2: date and time in the site's time zone, 3: number of messages sent in that run. */
				__( 'Message queue last ran %1$s ago (%2$s) and sent %3$d messages.', 'cartpinger-for-woocommerce' ),
				human_time_diff( $at, time() ),
				wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $at ),
				(int) ( $last['sent'] ?? 0 )
			),
		);
	}

	/**
	 * The range links.
	 *
	 * @since 0.3.0
	 *
	 * @param int $days Current range.
	 * @return array<int, array{days: int, label: string, url: string, current: bool}>
	 */
	private static function ranges( int $days ): array {
		$out = array();
		foreach ( self::RANGES as $n ) {
			$out[] = array(
				'days'    => $n,
				/* translators: %d: number of days. */
				'label'   => sprintf( _n( 'Last %d day', 'Last %d days', $n, 'cartpinger-for-woocommerce' ), $n ),
				'url'     => add_query_arg(
					array(
						'page'  => Menu::SLUG_DASHBOARD,
						'range' => $n,
					),
					admin_url( 'admin.php' )
				),
				'current' => $n === $days,
			);
		}
		return $out;
	}

	/**
	 * A step's name for the lists (0 = an order update).
	 *
	 * @since 0.3.0
	 *
	 * @param int    $step Step.
	 * @param string $kind Message kind (recovery|order), '' for carts.
	 * @return string
	 */
	public static function step_name( int $step, string $kind = 'recovery' ): string {
		if ( 'order' === $kind ) {
			return __( 'Order update', 'cartpinger-for-woocommerce' );
		}
		return Steps::name( $step );
	}
}
