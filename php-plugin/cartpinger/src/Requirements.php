<?php
/**
 * Runtime requirements and the admin notices that explain a failed one.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger;

defined( 'ABSPATH' ) || exit;

/**
 * Checks what CartPinger needs before it may register a single storefront hook.
 *
 * Checked on plugins_loaded, when every active plugin (WooCommerce included) has loaded.
 * Each failure becomes one admin notice that states the exact fix, shown to users who can
 * activate plugins. Besides the settings secret box, this is the only class that names the
 * extension's API (its ABI constant).
 *
 * @since 0.1.0
 */
final class Requirements {

	/**
	 * Lowest supported PHP version.
	 *
	 * @since 0.1.0
	 */
	public const MIN_PHP = '8.2';

	/**
	 * Lowest supported WordPress version.
	 *
	 * @since 0.1.0
	 */
	public const MIN_WP = '6.5';

	/**
	 * Lowest supported WooCommerce version.
	 *
	 * @since 0.1.0
	 */
	public const MIN_WC = '8.6';

	/**
	 * Name of the PHP extension.
	 *
	 * @since 0.1.0
	 */
	public const EXTENSION = 'cartpinger';

	/**
	 * Failure: PHP is too old.
	 *
	 * @since 0.1.0
	 */
	public const FAIL_PHP = 'php';

	/**
	 * Failure: WordPress is too old.
	 *
	 * @since 0.1.0
	 */
	public const FAIL_WP = 'wordpress';

	/**
	 * Failure: WooCommerce is not active.
	 *
	 * @since 0.1.0
	 */
	public const FAIL_WC_MISSING = 'woocommerce_missing';

	/**
	 * Failure: WooCommerce is too old.
	 *
	 * @since 0.1.0
	 */
	public const FAIL_WC_VERSION = 'woocommerce_version';

	/**
	 * Failure: the cartpinger extension is not loaded.
	 *
	 * @since 0.1.0
	 */
	public const FAIL_EXTENSION_MISSING = 'extension_missing';

	/**
	 * Failure: the loaded extension has another ABI than this plugin version needs.
	 *
	 * @since 0.1.0
	 */
	public const FAIL_EXTENSION_ABI = 'extension_abi';

	/**
	 * Facts about the running environment.
	 *
	 * @since 0.1.0
	 *
	 * @var array{php_version: string, wp_version: string, wc_version: ?string, extension_loaded: bool, native_abi: ?int, native_version: string}
	 */
	private array $env;

	/**
	 * Failures found, computed on first use.
	 *
	 * @since 0.1.0
	 *
	 * @var string[]|null
	 */
	private ?array $failures = null;

	/**
	 * Reads the environment, or takes it from the caller (tests).
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $env Overrides for php_version, wp_version, wc_version
	 *                                  (null: WooCommerce inactive), extension_loaded,
	 *                                  native_abi (null: constant missing), native_version.
	 */
	public function __construct( array $env = array() ) {
		$wc_active  = class_exists( 'WooCommerce', false ) && defined( 'WC_VERSION' );
		$native_abi = defined( 'CARTPINGER_NATIVE_ABI' ) ? constant( 'CARTPINGER_NATIVE_ABI' ) : null;

		$defaults  = array(
			'php_version'      => PHP_VERSION,
			'wp_version'       => (string) get_bloginfo( 'version' ),
			'wc_version'       => $wc_active ? (string) constant( 'WC_VERSION' ) : null,
			'extension_loaded' => extension_loaded( self::EXTENSION ),
			'native_abi'       => is_int( $native_abi ) ? $native_abi : null,
			'native_version'   => defined( 'CARTPINGER_NATIVE_VERSION' ) ? (string) constant( 'CARTPINGER_NATIVE_VERSION' ) : '',
		);
		$this->env = array_merge( $defaults, array_intersect_key( $env, $defaults ) );
	}

	/**
	 * Whether every requirement is met.
	 *
	 * @since 0.1.0
	 *
	 * @return bool
	 */
	public function are_met(): bool {
		return array() === $this->failures();
	}

	/**
	 * The failed requirements, as FAIL_* identifiers, in the order they should be fixed.
	 *
	 * @since 0.1.0
	 *
	 * @return string[]
	 */
	public function failures(): array {
		if ( null !== $this->failures ) {
			return $this->failures;
		}
		$failures = array();
		if ( version_compare( $this->env['php_version'], self::MIN_PHP, '<' ) ) {
			$failures[] = self::FAIL_PHP;
		}
		if ( version_compare( $this->env['wp_version'], self::MIN_WP, '<' ) ) {
			$failures[] = self::FAIL_WP;
		}
		if ( null === $this->env['wc_version'] ) {
			$failures[] = self::FAIL_WC_MISSING;
		} elseif ( version_compare( $this->env['wc_version'], self::MIN_WC, '<' ) ) {
			$failures[] = self::FAIL_WC_VERSION;
		}
		if ( ! $this->env['extension_loaded'] ) {
			$failures[] = self::FAIL_EXTENSION_MISSING;
		} elseif ( Plugin::REQUIRED_ABI !== $this->env['native_abi'] ) {
			$failures[] = self::FAIL_EXTENSION_ABI;
		}
		$this->failures = $failures;
		return $failures;
	}

	/**
	 * Hooks the notices that explain the failures. Registers nothing else.
	 *
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function register(): void {
		add_action( 'admin_notices', array( $this, 'action_admin_notices' ) );
		add_action( 'network_admin_notices', array( $this, 'action_admin_notices' ) );
	}

	/**
	 * Prints one error notice per failed requirement.
	 *
	 * @internal
	 * @since 0.1.0
	 *
	 * @return void
	 */
	public function action_admin_notices(): void {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		Plugin::load_textdomain();
		foreach ( $this->failures() as $failure ) {
			printf(
				'<div class="notice notice-error cartpinger-requirements" data-requirement="%1$s">%2$s</div>',
				esc_attr( $failure ),
				wp_kses( $this->notice_html( $failure ), self::allowed_html() )
			);
		}
	}

	/**
	 * The inner HTML of the notice for one failure. Every piece is escaped here.
	 *
	 * @since 0.1.0
	 *
	 * @param string $failure A FAIL_* identifier.
	 * @return string
	 */
	public function notice_html( string $failure ): string {
		switch ( $failure ) {
			case self::FAIL_PHP:
				return self::paragraph(
					sprintf(
						/* translators: %s: the PHP version this site runs. */
						esc_html__( 'CartPinger needs PHP 8.2 or newer, but this site runs PHP %s, so CartPinger is paused and your store is unaffected. Ask your host to switch this site to PHP 8.2 or newer (most hosting panels have a PHP version selector), then reload this page.', 'cartpinger-for-woocommerce' ),
						esc_html( $this->env['php_version'] )
					)
				);

			case self::FAIL_WP:
				return self::paragraph(
					sprintf(
						/* translators: 1: the WordPress version this site runs, 2: link to the Updates screen. */
						esc_html__( 'CartPinger needs WordPress 6.5 or newer, but this site runs WordPress %1$s, so CartPinger is paused and your store is unaffected. Update WordPress in %2$s, then reload this page.', 'cartpinger-for-woocommerce' ),
						esc_html( $this->env['wp_version'] ),
						self::link( self_admin_url( 'update-core.php' ), __( 'Dashboard > Updates', 'cartpinger-for-woocommerce' ) )
					)
				);

			case self::FAIL_WC_MISSING:
				return $this->woocommerce_missing_html();

			case self::FAIL_WC_VERSION:
				return self::paragraph(
					sprintf(
						/* translators: 1: the WooCommerce version this site runs, 2: link to the Plugins screen. */
						esc_html__( 'CartPinger needs WooCommerce 8.6 or newer, but this site runs WooCommerce %1$s, so CartPinger is paused and your store is unaffected. Update WooCommerce in %2$s, then reload this page.', 'cartpinger-for-woocommerce' ),
						esc_html( (string) $this->env['wc_version'] ),
						self::link( self_admin_url( 'plugins.php' ), __( 'Plugins', 'cartpinger-for-woocommerce' ) )
					)
				);

			case self::FAIL_EXTENSION_MISSING:
				return $this->extension_missing_html();

			case self::FAIL_EXTENSION_ABI:
				return $this->extension_abi_html();
		}
		return '';
	}

	/**
	 * Notice for an inactive or missing WooCommerce: activate it if installed, else install it.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private function woocommerce_missing_html(): string {
		$installed = file_exists( WP_PLUGIN_DIR . '/woocommerce/woocommerce.php' );
		if ( $installed ) {
			return self::paragraph(
				sprintf(
					/* translators: %s: link to the Plugins screen. */
					esc_html__( 'CartPinger needs WooCommerce, which is installed but not active, so CartPinger is paused. Activate WooCommerce in %s; CartPinger starts on the next page load.', 'cartpinger-for-woocommerce' ),
					self::link( self_admin_url( 'plugins.php' ), __( 'Plugins', 'cartpinger-for-woocommerce' ) )
				)
			);
		}
		return self::paragraph(
			sprintf(
				/* translators: %s: link to the Add Plugins screen, searching for WooCommerce. */
				esc_html__( 'CartPinger needs WooCommerce 8.6 or newer, which is not installed, so CartPinger is paused. Install and activate WooCommerce from %s; CartPinger starts on the next page load.', 'cartpinger-for-woocommerce' ),
				self::link(
					self_admin_url( 'plugin-install.php?s=woocommerce&tab=search&type=term' ),
					__( 'Plugins > Add New Plugin', 'cartpinger-for-woocommerce' )
				)
			)
		);
	}

	/**
	 * Notice for a missing extension: check, install, enable, restart, verify.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private function extension_missing_html(): string {
		$php_minor = self::php_minor( $this->env['php_version'] );
		$shipped   = self::shipped_binary_name( $php_minor );
		$has_build = is_readable( self::native_dir() . '/' . $shipped );
		$ext_dir   = (string) ini_get( 'extension_dir' );
		$ini_file  = (string) php_ini_loaded_file();

		$html = self::paragraph(
			'<strong>' . esc_html__( 'CartPinger is paused: its PHP extension "cartpinger" is not loaded.', 'cartpinger-for-woocommerce' ) . '</strong> '
			. esc_html__( 'Your store and its checkout work as before; CartPinger adds nothing to them until this is fixed. To fix it on the server:', 'cartpinger-for-woocommerce' )
		);

		$steps = array();
		// 1. Confirm.
		$steps[] = sprintf(
			/* translators: 1: the command "php -m | grep cartpinger", 2: the PHP version this site runs. */
			esc_html__( 'Check: %1$s prints nothing while the extension is missing. Use the PHP that serves this site (PHP %2$s).', 'cartpinger-for-woocommerce' ),
			self::code( 'php -m | grep cartpinger' ),
			esc_html( $php_minor )
		);
		// 2. Install the binary.
		if ( $has_build ) {
			$steps[] = sprintf(
				/* translators: 1: file name of the shipped extension, 2: the PHP extension directory, 3: the target file name "cartpinger.so". */
				esc_html__( 'Copy %1$s from this plugin\'s native folder into the PHP extension directory %2$s, named %3$s.', 'cartpinger-for-woocommerce' ),
				self::code( 'native/' . $shipped ),
				self::code( '' !== $ext_dir ? $ext_dir : 'php-config --extension-dir' ),
				self::code( 'cartpinger.so' )
			);
		} else {
			$steps[] = sprintf(
				/* translators: 1: the expected file name, 2: the target file name "cartpinger.so". */
				esc_html__( 'This copy of CartPinger has no build for this server (%1$s). Build the extension from the CartPinger source with ./build.sh for this PHP version, or get the matching build, and install it as %2$s in the PHP extension directory.', 'cartpinger-for-woocommerce' ),
				self::code( $shipped ),
				self::code( 'cartpinger.so' )
			);
		}
		// 3. Enable it.
		$steps[] = sprintf(
			/* translators: 1: the ini line "extension=cartpinger.so", 2: path of the loaded php.ini, 3: path of the Debian/Ubuntu module ini file, 4: the phpenmod command. */
			esc_html__( 'Enable it: add the line %1$s to %2$s, or on Debian and Ubuntu put that line in %3$s and run %4$s.', 'cartpinger-for-woocommerce' ),
			self::code( 'extension=cartpinger.so' ),
			'' !== $ini_file ? self::code( $ini_file ) : esc_html__( 'your php.ini', 'cartpinger-for-woocommerce' ),
			self::code( '/etc/php/' . $php_minor . '/mods-available/cartpinger.ini' ),
			self::code( 'sudo phpenmod -v ' . $php_minor . ' cartpinger' )
		);
		// 4. Restart.
		$steps[] = sprintf(
			/* translators: %s: the restart command, e.g. "sudo systemctl restart php8.2-fpm". */
			esc_html__( 'Restart PHP-FPM (for example %s) or your web server, then reload this page: this notice disappears once the extension is loaded.', 'cartpinger-for-woocommerce' ),
			self::code( 'sudo systemctl restart php' . $php_minor . '-fpm' )
		);

		$html .= '<ol><li>' . implode( '</li><li>', $steps ) . '</li></ol>';
		$html .= self::paragraph(
			sprintf(
				/* translators: %s: link to the installation section of the plugin's readme. */
				esc_html__( 'Step by step, with shared-hosting notes: %s.', 'cartpinger-for-woocommerce' ),
				self::link( self::readme_url(), __( 'Installing the PHP extension (CartPinger readme)', 'cartpinger-for-woocommerce' ) )
			)
		);
		return $html;
	}

	/**
	 * Notice for an extension built for another plugin version (ABI mismatch).
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private function extension_abi_html(): string {
		$php_minor = self::php_minor( $this->env['php_version'] );
		$loaded    = null === $this->env['native_abi']
			? __( 'unknown', 'cartpinger-for-woocommerce' )
			: (string) $this->env['native_abi'];
		$version   = '' !== $this->env['native_version']
			? $this->env['native_version']
			: __( 'unknown', 'cartpinger-for-woocommerce' );

		$html = self::paragraph(
			'<strong>' . esc_html__( 'CartPinger is paused: the loaded "cartpinger" PHP extension does not match this plugin version.', 'cartpinger-for-woocommerce' ) . '</strong> '
			. sprintf(
				/* translators: 1: ABI number of the loaded extension, 2: version of the loaded extension, 3: ABI number this plugin needs, 4: this plugin's version. */
				esc_html__( 'The loaded extension has native ABI %1$s (extension version %2$s), but CartPinger %4$s needs native ABI %3$s. Your store works as before.', 'cartpinger-for-woocommerce' ),
				esc_html( $loaded ),
				esc_html( $version ),
				esc_html( (string) Plugin::REQUIRED_ABI ),
				esc_html( CARTPINGER_VERSION )
			)
		);
		$html .= self::paragraph(
			sprintf(
				/* translators: 1: file name of the shipped extension, 2: the PHP extension directory, 3: the restart command. */
				esc_html__( 'Fix: install the cartpinger.so shipped with this plugin version (%1$s in its native folder) over the old one in %2$s, restart PHP-FPM (for example %3$s), then reload this page.', 'cartpinger-for-woocommerce' ),
				self::code( self::shipped_binary_name( $php_minor ) ),
				self::code( (string) ini_get( 'extension_dir' ) ),
				self::code( 'sudo systemctl restart php' . $php_minor . '-fpm' )
			)
		);
		return $html;
	}

	/**
	 * "8.2" from "8.2.36".
	 *
	 * @since 0.1.0
	 *
	 * @param string $version A full PHP version.
	 * @return string
	 */
	private static function php_minor( string $version ): string {
		$parts = explode( '.', $version );
		return ( $parts[0] ?? '' ) . '.' . ( $parts[1] ?? '' );
	}

	/**
	 * File name under native/ of the build for this server, as build.sh names it.
	 *
	 * @since 0.1.0
	 *
	 * @param string $php_minor PHP major.minor, e.g. "8.2".
	 * @return string
	 */
	private static function shipped_binary_name( string $php_minor ): string {
		return sprintf(
			'cartpinger-php%1$s-%2$s-%3$s-linux-gnu.so',
			$php_minor,
			PHP_ZTS ? 'zts' : 'nts',
			php_uname( 'm' )
		);
	}

	/**
	 * Folder of the prebuilt extensions shipped in the plugin zip.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private static function native_dir(): string {
		return dirname( CARTPINGER_PLUGIN_FILE ) . '/native';
	}

	/**
	 * URL of the installation section of the plugin's readme.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private static function readme_url(): string {
		return plugins_url( 'readme.txt', CARTPINGER_PLUGIN_FILE );
	}

	/**
	 * Wraps escaped HTML in a paragraph.
	 *
	 * @since 0.1.0
	 *
	 * @param string $html Already escaped HTML.
	 * @return string
	 */
	private static function paragraph( string $html ): string {
		return '<p>' . $html . '</p>';
	}

	/**
	 * An escaped <code> element.
	 *
	 * @since 0.1.0
	 *
	 * @param string $text Plain text.
	 * @return string
	 */
	private static function code( string $text ): string {
		return '<code>' . esc_html( $text ) . '</code>';
	}

	/**
	 * An escaped link.
	 *
	 * @since 0.1.0
	 *
	 * @param string $url  Target URL.
	 * @param string $text Plain link text.
	 * @return string
	 */
	private static function link( string $url, string $text ): string {
		return '<a href="' . esc_url( $url ) . '">' . esc_html( $text ) . '</a>';
	}

	/**
	 * Tags the notices may contain, for wp_kses() at output.
	 *
	 * @since 0.1.0
	 *
	 * @return array<string, array<string, bool>>
	 */
	private static function allowed_html(): array {
		return array(
			'p'      => array(),
			'strong' => array(),
			'code'   => array(),
			'ol'     => array(),
			'li'     => array(),
			'a'      => array( 'href' => true ),
		);
	}
}
