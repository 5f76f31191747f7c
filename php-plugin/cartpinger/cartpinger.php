<?php
/**
 * Plugin Name:       CartPinger
 * Plugin URI:        https://cartpinger.com/
 * Description:       Recover abandoned WooCommerce carts and send order updates over WhatsApp, through the official WhatsApp Cloud API.
 * Version:           0.1.0
 * Requires at least: 6.5
 * Requires PHP:      8.2
 * Author:            CartPinger
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       cartpinger-for-woocommerce
 * Domain Path:       /languages
 * WC requires at least: 8.6
 * WC tested up to:   10.0
 *
 * This file only guards and boots. Keep its syntax simple (no namespaces, no types, no
 * short arrays) so that it parses on any PHP a site may still run, and can say why
 * CartPinger does not start instead of breaking the site. Everything else lives in src/.
 *
 * @package CartPinger
 * @since   0.1.0
 */

defined( 'ABSPATH' ) || exit;

// A second copy of the plugin (e.g. an old folder name) must not redeclare anything.
if ( defined( 'CARTPINGER_VERSION' ) ) {
	return;
}

define( 'CARTPINGER_VERSION', '0.1.0' );
define( 'CARTPINGER_PLUGIN_FILE', __FILE__ );

/**
 * Whether this PHP can parse and run CartPinger's code in src/.
 *
 * @since 0.1.0
 *
 * @return bool
 */
function cartpinger_php_is_supported() {
	return version_compare( PHP_VERSION, '8.2', '>=' );
}

/**
 * Activation: refuse unsupported PHP or WordPress, then install.
 *
 * @since 0.1.0
 *
 * @param bool $network_wide Whether the plugin is being network-activated.
 * @return void
 */
function cartpinger_activate( $network_wide = false ) {
	$wp_version = (string) get_bloginfo( 'version' );
	if ( ! cartpinger_php_is_supported() || version_compare( $wp_version, '6.5', '<' ) ) {
		wp_die(
			esc_html(
				sprintf(
					/* translators: 1: the PHP version this site runs, 2: the WordPress version this site runs. */
					__( 'CartPinger needs PHP 8.2 or newer and WordPress 6.5 or newer. This site runs PHP %1$s and WordPress %2$s. Update them, then activate CartPinger again.', 'cartpinger-for-woocommerce' ),
					PHP_VERSION,
					$wp_version
				)
			),
			esc_html__( 'CartPinger cannot be activated', 'cartpinger-for-woocommerce' ),
			array( 'back_link' => true )
		);
	}
	\CartPinger\Lifecycle::activate( (bool) $network_wide );
}

/**
 * Deactivation: stop scheduled work, keep data.
 *
 * @since 0.1.0
 *
 * @param bool $network_wide Whether the plugin is being network-deactivated.
 * @return void
 */
function cartpinger_deactivate( $network_wide = false ) {
	if ( cartpinger_php_is_supported() ) {
		\CartPinger\Lifecycle::deactivate( (bool) $network_wide );
	}
}

/**
 * Admin notice shown instead of anything else when PHP is too old to load src/.
 *
 * @since 0.1.0
 *
 * @return void
 */
function cartpinger_old_php_notice() {
	if ( ! current_user_can( 'activate_plugins' ) ) {
		return;
	}
	printf(
		'<div class="notice notice-error cartpinger-requirements"><p>%s</p></div>',
		esc_html(
			sprintf(
				/* translators: %s: the PHP version this site runs. */
				__( 'CartPinger needs PHP 8.2 or newer, but this site runs PHP %s, so CartPinger is paused and your store is unaffected. Ask your host to switch this site to PHP 8.2 or newer (most hosting panels have a PHP version selector), then reload this page.', 'cartpinger-for-woocommerce' ),
				PHP_VERSION
			)
		)
	);
}

/**
 * Declares compatibility with WooCommerce features (HPOS, cart and checkout blocks).
 *
 * @since 0.1.0
 *
 * @return void
 */
function cartpinger_declare_woocommerce_compatibility() {
	if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
		\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', CARTPINGER_PLUGIN_FILE, true );
		\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', CARTPINGER_PLUGIN_FILE, true );
	}
}

/**
 * Runs pending migrations, checks the requirements, then boots the plugin or explains why not.
 *
 * @since 0.1.0
 *
 * @return void
 */
function cartpinger_bootstrap() {
	// Migrations need only WordPress and the database, so they run even without WooCommerce.
	\CartPinger\Storage\Backfill::register();
	\CartPinger\Storage\Schema::maybe_migrate();

	$requirements = new \CartPinger\Requirements();
	if ( ! $requirements->are_met() ) {
		// Only admin notices: nothing touches the storefront or the checkout.
		$requirements->register();
		// Without the extension, order notifications are still recorded (one plain INSERT each)
		// and sent, or expired with a reason, when it is back.
		$missing = array( \CartPinger\Requirements::FAIL_EXTENSION_MISSING, \CartPinger\Requirements::FAIL_EXTENSION_ABI );
		if ( array() === array_diff( $requirements->failures(), $missing ) ) {
			( new \CartPinger\Orders\Backlog() )->register();
		}
		return;
	}
	\CartPinger\Plugin::boot();
}

register_activation_hook( __FILE__, 'cartpinger_activate' );
register_deactivation_hook( __FILE__, 'cartpinger_deactivate' );

if ( ! cartpinger_php_is_supported() ) {
	add_action( 'admin_notices', 'cartpinger_old_php_notice' );
	add_action( 'network_admin_notices', 'cartpinger_old_php_notice' );
	return;
}

require_once __DIR__ . '/src/autoload.php';

// Meta's webhook POSTs are verified, stored with one INSERT and answered here, before
// WooCommerce, the theme and the REST server load (src/Webhook/Ingest.php says why).
\CartPinger\Webhook\Ingest::maybe_short_circuit();

add_action( 'before_woocommerce_init', 'cartpinger_declare_woocommerce_compatibility' );
add_action( 'plugins_loaded', 'cartpinger_bootstrap' );
