<?php
/**
 * Plugin Name: CartPinger demo store
 * Description: Installed by tests/stack/up.sh into the local demo store only. There is no mail
 *              server: every wp_mail() is written to the stack's mail log (one JSON line each)
 *              and reported as sent. There is no internet either: WordPress's update checks
 *              (core, plugins, themes) are switched off so that they do not fill debug.log with
 *              "could not establish a secure connection to WordPress.org" warnings.
 */

foreach ( array(
	array( 'init', 'wp_schedule_update_checks' ),
	array( 'admin_init', '_maybe_update_core' ),
	array( 'admin_init', '_maybe_update_plugins' ),
	array( 'admin_init', '_maybe_update_themes' ),
	array( 'wp_version_check', 'wp_version_check' ),
	array( 'wp_update_plugins', 'wp_update_plugins' ),
	array( 'wp_update_themes', 'wp_update_themes' ),
	array( 'load-plugins.php', 'wp_update_plugins' ),
	array( 'load-update.php', 'wp_update_plugins' ),
	array( 'load-update-core.php', 'wp_update_plugins' ),
	array( 'load-themes.php', 'wp_update_themes' ),
	array( 'load-update.php', 'wp_update_themes' ),
	array( 'load-update-core.php', 'wp_update_themes' ),
) as $cartpinger_demo_hook ) {
	remove_action( $cartpinger_demo_hook[0], $cartpinger_demo_hook[1] );
}
unset( $cartpinger_demo_hook );
add_filter( 'automatic_updater_disabled', '__return_true' );

add_filter(
	'pre_wp_mail',
	static function ( $short_circuit, $atts ) {
		if ( defined( 'CARTPINGER_DEMO_MAIL_LOG' ) ) {
			$line = wp_json_encode(
				array(
					'time'    => gmdate( 'c' ),
					'to'      => $atts['to'] ?? '',
					'subject' => $atts['subject'] ?? '',
				)
			);
			file_put_contents( CARTPINGER_DEMO_MAIL_LOG, $line . "\n", FILE_APPEND | LOCK_EX ); // phpcs:ignore WordPress.WP.AlternativeFunctions
		}
		return true;
	},
	10,
	2
);

// Every walk of the browser tier and every demo visitor comes from 127.0.0.1: more WhatsApp
// opt-ins in an hour than a real shop sees from one address (issue 11's limit is 10).
add_filter(
	'cartpinger_capture_limits',
	static function ( $limits ) {
		$limits['per_address_hour'] = 500;
		return $limits;
	}
);
