<?php
/**
 * The WhatsApp webhook endpoint: cartpinger/v1/webhook.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Rest;

use CartPinger\Native\Exception\WebhookHandshakeException;
use CartPinger\Native\Exception\WebhookParseException;
use CartPinger\Native\Exception\WebhookSignatureException;
use CartPinger\Native\Webhook;
use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;
use CartPinger\Webhook\Log;
use CartPinger\Webhook\Processor;
use WP_Error;
use WP_HTTP_Response;
use WP_REST_Request;
use WP_REST_Response;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Meta's callback URL: GET verification handshake and POST event notifications.
 *
 * GET answers the handshake with the raw challenge as text/plain (200) or 403. POST checks
 * X-Hub-Signature-256 over the raw body with the app secret (401 when it fails), then parses
 * the events and hands them to the Processor; an authentic body that cannot be parsed is
 * logged and still answered 200, because Meta would otherwise retry it for days.
 *
 * @since 0.1.0
 */
final class WebhookController implements RegistersHooks {

	/**
	 * REST namespace.
	 *
	 * @since 0.1.0
	 */
	public const REST_NAMESPACE = 'cartpinger/v1';

	/**
	 * Route inside the namespace.
	 *
	 * @since 0.1.0
	 */
	public const ROUTE = '/webhook';

	/**
	 * Option: UTC time (Y-m-d H:i:s) of the last successful verification handshake.
	 *
	 * @since 0.1.0
	 */
	public const OPTION_VERIFIED_AT = 'cartpinger_webhook_verified_at';

	/**
	 * Option: number of event POSTs rejected because of their signature.
	 *
	 * @since 0.1.0
	 */
	public const OPTION_SIGNATURE_FAILURES = 'cartpinger_webhook_signature_failures';

	/**
	 * The settings service (verify token, app secret).
	 *
	 * @since 0.1.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Applies the events.
	 *
	 * @since 0.1.0
	 *
	 * @var Processor
	 */
	private Processor $processor;

	/**
	 * Creates the controller.
	 *
	 * @since 0.1.0
	 *
	 * @param Settings  $settings  The settings service.
	 * @param Processor $processor Applies the events.
	 */
	public function __construct( Settings $settings, Processor $processor ) {
		$this->settings  = $settings;
		$this->processor = $processor;
	}

	/**
	 * Hooks the route and the raw challenge output.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'rest_api_init', array( $this, 'action_rest_api_init' ) );
		add_filter( 'rest_pre_serve_request', array( $this, 'filter_rest_pre_serve_request' ), 10, 4 );
		add_filter( 'rest_request_before_callbacks', array( $this, 'filter_rest_request_before_callbacks' ), 10, 3 );
	}

	/**
	 * Full route path, as WP_REST_Request::get_route() reports it.
	 *
	 * @since 0.1.0
	 *
	 * @return string "/cartpinger/v1/webhook"
	 */
	public static function route_path(): string {
		return '/' . self::REST_NAMESPACE . self::ROUTE;
	}

	/**
	 * Registers GET and POST on cartpinger/v1/webhook.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_rest_api_init(): void {
		// Both methods are public on purpose: Meta calls them without a WordPress login. The
		// authentication is the verify token (GET, compared in constant time by the extension)
		// and the X-Hub-Signature-256 HMAC of the raw body with the app secret (POST).
		register_rest_route(
			self::REST_NAMESPACE,
			self::ROUTE,
			array(
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => array( $this, 'handle_verify' ),
					'permission_callback' => '__return_true',
				),
				array(
					'methods'             => WP_REST_Server::CREATABLE,
					'callback'            => array( $this, 'handle_event' ),
					'permission_callback' => '__return_true',
				),
			)
		);
	}

	/**
	 * GET: Meta's verification handshake.
	 *
	 * @since 0.1.0
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error 200 with the challenge (served as text/plain), or 403.
	 */
	public function handle_verify( WP_REST_Request $request ): WP_REST_Response|WP_Error {
		$expected = $this->settings->get_secret( 'verify_token' );
		if ( is_wp_error( $expected ) ) {
			Log::write( 'error', 'Webhook verification refused: the saved verify token cannot be read; re-enter it.' );
			$expected = '';
		}
		try {
			$challenge = Webhook::verify_subscription(
				self::hub_param( $request, 'mode' ),
				self::hub_param( $request, 'verify_token' ),
				self::hub_param( $request, 'challenge' ),
				$expected
			);
		} catch ( WebhookHandshakeException $e ) {
			Log::write( 'warning', 'Webhook verification refused: ' . $e->getMessage(), array( 'code' => $e->getCode() ) );
			return self::forbidden();
		} catch ( \RuntimeException $e ) {
			Log::write( 'error', 'Webhook verification failed in the extension.', array( 'code' => $e->getCode() ) );
			return self::forbidden();
		}
		update_option( self::OPTION_VERIFIED_AT, gmdate( 'Y-m-d H:i:s' ), false );
		$response = new WP_REST_Response( $challenge, 200 );
		$response->header( 'Content-Type', 'text/plain; charset=utf-8' );
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * POST: an event notification.
	 *
	 * @since 0.1.0
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error 200, 401 (signature) or 500 (extension failure).
	 */
	public function handle_event( WP_REST_Request $request ): WP_REST_Response|WP_Error {
		$body   = (string) $request->get_body();
		$header = $request->get_header( 'X-Hub-Signature-256' );
		$secret = $this->settings->get_secret( 'app_secret' );
		if ( is_wp_error( $secret ) ) {
			Log::write( 'error', 'Webhook POST refused: the saved app secret cannot be read; re-enter it.' );
			$secret = '';
		}
		try {
			Webhook::verify_signature( $body, is_string( $header ) ? $header : '', $secret );
		} catch ( WebhookSignatureException $e ) {
			self::count_signature_failure();
			Log::write( 'warning', 'Webhook POST refused: ' . $e->getMessage(), array( 'code' => $e->getCode() ) );
			return new WP_Error( 'cartpinger_webhook_signature', 'Invalid or missing X-Hub-Signature-256.', array( 'status' => 401 ) );
		} catch ( \RuntimeException $e ) {
			Log::write( 'error', 'Webhook signature check failed in the extension.', array( 'code' => $e->getCode() ) );
			return new WP_Error( 'cartpinger_webhook_internal', 'Internal error.', array( 'status' => 500 ) );
		}

		try {
			$batch = Webhook::parse( $body );
		} catch ( WebhookParseException $e ) {
			// Authentic but unreadable: answering an error would make Meta resend it for days.
			Log::write( 'error', 'Signed webhook body could not be parsed: ' . $e->getMessage(), array( 'code' => $e->getCode() ) );
			return new WP_REST_Response( array( 'received' => true ), 200 );
		} catch ( \RuntimeException $e ) {
			Log::write( 'error', 'Webhook parsing failed in the extension.', array( 'code' => $e->getCode() ) );
			return new WP_Error( 'cartpinger_webhook_internal', 'Internal error.', array( 'status' => 500 ) );
		}

		if ( array() !== $batch['skipped'] ) {
			Log::write(
				'warning',
				'Webhook items skipped.',
				array(
					'count'   => count( $batch['skipped'] ),
					'skipped' => array_slice( $batch['skipped'], 0, 10 ),
				)
			);
		}
		if ( $batch['ignored'] ) {
			Log::write( 'info', 'Webhook for another object ignored.', array( 'object' => (string) $batch['object'] ) );
			return new WP_REST_Response( array( 'received' => true ), 200 );
		}
		$summary = $this->processor->process( $batch );
		return new WP_REST_Response(
			array(
				'received' => true,
				'events'   => $summary['events'],
			),
			200
		);
	}

	/**
	 * Echoes the handshake challenge as the raw body instead of JSON.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @param bool             $served  Whether the request was already served.
	 * @param WP_HTTP_Response $result  The response.
	 * @param WP_REST_Request  $request The request.
	 * @param WP_REST_Server   $server  The server (unused).
	 * @return bool
	 */
	public function filter_rest_pre_serve_request( $served, $result, $request, $server ): bool {
		unset( $server );
		if ( $served || ! $result instanceof WP_REST_Response || ! $request instanceof WP_REST_Request ) {
			return (bool) $served;
		}
		if ( 'GET' !== $request->get_method() || self::route_path() !== $result->get_matched_route() || 200 !== $result->get_status() ) {
			return false;
		}
		$challenge = $result->get_data();
		if ( ! is_string( $challenge ) ) {
			return false;
		}
		// Meta wants the challenge back verbatim. The extension only returns 1 to 256 visible
		// ASCII characters, sent as text/plain with X-Content-Type-Options: nosniff.
		echo $challenge; // phpcs:ignore -- raw text/plain body, validated by the extension.
		return true;
	}

	/**
	 * Lets a POST whose JSON is invalid reach the handler, which answers from its signature.
	 *
	 * WordPress rejects a JSON body it cannot decode (rest_invalid_json, 400) before calling
	 * the handler. For this route that would skip the signature check and, for an authentic
	 * body, make Meta retry it for days.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @param mixed           $response Null, or the error found while validating the request.
	 * @param array           $handler  The matched handler.
	 * @param WP_REST_Request $request  The request.
	 * @return mixed
	 */
	public function filter_rest_request_before_callbacks( $response, $handler, $request ) {
		if ( $response instanceof WP_Error && 'rest_invalid_json' === $response->get_error_code()
			&& is_array( $handler ) && isset( $handler['callback'] ) && array( $this, 'handle_event' ) === $handler['callback'] ) {
			return null;
		}
		return $response;
	}

	/**
	 * A hub.* query parameter: PHP turns "hub.mode" into "hub_mode"; the dotted name is
	 * accepted too (internal requests, servers that keep it).
	 *
	 * @since 0.1.0
	 *
	 * @param WP_REST_Request $request The request.
	 * @param string          $name    Name after "hub.": mode, verify_token or challenge.
	 * @return string '' when absent or not a string.
	 */
	private static function hub_param( WP_REST_Request $request, string $name ): string {
		$query = $request->get_query_params();
		foreach ( array( 'hub_' . $name, 'hub.' . $name ) as $key ) {
			if ( isset( $query[ $key ] ) && is_string( $query[ $key ] ) ) {
				return $query[ $key ];
			}
		}
		return '';
	}

	/**
	 * The 403 of a refused handshake.
	 *
	 * @since 0.1.0
	 *
	 * @return WP_Error
	 */
	private static function forbidden(): WP_Error {
		return new WP_Error( 'cartpinger_webhook_forbidden', 'Verification failed.', array( 'status' => 403 ) );
	}

	/**
	 * Adds one to the signature failure counter.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	private static function count_signature_failure(): void {
		$count = (int) get_option( self::OPTION_SIGNATURE_FAILURES, 0 );
		update_option( self::OPTION_SIGNATURE_FAILURES, $count + 1, false );
	}
}
