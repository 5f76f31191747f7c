<?php
/**
 * Log of the webhook endpoint.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Webhook;

defined( 'ABSPATH' ) || exit;

/**
 * Writes webhook diagnostics to the WooCommerce log (source "cartpinger-webhook").
 *
 * Callers pass only codes, counts, paths and ids: never a secret, a signature, a token, a
 * request body or a message text.
 *
 * @since 0.1.0
 */
final class Log {

	/**
	 * The WooCommerce log source.
	 *
	 * @since 0.1.0
	 */
	public const SOURCE = 'cartpinger-webhook';

	/**
	 * Writes one entry.
	 *
	 * @since 0.1.0
	 *
	 * @param string               $level   A PSR-3 level: "warning", "info", ...
	 * @param string               $message English message without secrets or body.
	 * @param array<string, mixed> $context Extra context (codes, counts).
	 * @return void
	 */
	public static function write( string $level, string $message, array $context = array() ): void {
		if ( ! function_exists( 'wc_get_logger' ) ) {
			return;
		}
		$context['source'] = self::SOURCE;
		wc_get_logger()->log( $level, $message, $context );
	}
}
