<?php
/**
 * Storefront probe for tests/bench/recovery.sh (plain HTTP client, runs outside WordPress):
 *
 *   php storefront.php SITE_URL OUT.json
 *
 * 1. The shop page (/shop/, a guest without a cart), CartPinger on and off on the same server,
 *    interleaved request by request: "off" sends X-CPBench-Off: 1, which tests/bench/mu-bench.php
 *    turns into "cartpinger/cartpinger.php is not in active_plugins" for that request.
 * 2. POST /wp-json/cartpinger/v1/track-cart in a real WooCommerce session (a product added with
 *    ?add-to-cart, the session cookie kept), with the wp_rest and checkout nonces read from the checkout page's
 *    window.cartpingerTrack inline script; baseline GET /wp-json/wc/store/v1/cart in the same
 *    session, interleaved. The route allows 30 calls a minute per session, so several sessions
 *    are used, each well under that.
 *
 * Times are curl's total time per request (loopback), medians.
 *
 * @package CartPinger
 */

declare(strict_types=1);

$site = rtrim( $argv[1] ?? '', '/' );
$out  = $argv[2] ?? '';
if ( '' === $site || '' === $out ) {
	fwrite( STDERR, "usage: php storefront.php SITE_URL OUT.json\n" );
	exit( 2 );
}
$page_n     = (int) ( getenv( 'CPBENCH_PAGE_N' ) ?: 30 );
$sessions   = (int) ( getenv( 'CPBENCH_SESSIONS' ) ?: 3 );
$per_sess   = 10; // measured track-cart calls per session (+2 warm-up): 12 < 30/min.

/** Median. */
function med( array $xs ): float {
	sort( $xs );
	$n = count( $xs );
	return 0 === $n ? 0.0 : ( $n % 2 ? (float) $xs[ intdiv( $n, 2 ) ] : ( $xs[ $n / 2 - 1 ] + $xs[ $n / 2 ] ) / 2 );
}

/**
 * One request; returns [status, body, ms].
 *
 * @param CurlHandle $ch Handle (keeps the session's cookies in memory).
 */
function req( CurlHandle $ch, string $method, string $url, array $headers = array(), ?string $body = null ): array {
	curl_setopt_array(
		$ch,
		array(
			CURLOPT_URL            => $url,
			CURLOPT_CUSTOMREQUEST  => $method,
			CURLOPT_POSTFIELDS     => $body,
			CURLOPT_POST           => 'POST' === $method,
			CURLOPT_HTTPGET        => 'GET' === $method,
			CURLOPT_HTTPHEADER     => $headers,
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_FOLLOWLOCATION => false,
			CURLOPT_TIMEOUT        => 60,
			CURLOPT_COOKIEFILE     => '',
		)
	);
	if ( null === $body ) {
		curl_setopt( $ch, CURLOPT_POSTFIELDS, null );
	}
	$resp = (string) curl_exec( $ch );
	return array( (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE ), $resp, 1000 * (float) curl_getinfo( $ch, CURLINFO_TOTAL_TIME ) );
}

function fail( string $msg ): void {
	fwrite( STDERR, "storefront.php: $msg\n" );
	exit( 1 );
}

// 1. Shop page, on/off interleaved (fresh cookie-less handle each: a guest's first view).
$on  = array();
$off = array();
for ( $i = -3; $i < $page_n; $i++ ) { // 3 warm-up pairs.
	foreach ( array( true, false ) as $plugin_on ) {
		$ch                 = curl_init();
		list( $code, , $ms ) = req( $ch, 'GET', "$site/shop/", $plugin_on ? array() : array( 'X-CPBench-Off: 1' ) );
		curl_close( $ch );
		if ( 200 !== $code ) {
			fail( "/shop/ answered $code (plugin " . ( $plugin_on ? 'on' : 'off' ) . ')' );
		}
		if ( $i >= 0 ) {
			if ( $plugin_on ) {
				$on[] = $ms;
			} else {
				$off[] = $ms;
			}
		}
	}
}
// 1b. In-process: the time spent in CartPinger's own file and hook callbacks on the same page,
// summed by tests/bench/mu-bench.php (X-CPBench-Hooks: 1), median per request.
$hook_ns    = array();
$hook_calls = 0;
$hook_top   = '';
for ( $i = -3; $i < $page_n; $i++ ) {
	$ch                     = curl_init();
	list( $code, $html )    = req( $ch, 'GET', "$site/shop/", array( 'X-CPBench-Hooks: 1' ) );
	curl_close( $ch );
	if ( 200 !== $code || 1 !== preg_match( '/<!-- cpbench-hooks ns=(\d+) calls=(\d+) top=([^>]*?) queries=(\d+ \([^)]*\)) -->/', $html, $hm ) ) {
		fail( "/shop/ with X-CPBench-Hooks answered $code without the cpbench-hooks comment" );
	}
	if ( $i >= 0 ) {
		$hook_ns[]  = (int) $hm[1];
		$hook_calls = (int) $hm[2];
		$hook_top   = $hm[3] . ' (database queries: ' . $hm[4] . ')';
	}
}
if ( $hook_calls < 1 ) {
	fail( 'the hook timer saw no CartPinger code on /shop/ (is the plugin active?)' );
}

// The switch really switches: the checkout page carries the tracker only with the plugin on.
$ch = curl_init();
list( , $products ) = req( $ch, 'GET', "$site/wp-json/wc/store/v1/products?per_page=1&type=simple" );
$product            = json_decode( $products, true )[0]['id'] ?? 0;
if ( ! $product ) {
	fail( 'no product from /wp-json/wc/store/v1/products' );
}
req( $ch, 'GET', "$site/?add-to-cart=$product" );
list( , $html_off ) = req( $ch, 'GET', "$site/checkout/", array( 'X-CPBench-Off: 1' ) );
curl_close( $ch );
if ( str_contains( $html_off, 'cartpingerTrack' ) ) {
	fail( 'X-CPBench-Off did not switch CartPinger off (is tests/bench/mu-bench.php installed?)' );
}

// 2. track-cart vs the Store API cart, same session.
$track = array();
$cart  = array();
$codes = array();
for ( $s = 0; $s < $sessions; $s++ ) {
	$ch = curl_init();
	list( $code ) = req( $ch, 'GET', "$site/?add-to-cart=$product" );
	if ( 200 !== $code && 302 !== $code ) {
		fail( "add-to-cart answered $code" );
	}
	list( $code, $html ) = req( $ch, 'GET', "$site/checkout/" );
	if ( 200 !== $code || 1 !== preg_match( '/window\.cartpingerTrack=(\{.*?\});/', $html, $m ) ) {
		fail( "checkout page ($code) has no window.cartpingerTrack" );
	}
	$cfg = json_decode( $m[1], true );
	if ( ! is_array( $cfg ) || empty( $cfg['nonce'] ) || empty( $cfg['url'] ) ) {
		fail( 'window.cartpingerTrack has no url/nonce' );
	}
	$body = json_encode(
		array(
			'phone'   => sprintf( '+34 612 %03d %03d', $s, 100 + $s ),
			'name'    => 'Bench Shopper',
			'email'   => "bench$s@example.test",
			'country' => 'ES',
			'consent' => true,
		)
	);
	for ( $i = -2; $i < $per_sess; $i++ ) {
		list( $tc, $tb, $tms ) = req( $ch, 'POST', $cfg['url'], array( 'Content-Type: application/json', 'X-WP-Nonce: ' . $cfg['nonce'], 'X-CartPinger-Nonce: ' . ( $cfg['check'] ?? '' ) ), $body );
		list( $cc, , $cms )    = req( $ch, 'GET', "$site/wp-json/wc/store/v1/cart" );
		$answer                = json_decode( $tb, true );
		if ( 200 !== $tc || true !== ( $answer['success'] ?? null ) ) {
			fail( "track-cart answered $tc: " . substr( $tb, 0, 300 ) );
		}
		if ( 200 !== $cc ) {
			fail( "GET /wc/store/v1/cart answered $cc" );
		}
		$codes[ $answer['status'] ] = ( $codes[ $answer['status'] ] ?? 0 ) + 1;
		if ( $i >= 0 ) {
			$track[] = $tms;
			$cart[]  = $cms;
		}
	}
	curl_close( $ch );
}

file_put_contents(
	$out,
	json_encode(
		array(
			'shop_on_ms'     => med( $on ),
			'shop_off_ms'    => med( $off ),
			'shop_n'         => count( $on ),
			'hook_ms'        => med( $hook_ns ) / 1e6,
			'hook_calls'     => $hook_calls,
			'hook_top'       => $hook_top,
			'track_ms'       => med( $track ),
			'cart_ms'        => med( $cart ),
			'track_n'        => count( $track ),
			'track_statuses' => $codes,
		),
		JSON_PRETTY_PRINT
	) . "\n"
);
