<?php
/**
 * Settings page. Variables: $view (see Admin\SettingsPage::render()).
 *
 * @package CartPinger
 * @since   0.3.0
 */

use CartPinger\Admin\SettingsPage;
use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

$cartpinger_error_field = is_array( $view['error'] ) ? (string) ( $view['error']['field'] ?? '' ) : '';
?>
<div class="wrap cartpinger-admin cartpinger-settings">
	<h1><?php esc_html_e( 'CartPinger Settings', 'cartpinger-for-woocommerce' ); ?></h1>
	<?php
	if ( is_array( $view['error'] ) ) :
		$cartpinger_label = isset( $view['fields'][ $cartpinger_error_field ] ) ? $view['fields'][ $cartpinger_error_field ]['label'] : $cartpinger_error_field;
		?>
		<div class="notice notice-error cartpinger-settings-error" data-field="<?php echo esc_attr( $cartpinger_error_field ); ?>"><p><strong>
		<?php
		echo esc_html(
			'' === $cartpinger_label ? __( 'Settings not saved.', 'cartpinger-for-woocommerce' ) : sprintf(
				/* translators: %s: the label of the field with the invalid value. */
				__( 'Settings not saved: %s.', 'cartpinger-for-woocommerce' ),
				$cartpinger_label
			)
		);
		?>
		</strong> <?php echo esc_html( (string) ( $view['error']['message'] ?? '' ) ); ?> <?php esc_html_e( 'What you typed is still in the form below.', 'cartpinger-for-woocommerce' ); ?></p></div>
	<?php elseif ( $view['saved'] ) : ?>
		<div class="notice notice-success is-dismissible cartpinger-settings-saved"><p><?php esc_html_e( 'Settings saved.', 'cartpinger-for-woocommerce' ); ?></p></div>
	<?php endif; ?>

	<nav class="nav-tab-wrapper">
		<?php foreach ( $view['tabs'] as $cartpinger_slug => $cartpinger_tab_label ) : ?>
			<a href="<?php echo esc_url( SettingsPage::url( $cartpinger_slug ) ); ?>" class="nav-tab<?php echo $cartpinger_slug === $view['tab'] ? ' nav-tab-active' : ''; ?>" data-tab="<?php echo esc_attr( $cartpinger_slug ); ?>"<?php echo $cartpinger_slug === $view['tab'] ? ' aria-current="page"' : ''; ?>><?php echo esc_html( $cartpinger_tab_label ); ?></a>
		<?php endforeach; ?>
	</nav>

	<?php
	if ( 'supporter' === $view['tab'] ) {
		$view['page']->supporter();
		echo '</div>';
		return;
	}
	?>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="cartpinger-settings-form<?php echo 'recovery' === $view['tab'] ? ' cartpinger-timeline' : ''; ?>" data-tab="<?php echo esc_attr( $view['tab'] ); ?>">
		<input type="hidden" name="action" value="<?php echo esc_attr( SettingsPage::ACTION ); ?>">
		<input type="hidden" name="tab" value="<?php echo esc_attr( $view['tab'] ); ?>">
		<?php wp_nonce_field( SettingsPage::NONCE ); ?>
		<?php foreach ( $view['sections'] as $cartpinger_section => $cartpinger_keys ) : ?>
			<section class="cartpinger-section<?php echo isset( $view['titles'][ $cartpinger_section ]['step'] ) ? ' cartpinger-step' : ''; ?>" data-section="<?php echo esc_attr( $cartpinger_section ); ?>">
				<?php if ( isset( $view['titles'][ $cartpinger_section ] ) ) : ?>
					<h2><?php echo esc_html( $view['titles'][ $cartpinger_section ]['title'] ); ?></h2>
					<p class="cartpinger-section-intro"><?php echo esc_html( $view['titles'][ $cartpinger_section ]['intro'] ); ?></p>
				<?php endif; ?>
				<table class="form-table" role="presentation"><tbody>
				<?php
				foreach ( $cartpinger_keys as $cartpinger_key ) :
					$cartpinger_field = $view['fields'][ $cartpinger_key ];
					$cartpinger_id    = 'cartpinger-' . str_replace( '_', '-', $cartpinger_key );
					$cartpinger_name  = 'cartpinger[' . $cartpinger_key . ']';
					$cartpinger_value = $view['values'][ $cartpinger_key ] ?? '';
					$cartpinger_bad   = $cartpinger_key === $cartpinger_error_field;
					$cartpinger_aria  = ' aria-describedby="' . esc_attr( $cartpinger_id ) . '-help"' . ( $cartpinger_bad ? ' aria-invalid="true"' : '' );
					?>
					<tr class="<?php echo $cartpinger_bad ? 'cartpinger-invalid' : ''; ?>"><th scope="row"><label for="<?php echo esc_attr( $cartpinger_id ); ?>"><?php echo esc_html( $cartpinger_field['label'] ); ?></label></th><td>
					<?php
					switch ( $cartpinger_field['type'] ) {
						case 'secret':
							$cartpinger_set = ! empty( $view['secrets'][ $cartpinger_key ]['set'] );
							printf( '<input type="password" class="regular-text" id="%1$s" name="%2$s" value="" autocomplete="new-password" spellcheck="false" placeholder="%3$s"%4$s>', esc_attr( $cartpinger_id ), esc_attr( $cartpinger_name ), esc_attr( $cartpinger_set ? __( 'Saved — leave blank to keep', 'cartpinger-for-woocommerce' ) : '' ), $cartpinger_aria ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- $cartpinger_aria is escaped above.
							if ( ! empty( $view['secrets'][ $cartpinger_key ]['unreadable'] ) ) {
								echo '<p class="description cartpinger-unreadable">' . esc_html( Settings::unreadable_message( $cartpinger_key ) ) . '</p>';
							}
							break;
						case 'switch':
							printf( '<input type="checkbox" id="%1$s" name="%2$s" value="1"%3$s%4$s>', esc_attr( $cartpinger_id ), esc_attr( $cartpinger_name ), checked( true, (bool) $cartpinger_value, false ), $cartpinger_aria ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
							break;
						case 'number':
							list( $cartpinger_min, $cartpinger_max ) = Settings::INTEGERS[ $cartpinger_key ];
							printf( '<input type="number" class="small-text" id="%1$s" name="%2$s" value="%3$s" min="%4$d" max="%5$d" step="1"%6$s>', esc_attr( $cartpinger_id ), esc_attr( $cartpinger_name ), esc_attr( (string) $cartpinger_value ), (int) $cartpinger_min, (int) $cartpinger_max, $cartpinger_aria ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
							break;
						case 'select':
							printf( '<select id="%1$s" name="%2$s"%3$s>', esc_attr( $cartpinger_id ), esc_attr( $cartpinger_name ), $cartpinger_aria ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
							foreach ( $cartpinger_field['choices'] ?? array() as $cartpinger_choice => $cartpinger_choice_label ) {
								printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $cartpinger_choice ), selected( (string) $cartpinger_value, (string) $cartpinger_choice, false ), esc_html( $cartpinger_choice_label ) );
							}
							echo '</select>';
							break;
						case 'textarea':
							printf( '<textarea class="large-text" rows="3" id="%1$s" name="%2$s" placeholder="%3$s"%4$s>%5$s</textarea>', esc_attr( $cartpinger_id ), esc_attr( $cartpinger_name ), esc_attr( (string) ( $cartpinger_field['placeholder'] ?? '' ) ), $cartpinger_aria, esc_textarea( (string) $cartpinger_value ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
							break;
						default:
							// Where the token is sent is an administrator's choice: shop managers only see it.
							$cartpinger_locked = 'graph_base_url' === $cartpinger_key && ! Settings::may_change_endpoint();
							printf( '<input type="%1$s" class="regular-text" id="%2$s" name="%3$s" value="%4$s"%5$s%6$s>', 'time' === $cartpinger_field['type'] ? 'time' : 'text', esc_attr( $cartpinger_id ), esc_attr( $cartpinger_name ), esc_attr( (string) $cartpinger_value ), ( 'url' === $cartpinger_field['type'] ? ' inputmode="url"' : '' ) . ( $cartpinger_locked ? ' disabled' : '' ), $cartpinger_aria ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
							if ( $cartpinger_locked ) {
								echo '<p class="description cartpinger-locked">' . esc_html__( 'Only an administrator can change this address.', 'cartpinger-for-woocommerce' ) . '</p>';
							} elseif ( 'graph_base_url' === $cartpinger_key ) {
								echo '<p class="description">' . esc_html__( 'Changing this address deletes the saved access token and app secret: enter them again for the new address.', 'cartpinger-for-woocommerce' ) . '</p>';
							}
					}
					if ( $cartpinger_bad ) {
						printf( '<p class="cartpinger-field-error" role="alert">%s</p>', esc_html( (string) ( $view['error']['message'] ?? '' ) ) );
					}
					if ( isset( $view['overrides'][ $cartpinger_key ] ) ) {
						/* translators: %s: the value CartPinger really uses, e.g. "20 seconds". */
						printf( '<p class="cartpinger-overridden">%s</p>', esc_html( sprintf( __( 'Changed by code on this site (the cartpinger_recovery_policy filter): CartPinger uses %s, whatever is saved here.', 'cartpinger-for-woocommerce' ), $view['overrides'][ $cartpinger_key ] ) ) );
					}
					?>
					<p class="description" id="<?php echo esc_attr( $cartpinger_id ); ?>-help"><?php echo esc_html( $cartpinger_field['help'] ); ?></p>
					</td></tr>
				<?php endforeach; ?>
				</tbody></table>
			</section>
		<?php endforeach; ?>

		<?php if ( 'consent' === $view['tab'] ) : ?>
			<div class="cartpinger-consent-preview card">
				<h2><?php esc_html_e( 'What shoppers read now', 'cartpinger-for-woocommerce' ); ?></h2>
				<?php foreach ( $view['consent'] as $cartpinger_which => $cartpinger_text ) : ?>
					<p data-consent="<?php echo esc_attr( $cartpinger_which ); ?>"><label><input type="checkbox" disabled> <?php echo esc_html( $cartpinger_text ); ?></label></p>
				<?php endforeach; ?>
			</div>
		<?php endif; ?>

		<?php if ( 'widget' === $view['tab'] ) : ?>
			<div class="cartpinger-widget-preview card" aria-label="<?php esc_attr_e( 'Preview of the chat button', 'cartpinger-for-woocommerce' ); ?>">
				<h2><?php esc_html_e( 'Preview', 'cartpinger-for-woocommerce' ); ?></h2>
				<div class="cartpinger-preview-screen" data-position="<?php echo esc_attr( (string) ( $view['values']['widget_position'] ?? 'right' ) ); ?>">
					<span class="cartpinger-preview-page"><?php esc_html_e( 'Your shop page', 'cartpinger-for-woocommerce' ); ?></span>
					<span class="cartpinger-preview-button" aria-hidden="true"></span>
				</div>
				<p class="cartpinger-preview-link"><?php esc_html_e( 'Opens:', 'cartpinger-for-woocommerce' ); ?> <code class="cartpinger-preview-url"></code></p>
				<p class="cartpinger-preview-where"></p>
			</div>
		<?php endif; ?>

		<?php submit_button( __( 'Save changes', 'cartpinger-for-woocommerce' ) ); ?>
	</form>
</div>
