<?php
/**
 * Scenario f2: a wp-admin request by an administrator, plugin active, no extension.
 * The requirements notice explains the missing extension; nothing fatals.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class NoExtensionAdminTest extends TestCase {

	public function test_admin_request_boots_without_fatal(): void {
		$this->assertTrue( is_admin() );
		$this->assertTrue( is_plugin_active( self::PLUGIN ) );
		$this->assertTrue( defined( 'CARTPINGER_VERSION' ), 'plugin not loaded by WordPress' );
		$this->assertSame( 'admin', wp_get_current_user()->user_login );
		$this->assertSame( '', (string) ( $GLOBALS['cartpinger_it_boot_output'] ?? '' ), 'output while WordPress booted' );
	}

	public function test_requirements_notice_mentions_the_extension(): void {
		set_current_screen( 'dashboard' );
		ob_start();
		do_action( 'admin_notices' );
		$html = (string) ob_get_clean();
		$this->assertStringContainsString( 'cartpinger-requirements', $html, "no cartpinger-requirements notice in admin_notices output:\n" . $html );
		$this->assertMatchesRegularExpression( '/<div[^>]*class="[^"]*\bnotice\b[^"]*\bnotice-error\b[^"]*\bcartpinger-requirements\b/', $html, 'notice classes are "notice notice-error cartpinger-requirements"' );
		$notices = self::cartpinger_notices( $html );
		$ext     = array_filter( $notices, static fn ( $n ) => (bool) preg_match( '/\bextension\b/i', $n ) );
		$this->assertNotEmpty( $ext, "no CartPinger notice mentions the extension:\n" . implode( "\n---\n", $notices ) );
		if ( ! self::woo_tier() ) {
			$woo = array_filter( $notices, static fn ( $n ) => false !== stripos( $n, 'WooCommerce' ) );
			$this->assertNotEmpty( $woo, 'WooCommerce is not active here: a notice should say so' );
		}
	}

	public function test_notice_names_the_exact_native_file_and_the_commands(): void {
		$dir = sys_get_temp_dir() . '/cartpinger-native-' . getmypid();
		@mkdir( $dir );
		$env = array(
			'extension_loaded' => false,
			'php_version'      => '8.4.27',
			'zts'              => false,
			'os'               => 'Linux',
			'machine'          => 'aarch64',
			'libc'             => 'gnu',
			'native_dir'       => $dir,
			'extension_dir'    => '/usr/lib/php/20240924',
			'ini_scan_dir'     => '/etc/php/8.4/fpm/conf.d',
		);
		$file = 'cartpinger-php8.4-nts-aarch64-linux-gnu.so';
		$this->assertSame( $file, ( new \CartPinger\Requirements( $env ) )->native_file() );
		$this->assertSame( 'cartpinger-php8.3-zts-x86_64-linux-musl.so', \CartPinger\Requirements::binary_name( '8.3', true, 'amd64', 'musl' ) );
		$this->assertSame( 'cartpinger-php8.5-nts-aarch64-linux-gnu.so', \CartPinger\Requirements::binary_name( '8.5', false, 'arm64', 'gnu' ) );

		// The file is shipped: the notice names it and gives the commands per system.
		file_put_contents( "$dir/$file", 'x' );
		$html = ( new \CartPinger\Requirements( $env ) )->notice_html( \CartPinger\Requirements::FAIL_EXTENSION_MISSING );
		foreach ( array(
			'PHP 8.4 (NTS, aarch64, glibc)',
			"native/$file",
			'extension=cartpinger',
			"sudo install -m 0644 $dir/$file /usr/lib/php/20240924/cartpinger.so",
			'sudo phpenmod -v 8.4 cartpinger',
			'/etc/php.d/40-cartpinger.ini',
			'docker-php-ext-enable cartpinger',
			'COPY wp-content/plugins/cartpinger/native/' . $file,
		) as $needle ) {
			$this->assertStringContainsString( esc_html( $needle ), $html, "missing '$needle' in:\n$html" );
		}
		$this->assertStringNotContainsString( 'no prebuilt extension', $html );

		// Another PHP (ZTS here): no file matches; the notice lists what is there and how to build.
		$html = ( new \CartPinger\Requirements( array( 'zts' => true ) + $env ) )->notice_html( \CartPinger\Requirements::FAIL_EXTENSION_MISSING );
		$this->assertStringContainsString( 'cartpinger-php8.4-zts-aarch64-linux-gnu.so', $html );
		$this->assertStringContainsString( 'no prebuilt extension for this server', $html );
		$this->assertStringContainsString( $file, $html, 'lists the files native/ has' );
		$this->assertStringContainsString( './build.sh', $html );
		$this->assertStringContainsString( 'pie install cartpinger/cartpinger', $html );
		unlink( "$dir/$file" );
		rmdir( $dir );
	}

	public function test_no_notice_for_users_who_cannot_activate_plugins(): void {
		$id = wp_insert_user( array( 'user_login' => 'f2-editor', 'user_pass' => wp_generate_password(), 'user_email' => 'f2-editor@example.org', 'role' => 'editor' ) );
		$this->assertIsInt( $id );
		wp_set_current_user( $id );
		set_current_screen( 'dashboard' );
		ob_start();
		do_action( 'admin_notices' );
		$html = (string) ob_get_clean();
		wp_set_current_user( 1 );
		$this->assertStringNotContainsString( 'cartpinger-requirements', $html, 'an editor (no activate_plugins) sees the requirements notice' );
	}

	public function test_nothing_registered_on_storefront_hooks(): void {
		$this->assertSame( array(), self::storefront_callbacks(), 'CartPinger hooks storefront/WooCommerce hooks without its extension' );
	}

	/** @return string[] inner HTML of each cartpinger-requirements notice */
	public static function cartpinger_notices( string $html ): array {
		preg_match_all( '/<div[^>]*cartpinger-requirements[^>]*>(.*?)<\/div>/s', $html, $m );
		return $m[1];
	}

	public static function storefront_callbacks(): array {
		$front = array( 'wp_head', 'wp_footer', 'wp_body_open', 'wp_enqueue_scripts', 'template_redirect', 'template_include', 'the_content', 'wp', 'parse_request', 'rest_api_init', 'wp_print_scripts', 'wp_print_footer_scripts', 'body_class', 'script_loader_tag' );
		// The one exception: order status changes are recorded for later (Orders\Backlog, a plain
		// INSERT on the admin/checkout side, never output), issue 17 point 4.
		$backlog = array( 'woocommerce_order_status_processing', 'woocommerce_order_status_completed', 'woocommerce_order_status_cancelled' );
		return self::cartpinger_callbacks(
			static fn ( string $hook ) => ! in_array( $hook, $backlog, true ) && in_array( $hook, $front, true )
				|| ! in_array( $hook, $backlog, true ) && str_starts_with( $hook, 'woocommerce_' )
				|| str_starts_with( $hook, 'wc_' )
				|| str_starts_with( $hook, 'wp_ajax_nopriv_' )
				|| str_starts_with( $hook, 'render_block' )
		);
	}
}
