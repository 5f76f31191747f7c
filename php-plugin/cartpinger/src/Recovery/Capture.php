<?php
/**
 * Captures a shopper's phone, consent and cart before Place Order.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Recovery;

use CartPinger\Native\Exception\InvalidPhoneException;
use CartPinger\Native\Phone;
use CartPinger\Queue\Store;
use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * One capture, whatever the checkout: classic refresh, the tracker script, or Place Order.
 *
 * Never throws and never blocks: a failure is logged (WooCommerce logger, source
 * "cartpinger") and reported as a status.
 *
 * @since 0.2.0
 */
final class Capture {

	/**
	 * WooCommerce session key (and classic field name) of the shopper's consent choice.
	 *
	 * @since 0.2.0
	 */
	public const SESSION_CONSENT = 'cartpinger_whatsapp_consent';

	/**
	 * WooCommerce session key of the record a recovery link restored.
	 *
	 * @since 0.2.0
	 */
	public const SESSION_RECOVERY = 'cartpinger_recovery_id';

	/**
	 * WooCommerce session key of the records the session's last order closed.
	 *
	 * @since 0.3.0
	 */
	public const SESSION_ORDERED = 'cartpinger_ordered_ids';

	/**
	 * WooCommerce session key (and classic field name) of the shopper's order-updates consent.
	 *
	 * @since 0.3.0
	 */
	public const SESSION_UPDATES = 'cartpinger_whatsapp_updates';

	/**
	 * The settings service.
	 *
	 * @since 0.2.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * The records.
	 *
	 * @since 0.2.0
	 *
	 * @var Repository
	 */
	private Repository $records;

	/**
	 * The queue (to cancel what a revocation stops).
	 *
	 * @since 0.2.0
	 *
	 * @var Store
	 */
	private Store $queue;

	/**
	 * Creates the service.
	 *
	 * @since 0.2.0
	 *
	 * @param Settings   $settings Settings.
	 * @param Repository $records  Records.
	 * @param Store      $queue    Queue.
	 */
	public function __construct( Settings $settings, Repository $records, Store $queue ) {
		$this->settings = $settings;
		$this->records  = $records;
		$this->queue    = $queue;
	}

	/**
	 * The wording of a checkout consent as the shopper reads it (reminders by default: the
	 * consent a recovery record stands on).
	 *
	 * @since 0.2.0
	 *
	 * @param string $which ConsentText::REMINDERS or ConsentText::UPDATES.
	 * @return string
	 */
	public static function label( string $which = ConsentText::REMINDERS ): string {
		return self::texts()->text( $which );
	}

	/**
	 * The version recorded with a consent (a hash of the text shown).
	 *
	 * @since 0.3.0
	 *
	 * @param string $which ConsentText::REMINDERS or ConsentText::UPDATES.
	 * @return string
	 */
	public static function label_version( string $which = ConsentText::REMINDERS ): string {
		return self::texts()->version( $which );
	}

	/**
	 * The consent wordings of the booted plugin's settings.
	 *
	 * @since 0.3.0
	 *
	 * @return ConsentText
	 */
	public static function texts(): ConsentText {
		$plugin = \CartPinger\Plugin::instance();
		return new ConsentText( null !== $plugin ? $plugin->settings() : new Settings( new \CartPinger\Settings\SecretBox() ) );
	}

	/**
	 * Captures or revokes for the current session.
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $input Keys: phone, country, name, email (strings), consent (bool),
	 *                                    source (classic|block|order).
	 * @return string captured|revoked|empty|ordered|invalid_phone|no_session|rate_limited|disabled|error
	 */
	public function capture( array $input ): string {
		try {
			return $this->do_capture( $input );
		} catch ( \Throwable $e ) {
			self::log( 'Capture failed: ' . $e->getMessage() );
			return 'error';
		}
	}

	/**
	 * The body of capture().
	 *
	 * @since 0.2.0
	 *
	 * @param array<string, mixed> $input See capture().
	 * @return string
	 */
	private function do_capture( array $input ): string {
		if ( ! function_exists( 'WC' ) || null === WC()->session || null === WC()->cart ) {
			return 'no_session';
		}
		$consent = true === ( $input['consent'] ?? false );
		WC()->session->set( self::SESSION_CONSENT, $consent ? '1' : '0' );
		$session_key = self::session_key();
		$country     = strtoupper( substr( sanitize_text_field( (string) ( $input['country'] ?? '' ) ), 0, 2 ) );
		if ( '' === $country && null !== WC()->customer ) {
			$country = (string) WC()->customer->get_billing_country();
		}
		$raw_phone = sanitize_text_field( (string) ( $input['phone'] ?? '' ) );
		$phone     = '';
		if ( '' !== $raw_phone ) {
			try {
				$phone = Phone::to_e164( $raw_phone, ( 1 === preg_match( '/^[A-Z]{2}$/', $country ) ) ? $country : '' );
			} catch ( InvalidPhoneException $e ) {
				$phone = '';
				if ( $consent ) {
					return 'invalid_phone';
				}
			}
		}

		if ( ! $consent ) {
			// Only this session's own record: a phone number alone proves nothing (issue 11).
			$this->revoke( $session_key );
			return 'revoked';
		}
		if ( '' === $phone ) {
			return 'invalid_phone';
		}
		if ( ! $this->settings->get( 'recovery_enabled' ) ) {
			return 'disabled';
		}
		if ( WC()->cart->is_empty() ) {
			return 'empty';
		}
		// A consent needs a live session (its cookie came with the request, or a logged-in
		// shopper): a session made up for this request alone is not a checkout.
		if ( '' === $session_key || ! WC()->session->has_session() ) {
			return 'no_session';
		}

		// A cart restored by a recovery link stays that record, even when WooCommerce gave the
		// browser a new customer id since (login, a new session cookie): no second record.
		$linked = (int) WC()->session->get( self::SESSION_RECOVERY );
		$own    = 0;
		if ( $linked > 0 ) {
			// Only with the record's own phone: a forwarded link never lets its opener put
			// another phone on (or take consent off) the shopper's record.
			$record = $this->records->find( $linked );
			if ( null !== $record && (string) $record['customer_phone'] === $phone ) {
				$own = $linked;
				$this->records->adopt_session( $linked, $session_key );
			}
		}
		$snapshot = Snapshot::of_cart( WC()->cart );
		if ( array() === (array) ( $snapshot['lines'] ?? array() ) ) {
			return 'empty';
		}
		$existing = $this->records->find_by_session( $session_key );
		// This cart's record, closed by its order a moment ago (this request loaded the session
		// before Place Order emptied the cart, e.g. the tracker firing as the shopper clicked it):
		// the order is the end of it, not a new abandoned cart. Checked again under a row lock
		// in upsert_capture(), where an order closing the record at the same moment is seen.
		$guard = array_merge( array( $own, (int) ( $existing['id'] ?? 0 ) ), array_map( 'intval', (array) WC()->session->get( self::SESSION_ORDERED ) ) );
		if ( $this->records->ordered_cart( $guard, (string) wp_json_encode( $snapshot ) ) ) {
			return 'ordered';
		}
		// A new record, or a new phone on this session's record, counts against the limits.
		if ( ( null === $existing || (string) $existing['customer_phone'] !== $phone ) && ! CaptureGuard::admit() ) {
			return 'rate_limited';
		}
		$policy = Policy::build( $this->settings );
		$email  = sanitize_email( (string) ( $input['email'] ?? '' ) );
		if ( '' === $email && null !== WC()->customer ) {
			$email = (string) WC()->customer->get_billing_email();
		}
		$id = $this->records->upsert_capture(
			array(
				'session_key'   => $session_key,
				'phone'         => $phone,
				'name'          => mb_substr( sanitize_text_field( (string) ( $input['name'] ?? '' ) ), 0, 191 ),
				'email'         => strtolower( mb_substr( $email, 0, 191 ) ),
				'user_id'       => get_current_user_id(),
				'snapshot'      => (string) wp_json_encode( $snapshot ),
				'total_minor'   => (int) $snapshot['total_minor'],
				'currency'      => (string) $snapshot['currency'],
				'country'       => $country,
				'locale'        => self::shopper_locale(),
				'ip'            => CaptureGuard::hash_address( CaptureGuard::client_address() ),
				'label'         => self::label(),
				'label_version' => self::label_version(),
				'source'        => substr( sanitize_key( (string) ( $input['source'] ?? '' ) ), 0, 20 ),
				'next_check_at' => gmdate( 'Y-m-d H:i:s', time() + (int) $policy['delay'] ),
				'guard'         => $guard,
			)
		);
		if ( Repository::ORDERED === $id ) {
			return 'ordered';
		}
		if ( $id <= 0 ) {
			self::log( 'Capture could not be stored.' );
			return 'error';
		}
		return 'captured';
	}

	/**
	 * Revokes consent on the current session's own live record: it closes as expired
	 * (consent 0) and its pending messages are cancelled. Withdrawing a phone everywhere is for
	 * what proves control of the phone or the store: an inbound STOP, the privacy eraser or an
	 * administrator (revoke_phone()).
	 *
	 * @since 0.2.0
	 *
	 * @param string $session_key Hashed session key ('' revokes nothing).
	 * @return int Records closed.
	 */
	public function revoke( string $session_key ): int {
		if ( '' === $session_key ) {
			return 0;
		}
		return $this->close_revoked( array_map( static fn( $row ) => (int) $row['id'], $this->records->live_for_contact( $session_key, '', '' ) ) );
	}

	/**
	 * Withdraws a phone's consent on every live record (an administrator's act).
	 *
	 * @since 0.3.0
	 *
	 * @param string $phone E.164 phone.
	 * @return int Records closed.
	 */
	public function revoke_phone( string $phone ): int {
		if ( '' === $phone ) {
			return 0;
		}
		return $this->close_revoked( array_map( static fn( $row ) => (int) $row['id'], $this->records->live_for_contact( '', $phone, '' ) ) );
	}

	/**
	 * Closes records as revoked and cancels their pending messages.
	 *
	 * @since 0.3.0
	 *
	 * @param int[] $ids Record ids.
	 * @return int Records closed.
	 */
	private function close_revoked( array $ids ): int {
		if ( array() === $ids ) {
			return 0;
		}
		$closed = $this->records->close(
			$ids,
			'expired',
			'consent_revoked',
			array(
				'consent'    => 0,
				'revoked_at' => gmdate( 'Y-m-d H:i:s' ),
			)
		);
		$this->queue->cancel_for_recoveries( $ids, 'consent_revoked' );
		return $closed;
	}

	/**
	 * The hashed key of the current WooCommerce session ('' without one).
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public static function session_key(): string {
		if ( ! function_exists( 'WC' ) || null === WC()->session ) {
			return '';
		}
		$id = (string) WC()->session->get_customer_id();
		return '' === $id ? '' : hash( 'sha256', 'cartpinger-session|' . $id );
	}

	/**
	 * The shopper's locale: the account's locale, else the browser's first language, else the site's.
	 *
	 * @since 0.2.0
	 *
	 * @return string
	 */
	public static function shopper_locale(): string {
		if ( is_user_logged_in() ) {
			return get_user_locale();
		}
		$header = isset( $_SERVER['HTTP_ACCEPT_LANGUAGE'] ) ? sanitize_text_field( wp_unslash( $_SERVER['HTTP_ACCEPT_LANGUAGE'] ) ) : '';
		if ( 1 === preg_match( '/^\s*([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}))?/', $header, $m ) ) {
			return strtolower( $m[1] ) . ( isset( $m[2] ) ? '_' . strtoupper( $m[2] ) : '' );
		}
		return get_locale();
	}

	/**
	 * Logs to WooCommerce's logger (never to the shopper, never the PHP error log).
	 *
	 * @since 0.2.0
	 *
	 * @param string $message Message without personal data.
	 * @return void
	 */
	public static function log( string $message ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->warning( $message, array( 'source' => 'cartpinger' ) );
		}
	}
}
