<?php
/**
 * TEMPORARY test wiring, installed by tests/e2e/dashboard.mjs into the demo stack's mu-plugins only.
 *
 * Until Menu.php and Plugin.php wire the new Dashboard and Templates pages, this registers the
 * DashboardPage (assets), Export (admin-post cartpinger_export) and TemplatesPage (admin-post
 * refresh/submit) adapters and, on admin_menu at a late priority, replaces the callbacks of the
 * "cartpinger" (Dashboard) and "cartpinger-templates" submenus with their render() methods.
 * Remove it (and its install step in dashboard.mjs) once the real wiring lands.
 */

add_action(
	'plugins_loaded',
	static function () {
		if ( ! is_admin() || ! class_exists( '\CartPinger\Plugin' ) || null === \CartPinger\Plugin::instance()
			|| ! class_exists( '\CartPinger\Admin\DashboardPage' ) ) {
			return;
		}
		$dashboard = new \CartPinger\Admin\DashboardPage();
		$templates = new \CartPinger\Admin\TemplatesPage( \CartPinger\Plugin::instance()->settings() );
		$dashboard->register();
		$templates->register();
		( new \CartPinger\Admin\Export() )->register();
		add_action(
			'admin_menu',
			static function () use ( $dashboard, $templates ) {
				foreach ( array(
					get_plugin_page_hookname( 'cartpinger', '' )                     => $dashboard,
					get_plugin_page_hookname( 'cartpinger-templates', 'cartpinger' ) => $templates,
				) as $hook => $page ) {
					remove_all_actions( $hook );
					add_action( $hook, array( $page, 'render' ) );
				}
			},
			PHP_INT_MAX
		);
	},
	100
);
