<?php
/**
 * Benchmark: messages per second from ONE PHP call of Sender::send_batch against the local
 * Cloud API sandbox (real HTTP on loopback, injected latency), beside a sequential PHP sender
 * (one curl request at a time, a new handle per request, as wp_remote_post does) in the same
 * run. Appends its rows to the results file given as the first argument.
 *
 * @package CartPinger
 */

declare(strict_types=1);

require __DIR__ . '/../../php-plugin/cartpinger/src/autoload.php';
require __DIR__ . '/../native/SandboxProcess.php';

use CartPinger\Native\Sender;
use CartPinger\Tests\Native\SandboxProcess;

$out     = $argv[1] ?? 'target/bench/results.json';
$binary  = $argv[2] ?? null;
$seconds = (float) ( getenv( 'CARTPINGER_BENCH_SECONDS' ) ?: 5 );

/** @return list<array<string, mixed>> */
function jobs( string $prefix, int $n ): array {
	$jobs = array();
	for ( $i = 0; $i < $n; $i++ ) {
		$jobs[] = array(
			'id'       => "$prefix-$i",
			'to'       => sprintf( '+3461%07d', $i ),
			'template' => 'order_confirmed',
			'language' => 'es',
			'params'   => array( 'Ana', (string) ( 1000 + $i ), '49.90 EUR' ),
		);
	}
	return $jobs;
}

/** Accepted messages per second of one send_batch call. */
function batch_rate( SandboxProcess $sb, int $cap, float $seconds ): array {
	$n      = max( 10, (int) round( $cap * $seconds ) );
	$sender = new Sender( $sb->config( array( 'mps_cap' => $cap, 'concurrency' => 400, 'timeout_ms' => 5000 ) ) );
	$t0     = hrtime( true );
	$res    = $sender->send_batch( jobs( "b$cap-" . bin2hex( random_bytes( 3 ) ), $n ), 60000 );
	$dt     = ( hrtime( true ) - $t0 ) / 1e9;
	$ok     = count( array_filter( $res, static fn( $r ) => 'accepted' === $r['status'] ) );
	return array( $ok / $dt, $ok, $n );
}

/** Accepted messages per second of a sequential sender (new curl handle per request). */
function sequential_rate( SandboxProcess $sb, float $seconds ): array {
	$url  = $sb->base . '/v25.0/' . SandboxProcess::PHONE_NUMBER_ID . '/messages';
	$body = json_decode( (string) file_get_contents( __DIR__ . '/../fixtures/graph/requests/order_confirmed_es.json' ), true );
	$ok   = 0;
	$n    = 0;
	$t0   = hrtime( true );
	while ( ( hrtime( true ) - $t0 ) / 1e9 < $seconds ) {
		$body['to'] = sprintf( '+3462%07d', $n++ );
		$ch         = curl_init( $url );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_POST           => true,
				CURLOPT_POSTFIELDS     => json_encode( $body ),
				CURLOPT_HTTPHEADER     => array( 'Content-Type: application/json', 'Authorization: Bearer ' . SandboxProcess::TOKEN ),
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_TIMEOUT        => 5,
			)
		);
		$resp = (string) curl_exec( $ch );
		if ( 200 === curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ) && str_contains( $resp, 'wamid.' ) ) {
			++$ok;
		}
		curl_close( $ch );
	}
	$dt = ( hrtime( true ) - $t0 ) / 1e9;
	return array( $ok / $dt, $ok, $n );
}

$rows = array();
printf( "\nSender benchmark: one send_batch call vs a sequential PHP sender, sandbox on loopback (%.0f s per run)\n\n", $seconds );
printf( "| %-28s | %9s | %9s | %7s | %s\n", 'name', 'msg/s', 'seq msg/s', 'ratio', 'accepted/jobs, % of cap' );
printf( "|%s|%s|%s|%s|%s\n", str_repeat( '-', 30 ), str_repeat( '-', 11 ), str_repeat( '-', 11 ), str_repeat( '-', 9 ), str_repeat( '-', 26 ) );
foreach ( array( 0, 50, 200 ) as $latency ) {
	$sb = new SandboxProcess( array( '--latency-ms', (string) $latency, '--mps-cap', '0' ), $binary );
	list( $seq, $seq_ok, $seq_n ) = sequential_rate( $sb, $seconds );
	$rows[] = array( "send_mps_sequential_lat$latency", $seq, $seq, "$seq_ok/$seq_n" );
	printf( "| %-28s | %9.1f | %9.1f | %7.2f | %d/%d\n", "send_mps_sequential_lat$latency", $seq, $seq, 1.0, $seq_ok, $seq_n );
	foreach ( array( 80, 1000 ) as $cap ) {
		list( $rate, $ok, $n ) = batch_rate( $sb, $cap, $seconds );
		$name                  = "send_mps_cap{$cap}_lat$latency";
		$rows[]                = array( $name, $rate, $seq, "$ok/$n" );
		printf( "| %-28s | %9.1f | %9.1f | %7.2f | %d/%d, %.1f %% of cap\n", $name, $rate, $seq, $rate / $seq, $ok, $n, 100 * $rate / $cap );
	}
	unset( $sb );
}

$json = is_file( $out ) ? (array) json_decode( (string) file_get_contents( $out ), true ) : array();
$json = array_values( array_filter( $json, static fn( $r ) => ! str_starts_with( (string) ( $r['name'] ?? '' ), 'send_mps_' ) ) );
foreach ( $rows as list( $name, $value, $baseline ) ) {
	$json[] = array(
		'name'     => $name,
		'value'    => round( $value, 2 ),
		'unit'     => 'msg/s',
		'baseline' => round( $baseline, 2 ),
		'ratio'    => $baseline > 0 ? round( $value / $baseline, 3 ) : null,
	);
}
file_put_contents( $out, json_encode( $json, JSON_PRETTY_PRINT ) . "\n" );
printf( "\nappended to %s (baseline = sequential PHP sender at the same latency)\n", $out );
