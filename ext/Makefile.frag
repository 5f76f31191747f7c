# Builds modules/cartpinger.so with cargo (see config.m4). CARGO_TARGET_DIR is honoured.
CARTPINGER_TOP = $(abs_srcdir)/..

all: modules/cartpinger.so

modules/cartpinger.so:
	cd "$(CARTPINGER_TOP)" && PHP="$(CARTPINGER_PHP)" PHP_CONFIG="$(CARTPINGER_PHP_CONFIG)" \
		"$(CARTPINGER_CARGO)" build --release --locked -p cartpinger
	$(mkinstalldirs) modules
	cp "$${CARGO_TARGET_DIR:-$(CARTPINGER_TOP)/target}/release/libcartpinger.so" modules/cartpinger.so
	"$(CARTPINGER_PHP)" -n -d extension="$(abs_builddir)/modules/cartpinger.so" -r 'exit(extension_loaded("cartpinger") ? 0 : 1);'
