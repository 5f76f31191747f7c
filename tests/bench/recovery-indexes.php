<?php
/**
 * Helper of tests/bench/recovery.sh. Reads `mariadb -N -e 'SHOW CREATE TABLE t'` on stdin and prints:
 *
 *   php recovery-indexes.php drop    ALTER TABLE that drops every secondary index
 *   php recovery-indexes.php add     ALTER TABLE that adds them back, definitions as read
 *   php recovery-indexes.php normal  the definition with one line per column/key, sorted and
 *                                    without AUTO_INCREMENT=, to compare before and after a load
 *
 * @package CartPinger
 */

declare(strict_types=1);

$mode = $argv[1] ?? '';
$in   = (string) stream_get_contents( STDIN );
list( $table, $def ) = array_pad( explode( "\t", trim( $in ), 2 ), 2, '' );
$def = str_replace( '\n', "\n", $def );
if ( '' === $def ) {
	fwrite( STDERR, "recovery-indexes.php: no SHOW CREATE TABLE on stdin\n" );
	exit( 1 );
}
if ( 'normal' === $mode ) {
	$lines = explode( "\n", preg_replace( '/ AUTO_INCREMENT=\d+/', '', $def ) );
	$lines = array_map( static fn( $l ) => rtrim( trim( $l ), ',' ), $lines );
	sort( $lines );
	echo implode( "\n", $lines ), "\n";
	exit( 0 );
}
preg_match_all( '/^\s*((?:UNIQUE )?KEY) `([^`]+)` (.*?),?$/m', $def, $keys, PREG_SET_ORDER );
if ( array() === $keys ) {
	exit( 0 );
}
$parts = array();
foreach ( $keys as $k ) {
	$parts[] = 'drop' === $mode ? "DROP INDEX `{$k[2]}`" : "ADD {$k[1]} `{$k[2]}` {$k[3]}";
}
echo "ALTER TABLE `$table` ", implode( ', ', $parts ), ";\n";
