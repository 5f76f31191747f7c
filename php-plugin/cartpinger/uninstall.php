<?php
/**
 * Uninstall: removes CartPinger's tables, options and transients, only when asked to.
 *
 * Self-contained on purpose: it loads neither the autoloader nor anything that needs the
 * cartpinger extension, WooCommerce or PHP 8.2 features, so it also works on a site where the
 * extension is gone. On multisite every site is visited and decides for itself through its
 * own cartpinger_delete_data_on_uninstall option.
 *
 * @package CartPinger
 * @since   0.1.0
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Whether the current site asked for its data to be deleted.
 *
 * @since 0.1.0
 *
 * @return bool
 */
function cartpinger_uninstall_is_requested() {
	$value = get_option( 'cartpinger_delete_data_on_uninstall', '0' );
	// Stored as '1' by this version; the original plugin stored true, which reads back as '1'.
	return true === $value || 1 === $value || '1' === $value;
}

/**
 * Deletes the current site's tables, options and transients when the site asked for it.
 *
 * @since 0.1.0
 *
 * @return void
 */
function cartpinger_uninstall_site() {
	global $wpdb;

	if ( ! cartpinger_uninstall_is_requested() ) {
		return;
	}

	foreach ( array( 'cartpinger_recoveries', 'cartpinger_messages_log', 'cartpinger_stats', 'cartpinger_phones', 'cartpinger_webhook_inbox' ) as $table ) {
		$wpdb->query( $wpdb->prepare( 'DROP TABLE IF EXISTS %i', $wpdb->prefix . $table ) );
	}

	// Transients may live in an object cache instead of the options table.
	delete_transient( 'cartpinger_templates_cache' );

	$like_option    = $wpdb->esc_like( 'cartpinger_' ) . '%';
	$like_transient = $wpdb->esc_like( '_transient_cartpinger_' ) . '%';
	$like_timeout   = $wpdb->esc_like( '_transient_timeout_cartpinger_' ) . '%';
	$like_site      = $wpdb->esc_like( '_site_transient_cartpinger_' ) . '%';
	$like_site_tout = $wpdb->esc_like( '_site_transient_timeout_cartpinger_' ) . '%';

	$names = $wpdb->get_col(
		$wpdb->prepare(
			"SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
			$like_option,
			$like_transient,
			$like_timeout,
			$like_site,
			$like_site_tout
		)
	);

	// Delete through the API first so that object caches forget the values too.
	foreach ( (array) $names as $name ) {
		$name = (string) $name;
		if ( 0 === strpos( $name, '_transient_timeout_' ) || 0 === strpos( $name, '_site_transient_timeout_' ) ) {
			continue;
		}
		if ( 0 === strpos( $name, '_transient_' ) ) {
			delete_transient( substr( $name, strlen( '_transient_' ) ) );
		} elseif ( 0 === strpos( $name, '_site_transient_' ) ) {
			delete_site_transient( substr( $name, strlen( '_site_transient_' ) ) );
		} else {
			delete_option( $name );
		}
	}

	// Then sweep whatever is left (orphaned timeouts, rows the API skipped).
	$wpdb->query(
		$wpdb->prepare(
			"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s",
			$like_option,
			$like_transient,
			$like_timeout,
			$like_site,
			$like_site_tout
		)
	);
	wp_cache_delete( 'alloptions', 'options' );
	wp_cache_delete( 'notoptions', 'options' );
}

if ( is_multisite() ) {
	$cartpinger_site_ids = get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	);
	foreach ( $cartpinger_site_ids as $cartpinger_site_id ) {
		switch_to_blog( (int) $cartpinger_site_id );
		cartpinger_uninstall_site();
		restore_current_blog();
	}
} else {
	cartpinger_uninstall_site();
}
