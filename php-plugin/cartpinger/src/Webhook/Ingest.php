<?php
/**
 * Meta's webhook POSTs, answered before WordPress loads the rest of the site.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Webhook;

use CartPinger\Native\Exception\WebhookSignatureException;
use CartPinger\Native\Webhook;
use CartPinger\Plugin;
use CartPinger\Rest\WebhookController;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Storage\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Verifies a webhook POST's signature and stores its raw body with one INSERT; the queue
 * runner applies stored bodies in batches (Processor::apply_inbox()).
 *
 * Why this shape: at Meta's 80 msg/s a shop gets up to 240 status webhooks a second (sent,
 * delivered, read), and Meta retries any that fail for days. A full WordPress + WooCommerce
 * request per webhook cannot keep up on a small host. So the plugin's main file, which
 * WordPress includes while it loads the active plugins (before WooCommerce, which sorts after
 * it, and before `init`, the theme, the REST server and the admin), recognises a POST to its
 * REST route and answers it right there: check the HMAC in the extension, INSERT the body,
 * send 200, exit. No mu-plugin to install and no second public URL (a file under
 * wp-content/plugins called directly is blocked on many hosts and by WordPress.org's rules):
 * the callback URL stays the REST route the merchant configured in Meta. When the short cut
 * cannot apply (extension missing, schema not migrated yet), the request falls through to the
 * REST route, which stores the body the same way.
 *
 * @since 0.3.0
 */
final class Ingest {

	/**
	 * Largest body stored (Meta's batches are a few KB).
	 *
	 * @since 0.3.0
	 */
	public const MAX_BODY = 1048576;

	/**
	 * Answers the request and exits when it is a webhook POST this can take; returns otherwise.
	 *
	 * @since 0.3.0
	 *
	 * @return void
	 */
	public static function maybe_short_circuit(): void {
		if ( ! self::is_webhook_post() || ! self::ready() ) {
			return;
		}
		$body                    = (string) file_get_contents( 'php://input' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_get_contents_file_get_contents,Generic.PHP.ForbiddenFunctions.FoundWithAlternative -- the raw request body (WP_REST_Server reads it the same way).
		$header                  = isset( $_SERVER['HTTP_X_HUB_SIGNATURE_256'] ) && is_string( $_SERVER['HTTP_X_HUB_SIGNATURE_256'] ) ? wp_unslash( $_SERVER['HTTP_X_HUB_SIGNATURE_256'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- an HMAC header compared in constant time, never output.
		list( $status, $answer ) = self::accept( $body, (string) $header );
		if ( ! headers_sent() ) {
			http_response_code( $status );
			header( 'Content-Type: application/json; charset=utf-8' );
			header( 'Cache-Control: no-store' );
			// Says which path answered (the fault suite checks it): before WooCommerce loaded.
			header( 'X-CartPinger-Webhook: early; woocommerce=' . ( class_exists( 'WooCommerce', false ) ? 'loaded' : 'not-loaded' ) );
		}
		echo wp_json_encode( $answer ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON of fixed keys.
		exit;
	}

	/**
	 * Verifies and stores one POST body.
	 *
	 * @since 0.3.0
	 *
	 * @param string $body   Raw body.
	 * @param string $header X-Hub-Signature-256.
	 * @return array{0: int, 1: array<string, mixed>} HTTP status and JSON answer.
	 */
	public static function accept( string $body, string $header ): array {
		global $wpdb;
		$secret = ( new Settings( new SecretBox() ) )->get_secret( 'app_secret' );
		if ( is_wp_error( $secret ) ) {
			Log::write( 'error', 'Webhook POST refused: the saved app secret cannot be read; re-enter it.' );
			$secret = '';
		}
		try {
			Webhook::verify_signature( $body, $header, $secret );
		} catch ( WebhookSignatureException $e ) {
			update_option( WebhookController::OPTION_SIGNATURE_FAILURES, (int) get_option( WebhookController::OPTION_SIGNATURE_FAILURES, 0 ) + 1, false );
			Log::write( 'warning', 'Webhook POST refused: ' . $e->getMessage(), array( 'code' => $e->getCode() ) );
			return array(
				401,
				array(
					'code'    => 'cartpinger_webhook_signature',
					'message' => 'Invalid or missing X-Hub-Signature-256.',
				),
			);
		} catch ( \RuntimeException $e ) {
			Log::write( 'error', 'Webhook signature check failed in the extension.', array( 'code' => $e->getCode() ) );
			return array( 500, array( 'code' => 'cartpinger_webhook_internal' ) );
		}
		if ( strlen( $body ) > self::MAX_BODY ) {
			// Authentic but absurd: answering an error would make Meta resend it for days.
			Log::write( 'error', 'Signed webhook body too large; dropped.', array( 'bytes' => strlen( $body ) ) );
			return array( 200, array( 'received' => true ) );
		}
		$stored = $wpdb->insert(
			Schema::webhook_inbox_table(),
			array(
				'received_at' => gmdate( 'Y-m-d H:i:s' ),
				'body'        => $body,
			),
			array( '%s', '%s' )
		);
		if ( 1 !== $stored ) {
			// Not stored: let Meta retry.
			return array( 503, array( 'code' => 'cartpinger_webhook_busy' ) );
		}
		return array( 200, array( 'received' => true ) );
	}

	/**
	 * Whether this request is a POST to the plugin's webhook route (pretty or plain permalinks).
	 *
	 * @since 0.3.0
	 *
	 * @return bool
	 */
	public static function is_webhook_post(): bool {
		if ( ! isset( $_SERVER['REQUEST_METHOD'] ) || 'POST' !== $_SERVER['REQUEST_METHOD'] || ! function_exists( 'home_url' ) ) {
			return false;
		}
		$route = WebhookController::route_path();
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- routing only; Meta's HMAC authenticates.
		if ( isset( $_GET['rest_route'] ) && is_string( $_GET['rest_route'] ) && untrailingslashit( sanitize_text_field( wp_unslash( $_GET['rest_route'] ) ) ) === $route ) {
			return true;
		}
		$uri  = isset( $_SERVER['REQUEST_URI'] ) && is_string( $_SERVER['REQUEST_URI'] ) ? wp_unslash( $_SERVER['REQUEST_URI'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- compared, never output.
		$path = (string) wp_parse_url( $uri, PHP_URL_PATH );
		$home = (string) wp_parse_url( home_url( '/' ), PHP_URL_PATH );
		return untrailingslashit( $path ) === rtrim( $home, '/' ) . '/wp-json' . $route;
	}

	/**
	 * Whether the short cut can run: the extension this plugin needs, and a migrated schema.
	 *
	 * @since 0.3.0
	 *
	 * @return bool
	 */
	private static function ready(): bool {
		return extension_loaded( 'cartpinger' )
			&& defined( 'CARTPINGER_NATIVE_ABI' ) && Plugin::REQUIRED_ABI === constant( 'CARTPINGER_NATIVE_ABI' )
			&& ! Schema::needs_migration();
	}
}
