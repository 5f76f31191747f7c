<?php
/**
 * Optional supporter licence (Lemon Squeezy License API).
 *
 * @package CartPinger
 * @since   0.4.0
 */

declare(strict_types=1);

namespace CartPinger\Licence;

use CartPinger\Lifecycle;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\SecretBoxInterface;
use CartPinger\Support\RegistersHooks;

defined( 'ABSPATH' ) || exit;

/**
 * Activates, deactivates and re-validates a Lemon Squeezy licence key. It gates nothing: no
 * feature of the plugin reads it.
 *
 * The key is stored only as a vault envelope bound to its option name (cartpinger_license_key);
 * the rest of the state (status, instance id, dates, last reason and error) is one
 * non-autoloaded array option (cartpinger_license). Re-validation runs daily on
 * cartpinger_validate_license (Action Scheduler when present, else WP-Cron) while a licence is
 * active. Only an explicit `valid: false` answer downgrades; network errors, timeouts, HTTP 5xx,
 * 429 and unreadable answers keep the status and record last_error.
 *
 * @since 0.2.0
 */
final class Licence implements RegistersHooks {

	/**
	 * The daily validation hook.
	 *
	 * @since 0.2.0
	 */
	public const HOOK = 'cartpinger_validate_license';

	/**
	 * Option holding the encrypted key.
	 *
	 * @since 0.2.0
	 */
	public const KEY_OPTION = 'cartpinger_license_key';

	/**
	 * Option holding the state array.
	 *
	 * @since 0.2.0
	 */
	public const STATE_OPTION = 'cartpinger_license';

	/**
	 * Default API base (filter cartpinger_license_api_base).
	 *
	 * @since 0.2.0
	 */
	public const API_BASE = 'https://api.lemonsqueezy.com';

	/**
	 * HTTP timeout in seconds.
	 *
	 * @since 0.2.0
	 */
	public const TIMEOUT = 10;

	/**
	 * The secret box.
	 *
	 * @since 0.2.0
	 *
	 * @var SecretBoxInterface
	 */
	private SecretBoxInterface $box;

	/**
	 * Creates the service.
	 *
	 * @since 0.2.0
	 *
	 * @param SecretBoxInterface|null $box Seals and opens the key (default: the vault).
	 */
	public function __construct( ?SecretBoxInterface $box = null ) {
		$this->box = $box ?? new SecretBox();
	}

	/**
	 * Hooks the daily validation and its scheduling.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( self::HOOK, array( $this, 'action_validate' ) );
		add_action( 'init', array( $this, 'action_schedule' ) );
		add_action( 'action_scheduler_init', array( $this, 'action_schedule_as' ) );
	}

	/**
	 * The stored state, normalised.
	 *
	 * @since 0.2.0
	 *
	 * @return array{status: string, instance_id: string, activated_at: string, validated_at: string, reason: string, last_error: string, error_at: string}
	 */
	public function state(): array {
		$raw   = get_option( self::STATE_OPTION, array() );
		$raw   = is_array( $raw ) ? $raw : array();
		$state = array();
		foreach ( array( 'status', 'instance_id', 'activated_at', 'validated_at', 'reason', 'last_error', 'error_at' ) as $field ) {
			$state[ $field ] = isset( $raw[ $field ] ) && is_scalar( $raw[ $field ] ) ? (string) $raw[ $field ] : '';
		}
		return $state;
	}

	/**
	 * Whether a licence is active.
	 *
	 * @since 0.2.0
	 *
	 * @return bool
	 */
	public function is_active(): bool {
		return 'active' === $this->state()['status'];
	}

	/**
	 * The stored key in clear, '' when none, or null when it cannot be decrypted.
	 *
	 * @since 0.2.0
	 *
	 * @return string|null
	 */
	public function key(): ?string {
		$raw = get_option( self::KEY_OPTION, '' );
		if ( ! is_string( $raw ) || '' === $raw ) {
			return '';
		}
		try {
			return $this->box->open( $raw, self::KEY_OPTION );
		} catch ( \RuntimeException $e ) {
			unset( $e ); // Other salts, tampered value or extension error: unreadable.
			return null;
		}
	}

	/**
	 * The key for display: only its last four characters.
	 *
	 * @since 0.2.0
	 *
	 * @return string '' when no key is stored.
	 */
	public function masked_key(): string {
		$key = $this->key();
		if ( '' === $key ) {
			return '';
		}
		if ( null === $key ) {
			return '••••••••';
		}
		return '••••••••' . ( strlen( $key ) > 8 ? substr( $key, -4 ) : '' );
	}

	/**
	 * Activates a key at Lemon Squeezy and stores it (encrypted) with its instance.
	 *
	 * @since 0.2.0
	 *
	 * @param string $key The licence key.
	 * @return array{ok: bool, message: string}
	 */
	public function activate( string $key ): array {
		$key = trim( $key );
		if ( '' === $key || strlen( $key ) > 255 || 1 !== preg_match( '/^[A-Za-z0-9_-]+$/', $key ) ) {
			return self::outcome( false, __( 'Enter a licence key (letters, digits and dashes).', 'cartpinger-for-woocommerce' ) );
		}
		if ( $this->is_active() ) {
			return self::outcome( false, __( 'A licence is already active. Deactivate it first.', 'cartpinger-for-woocommerce' ) );
		}
		$name = trim( wp_strip_all_tags( (string) get_bloginfo( 'name' ) ) );
		if ( '' === $name ) {
			$name = (string) wp_parse_url( home_url(), PHP_URL_HOST );
		}
		$reply = $this->post(
			'activate',
			array(
				'license_key'   => $key,
				'instance_name' => $name,
			)
		);
		$body  = $reply['body'];
		if ( ! $reply['ok'] || true !== ( $body['activated'] ?? null ) || ! is_array( $body['instance'] ?? null ) || ! is_scalar( $body['instance']['id'] ?? null ) || '' === (string) $body['instance']['id'] ) {
			return self::outcome(
				false,
				sprintf(
					/* translators: %s: the reason given by Lemon Squeezy or the network error. */
					__( 'The licence was not activated: %s', 'cartpinger-for-woocommerce' ),
					$reply['error']
				)
			);
		}
		try {
			$envelope = $this->box->seal( $key, self::KEY_OPTION );
		} catch ( \RuntimeException $e ) {
			unset( $e );
			$this->post(
				'deactivate',
				array(
					'license_key' => $key,
					'instance_id' => (string) $body['instance']['id'],
				)
			);
			return self::outcome( false, __( 'CartPinger could not encrypt the licence key, so it was not kept. Check CARTPINGER_ENCRYPTION_KEY and the WordPress salts.', 'cartpinger-for-woocommerce' ) );
		}
		update_option( self::KEY_OPTION, $envelope, false );
		$now = current_time( 'mysql', true );
		update_option(
			self::STATE_OPTION,
			array(
				'status'       => 'active',
				'instance_id'  => (string) $body['instance']['id'],
				'activated_at' => $now,
				'validated_at' => $now,
				'reason'       => '',
				'last_error'   => '',
				'error_at'     => '',
			),
			false
		);
		$this->schedule();
		return self::outcome( true, __( 'Licence activated. Thank you for supporting CartPinger!', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * Deactivates the instance at Lemon Squeezy, then forgets the key and status locally.
	 *
	 * The local state is cleared even when Lemon Squeezy cannot be reached; the message says so.
	 *
	 * @since 0.2.0
	 *
	 * @return array{ok: bool, message: string}
	 */
	public function deactivate(): array {
		$state  = $this->state();
		$key    = $this->key();
		$remote = null;
		if ( is_string( $key ) && '' !== $key && '' !== $state['instance_id'] ) {
			$reply  = $this->post(
				'deactivate',
				array(
					'license_key' => $key,
					'instance_id' => $state['instance_id'],
				)
			);
			$remote = $reply['ok'] && true === ( $reply['body']['deactivated'] ?? null ) ? '' : $reply['error'];
		}
		$this->clear();
		if ( null !== $remote && '' !== $remote ) {
			return self::outcome(
				true,
				sprintf(
					/* translators: %s: the reason given by Lemon Squeezy or the network error. */
					__( 'The licence was removed from this site, but Lemon Squeezy did not confirm the deactivation (%s). You can free the activation from your Lemon Squeezy account.', 'cartpinger-for-woocommerce' ),
					$remote
				)
			);
		}
		return self::outcome( true, __( 'Licence deactivated.', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * Re-validates the active licence. Only `valid: false` clears it.
	 *
	 * @since 0.2.0
	 *
	 * @return string 'valid', 'invalid', 'kept' (could not check: status unchanged) or 'none'.
	 */
	public function validate(): string {
		$state = $this->state();
		if ( 'active' !== $state['status'] ) {
			return 'none';
		}
		$key = $this->key();
		if ( ! is_string( $key ) || '' === $key ) {
			// Unreadable key (e.g. regenerated salts): cannot check, never downgrade.
			$state['last_error'] = __( 'The saved licence key cannot be read. Deactivate and activate it again.', 'cartpinger-for-woocommerce' );
			$state['error_at']   = current_time( 'mysql', true );
			update_option( self::STATE_OPTION, $state, false );
			return 'kept';
		}
		$reply = $this->post(
			'validate',
			array(
				'license_key' => $key,
				'instance_id' => $state['instance_id'],
			)
		);
		$now   = current_time( 'mysql', true );
		$valid = is_array( $reply['body'] ) ? ( $reply['body']['valid'] ?? null ) : null;
		if ( ! $reply['transient'] && false === $valid ) {
			$reason = is_scalar( $reply['body']['error'] ?? null ) && '' !== (string) $reply['body']['error']
				? (string) $reply['body']['error']
				: (string) ( $reply['body']['license_key']['status'] ?? __( 'not valid', 'cartpinger-for-woocommerce' ) );
			delete_option( self::KEY_OPTION );
			update_option(
				self::STATE_OPTION,
				array(
					'status'       => '',
					'instance_id'  => '',
					'activated_at' => '',
					'validated_at' => $now,
					'reason'       => sanitize_text_field( $reason ),
					'last_error'   => '',
					'error_at'     => '',
				),
				false
			);
			$this->unschedule();
			return 'invalid';
		}
		if ( ! $reply['transient'] && true === $valid ) {
			$state['validated_at'] = $now;
			$state['reason']       = '';
			$state['last_error']   = '';
			$state['error_at']     = '';
			update_option( self::STATE_OPTION, $state, false );
			return 'valid';
		}
		$state['last_error'] = $reply['error'];
		$state['error_at']   = $now;
		update_option( self::STATE_OPTION, $state, false );
		return 'kept';
	}

	/**
	 * The daily event.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_validate(): void {
		if ( 'none' === $this->validate() ) {
			$this->unschedule();
		}
	}

	/**
	 * WP-Cron (when Action Scheduler is absent): makes sure the daily event exists while a
	 * licence is active. Checked at most once an hour, so that sites without a licence pay
	 * nothing on ordinary requests.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_schedule(): void {
		if ( ! self::uses_action_scheduler() ) {
			$this->maybe_schedule();
		}
	}

	/**
	 * Action Scheduler: makes sure the daily action exists while a licence is active (checked at
	 * most once an hour). activate() schedules it at once; this only repairs a lost schedule.
	 *
	 * @internal
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function action_schedule_as(): void {
		if ( self::uses_action_scheduler() ) {
			$this->maybe_schedule();
		}
	}

	/**
	 * The hourly check behind action_schedule() and action_schedule_as().
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function maybe_schedule(): void {
		if ( ! Lifecycle::check_due( 'licence' ) ) {
			return;
		}
		Lifecycle::check_done( 'licence' );
		if ( $this->is_active() ) {
			$this->schedule();
		}
	}

	/**
	 * Whether Action Scheduler drives the job.
	 *
	 * @since 0.2.0
	 *
	 * @return bool
	 */
	public static function uses_action_scheduler(): bool {
		return function_exists( 'as_schedule_recurring_action' ) && function_exists( 'as_has_scheduled_action' );
	}

	/**
	 * Schedules the daily validation now, on Action Scheduler or WP-Cron.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function schedule(): void {
		if ( self::uses_action_scheduler() ) {
			try {
				if ( ! as_has_scheduled_action( self::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP ) ) {
					as_schedule_recurring_action( time() + DAY_IN_SECONDS, DAY_IN_SECONDS, self::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP, true );
				}
				wp_clear_scheduled_hook( self::HOOK );
				return;
			} catch ( \Throwable $e ) {
				unset( $e ); // Action Scheduler not ready: fall back to WP-Cron.
			}
		}
		if ( false === wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time() + DAY_IN_SECONDS, 'daily', self::HOOK );
		}
	}

	/**
	 * Removes the daily validation from both schedulers.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function unschedule(): void {
		wp_clear_scheduled_hook( self::HOOK );
		if ( function_exists( 'as_unschedule_all_actions' ) ) {
			try {
				as_unschedule_all_actions( self::HOOK, array(), Lifecycle::ACTION_SCHEDULER_GROUP );
			} catch ( \Throwable $e ) {
				unset( $e ); // Action Scheduler not ready.
			}
		}
		Lifecycle::check_done( 'licence', 0 );
	}

	/**
	 * Forgets the key and the state, and stops the job.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	private function clear(): void {
		delete_option( self::KEY_OPTION );
		delete_option( self::STATE_OPTION );
		$this->unschedule();
	}

	/**
	 * The API base URL, without a trailing slash.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public static function api_base(): string {
		/**
		 * Filters the Lemon Squeezy API base URL (for tests and staging).
		 *
		 * @since 0.2.0
		 *
		 * @param string $base Default https://api.lemonsqueezy.com.
		 */
		$base = apply_filters( 'cartpinger_license_api_base', self::API_BASE );
		return untrailingslashit( is_string( $base ) && '' !== $base ? $base : self::API_BASE );
	}

	/**
	 * POSTs a form to /v1/licenses/<endpoint> and classifies the answer.
	 *
	 * Transient failures (network, timeout, HTTP 5xx or 429, a body that is not a JSON object)
	 * are flagged so that callers never downgrade on them.
	 *
	 * @since 0.2.0
	 *
	 * @param string                $endpoint One of activate, deactivate, validate.
	 * @param array<string, string> $fields   Form fields.
	 * @return array{ok: bool, transient: bool, code: int, body: array<string, mixed>, error: string}
	 */
	private function post( string $endpoint, array $fields ): array {
		$response = wp_remote_post(
			self::api_base() . '/v1/licenses/' . $endpoint,
			array(
				'timeout' => self::TIMEOUT,
				'headers' => array( 'Accept' => 'application/json' ),
				'body'    => $fields,
			)
		);
		if ( is_wp_error( $response ) ) {
			return array(
				'ok'        => false,
				'transient' => true,
				'code'      => 0,
				'body'      => array(),
				'error'     => sanitize_text_field( $response->get_error_message() ),
			);
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		$body = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$body = is_array( $body ) ? $body : null;
		$http = sprintf( 'HTTP %d', $code );
		if ( null === $body || $code >= 500 || 429 === $code || $code < 200 ) {
			$message = null !== $body && is_scalar( $body['error'] ?? null ) && '' !== (string) $body['error'] ? (string) $body['error'] : $http;
			return array(
				'ok'        => false,
				'transient' => true,
				'code'      => $code,
				'body'      => array(),
				'error'     => sanitize_text_field( $message ),
			);
		}
		$error = is_scalar( $body['error'] ?? null ) && '' !== (string) $body['error'] ? (string) $body['error'] : $http;
		return array(
			'ok'        => $code >= 200 && $code < 300,
			'transient' => false,
			'code'      => $code,
			'body'      => $body,
			'error'     => sanitize_text_field( $error ),
		);
	}

	/**
	 * An outcome for the admin notice.
	 *
	 * @since 0.2.0
	 *
	 * @param bool   $ok      Success.
	 * @param string $message Translated message.
	 * @return array{ok: bool, message: string}
	 */
	private static function outcome( bool $ok, string $message ): array {
		return array(
			'ok'      => $ok,
			'message' => $message,
		);
	}
}
