<?php
/**
 * Scenario ad3 (woo tier, continues ad0): the Templates page against the real Cloud API
 * sandbox (tests/native/SandboxProcess.php), configured as RecoveryFlowTest does: Meta's
 * status per catalog template and language, the hour-long transient cache and its refresh,
 * a mismatch shown, submitting the missing templates (PENDING afterwards) with the recovery
 * link prefix, and the buttons' nonce and capability refusals.
 */
declare(strict_types=1);

namespace CartPinger\Tests\WP;

use CartPinger\Admin\TemplatesPage;
use CartPinger\Lifecycle;
use CartPinger\Native\Catalog;
use CartPinger\Settings\SecretBox;
use CartPinger\Settings\Settings;
use CartPinger\Tests\Native\SandboxProcess;

require_once dirname( __DIR__, 2 ) . '/native/SandboxProcess.php';

final class AdminTemplatesTest extends TestCase {

	private static ?SandboxProcess $sandbox = null;

	public static function setUpBeforeClass(): void {
		self::$sandbox = new SandboxProcess();
		$settings      = new Settings( new SecretBox() );
		$app_secret = $settings->get_secret( 'app_secret' );
		foreach ( array(
			'phone_number_id' => SandboxProcess::PHONE_NUMBER_ID,
			'waba_id'         => SandboxProcess::WABA_ID,
			'graph_base_url'  => self::$sandbox->base,
		) as $key => $value ) {
			if ( true !== $settings->set( $key, $value ) ) {
				throw new \RuntimeException( "could not set {$key}" );
			}
		}
		if ( true !== $settings->set_secret( 'access_token', SandboxProcess::TOKEN ) ) {
			throw new \RuntimeException( 'could not set the access token' );
		}
		// Changing the Graph address discards the app secret (issue 11): re-enter the one stored.
		if ( is_string( $app_secret ) && '' !== $app_secret ) {
			$settings->set_secret( 'app_secret', $app_secret );
		}
	}

	public static function tearDownAfterClass(): void {
		self::$sandbox = null;
	}

	protected function setUp(): void {
		parent::setUp();
		delete_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT );
		wp_set_current_user( 1 );
		$_REQUEST = array();
	}

	private static function page(): TemplatesPage {
		return new TemplatesPage( new Settings( new SecretBox() ) );
	}

	private static function render(): string {
		ob_start();
		try {
			self::page()->render();
		} finally {
			$html = (string) ob_get_clean();
		}
		return $html;
	}

	private static function catalog_pairs(): int {
		$n = 0;
		foreach ( Catalog::templates() as $t ) {
			$n += count( $t['languages'] );
		}
		return $n;
	}

	public function test_status_per_language_is_cached_and_rendered(): void {
		$status = self::page()->meta_status();
		$this->assertIsArray( $status, is_wp_error( $status ) ? $status->get_error_message() : '' );
		$catalog = array_values( array_filter( $status['templates'], static fn( $t ) => ! empty( $t['in_catalog'] ) ) );
		$this->assertSame( self::catalog_pairs(), count( $catalog ), 'the sandbox also has templates of its own' );
		$this->assertSame( count( $status['templates'] ), $status['count'] );
		$this->assertSame( array(), TemplatesPage::missing( $status ) );
		foreach ( $catalog as $t ) {
			$this->assertSame( 'APPROVED', $t['status'], $t['name'] . '/' . $t['language'] );
			$this->assertArrayHasKey( 'name', $t );
			$this->assertArrayHasKey( 'language', $t );
		}
		$cached = get_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT );
		$this->assertSame( $status, $cached, 'cached under cartpinger_templates_cache' );
		$timeout = (int) get_option( '_transient_timeout_' . Lifecycle::TEMPLATES_CACHE_TRANSIENT );
		$this->assertEqualsWithDelta( time() + HOUR_IN_SECONDS, $timeout, 5, 'one hour' );

		// Meta changes; the cache still answers until a refresh.
		$all = $status['count'];
		self::$sandbox->control( '/_sandbox/templates', array( 'templates' => array(), 'replace' => true ) );
		$this->assertSame( $all, self::page()->meta_status()['count'] );
		$this->assertSame( 0, self::page()->meta_status( true )['count'] );

		// A mismatched definition at Meta: one variable where the catalog has three.
		self::$sandbox->control(
			'/_sandbox/templates',
			array(
				'templates' => array(
					array(
						'name'       => 'order_confirmed',
						'language'   => 'en',
						'category'   => 'UTILITY',
						'components' => array(
							array(
								'type'    => 'BODY',
								'text'    => 'Hello {{1}}, thanks.',
								'example' => array( 'body_text' => array( array( 'Anna' ) ) ),
							),
						),
					),
				),
			)
		);
		self::page()->meta_status( true );
		$html = self::render();
		$this->assertSame( self::catalog_pairs(), substr_count( $html, 'class="cartpinger-template-status ' ) );
		$this->assertSame( self::catalog_pairs() - 1, substr_count( $html, 'data-status="MISSING"' ) );
		$this->assertStringContainsString( 'data-status="APPROVED"', $html );
		$this->assertStringContainsString( 'class="cartpinger-mismatches"', $html, 'the mismatch is shown' );
		$this->assertStringContainsString( 'action" value="cartpinger_templates_submit"', $html );
		$this->assertStringContainsString( 'action" value="cartpinger_templates_refresh"', $html );
		$this->assertStringContainsString( 'Hi Anna, you left some items in your cart.', $html, 'WhatsApp-style preview with the example name' );
		$this->assertStringContainsString( esc_attr( \CartPinger\Recovery\Link::prefix() . '{{1}}' ), $html, 'the exact button URL to paste at Meta' );
		$this->assertStringContainsString( 'class="button cartpinger-copy"', $html, 'with a copy button' );
		$this->assertSame( 1, substr_count( $html, 'button-primary' ), 'one visible submit' );
		$this->assertStringContainsString( 'data-language="pt_BR"', $html );
		$this->assertStringContainsString( 'Marketing (needs the reminders consent)', $html );
		$this->assertStringContainsString( '<h2>First reminder <code>abandoned_cart_recovery</code></h2>', $html, 'named for a merchant' );
		$this->assertStringContainsString( 'Their personal link back to the cart (in the button)', $html, 'variables listed in plain words' );
		$this->assertStringNotContainsString( '64-hex', $html, 'no jargon' );
	}

	public function test_submit_missing_sends_each_missing_pair_for_review(): void {
		// Meta reviews for minutes to days; the sandbox's default 300 ms would approve them while
		// this test still expects PENDING on a loaded machine.
		self::$sandbox->control( '/_sandbox/config', array( 'template_approval_ms' => 600000 ) );
		self::$sandbox->control( '/_sandbox/templates', array( 'templates' => array(), 'replace' => true ) );
		$results = self::page()->submit_missing();
		$this->assertIsArray( $results );
		$this->assertCount( self::catalog_pairs(), $results );
		foreach ( $results as $r ) {
			$this->assertSame( 'ok', $r['status'], wp_json_encode( $r ) );
			$this->assertSame( 'PENDING', $r['template_status'] );
		}
		$this->assertFalse( get_transient( Lifecycle::TEMPLATES_CACHE_TRANSIENT ), 'the cache is emptied after a submission' );
		$status = self::page()->meta_status();
		$this->assertSame( self::catalog_pairs(), $status['count'] );
		$this->assertSame( array( 'PENDING' ), array_values( array_unique( array_column( $status['templates'], 'status' ) ) ) );
		$this->assertSame( array(), TemplatesPage::missing( $status ) );
		$this->assertSame( array(), self::page()->submit_missing(), 'nothing left to submit' );
		$html = self::render();
		$this->assertStringNotContainsString( 'cartpinger_templates_submit', $html, 'no submit button when nothing is missing' );
		$this->assertStringContainsString( 'data-status="PENDING"', $html );
	}

	public function test_buttons_refuse_without_nonce_or_capability(): void {
		$page = self::page();
		$page->register();
		$this->assertNotFalse( has_action( 'admin_post_' . TemplatesPage::ACTION_SUBMIT, array( $page, 'handle_submit' ) ) );
		$this->assertNotFalse( has_action( 'admin_post_' . TemplatesPage::ACTION_REFRESH, array( $page, 'handle_refresh' ) ) );
		foreach ( array( 'handle_submit', 'handle_refresh' ) as $method ) {
			try {
				$page->$method();
				$this->fail( "{$method} ran without a nonce" );
			} catch ( WpDieException $e ) {
				$this->assertStringContainsString( 'wp_die()', $e->getMessage() );
			}
		}
		$id = wp_insert_user(
			array(
				'user_login' => 'tpl-sub-' . wp_generate_password( 6, false ),
				'user_pass'  => wp_generate_password(),
				'role'       => 'subscriber',
			)
		);
		wp_set_current_user( $id );
		$_REQUEST['_wpnonce'] = wp_create_nonce( TemplatesPage::ACTION_SUBMIT );
		try {
			$page->handle_submit();
			$this->fail( 'a subscriber submitted templates' );
		} catch ( WpDieException $e ) {
			$this->assertStringContainsString( 'not allowed', $e->getMessage() );
		}
		$this->expectException( WpDieException::class );
		self::render();
	}

	public function test_unconfigured_site_shows_why(): void {
		$settings = new Settings( new SecretBox() );
		$settings->delete_secret( 'access_token' );
		$html = self::render();
		$this->assertStringContainsString( 'cartpinger-meta-error', $html );
		$this->assertStringContainsString( 'data-status="UNKNOWN"', $html );
		$this->assertTrue( true === $settings->set_secret( 'access_token', SandboxProcess::TOKEN ) );
	}
}
