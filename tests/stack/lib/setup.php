<?php
/**
 * Demo-store setup steps, each run in its own PHP process by tests/stack/up.sh:
 *
 *   php setup.php install PASSWORD      wp_install(), permalinks, timezone
 *   php setup.php activate-woo          activate_plugin(woocommerce) (runs WC_Install)
 *   php setup.php woo-newly-installed   replay WooCommerce's first-admin-visit routine (notes trap 3)
 *   php setup.php store                 ES/EUR, cash on delivery, shipping, products, pages
 *   php setup.php activate-cartpinger   activate_plugin(cartpinger)
 *   php setup.php configure-cartpinger  credentials pointing at the sandbox (env CP_DEMO_*)
 *   php setup.php use-checkout block|classic
 *   php setup.php finish                flush rewrite rules, print a summary
 *
 * Environment: CP_DEMO_WP_DIR (the site), CP_DEMO_HOST (127.0.0.1:PORT).
 */
declare(strict_types=1);

$cp_demo_wp_dir = (string) getenv( 'CP_DEMO_WP_DIR' );
$cp_demo_step   = $argv[1] ?? '';
if ( '' === $cp_demo_wp_dir || ! is_file( $cp_demo_wp_dir . '/wp-config.php' ) ) {
	fwrite( STDERR, "CP_DEMO_WP_DIR is not a configured WordPress\n" );
	exit( 1 );
}
if ( 'install' === $cp_demo_step ) {
	define( 'WP_INSTALLING', true );
}
if ( 'woo-newly-installed' === $cp_demo_step ) {
	define( 'WP_ADMIN', true );
}
$_SERVER['HTTP_HOST']   = (string) getenv( 'CP_DEMO_HOST' );
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';

require $cp_demo_wp_dir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
if ( 'install' === $cp_demo_step ) {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
}

/**
 * Prints to stderr and exits 1.
 *
 * @param string $message What went wrong.
 */
function cp_demo_fail( string $message ): void {
	fwrite( STDERR, 'setup.php: ' . $message . PHP_EOL );
	exit( 1 );
}

/**
 * Creates (or finds) a published page.
 *
 * @param string $slug    Slug.
 * @param string $title   Title.
 * @param string $content Post content.
 * @return int Page ID.
 */
function cp_demo_page( string $slug, string $title, string $content ): int {
	$existing = get_page_by_path( $slug );
	if ( $existing instanceof WP_Post ) {
		return (int) $existing->ID;
	}
	$id = wp_insert_post(
		array(
			'post_type'      => 'page',
			'post_status'    => 'publish',
			'post_name'      => $slug,
			'post_title'     => $title,
			'post_content'   => $content,
			'comment_status' => 'closed',
		),
		true
	);
	if ( is_wp_error( $id ) ) {
		cp_demo_fail( "page $slug: " . $id->get_error_message() );
	}
	return (int) $id;
}

switch ( $cp_demo_step ) {
	case 'install':
		if ( is_blog_installed() ) {
			cp_demo_fail( 'WordPress is already installed in this database (table prefix ' . $GLOBALS['table_prefix'] . ')' );
		}
		$password = (string) ( $argv[2] ?? '' );
		$result   = wp_install( 'CartPinger Demo Store', 'admin', 'admin@example.org', false, '', $password );
		if ( empty( $result['user_id'] ) ) {
			cp_demo_fail( 'wp_install failed' );
		}
		update_option( 'permalink_structure', '/%postname%/' );
		update_option( 'timezone_string', 'Europe/Madrid' );
		update_option( 'blogdescription', 'A local WooCommerce shop with CartPinger' );
		echo 'wp: installed ', get_option( 'siteurl' ), PHP_EOL;
		break;

	case 'activate-woo':
		wp_set_current_user( 1 );
		$result = activate_plugin( 'woocommerce/woocommerce.php' );
		if ( is_wp_error( $result ) ) {
			cp_demo_fail( 'activate_plugin(woocommerce): ' . $result->get_error_message() );
		}
		echo 'woo: activated ', get_option( 'woocommerce_version' ), PHP_EOL;
		break;

	case 'woo-newly-installed':
		if ( ! function_exists( 'WC' ) ) {
			cp_demo_fail( 'WooCommerce is not loaded' );
		}
		if ( 'yes' === get_option( 'woocommerce_newly_installed' ) ) {
			// The body of WC_Install::newly_installed(), which only runs on admin_init.
			do_action( 'woocommerce_newly_installed' );
			update_option( 'woocommerce_newly_installed', 'no' );
			add_option( 'woocommerce_initial_installed_version', WC()->version, '', false );
		}
		delete_transient( '_wc_activation_redirect' );
		update_option( 'woocommerce_onboarding_profile', array( 'skipped' => true ) );
		update_option( 'woocommerce_task_list_hidden', 'yes' );
		update_option( 'woocommerce_task_list_complete', 'yes' );
		update_option( 'woocommerce_extended_task_list_hidden', 'yes' );
		echo 'woo: newly-installed replayed; HPOS=', get_option( 'woocommerce_custom_orders_table_enabled', '(unset)' ), PHP_EOL;
		break;

	case 'store':
		if ( ! function_exists( 'WC' ) ) {
			cp_demo_fail( 'WooCommerce is not loaded' );
		}
		$options = array(
			'woocommerce_default_country'          => 'ES:M',
			'woocommerce_store_address'            => 'Calle Mayor 1',
			'woocommerce_store_city'               => 'Madrid',
			'woocommerce_store_postcode'           => '28013',
			'woocommerce_allowed_countries'        => 'all',
			'woocommerce_currency'                 => 'EUR',
			'woocommerce_currency_pos'             => 'right_space',
			'woocommerce_price_thousand_sep'       => '.',
			'woocommerce_price_decimal_sep'        => ',',
			'woocommerce_price_num_decimals'       => '2',
			'woocommerce_calc_taxes'               => 'no',
			'woocommerce_enable_guest_checkout'    => 'yes',
			'woocommerce_checkout_phone_field'     => 'optional',
			'woocommerce_coming_soon'              => 'no',
			'woocommerce_store_pages_only'         => 'no',
			'woocommerce_allow_tracking'           => 'no',
			'woocommerce_show_marketplace_suggestions' => 'no',
			'woocommerce_demo_store'               => 'no',
			'woocommerce_cod_settings'             => array(
				'enabled'            => 'yes',
				'title'              => 'Cash on delivery',
				'description'        => 'Pay with cash upon delivery.',
				'instructions'       => 'Pay with cash upon delivery.',
				'enable_for_methods' => array(),
				'enable_for_virtual' => 'yes',
			),
			// A second method, so the browser walk can change it after ticking consent (the
			// Checkout block's partial update on WooCommerce 9.8+). Cash on delivery stays first.
			'woocommerce_bacs_settings'            => array(
				'enabled'      => 'yes',
				'title'        => 'Direct bank transfer',
				'description'  => 'Pay by bank transfer.',
				'instructions' => '',
			),
			'woocommerce_gateway_order'            => array(
				'cod'  => 0,
				'bacs' => 1,
			),
		);
		foreach ( $options as $name => $value ) {
			update_option( $name, $value );
		}

		// Shipping: free shipping in Spain and everywhere else, so any address can order.
		if ( ! get_option( 'cartpinger_demo_shipping_done' ) ) {
			$zone = new WC_Shipping_Zone();
			$zone->set_zone_name( 'Spain' );
			$zone->set_zone_order( 1 );
			$zone->add_location( 'ES', 'country' );
			$zone->save();
			$zone->add_shipping_method( 'free_shipping' );
			$rest = new WC_Shipping_Zone( 0 );
			$rest->add_shipping_method( 'free_shipping' );
			update_option( 'cartpinger_demo_shipping_done', '1' );
		}

		// Products.
		$made = array();
		if ( ! get_option( 'cartpinger_demo_products' ) ) {
			$simple = array(
				array( 'Ceramic Coffee Mug', 'ceramic-coffee-mug', '12.50', 'A hand-glazed 350 ml mug.' ),
				array( 'Linen Tote Bag', 'linen-tote-bag', '19.90', 'Washed linen, long handles.' ),
				array( 'Olive Oil Soap', 'olive-oil-soap', '6.00', 'Cold-pressed olive oil soap bar.' ),
			);
			foreach ( $simple as $row ) {
				$p = new WC_Product_Simple();
				$p->set_name( $row[0] );
				$p->set_slug( $row[1] );
				$p->set_regular_price( $row[2] );
				$p->set_description( $row[3] );
				$p->set_short_description( $row[3] );
				$p->set_status( 'publish' );
				$p->set_catalog_visibility( 'visible' );
				$p->set_stock_status( 'instock' );
				$made[] = $p->save();
			}
			$attr = new WC_Product_Attribute();
			$attr->set_name( 'Size' );
			$attr->set_options( array( 'S', 'M' ) );
			$attr->set_position( 0 );
			$attr->set_visible( true );
			$attr->set_variation( true );
			$var = new WC_Product_Variable();
			$var->set_name( 'Organic Cotton T-Shirt' );
			$var->set_slug( 'organic-cotton-t-shirt' );
			$var->set_description( 'Organic cotton, two sizes.' );
			$var->set_short_description( 'Organic cotton, two sizes.' );
			$var->set_attributes( array( $attr ) );
			$var->set_status( 'publish' );
			$var_id = $var->save();
			foreach ( array( 'S' => '24.00', 'M' => '26.00' ) as $size => $price ) {
				$v = new WC_Product_Variation();
				$v->set_parent_id( $var_id );
				$v->set_attributes( array( 'size' => $size ) );
				$v->set_regular_price( $price );
				$v->set_stock_status( 'instock' );
				$v->set_status( 'publish' );
				$v->save();
			}
			WC_Product_Variable::sync( $var_id );
			$made[] = $var_id;
			update_option( 'cartpinger_demo_products', $made );
		}

		// Pages: WooCommerce created shop/cart/checkout/my-account on install; 9.4.3's checkout
		// page holds the Checkout block. Add a classic (shortcode) checkout next to it.
		if ( ! wc_get_page_id( 'checkout' ) || wc_get_page_id( 'checkout' ) < 1 ) {
			WC_Install::create_pages();
		}
		$block_id   = (int) wc_get_page_id( 'checkout' );
		$classic_id = cp_demo_page( 'classic-checkout', 'Classic checkout', "<!-- wp:shortcode -->\n[woocommerce_checkout]\n<!-- /wp:shortcode -->" );
		update_option( 'cartpinger_demo_block_checkout_page_id', $block_id );
		update_option( 'cartpinger_demo_classic_checkout_page_id', $classic_id );
		if ( ! has_block( 'woocommerce/checkout', get_post( $block_id ) ) ) {
			fwrite( STDERR, "setup.php: warning: page $block_id (/" . get_post_field( 'post_name', $block_id ) . "/) has no Checkout block\n" );
		}
		// A front page that leads to the shop.
		$front = cp_demo_page(
			'welcome',
			'Welcome',
			"<!-- wp:paragraph -->\n<p>This is a local demo store for CartPinger. Browse the <a href=\"" . esc_url( get_permalink( wc_get_page_id( 'shop' ) ) ) . "\">shop</a>, add something to the cart and start a checkout.</p>\n<!-- /wp:paragraph -->"
		);
		update_option( 'show_on_front', 'page' );
		update_option( 'page_on_front', $front );
		echo 'store: ES/EUR, cod on, pages shop=', wc_get_page_id( 'shop' ), ' cart=', wc_get_page_id( 'cart' ),
			' checkout(block)=', $block_id, ' classic-checkout=', $classic_id, ', products ', implode( ',', (array) get_option( 'cartpinger_demo_products' ) ), PHP_EOL;
		break;

	case 'activate-cartpinger':
		wp_set_current_user( 1 );
		$result = activate_plugin( 'cartpinger/cartpinger.php' );
		if ( is_wp_error( $result ) ) {
			cp_demo_fail( 'activate_plugin(cartpinger): ' . $result->get_error_message() );
		}
		echo 'cartpinger: activated', PHP_EOL;
		break;

	case 'configure-cartpinger':
		if ( ! class_exists( '\CartPinger\Plugin' ) || null === \CartPinger\Plugin::instance() ) {
			$why = class_exists( '\CartPinger\Requirements' ) ? implode( ', ', ( new \CartPinger\Requirements() )->failures() ) : 'plugin classes not loaded';
			cp_demo_fail(
				'CartPinger did not boot: ' . $why . ' (extension loaded: ' . ( extension_loaded( 'cartpinger' ) ? 'yes, ABI ' . ( defined( 'CARTPINGER_NATIVE_ABI' ) ? CARTPINGER_NATIVE_ABI : '?' ) . ', version ' . phpversion( 'cartpinger' ) : 'no' )
				. '; the plugin needs ABI ' . ( class_exists( '\CartPinger\Plugin' ) ? \CartPinger\Plugin::REQUIRED_ABI : '?' ) . ')'
			);
		}
		$settings = \CartPinger\Plugin::instance()->settings();
		$plain    = array(
			'phone_number_id' => (string) getenv( 'CP_DEMO_PHONE_NUMBER_ID' ),
			'waba_id'         => (string) getenv( 'CP_DEMO_WABA_ID' ),
			'graph_base_url'  => (string) getenv( 'CP_DEMO_GRAPH_BASE_URL' ),
			// The demo shows the whole sequence, coupon included.
			'enable_auto_coupon' => '1',
		);
		foreach ( $plain as $key => $value ) {
			$r = $settings->set( $key, $value );
			if ( is_wp_error( $r ) ) {
				cp_demo_fail( "settings->set($key): " . $r->get_error_message() );
			}
		}
		$secrets = array(
			'access_token' => (string) getenv( 'CP_DEMO_ACCESS_TOKEN' ),
			'app_secret'   => (string) getenv( 'CP_DEMO_APP_SECRET' ),
			'verify_token' => (string) getenv( 'CP_DEMO_VERIFY_TOKEN' ),
		);
		foreach ( $secrets as $key => $value ) {
			$r = $settings->set_secret( $key, $value );
			if ( is_wp_error( $r ) ) {
				cp_demo_fail( "settings->set_secret($key): " . $r->get_error_message() );
			}
		}
		// The sandbox starts with the catalog's templates for https://shop.example: replace them
		// with ones whose URL button points at this shop (as the merchant's submission to Meta
		// would), so the link in the sandbox inbox opens this store.
		$sandbox_url = (string) getenv( 'CP_DEMO_GRAPH_BASE_URL' );
		$cleared     = wp_remote_post(
			$sandbox_url . '/_sandbox/templates',
			array(
				'headers' => array( 'Content-Type' => 'application/json' ),
				'body'    => wp_json_encode(
					array(
						'templates' => array(),
						'replace'   => true,
					)
				),
			)
		);
		if ( is_wp_error( $cleared ) || 200 !== wp_remote_retrieve_response_code( $cleared ) ) {
			cp_demo_fail( 'could not clear the sandbox templates: ' . ( is_wp_error( $cleared ) ? $cleared->get_error_message() : wp_remote_retrieve_body( $cleared ) ) );
		}
		$sender = new \CartPinger\Native\Sender(
			array(
				'token'           => (string) getenv( 'CP_DEMO_ACCESS_TOKEN' ),
				'phone_number_id' => (string) getenv( 'CP_DEMO_PHONE_NUMBER_ID' ),
				'waba_id'         => (string) getenv( 'CP_DEMO_WABA_ID' ),
				'base_url'        => $sandbox_url,
				'graph_version'   => (string) $settings->get( 'graph_api_version' ),
			)
		);
		$submitted = 0;
		foreach ( \CartPinger\Native\Catalog::templates() as $template ) {
			foreach ( $template['languages'] as $language ) {
				$sender->submit_template( $template['name'], $language, \CartPinger\Recovery\Link::prefix() );
				++$submitted;
			}
		}
		echo 'cartpinger: ', $submitted, ' templates submitted to the sandbox for ', \CartPinger\Recovery\Link::prefix(), PHP_EOL;
		if ( '1' === getenv( 'CP_DEMO_FAST' ) ) {
			update_option( 'cartpinger_demo_fast', '1' );
		} else {
			delete_option( 'cartpinger_demo_fast' );
		}
		echo 'cartpinger: configured for ', $settings->get( 'graph_base_url' ), ' phone_number_id ', $settings->get( 'phone_number_id' ), PHP_EOL;
		break;

	case 'use-checkout':
		$which = (string) ( $argv[2] ?? '' );
		if ( ! in_array( $which, array( 'block', 'classic' ), true ) ) {
			cp_demo_fail( 'usage: setup.php use-checkout block|classic' );
		}
		$id = (int) get_option( 'cartpinger_demo_' . $which . '_checkout_page_id' );
		if ( $id < 1 || ! get_post( $id ) ) {
			cp_demo_fail( "no $which checkout page recorded (option cartpinger_demo_{$which}_checkout_page_id)" );
		}
		update_option( 'woocommerce_checkout_page_id', $id );
		echo 'checkout: ', $which, ' (page ', $id, ') ', get_permalink( $id ), PHP_EOL;
		break;

	case 'finish':
		flush_rewrite_rules( false );
		$products = (array) get_option( 'cartpinger_demo_products' );
		echo 'finish: rewrite rules flushed (', count( (array) get_option( 'rewrite_rules' ) ), ' rules) first_product=', (int) reset( $products ), PHP_EOL;
		break;

	default:
		cp_demo_fail( 'unknown step ' . $cp_demo_step );
}
