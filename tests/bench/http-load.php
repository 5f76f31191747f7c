<?php
/**
 * A small closed-loop HTTP load generator (curl_multi) for the queue benchmarks.
 *
 *   php http-load.php URL SECONDS CONCURRENCY get|webhook [APP_SECRET]
 *
 * `webhook` POSTs signed status webhooks (X-Hub-Signature-256 over the raw body, as Meta signs
 * them), each for a different wamid; `get` fetches URL. Prints "<requests/s> <ok> <failed>".
 */
declare(strict_types=1);

[$url, $seconds, $concurrency, $mode] = [$argv[1], (float) $argv[2], (int) $argv[3], $argv[4]];
$secret = $argv[5] ?? '';
$multi  = curl_multi_init();
$n      = 0;
$ok     = 0;
$bad    = 0;
$make   = static function () use ( $url, $mode, $secret, &$n ) {
	$h = curl_init( $url );
	curl_setopt_array( $h, array( CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30 ) );
	if ( 'webhook' === $mode ) {
		$id   = 'wamid.BENCH' . getmypid() . '_' . ( ++$n );
		$body = json_encode(
			array(
				'object' => 'whatsapp_business_account',
				'entry'  => array( array( 'id' => '102290129340398', 'changes' => array( array( 'field' => 'messages', 'value' => array(
					'messaging_product' => 'whatsapp',
					'metadata'          => array( 'display_phone_number' => '15550783881', 'phone_number_id' => '106540352242922' ),
					'statuses'          => array( array( 'id' => $id, 'status' => 'delivered', 'timestamp' => (string) time(), 'recipient_id' => '34630000000' ) ),
				) ) ) ) ),
			)
		);
		curl_setopt_array(
			$h,
			array(
				CURLOPT_POST       => true,
				CURLOPT_POSTFIELDS => $body,
				CURLOPT_HTTPHEADER => array( 'Content-Type: application/json', 'X-Hub-Signature-256: sha256=' . hash_hmac( 'sha256', $body, $secret ) ),
			)
		);
	}
	return $h;
};
$end = microtime( true ) + $seconds;
$t0  = microtime( true );
for ( $i = 0; $i < $concurrency; $i++ ) {
	curl_multi_add_handle( $multi, $make() );
}
$running = 0;
do {
	curl_multi_exec( $multi, $running );
	curl_multi_select( $multi, 0.05 );
	while ( $info = curl_multi_info_read( $multi ) ) {
		$h    = $info['handle'];
		$code = curl_getinfo( $h, CURLINFO_HTTP_CODE );
		200 === $code ? $ok++ : $bad++;
		curl_multi_remove_handle( $multi, $h );
		curl_close( $h );
		if ( microtime( true ) < $end ) {
			curl_multi_add_handle( $multi, $make() );
			curl_multi_exec( $multi, $running );
		}
	}
} while ( $running > 0 || microtime( true ) < $end && $running > 0 );
$elapsed = microtime( true ) - $t0;
printf( "%.1f %d %d\n", $ok / $elapsed, $ok, $bad );
