<?php
/**
 * Scenario rr (woo tier, continues r0..r3: the plugin is active and the webhook credentials are
 * stored): every REST route under cartpinger/v1, enumerated from rest_get_server()->get_routes()
 * so that a route added later is covered without touching this file, dispatched with
 * rest_do_request() for each of its methods as an anonymous visitor, a customer, a shop manager
 * and an administrator.
 *
 * Expected:
 *   /cartpinger/v1             WordPress's own namespace index: public (200) for everyone.
 *   /cartpinger/v1/webhook     public by design (Meta calls it without a login): GET with a wrong
 *                              or missing verify token 403, POST with a wrong or missing
 *                              X-Hub-Signature-256 401, whoever the user is.
 *   /cartpinger/v1/track-cart  a valid wp_rest nonce and the checkout page's nonce are the gate:
 *                              403 without either or with a wrong one for every user; with the
 *                              user's own nonces it is let in.
 *   any other route            401/403 for anonymous and customer, anything but 401/403 for shop
 *                              manager and administrator (i.e. it requires manage_woocommerce).
 *   every request              never a 5xx.
 * Required arguments of a route are filled from its schema (type, enum, minimum), so a 400 for a
 * missing argument cannot hide a missing permission check.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class RestRolesTest extends TestCase {

	public const NS = 'cartpinger/v1';

	/** Role label => login (null: anonymous). Same logins as AdminMenuSetupTest (g0). */
	public const USERS = array(
		'anonymous'     => null,
		'customer'      => 'it-customer',
		'shop_manager'  => 'it-shop-manager',
		'administrator' => 'it-administrator',
	);

	private const ROLES = array(
		'it-customer'      => 'customer',
		'it-shop-manager'  => 'shop_manager',
		'it-administrator' => 'administrator',
	);

	private const PUBLIC_ROUTES = array( '/cartpinger/v1', '/cartpinger/v1/webhook', '/cartpinger/v1/track-cart' );

	public static function setUpBeforeClass(): void {
		foreach ( self::ROLES as $login => $role ) {
			if ( ! get_user_by( 'login', $login ) ) {
				$id = wp_insert_user( array( 'user_login' => $login, 'user_pass' => wp_generate_password(), 'user_email' => $login . '@example.org', 'role' => $role ) );
				if ( is_wp_error( $id ) ) {
					throw new \RuntimeException( $id->get_error_message() );
				}
			}
		}
	}

	protected function tearDown(): void {
		wp_set_current_user( 0 );
		parent::tearDown();
	}

	// ------------------------------------------------------------------ helpers

	/** @return array<string, array<int, array<string, mixed>>> route => handlers, under cartpinger/v1 */
	private static function routes(): array {
		$routes = array();
		foreach ( rest_get_server()->get_routes( self::NS ) as $route => $handlers ) {
			if ( '/' . self::NS === $route || str_starts_with( $route, '/' . self::NS . '/' ) ) {
				$routes[ $route ] = $handlers;
			}
		}
		ksort( $routes );
		return $routes;
	}

	/** @return string[] every method of a route's handlers */
	private static function methods( array $handlers ): array {
		$methods = array();
		foreach ( $handlers as $handler ) {
			foreach ( array_keys( (array) ( $handler['methods'] ?? array() ) ) as $method ) {
				$methods[] = (string) $method;
			}
		}
		return array_values( array_unique( $methods ) );
	}

	/** A concrete path for a route pattern: each (?P<name>regex) gets a value its regex accepts. */
	private static function path( string $route ): string {
		return (string) preg_replace_callback(
			'/\(\?P<(\w+)>((?:[^()]|\((?2)\))*)\)/',
			static function ( array $m ): string {
				foreach ( array( '1', 'a', 'abc', 'a1', 'it-1', 'A', '1-a' ) as $candidate ) {
					if ( 1 === @preg_match( '#^(?:' . $m[2] . ')$#', $candidate ) ) {
						return $candidate;
					}
				}
				return '1';
			},
			$route
		);
	}

	/** A value that a route argument's schema accepts. */
	private static function sample( array $schema ) {
		if ( isset( $schema['enum'] ) && is_array( $schema['enum'] ) && array() !== $schema['enum'] ) {
			return reset( $schema['enum'] );
		}
		$type = is_array( $schema['type'] ?? null ) ? reset( $schema['type'] ) : ( $schema['type'] ?? 'string' );
		switch ( $type ) {
			case 'integer':
			case 'number':
				return (int) ( $schema['minimum'] ?? 1 );
			case 'boolean':
				return true;
			case 'array':
				return array();
			case 'object':
				return array();
			default:
				if ( 'email' === ( $schema['format'] ?? '' ) ) {
					return 'it@example.org';
				}
				return str_pad( '+34612345678', (int) ( $schema['minLength'] ?? 0 ), '0' );
		}
	}

	/** Required arguments of the handler serving $method, filled with schema-valid values. */
	private static function params( array $handlers, string $method ): array {
		$params = array();
		foreach ( $handlers as $handler ) {
			if ( empty( $handler['methods'][ $method ] ) ) {
				continue;
			}
			foreach ( (array) ( $handler['args'] ?? array() ) as $name => $schema ) {
				if ( is_array( $schema ) && ! empty( $schema['required'] ) ) {
					$params[ $name ] = self::sample( $schema );
				}
			}
		}
		return $params;
	}

	private static function login( ?string $login ): void {
		if ( null === $login ) {
			wp_set_current_user( 0 );
			return;
		}
		$user = get_user_by( 'login', $login );
		if ( ! $user ) {
			throw new \RuntimeException( "test user {$login} missing" );
		}
		wp_set_current_user( $user->ID );
	}

	private static function dispatch( string $method, string $path, array $params = array(), array $headers = array(), ?string $body = null ): \WP_REST_Response {
		$request = new \WP_REST_Request( $method, $path );
		if ( in_array( $method, array( 'GET', 'DELETE', 'HEAD' ), true ) ) {
			$request->set_query_params( $params );
		} else {
			$request->set_body_params( $params );
		}
		foreach ( $headers as $name => $value ) {
			$request->set_header( $name, $value );
		}
		if ( null !== $body ) {
			$request->set_body( $body );
		}
		return rest_do_request( $request );
	}

	private static function describe( \WP_REST_Response $response ): string {
		$data = $response->get_data();
		$code = is_array( $data ) ? (string) ( $data['code'] ?? '' ) : '';
		return $response->get_status() . ( '' !== $code ? " {$code}" : '' );
	}

	/**
	 * The generic rule for a route that is not public by design: one line per violation.
	 *
	 * @return string[]
	 */
	private static function protected_route_violations( string $route, array $handlers ): array {
		$violations = array();
		$path       = self::path( $route );
		foreach ( self::methods( $handlers ) as $method ) {
			$params = self::params( $handlers, $method );
			foreach ( self::USERS as $role => $login ) {
				self::login( $login );
				$response = self::dispatch( $method, $path, $params );
				$status   = $response->get_status();
				$denied   = in_array( $status, array( 401, 403 ), true );
				$allowed  = in_array( $role, array( 'shop_manager', 'administrator' ), true );
				if ( $status >= 500 ) {
					$violations[] = "{$method} {$path} as {$role}: " . self::describe( $response ) . ' (5xx)';
				} elseif ( $allowed && $denied ) {
					$violations[] = "{$method} {$path} as {$role}: " . self::describe( $response ) . ' (a manage_woocommerce user must be let in)';
				} elseif ( ! $allowed && ! $denied ) {
					$violations[] = "{$method} {$path} as {$role}: " . self::describe( $response ) . ' (expected 401 or 403)';
				}
			}
		}
		self::login( null );
		return $violations;
	}

	// ------------------------------------------------------------------ tests

	public function test_the_plugin_registered_its_routes(): void {
		$this->assertNotNull( \CartPinger\Plugin::instance(), 'CartPinger did not boot (r0 activates it)' );
		$routes = array_keys( self::routes() );
		$this->assertContains( '/cartpinger/v1/webhook', $routes );
		$this->assertContains( '/cartpinger/v1/track-cart', $routes );
		fwrite( STDOUT, "\n[rr] routes under cartpinger/v1: " . implode( ', ', $routes ) . "\n" );
	}

	public function test_every_route_and_method_for_every_role(): void {
		$violations = array();
		$checked    = 0;
		foreach ( self::routes() as $route => $handlers ) {
			if ( in_array( $route, self::PUBLIC_ROUTES, true ) ) {
				continue; // Checked by the tests below.
			}
			$checked     += count( self::methods( $handlers ) ) * count( self::USERS );
			$violations = array_merge( $violations, self::protected_route_violations( $route, $handlers ) );
		}
		$this->assertSame( array(), $violations, "routes under cartpinger/v1 that do not require manage_woocommerce:\n" . implode( "\n", $violations ) );
		$this->addToAssertionCount( $checked );
	}

	public function test_namespace_index_is_public(): void {
		$handlers = self::routes()[ '/' . self::NS ] ?? null;
		$this->assertNotNull( $handlers, 'no namespace index route' );
		$this->assertSame( array( 'GET' ), self::methods( $handlers ) );
		foreach ( self::USERS as $role => $login ) {
			self::login( $login );
			$this->assertSame( 200, self::dispatch( 'GET', '/' . self::NS )->get_status(), "namespace index as {$role}" );
		}
	}

	public function test_webhook_is_public_and_refuses_bad_tokens_and_signatures(): void {
		$handlers = self::routes()['/cartpinger/v1/webhook'];
		$methods  = self::methods( $handlers );
		sort( $methods );
		$this->assertSame( array( 'GET', 'POST' ), $methods, 'the webhook route gained or lost a method: decide its rule here' );
		$body = '{"object":"whatsapp_business_account","entry":[]}';
		foreach ( self::USERS as $role => $login ) {
			self::login( $login );
			$cases = array(
				'GET without parameters'      => array( 403, self::dispatch( 'GET', '/cartpinger/v1/webhook' ) ),
				'GET with a wrong token'      => array(
					403,
					self::dispatch( 'GET', '/cartpinger/v1/webhook', array( 'hub_mode' => 'subscribe', 'hub_verify_token' => 'wrong-token', 'hub_challenge' => '12345' ) ),
				),
				'POST without a signature'    => array( 401, self::dispatch( 'POST', '/cartpinger/v1/webhook', array(), array( 'Content-Type' => 'application/json' ), $body ) ),
				'POST with a wrong signature' => array(
					401,
					self::dispatch( 'POST', '/cartpinger/v1/webhook', array(), array( 'Content-Type' => 'application/json', 'X-Hub-Signature-256' => 'sha256=' . str_repeat( '0', 64 ) ), $body ),
				),
			);
			foreach ( $cases as $what => list( $expected, $response ) ) {
				$this->assertSame( $expected, $response->get_status(), "webhook {$what} as {$role}: " . self::describe( $response ) );
			}
		}
	}

	public function test_track_cart_requires_a_valid_nonce_whoever_the_user_is(): void {
		$handlers = self::routes()['/cartpinger/v1/track-cart'];
		$this->assertSame( array( 'POST' ), self::methods( $handlers ), 'the track-cart route gained or lost a method: decide its rule here' );
		$params = self::params( $handlers, 'POST' );
		$this->assertSame( array( 'phone', 'consent' ), array_keys( $params ), 'required arguments of track-cart' );
		if ( function_exists( 'wc_load_cart' ) ) {
			wc_load_cart(); // So the nonce is made for the same (guest) session the permission check sees.
		}
		foreach ( self::USERS as $role => $login ) {
			self::login( $login );
			$none  = self::dispatch( 'POST', '/cartpinger/v1/track-cart', $params );
			$wrong = self::dispatch( 'POST', '/cartpinger/v1/track-cart', $params, array( 'X-WP-Nonce' => 'abcdef0123' ) );
			$this->assertSame( 403, $none->get_status(), "track-cart without a nonce as {$role}: " . self::describe( $none ) );
			$this->assertSame( 403, $wrong->get_status(), "track-cart with a wrong nonce as {$role}: " . self::describe( $wrong ) );
			$rest_only = self::dispatch( 'POST', '/cartpinger/v1/track-cart', $params, array( 'X-WP-Nonce' => wp_create_nonce( 'wp_rest' ) ) );
			$this->assertSame( 403, $rest_only->get_status(), "track-cart without the checkout page's nonce as {$role}: " . self::describe( $rest_only ) );
			$valid = self::dispatch(
				'POST',
				'/cartpinger/v1/track-cart',
				$params,
				array(
					'X-WP-Nonce'         => wp_create_nonce( 'wp_rest' ),
					'X-CartPinger-Nonce' => wp_create_nonce( \CartPinger\Rest\TrackCartController::NONCE_ACTION ),
				)
			);
			$this->assertNotContains( $valid->get_status(), array( 401, 403 ), "track-cart with the user's own nonce as {$role}: " . self::describe( $valid ) );
			$this->assertLessThan( 500, $valid->get_status(), "track-cart with a valid nonce as {$role}: " . self::describe( $valid ) );
		}
	}

	/**
	 * The harness itself: a route added under cartpinger/v1 shows up in the enumeration, an
	 * unprotected one is reported and one that requires manage_woocommerce passes. (Runs last:
	 * the fixture routes stay registered for the rest of this process.)
	 */
	public function test_harness_catches_an_unprotected_new_route(): void {
		register_rest_route(
			self::NS,
			'/it-open',
			array(
				'methods'             => 'GET',
				'callback'            => static fn () => new \WP_REST_Response( array( 'ok' => true ), 200 ),
				'permission_callback' => '__return_true',
			)
		);
		register_rest_route(
			self::NS,
			'/it-guarded/(?P<id>\d+)',
			array(
				'methods'             => 'POST',
				'callback'            => static fn () => new \WP_REST_Response( array( 'ok' => true ), 200 ),
				'permission_callback' => static fn () => current_user_can( 'manage_woocommerce' ),
				'args'                => array(
					'mode'  => array(
						'type'     => 'string',
						'enum'     => array( 'fast', 'slow' ),
						'required' => true,
					),
					'count' => array(
						'type'     => 'integer',
						'minimum'  => 3,
						'required' => true,
					),
				),
			)
		);
		$routes = self::routes();
		$this->assertArrayHasKey( '/cartpinger/v1/it-open', $routes );
		$this->assertArrayHasKey( '/cartpinger/v1/it-guarded/(?P<id>\d+)', $routes );
		$this->assertSame( '/cartpinger/v1/it-guarded/1', self::path( '/cartpinger/v1/it-guarded/(?P<id>\d+)' ) );
		$this->assertSame(
			array(
				'GET /cartpinger/v1/it-open as anonymous: 200 (expected 401 or 403)',
				'GET /cartpinger/v1/it-open as customer: 200 (expected 401 or 403)',
			),
			self::protected_route_violations( '/cartpinger/v1/it-open', $routes['/cartpinger/v1/it-open'] )
		);
		$this->assertSame( array(), self::protected_route_violations( '/cartpinger/v1/it-guarded/(?P<id>\d+)', $routes['/cartpinger/v1/it-guarded/(?P<id>\d+)'] ) );
	}
}
