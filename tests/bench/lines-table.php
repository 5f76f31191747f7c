<?php
/**
 * One table of the extension rows per PHP line (tests/bench/lines.sh), merged into the bench
 * results file as "<name>@php<line>".
 *
 *   php tests/bench/lines-table.php DIR RESULTS.json
 *
 * @package CartPinger
 */

declare(strict_types=1);

[, $dir, $out] = $argv + array( null, 'target/bench/lines', 'target/bench/results.json' );
$names         = array( 'ext_call_ns', 'decrypt_us', 'decrypt_cold_us', 'encrypt_us' );
$lines         = array();
foreach ( glob( "$dir/*.json" ) ?: array() as $file ) {
	$rows = json_decode( (string) file_get_contents( $file ), true );
	if ( is_array( $rows ) ) {
		$lines[ basename( $file, '.json' ) ] = array_column( $rows, null, 'name' );
	}
}
uksort( $lines, 'strnatcmp' );
if ( array() === $lines ) {
	echo "no per-line results in $dir\n";
	exit( 1 );
}

echo "\nExtension rows per PHP line (value / baseline in the same PHP; ratio < 1: the extension is faster)\n\n";
printf( '| %-16s |', 'PHP line' );
foreach ( $names as $name ) {
	printf( ' %-24s |', $name . ' (' . ( 'ext_call_ns' === $name ? 'ns' : 'µs' ) . ')' );
}
echo "\n|" . str_repeat( '-', 18 ) . '|' . str_repeat( str_repeat( '-', 26 ) . '|', count( $names ) ) . "\n";
$json = is_file( $out ) ? json_decode( (string) file_get_contents( $out ), true ) : array();
$json = array_values( array_filter( is_array( $json ) ? $json : array(), static fn ( $r ) => ! str_contains( (string) ( $r['name'] ?? '' ), '@php' ) ) );
foreach ( $lines as $line => $rows ) {
	printf( '| %-16s |', $line . ( str_contains( $line, 'aarch64' ) ? '*' : '' ) );
	foreach ( $names as $name ) {
		$r = $rows[ $name ] ?? null;
		if ( null === $r ) {
			printf( ' %-24s |', '-' );
			continue;
		}
		printf( ' %-24s |', sprintf( '%.3f / %.3f = %.2f', $r['value'], $r['baseline'], (float) $r['ratio'] ) );
		$json[] = array( 'name' => "$name@php$line" ) + $r;
	}
	echo "\n";
}
echo "\n* under qemu-user emulation on this x86_64 machine: compare its ratios, not its times.\n";
@mkdir( dirname( $out ), 0777, true );
file_put_contents( $out, json_encode( $json, JSON_PRETTY_PRINT ) . "\n" );
printf( "added %d rows to %s\n", count( $lines ) * count( $names ), $out );
