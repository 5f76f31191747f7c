<?php
/**
 * Benchmark: the cost of crossing into the extension, and the credential vault.
 *
 * Each row is the median of several timed loops in one process, against a baseline measured in
 * the same run: a userland PHP function for the call overhead, and the same envelope opened with
 * PHP's own hash_hkdf() + openssl_decrypt() for decryption. Prints a table and writes the rows
 * to the JSON file given as the first argument.
 *
 * @package CartPinger
 */

declare(strict_types=1);

require __DIR__ . '/../../php-plugin/cartpinger/src/autoload.php';

use CartPinger\Native\Extension;
use CartPinger\Native\Vault;

if ( ! extension_loaded( 'cartpinger' ) ) {
	fwrite( STDERR, "cartpinger extension not loaded\n" );
	exit( 1 );
}

const ROUNDS = 9;

/**
 * Median nanoseconds per iteration of $fn over $iterations, over ROUNDS rounds.
 */
function median_ns( callable $fn, int $iterations ): float {
	$samples = array();
	$fn( 1000 ); // warm-up.
	for ( $r = 0; $r < ROUNDS; $r++ ) {
		$t0        = hrtime( true );
		$fn( $iterations );
		$samples[] = ( hrtime( true ) - $t0 ) / $iterations;
	}
	sort( $samples );
	return $samples[ intdiv( ROUNDS, 2 ) ];
}

/** Userland twin of Extension::abi(): a static call returning an int. */
final class Userland {
	public static function abi(): int {
		return 1;
	}
}

$rows = array();

// 1. Call overhead: a static method returning an int, extension vs userland, minus the empty loop.
$n     = 1000000;
$empty = median_ns( static function ( int $k ): void { for ( $i = 0; $i < $k; $i++ ) { $x = $i; } }, $n );
$ext   = median_ns( static function ( int $k ): void { for ( $i = 0; $i < $k; $i++ ) { $x = Extension::abi(); } }, $n );
$php   = median_ns( static function ( int $k ): void { for ( $i = 0; $i < $k; $i++ ) { $x = Userland::abi(); } }, $n );
$rows[] = array( 'ext_call_ns', $ext - $empty, 'ns', $php - $empty, 'Extension::abi() vs userland static int method' );

// 2. Vault: decrypt (and encrypt) a 200-byte access token; baseline is PHP's own crypto doing the same work.
$material  = str_repeat( 'k', 64 );
$aad       = 'cartpinger_access_token';
$plaintext = str_repeat( 'EAAG', 50 );
$vault     = new Vault( $material );
$envelope  = $vault->encrypt( $plaintext, $aad, random_bytes( 12 ) );

/** Opens a cpv1 envelope with PHP's openssl, key derived per call as the extension does. */
function php_open( string $envelope, string $aad, string $material ): string {
	$raw   = base64_decode( strtr( substr( $envelope, 5 ), '-_', '+/' ) );
	$key   = hash_hkdf( 'sha256', $material, 32, 'aes-256-gcm key', 'cartpinger/vault/v1' );
	$nonce = substr( $raw, 9, 12 );
	$body  = substr( $raw, 21 );
	return (string) openssl_decrypt( substr( $body, 0, -16 ), 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $nonce, substr( $body, -16 ), $aad );
}

if ( php_open( $envelope, $aad, $material ) !== $plaintext ) {
	fwrite( STDERR, "baseline does not open the extension's envelope: benchmark invalid\n" );
	exit( 1 );
}
$m       = 100000;
$dec_ext = median_ns( static function ( int $k ) use ( $vault, $envelope, $aad ): void { for ( $i = 0; $i < $k; $i++ ) { $vault->decrypt( $envelope, $aad ); } }, $m );
$dec_php = median_ns( static function ( int $k ) use ( $envelope, $aad, $material ): void { for ( $i = 0; $i < $k; $i++ ) { php_open( $envelope, $aad, $material ); } }, $m );
$rows[]  = array( 'decrypt_us', $dec_ext / 1000, 'us', $dec_php / 1000, 'Vault::decrypt (key derived once) vs hash_hkdf+openssl_decrypt per call' );

$dec_cold = median_ns( static function ( int $k ) use ( $material, $envelope, $aad ): void { for ( $i = 0; $i < $k; $i++ ) { ( new Vault( $material ) )->decrypt( $envelope, $aad ); } }, $m );
$rows[]   = array( 'decrypt_cold_us', $dec_cold / 1000, 'us', $dec_php / 1000, 'new Vault + decrypt vs hash_hkdf+openssl_decrypt per call' );

$enc_ext = median_ns( static function ( int $k ) use ( $vault, $plaintext, $aad ): void { for ( $i = 0; $i < $k; $i++ ) { $vault->encrypt( $plaintext, $aad, random_bytes( 12 ) ); } }, $m );
$enc_php = median_ns(
	static function ( int $k ) use ( $plaintext, $aad, $material ): void {
		for ( $i = 0; $i < $k; $i++ ) {
			$key   = hash_hkdf( 'sha256', $material, 32, 'aes-256-gcm key', 'cartpinger/vault/v1' );
			$nonce = random_bytes( 12 );
			$tag   = '';
			$ct    = openssl_encrypt( $plaintext, 'aes-256-gcm', $key, OPENSSL_RAW_DATA, $nonce, $tag, $aad );
			$x     = 'cpv1.' . rtrim( strtr( base64_encode( "\x01" . str_repeat( "\0", 8 ) . $nonce . $ct . $tag ), '+/', '-_' ), '=' );
		}
	},
	$m
);
$rows[] = array( 'encrypt_us', $enc_ext / 1000, 'us', $enc_php / 1000, 'Vault::encrypt vs hash_hkdf+openssl_encrypt per call' );

// Table.
printf( "\nCartPinger extension benchmark (PHP %s, %s, median of %d rounds)\n\n", PHP_VERSION, PHP_ZTS ? 'ZTS' : 'NTS', ROUNDS );
printf( "| %-16s | %10s | %10s | %6s | %-5s | %s\n", 'name', 'value', 'baseline', 'ratio', 'unit', 'what' );
printf( "|%s|%s|%s|%s|%s|%s\n", str_repeat( '-', 18 ), str_repeat( '-', 12 ), str_repeat( '-', 12 ), str_repeat( '-', 8 ), str_repeat( '-', 7 ), str_repeat( '-', 40 ) );
$json = array();
foreach ( $rows as list( $name, $value, $unit, $baseline, $what ) ) {
	$ratio = $baseline > 0 ? $value / $baseline : null;
	printf( "| %-16s | %10.3f | %10.3f | %6.2f | %-5s | %s\n", $name, $value, $baseline, (float) $ratio, $unit, $what );
	$json[] = array(
		'name'     => $name,
		'value'    => round( $value, 4 ),
		'unit'     => $unit,
		'baseline' => round( $baseline, 4 ),
		'ratio'    => null === $ratio ? null : round( $ratio, 4 ),
	);
}
$out = $argv[1] ?? 'target/bench/results.json';
file_put_contents( $out, json_encode( $json, JSON_PRETTY_PRINT ) . "\n" );
printf( "\nwrote %s (ratio = value / baseline; < 1 means the extension is faster)\n", $out );
