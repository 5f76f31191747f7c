<?php
/**
 * The settings page's fields in a merchant's words.
 *
 * @package CartPinger
 * @since   0.3.0
 */

declare(strict_types=1);

namespace CartPinger\Admin;

use CartPinger\Recovery\ConsentText;

defined( 'ABSPATH' ) || exit;

/**
 * Tabs, their sections (the recovery tab is the timeline First reminder → Coupon follow-up →
 * Last reminder), and for every field a label and help text written for a shop owner.
 * Developer fields (Graph API version and address, message lifetime, logs) live under Advanced.
 *
 * @since 0.3.0
 */
final class SettingsFields {

	/**
	 * Tabs → sections → setting keys.
	 *
	 * @since 0.3.0
	 */
	public const TABS = array(
		'whatsapp'  => array( 'account' => array( 'phone_number_id', 'waba_id', 'access_token', 'app_secret', 'verify_token' ) ),
		'recovery'  => array(
			'step1'   => array( 'recovery_enabled', 'recovery_delay_minutes' ),
			'step2'   => array( 'enable_followups', 'followup_1_hours', 'enable_auto_coupon', 'coupon_amount', 'coupon_type', 'coupon_expiry_hours' ),
			'step3'   => array( 'followup_2_enabled', 'followup_2_hours' ),
			'manners' => array( 'quiet_hours_enabled', 'quiet_hours_start', 'quiet_hours_end', 'cooloff_hours', 'max_cart_age_days', 'us_marketing_guard', 'holdout_percent' ),
		),
		'consent'   => array( 'texts' => array( 'consent_updates_text', 'consent_reminders_text' ) ),
		'orders'    => array( 'orders' => array( 'notify_processing', 'notify_completed', 'notify_cancelled' ) ),
		'widget'    => array( 'widget' => array( 'widget_enabled', 'support_phone', 'widget_message', 'widget_position', 'widget_pages', 'widget_devices' ) ),
		'supporter' => array(),
		'advanced'  => array( 'advanced' => array( 'graph_api_version', 'graph_base_url', 'message_ttl_hours', 'delete_data_on_uninstall', 'retention_days', 'log_level' ) ),
	);

	/**
	 * The setting keys of a tab, in order.
	 *
	 * @since 0.3.0
	 *
	 * @param string $tab Tab slug.
	 * @return string[]
	 */
	public static function keys( string $tab ): array {
		return array() === ( self::TABS[ $tab ] ?? array() ) ? array() : array_merge( ...array_values( self::TABS[ $tab ] ) );
	}

	/**
	 * Tab labels.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, string>
	 */
	public static function tab_labels(): array {
		return array(
			'whatsapp'  => __( 'WhatsApp account', 'cartpinger-for-woocommerce' ),
			'recovery'  => __( 'Cart reminders', 'cartpinger-for-woocommerce' ),
			'consent'   => __( 'Checkout consent', 'cartpinger-for-woocommerce' ),
			'orders'    => __( 'Order updates', 'cartpinger-for-woocommerce' ),
			'widget'    => __( 'Chat button', 'cartpinger-for-woocommerce' ),
			'supporter' => __( 'Supporter', 'cartpinger-for-woocommerce' ),
			'advanced'  => __( 'Advanced', 'cartpinger-for-woocommerce' ),
		);
	}

	/**
	 * Section titles and introductions (the recovery timeline's steps name their template).
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, array{title: string, intro: string, step?: int}>
	 */
	public static function sections(): array {
		return array(
			'account'  => array(
				'title' => __( 'Your WhatsApp Business number at Meta', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'The setup wizard walks you through where to find each value in Meta\'s pages.', 'cartpinger-for-woocommerce' ),
			),
			'step1'    => array(
				'title' => __( '1. First reminder', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'Sent once a shopper who ticked the reminders box leaves the checkout without ordering. Template: "First reminder".', 'cartpinger-for-woocommerce' ),
				'step'  => 1,
			),
			'step2'    => array(
				'title' => __( '2. Follow-up, with a coupon if you like', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'Sent if the cart is still not ordered. Template: "Coupon follow-up" with the coupon on, "Follow-up (without coupon)" otherwise.', 'cartpinger-for-woocommerce' ),
				'step'  => 2,
			),
			'step3'    => array(
				'title' => __( '3. Last reminder', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'The final nudge; after it CartPinger never writes about this cart again. Template: "Last reminder".', 'cartpinger-for-woocommerce' ),
				'step'  => 3,
			),
			'manners'  => array(
				'title' => __( 'Good manners', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'Rules that apply to every reminder. A shopper who opens the link in a reminder gets no further reminder for 2 hours: they are probably on your checkout right then.', 'cartpinger-for-woocommerce' ),
			),
			'texts'    => array(
				'title' => __( 'What shoppers agree to', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'Two boxes appear right under the phone field on both checkouts, never ticked in advance. The exact text a shopper saw is stored with their consent. Leave a text empty to use the default, translated into the shopper\'s language. You can use {shop} (your shop\'s name), {reminders} (for example "up to 3 reminders") and {privacy_policy} (a link to your privacy policy page).', 'cartpinger-for-woocommerce' ),
			),
			'orders'   => array(
				'title' => __( 'Messages about an order', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'Sent only to shoppers who ticked the order-updates box at checkout.', 'cartpinger-for-woocommerce' ),
			),
			'widget'   => array(
				'title' => __( 'A WhatsApp button on your shop', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'Shoppers tap it to write to you on WhatsApp. The preview below follows your choices as you change them.', 'cartpinger-for-woocommerce' ),
			),
			'advanced' => array(
				'title' => __( 'For developers', 'cartpinger-for-woocommerce' ),
				'intro' => __( 'You should not need to change these.', 'cartpinger-for-woocommerce' ),
			),
		);
	}

	/**
	 * Field definitions: label, type, help (shown under every field), optional choices.
	 *
	 * @since 0.3.0
	 *
	 * @return array<string, array{label: string, type: string, help: string, choices?: array<string, string>, placeholder?: string}>
	 */
	public static function fields(): array {
		$f = static fn( string $label, string $type, string $help, array $more = array() ): array => array(
			'label' => $label,
			'type'  => $type,
			'help'  => $help,
		) + $more;
		return array(
			'phone_number_id'          => $f( __( 'Phone number ID', 'cartpinger-for-woocommerce' ), 'text', __( 'In Meta\'s App Dashboard: WhatsApp > API Setup, under your number (digits only, not the phone number itself).', 'cartpinger-for-woocommerce' ) ),
			'waba_id'                  => $f( __( 'WhatsApp Business Account ID', 'cartpinger-for-woocommerce' ), 'text', __( 'On the same page, above the number. CartPinger uses it to submit and check your message templates.', 'cartpinger-for-woocommerce' ) ),
			'access_token'             => $f( __( 'Access token', 'cartpinger-for-woocommerce' ), 'secret', __( 'Use a permanent System User token: temporary tokens expire after 24 hours. Stored encrypted; only ever sent to Meta.', 'cartpinger-for-woocommerce' ) ),
			'app_secret'               => $f( __( 'App secret', 'cartpinger-for-woocommerce' ), 'secret', __( 'App settings > Basic in Meta\'s App Dashboard. Lets CartPinger check that delivery reports and replies really come from Meta.', 'cartpinger-for-woocommerce' ) ),
			'verify_token'             => $f( __( 'Webhook verify token', 'cartpinger-for-woocommerce' ), 'secret', __( 'A password you make up and paste in Meta\'s webhook settings too, so Meta can prove it is talking to your shop.', 'cartpinger-for-woocommerce' ) ),
			'graph_api_version'        => $f( __( 'Graph API version', 'cartpinger-for-woocommerce' ), 'text', __( 'The version of Meta\'s API CartPinger calls, for example v25.0.', 'cartpinger-for-woocommerce' ) ),
			'graph_base_url'           => $f( __( 'Graph API address', 'cartpinger-for-woocommerce' ), 'url', __( 'Leave https://graph.facebook.com unless you test against a sandbox.', 'cartpinger-for-woocommerce' ) ),
			'recovery_enabled'         => $f( __( 'Send cart reminders', 'cartpinger-for-woocommerce' ), 'switch', __( 'Off: carts are still recorded, but nobody gets a reminder.', 'cartpinger-for-woocommerce' ) ),
			'recovery_delay_minutes'   => $f( __( 'Wait before the first reminder (minutes)', 'cartpinger-for-woocommerce' ), 'number', __( 'Counted from the shopper\'s last activity at checkout. 60 minutes catches most carts while the shopper still remembers them.', 'cartpinger-for-woocommerce' ) ),
			'enable_followups'         => $f( __( 'Send a follow-up', 'cartpinger-for-woocommerce' ), 'switch', __( 'Off: only the first reminder is sent.', 'cartpinger-for-woocommerce' ) ),
			'followup_1_hours'         => $f( __( 'Follow-up after (hours after the first reminder)', 'cartpinger-for-woocommerce' ), 'number', __( '24 hours reaches shoppers at about the same time of day as they shopped.', 'cartpinger-for-woocommerce' ) ),
			'enable_auto_coupon'       => $f( __( 'Include a one-time coupon in the follow-up', 'cartpinger-for-woocommerce' ), 'switch', __( 'CartPinger creates a personal coupon for this cart, usable once and only with this shopper\'s email address.', 'cartpinger-for-woocommerce' ) ),
			'coupon_amount'            => $f( __( 'Coupon value', 'cartpinger-for-woocommerce' ), 'number', __( 'A percentage or an amount in your store\'s currency, depending on the coupon type.', 'cartpinger-for-woocommerce' ) ),
			'coupon_type'              => $f(
				__( 'Coupon type', 'cartpinger-for-woocommerce' ),
				'select',
				__( 'Percentage off the cart, or a fixed amount off the cart.', 'cartpinger-for-woocommerce' ),
				array(
					'choices' => array(
						'percent'    => __( 'Percentage discount', 'cartpinger-for-woocommerce' ),
						'fixed_cart' => __( 'Fixed cart discount', 'cartpinger-for-woocommerce' ),
					),
				)
			),
			'coupon_expiry_hours'      => $f( __( 'Coupon valid for (hours)', 'cartpinger-for-woocommerce' ), 'number', __( 'A short validity gives shoppers a reason to decide now. Unused coupons are deleted afterwards.', 'cartpinger-for-woocommerce' ) ),
			'followup_2_enabled'       => $f( __( 'Send a last reminder', 'cartpinger-for-woocommerce' ), 'switch', __( 'Off: the follow-up is the last message about this cart.', 'cartpinger-for-woocommerce' ) ),
			'followup_2_hours'         => $f( __( 'Last reminder after (hours after the first reminder)', 'cartpinger-for-woocommerce' ), 'number', __( 'Must be later than the follow-up. 48 hours is common.', 'cartpinger-for-woocommerce' ) ),
			'quiet_hours_enabled'      => $f( __( 'No reminders at night', 'cartpinger-for-woocommerce' ), 'switch', __( 'Reminders that fall in the quiet hours wait until they end, in the shopper\'s time zone (from their phone\'s country).', 'cartpinger-for-woocommerce' ) ),
			'quiet_hours_start'        => $f( __( 'Quiet hours start', 'cartpinger-for-woocommerce' ), 'time', __( 'For example 21:00.', 'cartpinger-for-woocommerce' ) ),
			'quiet_hours_end'          => $f( __( 'Quiet hours end', 'cartpinger-for-woocommerce' ), 'time', __( 'For example 09:00.', 'cartpinger-for-woocommerce' ) ),
			'cooloff_hours'            => $f( __( 'Pause between two carts of the same shopper (hours)', 'cartpinger-for-woocommerce' ), 'number', __( 'A shopper who leaves several carts gets reminders about one at a time, never a pile of messages.', 'cartpinger-for-woocommerce' ) ),
			'max_cart_age_days'        => $f( __( 'Stop reminding about carts older than (days)', 'cartpinger-for-woocommerce' ), 'number', __( 'Prices and stock change: an old cart is better forgotten.', 'cartpinger-for-woocommerce' ) ),
			'us_marketing_guard'       => $f( __( 'Hold reminders to US numbers (+1)', 'cartpinger-for-woocommerce' ), 'switch', __( 'Meta does not deliver marketing messages, such as cart reminders, to US numbers; holding them avoids paying for failures.', 'cartpinger-for-woocommerce' ) ),
			'holdout_percent'          => $f( __( 'Hold-out group (percent of carts never messaged, to measure the real lift)', 'cartpinger-for-woocommerce' ), 'number', __( 'To see what reminders really bring: this share of carts gets no reminder, and the Dashboard compares how often they order anyway. 0 turns it off.', 'cartpinger-for-woocommerce' ) ),
			'message_ttl_hours'        => $f( __( 'Give up on a message still unsent after (hours)', 'cartpinger-for-woocommerce' ), 'number', __( 'When Meta cannot be reached for this long, a reminder is dropped rather than sent late.', 'cartpinger-for-woocommerce' ) ),
			'consent_updates_text'     => $f( __( 'Order updates box', 'cartpinger-for-woocommerce' ), 'textarea', __( 'Default:', 'cartpinger-for-woocommerce' ) . ' ' . ConsentText::default_template( ConsentText::UPDATES ), array( 'placeholder' => ConsentText::default_template( ConsentText::UPDATES ) ) ),
			'consent_reminders_text'   => $f( __( 'Reminders and offers box', 'cartpinger-for-woocommerce' ), 'textarea', __( 'Default:', 'cartpinger-for-woocommerce' ) . ' ' . ConsentText::default_template( ConsentText::REMINDERS ), array( 'placeholder' => ConsentText::default_template( ConsentText::REMINDERS ) ) ),
			'notify_processing'        => $f( __( 'Order received (processing)', 'cartpinger-for-woocommerce' ), 'switch', __( 'Template "Order confirmation", with the order number and total in your store\'s format.', 'cartpinger-for-woocommerce' ) ),
			'notify_completed'         => $f( __( 'Order completed', 'cartpinger-for-woocommerce' ), 'switch', __( 'Template "Order completed".', 'cartpinger-for-woocommerce' ) ),
			'notify_cancelled'         => $f( __( 'Order cancelled', 'cartpinger-for-woocommerce' ), 'switch', __( 'Template "Order cancelled".', 'cartpinger-for-woocommerce' ) ),
			'widget_enabled'           => $f( __( 'Show the WhatsApp chat button', 'cartpinger-for-woocommerce' ), 'switch', __( 'Needs a support phone number below.', 'cartpinger-for-woocommerce' ) ),
			'support_phone'            => $f( __( 'Support phone number', 'cartpinger-for-woocommerce' ), 'text', __( 'The WhatsApp number shoppers write to. With +country code, or as you would dial it in your store\'s country.', 'cartpinger-for-woocommerce' ) ),
			'widget_message'           => $f( __( 'Pre-filled message', 'cartpinger-for-woocommerce' ), 'textarea', __( 'Already typed in the shopper\'s WhatsApp when the chat opens; they can change it.', 'cartpinger-for-woocommerce' ) ),
			'widget_position'          => $f(
				__( 'Position', 'cartpinger-for-woocommerce' ),
				'select',
				__( 'Pick the corner your theme leaves free.', 'cartpinger-for-woocommerce' ),
				array(
					'choices' => array(
						'right' => __( 'Bottom right', 'cartpinger-for-woocommerce' ),
						'left'  => __( 'Bottom left', 'cartpinger-for-woocommerce' ),
					),
				)
			),
			'widget_pages'             => $f(
				__( 'Pages', 'cartpinger-for-woocommerce' ),
				'select',
				__( 'Cart and checkout are left out by default: there the button would sit over the order buttons on a phone.', 'cartpinger-for-woocommerce' ),
				array(
					'choices' => array(
						'not_checkout' => __( 'All pages except cart and checkout (recommended)', 'cartpinger-for-woocommerce' ),
						'all'          => __( 'All pages (on cart and checkout the button sits at the end of the page, never over the order buttons)', 'cartpinger-for-woocommerce' ),
						'shop'         => __( 'Shop pages only', 'cartpinger-for-woocommerce' ),
						'product'      => __( 'Product pages only', 'cartpinger-for-woocommerce' ),
					),
				)
			),
			'widget_devices'           => $f(
				__( 'Devices', 'cartpinger-for-woocommerce' ),
				'select',
				__( 'Phones are where shoppers use WhatsApp most.', 'cartpinger-for-woocommerce' ),
				array(
					'choices' => array(
						'all'     => __( 'All devices', 'cartpinger-for-woocommerce' ),
						'mobile'  => __( 'Mobile only', 'cartpinger-for-woocommerce' ),
						'desktop' => __( 'Desktop only', 'cartpinger-for-woocommerce' ),
					),
				)
			),
			'delete_data_on_uninstall' => $f( __( 'Delete all CartPinger data when the plugin is deleted', 'cartpinger-for-woocommerce' ), 'switch', __( 'Off: your carts, messages and settings stay, in case you install CartPinger again.', 'cartpinger-for-woocommerce' ) ),
			'retention_days'           => $f( __( 'Keep cart and message records for (days, 0 = forever)', 'cartpinger-for-woocommerce' ), 'number', __( 'Older records are deleted every day (privacy laws ask you not to keep personal data longer than needed).', 'cartpinger-for-woocommerce' ) ),
			'log_level'                => $f(
				__( 'Log level', 'cartpinger-for-woocommerce' ),
				'select',
				__( 'What CartPinger writes to WooCommerce > Status > Logs (source "cartpinger").', 'cartpinger-for-woocommerce' ),
				array(
					'choices' => array(
						'error'   => __( 'Errors', 'cartpinger-for-woocommerce' ),
						'warning' => __( 'Warnings', 'cartpinger-for-woocommerce' ),
						'info'    => __( 'Information', 'cartpinger-for-woocommerce' ),
						'debug'   => __( 'Debug', 'cartpinger-for-woocommerce' ),
					),
				)
			),
		);
	}
}
