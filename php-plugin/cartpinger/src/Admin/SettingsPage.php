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
	 * Tab slugs and the setting keys each one saves, in display order.
	 *
	 * @since 0.2.0
	 */
	public const TABS = array(
		'whatsapp'  => array( 'phone_number_id', 'waba_id', 'access_token', 'app_secret', 'verify_token', 'graph_api_version', 'graph_base_url' ),
		'recovery'  => array(
			'recovery_enabled',
			'recovery_delay_minutes',
			'enable_followups',
			'followup_1_hours',
			'followup_2_enabled',
			'followup_2_hours',
			'enable_auto_coupon',
			'coupon_amount',
			'coupon_type',
			'coupon_expiry_hours',
			'cooloff_hours',
			'max_cart_age_days',
			'quiet_hours_enabled',
			'quiet_hours_start',
			'quiet_hours_end',
			'holdout_percent',
			'us_marketing_guard',
			'message_ttl_hours',
		),
		'orders'    => array( 'notify_processing', 'notify_completed', 'notify_cancelled' ),
		'widget'    => array( 'widget_enabled', 'support_phone', 'widget_message', 'widget_position', 'widget_pages', 'widget_devices' ),
		'supporter' => array(),
		'advanced'  => array( 'delete_data_on_uninstall', 'retention_days', 'log_level' ),
	);

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
		return isset( self::TABS[ $tab ] ) ? $tab : 'whatsapp';
	}

	/**
	 * Tab labels.
	 *
	 * @since 0.2.0
	 *
	 * @return array<string, string>
	 */
	private static function tab_labels(): array {
		return array(
			'whatsapp'  => __( 'WhatsApp API', 'cartpinger-for-woocommerce' ),
			'recovery'  => __( 'Cart recovery', 'cartpinger-for-woocommerce' ),
			'orders'    => __( 'Order notifications', 'cartpinger-for-woocommerce' ),
			'widget'    => __( 'Chat widget', 'cartpinger-for-woocommerce' ),
			'supporter' => __( 'Supporter', 'cartpinger-for-woocommerce' ),
			'advanced'  => __( 'Advanced', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * Field definitions: label, type (text|secret|switch|number|select|time|textarea|url),
	 * optional description and choices.
	 *
	 * @since 0.2.0
	 *
	 * @return array<string, array{label: string, type: string, help?: string, choices?: array<string, string>}>
	 */
	public static function fields(): array {
		return array(
			'phone_number_id'          => array(
				'label' => __( 'Phone number ID', 'cartpinger-for-woocommerce' ),
				'type'  => 'text',
				'help'  => __( 'In Meta\'s App Dashboard: WhatsApp > API Setup.', 'cartpinger-for-woocommerce' ),
			),
			'waba_id'                  => array(
				'label' => __( 'WhatsApp Business Account ID', 'cartpinger-for-woocommerce' ),
				'type'  => 'text',
			),
			'access_token'             => array(
				'label' => __( 'Access token', 'cartpinger-for-woocommerce' ),
				'type'  => 'secret',
				'help'  => __( 'Use a permanent System User token: temporary tokens expire after 24 hours.', 'cartpinger-for-woocommerce' ),
			),
			'app_secret'               => array(
				'label' => __( 'App secret', 'cartpinger-for-woocommerce' ),
				'type'  => 'secret',
				'help'  => __( 'Used to check that webhook events really come from Meta.', 'cartpinger-for-woocommerce' ),
			),
			'verify_token'             => array(
				'label' => __( 'Webhook verify token', 'cartpinger-for-woocommerce' ),
				'type'  => 'secret',
			),
			'graph_api_version'        => array(
				'label' => __( 'Graph API version', 'cartpinger-for-woocommerce' ),
				'type'  => 'text',
			),
			'graph_base_url'           => array(
				'label' => __( 'Graph API address', 'cartpinger-for-woocommerce' ),
				'type'  => 'url',
				'help'  => __( 'Leave https://graph.facebook.com unless you test against a sandbox.', 'cartpinger-for-woocommerce' ),
			),
			'recovery_enabled'         => array(
				'label' => __( 'Send cart reminders', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'recovery_delay_minutes'   => array(
				'label' => __( 'First reminder after (minutes)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'enable_followups'         => array(
				'label' => __( 'Send follow-up reminders', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'followup_1_hours'         => array(
				'label' => __( 'Second reminder after (hours after the first)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'followup_2_enabled'       => array(
				'label' => __( 'Send a third reminder', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'followup_2_hours'         => array(
				'label' => __( 'Third reminder after (hours after the first)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'enable_auto_coupon'       => array(
				'label' => __( 'Add a one-time coupon to the second reminder', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'coupon_amount'            => array(
				'label' => __( 'Coupon amount', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'coupon_type'              => array(
				'label'   => __( 'Coupon type', 'cartpinger-for-woocommerce' ),
				'type'    => 'select',
				'choices' => array(
					'percent'    => __( 'Percentage discount', 'cartpinger-for-woocommerce' ),
					'fixed_cart' => __( 'Fixed cart discount', 'cartpinger-for-woocommerce' ),
				),
			),
			'coupon_expiry_hours'      => array(
				'label' => __( 'Coupon valid for (hours)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'cooloff_hours'            => array(
				'label' => __( 'Cool-off between two carts of one customer (hours)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'max_cart_age_days'        => array(
				'label' => __( 'Forget carts older than (days)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'quiet_hours_enabled'      => array(
				'label' => __( 'Respect quiet hours in the customer\'s time zone', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'quiet_hours_start'        => array(
				'label' => __( 'Quiet hours start', 'cartpinger-for-woocommerce' ),
				'type'  => 'time',
			),
			'quiet_hours_end'          => array(
				'label' => __( 'Quiet hours end', 'cartpinger-for-woocommerce' ),
				'type'  => 'time',
			),
			'holdout_percent'          => array(
				'label' => __( 'Hold-out group (percent of carts never messaged, to measure the real lift)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'us_marketing_guard'       => array(
				'label' => __( 'Hold reminders to US (+1) numbers, which Meta does not deliver marketing templates to', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'message_ttl_hours'        => array(
				'label' => __( 'Drop a reminder still unsent after (hours)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'notify_processing'        => array(
				'label' => __( 'Order received (processing)', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'notify_completed'         => array(
				'label' => __( 'Order completed', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'notify_cancelled'         => array(
				'label' => __( 'Order cancelled', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'widget_enabled'           => array(
				'label' => __( 'Show the WhatsApp chat button', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'support_phone'            => array(
				'label' => __( 'Support phone number', 'cartpinger-for-woocommerce' ),
				'type'  => 'text',
				'help'  => __( 'International format, for example +34612345678.', 'cartpinger-for-woocommerce' ),
			),
			'widget_message'           => array(
				'label' => __( 'Pre-filled message', 'cartpinger-for-woocommerce' ),
				'type'  => 'textarea',
			),
			'widget_position'          => array(
				'label'   => __( 'Position', 'cartpinger-for-woocommerce' ),
				'type'    => 'select',
				'choices' => array(
					'right' => __( 'Bottom right', 'cartpinger-for-woocommerce' ),
					'left'  => __( 'Bottom left', 'cartpinger-for-woocommerce' ),
				),
			),
			'widget_pages'             => array(
				'label'   => __( 'Pages', 'cartpinger-for-woocommerce' ),
				'type'    => 'select',
				'choices' => array(
					'not_checkout' => __( 'All pages except cart and checkout (recommended)', 'cartpinger-for-woocommerce' ),
					'all'          => __( 'All pages (on cart and checkout the button sits at the end of the page, never over the order buttons)', 'cartpinger-for-woocommerce' ),
					'shop'         => __( 'Shop pages only', 'cartpinger-for-woocommerce' ),
					'product'      => __( 'Product pages only', 'cartpinger-for-woocommerce' ),
				),
			),
			'widget_devices'           => array(
				'label'   => __( 'Devices', 'cartpinger-for-woocommerce' ),
				'type'    => 'select',
				'choices' => array(
					'all'     => __( 'All devices', 'cartpinger-for-woocommerce' ),
					'mobile'  => __( 'Mobile only', 'cartpinger-for-woocommerce' ),
					'desktop' => __( 'Desktop only', 'cartpinger-for-woocommerce' ),
				),
			),
			'delete_data_on_uninstall' => array(
				'label' => __( 'Delete all CartPinger data when the plugin is deleted', 'cartpinger-for-woocommerce' ),
				'type'  => 'switch',
			),
			'retention_days'           => array(
				'label' => __( 'Keep cart and message records for (days, 0 = forever)', 'cartpinger-for-woocommerce' ),
				'type'  => 'number',
			),
			'log_level'                => array(
				'label'   => __( 'Log level', 'cartpinger-for-woocommerce' ),
				'type'    => 'select',
				'choices' => array(
					'error'   => __( 'Errors', 'cartpinger-for-woocommerce' ),
					'warning' => __( 'Warnings', 'cartpinger-for-woocommerce' ),
					'info'    => __( 'Information', 'cartpinger-for-woocommerce' ),
					'debug'   => __( 'Debug', 'cartpinger-for-woocommerce' ),
				),
			),
		);
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
		$tab    = self::current_tab();
		$labels = self::tab_labels();
		echo '<div class="wrap cartpinger-admin cartpinger-settings"><h1>' . esc_html__( 'CartPinger Settings', 'cartpinger-for-woocommerce' ) . '</h1>';
		$this->render_notices();
		echo '<nav class="nav-tab-wrapper">';
		foreach ( $labels as $slug => $label ) {
			printf(
				'<a href="%1$s" class="nav-tab%2$s" data-tab="%3$s"%4$s>%5$s</a>',
				esc_url( self::url( $slug ) ),
				$slug === $tab ? ' nav-tab-active' : '',
				esc_attr( $slug ),
				$slug === $tab ? ' aria-current="page"' : '',
				esc_html( $label )
			);
		}
		echo '</nav>';
		if ( 'supporter' === $tab ) {
			$this->render_supporter();
			echo '</div>';
			return;
		}
		$this->render_form( $tab );
		echo '</div>';
	}

	/**
	 * The success notice or the error of the last save.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_notices(): void {
		$key   = self::ERROR_TRANSIENT . get_current_user_id();
		$error = get_transient( $key );
		if ( is_array( $error ) ) {
			delete_transient( $key );
			$fields = self::fields();
			$field  = (string) ( $error['field'] ?? '' );
			$label  = isset( $fields[ $field ] ) ? $fields[ $field ]['label'] : $field;
			printf(
				'<div class="notice notice-error cartpinger-settings-error" data-field="%1$s"><p><strong>%2$s</strong> %3$s</p></div>',
				esc_attr( $field ),
				esc_html(
					'' === $label ? __( 'Settings not saved.', 'cartpinger-for-woocommerce' ) : sprintf(
						/* translators: %s: the label of the field with the invalid value. */
						__( 'Settings not saved: %s.', 'cartpinger-for-woocommerce' ),
						$label
					)
				),
				esc_html( (string) ( $error['message'] ?? '' ) )
			);
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display flag only.
		if ( isset( $_GET['updated'] ) ) {
			echo '<div class="notice notice-success is-dismissible cartpinger-settings-saved"><p>' . esc_html__( 'Settings saved.', 'cartpinger-for-woocommerce' ) . '</p></div>';
		}
	}

	/**
	 * The form of one tab.
	 *
	 * @since 0.2.0
	 *
	 * @param string $tab Tab slug.
	 * @return void
	 */
	private function render_form( string $tab ): void {
		$fields = self::fields();
		printf( '<form method="post" action="%1$s" class="cartpinger-settings-form" data-tab="%2$s">', esc_url( admin_url( 'admin-post.php' ) ), esc_attr( $tab ) );
		printf( '<input type="hidden" name="action" value="%s">', esc_attr( self::ACTION ) );
		printf( '<input type="hidden" name="tab" value="%s">', esc_attr( $tab ) );
		wp_nonce_field( self::NONCE );
		echo '<table class="form-table" role="presentation"><tbody>';
		foreach ( self::TABS[ $tab ] as $key ) {
			$this->render_field( $key, $fields[ $key ] );
		}
		echo '</tbody></table>';
		submit_button( __( 'Save changes', 'cartpinger-for-woocommerce' ) );
		echo '</form>';
	}

	/**
	 * One row of the form.
	 *
	 * @since 0.2.0
	 *
	 * @param string               $key   Setting key.
	 * @param array<string, mixed> $field Definition (see fields()).
	 * @return void
	 */
	private function render_field( string $key, array $field ): void {
		$id   = 'cartpinger-' . str_replace( '_', '-', $key );
		$name = self::FIELD . '[' . $key . ']';
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $field['label'] ) . '</label></th><td>';
		switch ( $field['type'] ) {
			case 'secret':
				$set = $this->settings->has_secret( $key );
				printf(
					'<input type="password" class="regular-text" id="%1$s" name="%2$s" value="" autocomplete="new-password" spellcheck="false" placeholder="%3$s">',
					esc_attr( $id ),
					esc_attr( $name ),
					esc_attr( $set ? __( 'Saved — leave blank to keep', 'cartpinger-for-woocommerce' ) : '' )
				);
				if ( $set && is_wp_error( $this->settings->get_secret( $key ) ) ) {
					echo '<p class="description cartpinger-unreadable" style="color:#b32d2e">' . esc_html( Settings::unreadable_message( $key ) ) . '</p>';
				}
				break;
			case 'switch':
				printf(
					'<input type="checkbox" id="%1$s" name="%2$s" value="1"%3$s>',
					esc_attr( $id ),
					esc_attr( $name ),
					checked( true, (bool) $this->settings->get( $key ), false )
				);
				break;
			case 'number':
				list( $min, $max ) = Settings::INTEGERS[ $key ];
				printf(
					'<input type="number" class="small-text" id="%1$s" name="%2$s" value="%3$s" min="%4$d" max="%5$d" step="1">',
					esc_attr( $id ),
					esc_attr( $name ),
					esc_attr( (string) $this->settings->get( $key ) ),
					(int) $min,
					(int) $max
				);
				break;
			case 'select':
				printf( '<select id="%1$s" name="%2$s">', esc_attr( $id ), esc_attr( $name ) );
				$value = (string) $this->settings->get( $key );
				foreach ( $field['choices'] ?? array() as $choice => $label ) {
					printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $choice ), selected( $value, $choice, false ), esc_html( $label ) );
				}
				echo '</select>';
				break;
			case 'textarea':
				printf(
					'<textarea class="large-text" rows="3" id="%1$s" name="%2$s">%3$s</textarea>',
					esc_attr( $id ),
					esc_attr( $name ),
					esc_textarea( (string) $this->settings->get( $key ) )
				);
				break;
			default:
				printf(
					'<input type="%1$s" class="regular-text" id="%2$s" name="%3$s" value="%4$s"%5$s>',
					'time' === $field['type'] ? 'time' : 'text',
					esc_attr( $id ),
					esc_attr( $name ),
					esc_attr( (string) $this->settings->get( $key ) ),
					'url' === $field['type'] ? ' inputmode="url"' : ''
				);
		}
		if ( isset( $field['help'] ) ) {
			echo '<p class="description">' . esc_html( $field['help'] ) . '</p>';
		}
		echo '</td></tr>';
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
		if ( ! isset( self::TABS[ $tab ] ) || array() === self::TABS[ $tab ] ) {
			wp_die( esc_html__( 'Unknown settings tab.', 'cartpinger-for-woocommerce' ), 400 );
		}
		// Values are validated by Settings::update(); unslashed here, never sanitized twice.
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$posted = isset( $_POST[ self::FIELD ] ) && is_array( $_POST[ self::FIELD ] ) ? wp_unslash( $_POST[ self::FIELD ] ) : array();
		$result = $this->settings->update( self::values_for_tab( $tab, $posted ) );
		if ( is_wp_error( $result ) ) {
			self::remember_error( $result );
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
		foreach ( self::TABS[ $tab ] ?? array() as $key ) {
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
	 * @param WP_Error $error The error from Settings::update().
	 * @return void
	 */
	private static function remember_error( WP_Error $error ): void {
		$data = $error->get_error_data();
		set_transient(
			self::ERROR_TRANSIENT . get_current_user_id(),
			array(
				'message' => $error->get_error_message(),
				'field'   => is_array( $data ) ? (string) ( $data['field'] ?? '' ) : '',
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
		self::check_licence_request( self::LICENCE_ACTIVATE );
		// The key is validated by Licence::activate() (letters, digits, dashes only).
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
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
		self::check_licence_request( self::LICENCE_DEACTIVATE );
		return self::remember_licence_outcome( $this->licence->deactivate() );
	}

	/**
	 * Capability and nonce of a licence form; wp_die() otherwise.
	 *
	 * @since 0.2.0
	 *
	 * @param string $action Nonce action.
	 * @return void
	 */
	private static function check_licence_request( string $action ): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'cartpinger-for-woocommerce' ), 403 );
		}
		check_admin_referer( $action );
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
