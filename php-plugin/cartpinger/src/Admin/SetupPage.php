<?php
/**
 * The CartPinger setup wizard and setup doctor.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Meta\Account;
use CartPinger\Meta\Doctor;
use CartPinger\Meta\Templates;
use CartPinger\Native\Catalog;
use CartPinger\Recovery\SampleLink;
use CartPinger\Native\Phone;
use CartPinger\Native\Sender;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\Link;
use CartPinger\Rest\WebhookController;
use CartPinger\Settings\Settings;
use CartPinger\Webhook\Processor;

defined( 'ABSPATH' ) || exit;

/**
 * Five steps (?step=1..5): welcome, credentials (checked with Meta), webhook, test message,
 * finish; and the doctor (?view=doctor, also on step 5) with a red or green row per check.
 *
 * Outcomes of the POST handlers are kept per user for a minute and shown by the next render.
 *
 * @since 0.2.0
 */
final class SetupPage {

	/**
	 * Admin-post action: save and check the credentials.
	 *
	 * @since 0.2.0
	 */
	public const ACTION_CREDENTIALS = 'cartpinger_setup_credentials';

	/**
	 * Admin-post action: send a test message.
	 *
	 * @since 0.2.0
	 */
	public const ACTION_TEST = 'cartpinger_setup_test';

	/**
	 * Admin-post action: finish the wizard.
	 *
	 * @since 0.2.0
	 */
	public const ACTION_FINISH = 'cartpinger_setup_finish';

	/**
	 * Option set to '1' when the wizard is finished.
	 *
	 * @since 0.2.0
	 */
	public const ONBOARDING_OPTION = 'cartpinger_onboarding_completed';

	/**
	 * Transient prefix (plus user id) of the last outcome shown by the next render.
	 *
	 * @since 0.2.0
	 */
	public const OUTCOME_TRANSIENT = 'cartpinger_setup_outcome_';

	/**
	 * Script handle of the copy buttons.
	 *
	 * @since 0.2.0
	 */
	public const SCRIPT = 'cartpinger-admin-setup';

	/**
	 * Meta's getting-started guide.
	 *
	 * @since 0.2.0
	 */
	public const GUIDE_URL = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	/**
	 * Heartbeat age (seconds) above which the queue counts as stalled.
	 *
	 * @since 0.2.0
	 */
	public const HEARTBEAT_MAX_AGE = 600;

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * The queue.
	 *
	 * @since 0.2.0
	 *
	 * @var Store
	 */
	private Store $store;

	/**
	 * The queue runner.
	 *
	 * @since 0.2.0
	 *
	 * @var Runner
	 */
	private Runner $runner;

	/**
	 * Creates the page.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings $settings The settings service.
	 * @param Store    $store    The queue.
	 * @param Runner   $runner   The queue runner.
	 */
	public function __construct( Settings $settings, Store $store, Runner $runner ) {
		$this->settings = $settings;
		$this->store    = $store;
		$this->runner   = $runner;
	}

	/**
	 * URL of a step (1..5) or of the doctor ('doctor').
	 *
	 * @since 0.2.0
	 *
	 * @param int|string $step Step number, or 'doctor'.
	 * @return string
	 */
	public static function url( int|string $step = 1 ): string {
		$args = array( 'page' => Menu::SLUG_SETUP );
		if ( 'doctor' === $step ) {
			$args['view'] = 'doctor';
		} else {
			$args['step'] = max( 1, min( 5, (int) $step ) );
		}
		return add_query_arg( $args, admin_url( 'admin.php' ) );
	}

	/**
	 * Step titles.
	 *
	 * @since 0.2.0
	 *
	 * @return array<int, string>
	 */
	private static function steps(): array {
		return array(
			1 => __( 'Welcome', 'cartpinger-for-woocommerce' ),
			2 => __( 'Credentials', 'cartpinger-for-woocommerce' ),
			3 => __( 'Webhook', 'cartpinger-for-woocommerce' ),
			4 => __( 'Test message', 'cartpinger-for-woocommerce' ),
			5 => __( 'Finish', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * Enqueues the copy-button script on the Setup page only.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @param string $hook_suffix The current admin page.
	 * @return void
	 */
	public function enqueue( string $hook_suffix ): void {
		if ( ! str_ends_with( $hook_suffix, '_page_' . Menu::SLUG_SETUP ) ) {
			return;
		}
		wp_enqueue_script( self::SCRIPT, plugins_url( 'assets/js/admin-setup.js', CARTPINGER_PLUGIN_FILE ), array(), CARTPINGER_VERSION, true );
		wp_localize_script(
			self::SCRIPT,
			'cartpingerSetup',
			array(
				'copied' => __( 'Copied', 'cartpinger-for-woocommerce' ),
				'failed' => __( 'Press Ctrl+C to copy', 'cartpinger-for-woocommerce' ),
			)
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
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only navigation.
		$doctor = isset( $_GET['view'] ) && 'doctor' === $_GET['view'];
		$step   = isset( $_GET['step'] ) ? max( 1, min( 5, absint( $_GET['step'] ) ) ) : 1;
		// phpcs:enable
		echo '<div class="wrap cartpinger-admin cartpinger-setup"><h1>' . esc_html__( 'CartPinger Setup', 'cartpinger-for-woocommerce' ) . '</h1>';
		if ( $doctor ) {
			echo '<h2>' . esc_html__( 'Setup doctor', 'cartpinger-for-woocommerce' ) . '</h2>';
			$this->render_doctor();
			echo '</div>';
			return;
		}
		echo '<ol class="cartpinger-steps">';
		foreach ( self::steps() as $n => $title ) {
			printf(
				'<li%1$s><a href="%2$s"%3$s>%4$s</a></li>',
				$n === $step ? ' class="current"' : '',
				esc_url( self::url( $n ) ),
				$n === $step ? ' aria-current="step"' : '',
				esc_html( $title )
			);
		}
		echo '</ol>';
		$this->render_outcome();
		echo '<div class="cartpinger-step" data-step="' . esc_attr( (string) $step ) . '">';
		switch ( $step ) {
			case 2:
				$this->render_credentials();
				break;
			case 3:
				$this->render_webhook();
				break;
			case 4:
				$this->render_test();
				break;
			case 5:
				$this->render_finish();
				break;
			default:
				$this->render_welcome();
		}
		echo '</div></div>';
	}

	/**
	 * Shows (once) the outcome the last POST handler kept.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_outcome(): void {
		$key     = self::OUTCOME_TRANSIENT . get_current_user_id();
		$outcome = get_transient( $key );
		if ( ! is_array( $outcome ) ) {
			return;
		}
		delete_transient( $key );
		printf(
			'<div class="notice %1$s cartpinger-outcome" data-ok="%2$s"><p>%3$s</p></div>',
			! empty( $outcome['ok'] ) ? 'notice-success' : 'notice-error',
			! empty( $outcome['ok'] ) ? '1' : '0',
			esc_html( (string) ( $outcome['message'] ?? '' ) )
		);
	}

	/**
	 * Step 1.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_welcome(): void {
		DashboardPage::view(
			'setup-welcome',
			array(
				'guide_url'        => self::GUIDE_URL,
				'next_url'         => self::url( 2 ),
				'callback_problem' => self::callback_problem( rest_url( WebhookController::route_path() ) ),
			)
		);
	}

	/**
	 * Step 2: the credentials form.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_credentials(): void {
		echo '<h2>' . esc_html__( 'Connect your WhatsApp Business Account', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<p>' . esc_html__( 'Copy these values from Meta\'s App Dashboard (WhatsApp > API Setup, and App settings > Basic for the app secret). CartPinger checks them with Meta when you save.', 'cartpinger-for-woocommerce' ) . '</p>';
		printf( '<form method="post" action="%s" class="cartpinger-credentials">', esc_url( admin_url( 'admin-post.php' ) ) );
		printf( '<input type="hidden" name="action" value="%s">', esc_attr( self::ACTION_CREDENTIALS ) );
		wp_nonce_field( self::ACTION_CREDENTIALS );
		echo '<table class="form-table" role="presentation"><tbody>';
		$fields = SettingsPage::fields();
		foreach ( array( 'phone_number_id', 'waba_id', 'access_token', 'app_secret' ) as $key ) {
			$id = 'cartpinger-' . str_replace( '_', '-', $key );
			echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $fields[ $key ]['label'] ) . '</label></th><td>';
			if ( Settings::is_secret( $key ) ) {
				printf(
					'<input type="password" class="regular-text" id="%1$s" name="%2$s" value="" autocomplete="new-password" spellcheck="false" placeholder="%3$s">',
					esc_attr( $id ),
					esc_attr( SettingsPage::FIELD . '[' . $key . ']' ),
					esc_attr( $this->settings->has_secret( $key ) ? __( 'Saved — leave blank to keep', 'cartpinger-for-woocommerce' ) : '' )
				);
			} else {
				printf(
					'<input type="text" class="regular-text" id="%1$s" name="%2$s" value="%3$s" inputmode="numeric">',
					esc_attr( $id ),
					esc_attr( SettingsPage::FIELD . '[' . $key . ']' ),
					esc_attr( (string) $this->settings->get( $key ) )
				);
			}
			if ( isset( $fields[ $key ]['help'] ) ) {
				echo '<p class="description">' . esc_html( $fields[ $key ]['help'] ) . '</p>';
			}
			echo '</td></tr>';
		}
		echo '</tbody></table>';
		submit_button( __( 'Save and check with Meta', 'cartpinger-for-woocommerce' ) );
		echo '</form>';
		if ( $this->settings->is_configured() || ( '' !== (string) $this->settings->get( 'phone_number_id' ) && $this->settings->has_secret( 'access_token' ) ) ) {
			printf( '<p><a class="button cartpinger-next" href="%1$s">%2$s</a></p>', esc_url( self::url( 3 ) ), esc_html__( 'Next: webhook', 'cartpinger-for-woocommerce' ) );
		}
	}

	/**
	 * Step 3: the webhook address and verify token, with copy buttons.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_webhook(): void {
		$token = $this->ensure_verify_token();
		echo '<h2>' . esc_html__( 'Connect the webhook', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<p>' . esc_html__( 'In Meta\'s App Dashboard, open WhatsApp > Configuration, click "Edit" next to Webhook, paste these two values, click "Verify and save", then subscribe to the "messages" field. Delivery receipts and STOP replies then reach your shop.', 'cartpinger-for-woocommerce' ) . '</p>';
		echo '<table class="form-table" role="presentation"><tbody>';
		self::render_copy_row( 'cartpinger-webhook-url', __( 'Callback URL', 'cartpinger-for-woocommerce' ), rest_url( WebhookController::route_path() ) );
		if ( is_wp_error( $token ) ) {
			echo '<tr><th scope="row">' . esc_html__( 'Verify token', 'cartpinger-for-woocommerce' ) . '</th><td><p class="cartpinger-unreadable">' . esc_html( $token->get_error_message() ) . '</p></td></tr>';
		} else {
			self::render_copy_row( 'cartpinger-verify-token', __( 'Verify token', 'cartpinger-for-woocommerce' ), $token );
		}
		echo '</tbody></table>';
		echo '<p class="description">' . esc_html__( 'Why this address matters: Meta calls it from the internet each time a message is delivered or read, and when a customer replies STOP. So it must be public (reachable from outside your network) and use HTTPS with a valid certificate; Meta refuses anything else. Without it, messages still go out, but the Dashboard never learns they were delivered and STOP replies never reach your shop.', 'cartpinger-for-woocommerce' ) . '</p>';
		$problem = self::callback_problem( rest_url( WebhookController::route_path() ) );
		if ( null !== $problem ) {
			echo '<div class="notice notice-warning inline cartpinger-callback-warning"><p>' . esc_html( $problem ) . '</p></div>';
		}
		$verified = get_option( WebhookController::OPTION_VERIFIED_AT, '' );
		if ( is_string( $verified ) && '' !== $verified ) {
			/* translators: %s: date and time of Meta's last verification request. */
			echo '<p class="cartpinger-webhook-verified">' . esc_html( sprintf( __( 'Meta verified this webhook on %s.', 'cartpinger-for-woocommerce' ), self::local_time( $verified ) ) ) . '</p>';
		} else {
			echo '<p class="cartpinger-webhook-unverified">' . esc_html__( 'Meta has not verified this webhook yet. Reload this page after clicking "Verify and save".', 'cartpinger-for-woocommerce' ) . '</p>';
		}
		printf( '<p><a class="button button-primary cartpinger-next" href="%1$s">%2$s</a></p>', esc_url( self::url( 4 ) ), esc_html__( 'Next: test message', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * The verify token, generated and saved when there is none.
	 *
	 * @since 0.2.0
	 *
	 * @return string|\WP_Error
	 */
	public function ensure_verify_token(): string|\WP_Error {
		if ( ! $this->settings->has_secret( 'verify_token' ) ) {
			$saved = $this->settings->set_secret( 'verify_token', wp_generate_password( 32, false ) );
			if ( is_wp_error( $saved ) ) {
				return $saved;
			}
		}
		return $this->settings->get_secret( 'verify_token' );
	}

	/**
	 * A read-only value with a copy button.
	 *
	 * @since 0.2.0
	 *
	 * @param string $id    Input id.
	 * @param string $label Label.
	 * @param string $value Value.
	 * @return void
	 */
	private static function render_copy_row( string $id, string $label, string $value ): void {
		printf(
			'<tr><th scope="row"><label for="%1$s">%2$s</label></th><td><input type="text" readonly class="large-text code" id="%1$s" value="%3$s"> <button type="button" class="button cartpinger-copy" data-copy="%1$s">%4$s</button></td></tr>',
			esc_attr( $id ),
			esc_html( $label ),
			esc_attr( $value ),
			esc_html__( 'Copy', 'cartpinger-for-woocommerce' )
		);
	}

	/**
	 * Step 4: the test message form.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_test(): void {
		$phone = (string) get_user_meta( get_current_user_id(), 'billing_phone', true );
		echo '<h2>' . esc_html__( 'Send a test message', 'cartpinger-for-woocommerce' ) . '</h2>';
		echo '<p>' . esc_html__( 'CartPinger sends you its first cart reminder, exactly as your customers get it, with your first name. Tap its button: your shop opens on the checkout with a sample cart, as a customer\'s own cart would. It needs the "First reminder" template approved by Meta (see the Templates page). While your Meta app is in development mode, your number must be one of its test recipients (App Dashboard > WhatsApp > API Setup > To).', 'cartpinger-for-woocommerce' ) . '</p>';
		printf( '<form method="post" action="%s" class="cartpinger-test">', esc_url( admin_url( 'admin-post.php' ) ) );
		printf( '<input type="hidden" name="action" value="%s">', esc_attr( self::ACTION_TEST ) );
		wp_nonce_field( self::ACTION_TEST );
		printf(
			'<p><label for="cartpinger-test-phone">%1$s</label><br><input type="tel" class="regular-text" id="cartpinger-test-phone" name="phone" value="%2$s" placeholder="+34612345678"></p>',
			esc_html__( 'Your WhatsApp number (with + and the country code, or as you dial it in your store\'s country)', 'cartpinger-for-woocommerce' ),
			esc_attr( $phone )
		);
		submit_button( __( 'Send me a test reminder', 'cartpinger-for-woocommerce' ) );
		echo '</form>';
		printf( '<p><a class="button cartpinger-next" href="%1$s">%2$s</a></p>', esc_url( self::url( 5 ) ), esc_html__( 'Next: finish', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * Step 5: the doctor and the finish button.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_finish(): void {
		echo '<h2>' . esc_html__( 'Check and finish', 'cartpinger-for-woocommerce' ) . '</h2>';
		$this->render_doctor();
		printf( '<form method="post" action="%s" class="cartpinger-finish">', esc_url( admin_url( 'admin-post.php' ) ) );
		printf( '<input type="hidden" name="action" value="%s">', esc_attr( self::ACTION_FINISH ) );
		wp_nonce_field( self::ACTION_FINISH );
		submit_button( __( 'Finish setup', 'cartpinger-for-woocommerce' ) );
		echo '</form>';
	}

	/**
	 * The doctor's table.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function render_doctor(): void {
		echo '<table class="widefat striped cartpinger-doctor"><thead><tr><th>' . esc_html__( 'Status', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Check', 'cartpinger-for-woocommerce' ) . '</th><th>' . esc_html__( 'Details and what to do', 'cartpinger-for-woocommerce' ) . '</th></tr></thead><tbody>';
		foreach ( $this->doctor_checks() as $check ) {
			$state = null === $check['ok'] ? 'note' : ( $check['ok'] ? 'ok' : 'fail' );
			$icon  = array(
				'ok'   => array( 'ok', __( 'OK', 'cartpinger-for-woocommerce' ) ),
				'fail' => array( 'fail', __( 'Problem', 'cartpinger-for-woocommerce' ) ),
				'note' => array( 'note', __( 'Note', 'cartpinger-for-woocommerce' ) ),
			)[ $state ];
			printf(
				'<tr class="cartpinger-check cartpinger-check-%1$s" data-check="%2$s" data-state="%1$s"><td><strong class="cartpinger-state-%3$s">%4$s</strong></td><td>%5$s</td><td>%6$s%7$s</td></tr>',
				esc_attr( $state ),
				esc_attr( $check['id'] ),
				esc_attr( $icon[0] ),
				esc_html( $icon[1] ),
				esc_html( $check['label'] ),
				esc_html( $check['detail'] ),
				'' !== $check['fix'] ? '<br><em>' . esc_html( $check['fix'] ) . '</em>' : ''
			);
		}
		echo '</tbody></table>';
		printf( '<p><a href="%1$s">%2$s</a></p>', esc_url( self::url( 'doctor' ) ), esc_html__( 'Run the checks again', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * A Sender for the saved credentials, or the reason there is none.
	 *
	 * @since 0.2.0
	 *
	 * @return Sender|string
	 */
	private function sender(): Sender|string {
		$token = $this->settings->get_secret( 'access_token' );
		if ( is_wp_error( $token ) ) {
			return $token->get_error_message();
		}
		$phone_id = (string) $this->settings->get( 'phone_number_id' );
		$waba_id  = (string) $this->settings->get( 'waba_id' );
		if ( '' === $token || '' === $phone_id || '' === $waba_id ) {
			return __( 'The phone number ID, WhatsApp Business Account ID and access token are not all saved yet.', 'cartpinger-for-woocommerce' );
		}
		try {
			return new Sender(
				array(
					'token'           => $token,
					'phone_number_id' => $phone_id,
					'waba_id'         => $waba_id,
					'base_url'        => (string) $this->settings->get( 'graph_base_url' ),
					'graph_version'   => (string) $this->settings->get( 'graph_api_version' ),
					'timeout_ms'      => 10000,
				)
			);
		} catch ( \Throwable $e ) {
			return $e->getMessage();
		}
	}

	/**
	 * Checks the saved credentials with Meta.
	 *
	 * @since 0.2.0
	 *
	 * @return array{ok: bool, message: string}
	 */
	public function check_credentials(): array {
		$sender = $this->sender();
		if ( is_string( $sender ) ) {
			return array(
				'ok'      => false,
				'message' => $sender,
			);
		}
		try {
			$result = $sender->check_credentials();
		} catch ( \Throwable $e ) {
			return array(
				'ok'      => false,
				'message' => $e->getMessage(),
			);
		}
		if ( 'ok' === ( $result['status'] ?? '' ) ) {
			Account::remember_phone( $result );
			return array(
				'ok'      => true,
				'message' => sprintf(
					/* translators: 1: the business name Meta verified, 2: the phone number as Meta displays it. */
					__( 'Connected to WhatsApp as "%1$s" (%2$s).', 'cartpinger-for-woocommerce' ),
					(string) ( $result['verified_name'] ?? '' ),
					(string) ( $result['display_phone_number'] ?? '' )
				),
			);
		}
		return array(
			'ok'      => false,
			'message' => self::meta_error( $result ),
		);
	}

	/**
	 * Meta's error of a failure row, with its code.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $row Failure row from the extension.
	 * @return string
	 */
	private static function meta_error( array $row ): string {
		return sprintf(
			/* translators: 1: Meta's error message, 2: Meta's error code. */
			__( 'Meta answered: %1$s (code %2$s)', 'cartpinger-for-woocommerce' ),
			(string) ( $row['message'] ?? __( 'unknown error', 'cartpinger-for-woocommerce' ) ),
			(string) ( $row['code'] ?? '?' )
		);
	}

	/**
	 * The doctor's checks: id, ok (true, false, or null for a note), label, detail, fix.
	 *
	 * @since 0.2.0
	 *
	 * @return list<array{id: string, ok: bool|null, label: string, detail: string, fix: string}>
	 */
	public function doctor_checks(): array {
		$checks = array();
		$creds  = $this->check_credentials();

		$checks[] = array(
			'id'     => 'credentials',
			'ok'     => $creds['ok'],
			'label'  => __( 'WhatsApp credentials', 'cartpinger-for-woocommerce' ),
			'detail' => $creds['message'],
			'fix'    => $creds['ok'] ? '' : __( 'Enter the phone number ID, WhatsApp Business Account ID and a valid access token in step 2 of this guide.', 'cartpinger-for-woocommerce' ),
		);
		$checks[] = array(
			'id'     => 'token_type',
			'ok'     => null,
			'label'  => __( 'Access token type', 'cartpinger-for-woocommerce' ),
			'detail' => __( 'CartPinger cannot tell a permanent token from a temporary one.', 'cartpinger-for-woocommerce' ),
			'fix'    => __( 'Make sure you use a System User token that never expires: the temporary token of the API Setup page stops working after 24 hours.', 'cartpinger-for-woocommerce' ),
		);

		$callback = rest_url( WebhookController::route_path() );
		$problem  = self::callback_problem( $callback );
		$checks[] = array(
			'id'     => 'callback_public',
			'ok'     => null === $problem,
			'label'  => __( 'Webhook address reachable by Meta', 'cartpinger-for-woocommerce' ),
			'detail' => null === $problem ? $callback : $problem,
			'fix'    => null === $problem ? '' : __( 'Open this admin through your shop\'s public https:// address (Settings > General, WordPress Address and Site Address), then copy the callback URL of step 3 again.', 'cartpinger-for-woocommerce' ),
		);
		$verified = get_option( WebhookController::OPTION_VERIFIED_AT, '' );
		$has_v    = is_string( $verified ) && '' !== $verified;
		$last     = get_option( Processor::OPTION_LAST_EVENT_AT, '' );
		$has_e    = is_string( $last ) && '' !== $last;
		// Events are only accepted with Meta's signature: a signed event proves the webhook works
		// as well as the handshake does (which may have happened before this site recorded it).
		$checks[] = array(
			'id'     => 'webhook_verified',
			'ok'     => $has_v || $has_e,
			'label'  => __( 'Webhook connected to Meta', 'cartpinger-for-woocommerce' ),
			'detail' => $has_v
				/* translators: %s: date and time. */
				? sprintf( __( 'Meta verified it on %s.', 'cartpinger-for-woocommerce' ), self::local_time( $verified ) )
				: ( $has_e ? __( 'Signed events from Meta arrive (below), which proves the webhook works; Meta\'s first handshake was not recorded on this site.', 'cartpinger-for-woocommerce' ) : __( 'Meta has not verified the webhook and no event has arrived yet.', 'cartpinger-for-woocommerce' ) ),
			'fix'    => $has_v || $has_e ? '' : __( 'Paste the callback URL and verify token of step 3 in Meta\'s App Dashboard (WhatsApp > Configuration) and click "Verify and save".', 'cartpinger-for-woocommerce' ),
		);
		$checks[] = array(
			'id'     => 'webhook_event',
			'ok'     => $has_e,
			'label'  => __( 'Webhook events received', 'cartpinger-for-woocommerce' ),
			/* translators: %s: date and time. */
			'detail' => $has_e ? sprintf( __( 'Last event received on %s.', 'cartpinger-for-woocommerce' ), self::local_time( $last ) ) : __( 'No event has been received yet.', 'cartpinger-for-woocommerce' ),
			'fix'    => $has_e ? '' : __( 'Subscribe the webhook to the "messages" field and check that the app secret is right, then send a test message: its delivery receipt is an event.', 'cartpinger-for-woocommerce' ),
		);

		foreach ( $this->template_checks( $creds['ok'] ) as $check ) {
			$checks[] = $check;
		}
		$block = self::checkout_consent_check();
		if ( null !== $block ) {
			$checks[] = $block;
		}

		$run = get_option( Runner::LAST_RUN_OPTION, array() );
		$at  = is_array( $run ) && is_string( $run['at'] ?? null ) ? (int) strtotime( $run['at'] . ' UTC' ) : 0;
		$age = $at > 0 ? time() - $at : -1;

		$checks[] = array(
			'id'     => 'heartbeat',
			'ok'     => $at > 0 && $age < self::HEARTBEAT_MAX_AGE,
			'label'  => __( 'Message queue runs', 'cartpinger-for-woocommerce' ),
			'detail' => $at > 0
				/* translators: %s: how long ago, e.g. "2 mins". */
				? sprintf( __( 'Last run %s ago.', 'cartpinger-for-woocommerce' ), human_time_diff( $at, time() ) )
				: __( 'The queue has never run.', 'cartpinger-for-woocommerce' ),
			'fix'    => $at > 0 && $age < self::HEARTBEAT_MAX_AGE ? '' : __( 'Check that WP-Cron or Action Scheduler runs on this site, or add a server cron job running "wp cartpinger queue run" every minute.', 'cartpinger-for-woocommerce' ),
		);
		$paused   = $this->store->paused();
		$checks[] = array(
			'id'     => 'queue_paused',
			'ok'     => null === $paused,
			'label'  => __( 'Message queue not paused', 'cartpinger-for-woocommerce' ),
			'detail' => null === $paused ? __( 'The queue is running.', 'cartpinger-for-woocommerce' ) : $paused['message'] . ' (' . $paused['code'] . ')',
			'fix'    => null === $paused ? '' : __( 'Fix the cause above, then save your access token again (Settings > WhatsApp API): saving it lets the queue run again.', 'cartpinger-for-woocommerce' ),
		);
		// Meta's platform: Marketing Messages API terms, messaging limit and quality, Graph API
		// version end date, template category changes (CartPinger\Meta\Doctor).
		foreach ( Doctor::checks( $this->settings, $creds['ok'] ? $this->sender() : null ) as $check ) {
			$checks[] = $check;
		}
		return $checks;
	}

	/**
	 * The consent checkbox on the checkout page. The Checkout block can only show it through
	 * WooCommerce's additional checkout fields (8.9+): on 8.6–8.8 a block checkout page captures
	 * nobody, so the doctor says so (the classic checkout works on every supported version).
	 * Null when the checkout page is not a Checkout block.
	 *
	 * @since 0.1.0
	 *
	 * @return array{id: string, ok: bool|null, label: string, detail: string, fix: string}|null
	 */
	public static function checkout_consent_check(): ?array {
		if ( ! function_exists( 'wc_get_page_id' ) ) {
			return null;
		}
		$page = get_post( wc_get_page_id( 'checkout' ) );
		if ( ! $page instanceof \WP_Post || ! has_block( 'woocommerce/checkout', $page ) ) {
			return null;
		}
		$ok = function_exists( 'woocommerce_register_additional_checkout_field' );
		return array(
			'id'     => 'block_checkout_consent',
			'ok'     => $ok,
			'label'  => __( 'Consent checkbox on the Checkout block', 'cartpinger-for-woocommerce' ),
			'detail' => $ok
				? __( 'The Checkout block shows the WhatsApp consent checkbox.', 'cartpinger-for-woocommerce' )
				/* translators: %s: the WooCommerce version. */
				: sprintf( __( 'Your checkout page uses the Checkout block, which can show CartPinger\'s consent checkbox only from WooCommerce 8.9 (this site runs %s): no shopper can consent there, so no cart is recovered.', 'cartpinger-for-woocommerce' ), defined( 'WC_VERSION' ) ? WC_VERSION : '?' ),
			'fix'    => $ok ? '' : __( 'Update WooCommerce to 8.9 or newer, or use the classic checkout (the [woocommerce_checkout] shortcode) on the checkout page.', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * One row per catalog template: approved in every catalog language, with the right
	 * parameter count and category.
	 *
	 * @since 0.2.0
	 *
	 * @param bool $connected Whether the credentials check passed.
	 * @return list<array{id: string, ok: bool|null, label: string, detail: string, fix: string}>
	 */
	private function template_checks( bool $connected ): array {
		$fix = __( 'Submit the missing templates for review from the Templates page, or create them in Meta\'s WhatsApp Manager with the text CartPinger expects.', 'cartpinger-for-woocommerce' );
		if ( ! $connected ) {
			return array(
				array(
					'id'     => 'templates',
					'ok'     => false,
					'label'  => __( 'Message templates', 'cartpinger-for-woocommerce' ),
					'detail' => __( 'Cannot be checked until the credentials work.', 'cartpinger-for-woocommerce' ),
					'fix'    => '',
				),
			);
		}
		$sender = $this->sender();
		$list   = array();
		$error  = '';
		try {
			$result = is_string( $sender ) ? array( 'message' => $sender ) : $sender->list_templates();
		} catch ( \Throwable $e ) {
			$result = array( 'message' => $e->getMessage() );
		}
		if ( 'ok' === ( $result['status'] ?? '' ) && is_array( $result['templates'] ?? null ) ) {
			Templates::sync( $result['templates'] );
			foreach ( $result['templates'] as $row ) {
				$list[ $row['name'] . '|' . $row['language'] ][] = $row;
			}
		} else {
			$error = self::meta_error( $result );
		}
		$checks = array();
		foreach ( Catalog::templates() as $template ) {
			$problems = array();
			$stale    = false;
			foreach ( $template['languages'] as $language ) {
				if ( '' !== $error ) {
					break;
				}
				$rows = $list[ $template['name'] . '|' . $language ] ?? array();
				if ( array() === $rows ) {
					/* translators: %s: language code, e.g. "es". */
					$problems[] = sprintf( __( '%s: missing', 'cartpinger-for-woocommerce' ), $language );
					continue;
				}
				$row = $rows[0];
				if ( 'APPROVED' !== ( $row['status'] ?? '' ) ) {
					/* translators: 1: language code, 2: Meta's review status, e.g. PENDING. */
					$problems[] = sprintf( __( '%1$s: %2$s', 'cartpinger-for-woocommerce' ), $language, (string) $row['status'] );
				}
				if ( empty( $row['compatible'] ) && array() === (array) ( $row['mismatches'] ?? array() ) ) {
					/* translators: 1: language code, 2: number of body parameters Meta's template has. */
					$problems[] = sprintf( __( '%1$s: does not match CartPinger\'s text (%2$d body parameters)', 'cartpinger-for-woocommerce' ), $language, (int) ( $row['body_variables'] ?? 0 ) );
				}
				if ( ( $row['category'] ?? '' ) !== $template['category'] ) {
					/* translators: 1: language code, 2: category Meta gave, e.g. MARKETING. */
					$problems[] = sprintf( __( '%1$s: category %2$s', 'cartpinger-for-woocommerce' ), $language, (string) ( $row['category'] ?? '' ) );
				}
				foreach ( (array) ( $row['mismatches'] ?? array() ) as $mismatch ) {
					$problems[] = $language . ': ' . (string) ( $mismatch['message'] ?? $mismatch['kind'] ?? '' );
				}
				if ( is_string( $row['button_url'] ?? null ) && Link::is_stale_button( $row['button_url'] ) ) {
					$problems[] = $language . ': ' . TemplatesPage::stale_message( $row['button_url'] );
					$stale      = true;
				}
			}
			$ok       = '' === $error && array() === $problems;
			$checks[] = array(
				'id'     => 'template_' . $template['name'],
				'ok'     => $ok,
				/* translators: %s: template name. */
				'label'  => sprintf( __( 'Template %s', 'cartpinger-for-woocommerce' ), $template['name'] ),
				'detail' => '' !== $error ? $error : ( $ok
					/* translators: %s: comma-separated language codes. */
					? sprintf( __( 'Approved in %s.', 'cartpinger-for-woocommerce' ), implode( ', ', $template['languages'] ) )
					: implode( '; ', array_unique( $problems ) ) ),
				'fix'    => $ok ? '' : ( $stale ? __( 'On the Templates page, press "Resubmit … with the correct link": CartPinger edits these templates at Meta, which reviews them again.', 'cartpinger-for-woocommerce' ) : $fix ),
			);
		}
		return $checks;
	}

	/**
	 * Why Meta could not call a webhook address, or null when it looks public and HTTPS.
	 *
	 * @since 0.3.0
	 *
	 * @param string $url The callback URL.
	 * @return string|null
	 */
	public static function callback_problem( string $url ): ?string {
		$scheme = (string) wp_parse_url( $url, PHP_URL_SCHEME );
		$host   = strtolower( (string) wp_parse_url( $url, PHP_URL_HOST ) );
		$ip     = filter_var( trim( $host, '[]' ), FILTER_VALIDATE_IP );
		$named  = false === $ip && ( 'localhost' === $host || ! str_contains( $host, '.' ) || 1 === preg_match( '/\.(local|test|localhost|internal)$/', $host ) );
		$local  = $named || ( false !== $ip && false === filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) );
		if ( $local ) {
			/* translators: %s: the callback URL. */
			return sprintf( __( 'Meta cannot reach %s: it is an address of this computer or your local network, not of the internet. Delivery reports and STOP replies will not arrive until the shop runs on a public https:// address.', 'cartpinger-for-woocommerce' ), $url );
		}
		if ( 'https' !== $scheme ) {
			/* translators: %s: the callback URL. */
			return sprintf( __( '%s is not HTTPS: Meta only calls webhooks over HTTPS with a valid certificate. Turn on HTTPS for your shop (most hosts offer a free certificate), then copy the address again.', 'cartpinger-for-woocommerce' ), $url );
		}
		return null;
	}

	/**
	 * A stored UTC time in the site's format and time zone.
	 *
	 * @since 0.2.0
	 *
	 * @param string $utc UTC "Y-m-d H:i:s".
	 * @return string
	 */
	private static function local_time( string $utc ): string {
		return (string) wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) strtotime( $utc . ' UTC' ) );
	}

	/**
	 * Refuses users without the capability (each handler then checks its nonce itself, where
	 * the WordPress Coding Standards see it).
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private static function guard(): void {
		if ( ! current_user_can( Menu::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'cartpinger-for-woocommerce' ), 403 );
		}
	}

	/**
	 * Keeps an outcome for the next render.
	 *
	 * @since 0.2.0
	 *
	 * @param bool   $ok      Success.
	 * @param string $message Message.
	 * @return void
	 */
	private static function remember( bool $ok, string $message ): void {
		set_transient(
			self::OUTCOME_TRANSIENT . get_current_user_id(),
			array(
				'ok'      => $ok,
				'message' => $message,
			),
			MINUTE_IN_SECONDS
		);
	}

	/**
	 * Admin-post: saves the credentials, then checks them with Meta.
	 *
	 * @since 0.2.0
	 *
	 * @return string Redirect URL.
	 */
	public function save_credentials_from_request(): string {
		self::guard();
		check_admin_referer( self::ACTION_CREDENTIALS );
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated by Settings::update().
		$posted = isset( $_POST[ SettingsPage::FIELD ] ) && is_array( $_POST[ SettingsPage::FIELD ] ) ? wp_unslash( $_POST[ SettingsPage::FIELD ] ) : array();
		$values = array();
		foreach ( array( 'phone_number_id', 'waba_id', 'access_token', 'app_secret' ) as $key ) {
			$values[ $key ] = is_string( $posted[ $key ] ?? null ) ? $posted[ $key ] : '';
		}
		$saved = $this->settings->update( $values );
		if ( is_wp_error( $saved ) ) {
			self::remember( false, $saved->get_error_message() );
			return self::url( 2 );
		}
		$this->ensure_verify_token();
		$check = $this->check_credentials();
		self::remember( $check['ok'], $check['message'] );
		return self::url( $check['ok'] ? 3 : 2 );
	}

	/**
	 * Admin-post: queues a test message to the given phone and runs the queue once.
	 *
	 * @since 0.2.0
	 *
	 * @return string Redirect URL.
	 */
	public function send_test_from_request(): string {
		self::guard();
		check_admin_referer( self::ACTION_TEST );
		$input   = isset( $_POST['phone'] ) ? sanitize_text_field( wp_unslash( (string) $_POST['phone'] ) ) : '';
		$outcome = $this->send_test( $input );
		self::remember( $outcome['ok'], $outcome['message'] );
		return self::url( 4 );
	}

	/**
	 * Queues a test message (template order_confirmed) and runs the queue once (10 s budget).
	 *
	 * @since 0.2.0
	 *
	 * @param string $input The phone number as typed.
	 * @return array{ok: bool, message: string, id?: int, wamid?: string}
	 */
	public function send_test( string $input ): array {
		$country = strtoupper( substr( (string) get_option( 'woocommerce_default_country', '' ), 0, 2 ) );
		try {
			$phone = Phone::to_e164( $input, $country );
		} catch ( \Throwable $e ) {
			return array(
				'ok'      => false,
				'message' => __( 'Enter your WhatsApp number in international format, for example +34612345678.', 'cartpinger-for-woocommerce' ),
			);
		}
		if ( ! $this->settings->is_configured() ) {
			return array(
				'ok'      => false,
				'message' => __( 'Save and check your credentials (step 2) and webhook (step 3) first.', 'cartpinger-for-woocommerce' ),
			);
		}
		// A real first reminder, as customers get it; its button opens a sample cart (SampleLink).
		$user      = wp_get_current_user();
		$name      = '' !== trim( (string) $user->first_name ) ? trim( (string) $user->first_name ) : __( 'there', 'cartpinger-for-woocommerce' );
		$languages = Catalog::select_language( get_user_locale(), get_locale(), array() );
		$id        = $this->store->enqueue(
			array(
				'phone'           => $phone,
				'template'        => 'abandoned_cart_recovery',
				'language'        => (string) $languages[0],
				'languages'       => array_slice( $languages, 1 ),
				'params'          => array( $name, SampleLink::issue() ),
				'kind'            => 'test',
				'idempotency_key' => 'test:' . wp_generate_uuid4(),
			)
		);
		if ( is_wp_error( $id ) ) {
			return array(
				'ok'      => false,
				'message' => $id->get_error_message(),
			);
		}
		$summary = $this->runner->run( 10000 );
		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT status, wamid, error_code, error_message FROM %i WHERE id = %d', \CartPinger\Storage\Schema::messages_log_table(), $id ), ARRAY_A );
		if ( is_array( $row ) && is_string( $row['wamid'] ?? null ) && '' !== $row['wamid'] ) {
			return array(
				'ok'      => true,
				'id'      => $id,
				'wamid'   => $row['wamid'],
				'message' => sprintf(
					/* translators: 1: phone number, 2: Meta's message id. */
					__( 'A real first reminder went to %1$s (message id %2$s). Check your WhatsApp: its button opens your shop with a sample cart, as your customers\' open theirs.', 'cartpinger-for-woocommerce' ),
					$phone,
					$row['wamid']
				),
			);
		}
		if ( 'ran' !== ( $summary['state'] ?? '' ) ) {
			$paused = $this->store->paused();
			return array(
				'ok'      => false,
				'id'      => $id,
				'message' => null !== $paused ? $paused['message'] : __( 'The message queue did not run.', 'cartpinger-for-woocommerce' ),
			);
		}
		return array(
			'ok'      => false,
			'id'      => $id,
			'message' => is_array( $row ) && '' !== (string) ( $row['error_message'] ?? '' )
				? self::meta_error(
					array(
						'message' => $row['error_message'],
						'code'    => $row['error_code'],
					)
				)
				: __( 'The message was not sent yet; it stays in the queue and is retried.', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * Admin-post: marks the wizard finished.
	 *
	 * @since 0.2.0
	 *
	 * @return string Redirect URL (the dashboard).
	 */
	public function finish_from_request(): string {
		self::guard();
		check_admin_referer( self::ACTION_FINISH );
		update_option( self::ONBOARDING_OPTION, '1', false );
		return add_query_arg( 'page', Menu::SLUG_DASHBOARD, admin_url( 'admin.php' ) );
	}
}
