<?php
/**
 * The CartPinger Templates page: the catalog, Meta's approval status, submission.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Lifecycle;
use CartPinger\Native\Catalog;
use CartPinger\Native\Sender;
use CartPinger\Recovery\Link;
use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Renders the Templates page (slug "cartpinger-templates") and handles its two buttons.
 *
 * Meta's list (`Sender::list_templates()`) is cached for an hour in the transient
 * cartpinger_templates_cache as `['templates' => list<['name', 'status', 'language', …]>,
 * 'count', 'fetched_at']` (the shape of behaviour 30, plus the extension's extra keys).
 *
 * @since 0.2.0
 */
final class TemplatesPage implements RegistersHooks {

	/**
	 * Admin-post action of the Refresh button.
	 *
	 * @since 0.2.0
	 */
	public const ACTION_REFRESH = 'cartpinger_templates_refresh';

	/**
	 * Admin-post action of the "Submit missing templates" button.
	 *
	 * @since 0.2.0
	 */
	public const ACTION_SUBMIT = 'cartpinger_templates_submit';

	/**
	 * Admin-post action (and nonce action) of the resubmit button (templates whose URL button
	 * does not hand the token over as `cartpinger_recover=<token>`).
	 *
	 * @since 0.3.0
	 */
	public const ACTION_RESUBMIT = 'cartpinger_templates_resubmit';

	/**
	 * Seconds Meta's list is cached.
	 *
	 * @since 0.2.0
	 */
	public const CACHE_TTL = HOUR_IN_SECONDS;

	/**
	 * Transient (per user) holding the last submission's results for the notice.
	 *
	 * @since 0.2.0
	 */
	private const RESULT_TRANSIENT = 'cartpinger_templates_submit_';

	/**
	 * Settings (credentials).
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Creates the page.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings Settings.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Hooks the admin-post handlers.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_post_' . self::ACTION_REFRESH, array( $this, 'handle_refresh' ) );
		add_action( 'admin_post_' . self::ACTION_SUBMIT, array( $this, 'handle_submit' ) );
		add_action( 'admin_post_' . self::ACTION_RESUBMIT, array( $this, 'handle_resubmit' ) );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
	}

	/**
	 * The copy buttons' script on the Templates page.
	 *
	 * @internal
	 * @since 0.3.0
	 *
	 * @param string $hook_suffix Current admin page.
	 * @return void
	 */
	public function enqueue( $hook_suffix ): void {
		if ( ! is_string( $hook_suffix ) || ! str_ends_with( $hook_suffix, Menu::SLUG_TEMPLATES ) ) {
			return;
		}
		wp_enqueue_script( SetupPage::SCRIPT, plugins_url( 'assets/js/admin-setup.js', CARTPINGER_PLUGIN_FILE ), array(), CARTPINGER_VERSION, true );
		wp_localize_script(
			SetupPage::SCRIPT,
			'cartpingerSetup',
			array(
				'copied' => __( 'Copied', 'cartpinger-for-woocommerce' ),
				'failed' => __( 'Press Ctrl+C to copy', 'cartpinger-for-woocommerce' ),
			)
		);
	}

	/**
	 * A sender built from the settings, or why not.
	 *
	 * @since 0.2.0
	 *
	 * @return Sender|WP_Error
	 */
	private function sender() {
		if ( ! class_exists( Sender::class ) ) {
			return new WP_Error( 'cartpinger_no_extension', __( 'The CartPinger PHP extension is not loaded.', 'cartpinger-for-woocommerce' ) );
		}
		$token = $this->settings->get_secret( 'access_token' );
		if ( is_wp_error( $token ) ) {
			return $token;
		}
		$waba  = (string) $this->settings->get( 'waba_id' );
		$phone = (string) $this->settings->get( 'phone_number_id' );
		if ( '' === $token || '' === $waba || '' === $phone ) {
			return new WP_Error( 'cartpinger_not_configured', __( 'Enter the WhatsApp credentials (access token, phone number ID, WhatsApp Business Account ID) in Settings first.', 'cartpinger-for-woocommerce' ) );
		}
		try {
			return new Sender(
				array(
					'token'           => $token,
					'phone_number_id' => $phone,
					'waba_id'         => $waba,
					'base_url'        => (string) $this->settings->get( 'graph_base_url' ),
					'graph_version'   => (string) $this->settings->get( 'graph_api_version' ),
				)
			);
		} catch ( \Throwable $e ) {
			return new WP_Error( 'cartpinger_config_' . $e->getCode(), $e->getMessage() );
		}
	}

	/**
	 * Meta's templates, from the cache unless it is empty or $refresh.
	 *
	 * @since 0.2.0
	 *
	 * @param bool $refresh Ignore the cache.
	 * @return array{templates: array<int, array<string, mixed>>, count: int, fetched_at: int}|WP_Error
	 */
	public function meta_status( bool $refresh = false ) {
		if ( ! $refresh ) {
			$cached = get_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT );
			if ( is_array( $cached ) && is_array( $cached['templates'] ?? null ) ) {
				return $cached;
			}
		}
		$sender = $this->sender();
		if ( is_wp_error( $sender ) ) {
			return $sender;
		}
		try {
			$list = $sender->list_templates();
		} catch ( \Throwable $e ) {
			return new WP_Error( 'cartpinger_graph_' . $e->getCode(), $e->getMessage() );
		}
		if ( 'ok' !== ( $list['status'] ?? '' ) ) {
			/* translators: 1: Meta's error code, 2: Meta's message. */
			return new WP_Error( 'cartpinger_graph', sprintf( __( 'Meta answered with error %1$s: %2$s', 'cartpinger-for-woocommerce' ), (string) ( $list['code'] ?? '' ), (string) ( $list['message'] ?? '' ) ) );
		}
		\CartPinger\Meta\Templates::sync( array_values( (array) $list['templates'] ) );
		$value = array(
			'templates'  => array_values( (array) $list['templates'] ),
			'count'      => count( (array) $list['templates'] ),
			'fetched_at' => time(),
		);
		set_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT, $value, self::CACHE_TTL );
		return $value;
	}

	/**
	 * Meta's rows by "name/language".
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $status Result of meta_status().
	 * @return array<string, array<string, mixed>>
	 */
	private static function by_key( array $status ): array {
		$by = array();
		foreach ( $status['templates'] as $t ) {
			$by[ $t['name'] . '/' . $t['language'] ] = $t;
		}
		return $by;
	}

	/**
	 * Catalog templates and languages that Meta does not have.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $status Result of meta_status().
	 * @return array<int, array{0: string, 1: string}> [name, language] pairs.
	 */
	public static function missing( array $status ): array {
		$by      = self::by_key( $status );
		$missing = array();
		foreach ( Catalog::templates() as $t ) {
			foreach ( $t['languages'] as $language ) {
				if ( ! isset( $by[ $t['name'] . '/' . $language ] ) ) {
					$missing[] = array( (string) $t['name'], (string) $language );
				}
			}
		}
		return $missing;
	}

	/**
	 * Templates at Meta whose URL button does not pass the token as `cartpinger_recover=<token>`
	 * (Link::is_stale_button()): approved with the legacy base without `=`, whose links only
	 * restore through the legacy reader.
	 *
	 * @since 0.3.0
	 *
	 * @param array<int, array<string, mixed>> $templates Meta's rows (list_templates()).
	 * @return array<int, array{name: string, language: string, id: string, status: string, url: string}>
	 */
	public static function stale_links( array $templates ): array {
		$stale = array();
		foreach ( $templates as $row ) {
			$url = $row['button_url'] ?? null;
			if ( empty( $row['in_catalog'] ) || ! is_string( $url ) || ! Link::is_stale_button( $url ) ) {
				continue;
			}
			$stale[] = array(
				'name'     => (string) $row['name'],
				'language' => (string) $row['language'],
				'id'       => (string) ( $row['id'] ?? '' ),
				'status'   => (string) ( $row['status'] ?? '' ),
				'url'      => $url,
			);
		}
		return $stale;
	}

	/**
	 * The message that names a stale URL button.
	 *
	 * @since 0.3.0
	 *
	 * @param string $url The URL button as published.
	 * @return string
	 */
	public static function stale_message( string $url ): string {
		/* translators: 1: the URL the template's button opens, 2: the URL it should open. */
		return sprintf( __( 'Its button opens %1$s instead of %2$s: resubmit it so the link in the message restores the cart.', 'cartpinger-for-woocommerce' ), $url, Link::button_url() );
	}

	/**
	 * Edits every template with a stale URL button (Meta reviews each again), then empties the
	 * cache.
	 *
	 * @since 0.3.0
	 *
	 * @return array<int, array<string, mixed>>|WP_Error One row per template: name, language, status, and code and message on failure.
	 */
	public function resubmit_stale() {
		$status = $this->meta_status( true );
		if ( is_wp_error( $status ) ) {
			return $status;
		}
		$sender = $this->sender();
		if ( is_wp_error( $sender ) ) {
			return $sender;
		}
		$results = array();
		foreach ( self::stale_links( $status['templates'] ) as $t ) {
			try {
				$r = $sender->resubmit_template( $t['id'], $t['name'], $t['language'], Link::prefix() );
				if ( 'ok' === ( $r['status'] ?? '' ) ) {
					$r['template_status'] = 'PENDING';
				}
			} catch ( \Throwable $e ) {
				$r = array(
					'status'  => 'error',
					'code'    => $e->getCode(),
					'message' => $e->getMessage(),
				);
			}
			$results[] = array(
				'name'     => $t['name'],
				'language' => $t['language'],
			) + $r;
		}
		delete_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT );
		return $results;
	}

	/**
	 * Resubmit button: fixes the URL button of the stale templates and goes back to the page.
	 *
	 * @internal
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function handle_resubmit(): void {
		self::guard( self::ACTION_RESUBMIT );
		$results = $this->resubmit_stale();
		set_transient( self::RESULT_TRANSIENT . get_current_user_id(), is_wp_error( $results ) ? array( 'error' => $results->get_error_message() ) : array( 'results' => $results ), 10 * MINUTE_IN_SECONDS );
		wp_safe_redirect( self::page_url( array( 'cartpinger_submitted' => '1' ) ) );
		exit;
	}

	/**
	 * Submits every missing template for review, then empties the cache.
	 *
	 * @since 0.2.0
	 *
	 * @return array<int, array<string, mixed>>|WP_Error One row per submission: name, language, status, and template_status or code and message.
	 */
	public function submit_missing() {
		$status = $this->meta_status( true );
		if ( is_wp_error( $status ) ) {
			return $status;
		}
		$sender = $this->sender();
		if ( is_wp_error( $sender ) ) {
			return $sender;
		}
		$results = array();
		foreach ( self::missing( $status ) as list( $name, $language ) ) {
			try {
				$r = $sender->submit_template( $name, $language, Link::prefix() );
			} catch ( \Throwable $e ) {
				$r = array(
					'status'  => 'error',
					'code'    => $e->getCode(),
					'message' => $e->getMessage(),
				);
			}
			$results[] = array(
				'name'     => $name,
				'language' => $language,
			) + $r;
		}
		delete_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT );
		return $results;
	}

	/**
	 * Capability and nonce check of both buttons.
	 *
	 * @since 0.2.0
	 *
	 * @param string $action Nonce action.
	 * @return void
	 */
	private static function guard( string $action ): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage CartPinger templates.', 'cartpinger-for-woocommerce' ), 403 );
		}
		check_admin_referer( $action );
	}

	/**
	 * The page URL with extra query args.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, string> $args Query args.
	 * @return string
	 */
	private static function page_url( array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => Menu::SLUG_TEMPLATES ), $args ), admin_url( 'admin.php' ) );
	}

	/**
	 * Refresh button: reloads Meta's list and goes back to the page.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_refresh(): void {
		self::guard( self::ACTION_REFRESH );
		$status = $this->meta_status( true );
		wp_safe_redirect( self::page_url( array( 'cartpinger_refreshed' => is_wp_error( $status ) ? '0' : '1' ) ) );
		exit;
	}

	/**
	 * Submit button: submits the missing templates and goes back to the page.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function handle_submit(): void {
		self::guard( self::ACTION_SUBMIT );
		$results = $this->submit_missing();
		set_transient( self::RESULT_TRANSIENT . get_current_user_id(), is_wp_error( $results ) ? array( 'error' => $results->get_error_message() ) : array( 'results' => $results ), 10 * MINUTE_IN_SECONDS );
		wp_safe_redirect( self::page_url( array( 'cartpinger_submitted' => '1' ) ) );
		exit;
	}

	/**
	 * A POST button to an admin-post action.
	 *
	 * @since 0.2.0
	 *
	 * @param string $action Action (also the nonce action).
	 * @param string $label  Button label.
	 * @param string $class  Button classes.
	 * @return void
	 */
	private static function button( string $action, string $label, string $class ): void {
		printf(
			'<form method="post" action="%1$s" class="cartpinger-inline-form"><input type="hidden" name="action" value="%2$s">',
			esc_url( admin_url( 'admin-post.php' ) ),
			esc_attr( $action )
		);
		wp_nonce_field( $action );
		printf( '<button type="submit" class="%1$s">%2$s</button></form>', esc_attr( $class ), esc_html( $label ) );
	}

	/**
	 * Renders the page: one card per template (views/templates.php).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function render(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'cartpinger-for-woocommerce' ), 403 );
		}
		$view = array(
			'available'  => class_exists( Catalog::class ),
			'last'       => $this->last_submission(),
			'error'      => '',
			'fetched_at' => 0,
			'missing'    => 0,
			'button_url' => Link::button_url(),
			'stale'      => array(),
			'cards'      => array(),
		);
		if ( $view['available'] ) {
			$status = $this->meta_status();
			$by     = array();
			if ( is_wp_error( $status ) ) {
				$view['error'] = $status->get_error_message();
			} else {
				$by                 = self::by_key( $status );
				$view['missing']    = count( self::missing( $status ) );
				$view['stale']      = self::stale_links( $status['templates'] );
				$view['fetched_at'] = (int) ( $status['fetched_at'] ?? time() );
			}
			foreach ( Catalog::templates() as $t ) {
				$view['cards'][] = TemplateCard::build( $t, $by, ! is_wp_error( $status ) );
			}
		}
		DashboardPage::view( 'templates', $view );
	}

	/**
	 * The results of the last submission (once), or null.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, mixed>|null
	 */
	private function last_submission(): ?array {
		$key  = self::RESULT_TRANSIENT . get_current_user_id();
		$last = get_transient( $key );
		if ( ! is_array( $last ) ) {
			return null;
		}
		delete_transient( $key );
		return $last;
	}

	/**
	 * One visible action per form (refresh or submit), with its nonce.
	 *
	 * @since 0.3.0
	 *
	 * @param string $action Action (also the nonce action).
	 * @param string $label  Button label.
	 * @param string $class  Button classes.
	 * @return void
	 */
	public static function action_button( string $action, string $label, string $class ): void {
		self::button( $action, $label, $class );
	}
}
