<?php
/**
 * REST routes of the supporter licence.
 *
 * @package CartPinger
 * @since   0.2.0
 */

declare(strict_types=1);

namespace CartPinger\Rest;

use CartPinger\Licence\Licence;
use CartPinger\Support\RegistersHooks;
use WP_REST_Request;
use WP_REST_Response;

defined( 'ABSPATH' ) || exit;

/**
 * `POST /wp-json/cartpinger/v1/license` {license_key} activates, `DELETE` deactivates,
 * `GET` shows the state (key masked). `manage_woocommerce` only (the REST cookie nonce applies).
 * The same actions as the Supporter tab; nothing in the plugin depends on the licence.
 *
 * @since 0.2.0
 */
final class LicenceController implements RegistersHooks {

	/**
	 * The licence service.
	 *
	 * @since 0.2.0
	 *
	 * @var Licence
	 */
	private Licence $licence;

	/**
	 * Creates the controller.
	 *
	 * @since 0.2.0
	 *
	 * @param Licence $licence The licence service.
	 */
	public function __construct( Licence $licence ) {
		$this->licence = $licence;
	}

	/**
	 * Registers the hooks.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
	}

	/**
	 * Registers the routes.
	 *
	 * @since 0.2.0
	 *
	 * @return void
	 */
	public function register_routes(): void {
		$permission = static fn() => current_user_can( 'manage_woocommerce' );
		register_rest_route(
			'cartpinger/v1',
			'/license',
			array(
				array(
					'methods'             => 'GET',
					'callback'            => array( $this, 'show' ),
					'permission_callback' => $permission,
				),
				array(
					'methods'             => 'POST',
					'callback'            => array( $this, 'activate' ),
					'permission_callback' => $permission,
					'args'                => array(
						'license_key' => array(
							'type'      => 'string',
							'required'  => true,
							'maxLength' => 255,
						),
					),
				),
				array(
					'methods'             => 'DELETE',
					'callback'            => array( $this, 'deactivate' ),
					'permission_callback' => $permission,
				),
			)
		);
	}

	/**
	 * The state, key masked.
	 *
	 * @since 0.2.0
	 *
	 * @return WP_REST_Response
	 */
	public function show(): WP_REST_Response {
		$state = $this->licence->state();
		return new WP_REST_Response(
			array(
				'status'       => $state['status'],
				'key'          => $this->licence->is_active() ? $this->licence->masked_key() : '',
				'activated_at' => $state['activated_at'],
				'validated_at' => $state['validated_at'],
				'reason'       => $state['reason'],
				'last_error'   => $state['last_error'],
			),
			200
		);
	}

	/**
	 * Activates.
	 *
	 * @since 0.2.0
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public function activate( WP_REST_Request $request ): WP_REST_Response {
		$outcome = $this->licence->activate( (string) $request->get_param( 'license_key' ) );
		return new WP_REST_Response( $outcome, $outcome['ok'] ? 200 : 422 );
	}

	/**
	 * Deactivates.
	 *
	 * @since 0.2.0
	 *
	 * @return WP_REST_Response
	 */
	public function deactivate(): WP_REST_Response {
		$outcome = $this->licence->deactivate();
		return new WP_REST_Response( $outcome, $outcome['ok'] ? 200 : 400 );
	}
}
