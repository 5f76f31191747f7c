<?php
/**
 * Seeds a few dashboard rows into a running demo stack (tests/e2e/dashboard.mjs).
 *
 *   php $PHP_EXT_ARGS tests/e2e/lib/dashboard-seed.php WP_DIR
 *
 * Removes earlier seeded rows (customer_name "E2E …", phone +3469990…), inserts carts over the
 * last days (recovered, messaged, holdout, converted holdout, open) and their messages (read,
 * delivered, failed with a reason), empties the templates cache, and prints a JSON summary.
 */
declare(strict_types=1);

$wp_dir = $argv[1] ?? '';
if ( '' === $wp_dir || ! is_file( $wp_dir . '/wp-load.php' ) ) {
	fwrite( STDERR, "usage: dashboard-seed.php WP_DIR\n" );
	exit( 2 );
}
require $wp_dir . '/wp-load.php';

global $wpdb;
$rt = \CartPinger\Storage\Schema::recoveries_table();
$mt = \CartPinger\Storage\Schema::messages_log_table();
$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE phone LIKE %s', $mt, '+3469990%' ) );
$wpdb->query( $wpdb->prepare( 'DELETE FROM %i WHERE customer_phone LIKE %s', $rt, '+3469990%' ) );

$at = static fn( int $days_ago, int $hours = 0 ): string => gmdate( 'Y-m-d H:i:s', time() - $days_ago * DAY_IN_SECONDS - $hours * HOUR_IN_SECONDS );
$carts = array(
	array( 1, 'recovered', 0, true, 4990, 'read' ),
	array( 2, 'recovered', 0, true, 2500, 'delivered' ),
	array( 2, 'messaged', 0, true, 0, 'failed' ),
	array( 3, 'messaged', 0, true, 0, 'read' ),
	array( 4, 'expired', 0, true, 0, 'delivered' ),
	array( 5, 'converted', 1, false, 0, '' ),
	array( 5, 'holdout', 1, false, 0, '' ),
	array( 6, 'open', 0, false, 0, '' ),
	array( 0, 'open', 0, false, 0, '' ),
);
$ids = array();
foreach ( $carts as $i => list( $days, $status, $holdout, $messaged, $revenue, $message ) ) {
	$created = $at( $days, 2 );
	$phone   = '+34699900' . sprintf( '%03d', $i );
	$wpdb->insert(
		$rt,
		array(
			'customer_phone'          => $phone,
			'customer_name'           => 'E2E, "Shopper" ' . $i,
			'customer_email'          => 0 === $i ? '=HYPERLINK("x")' : "e2e{$i}@example.com",
			'billing_country'         => 'ES',
			'currency'                => 'EUR',
			'cart_total_minor'        => 2500,
			'consent'                 => 1,
			'consent_at'              => $created,
			'status'                  => $status,
			'holdout'                 => $holdout,
			'messaged_at'             => $messaged ? $at( $days, 1 ) : null,
			'clicked_at'              => 'recovered' === $status ? $at( $days, 1 ) : null,
			'recovered_at'            => 'recovered' === $status ? $at( $days ) : null,
			'recovered_revenue_minor' => $revenue,
			'sequence_step'           => $messaged ? 1 : 0,
			'created_at'              => $created,
			'last_activity_at'        => $created,
			'updated_at'              => $created,
		)
	);
	$ids[] = (int) $wpdb->insert_id;
	if ( '' !== $message ) {
		$sent = $at( $days, 1 );
		$wpdb->insert(
			$mt,
			array(
				'recovery_id'   => $wpdb->insert_id,
				'kind'          => 'recovery',
				'step'          => 1,
				'phone'         => $phone,
				'template'      => 'abandoned_cart_recovery',
				'language'      => 'es',
				'components'    => '{}',
				'status'        => 'failed' === $message ? 'failed' : 'sent',
				'due_at'        => $sent,
				'created_at'    => $sent,
				'updated_at'    => $sent,
				'sent_at'       => 'failed' === $message ? null : $sent,
				'delivered_at'  => in_array( $message, array( 'delivered', 'read' ), true ) ? $sent : null,
				'read_at'       => 'read' === $message ? $sent : null,
				'failed_at'     => 'failed' === $message ? $sent : null,
				'error_code'    => 'failed' === $message ? '131026' : '',
				'error_message' => 'failed' === $message ? 'Message undeliverable' : null,
				'cost_micros'   => 'failed' === $message ? null : 61000,
				'currency'      => 'failed' === $message ? '' : 'EUR',
			)
		);
	}
}
delete_transient( \CartPinger\Lifecycle::TEMPLATES_CACHE_TRANSIENT );
// The rows above are written straight into the tables (back-dated), past the write paths that
// keep the dashboard's counters: rebuild them, as `wp cartpinger stats rebuild` does.
\CartPinger\Storage\Backfill::build();
echo wp_json_encode(
	array(
		'ids'   => $ids,
		'total' => (int) $wpdb->get_var( $wpdb->prepare( 'SELECT COUNT(*) FROM %i', $rt ) ),
	)
) . "\n";
