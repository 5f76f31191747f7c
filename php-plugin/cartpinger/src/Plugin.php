<?php
/**
 * Composition root.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger;

use CartPinger\Admin\AdminPostHandler;
use CartPinger\Admin\DashboardPage;
use CartPinger\Admin\Export;
use CartPinger\Admin\TemplatesPage;
use CartPinger\Admin\Menu;
use CartPinger\Admin\PlatformNotice;
use CartPinger\Admin\QueueNotice;
use CartPinger\Admin\SecretNotice;
use CartPinger\Admin\SettingsPage;
use CartPinger\Admin\SetupPage;
use CartPinger\Cli\ConsentCommand;
use CartPinger\Cli\QueueCommand;
use CartPinger\Cli\StatsCommand;
use CartPinger\Frontend\Widget;
use CartPinger\Licence\Licence;
use CartPinger\Orders\Notifications;
use CartPinger\Privacy\Privacy;
use CartPinger\Queue\Cron;
use CartPinger\Queue\Runner;
use CartPinger\Queue\Store;
use CartPinger\Recovery\EmailCoordination;
use CartPinger\Recovery\Attribution;
use CartPinger\Recovery\Capture;
use CartPinger\Recovery\CheckoutHooks;
use CartPinger\Recovery\Coupons;
use CartPinger\Recovery\Link;
use CartPinger\Recovery\LinkPause;
use CartPinger\Recovery\SampleLink;
use CartPinger\Recovery\Repository;
use CartPinger\Recovery\Scheduler;
use CartPinger\Rest\LicenceController;
use CartPinger\Rest\TrackCartController;
use CartPinger\Rest\WebhookController;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Support\RegistersHooks;
use CartPinger\Support\TextDomain;
use CartPinger\Webhook\Processor;

defined( 'ABSPATH' ) || exit;

/**
 * Builds the plugin's services by hand and registers its hook adapters.
 *
 * Booted once, on plugins_loaded, and only when Requirements are met. Services are plain
 * objects passed to the adapters that need them; no adapter hooks anything in its constructor.
 *
 * @since 0.1.0
 */
final class Plugin {

	/**
	 * The native ABI (CARTPINGER_NATIVE_ABI) this plugin version is written against.
	 *
	 * @since 0.1.0
	 */
	public const REQUIRED_ABI = 4;

	/**
	 * Text domain of every user-visible string.
	 *
	 * @since 0.1.0
	 */
	public const TEXT_DOMAIN = 'cartpinger-for-woocommerce';

	/**
	 * The booted instance, if any.
	 *
	 * @since 0.1.0
	 *
	 * @var Plugin|null
	 */
	private static ?Plugin $instance = null;

	/**
	 * The settings service.
	 *
	 * @since 0.1.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * Builds the services.
	 *
	 * @since 0.1.0
	 *
	 * @param Settings $settings The settings service.
	 */
	public function __construct( Settings $settings ) {
		$this->settings = $settings;
	}

	/**
	 * Builds the plugin and registers its hooks, once.
	 *
	 * @since 0.1.0
	 *
	 * @return Plugin
	 */
	public static function boot(): Plugin {
		if ( null === self::$instance ) {
			self::$instance = new self( new Settings( new SecretBox() ) );
			self::$instance->register();
		}
		return self::$instance;
	}

	/**
	 * The booted plugin, or null when requirements kept it from booting.
	 *
	 * @since 0.1.0
	 *
	 * @return Plugin|null
	 */
	public static function instance(): ?Plugin {
		return self::$instance;
	}

	/**
	 * The settings service.
	 *
	 * @since 0.1.0
	 *
	 * @return Settings
	 */
	public function settings(): Settings {
		return $this->settings;
	}

	/**
	 * Registers every hook adapter.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		foreach ( $this->hook_adapters() as $adapter ) {
			$adapter->register();
		}
	}

	/**
	 * The hook adapters, admin-only ones only in wp-admin.
	 *
	 * @since 0.1.0
	 *
	 * @return RegistersHooks[]
	 */
	private function hook_adapters(): array {
		$store     = new Store();
		$records   = new Repository();
		$coupons   = new Coupons( $this->settings );
		$capture   = new Capture( $this->settings, $records, $store );
		$scheduler = new Scheduler( $this->settings, $records, $store, $coupons, new SecretBox() );
		$processor = new Processor();
		$notify    = new Notifications( $this->settings, $store );
		$cron      = new Cron( new Runner( $this->settings, $store, array( $processor, 'apply_inbox' ) ), $store, $scheduler, $coupons, $processor, $notify );
		$licence   = new Licence();
		$adapters  = array(
			new TextDomain(),
			new WebhookController( $this->settings ),
			$cron,
			new TrackCartController( $capture ),
			new CheckoutHooks( $capture ),
			new Link( $records ),
			new LinkPause( $records ),
			new SampleLink(),
			new Attribution( $records, $store ),
			$notify,
			new Privacy( $this->settings ),
			new EmailCoordination( $this->settings ),
			new Widget( $this->settings ),
			$licence,
			new LicenceController( $licence ),
		);
		QueueCommand::register( $cron, $store );
		StatsCommand::register();
		ConsentCommand::register( $capture );
		Export::register_cli();
		if ( is_admin() ) {
			$settings_page = new SettingsPage( $this->settings, $licence );
			$setup_page    = new SetupPage( $this->settings, $store, new Runner( $this->settings, $store ) );
			$dashboard     = new DashboardPage();
			$templates     = new TemplatesPage( $this->settings );
			$adapters[]    = new Menu(
				array(
					Menu::SLUG_DASHBOARD => $dashboard,
					Menu::SLUG_SETUP     => $setup_page,
					Menu::SLUG_TEMPLATES => $templates,
					Menu::SLUG_SETTINGS  => $settings_page,
				)
			);
			$adapters[]    = $dashboard;
			$adapters[]    = $templates;
			$adapters[]    = new Export();
			$adapters[]    = new AdminPostHandler( $settings_page, $setup_page );
			$adapters[]    = new SecretNotice( $this->settings );
			$adapters[]    = new QueueNotice( $store );
			$adapters[]    = new PlatformNotice( $this->settings );
		}
		return $adapters;
	}

	/**
	 * Loads the plugin's translations from its languages/ folder (and WP_LANG_DIR).
	 *
	 * Safe to call more than once.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public static function load_textdomain(): void {
		if ( is_textdomain_loaded( self::TEXT_DOMAIN ) ) {
			return;
		}
		load_plugin_textdomain( self::TEXT_DOMAIN, false, dirname( plugin_basename( CARTPINGER_PLUGIN_FILE ) ) . '/languages' );
	}
}
