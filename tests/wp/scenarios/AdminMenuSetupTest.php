<?php
/**
 * Scenario g0 (woo tier): activates CartPinger and creates one user per role for the
 * per-user admin requests g-<role> and for h.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class AdminMenuSetupTest extends TestCase {

	public const USERS = array(
		'it-administrator' => 'administrator',
		'it-shop-manager'  => 'shop_manager',
		'it-customer'      => 'customer',
		'it-subscriber'    => 'subscriber',
	);

	public function test_activate_and_create_users(): void {
		list( $result, $output ) = self::activate();
		$this->assertActivated( $result, $output );
		foreach ( self::USERS as $login => $role ) {
			$this->assertNotNull( get_role( $role ), "role {$role} does not exist" );
			$id = wp_insert_user( array( 'user_login' => $login, 'user_pass' => wp_generate_password(), 'user_email' => $login . '@example.org', 'role' => $role ) );
			$this->assertIsInt( $id, is_wp_error( $id ) ? $id->get_error_message() : '' );
		}
		$this->assertTrue( user_can( get_user_by( 'login', 'it-shop-manager' ), 'manage_woocommerce' ) );
		$this->assertFalse( user_can( get_user_by( 'login', 'it-customer' ), 'manage_woocommerce' ) );
	}
}
