<?php
/**
 * Smoke suite of the cartpinger extension, for a PHP that cannot run PHPUnit (a minimal PHP
 * built from source without dom/mbstring/xml, e.g. the ZTS release line). No PHPUnit, no
 * extension beyond what `--disable-all` keeps: every exported class is called once with
 * known answers, errors map to the plugin's exception classes, a Rust panic becomes an
 * exception and PHP keeps running.
 *
 *   php -n -d extension=/abs/libcartpinger.so tests/native/smoke.php
 *
 * Prints one line per check and "N passed, M failed"; exits 1 on any failure.
 */

declare(strict_types=1);

use CartPinger\Native\Catalog;
use CartPinger\Native\Exception;
use CartPinger\Native\Extension;
use CartPinger\Native\Phone;
use CartPinger\Native\RecoveryToken;
use CartPinger\Native\Scheduler;
use CartPinger\Native\Vault;
use CartPinger\Native\Webhook;

error_reporting( -1 );
if ( ! extension_loaded( 'cartpinger' ) ) {
	fwrite( STDERR, "cartpinger is not loaded: php -n -d extension=<so> tests/native/smoke.php\n" );
	exit( 2 );
}
require dirname( __DIR__, 2 ) . '/php-plugin/cartpinger/src/autoload.php';

$passed = 0;
$failed = 0;
function check( string $what, callable $fn ): void {
	global $passed, $failed;
	try {
		$ok = (bool) $fn();
	} catch ( \Throwable $e ) {
		$ok  = false;
		$what .= ' [' . get_class( $e ) . ': ' . $e->getMessage() . ']';
	}
	$ok ? ++$passed : ++$failed;
	echo ( $ok ? '  ok    ' : '  FAIL  ' ) . $what . "\n";
}
/** @return \Throwable|null what $fn threw */
function thrown( callable $fn ): ?\Throwable {
	try {
		$fn();
	} catch ( \Throwable $e ) {
		return $e;
	}
	return null;
}

echo 'cartpinger smoke suite on PHP ' . PHP_VERSION . ' ' . ( PHP_ZTS ? 'ZTS' : 'NTS' ) . ' ' . php_uname( 'm' ) . "\n";

check( 'ABI constant and version', fn () => is_int( CARTPINGER_NATIVE_ABI ) && Extension::abi() === CARTPINGER_NATIVE_ABI && Extension::version() === CARTPINGER_NATIVE_VERSION );
check( 'Extension::info() names the build target', fn () => is_string( Extension::info()['target'] ?? null ) && '' !== Extension::info()['target'] );

$vault    = new Vault( str_repeat( 'k', 64 ) );
$envelope = $vault->encrypt( 'EAAG-secret-token', 'cartpinger_access_token', random_bytes( 12 ) );
check( 'Vault round trip', fn () => Vault::is_envelope( $envelope ) && 'EAAG-secret-token' === $vault->decrypt( $envelope, 'cartpinger_access_token' ) );
check(
	'Vault: another key is KeyMismatchException 1004',
	function () use ( $envelope ): bool {
		$e = thrown( fn () => ( new Vault( str_repeat( 'k', 64 ) . '!' ) )->decrypt( $envelope, 'cartpinger_access_token' ) );
		return $e instanceof Exception\KeyMismatchException && 1004 === $e->getCode();
	}
);
check(
	'Vault: other associated data is DecryptionFailedException 1005',
	function () use ( $vault, $envelope ): bool {
		$e = thrown( fn () => $vault->decrypt( $envelope, 'cartpinger_app_secret' ) );
		return $e instanceof Exception\DecryptionFailedException && 1005 === $e->getCode();
	}
);
check(
	'Vault envelope opens with PHP\'s own HKDF + AES-GCM (when openssl is built in)',
	function () use ( $envelope ): bool {
		if ( ! function_exists( 'openssl_decrypt' ) ) {
			return true; // Minimal PHP without openssl: the round trip above covers the vault.
		}
		$raw  = base64_decode( strtr( substr( $envelope, 5 ), '-_', '+/' ) );
		$key  = hash_hkdf( 'sha256', str_repeat( 'k', 64 ), 32, 'aes-256-gcm key', 'cartpinger/vault/v1' );
		$body = substr( $raw, 21 );
		return 'EAAG-secret-token' === openssl_decrypt( substr( $body, 0, -16 ), 'aes-256-gcm', $key, OPENSSL_RAW_DATA, substr( $raw, 9, 12 ), substr( $body, -16 ), 'cartpinger_access_token' );
	}
);

check( 'Phone::to_e164 (national with country, 00 prefix)', fn () => '+34612345678' === Phone::to_e164( '612-345-678', 'es' ) && '+49301234567' === Phone::to_e164( '0049 30 1234567', '' ) );
check( 'Phone::region_of', fn () => 'ES' === Phone::region_of( '+34612345678' ) );
check( 'Phone: garbage is rejected with an exception', fn () => thrown( fn () => Phone::to_e164( 'not a phone', 'ES' ) ) instanceof \Exception );

$random = random_bytes( 32 );
$token  = RecoveryToken::generate( $random );
check( 'RecoveryToken: token = hex(random), hash = sha256(token)', fn () => bin2hex( $random ) === $token['token'] && hash( 'sha256', $token['token'] ) === $token['hash'] );
check( 'RecoveryToken::verify accepts the token and refuses another', fn () => RecoveryToken::verify( $token['token'], $token['hash'] ) && ! RecoveryToken::verify( str_repeat( '0', 64 ), $token['hash'] ) );

check( 'Webhook::sign known answer (= hash_hmac sha256)', fn () => 'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914' === Webhook::sign( 'test', 'secret' ) && Webhook::sign( 'test', 'secret' ) === 'sha256=' . hash_hmac( 'sha256', 'test', 'secret' ) );
check( 'Webhook::verify_signature accepts a good and rejects a bad signature', fn () => null === thrown( fn () => Webhook::verify_signature( 'body', Webhook::sign( 'body', 's' ), 's' ) ) && thrown( fn () => Webhook::verify_signature( 'body', 'sha256=' . str_repeat( '0', 64 ), 's' ) ) instanceof \Exception );

check( 'Catalog: five languages, templates listed', fn () => count( Catalog::languages() ) >= 5 && array() !== Catalog::templates() );
$policy = array(
	'delay'              => 3600,
	'followups'          => true,
	'followup_1_after'   => 86400,
	'followup_2_enabled' => true,
	'followup_2_after'   => 172800,
	'coupon'             => true,
	'cooloff'            => 43200,
	'max_age'            => 604800,
	'holdout_percent'    => 0,
	'holdout_salt'       => 'site-salt',
	'quiet'              => array( 'enabled' => true, 'start' => 1260, 'end' => 540 ),
	'default_timezone'   => 'UTC',
	'ttl'                => array( 21600, 43200, 86400 ),
	'us_marketing_guard' => true,
);
check( 'Scheduler::plan on no records plans nothing', fn () => array() === array_filter( Scheduler::plan( $policy, array(), 1764000000 ) ) );
check(
	'Scheduler: a bad policy is SchedulerException',
	fn () => thrown( fn () => Scheduler::plan( array(), array(), 1764000000 ) ) instanceof Exception\SchedulerException
);

check(
	'a Rust panic is InternalException 9001 and PHP goes on',
	function (): bool {
		$e = thrown( fn () => Extension::panic_for_test( 'smoke' ) );
		return $e instanceof Exception\InternalException && 9001 === $e->getCode();
	}
);
check( 'no type juggling at the boundary (int for string is a TypeError)', fn () => thrown( fn () => Phone::region_of( 34612345678 ) ) instanceof \TypeError );

echo "$passed passed, $failed failed\n";
exit( $failed > 0 ? 1 : 0 );
