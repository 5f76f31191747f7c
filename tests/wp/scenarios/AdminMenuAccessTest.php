<?php
/**
 * Scenario g-<role> (woo tier): one wp-admin request per user (CARTPINGER_IT_USER), asking for
 * admin.php?page=cartpinger. wp-admin/menu.php runs for real (it ends with WordPress's own
 * user_can_access_admin_page() check, which wp_die()s when access is denied); the other
 * CartPinger pages are then checked the way wp-admin/admin.php does. Allowed users also get
 * each page rendered.
 *
 * CARTPINGER_IT_EXPECT_ACCESS=1|0 says what this user should get.
 * (admin_init is not fired: WooCommerce redirects customers out of wp-admin there and exits.)
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class AdminMenuAccessTest extends TestCase {

	public const PAGES = array( 'cartpinger', 'cartpinger-setup', 'cartpinger-templates', 'cartpinger-settings' );

	private static ?string $menu_php_denied = null;

	/** $menu as registered, before wp-admin/includes/menu.php re-sorts and re-keys it. */
	private static array $registered_menu = array();

	private static function expect_access(): bool {
		return '1' === getenv( 'CARTPINGER_IT_EXPECT_ACCESS' );
	}

	/** Runs wp-admin/menu.php once, as wp-admin/admin.php?page=cartpinger would. */
	private static function load_admin_menu(): void {
		global $menu, $submenu, $_wp_menu_nopriv, $_wp_submenu_nopriv, $_registered_pages, $_parent_pages,
			$admin_page_hooks, $_wp_real_parent_file, $pagenow, $typenow, $plugin_page, $parent_file,
			$submenu_file, $menu_order, $default_menu_order, $compat, $self, $title, $hook_suffix, $wp_importers;
		static $loaded = false;
		if ( $loaded ) {
			return;
		}
		$loaded        = true;
		$pagenow       = 'admin.php';
		$typenow       = '';
		$_GET['page']  = 'cartpinger';
		$plugin_page   = 'cartpinger';
		$_REQUEST['page'] = 'cartpinger';
		add_action(
			'admin_menu',
			static function () {
				self::$registered_menu = (array) $GLOBALS['menu'];
			},
			PHP_INT_MAX
		);
		try {
			require ABSPATH . 'wp-admin/menu.php';
		} catch ( WpDieException $e ) {
			self::$menu_php_denied = $e->getMessage();
		}
	}

	/** admin.php's own checks for ?page=$slug after menu.php. */
	private static function can_open( string $slug ): bool {
		global $plugin_page, $pagenow;
		$plugin_page = $slug;
		$pagenow     = 'admin.php';
		if ( ! user_can_access_admin_page() ) {
			return false;
		}
		$hook = get_plugin_page_hook( $slug, 'admin.php' ) ?? get_plugin_page_hook( $slug, $slug );
		return null !== $hook;
	}

	public function test_current_user_is_the_one_asked_for(): void {
		$this->assertTrue( is_admin() );
		$this->assertSame( getenv( 'CARTPINGER_IT_USER' ), wp_get_current_user()->user_login );
		$this->assertNotNull( \CartPinger\Plugin::instance(), 'CartPinger did not boot (WooCommerce and extension present)' );
	}

	public function test_page_access(): void {
		self::load_admin_menu();
		$user = wp_get_current_user();
		if ( self::expect_access() ) {
			$this->assertTrue( user_can( $user, 'manage_woocommerce' ) );
			$this->assertNull( self::$menu_php_denied, 'wp-admin/menu.php denied admin.php?page=cartpinger: ' . (string) self::$menu_php_denied );
			foreach ( self::PAGES as $slug ) {
				$this->assertTrue( self::can_open( $slug ), "{$user->user_login} cannot open admin.php?page={$slug}" );
			}
		} else {
			$this->assertFalse( user_can( $user, 'manage_woocommerce' ) );
			$this->assertNotNull( self::$menu_php_denied, "{$user->user_login} was let into admin.php?page=cartpinger" );
			foreach ( self::PAGES as $slug ) {
				$this->assertFalse( self::can_open( $slug ), "{$user->user_login} can open admin.php?page={$slug}" );
			}
		}
	}

	public function test_menu_entries(): void {
		global $menu, $submenu;
		self::load_admin_menu();
		$top = null;
		foreach ( self::$registered_menu as $position => $item ) {
			if ( 'cartpinger' === ( $item[2] ?? null ) ) {
				$top = array( $position, $item );
			}
		}
		$subs = array_map( static fn ( $i ) => $i[2], $submenu['cartpinger'] ?? array() );
		if ( self::expect_access() ) {
			$this->assertNotNull( $top, 'no top-level CartPinger menu' );
			list( $position, $item ) = $top;
			$this->assertSame( 'manage_woocommerce', $item[1], 'top-level capability' );
			$this->assertSame( 'dashicons-format-chat', $item[6] ?? null, 'menu icon' );
			$this->assertSame( 58, (int) floor( (float) $position ), 'menu position 58' );
			$this->assertSame( self::PAGES, array_values( array_intersect( $subs, self::PAGES ) ), 'submenus (in order)' );
			foreach ( $submenu['cartpinger'] as $sub ) {
				$this->assertSame( 'manage_woocommerce', $sub[1], "capability of submenu {$sub[2]}" );
			}
		} else {
			$this->assertSame( array(), $subs, 'CartPinger submenus visible to a user without manage_woocommerce' );
		}
	}

	public function test_allowed_users_get_each_page_rendered_with_a_heading(): void {
		if ( ! self::expect_access() ) {
			$this->assertFalse( current_user_can( 'manage_woocommerce' ) );
			return;
		}
		self::load_admin_menu();
		foreach ( self::PAGES as $slug ) {
			$hook = get_plugin_page_hook( $slug, 'admin.php' ) ?? get_plugin_page_hook( $slug, $slug );
			$this->assertNotNull( $hook, "no page hook for {$slug}" );
			set_current_screen( $hook );
			ob_start();
			try {
				do_action( $hook );
			} finally {
				$html = (string) ob_get_clean();
			}
			$this->assertMatchesRegularExpression( '/<h1[\s>]/i', $html, "page {$slug} renders no <h1>:\n" . substr( $html, 0, 500 ) );
		}
	}

	public function test_no_requirements_notice_when_everything_is_there(): void {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			$this->assertTrue( true );
			return;
		}
		set_current_screen( 'dashboard' );
		ob_start();
		do_action( 'admin_notices' );
		$html = (string) ob_get_clean();
		$this->assertStringNotContainsString( 'cartpinger-requirements', $html, "requirements notice although WooCommerce and the extension are there:\n" . $html );
	}
}
