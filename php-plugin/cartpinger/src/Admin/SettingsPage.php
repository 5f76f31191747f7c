<?php
/**
 * The CartPinger Settings page: one form per tab.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Licence\Licence;
use CartPinger\Settings\Settings;
use WP_Error;

defined( 'ABSPATH' ) || exit;

/**
 * Renders the settings tabs and saves one tab at a time.
 *
 * Each tab posts only its own keys to admin-post.php (action cartpinger_save_settings), so
 * saving one tab never touches another. Unchecked switches of the posted tab are saved as '0';
 * secrets left blank keep their stored value. Validation is Settings::update()'s: nothing is
 * written when any value of the tab is invalid.
 *
 * @since 0.2.0
 */
final class SettingsPage {

	/**
	 * The admin-post action of the save form.
	 *
	 * @since 0.2.0
	 */
	public const ACTION = 'cartpinger_save_settings';

	/**
	 * Nonce action of the save form.
	 *
	 * @since 0.2.0
	 */
	public const NONCE = 'cartpinger_save_settings';

	/**
	 * Name of the POSTed array of values.
	 *
	 * @since 0.2.0
	 */
	public const FIELD = 'cartpinger';

	/**
	 * Transient prefix (plus user id) of the last save error, read once by the next render.
	 *
	 * @since 0.2.0
	 */
	public const ERROR_TRANSIENT = 'cartpinger_settings_error_';

	/**
	 * The admin-post action (and nonce action) of the licence activation form.
	 *
	 * @since 0.2.0
	 */
	public const LICENCE_ACTIVATE = 'cartpinger_license_activate';

	/**
	 * The admin-post action (and nonce action) of the licence deactivation form.
	 *
	 * @since 0.2.0
	 */
	public const LICENCE_DEACTIVATE = 'cartpinger_license_deactivate';

	/**
	 * Transient prefix (plus user id) of the last licence outcome, read once by the next render.
	 *
	 * @since 0.2.0
	 */
	public const LICENCE_NOTICE_TRANSIENT = 'cartpinger_license_notice_';

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * The supporter licence.
	 *
	 * @since 0.2.0
	 *
	 * @var Licence
	 */
	private Licence $licence;

	/**
	 * Creates the page.
	 *
	 * @since 0.2.0
	 * @since 0.2.0 The licence argument.
	 *
	 * @param Settings     $settings The settings service.
	 * @param Licence|null $licence  The supporter licence (default: one on the vault).
	 */
	public function __construct( Settings $settings, ?Licence $licence = null ) {
		$this->settings = $settings;
		$this->licence  = $licence ?? new Licence();
	}

	/**
	 * URL of a tab of this page.
	 *
	 * @since 0.2.0
	 *
	 * @param string $tab Tab slug.
	 * @return string
	 */
	public static function url( string $tab = 'whatsapp' ): string {
		return add_query_arg(
			array(
				'page' => Menu::SLUG_SETTINGS,
				'tab'  => $tab,
			),
			admin_url( 'admin.php' )
		);
	}

	/**
	 * The tab asked for in the query, or the first one.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	private static function current_tab(): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only tab choice.
		$tab = isset( $_GET['tab'] ) ? sanitize_key( wp_unslash( (string) $_GET['tab'] ) ) : '';
		return isset( SettingsFields::TABS[ $tab ] ) ? $tab : 'whatsapp';
	}

	/**
	 * What a message costs today, for the setup guide and the cost ceilings (from the core's
	 * rate card).
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	public static function cost_help(): string {
		$es = \CartPinger\Native\Platform::rate( '+34600000000', 'marketing' );
		$de = \CartPinger\Native\Platform::rate( '+4915100000000', 'marketing' );
		$eu = \CartPinger\Native\Platform::rate( '+34600000000', 'utility' );
		return sprintf(
			/* translators: 1: price, 2: price, 3: price, 4: currency, 5: date. */
			__( 'Meta bills every delivered message, by category and by the customer\'s country: a cart reminder is a marketing message (%1$s in Spain, %2$s in Germany), an order update a utility message (%3$s in Spain), in %4$s on Meta\'s rate card of %5$s. The old monthly free tier of conversations no longer exists.', 'cartpinger-for-woocommerce' ),
			number_format_i18n( (int) $es['micros'] / 1000000, 4 ),
			number_format_i18n( (int) $de['micros'] / 1000000, 4 ),
			number_format_i18n( (int) $eu['micros'] / 1000000, 4 ),
			(string) $es['currency'],
			(string) $es['effective']
		);
	}

	/**
	 * Field definitions (see SettingsFields::fields()).
	 *
	 * @since 0.2.0
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function fields(): array {
		return SettingsFields::fields();
	}

	/**
	 * Renders the page: tabs, then the tab's form (views/settings.php) or the Supporter tab.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function render(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to access this page.', 'cartpinger-for-woocommerce' ), 403 );
		}
		$tab   = self::current_tab();
		$key   = self::ERROR_TRANSIENT . get_current_user_id();
		$error = get_transient( $key );
		if ( is_array( $error ) ) {
			delete_transient( $key );
		}
		$fields = SettingsFields::fields();
		$values = array();
		foreach ( SettingsFields::keys( $tab ) as $k ) {
			$values[ $k ] = Settings::is_secret( $k ) ? '' : $this->settings->get( $k );
		}
		// After an error the form shows what was typed, not what is saved.
		if ( is_array( $error ) && is_array( $error['values'] ?? null ) ) {
			foreach ( $error['values'] as $k => $v ) {
				if ( array_key_exists( $k, $values ) && ! Settings::is_secret( (string) $k ) ) {
					$values[ $k ] = in_array( $k, Settings::SWITCHES, true ) ? '1' === (string) $v : (string) $v;
				}
			}
		}
		$secrets = array();
		foreach ( SettingsFields::keys( $tab ) as $k ) {
			if ( Settings::is_secret( $k ) ) {
				$secrets[ $k ] = array(
					'set'        => $this->settings->has_secret( $k ),
					'unreadable' => $this->settings->has_secret( $k ) && is_wp_error( $this->settings->get_secret( $k ) ),
				);
			}
		}
		$view = array(
			'tab'       => $tab,
			'tabs'      => SettingsFields::tab_labels(),
			'sections'  => SettingsFields::TABS[ $tab ] ?? array(),
			'titles'    => SettingsFields::sections(),
			'fields'    => $fields,
			'values'    => $values,
			'secrets'   => $secrets,
			'error'     => is_array( $error ) ? $error : null,
			'saved'     => isset( $_GET['updated'] ), // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display flag only.
			'overrides' => 'recovery' === $tab ? SettingsOverrides::for_settings( $this->settings ) : array(),
			'consent'   => 'consent' === $tab ? self::consent_preview() : array(),
			'page'      => $this,
		);
		DashboardPage::view( 'settings', $view );
	}

	/**
	 * The consent texts as shoppers read them now (for the Checkout consent tab).
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, string> Which => text.
	 */
	private static function consent_preview(): array {
		$texts = \CartPinger\Recovery\Capture::texts();
		return array(
			\CartPinger\Recovery\ConsentText::UPDATES   => $texts->text( \CartPinger\Recovery\ConsentText::UPDATES ),
			\CartPinger\Recovery\ConsentText::REMINDERS => $texts->text( \CartPinger\Recovery\ConsentText::REMINDERS ),
		);
	}

	/**
	 * The Supporter tab (called by the view).
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public function supporter(): void {
		$this->render_supporter();
	}

	/**
	 * Saves the posted tab and returns where to redirect.
	 *
	 * @since 0.2.0
	 *
	 * @return string Redirect URL.
	 */
	public function save_from_request(): string {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'cartpinger-for-woocommerce' ), 403 );
		}
		check_admin_referer( self::NONCE );
		$tab = isset( $_POST['tab'] ) ? sanitize_key( wp_unslash( (string) $_POST['tab'] ) ) : '';
		if ( array() === SettingsFields::keys( $tab ) ) {
			wp_die( esc_html__( 'Unknown settings tab.', 'cartpinger-for-woocommerce' ), 400 );
		}
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated by Settings::update(); unslashed here, never sanitized twice.
		$posted = isset( $_POST[ self::FIELD ] ) && is_array( $_POST[ self::FIELD ] ) ? wp_unslash( $_POST[ self::FIELD ] ) : array();
		$values = self::values_for_tab( $tab, $posted );
		$result = $this->settings->update( $values );
		if ( is_wp_error( $result ) ) {
			self::remember_error( $result, $values );
			return add_query_arg( 'settings-error', '1', self::url( $tab ) );
		}
		return add_query_arg( 'updated', '1', self::url( $tab ) );
	}

	/**
	 * The values one tab submits: only its keys, unchecked switches as '0'.
	 *
	 * @since 0.2.0
	 *
	 * @param string               $tab    Tab slug.
	 * @param array<string, mixed> $posted The posted values.
	 * @return array<string, mixed>
	 */
	public static function values_for_tab( string $tab, array $posted ): array {
		$values = array();
		foreach ( SettingsFields::keys( $tab ) as $key ) {
			if ( in_array( $key, Settings::SWITCHES, true ) ) {
				$values[ $key ] = isset( $posted[ $key ] ) && '0' !== $posted[ $key ] ? '1' : '0';
			} elseif ( Settings::is_secret( $key ) ) {
				$values[ $key ] = is_string( $posted[ $key ] ?? null ) ? $posted[ $key ] : '';
			} elseif ( array_key_exists( $key, $posted ) ) {
				$values[ $key ] = $posted[ $key ];
			}
		}
		return $values;
	}

	/**
	 * Keeps a save error for the next render of the page (this user only, one minute).
	 *
	 * @since 0.2.0
	 *
	 * @param WP_Error             $error  The error from Settings::update().
	 * @param array<string, mixed> $values What was typed (secrets are never kept).
	 * @return void
	 */
	private static function remember_error( WP_Error $error, array $values = array() ): void {
		$data = $error->get_error_data();
		set_transient(
			self::ERROR_TRANSIENT . get_current_user_id(),
			array(
				'message' => $error->get_error_message(),
				'field'   => is_array( $data ) ? (string) ( $data['field'] ?? '' ) : '',
				'values'  => array_filter(
					array_map( static fn( $v ) => is_scalar( $v ) ? (string) $v : '', $values ),
					static fn( $k ) => ! Settings::is_secret( (string) $k ),
					ARRAY_FILTER_USE_KEY
				),
			),
			MINUTE_IN_SECONDS
		);
	}

	// ------------------------------------------------------------------ supporter tab

	/**
	 * The Supporter tab: licence status, masked key, last validation, activate/deactivate form.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_supporter(): void {
		echo '<div class="cartpinger-tab-supporter">';
		$key    = self::LICENCE_NOTICE_TRANSIENT . get_current_user_id();
		$notice = get_transient( $key );
		if ( is_array( $notice ) ) {
			delete_transient( $key );
			printf(
				'<div class="notice %1$s cartpinger-license-notice"><p>%2$s</p></div>',
				! empty( $notice['ok'] ) ? 'notice-success' : 'notice-error',
				esc_html( (string) ( $notice['message'] ?? '' ) )
			);
		}
		echo '<p>' . esc_html__( 'CartPinger is free and every feature works without a licence. A supporter licence only says thank you.', 'cartpinger-for-woocommerce' ) . '</p>';
		$state  = $this->licence->state();
		$active = 'active' === $state['status'];
		echo '<table class="form-table" role="presentation"><tbody>';
		printf(
			'<tr><th scope="row">%1$s</th><td><span class="cartpinger-license-status" data-status="%2$s">%3$s</span></td></tr>',
			esc_html__( 'Status', 'cartpinger-for-woocommerce' ),
			esc_attr( $active ? 'active' : 'inactive' ),
			esc_html( $active ? __( 'Active', 'cartpinger-for-woocommerce' ) : __( 'Not activated', 'cartpinger-for-woocommerce' ) )
		);
		$masked = $this->licence->masked_key();
		if ( '' !== $masked ) {
			printf(
				'<tr><th scope="row">%1$s</th><td><code class="cartpinger-license-key">%2$s</code></td></tr>',
				esc_html__( 'Licence key', 'cartpinger-for-woocommerce' ),
				esc_html( $masked )
			);
		}
		if ( '' !== $state['activated_at'] ) {
			printf(
				'<tr><th scope="row">%1$s</th><td>%2$s</td></tr>',
				esc_html__( 'Activated', 'cartpinger-for-woocommerce' ),
				esc_html( self::local_time( $state['activated_at'] ) )
			);
		}
		if ( '' !== $state['validated_at'] ) {
			printf(
				'<tr><th scope="row">%1$s</th><td class="cartpinger-license-validated">%2$s</td></tr>',
				esc_html__( 'Last validation', 'cartpinger-for-woocommerce' ),
				esc_html( self::local_time( $state['validated_at'] ) )
			);
		}
		if ( '' !== $state['reason'] ) {
			printf(
				'<tr><th scope="row">%1$s</th><td class="cartpinger-license-reason">%2$s</td></tr>',
				esc_html__( 'Reason', 'cartpinger-for-woocommerce' ),
				esc_html(
					sprintf(
						/* translators: %s: the reason given by Lemon Squeezy. */
						__( 'Lemon Squeezy no longer accepts this licence: %s', 'cartpinger-for-woocommerce' ),
						$state['reason']
					)
				)
			);
		}
		if ( '' !== $state['last_error'] ) {
			printf(
				'<tr><th scope="row">%1$s</th><td class="cartpinger-license-error">%2$s</td></tr>',
				esc_html__( 'Last check', 'cartpinger-for-woocommerce' ),
				esc_html(
					sprintf(
						/* translators: 1: date and time, 2: the error. */
						__( 'Could not reach Lemon Squeezy on %1$s (%2$s). The licence stays active; it is checked again tomorrow.', 'cartpinger-for-woocommerce' ),
						self::local_time( $state['error_at'] ),
						$state['last_error']
					)
				)
			);
		}
		echo '</tbody></table>';
		$action = $active ? self::LICENCE_DEACTIVATE : self::LICENCE_ACTIVATE;
		printf( '<form method="post" action="%1$s" class="cartpinger-license-form" data-action="%2$s">', esc_url( admin_url( 'admin-post.php' ) ), esc_attr( $action ) );
		printf( '<input type="hidden" name="action" value="%s">', esc_attr( $action ) );
		wp_nonce_field( $action );
		if ( $active ) {
			submit_button( __( 'Deactivate licence', 'cartpinger-for-woocommerce' ), 'secondary' );
		} else {
			printf(
				'<p><label for="cartpinger-license-key">%1$s</label><br><input type="password" class="regular-text" id="cartpinger-license-key" name="license_key" value="" autocomplete="off" spellcheck="false"></p>',
				esc_html__( 'Licence key', 'cartpinger-for-woocommerce' )
			);
			submit_button( __( 'Activate licence', 'cartpinger-for-woocommerce' ) );
		}
		echo '</form></div>';
	}

	/**
	 * A stored UTC MySQL date in the site's time zone and format.
	 *
	 * @since 0.2.0
	 *
	 * @param string $utc Y-m-d H:i:s in UTC.
	 * @return string
	 */
	private static function local_time( string $utc ): string {
		$timestamp = strtotime( $utc . ' UTC' );
		if ( false === $timestamp ) {
			return $utc;
		}
		return wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $timestamp );
	}

	/**
	 * Handles the activation form and returns where to redirect.
	 *
	 * @since 0.2.0
	 *
	 * @return string Redirect URL.
	 */
	public function licence_activate_from_request(): string {
		self::check_licence_request();
		check_admin_referer( self::LICENCE_ACTIVATE );
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated by Licence::activate() (letters, digits, dashes only).
		$key = isset( $_POST['license_key'] ) && is_string( $_POST['license_key'] ) ? wp_unslash( $_POST['license_key'] ) : '';
		return self::remember_licence_outcome( $this->licence->activate( (string) $key ) );
	}

	/**
	 * Handles the deactivation form and returns where to redirect.
	 *
	 * @since 0.2.0
	 *
	 * @return string Redirect URL.
	 */
	public function licence_deactivate_from_request(): string {
		self::check_licence_request();
		check_admin_referer( self::LICENCE_DEACTIVATE );
		return self::remember_licence_outcome( $this->licence->deactivate() );
	}

	/**
	 * Capability of a licence form; wp_die() otherwise (the handler checks its nonce itself).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private static function check_licence_request(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'cartpinger-for-woocommerce' ), 403 );
		}
	}

	/**
	 * Keeps a licence outcome for the next render (this user only, one minute).
	 *
	 * @since 0.2.0
	 *
	 * @param array{ok: bool, message: string} $outcome The outcome.
	 * @return string Redirect URL (the Supporter tab).
	 */
	private static function remember_licence_outcome( array $outcome ): string {
		set_transient( self::LICENCE_NOTICE_TRANSIENT . get_current_user_id(), $outcome, MINUTE_IN_SECONDS );
		return add_query_arg( 'license', $outcome['ok'] ? 'ok' : 'error', self::url( 'supporter' ) );
	}
}
