<?php
/**
 * Scenario a2: activation refuses a WordPress older than 6.5 (contracts.md §2), leaves the
 * plugin inactive and installs nothing. The site's version is faked in memory only.
 * Two layers: WordPress itself (the "Requires at least" header, validate_plugin_requirements())
 * and the plugin's own activation guard (for callers that skip WordPress's check).
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

final class ActivationRefusedTest extends TestCase {

	private static function with_wp_version( string $version, callable $fn ): array {
		global $wp_version;
		$real       = $wp_version;
		$wp_version = $version;
		$died       = null;
		$result     = null;
		$level      = ob_get_level();
		ob_start();
		try {
			$result = $fn();
		} catch ( WpDieException $e ) {
			$died = $e->getMessage();
		} finally {
			// WordPress 6.7+ reads its version from version.php (wp_get_wp_version()), so the
			// faked global no longer stops activate_plugin() at the header: the plugin's own
			// guard refuses inside activate_plugin()'s output buffer, which wp_die() leaves open.
			$output = '';
			while ( ob_get_level() > $level ) {
				$output = (string) ob_get_clean() . $output;
			}
			$wp_version = $real;
		}
		return array( $result, $died, $output );
	}

	public function test_wordpress_refuses_activation_on_old_core_through_the_header(): void {
		list( $result, $died ) = self::with_wp_version( '6.4.5', static fn () => activate_plugin( self::PLUGIN ) );
		$this->assertTrue( is_wp_error( $result ) || null !== $died, 'activation on WordPress 6.4.5 was not refused' );
		if ( is_wp_error( $result ) ) {
			$this->assertSame( 'plugin_wp_incompatible', $result->get_error_code(), 'expected the "Requires at least" header to stop it' );
		}
		if ( function_exists( 'wp_get_wp_version' ) ) {
			// WordPress 6.7+: the header check sees the real version; the plugin's guard refused.
			$this->assertNotNull( $died, 'on WordPress 6.7+ the plugin\'s own guard refuses' );
		}
		$this->assertFalse( is_plugin_active( self::PLUGIN ), 'plugin active after a refused activation' );
		$this->assertFalse( self::table_exists( self::table( 'cartpinger_recoveries' ) ), 'tables created by a refused activation' );
	}

	public function test_plugin_activation_guard_refuses_old_core_with_a_message(): void {
		plugin_sandbox_scrape( self::PLUGIN ); // load the main file, as activate_plugin() would
		$this->assertTrue( function_exists( 'cartpinger_activate' ), 'main file has no cartpinger_activate()' );
		$hook = 'activate_' . self::PLUGIN;
		$this->assertNotFalse( has_action( $hook ), 'no activation hook registered' );
		list( , $died ) = self::with_wp_version( '6.4.5', static fn () => do_action( $hook, false ) );
		$this->assertNotNull( $died, 'the activation hook ran on WordPress 6.4.5 without refusing (no wp_die)' );
		$this->assertStringContainsString( '6.5', $died, 'the refusal names the required WordPress version' );
		$this->assertFalse( self::table_exists( self::table( 'cartpinger_recoveries' ) ), 'tables created by a refused activation' );
		$this->assertNull( self::raw_option( 'cartpinger_activated_at' ) );
	}
}
