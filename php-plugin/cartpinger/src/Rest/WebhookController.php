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
use CartPinger\Native\Webhook;
use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;
use CartPinger\Webhook\Ingest;
use CartPinger\Webhook\Log;
use WP_Error;
use WP_HTTP_Response;
use WP_REST_Request;
use WP_REST_Response;
use WP_REST_Server;

defined( 'ABSPATH' ) || exit;

/**
 * Meta's callback URL: GET verification handshake and POST event notifications.
 *
 * GET answers the handshake with the raw challenge as text/plain (200) or 403. POST is
 * normally answered before this class loads (Webhook\Ingest); here it is stored the same way:
 * X-Hub-Signature-256 checked (401 when it fails), the raw body inserted into the inbox, 200.
 * The queue runner applies the inbox (Webhook\Processor::apply_inbox()).
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
	 * Creates the controller.
	 *
	 * @since 0.1.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
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
		// Normally answered earlier (Webhook\Ingest::maybe_short_circuit()); the same store here.
		$header              = $request->get_header( 'X-Hub-Signature-256' );
		list( $code, $body ) = Ingest::accept( (string) $request->get_body(), is_string( $header ) ? $header : '' );
		if ( 200 === $code ) {
			return new WP_REST_Response( $body, 200 );
		}
		return new WP_Error( (string) ( $body['code'] ?? 'cartpinger_webhook_internal' ), (string) ( $body['message'] ?? 'Internal error.' ), array( 'status' => $code ) );
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
		echo $challenge; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- Meta needs the challenge verbatim as text/plain (nosniff); the extension returns 1-256 visible ASCII characters only.
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
}
