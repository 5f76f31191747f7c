<?php
/**
 * Contract of the hook adapters.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Support;

defined( 'ABSPATH' ) || exit;

/**
 * A class that connects WordPress or WooCommerce hooks to the plugin's services.
 *
 * Adapters hook in register() and never in their constructor, so the composition root
 * decides what runs, and tests can build an adapter without touching global state.
 *
 * @since 0.1.0
 */
interface RegistersHooks {

	/**
	 * Adds the adapter's actions and filters.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void;
}
