<?php
/**
 * Templates page: one card per template. Variables: $view (see Admin\TemplatesPage::render()).
 *
 * @package CartPinger
 * @since   0.3.0
 */

use CartPinger\Admin\TemplatesPage;

defined( 'ABSPATH' ) || exit;
?>
<div class="wrap cartpinger-admin cartpinger-templates">
	<h1><?php esc_html_e( 'CartPinger Templates', 'cartpinger-for-woocommerce' ); ?></h1>
	<p><?php esc_html_e( 'WhatsApp only delivers messages written from templates Meta approved. These are the messages CartPinger sends, as your customers will see them, and where each one stands at Meta.', 'cartpinger-for-woocommerce' ); ?></p>
	<?php if ( ! $view['available'] ) : ?>
		<div class="notice notice-error inline"><p><?php esc_html_e( 'The CartPinger PHP extension is not loaded: the template catalog is not available.', 'cartpinger-for-woocommerce' ); ?></p></div>
	</div>
		<?php
		return;
	endif;
	?>

	<?php if ( is_array( $view['last'] ) ) : ?>
		<?php if ( isset( $view['last']['error'] ) ) : ?>
			<div class="notice notice-error inline"><p><?php echo esc_html( (string) $view['last']['error'] ); ?></p></div>
		<?php else : ?>
			<div class="notice notice-info inline cartpinger-submitted"><ul>
			<?php
			foreach ( (array) ( $view['last']['results'] ?? array() ) as $cartpinger_r ) {
				$cartpinger_what = 'ok' === ( $cartpinger_r['status'] ?? '' ) ? (string) ( $cartpinger_r['template_status'] ?? '' ) : trim( (string) ( $cartpinger_r['code'] ?? '' ) . ' ' . (string) ( $cartpinger_r['message'] ?? '' ) );
				printf( '<li>%s</li>', esc_html( $cartpinger_r['name'] . ' (' . $cartpinger_r['language'] . '): ' . $cartpinger_what ) );
			}
			?>
			</ul></div>
		<?php endif; ?>
	<?php endif; ?>

	<?php if ( '' !== $view['error'] ) : ?>
		<div class="notice notice-warning inline cartpinger-meta-error"><p><?php esc_html_e( 'Meta approval status unavailable:', 'cartpinger-for-woocommerce' ); ?> <?php echo esc_html( $view['error'] ); ?></p></div>
	<?php else : ?>
		<p class="cartpinger-fetched">
		<?php
		echo esc_html(
			sprintf(
				/* translators: %s: date and time. */
				__( 'Status from Meta as of %s (kept for an hour).', 'cartpinger-for-woocommerce' ),
				wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $view['fetched_at'] )
			)
		);
		?>
		</p>
	<?php endif; ?>

	<?php if ( array() !== $view['stale'] ) : ?>
		<div class="notice notice-error inline cartpinger-stale-links">
			<p>
			<?php
			echo esc_html(
				sprintf(
					/* translators: %s: the URL the templates' button should open. */
					__( 'These templates were approved with a recovery link that does not open the saved cart. Resubmit them so their button opens %s (Meta reviews them again; until then CartPinger still restores carts from the old links):', 'cartpinger-for-woocommerce' ),
					$view['button_url']
				)
			);
			?>
			</p>
			<ul>
			<?php foreach ( $view['stale'] as $cartpinger_t ) : ?>
				<li><code><?php echo esc_html( $cartpinger_t['name'] ); ?></code> (<?php echo esc_html( $cartpinger_t['language'] ); ?>) — <code><?php echo esc_html( $cartpinger_t['url'] ); ?></code></li>
			<?php endforeach; ?>
			</ul>
			<p>
			<?php
			TemplatesPage::action_button(
				TemplatesPage::ACTION_RESUBMIT,
				/* translators: %d: number of template languages. */
				sprintf( _n( 'Resubmit %d template with the correct link', 'Resubmit %d templates with the correct link', count( $view['stale'] ), 'cartpinger-for-woocommerce' ), count( $view['stale'] ) ),
				'button button-primary cartpinger-resubmit'
			);
			?>
			</p>
		</div>
	<?php endif; ?>

	<div class="cartpinger-template-actions">
		<?php
		if ( $view['missing'] > 0 ) {
			TemplatesPage::action_button(
				TemplatesPage::ACTION_SUBMIT,
				/* translators: %d: number of template languages. */
				sprintf( _n( 'Submit %d missing template to Meta for review', 'Submit %d missing templates to Meta for review', $view['missing'], 'cartpinger-for-woocommerce' ), $view['missing'] ),
				'button button-primary cartpinger-submit'
			);
		}
		TemplatesPage::action_button( TemplatesPage::ACTION_REFRESH, __( 'Check the status at Meta again', 'cartpinger-for-woocommerce' ), 'button-link cartpinger-refresh' );
		?>
	</div>

	<div class="cartpinger-button-url card">
		<h2><?php esc_html_e( 'The address for the "Return to my cart" button', 'cartpinger-for-woocommerce' ); ?></h2>
		<p><?php esc_html_e( 'CartPinger submits the reminders with this address. If you create or edit a reminder template in Meta\'s WhatsApp Manager yourself, paste it as the button\'s "Dynamic" website URL, exactly as shown: {{1}} is where WhatsApp puts each customer\'s own link.', 'cartpinger-for-woocommerce' ); ?></p>
		<p class="cartpinger-copy-row">
			<input type="text" readonly class="large-text code" id="cartpinger-button-url" value="<?php echo esc_attr( $view['button_url'] ); ?>">
			<button type="button" class="button cartpinger-copy" data-copy="cartpinger-button-url"><?php esc_html_e( 'Copy', 'cartpinger-for-woocommerce' ); ?></button>
		</p>
	</div>

	<div class="cartpinger-template-cards">
	<?php foreach ( $view['cards'] as $cartpinger_card ) : ?>
		<div class="cartpinger-template card" data-template="<?php echo esc_attr( $cartpinger_card['name'] ); ?>">
			<h2><?php echo esc_html( $cartpinger_card['title'] ); ?> <code><?php echo esc_html( $cartpinger_card['name'] ); ?></code></h2>
			<p class="cartpinger-template-when"><?php echo esc_html( $cartpinger_card['when'] ); ?></p>
			<p><strong><?php esc_html_e( 'Kind:', 'cartpinger-for-woocommerce' ); ?></strong> <?php echo esc_html( $cartpinger_card['category'] ); ?></p>
			<?php if ( array() !== $cartpinger_card['variables'] ) : ?>
				<p><strong><?php esc_html_e( 'Filled in for each customer:', 'cartpinger-for-woocommerce' ); ?></strong></p>
				<ol class="cartpinger-variables">
					<?php foreach ( $cartpinger_card['variables'] as $cartpinger_var ) : ?>
						<li><?php echo esc_html( $cartpinger_var ); ?></li>
					<?php endforeach; ?>
				</ol>
			<?php endif; ?>
			<div class="cartpinger-languages">
			<?php foreach ( $cartpinger_card['languages'] as $cartpinger_i => $cartpinger_l ) : ?>
				<details class="cartpinger-language" data-language="<?php echo esc_attr( $cartpinger_l['code'] ); ?>"<?php echo 0 === $cartpinger_i ? ' open' : ''; ?>>
					<summary><code><?php echo esc_html( $cartpinger_l['code'] ); ?></code> <span class="cartpinger-template-status cartpinger-status-<?php echo esc_attr( strtolower( $cartpinger_l['status'] ) ); ?>" data-status="<?php echo esc_attr( $cartpinger_l['status'] ); ?>"><?php echo esc_html( $cartpinger_l['status_txt'] ); ?></span></summary>
					<div class="cartpinger-wa">
						<div class="cartpinger-wa-bubble">
							<?php if ( '' !== $cartpinger_l['header'] ) : ?>
								<p class="cartpinger-wa-header"><?php echo esc_html( $cartpinger_l['header'] ); ?></p>
							<?php endif; ?>
							<p class="cartpinger-wa-body"><?php echo nl2br( esc_html( $cartpinger_l['body'] ) ); ?></p>
							<?php if ( '' !== $cartpinger_l['footer'] ) : ?>
								<p class="cartpinger-wa-footer"><?php echo esc_html( $cartpinger_l['footer'] ); ?></p>
							<?php endif; ?>
						</div>
						<?php foreach ( $cartpinger_l['buttons'] as $cartpinger_b ) : ?>
							<div class="cartpinger-wa-button"><?php echo esc_html( $cartpinger_b ); ?></div>
						<?php endforeach; ?>
					</div>
					<?php if ( array() !== $cartpinger_l['mismatches'] ) : ?>
						<ul class="cartpinger-mismatches">
							<?php foreach ( $cartpinger_l['mismatches'] as $cartpinger_m ) : ?>
								<li><?php echo esc_html( $cartpinger_m ); ?></li>
							<?php endforeach; ?>
						</ul>
					<?php endif; ?>
				</details>
			<?php endforeach; ?>
			</div>
		</div>
	<?php endforeach; ?>
	</div>
</div>
