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
	 * @var array{php_version: string, wp_version: string, wc_version: ?string, extension_loaded: bool, native_abi: ?int, native_version: string, zts: bool, os: string, machine: string, libc: string, native_dir: string, extension_dir: string, ini_scan_dir: string}
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
	 *                                  native_abi (null: constant missing), native_version,
	 *                                  and the platform that picks the prebuilt file: zts,
	 *                                  os (PHP_OS_FAMILY), machine, libc ("gnu" or "musl"),
	 *                                  native_dir, extension_dir, ini_scan_dir.
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
			'zts'              => (bool) PHP_ZTS,
			'os'               => PHP_OS_FAMILY,
			'machine'          => php_uname( 'm' ),
			'libc'             => self::detect_libc(),
			'native_dir'       => dirname( CARTPINGER_PLUGIN_FILE ) . '/native',
			'extension_dir'    => (string) ini_get( 'extension_dir' ),
			'ini_scan_dir'     => (string) PHP_CONFIG_FILE_SCAN_DIR,
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
				return $this->extension_missing_html() . self::backlog_html();

			case self::FAIL_EXTENSION_ABI:
				return $this->extension_abi_html() . self::backlog_html();
		}
		return '';
	}

	/**
	 * How many order notifications wait for the extension (Orders\Backlog), as a paragraph.
	 *
	 * @since 0.3.0
	 *
	 * @return string
	 */
	private static function backlog_html(): string {
		$waiting = \CartPinger\Orders\Backlog::waiting();
		if ( $waiting < 1 ) {
			return '';
		}
		return self::paragraph(
			sprintf(
				/* translators: %s: number of order notifications. */
				esc_html( _n( '%s order notification is waiting: it will be sent when the extension is back (or expired, with the reason, if it would arrive more than two days late).', '%s order notifications are waiting: they will be sent when the extension is back (or expired, with the reason, if they would arrive more than two days late).', $waiting, 'cartpinger-for-woocommerce' ) ),
				'<strong>' . esc_html( number_format_i18n( $waiting ) ) . '</strong>'
			)
		);
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
	 * Notice for a missing extension: which file of native/ fits this PHP, the ini line, and the
	 * commands for Debian/Ubuntu, RHEL-likes and the official php Docker images; when no shipped
	 * file fits, how to build one from source.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private function extension_missing_html(): string {
		$php_minor = self::php_minor( $this->env['php_version'] );
		$file      = $this->native_file();
		$path      = $this->env['native_dir'] . '/' . $file;
		$has_build = 'Linux' === $this->env['os'] && is_readable( $path );

		$html  = self::paragraph(
			'<strong>' . esc_html__( 'CartPinger is paused: its PHP extension "cartpinger" is not loaded.', 'cartpinger-for-woocommerce' ) . '</strong> '
			. esc_html__( 'Your store and its checkout work as before; CartPinger adds nothing to them until this is fixed.', 'cartpinger-for-woocommerce' )
		);
		$html .= self::paragraph(
			sprintf(
				/* translators: 1: e.g. "PHP 8.4 (NTS, x86_64, glibc)", 2: file name of the matching prebuilt extension. */
				esc_html__( 'This site runs %1$s. The matching extension file is %2$s.', 'cartpinger-for-woocommerce' ),
				'<strong>' . esc_html( $this->platform_label() ) . '</strong>',
				self::code( 'native/' . $file )
			)
		);

		if ( ! $has_build ) {
			return $html . $this->no_build_html( $file );
		}

		$ext_dir = '' !== $this->env['extension_dir'] ? $this->env['extension_dir'] : '$(php-config --extension-dir)';
		$target  = rtrim( $ext_dir, '/' ) . '/cartpinger.so';
		$html   .= self::paragraph(
			sprintf(
				/* translators: 1: the file name "cartpinger.so", 2: the ini line "extension=cartpinger". */
				esc_html__( 'It ships in this plugin\'s native folder. Install it as %1$s in PHP\'s extension directory and enable it with the line %2$s, for every PHP that runs this site (PHP-FPM or the web server, and the command line for WP-CLI and cron). With shell access to the server:', 'cartpinger-for-woocommerce' ),
				self::code( 'cartpinger.so' ),
				self::code( 'extension=cartpinger' )
			)
		);

		// RHEL-likes read /etc/php.d (Remi's collections: /etc/opt/remi/phpXY/php.d); Debian's
		// layout (/etc/php/X.Y/SAPI/conf.d) is covered by phpenmod above.
		$scan_dir = '' !== $this->env['ini_scan_dir'] ? $this->env['ini_scan_dir'] : '/etc/php.d';
		$rows     = array(
			__( 'Debian and Ubuntu', 'cartpinger-for-woocommerce' ) => array(
				'sudo install -m 0644 ' . $path . ' ' . $target,
				"echo 'extension=cartpinger' | sudo tee /etc/php/" . $php_minor . '/mods-available/cartpinger.ini',
				'sudo phpenmod -v ' . $php_minor . ' cartpinger',
				'sudo systemctl restart php' . $php_minor . '-fpm',
			),
			__( 'RHEL, AlmaLinux, Rocky Linux, Fedora', 'cartpinger-for-woocommerce' ) => array(
				'sudo install -m 0755 ' . $path . ' ' . $target,
				"echo 'extension=cartpinger' | sudo tee " . rtrim( str_starts_with( $scan_dir, '/etc/php/' ) ? '/etc/php.d' : $scan_dir, '/' ) . '/40-cartpinger.ini',
				'sudo systemctl restart php-fpm',
			),
			__( 'Official php Docker image (Dockerfile)', 'cartpinger-for-woocommerce' ) => array(
				'COPY wp-content/plugins/cartpinger/native/' . $file . ' /tmp/cartpinger.so',
				'RUN install -m 0644 /tmp/cartpinger.so "$(php-config --extension-dir)/cartpinger.so" && docker-php-ext-enable cartpinger',
			),
		);
		$items    = array();
		foreach ( $rows as $label => $commands ) {
			$items[] = '<strong>' . esc_html( $label ) . ':</strong><br>' . implode( '<br>', array_map( array( self::class, 'code' ), $commands ) );
		}
		$html .= '<ul><li>' . implode( '</li><li>', $items ) . '</li></ul>';
		$html .= self::paragraph(
			sprintf(
				/* translators: 1: the command "php -m | grep cartpinger", 2: the PHP version this site runs. */
				esc_html__( 'Then check with %1$s (the command line may run another PHP than the site: use PHP %2$s) and reload this page: this notice disappears once the extension is loaded.', 'cartpinger-for-woocommerce' ),
				self::code( 'php -m | grep cartpinger' ),
				esc_html( $php_minor )
			)
		);
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
	 * When native/ has no file for this PHP: what it does have, and how to build one.
	 *
	 * @since 0.1.0
	 *
	 * @param string $file The file name this PHP would need.
	 * @return string
	 */
	private function no_build_html( string $file ): string {
		$shipped = array();
		foreach ( (array) glob( $this->env['native_dir'] . '/cartpinger-php*.so' ) as $found ) {
			$shipped[] = basename( (string) $found );
		}
		$html = self::paragraph(
			esc_html__( 'This copy of CartPinger has no prebuilt extension for this server.', 'cartpinger-for-woocommerce' ) . ' '
			. ( array() === $shipped
				? esc_html__( 'Its native folder is empty or missing (a build from source carries no prebuilt files).', 'cartpinger-for-woocommerce' )
				: sprintf(
					/* translators: %s: list of the prebuilt extension files shipped in the plugin's native folder. */
					esc_html__( 'Its native folder has: %s.', 'cartpinger-for-woocommerce' ),
					implode( ', ', array_map( array( self::class, 'code' ), $shipped ) )
				) )
		);
		return $html . self::paragraph(
			sprintf(
				/* translators: 1: the build command, 2: the install command through PIE, 3: the expected file name. */
				esc_html__( 'Build it from source on the server (needs Rust from rustup.rs, a C compiler, clang and the PHP development headers for this PHP): %1$s builds, tests and installs the extension for the PHP that php-config names. With PIE (the PHP Installer for Extensions): %2$s. Or ask for a build named %3$s.', 'cartpinger-for-woocommerce' ),
				self::code( 'git clone https://github.com/cartpinger/cartpinger && cd cartpinger && PHP_CONFIG=$(command -v php-config) ./build.sh' ),
				self::code( 'pie install cartpinger/cartpinger' ),
				self::code( $file )
			)
		);
	}

	/**
	 * "PHP 8.4 (NTS, x86_64, glibc)" for the running PHP.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private function platform_label(): string {
		return sprintf(
			'PHP %1$s (%2$s, %3$s, %4$s)',
			self::php_minor( $this->env['php_version'] ),
			$this->env['zts'] ? 'ZTS' : 'NTS',
			self::normalise_machine( $this->env['machine'] ),
			'Linux' === $this->env['os'] ? ( 'musl' === $this->env['libc'] ? 'musl' : 'glibc' ) : $this->env['os']
		);
	}

	/**
	 * Name of the file in native/ built for the running PHP, as ./build.sh release names it:
	 * cartpinger-php<major.minor>-<nts|zts>-<machine>-linux-<gnu|musl>.so.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	public function native_file(): string {
		return self::binary_name(
			self::php_minor( $this->env['php_version'] ),
			$this->env['zts'],
			$this->env['machine'],
			$this->env['libc']
		);
	}

	/**
	 * The release file name for one PHP build.
	 *
	 * @since 0.1.0
	 *
	 * @param string $php_minor PHP major.minor, e.g. "8.4".
	 * @param bool   $zts       Whether PHP is thread-safe (ZTS).
	 * @param string $machine   The machine as php_uname( 'm' ) says it: "x86_64", "aarch64", "arm64".
	 * @param string $libc      The C library: "gnu" (glibc) or "musl".
	 * @return string
	 */
	public static function binary_name( string $php_minor, bool $zts, string $machine, string $libc ): string {
		return sprintf(
			'cartpinger-php%1$s-%2$s-%3$s-linux-%4$s.so',
			$php_minor,
			$zts ? 'zts' : 'nts',
			self::normalise_machine( $machine ),
			'musl' === $libc ? 'musl' : 'gnu'
		);
	}

	/**
	 * One spelling per CPU: "aarch64" for arm64 (Linux already says aarch64), "x86_64" for amd64.
	 *
	 * @since 0.1.0
	 *
	 * @param string $machine The machine as php_uname( 'm' ) says it.
	 * @return string
	 */
	private static function normalise_machine( string $machine ): string {
		$machine = strtolower( $machine );
		$aliases = array(
			'arm64' => 'aarch64',
			'amd64' => 'x86_64',
			'x64'   => 'x86_64',
		);
		return $aliases[ $machine ] ?? $machine;
	}

	/**
	 * "musl" on musl-based systems (Alpine), else "gnu". PHP cannot ask the C library its name,
	 * so this looks for musl's dynamic loader, which every musl system has.
	 *
	 * @since 0.1.0
	 *
	 * @return string
	 */
	private static function detect_libc(): string {
		if ( 'Linux' !== PHP_OS_FAMILY ) {
			return 'gnu';
		}
		$musl = glob( '/lib/ld-musl-*.so.1' );
		return is_array( $musl ) && array() !== $musl ? 'musl' : 'gnu';
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
				self::code( 'native/' . $this->native_file() ),
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
			'ul'     => array(),
			'li'     => array(),
			'br'     => array(),
			'a'      => array( 'href' => true ),
		);
	}
}
