<?php
/**
 * Helpers of the fault suite and the queue benchmarks, run inside the stack's WordPress:
 *
 *   php $PHP_EXT_ARGS tests/fault/lib.php ACTION [ARGS]   (CP_DEMO_WP_DIR, CP_DEMO_HOST set)
 *
 * fill N ORDER_SHARE   queue N messages (that share of them order updates, the rest recovery)
 * cap N                set the throughput cap option
 * counts               JSON: rows per status, and rows still in flight
 * backdate SECONDS     move every `unknown` row's in-flight time SECONDS into the past (time travel)
 * settle               one queue pass without sending (inbox applied, unknowns settled)
 * report               JSON: every row's status, error_code, wamid presence, id
 * inbox N              store N signed-looking status bodies for existing wamids (bench)
 * apply                apply the inbox until empty; prints ms and events
 * clear                delete every message row and the inbox
 */
declare(strict_types=1);

$cp_dir = (string) getenv( 'CP_DEMO_WP_DIR' );
if ( '' === $cp_dir || ! is_file( $cp_dir . '/wp-load.php' ) ) {
	fwrite( STDERR, "lib.php: CP_DEMO_WP_DIR is not a WordPress\n" );
	exit( 2 );
}
$_SERVER['HTTP_HOST']   = (string) ( getenv( 'CP_DEMO_HOST' ) ?: '127.0.0.1' );
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
require $cp_dir . '/wp-load.php';

use CartPinger\Queue\Store;
use CartPinger\Storage\Schema;
use CartPinger\Webhook\Processor;

global $wpdb;
$table  = Schema::messages_log_table();
$action = $argv[1] ?? '';

switch ( $action ) {
	case 'fill':
		$n     = max( 1, (int) ( $argv[2] ?? 1000 ) );
		$share = (float) ( $argv[3] ?? 0.3 );
		$store = new Store();
		$run   = bin2hex( random_bytes( 4 ) );
		$now   = gmdate( 'Y-m-d H:i:s', time() - 5 );
		for ( $i = 0; $i < $n; $i++ ) {
			$order = $i < (int) round( $n * $share );
			$id    = $store->enqueue(
				array(
					'phone'           => sprintf( '+3463%07d', $i ),
					'template'        => 'order_confirmed',
					'language'        => 'es',
					'params'          => array( 'Ana', (string) ( 1000 + $i ), '49.90 EUR' ),
					'kind'            => $order ? 'order' : 'recovery',
					'idempotency_key' => "fault:{$run}:{$i}",
					'due_at'          => $now,
				)
			);
			if ( is_wp_error( $id ) ) {
				fwrite( STDERR, $id->get_error_message() . "\n" );
				exit( 1 );
			}
		}
		echo $n, "\n";
		break;

	case 'cap':
		update_option( 'cartpinger_mps_cap', max( 1, (int) ( $argv[2] ?? 80 ) ), false );
		break;

	case 'counts':
		$rows = $wpdb->get_results( $wpdb->prepare( 'SELECT status, COUNT(*) AS n FROM %i GROUP BY status', $table ), ARRAY_A );
		$out  = array();
		foreach ( $rows as $row ) {
			$out[ $row['status'] ] = (int) $row['n'];
		}
		$out['_open']  = ( $out['pending'] ?? 0 ) + ( $out['claimed'] ?? 0 ) + ( $out['sending'] ?? 0 );
		$out['_inbox'] = Processor::inbox_size();
		echo wp_json_encode( $out ), "\n";
		break;

	case 'backdate':
		$s = max( 0, (int) ( $argv[2] ?? 0 ) );
		$wpdb->query( $wpdb->prepare( "UPDATE %i SET in_flight_at = DATE_SUB(COALESCE(in_flight_at, created_at), INTERVAL %d SECOND), due_at = DATE_SUB(due_at, INTERVAL %d SECOND) WHERE status = 'unknown'", $table, $s, $s ) );
		break;

	case 'settle':
		( new Processor() )->apply_inbox( 100000 );
		echo ( new Store() )->release_expired(), "\n";
		break;

	case 'report':
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT id, kind, status, error_code, wamid <> '' AS has_wamid, attempts, resends FROM %i ORDER BY id", $table ), ARRAY_A );
		echo wp_json_encode( $rows ), "\n";
		break;

	case 'inbox':
		$n     = max( 1, (int) ( $argv[2] ?? 1000 ) );
		$wamid = $wpdb->get_col( $wpdb->prepare( "SELECT wamid FROM %i WHERE wamid <> '' ORDER BY id LIMIT %d", $table, $n ) );
		if ( array() === $wamid ) {
			fwrite( STDERR, "no sent messages to build statuses for\n" );
			exit( 1 );
		}
		$phone = (string) get_option( 'cartpinger_phone_number_id', '106540352242922' );
		for ( $i = 0; $i < $n; $i++ ) {
			$body = array(
				'object' => 'whatsapp_business_account',
				'entry'  => array(
					array(
						'id'      => '102290129340398',
						'changes' => array(
							array(
								'field' => 'messages',
								'value' => array(
									'messaging_product' => 'whatsapp',
									'metadata'          => array(
										'display_phone_number' => '15550783881',
										'phone_number_id'      => '106540352242922',
									),
									'statuses'          => array(
										array(
											'id'           => $wamid[ $i % count( $wamid ) ],
											'status'       => ( $i < count( $wamid ) ) ? 'delivered' : 'read',
											'timestamp'    => (string) time(),
											'recipient_id' => '34630000000',
										),
									),
								),
							),
						),
					),
				),
			);
			$wpdb->insert(
				Schema::webhook_inbox_table(),
				array(
					'received_at' => gmdate( 'Y-m-d H:i:s' ),
					'body'        => wp_json_encode( $body ),
				)
			);
		}
		echo $n, "\n";
		break;

	case 'apply':
		$processor = new Processor();
		$t0        = hrtime( true );
		$events    = 0;
		for ( $round = 0; $round < 10000 && Processor::inbox_size() > 0; $round++ ) {
			$events += $processor->apply_inbox( Processor::INBOX_BATCH );
		}
		printf( "%.1f %d\n", ( hrtime( true ) - $t0 ) / 1e6, $events );
		break;

	case 'clear':
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', $table ) );
		$wpdb->query( $wpdb->prepare( 'DELETE FROM %i', Schema::webhook_inbox_table() ) );
		break;

	default:
		fwrite( STDERR, "lib.php: unknown action '{$action}'\n" );
		exit( 2 );
}
