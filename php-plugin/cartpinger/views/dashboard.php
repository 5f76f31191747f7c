<?php
/**
 * Dashboard template. Variables: $view (see Admin\DashboardPage::render()).
 *
 * @package CartPinger
 * @since   0.3.0
 */

use CartPinger\Admin\DashboardPage;
use CartPinger\Admin\DashboardView;
use CartPinger\Admin\Export;
use CartPinger\Admin\Menu;

defined( 'ABSPATH' ) || exit;

// phpcs:disable WordPress.WP.GlobalVariablesOverride.Prohibited -- template-local variables.
$cartpinger_filter = static function ( array $keep, string $inner, string $anchor ) use ( $view ): void {
	printf( '<form method="get" action="%s#%s" class="cartpinger-filter">', esc_url( admin_url( 'admin.php' ) ), esc_attr( $anchor ) );
	$cartpinger_base = array(
		'page'  => Menu::SLUG_DASHBOARD,
		'range' => $view['days'],
	);
	foreach ( array_merge( $cartpinger_base, $keep ) as $k => $v ) {
		printf( '<input type="hidden" name="%s" value="%s">', esc_attr( (string) $k ), esc_attr( (string) $v ) );
	}
	echo $inner; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- built by $cartpinger_select from escaped parts.
	echo ' <button type="submit" class="button">' . esc_html__( 'Filter', 'cartpinger-for-woocommerce' ) . '</button></form>';
};
$cartpinger_select = static function ( string $name, array $options, string $current ): string {
	$html = sprintf( '<select name="%s">', esc_attr( $name ) );
	foreach ( $options as $value => $label ) {
		$html .= sprintf( '<option value="%s"%s>%s</option>', esc_attr( (string) $value ), selected( (string) $value, $current, false ), esc_html( $label ) );
	}
	return $html . '</select>';
};
$cartpinger_pages  = static function ( string $arg, int $page, int $pages, array $args ): void {
	if ( $pages <= 1 ) {
		return;
	}
	$links = paginate_links(
		array(
			'base'      => add_query_arg( array_merge( $args, array( $arg => '%#%' ) ), admin_url( 'admin.php' ) ),
			'format'    => '',
			'current'   => min( $page, $pages ),
			'total'     => $pages,
			'prev_text' => '‹',
			'next_text' => '›',
		)
	);
	echo '<div class="tablenav"><div class="tablenav-pages cartpinger-pages">' . wp_kses_post( (string) $links ) . '</div></div>';
};
?>
<div class="wrap cartpinger-admin cartpinger-dashboard">
	<h1><?php esc_html_e( 'CartPinger Dashboard', 'cartpinger-for-woocommerce' ); ?></h1>
	<p class="cartpinger-heartbeat"><?php echo esc_html( $view['heartbeat']['text'] ); ?></p>
	<?php if ( 'stale' === $view['heartbeat']['state'] ) : ?>
		<div class="notice notice-warning inline"><p><?php esc_html_e( 'The queue has not run for more than 10 minutes: check that WP-Cron or Action Scheduler runs on this site, or add a server cron job running "wp cartpinger queue run" every minute.', 'cartpinger-for-woocommerce' ); ?></p></div>
	<?php endif; ?>

	<?php if ( $view['refused'] > 0 ) : ?>
		<p class="cartpinger-refused-captures" data-count="<?php echo (int) $view['refused']; ?>">
			<?php
			/* translators: %d: number of refused WhatsApp opt-ins. */
			echo esc_html( sprintf( _n( '%d WhatsApp opt-in was refused in the last 7 days: too many from one network or store-wide in an hour (a script, or limits to raise with the cartpinger_capture_limits filter).', '%d WhatsApp opt-ins were refused in the last 7 days: too many from one network or store-wide in an hour (a script, or limits to raise with the cartpinger_capture_limits filter).', (int) $view['refused'], 'cartpinger-for-woocommerce' ), (int) $view['refused'] ) );
			?>
		</p>
	<?php endif; ?>

	<?php if ( $view['empty'] ) : ?>
		<div class="cartpinger-empty card">
			<h2><?php esc_html_e( 'No abandoned carts yet', 'cartpinger-for-woocommerce' ); ?></h2>
			<p><?php esc_html_e( 'CartPinger starts counting when a shopper types a phone number at checkout, ticks the WhatsApp reminders box and leaves without ordering. The first reminder goes out after the delay you set; this page then shows how many carts came back and what they were worth.', 'cartpinger-for-woocommerce' ); ?></p>
			<p><a class="button button-primary" href="<?php echo esc_url( $view['setup_url'] ); ?>"><?php esc_html_e( 'Check the setup and send yourself a test reminder', 'cartpinger-for-woocommerce' ); ?></a></p>
		</div>
	<?php endif; ?>

	<div class="cartpinger-toolbar">
		<span class="cartpinger-range subsubsub">
			<?php
			$cartpinger_links = array();
			foreach ( $view['ranges'] as $cartpinger_r ) {
				$cartpinger_links[] = sprintf( '<a href="%1$s" data-range="%2$d"%3$s>%4$s</a>', esc_url( $cartpinger_r['url'] ), (int) $cartpinger_r['days'], $cartpinger_r['current'] ? ' class="current" aria-current="page"' : '', esc_html( $cartpinger_r['label'] ) );
			}
			echo implode( ' | ', $cartpinger_links ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped parts.
			?>
		</span>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="<?php echo esc_attr( Export::ACTION ); ?>">
			<?php wp_nonce_field( Export::NONCE ); ?>
			<button type="submit" class="button cartpinger-export"><?php esc_html_e( 'Export carts (CSV)', 'cartpinger-for-woocommerce' ); ?></button>
		</form>
	</div>

	<?php foreach ( $view['kpis'] as $cartpinger_group => $cartpinger_g ) : ?>
		<h2 class="cartpinger-kpi-title"><?php echo esc_html( $cartpinger_g['title'] ); ?></h2>
		<div class="cartpinger-kpis" data-group="<?php echo esc_attr( $cartpinger_group ); ?>">
			<?php foreach ( $cartpinger_g['boxes'] as $cartpinger_key => $cartpinger_box ) : ?>
				<div class="cartpinger-kpi card" data-kpi="<?php echo esc_attr( $cartpinger_key ); ?>"><div class="cartpinger-kpi-label"><?php echo esc_html( $cartpinger_box[0] ); ?></div><div class="cartpinger-kpi-value"><?php echo wp_kses_post( $cartpinger_box[1] ); ?></div></div>
			<?php endforeach; ?>
		</div>
	<?php endforeach; ?>

	<h2><?php esc_html_e( 'Per day', 'cartpinger-for-woocommerce' ); ?></h2>
	<div id="cartpinger-chart" class="cartpinger-chart"></div>
	<script type="application/json" id="cartpinger-dashboard-data"><?php echo wp_json_encode( $view['chart'], JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ); ?></script>

	<h2><?php esc_html_e( 'Funnel (carts captured in the range)', 'cartpinger-for-woocommerce' ); ?></h2>
	<table class="widefat striped cartpinger-narrow cartpinger-funnel"><tbody>
		<?php foreach ( $view['funnel'] as $cartpinger_row ) : ?>
			<tr data-step="<?php echo esc_attr( $cartpinger_row['key'] ); ?>"><td><?php echo esc_html( $cartpinger_row['label'] ); ?></td><td><?php echo esc_html( number_format_i18n( $cartpinger_row['count'] ) ); ?></td><td class="cartpinger-bar-cell"><progress class="cartpinger-bar" max="100" value="<?php echo esc_attr( number_format( $cartpinger_row['pct'], 1, '.', '' ) ); ?>"></progress></td><td><?php echo esc_html( number_format_i18n( $cartpinger_row['pct'], 1 ) ); ?> %</td></tr>
		<?php endforeach; ?>
	</tbody></table>

	<?php
	if ( null !== $view['holdout'] ) :
		$cartpinger_h    = $view['holdout'];
		$cartpinger_rate = static fn( $r ): string => null === $r ? '–' : number_format_i18n( 100 * $r, 1 ) . ' %';
		?>
		<h2><?php esc_html_e( 'Holdout comparison', 'cartpinger-for-woocommerce' ); ?></h2>
		<table class="widefat striped cartpinger-narrow cartpinger-holdout"><thead><tr><th></th><th><?php esc_html_e( 'Carts', 'cartpinger-for-woocommerce' ); ?></th><th><?php esc_html_e( 'Ordered', 'cartpinger-for-woocommerce' ); ?></th><th><?php esc_html_e( 'Rate', 'cartpinger-for-woocommerce' ); ?></th></tr></thead><tbody>
		<?php
		printf( '<tr data-group="messaged"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>', esc_html__( 'Messaged', 'cartpinger-for-woocommerce' ), esc_html( number_format_i18n( $cartpinger_h['messaged_carts'] ) ), esc_html( number_format_i18n( $cartpinger_h['messaged_ordered'] ) ), esc_html( $cartpinger_rate( $cartpinger_h['messaged_rate'] ) ) );
		printf( '<tr data-group="holdout"><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>', esc_html__( 'Holdout (never messaged)', 'cartpinger-for-woocommerce' ), esc_html( number_format_i18n( $cartpinger_h['holdout_carts'] ) ), esc_html( number_format_i18n( $cartpinger_h['holdout_converted'] ) ), esc_html( $cartpinger_rate( $cartpinger_h['holdout_rate'] ) ) );
		?>
		</tbody></table>
	<?php endif; ?>

	<?php \CartPinger\Meta\DashboardSection::render( $view['meta_range'][0], $view['meta_range'][1] ); ?>

	<h2><?php esc_html_e( 'All carts by status', 'cartpinger-for-woocommerce' ); ?></h2>
	<table class="widefat striped cartpinger-narrow cartpinger-counts"><thead><tr><th><?php esc_html_e( 'Carts', 'cartpinger-for-woocommerce' ); ?></th><th><?php esc_html_e( 'Count', 'cartpinger-for-woocommerce' ); ?></th></tr></thead><tbody>
	<?php
	foreach ( $view['statuses'] as $cartpinger_status => $cartpinger_label ) {
		printf( '<tr data-status="%s"><td>%s</td><td>%s</td></tr>', esc_attr( $cartpinger_status ), esc_html( $cartpinger_label ), esc_html( number_format_i18n( $view['counts'][ $cartpinger_status ] ?? 0 ) ) );
	}
	?>
	</tbody></table>
	<?php if ( $view['held'] > 0 ) : ?>
		<div class="notice notice-info inline cartpinger-held"><p>
		<?php
		echo esc_html(
			sprintf(
				/* translators: %d: number of carts. */
				_n(
					'%d cart is on hold: Meta does not deliver marketing templates, such as the cart reminders, to US (+1) numbers. It is checked again daily.',
					'%d carts are on hold: Meta does not deliver marketing templates, such as the cart reminders, to US (+1) numbers. They are checked again daily.',
					$view['held'],
					'cartpinger-for-woocommerce'
				),
				$view['held']
			)
		);
		?>
		</p></div>
	<?php endif; ?>

	<h2 id="cartpinger-order-updates"><?php esc_html_e( 'Order updates (latest)', 'cartpinger-for-woocommerce' ); ?></h2>
	<p class="description"><?php esc_html_e( 'Confirmation, completed and cancelled messages for shoppers who ticked the order-updates box. They are not reminders and never count as recovered carts.', 'cartpinger-for-woocommerce' ); ?></p>
	<table class="widefat striped cartpinger-order-updates"><thead><tr>
		<?php foreach ( array( __( 'Created', 'cartpinger-for-woocommerce' ), __( 'Template', 'cartpinger-for-woocommerce' ), __( 'Phone', 'cartpinger-for-woocommerce' ), __( 'Status', 'cartpinger-for-woocommerce' ) ) as $cartpinger_th ) : ?>
			<th><?php echo esc_html( $cartpinger_th ); ?></th>
		<?php endforeach; ?>
	</tr></thead><tbody>
	<?php if ( array() === $view['orders']['rows'] ) : ?>
		<tr><td colspan="4"><?php esc_html_e( 'No order updates yet.', 'cartpinger-for-woocommerce' ); ?></td></tr>
	<?php endif; ?>
	<?php
	foreach ( $view['orders']['rows'] as $cartpinger_m ) {
		$cartpinger_state = (string) $cartpinger_m['status'];
		if ( 'sent' === $cartpinger_state ) {
			$cartpinger_state = null !== $cartpinger_m['read_at'] ? 'read' : ( null !== $cartpinger_m['delivered_at'] ? 'delivered' : 'sent' );
		}
		printf(
			'<tr data-id="%1$d"><td>%2$s</td><td>%3$s</td><td>%4$s</td><td>%5$s</td></tr>',
			(int) $cartpinger_m['id'],
			esc_html( DashboardView::site_time( (string) $cartpinger_m['created_at'] ) ),
			esc_html( $cartpinger_m['template'] . ' (' . $cartpinger_m['language'] . ')' ),
			esc_html( (string) $cartpinger_m['phone'] ),
			esc_html( DashboardView::message_status( $cartpinger_state ) )
		);
	}
	?>
	</tbody></table>

	<h2 id="cartpinger-recent-carts"><?php esc_html_e( 'Recent carts', 'cartpinger-for-woocommerce' ); ?></h2>
	<?php $cartpinger_filter( array(), $cartpinger_select( 'cart_status', array_merge( array( '' => __( 'Any status', 'cartpinger-for-woocommerce' ) ), $view['statuses'] ), $view['cart_status'] ), 'cartpinger-recent-carts' ); ?>
	<table class="widefat striped cartpinger-recent-carts"><thead><tr>
		<?php foreach ( array( __( 'ID', 'cartpinger-for-woocommerce' ), __( 'Created', 'cartpinger-for-woocommerce' ), __( 'Status', 'cartpinger-for-woocommerce' ), __( 'Why', 'cartpinger-for-woocommerce' ), __( 'Last message', 'cartpinger-for-woocommerce' ), __( 'Customer', 'cartpinger-for-woocommerce' ), __( 'Cart total', 'cartpinger-for-woocommerce' ), __( 'Order', 'cartpinger-for-woocommerce' ) ) as $cartpinger_th ) : ?>
			<th><?php echo esc_html( $cartpinger_th ); ?></th>
		<?php endforeach; ?>
	</tr></thead><tbody>
	<?php if ( array() === $view['carts']['rows'] ) : ?>
		<tr><td colspan="8"><?php esc_html_e( 'No carts.', 'cartpinger-for-woocommerce' ); ?></td></tr>
	<?php endif; ?>
	<?php
	foreach ( $view['carts']['rows'] as $cartpinger_r ) {
		$cartpinger_order = (int) $cartpinger_r['recovered_order_id'];
		$cartpinger_step  = (int) $cartpinger_r['sequence_step'];
		printf(
			'<tr data-id="%1$d" data-cart-status="%3$s"><td>%1$d</td><td>%2$s</td><td>%4$s%10$s</td><td>%5$s</td><td>%6$s</td><td>%7$s</td><td>%8$s</td><td>%9$s</td></tr>',
			(int) $cartpinger_r['id'],
			esc_html( DashboardView::site_time( (string) $cartpinger_r['created_at'] ) ),
			esc_attr( (string) $cartpinger_r['status'] ),
			esc_html( $view['statuses'][ (string) $cartpinger_r['status'] ] ?? (string) $cartpinger_r['status'] ),
			esc_html( DashboardView::reason( (string) $cartpinger_r['close_reason'], (string) $cartpinger_r['hold_reason'] ) ),
			esc_html( $cartpinger_step > 0 ? DashboardPage::step_name( $cartpinger_step ) : '–' ),
			esc_html( trim( $cartpinger_r['customer_name'] . ' ' . $cartpinger_r['customer_phone'] ) ),
			wp_kses_post( DashboardPage::money( (int) $cartpinger_r['cart_total_minor'], (string) $cartpinger_r['currency'] ) ),
			$cartpinger_order > 0 ? '<a href="' . esc_url( admin_url( 'post.php?post=' . $cartpinger_order . '&action=edit' ) ) . '">#' . esc_html( (string) $cartpinger_order ) . '</a>' : '',
			'1' === (string) $cartpinger_r['holdout'] ? ' ' . esc_html__( '(holdout)', 'cartpinger-for-woocommerce' ) : ''
		);
	}
	?>
	</tbody></table>
	<?php
	$cartpinger_pages(
		'cpage',
		$view['cpage'],
		$view['carts']['pages'],
		array(
			'page'        => Menu::SLUG_DASHBOARD,
			'range'       => $view['days'],
			'cart_status' => $view['cart_status'],
		)
	);
	?>

	<h2 id="cartpinger-recent-messages"><?php esc_html_e( 'Recent messages', 'cartpinger-for-woocommerce' ); ?></h2>
	<?php
	$cartpinger_statuses = array( '' => __( 'Any status', 'cartpinger-for-woocommerce' ) );
	foreach ( DashboardPage::MESSAGE_STATUSES as $cartpinger_s ) {
		$cartpinger_statuses[ $cartpinger_s ] = DashboardView::message_status( $cartpinger_s );
	}
	$cartpinger_steps = array(
		''  => __( 'Any message', 'cartpinger-for-woocommerce' ),
		'0' => __( 'Order updates', 'cartpinger-for-woocommerce' ),
		'1' => DashboardPage::step_name( 1 ),
		'2' => DashboardPage::step_name( 2 ),
		'3' => DashboardPage::step_name( 3 ),
	);
	$cartpinger_filter( array(), $cartpinger_select( 'msg_status', $cartpinger_statuses, $view['msg_status'] ) . ' ' . $cartpinger_select( 'step', $cartpinger_steps, $view['step'] >= 0 ? (string) $view['step'] : '' ), 'cartpinger-recent-messages' );
	?>
	<table class="widefat striped cartpinger-recent-messages"><thead><tr>
		<?php foreach ( array( __( 'ID', 'cartpinger-for-woocommerce' ), __( 'Created', 'cartpinger-for-woocommerce' ), __( 'Cart', 'cartpinger-for-woocommerce' ), __( 'Message', 'cartpinger-for-woocommerce' ), __( 'Template', 'cartpinger-for-woocommerce' ), __( 'Phone', 'cartpinger-for-woocommerce' ), __( 'Status', 'cartpinger-for-woocommerce' ), __( 'Failure reason', 'cartpinger-for-woocommerce' ) ) as $cartpinger_th ) : ?>
			<th><?php echo esc_html( $cartpinger_th ); ?></th>
		<?php endforeach; ?>
	</tr></thead><tbody>
	<?php if ( array() === $view['messages']['rows'] ) : ?>
		<tr><td colspan="8"><?php esc_html_e( 'No messages.', 'cartpinger-for-woocommerce' ); ?></td></tr>
	<?php endif; ?>
	<?php
	foreach ( $view['messages']['rows'] as $cartpinger_m ) {
		$cartpinger_state = (string) $cartpinger_m['status'];
		if ( 'sent' === $cartpinger_state ) {
			$cartpinger_state = null !== $cartpinger_m['read_at'] ? 'read' : ( null !== $cartpinger_m['delivered_at'] ? 'delivered' : 'sent' );
		}
		$cartpinger_reason = '' !== (string) $cartpinger_m['error_code'] || '' !== (string) $cartpinger_m['error_message'] ? trim( (string) $cartpinger_m['error_code'] . ': ' . (string) $cartpinger_m['error_message'], ': ' ) : '';
		printf(
			'<tr data-id="%1$d" data-message-status="%7$s"><td>%1$d</td><td>%2$s</td><td>%3$s</td><td>%4$s</td><td>%5$s</td><td>%6$s</td><td>%8$s</td><td class="cartpinger-error">%9$s</td></tr>',
			(int) $cartpinger_m['id'],
			esc_html( DashboardView::site_time( (string) $cartpinger_m['created_at'] ) ),
			(int) $cartpinger_m['recovery_id'] > 0 ? esc_html( '#' . $cartpinger_m['recovery_id'] ) : '–',
			esc_html( DashboardPage::step_name( (int) $cartpinger_m['step'], (string) $cartpinger_m['kind'] ) ),
			esc_html( $cartpinger_m['template'] . ' (' . $cartpinger_m['language'] . ')' ),
			esc_html( (string) $cartpinger_m['phone'] ),
			esc_attr( $cartpinger_state ),
			esc_html( DashboardView::message_status( $cartpinger_state ) ),
			esc_html( $cartpinger_reason )
		);
	}
	?>
	</tbody></table>
	<?php
	$cartpinger_pages(
		'mpage',
		$view['mpage'],
		$view['messages']['pages'],
		array(
			'page'       => Menu::SLUG_DASHBOARD,
			'range'      => $view['days'],
			'msg_status' => $view['msg_status'],
			'step'       => $view['step'] >= 0 ? $view['step'] : '',
		)
	);
	?>
</div>
