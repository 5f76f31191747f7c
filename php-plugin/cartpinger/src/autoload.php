<?php
/**
 * PSR-4 autoloader for the CartPinger plugin: `CartPinger\` maps to this folder.
 *
 * Classes that the `cartpinger` extension defines (CartPinger\Native\Vault, ...) are never
 * looked up here while the extension is loaded; only the exception classes under
 * CartPinger\Native\Exception\ live in PHP so that they carry a file, a line and a trace.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

spl_autoload_register(
	static function ( string $class_name ): void {
		$prefix = 'CartPinger\\';
		if ( 0 !== strncmp( $class_name, $prefix, strlen( $prefix ) ) ) {
			return;
		}
		$relative = substr( $class_name, strlen( $prefix ) );
		$file     = __DIR__ . '/' . str_replace( '\\', '/', $relative ) . '.php';
		if ( is_file( $file ) ) {
			require_once $file;
		}
	}
);
