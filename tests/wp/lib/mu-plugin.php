<?php
/**
 * Plugin Name: CartPinger integration-test harness
 * Description: Installed by tests/wp/run.sh into the throwaway test site only. No mail server,
 *              no outgoing HTTP, and a way to pick the logged-in user for a CLI "request".
 */

// No mail server: record every wp_mail() call and report success.
$GLOBALS['cartpinger_it_mails'] = array();
add_filter(
	'pre_wp_mail',
	static function ( $short_circuit, $atts ) {
		$GLOBALS['cartpinger_it_mails'][] = $atts;
		return true;
	},
	10,
	2
);

// No outgoing HTTP (WP_HTTP_BLOCK_EXTERNAL also blocks it; loopback requests are stopped here).
add_filter(
	'pre_http_request',
	static function ( $pre, $args, $url ) {
		$GLOBALS['cartpinger_it_http'][] = $url;
		return new WP_Error( 'http_request_failed', 'cartpinger-it: no HTTP in the test site (' . $url . ')' );
	},
	10,
	3
);
add_filter( 'action_scheduler_allow_async_request_runner', '__return_false' );

// CARTPINGER_IT_USER=<login>: that user is the authenticated user of this "request", as if the
// browser had sent a valid login cookie (WordPress asks determine_current_user lazily).
if ( getenv( 'CARTPINGER_IT_USER' ) ) {
	add_filter(
		'determine_current_user',
		static function ( $user_id ) {
			$user = get_user_by( 'login', (string) getenv( 'CARTPINGER_IT_USER' ) );
			return $user ? (int) $user->ID : $user_id;
		},
		100
	);
}
