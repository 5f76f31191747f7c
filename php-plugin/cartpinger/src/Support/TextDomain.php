<?php
/**
 * Loads the plugin's translations.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Support;

use CartPinger\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Loads the cartpinger-for-woocommerce text domain on init.
 *
 * @since 0.1.0
 */
final class TextDomain implements RegistersHooks {

	/**
	 * Hooks the loader.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'init', array( $this, 'action_init' ) );
	}

	/**
	 * Loads the translations.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_init(): void {
		Plugin::load_textdomain();
	}
}
