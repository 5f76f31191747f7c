<?php
/**
 * WP-CLI: `wp cartpinger consent …`.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Cli;

use CartPinger\Native\Exception\InvalidPhoneException;
use CartPinger\Native\Phone;
use CartPinger\Recovery\Capture;

defined( 'ABSPATH' ) || exit;

/**
 * The administrator's way to withdraw a phone's WhatsApp consent everywhere (a shopper asked by
 * mail or phone): every live cart of that number closes and its pending reminders are cancelled.
 * Shoppers withdraw their own consent at checkout or by replying STOP; the privacy eraser removes
 * everything of an email address.
 *
 * @since 0.3.0
 */
final class ConsentCommand {

	/**
	 * The capture service.
	 *
	 * @since 0.3.0
	 *
	 * @var Capture
	 */
	private Capture $capture;

	/**
	 * Creates the command.
	 *
	 * @since 0.3.0
	 *
	 * @param Capture $capture The capture service.
	 */
	public function __construct( Capture $capture ) {
		$this->capture = $capture;
	}

	/**
	 * Withdraws a phone's consent on every live cart and cancels its pending reminders.
	 *
	 * ## OPTIONS
	 *
	 * <phone>
	 * : The phone number, in international format (+34612345678) or national for the store's country.
	 *
	 * ## EXAMPLES
	 *
	 *     wp cartpinger consent revoke +34612345678
	 *
	 * @since 0.3.0
	 *
	 * @param array<int, string>    $args       Positional arguments.
	 * @param array<string, string> $assoc_args Options.
	 * @return void
	 */
	public function revoke( array $args, array $assoc_args ): void {
		unset( $assoc_args );
		$country = function_exists( 'WC' ) && null !== WC()->countries ? strtoupper( (string) WC()->countries->get_base_country() ) : '';
		try {
			$phone = Phone::to_e164( (string) ( $args[0] ?? '' ), ( 1 === preg_match( '/^[A-Z]{2}$/', $country ) ) ? $country : '' );
		} catch ( InvalidPhoneException $e ) {
			\WP_CLI::error( __( 'That is not a valid phone number.', 'cartpinger-for-woocommerce' ) );
			return;
		}
		$closed = $this->capture->revoke_phone( $phone );
		/* translators: 1: number of carts, 2: phone number. */
		\WP_CLI::success( sprintf( __( 'Consent withdrawn on %1$d open cart(s) of %2$s.', 'cartpinger-for-woocommerce' ), $closed, $phone ) );
	}

	/**
	 * Registers the command when WP-CLI runs.
	 *
	 * @since 0.3.0
	 *
	 * @param Capture $capture The capture service.
	 * @return void
	 */
	public static function register( Capture $capture ): void {
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( '\WP_CLI' ) ) {
			\WP_CLI::add_command( 'cartpinger consent', new self( $capture ) );
		}
	}
}
