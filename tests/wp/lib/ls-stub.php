<?php
/**
 * Lemon Squeezy License API stub: a router script for PHP's built-in server
 * (`php -S 127.0.0.1:<port> tests/wp/lib/ls-stub.php`), used only by scenarios/LicenceTest.php.
 *
 * Lemon Squeezy cannot be reached from the test machine (no network, and a real key would be
 * needed), so this is the one mock of the licence tests. It answers like the documented API
 * (https://docs.lemonsqueezy.com/api/license-api): form-encoded POSTs to
 *   /v1/licenses/activate   {license_key, instance_name}  -> {activated, error, license_key, instance, meta}
 *   /v1/licenses/validate   {license_key, instance_id}    -> {valid, error, license_key, instance, meta}
 *   /v1/licenses/deactivate {license_key, instance_id}    -> {deactivated, error, license_key, meta}
 * with 404 for an unknown key or instance and 400 when the activation limit is reached.
 *
 * State lives in the JSON file named by CARTPINGER_LS_STUB_STATE (the test edits it directly):
 *   keys:     {key: {status: active|disabled|expired, limit: int}}
 *   instances {instance id: {key, name}}
 *   mode:     ok | fail500 (answers 500 with an HTML body) | hang (sleeps `hang_seconds`, then answers)
 *   requests: every request received: {path, fields, accept}
 */
declare(strict_types=1);

$state_file = (string) getenv( 'CARTPINGER_LS_STUB_STATE' );
$lock       = fopen( $state_file . '.lock', 'c' );
flock( $lock, LOCK_EX );
$state = json_decode( (string) file_get_contents( $state_file ), true );
if ( ! is_array( $state ) ) {
	$state = array();
}
$state += array(
	'keys'         => array(),
	'instances'    => array(),
	'mode'         => 'ok',
	'hang_seconds' => 3,
	'requests'     => array(),
);

$path           = (string) parse_url( (string) $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$fields         = $_POST;
$state['requests'][] = array(
	'path'   => $path,
	'method' => (string) $_SERVER['REQUEST_METHOD'],
	'fields' => $fields,
	'accept' => (string) ( $_SERVER['HTTP_ACCEPT'] ?? '' ),
);
$mode = (string) $state['mode'];

/** Saves the state and releases the lock. */
$save = static function () use ( &$state, $state_file, $lock ): void {
	file_put_contents( $state_file, json_encode( $state, JSON_PRETTY_PRINT ) );
	flock( $lock, LOCK_UN );
};

/** Sends a JSON answer. */
$reply = static function ( int $status, array $body ): void {
	http_response_code( $status );
	header( 'Content-Type: application/json' );
	echo json_encode( $body );
};

if ( 'fail500' === $mode ) {
	$save();
	http_response_code( 500 );
	header( 'Content-Type: text/html' );
	echo '<html><body>Internal Server Error</body></html>';
	return true;
}
if ( 'hang' === $mode ) {
	$seconds = (int) $state['hang_seconds'];
	$save();
	sleep( $seconds );
	$reply( 200, array( 'valid' => true, 'error' => null ) );
	return true;
}

$key      = (string) ( $fields['license_key'] ?? '' );
$known    = $state['keys'][ $key ] ?? null;
$instance = (string) ( $fields['instance_id'] ?? '' );
$meta     = array(
	'store_id'      => 1,
	'order_id'      => 2,
	'product_id'    => 3,
	'product_name'  => 'CartPinger Supporter',
	'customer_name' => 'Ada Lovelace',
);
$key_obj  = static function () use ( $key, $known, &$state ): array {
	$usage = 0;
	foreach ( $state['instances'] as $i ) {
		$usage += $i['key'] === $key ? 1 : 0;
	}
	return array(
		'id'               => 1,
		'status'           => $known['status'],
		'key'              => $key,
		'activation_limit' => $known['limit'],
		'activation_usage' => $usage,
		'created_at'       => '2026-01-01T00:00:00.000000Z',
		'expires_at'       => null,
	);
};

if ( 'POST' !== $_SERVER['REQUEST_METHOD'] ) {
	$save();
	$reply( 405, array( 'error' => 'Method not allowed.' ) );
	return true;
}

switch ( $path ) {
	case '/v1/licenses/activate':
		if ( null === $known ) {
			$save();
			$reply( 404, array( 'activated' => false, 'error' => 'license_key not found.', 'license_key' => null, 'instance' => null, 'meta' => null ) );
			break;
		}
		if ( 'active' !== $known['status'] && 'inactive' !== $known['status'] ) {
			$save();
			$reply( 400, array( 'activated' => false, 'error' => 'This license key is ' . $known['status'] . '.', 'license_key' => $key_obj(), 'instance' => null, 'meta' => $meta ) );
			break;
		}
		if ( $key_obj()['activation_usage'] >= $known['limit'] ) {
			$save();
			$reply( 400, array( 'activated' => false, 'error' => 'This license key has reached the activation limit.', 'license_key' => $key_obj(), 'instance' => null, 'meta' => $meta ) );
			break;
		}
		$id                        = sprintf( '%08x-%04x-4%03x-a%03x-%012x', random_int( 0, 0xffffffff ), random_int( 0, 0xffff ), random_int( 0, 0xfff ), random_int( 0, 0xfff ), random_int( 0, 0xffffffffffff ) );
		$state['instances'][ $id ] = array(
			'key'  => $key,
			'name' => (string) ( $fields['instance_name'] ?? '' ),
		);
		$save();
		$reply(
			200,
			array(
				'activated'   => true,
				'error'       => null,
				'license_key' => $key_obj(),
				'instance'    => array(
					'id'         => $id,
					'name'       => $state['instances'][ $id ]['name'],
					'created_at' => gmdate( 'Y-m-d\TH:i:s.000000\Z' ),
				),
				'meta'        => $meta,
			)
		);
		break;

	case '/v1/licenses/validate':
		if ( null === $known ) {
			$save();
			$reply( 404, array( 'valid' => false, 'error' => 'license_key not found.', 'license_key' => null, 'instance' => null, 'meta' => null ) );
			break;
		}
		if ( '' !== $instance && ( ! isset( $state['instances'][ $instance ] ) || $state['instances'][ $instance ]['key'] !== $key ) ) {
			$save();
			$reply( 404, array( 'valid' => false, 'error' => 'license_key instance not found.', 'license_key' => $key_obj(), 'instance' => null, 'meta' => $meta ) );
			break;
		}
		$valid = 'active' === $known['status'];
		$save();
		$reply(
			200,
			array(
				'valid'       => $valid,
				'error'       => null,
				'license_key' => $key_obj(),
				'instance'    => '' === $instance ? null : array( 'id' => $instance, 'name' => $state['instances'][ $instance ]['name'] ),
				'meta'        => $meta,
			)
		);
		break;

	case '/v1/licenses/deactivate':
		if ( null === $known || ! isset( $state['instances'][ $instance ] ) || $state['instances'][ $instance ]['key'] !== $key ) {
			$save();
			$reply( 404, array( 'deactivated' => false, 'error' => 'license_key instance not found.', 'license_key' => null, 'meta' => null ) );
			break;
		}
		unset( $state['instances'][ $instance ] );
		$save();
		$reply( 200, array( 'deactivated' => true, 'error' => null, 'license_key' => $key_obj(), 'meta' => $meta ) );
		break;

	default:
		$save();
		$reply( 404, array( 'error' => 'Not found.' ) );
}
return true;
