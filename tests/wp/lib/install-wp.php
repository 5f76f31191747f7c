<?php
/**
 * Installs the throwaway test site (database from CARTPINGER_IT_DB) with wp_install().
 * Run by tests/wp/run.sh: php tests/wp/lib/install-wp.php
 */
declare(strict_types=1);

$wp_dir = getenv( 'CARTPINGER_IT_WP_DIR' );
if ( ! $wp_dir || ! is_file( $wp_dir . '/wp-config.php' ) ) {
	fwrite( STDERR, "CARTPINGER_IT_WP_DIR is not a configured WordPress\n" );
	exit( 1 );
}

define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST']   = '127.0.0.1:8089';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';

require $wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if ( is_blog_installed() ) {
	fwrite( STDERR, "already installed\n" );
	exit( 1 );
}

$result = wp_install( 'IT Shop', 'admin', 'admin@example.org', false, '', 'admin-password-' . bin2hex( random_bytes( 4 ) ) );
if ( empty( $result['user_id'] ) ) {
	fwrite( STDERR, "wp_install failed\n" );
	exit( 1 );
}
update_option( 'permalink_structure', '/%postname%/' );
update_option( 'timezone_string', 'Europe/Madrid' ); // non-UTC on purpose: stored datetimes must be UTC
echo 'installed ', get_option( 'siteurl' ), ' db_version ', get_option( 'db_version' ), PHP_EOL;
