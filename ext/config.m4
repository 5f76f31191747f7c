dnl CartPinger for phpize / PIE (`pie install cartpinger/cartpinger` builds here when no
dnl prebuilt binary matches). The extension is Rust (ext-php-rs), so configure only finds
dnl cargo and the target PHP, and Makefile.frag runs `cargo build --release -p cartpinger`
dnl against that PHP; `make install` then copies modules/cartpinger.so like any extension.
PHP_ARG_ENABLE([cartpinger],
  [whether to build CartPinger],
  [AS_HELP_STRING([--enable-cartpinger], [Build the CartPinger extension (Rust, needs cargo)])],
  [yes])

if test "$PHP_CARTPINGER" != "no"; then
  AC_PATH_PROG([CARTPINGER_CARGO], [cargo], [no], [$PATH:$HOME/.cargo/bin])
  if test "$CARTPINGER_CARGO" = "no"; then
    AC_MSG_ERROR([cargo not found: install Rust 1.95 or newer (https://rustup.rs), then run again])
  fi
  dnl ext-php-rs runs `php -i` and `php-config --includes` and wants absolute paths.
  CARTPINGER_PHP_CONFIG=`command -v "$PHP_CONFIG"`
  CARTPINGER_PHP=`"$CARTPINGER_PHP_CONFIG" --php-binary`
  AC_MSG_CHECKING([for the PHP to build against])
  AC_MSG_RESULT([$CARTPINGER_PHP ($CARTPINGER_PHP_CONFIG)])
  PHP_SUBST([CARTPINGER_CARGO])
  PHP_SUBST([CARTPINGER_PHP])
  PHP_SUBST([CARTPINGER_PHP_CONFIG])
  PHP_ADD_MAKEFILE_FRAGMENT([$abs_srcdir/Makefile.frag])
fi
