<?php
/**
 * PHPUnit bootstrap of the WordPress integration tier: loads wp-load.php of the throwaway test
 * site that tests/wp/run.sh built (CARTPINGER_IT_WP_DIR). One PHPUnit process = one "request".
 *
 * Environment (set by run.sh per scenario):
 *   CARTPINGER_IT_WP_DIR   site root                       CARTPINGER_IT_DB     database name
 *   CARTPINGER_IT_ADMIN=1  this request is a wp-admin one  CARTPINGER_IT_USER   login of the current user
 *   CARTPINGER_IT_EXT=1|0  whether run.sh loaded the extension (asserted by the tests)
 *   CARTPINGER_IT_TIER     core|woo
 */
declare(strict_types=1);

// PHPUnit includes the bootstrap inside a function, WordPress expects the global scope (WP-CLI
// has the same problem and solves it the same way): the only variable wp-config.php creates is
// $table_prefix; wp-settings.php declares its own globals.
global $table_prefix, $wpdb, $wp, $wp_query, $wp_the_query, $wp_rewrite, $wp_roles, $wp_filter,
	$wp_actions, $wp_current_filter, $wp_version, $wp_db_version, $current_user, $pagenow,
	$menu, $submenu, $shortcode_tags, $wp_plugin_paths, $wp_locale, $wp_embed, $phpmailer;

$wp_dir = getenv( 'CARTPINGER_IT_WP_DIR' );
if ( ! $wp_dir || ! is_file( $wp_dir . '/wp-load.php' ) ) {
	fwrite( STDERR, "tests/wp/bootstrap.php: CARTPINGER_IT_WP_DIR does not point at the test site; run tests/wp/run.sh\n" );
	exit( 1 );
}

if ( getenv( 'CARTPINGER_IT_ADMIN' ) ) {
	define( 'WP_ADMIN', true );
	$_SERVER['REQUEST_URI'] = '/wp-admin/admin.php';
	$_SERVER['PHP_SELF']    = '/wp-admin/admin.php';
	$_SERVER['SCRIPT_NAME'] = '/wp-admin/admin.php';
} else {
	$_SERVER['REQUEST_URI'] = '/';
}
$_SERVER['HTTP_HOST']       = '127.0.0.1:8089';
$_SERVER['SERVER_NAME']     = '127.0.0.1';
$_SERVER['SERVER_PORT']     = '8089';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

// Output of the boot itself (a plugin echoing during load is a bug): captured and exposed.
ob_start();
require $wp_dir . '/wp-load.php';
$GLOBALS['cartpinger_it_boot_output'] = (string) ob_get_clean();

require_once ABSPATH . 'wp-admin/includes/plugin.php';
if ( is_admin() ) {
	require_once ABSPATH . 'wp-admin/includes/admin.php';
}

require __DIR__ . '/lib/TestCase.php';
