<?php
/**
 * Prints CartPinger's rows for one phone as JSON (browser tests read the database through
 * this, with the site's own WordPress and $wpdb).
 *
 *   php -d extension=… state.php WP_DIR +34600000001
 */
declare(strict_types=1);

$_SERVER['HTTP_HOST']   = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
require $argv[1] . '/wp-load.php';

global $wpdb;
$phone   = (string) ( $argv[2] ?? '' );
$records = $wpdb->get_results( $wpdb->prepare( 'SELECT id, status, close_reason, sequence_step, coupon_code, recovered_order_id, recovered_revenue_minor, recovered_step, clicked_at, consent, next_check_at FROM %i WHERE customer_phone = %s ORDER BY id', \CartPinger\Storage\Schema::recoveries_table(), $phone ), ARRAY_A );
$msgs    = $wpdb->get_results( $wpdb->prepare( 'SELECT id, recovery_id, step, template, status, error_code FROM %i WHERE phone = %s ORDER BY id', \CartPinger\Storage\Schema::messages_log_table(), $phone ), ARRAY_A );
$order_consent = null;
$order_facts   = null;
foreach ( $records as $record ) {
	if ( (int) $record['recovered_order_id'] > 0 ) {
		$order         = wc_get_order( (int) $record['recovered_order_id'] );
		$order_consent = $order ? (string) $order->get_meta( '_cartpinger_whatsapp_consent' ) : null;
		if ( $order ) {
			// What WooCommerce's own screens show: the order notes and the order attribution.
			$order_facts = array(
				'id'              => $order->get_id(),
				'updates_consent' => (string) $order->get_meta( '_cartpinger_whatsapp_updates' ),
				'notes'           => array_map( static fn( $n ) => $n->content, wc_get_order_notes( array( 'order_id' => $order->get_id() ) ) ),
				'utm_source'      => (string) $order->get_meta( '_wc_order_attribution_utm_source' ),
				'utm_medium'      => (string) $order->get_meta( '_wc_order_attribution_utm_medium' ),
				'source_type'     => (string) $order->get_meta( '_wc_order_attribution_source_type' ),
				'edit_url'        => $order->get_edit_order_url(),
			);
		}
	}
}
echo wp_json_encode( array( 'records' => $records, 'messages' => $msgs, 'order_consent' => $order_consent, 'order' => $order_facts, 'now' => gmdate( 'Y-m-d H:i:s' ) ) ), PHP_EOL;
