<?php
/**
 * The two WhatsApp consents shown at checkout: their wording and the version recorded with them.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * Order updates (utility messages) and cart reminders/offers (marketing messages) are asked for
 * separately. Each wording is a setting; empty means the translated default, which names the
 * shop, says how many reminders may come, how to stop them, and where the privacy policy is.
 *
 * Placeholders the merchant may use: {shop}, {reminders} ("up to 3 reminders"), {privacy_policy}
 * (a link to the privacy policy page on the classic checkout, the words on the block checkout).
 *
 * The version recorded with a consent is a hash of the exact plain text the shopper saw, so a
 * changed wording is a new version without anyone having to remember to bump a constant.
 *
 * @since 0.3.0
 */
final class ConsentText {

	/**
	 * Order updates (utility).
	 *
	 * @since 0.3.0
	 */
	public const UPDATES = 'updates';

	/**
	 * Cart reminders and offers (marketing).
	 *
	 * @since 0.3.0
	 */
	public const REMINDERS = 'reminders';

	/**
	 * The settings service.
	 *
	 * @since 0.3.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Creates the service.
	 *
	 * @since 0.3.0
	 *
	 * @param Settings $settings Settings.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * The translated default wording of a consent (with placeholders).
	 *
	 * @since 0.3.0
	 *
	 * @param string $which Either self::UPDATES or self::REMINDERS.
	 * @return string
	 */
	public static function default_template( string $which ): string {
		if ( self::UPDATES === $which ) {
			/* translators: Checkout consent for order messages. Keep {shop} and {privacy_policy}: they become the shop's name and a link to its privacy policy. */
			return __( 'Send me updates about my order from {shop} on WhatsApp (confirmation, shipping, cancellation). Reply STOP at any time to stop them. See our {privacy_policy}.', 'cartpinger-for-woocommerce' );
		}
		/* translators: Checkout consent for cart reminders. Keep {reminders}, {shop} and {privacy_policy}: they become "up to 3 reminders", the shop's name and a link to its privacy policy. */
		return __( 'Remind me on WhatsApp if I leave items in my cart: {reminders} from {shop}, which may include a discount code. Reply STOP at any time to stop them. See our {privacy_policy}.', 'cartpinger-for-woocommerce' );
	}

	/**
	 * The setting key holding a consent's wording.
	 *
	 * @since 0.3.0
	 *
	 * @param string $which Either self::UPDATES or self::REMINDERS.
	 * @return string
	 */
	public static function setting_key( string $which ): string {
		return self::UPDATES === $which ? 'consent_updates_text' : 'consent_reminders_text';
	}

	/**
	 * The wording with placeholders (the merchant's, or the default).
	 *
	 * @since 0.3.0
	 *
	 * @param string $which Either self::UPDATES or self::REMINDERS.
	 * @return string
	 */
	public function template( string $which ): string {
		$saved = trim( (string) $this->settings->get( self::setting_key( $which ) ) );
		return '' !== $saved ? $saved : self::default_template( $which );
	}

	/**
	 * How many reminders a cart may get with the current settings (and filters).
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public function reminder_count(): int {
		$policy = Policy::build( $this->settings );
		if ( ! $policy['followups'] ) {
			return 1;
		}
		return $policy['followup_2_enabled'] ? 3 : 2;
	}

	/**
	 * The plain text the shopper reads (the block checkout shows exactly this).
	 *
	 * @since 0.3.0
	 *
	 * @param string $which Either self::UPDATES or self::REMINDERS.
	 * @return string
	 */
	public function text( string $which ): string {
		return $this->fill( $which, __( 'privacy policy', 'cartpinger-for-woocommerce' ) );
	}

	/**
	 * The same text as HTML with the privacy policy linked (classic checkout).
	 *
	 * @since 0.3.0
	 *
	 * @param string $which Either self::UPDATES or self::REMINDERS.
	 * @return string Safe HTML.
	 */
	public function html( string $which ): string {
		$words = __( 'privacy policy', 'cartpinger-for-woocommerce' );
		$url   = function_exists( 'get_privacy_policy_url' ) ? get_privacy_policy_url() : '';
		$parts = explode( '{privacy_policy}', $this->template( $which ) );
		$out   = array();
		foreach ( $parts as $part ) {
			$out[] = esc_html( $this->replace( $part ) );
		}
		$link = '' === $url ? esc_html( $words ) : sprintf( '<a href="%s" target="_blank" rel="noopener">%s</a>', esc_url( $url ), esc_html( $words ) );
		return implode( $link, $out );
	}

	/**
	 * The version recorded with the consent: a short hash of the exact text shown.
	 *
	 * @since 0.3.0
	 *
	 * @param string $which Either self::UPDATES or self::REMINDERS.
	 * @return string Up to 32 characters, e.g. "reminders-1a2b3c4d5e6f".
	 */
	public function version( string $which ): string {
		return substr( $which . '-' . substr( hash( 'sha256', $this->text( $which ) ), 0, 12 ), 0, 32 );
	}

	/**
	 * Fills every placeholder.
	 *
	 * @since 0.3.0
	 *
	 * @param string $which   Either self::UPDATES or self::REMINDERS.
	 * @param string $privacy What {privacy_policy} becomes.
	 * @return string
	 */
	private function fill( string $which, string $privacy ): string {
		return str_replace( '{privacy_policy}', $privacy, $this->replace( $this->template( $which ) ) );
	}

	/**
	 * Replaces {shop} and {reminders}.
	 *
	 * @since 0.3.0
	 *
	 * @param string $text Text with placeholders.
	 * @return string
	 */
	private function replace( string $text ): string {
		$count = $this->reminder_count();
		return strtr(
			$text,
			array(
				'{shop}'      => wp_specialchars_decode( (string) get_bloginfo( 'name' ), ENT_QUOTES ),
				/* translators: %d: how many WhatsApp reminders a cart may get (1 to 3). */
				'{reminders}' => sprintf( _n( 'up to %d reminder', 'up to %d reminders', $count, 'cartpinger-for-woocommerce' ), $count ),
			)
		);
	}
}
