<?php
/**
 * Setup wizard, step 1: Meta's side of the setup, walked through step by step.
 * Variables: $view (guide_url, next_url, callback, callback_problem).
 *
 * @package CartPinger
 * @since   0.3.0
 */

defined( 'ABSPATH' ) || exit;

$cartpinger_steps = array(
	array(
		__( 'Create a Meta business app', 'cartpinger-for-woocommerce' ),
		__( 'Go to developers.facebook.com, log in with the Facebook account that manages your business, click "My Apps" > "Create App", choose "Other" then "Business", and give it a name such as "My shop WhatsApp". Pick your business portfolio when asked.', 'cartpinger-for-woocommerce' ),
		__( 'Why: Meta only sends WhatsApp messages on behalf of an app. The app is free; you pay Meta per delivered message.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Add WhatsApp to the app', 'cartpinger-for-woocommerce' ),
		__( 'On the app\'s page, find "WhatsApp" in the list of products and click "Set up". Meta creates a WhatsApp Business Account and gives you a test number.', 'cartpinger-for-woocommerce' ),
		__( 'Tip: the test number is enough to try CartPinger today; add your shop\'s own number when you are ready.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Add your shop\'s phone number', 'cartpinger-for-woocommerce' ),
		__( 'WhatsApp > API Setup > "Add phone number". Enter the display name your customers will see (usually your shop\'s name) and confirm the number with the code Meta sends by SMS or call.', 'cartpinger-for-woocommerce' ),
		__( 'Careful: a number that is already used in the WhatsApp or WhatsApp Business app must be removed from that app first.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Copy the two IDs', 'cartpinger-for-woocommerce' ),
		__( 'Still on WhatsApp > API Setup, under "From", select your number: copy the "Phone number ID" and the "WhatsApp Business Account ID" shown below it. You paste them in step 2.', 'cartpinger-for-woocommerce' ),
		__( 'These are IDs (long numbers), not your phone number.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Make a permanent access token', 'cartpinger-for-woocommerce' ),
		__( 'In business.facebook.com > Settings > Users > System users, add a system user (role Admin), click "Add assets" and give it your app with full control, then "Generate new token": choose your app, "Never" expires, and tick whatsapp_business_messaging and whatsapp_business_management. Copy the token.', 'cartpinger-for-woocommerce' ),
		__( 'Why not the token on the API Setup page: it stops working after 24 hours, and your reminders would stop with it.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Copy the app secret', 'cartpinger-for-woocommerce' ),
		__( 'In the app: App settings > Basic > App secret > "Show". CartPinger uses it to check that delivery reports and STOP replies really come from Meta.', 'cartpinger-for-woocommerce' ),
		__( 'It is stored encrypted in your database and never leaves your site.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Connect the webhook (step 3 gives you both values)', 'cartpinger-for-woocommerce' ),
		__( 'In the app: WhatsApp > Configuration > Webhook > "Edit": paste the callback URL and verify token of step 3, click "Verify and save", then "Manage" and subscribe to "messages".', 'cartpinger-for-woocommerce' ),
		__( 'Meta calls this address from the internet, so your shop must be online at a public https:// address.', 'cartpinger-for-woocommerce' ),
	),
	array(
		__( 'Add a payment method and go live', 'cartpinger-for-woocommerce' ),
		__( 'In WhatsApp Manager > Settings > Payment methods, add a card, then switch the app to "Live" at the top of the app page. Until then Meta only delivers to the test recipients you list on the API Setup page.', 'cartpinger-for-woocommerce' ),
		__( 'CartPinger submits its message templates to Meta for you (Templates page); approval usually takes minutes.', 'cartpinger-for-woocommerce' ),
	),
);
?>
<h2><?php esc_html_e( 'Welcome to CartPinger', 'cartpinger-for-woocommerce' ); ?></h2>
<p><?php esc_html_e( 'CartPinger sends WhatsApp messages to your customers through Meta\'s official WhatsApp Cloud API, from your own business number: reminders about abandoned carts and updates about their orders. First, Meta\'s side: about 20 minutes, once. Keep this page open next to Meta\'s.', 'cartpinger-for-woocommerce' ); ?></p>
<p class="cartpinger-cost-note"><?php echo esc_html( __( 'What it costs: CartPinger is free, and Meta bills you directly for every delivered message, by category and by the customer\'s country.', 'cartpinger-for-woocommerce' ) . ' ' . \CartPinger\Admin\SettingsPage::cost_help() ); ?></p>
<?php if ( null !== $view['callback_problem'] ) : ?>
	<div class="notice notice-warning inline cartpinger-callback-warning"><p><?php echo esc_html( $view['callback_problem'] ); ?></p></div>
<?php endif; ?>
<ol class="cartpinger-meta-steps">
	<?php foreach ( $cartpinger_steps as $cartpinger_step ) : ?>
		<li>
			<strong><?php echo esc_html( $cartpinger_step[0] ); ?></strong>
			<p><?php echo esc_html( $cartpinger_step[1] ); ?></p>
			<p class="cartpinger-note"><?php echo esc_html( $cartpinger_step[2] ); ?></p>
		</li>
	<?php endforeach; ?>
</ol>
<p><a href="<?php echo esc_url( $view['guide_url'] ); ?>" target="_blank" rel="noopener noreferrer" class="cartpinger-guide"><?php esc_html_e( 'Meta\'s own guide, if you want more detail: Get started with the WhatsApp Cloud API', 'cartpinger-for-woocommerce' ); ?></a></p>
<p><a class="button button-primary cartpinger-next" href="<?php echo esc_url( $view['next_url'] ); ?>"><?php esc_html_e( 'I have the IDs, the token and the app secret: next', 'cartpinger-for-woocommerce' ); ?></a></p>
