<?php
/**
 * Plugin Name: CartPinger demo: fast recovery timings
 * Description: Installed by tests/stack/up.sh --fast. Recovery reminders after 20 s, follow-ups
 *              after 60 s and 120 s, no cool-off and no quiet hours, so a demo takes minutes.
 *              Policy values are seconds; every other key of the policy is kept.
 */

add_filter(
	'cartpinger_recovery_policy',
	static function ( $policy ) {
		$policy                     = is_array( $policy ) ? $policy : array();
		$policy['delay']            = 20;
		$policy['followup_1_after'] = 60;
		$policy['followup_2_after'] = 120;
		$policy['cooloff']          = 0;
		$policy['quiet']            = array(
			'enabled' => false,
			'start'   => 0,
			'end'     => 0,
		);
		return $policy;
	},
	99 // after the plugin's own callbacks, so the demo timings win
);
