<?php
/**
 * The module itself: loading, reflection, constants, Extension::*.
 */

declare(strict_types=1);

namespace CartPinger\Tests\Native;

use CartPinger\Native\Exception\InternalException;
use CartPinger\Native\Exception\NativeException;
use CartPinger\Native\Extension;
use CartPinger\Native\Phone;
use CartPinger\Native\RecoveryToken;
use CartPinger\Native\Vault;

final class ExtensionTest extends NativeTestCase
{
    public function testLoadedWithVersion(): void
    {
        self::assertTrue(extension_loaded('cartpinger'));
        self::assertSame('0.1.0', phpversion('cartpinger'));
    }

    public function testPhpMListsTheModule(): void
    {
        [$code, $out] = self::php(['-m']);
        self::assertSame(0, $code);
        self::assertContains('cartpinger', preg_split('/\R/', $out));
    }

    public function testReflectionListsClassesConstantsAndNoFunctions(): void
    {
        [$code, $out] = self::php(['--re', 'cartpinger']);
        self::assertSame(0, $code, $out);
        self::assertStringContainsString('extension #', $out);
        self::assertStringContainsString('cartpinger version 0.1.0', $out);
        foreach (['Extension', 'Vault', 'Phone', 'RecoveryToken'] as $class) {
            self::assertStringContainsString("final class CartPinger\\Native\\$class ", $out);
        }
        // PHP >= 8.3 prints persistent constants as "Constant [ <persistent> string ... ]".
        self::assertMatchesRegularExpression('/Constant \[ (<persistent> )?string CARTPINGER_NATIVE_VERSION \] \{ 0\.1\.0 \}/', $out);
        self::assertMatchesRegularExpression('/Constant \[ (<persistent> )?int CARTPINGER_NATIVE_ABI \] \{ 4 \}/', $out);
        self::assertStringNotContainsString('- Functions {', $out, 'no global functions');

        $ext = new \ReflectionExtension('cartpinger');
        self::assertSame([], $ext->getFunctions());
        self::assertEqualsCanonicalizing(
            ['CartPinger\\Native\\Extension', 'CartPinger\\Native\\Vault', 'CartPinger\\Native\\Phone', 'CartPinger\\Native\\RecoveryToken', 'CartPinger\\Native\\Sender', 'CartPinger\\Native\\Catalog', 'CartPinger\\Native\\Webhook', 'CartPinger\\Native\\Scheduler', 'CartPinger\\Native\\Delivery', 'CartPinger\\Native\\Platform'],
            $ext->getClassNames()
        );
        self::assertSame(
            ['CARTPINGER_NATIVE_VERSION' => '0.1.0', 'CARTPINGER_NATIVE_ABI' => 4],
            $ext->getConstants()
        );
    }

    public function testRiShowsTheInfoTable(): void
    {
        [$code, $out] = self::php(['--ri', 'cartpinger']);
        self::assertSame(0, $code);
        self::assertMatchesRegularExpression('/cartpinger support => enabled/', $out);
        self::assertMatchesRegularExpression('/version => 0\.1\.0/', $out);
        self::assertMatchesRegularExpression('/abi => 4/', $out);
    }

    /** Exactly the methods of docs/contracts.md, snake_case, with the right static-ness. */
    public function testMethodsMatchTheContract(): void
    {
        $expected = [
            Extension::class => ['version' => true, 'abi' => true, 'info' => true, 'panic_for_test' => true],
            Vault::class => ['key_id' => false, 'encrypt' => false, 'decrypt' => false, 'is_envelope' => true],
            Phone::class => ['to_e164' => true, 'region_of' => true],
            RecoveryToken::class => ['generate' => true, 'hash' => true, 'verify' => true],
        ];
        foreach ($expected as $class => $methods) {
            $rc = new \ReflectionClass($class);
            self::assertTrue($rc->isFinal(), "$class is final");
            self::assertTrue($rc->isInternal());
            $actual = [];
            foreach ($rc->getMethods() as $m) {
                if ($m->getName() !== '__construct') {
                    $actual[$m->getName()] = $m->isStatic();
                }
            }
            ksort($actual);
            ksort($methods);
            self::assertSame($methods, $actual, $class);
        }
        $ctor = (new \ReflectionClass(Vault::class))->getConstructor();
        self::assertNotNull($ctor);
        self::assertSame(['key_material'], array_map(fn ($p) => $p->getName(), $ctor->getParameters()));
    }

    public function testStaticOnlyClassesCannotBeInstantiated(): void
    {
        foreach ([Extension::class, Phone::class, RecoveryToken::class] as $class) {
            try {
                new $class();
                self::fail("$class was instantiated");
            } catch (\Exception $e) {
                self::assertStringContainsString('cannot instantiate', $e->getMessage());
            }
        }
    }

    public function testConstantsVersionAndAbi(): void
    {
        self::assertSame('0.1.0', CARTPINGER_NATIVE_VERSION);
        self::assertSame(4, CARTPINGER_NATIVE_ABI);
        self::assertSame(CARTPINGER_NATIVE_VERSION, Extension::version());
        self::assertSame(CARTPINGER_NATIVE_ABI, Extension::abi());
        self::assertSame(phpversion('cartpinger'), Extension::version());
    }

    public function testInfo(): void
    {
        $info = Extension::info();
        self::assertSame(['version', 'abi', 'php_api', 'zts', 'target', 'features'], array_keys($info));
        self::assertSame('0.1.0', $info['version']);
        self::assertSame(4, $info['abi']);
        self::assertSame(PHP_VERSION_ID >= 80200 && PHP_VERSION_ID < 80300 ? 20220829 : $info['php_api'], $info['php_api']);
        self::assertIsInt($info['php_api']);
        self::assertSame((bool) PHP_ZTS, $info['zts']);
        self::assertIsString($info['target']);
        self::assertStringContainsString(php_uname('m'), $info['target']);
        self::assertSame([], $info['features']);
    }

    public function testPanicBecomesInternalExceptionAndTheScriptKeepsRunning(): void
    {
        for ($i = 0; $i < 3; $i++) {
            try {
                Extension::panic_for_test('boom with a secret: hunter2');
                self::fail('no exception');
            } catch (InternalException $e) {
                self::assertSame(9001, $e->getCode());
                self::assertInstanceOf(NativeException::class, $e);
                self::assertInstanceOf(\RuntimeException::class, $e);
                self::assertStringNotContainsString('hunter2', $e->getMessage(), 'panic payload must not leak');
                self::assertSame(__FILE__, $e->getFile());
                self::assertGreaterThan(0, $e->getLine());
            }
            // The extension still works after the panic.
            self::assertSame('0.1.0', Extension::version());
            self::assertSame('+34612345678', Phone::to_e164('612 345 678', 'ES'));
        }
    }

    public function testPanicInAChildProcessExitsCleanly(): void
    {
        $autoload = var_export(dirname(__DIR__, 2) . '/php-plugin/cartpinger/src/autoload.php', true);
        [$code, $out, $err] = self::phpCode(<<<PHP
            require $autoload;
            try { CartPinger\\Native\\Extension::panic_for_test('hunter2'); }
            catch (CartPinger\\Native\\Exception\\InternalException \$e) { echo get_class(\$e), ' ', \$e->getCode(), "\\n"; }
            echo CartPinger\\Native\\Extension::version(), "\\n";
            // Uncaught: a normal PHP fatal "Uncaught exception", not a crash.
            CartPinger\\Native\\Extension::panic_for_test('again');
            PHP);
        $lines = preg_split('/\R/', $out);
        self::assertSame('CartPinger\\Native\\Exception\\InternalException 9001', $lines[0] ?? null);
        self::assertSame('0.1.0', $lines[1] ?? null);
        self::assertSame(255, $code, 'uncaught exception exit code, not a signal');
        self::assertStringContainsString('Uncaught CartPinger\\Native\\Exception\\InternalException', $out . $err);
        self::assertStringContainsString('cartpinger: Rust panic at', $err);
        self::assertStringNotContainsString('hunter2', $out . $err, 'panic payload is not logged');
    }
}
