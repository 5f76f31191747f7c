<?php

declare(strict_types=1);

namespace CartPinger\Tests\Native;

/**
 * The real Cloud API sandbox binary (crates/cartpinger-sandbox) on a free loopback port.
 * Used by the PHP-level sender tests and the sender benchmark; no mock.
 */
final class SandboxProcess
{
    public const TOKEN = 'native-test-token';
    public const PHONE_NUMBER_ID = '106540352242922';
    public const WABA_ID = '102290129340398';

    /** @var resource */
    private $proc;
    public string $base;

    /**
     * Path of a built sandbox binary (the newer of target/debug and target/release), or null.
     * When neither exists and cargo is on the PATH, builds the release one once
     * (`cargo build --release -p cartpinger-sandbox`); CARTPINGER_SANDBOX_BUILD=0 disables that.
     */
    public static function binary(): ?string
    {
        static $built = false;
        $root = dirname(__DIR__, 2);
        $found = self::newest($root);
        if (null === $found && !$built && '0' !== getenv('CARTPINGER_SANDBOX_BUILD')) {
            $built = true;
            $cargo = trim((string) shell_exec('command -v cargo 2>/dev/null'));
            if ('' !== $cargo) {
                fwrite(STDERR, "\n[sandbox] building cartpinger-sandbox (cargo build --release -p cartpinger-sandbox)...\n");
                passthru('cd ' . escapeshellarg($root) . ' && ' . escapeshellarg($cargo) . ' build -q --release -p cartpinger-sandbox 1>&2');
                $found = self::newest($root);
            }
        }
        return $found;
    }

    private static function newest(string $root): ?string
    {
        $best = null;
        foreach (['target/debug/cartpinger-sandbox', 'target/release/cartpinger-sandbox'] as $rel) {
            $path = "$root/$rel";
            if (is_executable($path) && (null === $best || filemtime($path) > filemtime($best))) {
                $best = $path;
            }
        }
        return $best;
    }

    /** @param list<string> $extra */
    public function __construct(array $extra = [], ?string $binary = null)
    {
        $binary ??= self::binary();
        if (null === $binary) {
            throw new \RuntimeException('cartpinger-sandbox is not built: run cargo build -p cartpinger-sandbox');
        }
        $db = sys_get_temp_dir() . '/cp-native-sandbox-' . getmypid() . '-' . bin2hex(random_bytes(4)) . '.sqlite';
        $cmd = array_merge(
            [$binary, '--listen', '127.0.0.1:0', '--db', $db, '--token', self::TOKEN, '--app-secret', 'secret'],
            $extra
        );
        $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('could not start the sandbox');
        }
        $this->proc = $proc;
        $line = (string) fgets($pipes[1]);
        $prefix = 'cartpinger-sandbox listening on ';
        if (!str_starts_with($line, $prefix)) {
            throw new \RuntimeException("unexpected sandbox output: $line");
        }
        $this->base = trim(substr($line, strlen($prefix)));
    }

    public function __destruct()
    {
        proc_terminate($this->proc);
        proc_close($this->proc);
    }

    /** @return array<string, mixed> Sender configuration pointing at this sandbox. */
    public function config(array $overrides = []): array
    {
        return $overrides + [
            'token' => self::TOKEN,
            'phone_number_id' => self::PHONE_NUMBER_ID,
            'waba_id' => self::WABA_ID,
            'base_url' => $this->base,
            'timeout_ms' => 3000,
        ];
    }

    public function control(string $path, array $body): void
    {
        $ctx = stream_context_create(['http' => [
            'method' => 'POST',
            'header' => "Content-Type: application/json\r\n",
            'content' => json_encode($body),
        ]]);
        file_get_contents($this->base . $path, false, $ctx);
    }

    /** @return array<string, int> How many times the sandbox stored each of our ids. */
    public function stored_per_id(): array
    {
        $data = json_decode((string) file_get_contents($this->base . '/_sandbox/messages?limit=100000'), true);
        $counts = [];
        foreach ($data['messages'] ?? [] as $m) {
            $id = $m['biz_opaque_callback_data'] ?? null;
            if (is_string($id)) {
                $counts[$id] = ($counts[$id] ?? 0) + 1;
            }
        }
        return $counts;
    }
}
