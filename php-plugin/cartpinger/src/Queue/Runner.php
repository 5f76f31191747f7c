<?php
/**
 * Sends the due messages of the queue.
 *
 * @package CartPinger
 * @since   0.1.0
 */

declare(strict_types=1);

namespace CartPinger\Queue;

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
	 * Most messages claimed per run.
	 *
	 * @since 0.1.0
	 */
	public const BATCH = 100;

	/**
	 * Seconds a claim outlives the run's budget before another run may take the rows back.
	 *
	 * @since 0.1.0
	 */
	public const LEASE_MARGIN = 60;

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
	 * @param Settings $settings The settings service.
	 * @param Store    $store    The queue.
	 */
	public function __construct( Settings $settings, Store $store ) {
		$this->settings = $settings;
		$this->store    = $store;
	}

	/**
	 * Sends what is due, within a time budget.
	 *
	 * @since 0.1.0
	 *
	 * @param int $budget_ms Time budget of the sends, in milliseconds (1..600000).
	 * @return array<string, mixed> Summary: 'state' (ran|paused|not_configured), 'claimed'
	 *                              and one count per outcome of Store::complete().
	 */
	public function run( int $budget_ms = 20000 ): array {
		$budget_ms = max( 1, min( 600000, $budget_ms ) );
		$summary   = array(
			'state'   => 'ran',
			'claimed' => 0,
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
		try {
			$sender = new Sender(
				array(
					'token'           => $token,
					'phone_number_id' => (string) $this->settings->get( 'phone_number_id' ),
					'waba_id'         => (string) $this->settings->get( 'waba_id' ),
					'base_url'        => (string) $this->settings->get( 'graph_base_url' ),
					'graph_version'   => (string) $this->settings->get( 'graph_api_version' ),
				)
			);
		} catch ( \Throwable $e ) {
			$this->store->pause( 'config_' . $e->getCode(), $e->getMessage() );
			$summary['state'] = 'paused';
			return $summary;
		}

		$rows               = $this->store->claim( self::BATCH, (int) ceil( $budget_ms / 1000 ) + self::LEASE_MARGIN );
		$summary['claimed'] = count( $rows );
		if ( array() === $rows ) {
			$this->heartbeat( $summary );
			return $summary;
		}

		$jobs   = array();
		$claims = array();
		foreach ( $rows as $row ) {
			$id            = (int) $row['id'];
			$claims[ $id ] = (int) $row['claim_id'];
			$components    = json_decode( (string) $row['components'], true );
			$params        = is_array( $components ) && is_array( $components['params'] ?? null ) ? $components['params'] : null;
			if ( null === $params ) {
				$this->count( $summary, $this->store->complete( $id, $claims[ $id ], array( 'status' => 'invalid', 'code' => 'components', 'message' => 'The stored message parameters are unreadable.' ) ) );
				continue;
			}
			$job = array(
				'id'       => (string) $id,
				'to'       => (string) $row['phone'],
				'template' => (string) $row['template'],
				'language' => (string) $row['language'],
				'params'   => array_map( 'strval', array_values( $params ) ),
			);
			if ( is_array( $components['languages'] ?? null ) && array() !== $components['languages'] ) {
				$job['languages'] = array_map( 'strval', array_values( $components['languages'] ) );
			}
			$jobs[] = $job;
		}

		$results = array();
		if ( array() !== $jobs ) {
			try {
				$results = $sender->send_batch( $jobs, $budget_ms );
			} catch ( \Throwable $e ) {
				$results          = array();
				$summary['error'] = $e->getMessage();
			}
		}
		$done = array();
		foreach ( $results as $result ) {
			$id = is_array( $result ) ? (int) ( $result['id'] ?? 0 ) : 0;
			if ( ! isset( $claims[ $id ] ) || isset( $done[ $id ] ) ) {
				continue;
			}
			$done[ $id ] = true;
			$this->count( $summary, $this->store->complete( $id, $claims[ $id ], $result ) );
		}
		// A job without a result (the call threw) was not sent: back to pending.
		foreach ( $jobs as $job ) {
			$id = (int) $job['id'];
			if ( ! isset( $done[ $id ] ) ) {
				$this->count( $summary, $this->store->complete( $id, $claims[ $id ], array( 'status' => 'not_attempted' ) ) );
			}
		}
		$this->heartbeat( $summary );
		return $summary;
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
