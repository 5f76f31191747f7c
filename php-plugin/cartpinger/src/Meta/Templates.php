<?php
/**
 * The latest category and status Meta gave each template.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Meta;

use CartPinger\Native\Catalog;

defined( 'ABSPATH' ) || exit;

/**
 * Meta asks senders to route every template by its *latest* category ("Route template
 * messages by category"): kept here from the template list and from the
 * template_category_update webhook (the route switches only on a completed change; an
 * impending one is kept to tell the merchant), together with the template's status from
 * message_template_status_update (a paused or rejected template stops its recovery step).
 *
 * One option, keyed "name|language". Every time is UTC.
 *
 * @since 0.3.0
 */
final class Templates {

	/**
	 * Option holding the map.
	 *
	 * @since 0.3.0
	 */
	public const OPTION = 'cartpinger_template_meta';

	/**
	 * Statuses that stop a recovery step using the template.
	 *
	 * @since 0.3.0
	 */
	public const BLOCKING = array( 'PAUSED', 'REJECTED', 'DISABLED' );

	/**
	 * The whole map: "name|language" => category, status, impending (correct_category, at),
	 * changed (previous_category, new_category, at), updated_at.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function all(): array {
		$value = get_option( self::OPTION, array() );
		return is_array( $value ) ? $value : array();
	}

	/**
	 * Stores one entry (merged).
	 *
	 * @since 0.3.0
	 *
	 * @param string               $name     Template name.
	 * @param string               $language Language code.
	 * @param array<string, mixed> $values   Values to merge.
	 * @return void
	 */
	private static function put( string $name, string $language, array $values ): void {
		$all                       = self::all();
		$key                       = $name . '|' . $language;
		$all[ $key ]               = array_merge( is_array( $all[ $key ] ?? null ) ? $all[ $key ] : array(), $values );
		$all[ $key ]['name']       = $name;
		$all[ $key ]['language']   = $language;
		$all[ $key ]['updated_at'] = gmdate( 'Y-m-d H:i:s' );
		update_option( self::OPTION, $all, false );
	}

	/**
	 * The catalog's category of a template ('' for a template CartPinger does not ship).
	 *
	 * @since 0.3.0
	 *
	 * @param string $name Template name.
	 * @return string
	 */
	public static function catalog_category( string $name ): string {
		static $categories = null;
		if ( null === $categories ) {
			$categories = array();
			foreach ( Catalog::templates() as $template ) {
				$categories[ (string) $template['name'] ] = (string) $template['category'];
			}
		}
		return $categories[ $name ] ?? '';
	}

	/**
	 * The category to route a template on: Meta's latest for this language, else for any
	 * language of the name, else the catalog's, else UTILITY.
	 *
	 * @since 0.3.0
	 *
	 * @param string $name     Template name.
	 * @param string $language Language code.
	 * @return string MARKETING, UTILITY, AUTHENTICATION.
	 */
	public static function category( string $name, string $language ): string {
		$all   = self::all();
		$entry = $all[ $name . '|' . $language ] ?? null;
		if ( is_array( $entry ) && '' !== (string) ( $entry['category'] ?? '' ) ) {
			return (string) $entry['category'];
		}
		foreach ( $all as $row ) {
			if ( is_array( $row ) && ( $row['name'] ?? '' ) === $name && '' !== (string) ( $row['category'] ?? '' ) ) {
				return (string) $row['category'];
			}
		}
		$catalog = self::catalog_category( $name );
		return '' !== $catalog ? $catalog : 'UTILITY';
	}

	/**
	 * Meta's last known status of a template ('' when unknown).
	 *
	 * @since 0.3.0
	 *
	 * @param string $name     Template name.
	 * @param string $language Language code.
	 * @return string
	 */
	public static function status( string $name, string $language ): string {
		$entry = self::all()[ $name . '|' . $language ] ?? null;
		return is_array( $entry ) ? (string) ( $entry['status'] ?? '' ) : '';
	}

	/**
	 * Keeps category and status of every template of a Sender::list_templates() answer.
	 *
	 * @since 0.3.0
	 *
	 * @param array<int, array<string, mixed>> $templates The "templates" list.
	 * @return void
	 */
	public static function sync( array $templates ): void {
		$all = self::all();
		$now = gmdate( 'Y-m-d H:i:s' );
		foreach ( $templates as $row ) {
			if ( ! is_array( $row ) || ! is_string( $row['name'] ?? null ) || ! is_string( $row['language'] ?? null ) ) {
				continue;
			}
			$key         = $row['name'] . '|' . $row['language'];
			$all[ $key ] = array_merge(
				is_array( $all[ $key ] ?? null ) ? $all[ $key ] : array(),
				array(
					'name'       => $row['name'],
					'language'   => $row['language'],
					'category'   => strtoupper( (string) ( $row['category'] ?? '' ) ),
					'status'     => strtoupper( (string) ( $row['status'] ?? '' ) ),
					'id'         => (string) ( $row['id'] ?? '' ),
					'updated_at' => $now,
				)
			);
		}
		// One write for the whole list.
		update_option( self::OPTION, $all, false );
	}

	/**
	 * Applies a template_category_update or message_template_status_update event.
	 *
	 * @since 0.3.0
	 *
	 * @param array<string, mixed> $event An "account" event of Webhook::parse().
	 * @return bool Whether it was one of these.
	 */
	public static function apply_event( array $event ): bool {
		$field    = (string) ( $event['field'] ?? '' );
		$value    = is_array( $event['value'] ?? null ) ? $event['value'] : array();
		$name     = (string) ( $value['message_template_name'] ?? '' );
		$language = (string) ( $value['message_template_language'] ?? '' );
		if ( '' === $name || '' === $language ) {
			return in_array( $field, array( 'template_category_update', 'message_template_status_update' ), true );
		}
		if ( 'template_category_update' === $field ) {
			$change = (string) ( $event['category_change'] ?? '' );
			if ( 'impending' === $change ) {
				// Monitoring information only: Meta says not to route on correct_category.
				$at = $event['category_update_at'] ?? null;
				self::put(
					$name,
					$language,
					array(
						'impending' => array(
							'correct_category' => (string) ( $event['correct_category'] ?? '' ),
							'at'               => is_int( $at ) ? gmdate( 'Y-m-d H:i:s', $at ) : '',
							'current'          => strtoupper( (string) ( $value['new_category'] ?? '' ) ),
							'noticed_at'       => gmdate( 'Y-m-d H:i:s' ),
						),
					)
				);
				/**
				 * Fires when Meta announces that a template's category will change.
				 *
				 * @since 0.3.0
				 *
				 * @param string               $name     Template name.
				 * @param string               $language Language code.
				 * @param array<string, mixed> $event    The webhook event.
				 */
				do_action( 'cartpinger_template_category_impending', $name, $language, $event );
			} elseif ( 'completed' === $change ) {
				self::put(
					$name,
					$language,
					array(
						'category'  => (string) ( $event['new_category'] ?? '' ),
						'impending' => null,
						'changed'   => array(
							'previous_category' => (string) ( $event['previous_category'] ?? '' ),
							'new_category'      => (string) ( $event['new_category'] ?? '' ),
							'at'                => gmdate( 'Y-m-d H:i:s' ),
						),
					)
				);
				/**
				 * Fires when Meta changed a template's category (sends now route on it).
				 *
				 * @since 0.3.0
				 *
				 * @param string               $name     Template name.
				 * @param string               $language Language code.
				 * @param array<string, mixed> $event    The webhook event.
				 */
				do_action( 'cartpinger_template_category_changed', $name, $language, $event );
			}
			return true;
		}
		if ( 'message_template_status_update' === $field ) {
			$status = strtoupper( (string) ( $value['event'] ?? '' ) );
			if ( '' !== $status ) {
				self::put(
					$name,
					$language,
					array(
						'status'        => $status,
						'status_reason' => (string) ( $value['reason'] ?? '' ),
					)
				);
			}
			return true;
		}
		return false;
	}

	/**
	 * What the merchant should be told: impending category changes (and the last completed
	 * ones, for a week), each with name, language, kind (impending|changed), from, to, at.
	 *
	 * @since 0.3.0
	 *
	 * @return list<array{name: string, language: string, kind: string, from: string, to: string, at: string}>
	 */
	public static function notices(): array {
		$out = array();
		foreach ( self::all() as $row ) {
			if ( ! is_array( $row ) ) {
				continue;
			}
			if ( is_array( $row['impending'] ?? null ) ) {
				$out[] = array(
					'name'     => (string) $row['name'],
					'language' => (string) $row['language'],
					'kind'     => 'impending',
					'from'     => (string) ( $row['impending']['current'] ?? ( $row['category'] ?? '' ) ),
					'to'       => (string) ( $row['impending']['correct_category'] ?? '' ),
					'at'       => (string) ( $row['impending']['at'] ?? '' ),
				);
			} elseif ( is_array( $row['changed'] ?? null ) && (int) strtotime( (string) ( $row['changed']['at'] ?? '' ) . ' UTC' ) > time() - WEEK_IN_SECONDS ) {
				$out[] = array(
					'name'     => (string) $row['name'],
					'language' => (string) $row['language'],
					'kind'     => 'changed',
					'from'     => (string) ( $row['changed']['previous_category'] ?? '' ),
					'to'       => (string) ( $row['changed']['new_category'] ?? '' ),
					'at'       => (string) ( $row['changed']['at'] ?? '' ),
				);
			}
		}
		return $out;
	}
}
