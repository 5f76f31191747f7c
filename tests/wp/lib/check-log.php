<?php
/**
 * Judges one scenario's diagnostics.
 *   php check-log.php <debug.log> [<process output file>]
 *
 * Splits the log into entries (a "[date] ..." line plus its continuation lines, e.g. stack
 * traces). An entry that is a PHP notice/warning/error/deprecation (or a WordPress database
 * error) AND mentions CartPinger (the plugin's path, the extension, the CartPinger\ namespace,
 * the cartpinger_ tables/options) is OURS: printed as FAIL, exit status 1. Every other entry is
 * printed as information. The process output is scanned for PHP diagnostics the same way
 * (startup warnings such as "Module already loaded" never reach debug.log).
 */
declare(strict_types=1);

$log_file = $argv[1] ?? '';
$out_file = $argv[2] ?? '';
$wp_dir   = (string) getenv( 'CARTPINGER_IT_WP_DIR' );
$repo     = (string) getenv( 'CARTPINGER_IT_REPO' );

$kinds = '/\b(PHP (Notice|Warning|Deprecated|Fatal error|Parse error|Recoverable fatal error|Catchable fatal error|Strict Standards|Core Warning|Compile Warning|Startup|Error|User Notice|User Warning|User Deprecated)|WordPress database error)\b/i';

function cp_is_ours( string $text, string $wp_dir, string $repo ): bool {
	// Neutralise the site's and the repository's own paths: a clone in ~/cartpinger/ must not
	// make every WordPress or WooCommerce warning "ours".
	$plugin_src = (string) getenv( 'CARTPINGER_IT_PLUGIN_SRC' );
	if ( '' !== $plugin_src ) {
		$text = str_replace( $plugin_src, 'CPOURS', $text );
	}
	$plugins = $wp_dir . '/wp-content/plugins/';
	$text    = str_replace( $plugins . 'cartpinger', '<plugins>/CPOURS', $text );
	if ( '' !== $wp_dir ) {
		$text = str_replace( $wp_dir, '<site>', $text );
	}
	if ( '' !== $repo ) {
		$text = str_replace( array( $repo . '/php-plugin/cartpinger', $repo . '/target/release/libcartpinger' ), 'CPOURS', $text );
		$text = str_replace( $repo, '<repo>', $text );
	}
	return false !== stripos( $text, 'CPOURS' ) || false !== stripos( $text, 'cartpinger' );
}

function cp_entries( string $text ): array {
	$entries = array();
	foreach ( preg_split( '/\R/', $text ) as $line ) {
		if ( '' === trim( $line ) ) {
			continue;
		}
		if ( preg_match( '/^\[\d{2}-\w{3}-\d{4} [\d:]+ [^\]]+\] /', $line ) || ! $entries ) {
			$entries[] = $line;
		} else {
			$entries[ count( $entries ) - 1 ] .= "\n" . $line;
		}
	}
	return $entries;
}

$ours  = array();
$other = array();

if ( is_file( $log_file ) ) {
	foreach ( cp_entries( (string) file_get_contents( $log_file ) ) as $entry ) {
		$first = strtok( $entry, "\n" );
		if ( preg_match( $kinds, $first ) && cp_is_ours( $entry, $wp_dir, $repo ) ) {
			$ours[] = $entry;
		} else {
			$other[] = $entry;
		}
	}
}
if ( '' !== $out_file && is_file( $out_file ) ) {
	foreach ( preg_split( '/\R/', (string) file_get_contents( $out_file ) ) as $line ) {
		if ( preg_match( '/^(PHP )?(Notice|Warning|Deprecated|Fatal error|Parse error|Startup|Core Warning):/', $line ) ) {
			if ( cp_is_ours( $line, $wp_dir, $repo ) ) {
				$ours[] = '(process output) ' . $line;
			} else {
				$other[] = '(process output) ' . $line;
			}
		}
	}
}

$clip = static function ( string $entry ): string {
	$lines = explode( "\n", $entry );
	if ( count( $lines ) > 12 ) {
		$lines = array_merge( array_slice( $lines, 0, 12 ), array( '  ... (' . ( count( $lines ) - 12 ) . ' more lines)' ) );
	}
	return implode( "\n      ", $lines );
};

foreach ( $ours as $entry ) {
	echo 'debug.log FAIL (CartPinger): ', $clip( $entry ), PHP_EOL;
}
if ( $other ) {
	$shown = array_slice( $other, 0, 15 );
	foreach ( $shown as $entry ) {
		echo 'debug.log info: ', $clip( $entry ), PHP_EOL;
	}
	if ( count( $other ) > count( $shown ) ) {
		echo 'debug.log info: ... ', count( $other ) - count( $shown ), " more entries (see target/wp-it/results/)\n";
	}
}
exit( $ours ? 1 : 0 );
