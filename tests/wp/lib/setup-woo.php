<?php
/**
 * WooCommerce setup for the woo tier of tests/wp/run.sh.
 *   php setup-woo.php activate          activate_plugin('woocommerce/woocommerce.php') (runs WC_Install)
 *   php setup-woo.php newly-installed   replay WooCommerce's first-admin-visit routine (see
 *                                       docs woocommerce-notes trap 3: WP-CLI never fires admin_init)
 */
declare(strict_types=1);

$wp_dir = getenv( 'CARTPINGER_IT_WP_DIR' );
$step   = $argv[1] ?? '';
if ( getenv( 'CARTPINGER_IT_ADMIN' ) ) {
	define( 'WP_ADMIN', true );
}
$_SERVER['HTTP_HOST']   = '127.0.0.1:8089';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/wp-admin/';

require $wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

if ( 'activate' === $step ) {
	wp_set_current_user( 1 );
	$result = activate_plugin( 'woocommerce/woocommerce.php' );
	if ( is_wp_error( $result ) ) {
		fwrite( STDERR, 'activate_plugin(woocommerce) failed: ' . $result->get_error_message() . PHP_EOL );
		exit( 1 );
	}
	echo 'woo: activated, woocommerce_version=', get_option( 'woocommerce_version' ), PHP_EOL;
	exit( 0 );
}

if ( 'newly-installed' === $step ) {
	if ( ! function_exists( 'WC' ) ) {
		fwrite( STDERR, "WooCommerce is not loaded\n" );
		exit( 1 );
	}
	if ( 'yes' === get_option( 'woocommerce_newly_installed' ) ) {
		// Same body as WC_Install::newly_installed(), which only runs on admin_init.
		do_action( 'woocommerce_newly_installed' );
		update_option( 'woocommerce_newly_installed', 'no' );
		add_option( 'woocommerce_initial_installed_version', WC()->version, '', false );
		echo "woo: replayed woocommerce_newly_installed\n";
	}
	// The first admin visit would redirect to the onboarding wizard: not in tests.
	delete_transient( '_wc_activation_redirect' );
	update_option( 'woocommerce_onboarding_profile', array( 'skipped' => true ) );
	update_option( 'woocommerce_task_list_hidden', 'yes' );
	// HPOS: new shops get it on (WooCommerce 8.2+); CARTPINGER_IT_HPOS=off runs the pair with
	// orders in posts, as shops upgraded from before 8.2 still do. The shop has no orders yet,
	// so the switch needs no sync.
	$hpos = getenv( 'CARTPINGER_IT_HPOS' ) ?: 'on';
	update_option( 'woocommerce_custom_orders_table_enabled', 'off' === $hpos ? 'no' : 'yes' );
	update_option( 'woocommerce_custom_orders_table_data_sync_enabled', 'no' );
	if ( 'off' !== $hpos && class_exists( \Automattic\WooCommerce\Internal\DataStores\Orders\DataSynchronizer::class ) ) {
		$sync = wc_get_container()->get( \Automattic\WooCommerce\Internal\DataStores\Orders\DataSynchronizer::class );
		if ( ! $sync->check_orders_table_exists() ) {
			$sync->create_database_tables();
		}
	}
	echo 'woo: HPOS (woocommerce_custom_orders_table_enabled)=', get_option( 'woocommerce_custom_orders_table_enabled', '(unset)' ),
		', coming_soon=', get_option( 'woocommerce_coming_soon', '(unset)' ), PHP_EOL;
	exit( 0 );
}

fwrite( STDERR, "usage: setup-woo.php activate|newly-installed\n" );
exit( 2 );
