<?php
/**
 * Router for PHP's built-in web server (tests/stack/up.sh): pretty permalinks for WordPress.
 *
 * Existing static files are served by the server itself; existing PHP files (wp-login.php,
 * wp-admin/*.php, wp-cron.php…) and directories with an index.php run as themselves; every
 * other path (/shop/, /checkout/, /wp-json/…) goes to WordPress's index.php. This file runs in
 * the global scope on purpose: WordPress's entry files expect their variables to be globals.
 */

$cartpinger_demo_root = rtrim( (string) $_SERVER['DOCUMENT_ROOT'], '/' );
$cartpinger_demo_path = rawurldecode( (string) parse_url( (string) $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( str_contains( $cartpinger_demo_path, '..' ) || str_contains( $cartpinger_demo_path, "\0" ) ) {
	http_response_code( 400 );
	return true;
}
$cartpinger_demo_file = $cartpinger_demo_root . $cartpinger_demo_path;
if ( '/' !== $cartpinger_demo_path && is_dir( $cartpinger_demo_file ) ) {
	if ( ! str_ends_with( $cartpinger_demo_path, '/' ) ) {
		// /wp-admin -> /wp-admin/ (what Apache's mod_dir does).
		$cartpinger_demo_qs = (string) parse_url( (string) $_SERVER['REQUEST_URI'], PHP_URL_QUERY );
		header( 'Location: ' . $cartpinger_demo_path . '/' . ( '' !== $cartpinger_demo_qs ? '?' . $cartpinger_demo_qs : '' ), true, 301 );
		return true;
	}
	if ( is_file( $cartpinger_demo_file . 'index.php' ) ) {
		$cartpinger_demo_path .= 'index.php';
		$cartpinger_demo_file .= 'index.php';
	} else {
		return false;
	}
}
if ( '/' !== $cartpinger_demo_path && is_file( $cartpinger_demo_file ) ) {
	if ( ! str_ends_with( $cartpinger_demo_file, '.php' ) ) {
		return false; // static file: the built-in server serves it
	}
} else {
	$cartpinger_demo_path = '/index.php';
	$cartpinger_demo_file = $cartpinger_demo_root . '/index.php';
}
$_SERVER['SCRIPT_NAME']     = $cartpinger_demo_path;
$_SERVER['PHP_SELF']        = $cartpinger_demo_path;
$_SERVER['SCRIPT_FILENAME'] = $cartpinger_demo_file;
chdir( dirname( $cartpinger_demo_file ) );
unset( $cartpinger_demo_root, $cartpinger_demo_path, $cartpinger_demo_qs );
require $cartpinger_demo_file;
