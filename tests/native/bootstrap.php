<?php
/**
 * Bootstrap of the native extension suite: the extension must already be loaded (run.sh passes
 * -d extension=<so>), and the plugin's autoloader provides the exception classes.
 */

declare(strict_types=1);

if (!extension_loaded('cartpinger')) {
    fwrite(STDERR, "cartpinger is not loaded: run tests/native/run.sh <path-to-libcartpinger.so>\n");
    exit(2);
}

require dirname(__DIR__, 2) . '/php-plugin/cartpinger/src/autoload.php';
require __DIR__ . '/NativeTestCase.php';
