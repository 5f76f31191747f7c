<?php
/**
 * Sends the due messages of the queue.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Queue;

use CartPinger\Meta\Account;
use CartPinger\Meta\Templates;
use CartPinger\Native\Sender;
use CartPinger\Settings\Settings;

defined( 'ABSPATH' ) || exit;

/**
 * One queue run: claim due messages, send them in one Sender::send_batch() call, record each
 * result, and leave a heartbeat.
 *
 * @since 0.1.0
 */
final class Runner {

	/**
	 * Option with the UTC time and counts of the last run.
	 *
	 * @since 0.1.0
	 */
	public const LAST_RUN_OPTION = 'cartpinger_queue_last_run';

	/**
	 * Most messages claimed at once (one claim is sent as one stream).
	 *
	 * @since 0.1.0
	 */
	public const BATCH = 1000;

	/**
	 * Seconds a claim outlives the run's budget before another run may take the rows back.
	 *
	 * @since 0.1.0
	 */
	public const LEASE_MARGIN = 60;

	/**
	 * The default throughput cap (Meta's standard tier), messages per second.
	 *
	 * @since 0.3.0
	 */
	public const DEFAULT_MPS = 80;

	/**
	 * Option holding the business number's throughput cap (80 standard, up to 1,000 when Meta
	 * raised the number's tier); filter `cartpinger_mps_cap` overrides it.
	 *
	 * @since 0.3.0
	 */
	public const MPS_OPTION = 'cartpinger_mps_cap';

	/**
	 * Seconds left unused under the cron interval and PHP's max_execution_time.
	 *
	 * @since 0.3.0
	 */
	public const HEADROOM = 10;

	/**
	 * Name of the database lock that lets one run send at a time (one throughput cap).
	 *
	 * @since 0.3.0
	 */
	public const LOCK = 'cartpinger_queue_run';

	/**
	 * Applies stored webhooks between sends (optional).
	 *
	 * @since 0.3.0
	 *
	 * @var callable|null
	 */
	private $apply_inbox;

	/**
	 * The settings service.
	 *
	 * @since 0.1.0
	 *
	 * @var Settings
	 */
	private Settings $settings;

	/**
	 * The queue.
	 *
	 * @since 0.1.0
	 *
	 * @var Store
	 */
	private Store $store;

	/**
	 * Creates the runner.
	 *
	 * @since 0.1.0
	 *
	 * @param Settings      $settings    The settings service.
	 * @param Store         $store       The queue.
	 * @param callable|null $apply_inbox Applies stored webhooks (returns statuses applied).
	 */
	public function __construct( Settings $settings, Store $store, ?callable $apply_inbox = null ) {
		$this->settings    = $settings;
		$this->store       = $store;
		$this->apply_inbox = $apply_inbox;
	}

	/**
	 * The default budget of one run in milliseconds: the cron interval (60 s) and PHP's
	 * max_execution_time, each minus HEADROOM, whichever is shorter.
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function default_budget_ms(): int {
		$budget = MINUTE_IN_SECONDS - self::HEADROOM;
		$limit  = (int) ini_get( 'max_execution_time' );
		if ( $limit > 0 ) {
			$budget = min( $budget, $limit - self::HEADROOM );
		}
		return max( 5, $budget ) * 1000;
	}

	/**
	 * The throughput cap in messages per second (1..1000).
	 *
	 * @since 0.3.0
	 *
	 * @return int
	 */
	public static function mps_cap(): int {
		$cap = (int) get_option( self::MPS_OPTION, self::DEFAULT_MPS );
		/**
		 * Filters the business number's throughput cap (messages per second, 1..1000).
		 *
		 * @since 0.3.0
		 *
		 * @param int $cap Messages per second.
		 */
		$cap = (int) apply_filters( 'cartpinger_mps_cap', $cap > 0 ? $cap : self::DEFAULT_MPS );
		return max( 1, min( 1000, $cap ) );
	}

	/**
	 * Sends what is due until the queue is empty or the time budget is spent.
	 *
	 * Only one run sends at a time (a database lock the server frees when the process dies),
	 * so the throughput cap holds for the site. Each round applies stored webhooks, settles
	 * expired leases and unknown outcomes, claims up to BATCH rows (order updates first, by
	 * priority) and streams them: each row is marked in flight just before its request and
	 * its result is written as soon as it arrives.
	 *
	 * @since 0.1.0
	 *
	 * @param int $budget_ms Time budget, in milliseconds (1..600000); 0 for the default.
	 * @return array<string, mixed> Summary: 'state' (ran|paused|not_configured|busy), 'claimed',
	 *                              'rounds', 'ms' and one count per outcome of Store::complete().
	 */
	public function run( int $budget_ms = 0 ): array {
		$started   = microtime( true );
		$budget_ms = $budget_ms > 0 ? min( 600000, $budget_ms ) : self::default_budget_ms();
		$deadline  = $started + $budget_ms / 1000;
		$summary   = array(
			'state'   => 'ran',
			'claimed' => 0,
			'rounds'  => 0,
		);
		if ( null !== $this->store->paused() ) {
			$summary['state'] = 'paused';
			return $summary;
		}
		if ( ! $this->settings->is_configured() ) {
			$summary['state'] = 'not_configured';
			return $summary;
		}
		$token = $this->settings->get_secret( 'access_token' );
		if ( is_wp_error( $token ) ) {
			$this->store->pause( $token->get_error_code(), Settings::unreadable_message( 'access_token' ) );
			$summary['state'] = 'paused';
			return $summary;
		}
		if ( ! $this->store->lock( self::LOCK ) ) {
			$summary['state'] = 'busy';
			return $summary;
		}
		try {
			$cap    = self::mps_cap();
			$sender = new Sender(
				array(
					'token'           => $token,
					'phone_number_id' => (string) $this->settings->get( 'phone_number_id' ),
					'waba_id'         => (string) $this->settings->get( 'waba_id' ),
					'base_url'        => (string) $this->settings->get( 'graph_base_url' ),
					'graph_version'   => (string) $this->settings->get( 'graph_api_version' ),
					'mps_cap'         => $cap,
					// Enough requests in flight for the cap at up to 500 ms per answer.
					'concurrency'     => max( 4, min( 512, (int) ceil( $cap / 2 ) + 4 ) ),
					// Routing: marketing templates through /marketing_messages once the terms
					// are accepted (CartPinger\Native\Platform::route()).
					'today'              => gmdate( 'Y-m-d' ),
					'marketing_messages' => Account::onboarding_status(),
				)
			);
		} catch ( \Throwable $e ) {
			$this->store->unlock( self::LOCK );
			$this->store->pause( 'config_' . $e->getCode(), $e->getMessage() );
			$summary['state'] = 'paused';
			return $summary;
		}
		// Whether the Marketing Messages API terms are accepted: asked every 12 h (next run routes on it).
		Account::maybe_refresh_onboarding( $sender );
		try {
			// Holding the lock proves every other runner is gone: their leases are orphans now
			// (claimed → pending, sending → unknown), not after their lease time.
			$this->store->release_expired( true );
			$this->drain( $sender, $deadline, $summary );
		} finally {
			$this->store->unlock( self::LOCK );
		}
		$summary['ms'] = (int) round( ( microtime( true ) - $started ) * 1000 );
		$this->heartbeat( $summary );
		return $summary;
	}

	/**
	 * The rounds of one run.
	 *
	 * @since 0.3.0
	 *
	 * @param Sender               $sender   The sender (its throughput cap spans the rounds).
	 * @param float                $deadline Unix time the run must end by.
	 * @param array<string, mixed> $summary  The summary, updated.
	 * @return void
	 */
	private function drain( Sender $sender, float $deadline, array &$summary ): void {
		while ( true ) {
			if ( null !== $this->apply_inbox ) {
				$applied = (int) call_user_func( $this->apply_inbox );
				if ( $applied > 0 ) {
					$summary['webhooks'] = (int) ( $summary['webhooks'] ?? 0 ) + $applied;
				}
			}
			$remaining = (int) floor( ( $deadline - microtime( true ) ) * 1000 );
			if ( $remaining < 1000 || null !== $this->store->paused() ) {
				return;
			}
			$rows = $this->store->claim( self::BATCH, (int) ceil( $remaining / 1000 ) + self::LEASE_MARGIN );
			if ( array() === $rows ) {
				return;
			}
			++$summary['rounds'];
			$summary['claimed'] += count( $rows );
			$this->send_round( $sender, $rows, $remaining, $summary );
		}
	}

	/**
	 * Streams one claim through the sender.
	 *
	 * @since 0.3.0
	 *
	 * @param Sender                           $sender    The sender.
	 * @param array<int, array<string, mixed>> $rows      Claimed rows.
	 * @param int                              $budget_ms Time left, ms.
	 * @param array<string, mixed>             $summary   The summary, updated.
	 * @return void
	 */
	private function send_round( Sender $sender, array $rows, int $budget_ms, array &$summary ): void {
		$by_id = array();
		$jobs  = array();
		foreach ( $rows as $row ) {
			$id           = (int) $row['id'];
			$by_id[ $id ] = $row;
			$components   = json_decode( (string) $row['components'], true );
			$params       = is_array( $components ) && is_array( $components['params'] ?? null ) ? $components['params'] : null;
			if ( null === $params ) {
				$unreadable = array(
					'status'  => 'invalid',
					'code'    => 'components',
					'message' => 'The stored message parameters are unreadable.',
				);
				$this->count( $summary, $this->store->complete( $row, $unreadable ) );
				continue;
			}
			$job = array(
				'id'       => (string) $id,
				'to'       => (string) $row['phone'],
				'template' => (string) $row['template'],
				'language' => (string) $row['language'],
				'params'   => array_map( 'strval', array_values( $params ) ),
				'category' => Templates::category( (string) $row['template'], (string) $row['language'] ),
			);
			if ( is_array( $components['languages'] ?? null ) && array() !== $components['languages'] ) {
				$job['languages'] = array_map( 'strval', array_values( $components['languages'] ) );
			}
			$jobs[] = $job;
		}
		if ( array() === $jobs ) {
			return;
		}
		$claim_id = (int) $rows[0]['claim_id'];
		$done     = array();
		try {
			$never = $sender->send_stream(
				$jobs,
				max( 1, min( 600000, $budget_ms ) ),
				function ( array $ids ) use ( $claim_id ): bool {
					// Durably "in flight" before any of these requests starts.
					// A row no longer ours (lost lease) is never sent: stop the round instead.
					return count( $ids ) === $this->store->mark_in_flight( array_map( 'intval', $ids ), $claim_id );
				},
				function ( array $results ) use ( $by_id, &$done, &$summary ): bool {
					global $wpdb;
					// One commit per batch of answers (a durable commit per row caps the drain).
					$wpdb->query( 'START TRANSACTION' );
					$pairs = array();
					foreach ( $results as $result ) {
						$id = is_array( $result ) ? (int) ( $result['id'] ?? 0 ) : 0;
						if ( ! isset( $by_id[ $id ] ) || isset( $done[ $id ] ) ) {
							continue;
						}
						$done[ $id ] = true;
						$pairs[]     = array( $by_id[ $id ], $result );
					}
					foreach ( $this->store->complete_many( $pairs ) as $outcome ) {
						$this->count( $summary, $outcome );
					}
					$wpdb->query( 'COMMIT' );
					return null === $this->store->paused();
				}
			);
		} catch ( \Throwable $e ) {
			$never            = array();
			$summary['error'] = $e->getMessage();
		}
		// Never started: back to pending. Anything else without a result stays `sending` until
		// its lease runs out, and then becomes unknown (it may have been on the wire).
		foreach ( $never as $id ) {
			$id = (int) $id;
			if ( isset( $by_id[ $id ] ) && ! isset( $done[ $id ] ) ) {
				$done[ $id ] = true;
				$this->count( $summary, $this->store->release( $id, (int) $by_id[ $id ]['claim_id'] ) ? 'released' : 'stale' );
			}
		}
		foreach ( $jobs as $job ) {
			$id = (int) $job['id'];
			if ( ! isset( $done[ $id ] ) ) {
				// Claimed but never marked in flight (the call failed before it): safe to release.
				$this->count( $summary, $this->store->release_unstarted( $id, (int) $by_id[ $id ]['claim_id'] ) ? 'released' : 'stale' );
			}
		}
	}

	/**
	 * Adds one outcome to the summary.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $summary The summary.
	 * @param string               $outcome What Store::complete() returned.
	 * @return void
	 */
	private function count( array &$summary, string $outcome ): void {
		$summary[ $outcome ] = (int) ( $summary[ $outcome ] ?? 0 ) + 1;
	}

	/**
	 * Records when the queue last ran and what it did.
	 *
	 * @since 0.1.0
	 *
	 * @param array<string, mixed> $summary The summary.
	 * @return void
	 */
	private function heartbeat( array $summary ): void {
		update_option( self::LAST_RUN_OPTION, array( 'at' => gmdate( 'Y-m-d H:i:s' ) ) + $summary, false );
	}
}
