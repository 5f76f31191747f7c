#!/usr/bin/env bash
# CartPinger WordPress integration tier.
#
#   tests/wp/run.sh [--so PATH] [--only SCENARIO[,SCENARIO...]] [--keep]
#
# Real WordPress, a throwaway MariaDB on loopback, the real `cartpinger` extension (loaded with
# -d extension=<abs .so>) and the plugin symlinked from php-plugin/cartpinger. Each scenario runs
# in its own PHP process (one PHPUnit invocation per scenario) against a freshly restored database.
#
# Versions: the WordPress × WooCommerce pairs of tests/versions/pairs (CARTPINGER_PAIRS_FILE),
# or WP_WC_MATRIX="7.0.4:10.0.2,6.5.5:8.6.1", read from $CARTPINGER_VERSIONS_DIR (default
# /work/versions: wordpress-X, woocommerce-Y, made by tests/versions/bring.sh). The core tier
# runs once per WordPress version present, the WooCommerce tier once per pair present (HPOS on;
# a pair whose 4th column is "on,off" runs again with HPOS off). A pair without its copies is
# SKIPPED with a loud banner and a SKIP row in the pair × tier table printed at the end.
# WOOCOMMERCE_DIR=/path runs that one WooCommerce on the playground WordPress 6.5 instead.
# CARTPINGER_IT_NO_WOO=1 skips the WooCommerce tier.
#
#   --so PATH   extension to load (default target/release/libcartpinger.so; relative to repo root)
#   --only LIST run only these scenario ids (e.g. --only a,c1,c2); tiers still both run
#   --keep      leave target/wp-it/ (site, logs) in place after the run; MariaDB is always stopped
#
# Everything lives under target/wp-it/ (recreated each run). Exit status is non-zero on any failure.
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
HERE="$REPO_ROOT/tests/wp"
WORK="$REPO_ROOT/target/wp-it"
SO_REL="target/release/libcartpinger.so"
ONLY=""
KEEP=0

while [[ $# -gt 0 ]]; do
	case "$1" in
		--so) SO_REL="${2:?--so needs a path}"; shift 2 ;;
		--so=*) SO_REL="${1#--so=}"; shift ;;
		--only) ONLY="${2:?--only needs a list}"; shift 2 ;;
		--only=*) ONLY="${1#--only=}"; shift ;;
		--keep) KEEP=1; shift ;;
		-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
		*) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

log()  { printf '[wp-it] %s\n' "$*"; }
die()  { printf '[wp-it] ERROR: %s\n' "$*" >&2; exit 1; }

T0=$(date +%s)

# --------------------------------------------------------------------------------------------
# 1. Prerequisites
# --------------------------------------------------------------------------------------------
case "$SO_REL" in /*) SO="$SO_REL" ;; *) SO="$REPO_ROOT/$SO_REL" ;; esac
[[ -f "$SO" ]] || die "extension not found: $SO (run ./build.sh first, or pass --so PATH)"
SO="$(cd "$(dirname "$SO")" && pwd -P)/$(basename "$SO")"

# CARTPINGER_IT_PLUGIN_DIR: test another copy of the plugin (used to mutation-test this harness).
PLUGIN_SRC="${CARTPINGER_IT_PLUGIN_DIR:-$REPO_ROOT/php-plugin/cartpinger}"
PLUGIN_SRC="$(cd "$PLUGIN_SRC" 2>/dev/null && pwd -P || echo "$PLUGIN_SRC")"
[[ -f "$PLUGIN_SRC/cartpinger.php" ]] || die "plugin main file missing: $PLUGIN_SRC/cartpinger.php"

command -v php >/dev/null || die "php not found (apt-get install -y php8.2-cli php8.2-mysql php8.2-xml php8.2-mbstring php8.2-zip php8.2-intl php8.2-curl)"
php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' || die "php mysqli missing (apt-get install -y php8.2-mysql)"
PHPUNIT="$(command -v phpunit || true)"
[[ -n "$PHPUNIT" ]] || die "phpunit not found (apt-get install -y phpunit)"
for b in mariadbd mariadb-install-db mariadb mariadb-dump; do
	if ! command -v "$b" >/dev/null && ! [[ -x "/usr/sbin/$b" ]]; then
		echo "[wp-it] ERROR: $b not found. Install MariaDB with:" >&2
		echo "    apt-get install -y mariadb-server mariadb-client" >&2
		exit 1
	fi
done
MARIADBD="$(command -v mariadbd || echo /usr/sbin/mariadbd)"

WP_ZIP="$REPO_ROOT/tests/node_modules/@wp-playground/wordpress-builds/src/wordpress/wp-6.5.zip"
VERSIONS_DIR="${CARTPINGER_VERSIONS_DIR:-/work/versions}"
PAIRS_FILE="${CARTPINGER_PAIRS_FILE:-$REPO_ROOT/tests/versions/pairs}"
[[ -f "$PAIRS_FILE" ]] || die "pairs file missing: $PAIRS_FILE"

# WooCommerce tier selection: an explicit WOOCOMMERCE_DIR runs that one build on the playground
# WordPress 6.5 (ad hoc); otherwise the pairs.
WOO_DIR=""
if [[ "${CARTPINGER_IT_NO_WOO:-}" != "1" && -n "${WOOCOMMERCE_DIR:-}" ]]; then
	WOO_DIR="$WOOCOMMERCE_DIR"
	[[ -f "$WOO_DIR/woocommerce.php" ]] || die "WOOCOMMERCE_DIR=$WOO_DIR has no woocommerce.php"
	WOO_DIR="$(cd "$WOO_DIR" && pwd -P)"
fi
need_playground=0
[[ -n "$WOO_DIR" ]] && need_playground=1
if ! ls "$VERSIONS_DIR"/wordpress-*/wp-load.php >/dev/null 2>&1; then need_playground=1; fi
if [[ $need_playground == 1 && ! -f "$WP_ZIP" ]]; then
	log "tests/node_modules missing: installing test dependencies"
	( cd "$REPO_ROOT/tests" && if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi )
	[[ -f "$WP_ZIP" ]] || die "WordPress build still missing after npm install: $WP_ZIP"
fi

# --------------------------------------------------------------------------------------------
# Work dir, cleanup trap
# --------------------------------------------------------------------------------------------
# One run at a time per checkout: a second run would delete this one's site and database.
mkdir -p "$REPO_ROOT/target"
exec 9>"$REPO_ROOT/target/wp-it.lock"
if ! flock -n 9; then
	log "another tests/wp/run.sh is running in this checkout; waiting for it (up to 10 min)"
	flock -w 600 9 || die "timed out waiting for the other run (lock target/wp-it.lock)"
fi
rm -rf "$WORK"
mkdir -p "$WORK"/{results,logs}
SOCKDIR="$(mktemp -d "${TMPDIR:-/tmp}/cpit.XXXXXX")"   # short path: unix sockets are limited to 107 bytes
DB_PID=""

cleanup() {
	local rc=$?
	if [[ -n "$DB_PID" ]] && kill -0 "$DB_PID" 2>/dev/null; then
		kill -TERM "$DB_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$DB_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$DB_PID" 2>/dev/null && kill -KILL "$DB_PID" 2>/dev/null || true
		wait "$DB_PID" 2>/dev/null || true
	fi
	rm -rf "$SOCKDIR"
	rm -rf "$WORK/mysql"
	if [[ "$KEEP" != "1" && $rc -eq 0 ]]; then
		rm -rf "$WORK/wordpress" "$WORK/dumps"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --------------------------------------------------------------------------------------------
# PHP ini scan dir: Debian's CLI conf.d minus any *cartpinger* ini
# --------------------------------------------------------------------------------------------
CONFD="$WORK/conf.d"
mkdir -p "$CONFD"
SCAN_DIRS="$(env -u PHP_INI_SCAN_DIR php --ini | sed -n 's/^Scan for additional .ini files in: *//p')"
IFS=':' read -r -a _dirs <<<"$SCAN_DIRS"
for d in "${_dirs[@]}"; do
	[[ -d "$d" ]] || continue
	for f in "$d"/*.ini; do
		[[ -e "$f" ]] || continue
		case "$(basename "$f")" in *cartpinger*) log "ini scan dir: leaving out $f"; continue ;; esac
		ln -sf "$f" "$CONFD/$(basename "$f")"
	done
done
export PHP_INI_SCAN_DIR="$CONFD"
if php -r 'exit(extension_loaded("cartpinger") ? 0 : 1);'; then
	die "the cartpinger extension is loaded by php.ini itself ($(php -r 'echo php_ini_loaded_file();')); remove it there, the no-extension scenario needs a PHP without it"
fi
EXT_CHECK="$(php -d "extension=$SO" -r 'echo extension_loaded("cartpinger") ? "ok ".phpversion("cartpinger") : "NOT LOADED";' 2>&1 || true)"
if [[ "$EXT_CHECK" != ok* ]]; then
	die "cannot load the extension $SO: $EXT_CHECK"
fi
log "extension: $SO (cartpinger ${EXT_CHECK#ok })"

# --------------------------------------------------------------------------------------------
# 2. Throwaway MariaDB on loopback
# --------------------------------------------------------------------------------------------
free_port() { php -r '$s=stream_socket_server("tcp://127.0.0.1:0",$e,$m); $n=stream_socket_get_name($s,false); echo substr($n, strrpos($n,":")+1);'; }
DB_PORT="$(free_port)"
DB_SOCK="$SOCKDIR/mysqld.sock"
DB_DATA="$WORK/mysql"
DB_USER=cartpinger
DB_PASS="cp-$(php -r 'echo bin2hex(random_bytes(8));')"
RUN_AS=()
[[ "$(id -u)" == "0" ]] && RUN_AS=(--user=root)

mkdir -p "$DB_DATA"
log "MariaDB: initialising $DB_DATA"
mariadb-install-db --no-defaults "${RUN_AS[@]}" --datadir="$DB_DATA" --auth-root-authentication-method=normal \
	--skip-test-db >"$WORK/logs/mariadb-install.log" 2>&1 || { cat "$WORK/logs/mariadb-install.log" >&2; die "mariadb-install-db failed"; }

"$MARIADBD" --no-defaults "${RUN_AS[@]}" --datadir="$DB_DATA" --socket="$DB_SOCK" --port="$DB_PORT" \
	--bind-address=127.0.0.1 --pid-file="$SOCKDIR/mysqld.pid" --log-error="$WORK/logs/mariadb.err" \
	--skip-log-bin --skip-name-resolve --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
	--innodb-flush-log-at-trx-commit=0 --sync-binlog=0 --character-set-server=utf8mb4 \
	--collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
DB_PID=$!
MYSQL=(mariadb --no-defaults --socket="$DB_SOCK" -uroot)
for i in $(seq 1 150); do
	if "${MYSQL[@]}" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
	kill -0 "$DB_PID" 2>/dev/null || { cat "$WORK/logs/mariadb.err" >&2; die "mariadbd exited during startup"; }
	sleep 0.1
	[[ $i -eq 150 ]] && { cat "$WORK/logs/mariadb.err" >&2; die "mariadbd not ready after 15 s"; }
done
log "MariaDB: pid $DB_PID, 127.0.0.1:$DB_PORT"
"${MYSQL[@]}" <<SQL
CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON \`wp\\_%\`.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`wp\\_%\`.* TO '$DB_USER'@'localhost';
SQL

# --------------------------------------------------------------------------------------------
# 3. WordPress site
# --------------------------------------------------------------------------------------------
DEBUG_LOG="$WORK/debug.log"
WP=""

# make_site WP_SOURCE WOO_DIR: a fresh site in $WORK/wordpress from a full WordPress copy
# (/work/versions/wordpress-X, hard-linked: WordPress never edits its own files here) or, when
# WP_SOURCE is "playground", from the npm playground build (WordPress 6.5, CI without copies).
make_site() {
	local src="$1" woo="$2"
	WP="$WORK/wordpress"
	rm -rf "$WP"
	if [[ "$src" == playground ]]; then
		log "WordPress: extracting $(basename "$WP_ZIP") (playground build)"
		mkdir -p "$WORK/wp-extract"
		unzip -q -o "$WP_ZIP" -d "$WORK/wp-extract"
		if [[ -f "$WORK/wp-extract/wp-load.php" ]]; then mv "$WORK/wp-extract" "$WP"; else mv "$WORK/wp-extract/wordpress" "$WP"; rm -rf "$WORK/wp-extract"; fi
	else
		cp -al "$src" "$WP" 2>/dev/null || { rm -rf "$WP"; cp -a "$src" "$WP"; }
		rm -f "$WP/.complete"
	fi
	# Playground builds ship an SQLite db file and a preconfigured wp-config.php: not ours.
	rm -rf "$WP/wp-content/database" "$WP/wp-config.php" "$WP/wp-content/db.php"
	mkdir -p "$WP/wp-content/mu-plugins" "$WP/wp-content/uploads"
	cp "$HERE/lib/mu-plugin.php" "$WP/wp-content/mu-plugins/cartpinger-it.php"
	rm -rf "$WP/wp-content/plugins/cartpinger" "$WP/wp-content/plugins/woocommerce"
	ln -s "$PLUGIN_SRC" "$WP/wp-content/plugins/cartpinger"
	[[ -n "$woo" ]] && ln -s "$woo" "$WP/wp-content/plugins/woocommerce"
	write_config
	export CARTPINGER_IT_WP_DIR="$WP"
}

salt() { php -r 'echo strtr(base64_encode(random_bytes(48)), "+/", "-_");'; }
write_config() {
{
	cat <<PHP
<?php
// Generated by tests/wp/run.sh. Throwaway test site; every secret here is random per run.
define( 'DB_NAME', getenv( 'CARTPINGER_IT_DB' ) ?: 'wp_core' );
define( 'DB_USER', '$DB_USER' );
define( 'DB_PASSWORD', '$DB_PASS' );
define( 'DB_HOST', '127.0.0.1:$DB_PORT' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

// Salts: the "main" set is what the site normally runs with. CARTPINGER_IT_SALTS=alt simulates
// an admin who regenerated the salts (scenario c2). CARTPINGER_ENCRYPTION_KEY is NOT defined
// unless CARTPINGER_IT_ENCRYPTION_KEY is set (scenario c3).
if ( 'alt' === getenv( 'CARTPINGER_IT_SALTS' ) ) {
PHP
	for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
		printf "\tdefine( '%s', '%s' );\n" "$k" "$(salt)"
	done
	echo "} else {"
	for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
		printf "\tdefine( '%s', '%s' );\n" "$k" "$(salt)"
	done
	cat <<PHP
}
if ( false !== getenv( 'CARTPINGER_IT_ENCRYPTION_KEY' ) && '' !== getenv( 'CARTPINGER_IT_ENCRYPTION_KEY' ) ) {
	define( 'CARTPINGER_ENCRYPTION_KEY', getenv( 'CARTPINGER_IT_ENCRYPTION_KEY' ) );
}

\$table_prefix = 'cpit_'; // not the default on purpose: catches hard-coded "wp_" prefixes

define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$DEBUG_LOG' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'SCRIPT_DEBUG', false );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'FS_METHOD', 'direct' );
define( 'WP_HOME', 'http://127.0.0.1:8089' );
define( 'WP_SITEURL', 'http://127.0.0.1:8089' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP
} >"$WP/wp-config.php"
}

# Environment shared by every PHP process below.
export CARTPINGER_IT_REPO="$REPO_ROOT"
export CARTPINGER_IT_PLUGIN_SRC="$PLUGIN_SRC"
export CARTPINGER_IT_DEBUG_LOG="$DEBUG_LOG"
export CARTPINGER_IT_SO="$SO"
unset CARTPINGER_IT_SALTS CARTPINGER_IT_ENCRYPTION_KEY CARTPINGER_IT_ADMIN CARTPINGER_IT_USER CARTPINGER_IT_EXT

dump_db()    { mkdir -p "$WORK/dumps"; mariadb-dump --no-defaults --socket="$DB_SOCK" -uroot --skip-dump-date --single-transaction "$1" >"$WORK/dumps/$1.sql"; }
restore_db() { "${MYSQL[@]}" -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;" && "${MYSQL[@]}" "$1" <"$WORK/dumps/$1.sql"; }

setup_site() { # db-name with-woo(0|1) [hpos on|off]
	local db="$1" woo="$2" hpos="${3:-on}"
	"${MYSQL[@]}" -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
	log "site [$db]: wp_install()"
	CARTPINGER_IT_DB="$db" php "$HERE/lib/install-wp.php" >"$WORK/logs/install-$db.log" 2>&1 \
		|| { cat "$WORK/logs/install-$db.log" >&2; die "WordPress install failed ($db)"; }
	if [[ "$woo" == "1" ]]; then
		log "site [$db]: activating WooCommerce ($(sed -n 's/^ \* Version: *//p' "$WP/wp-content/plugins/woocommerce/woocommerce.php" | head -1), HPOS $hpos)"
		CARTPINGER_IT_DB="$db" php "$HERE/lib/setup-woo.php" activate >"$WORK/logs/woo-activate.log" 2>&1 \
			|| { cat "$WORK/logs/woo-activate.log" >&2; die "WooCommerce activation failed"; }
		CARTPINGER_IT_DB="$db" CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_HPOS="$hpos" php "$HERE/lib/setup-woo.php" newly-installed >>"$WORK/logs/woo-activate.log" 2>&1 \
			|| { cat "$WORK/logs/woo-activate.log" >&2; die "WooCommerce newly-installed replay failed"; }
		sed -n 's/^\(woo:.*\)$/[wp-it]   \1/p' "$WORK/logs/woo-activate.log"
	fi
	if [[ -s "$DEBUG_LOG" ]]; then
		cp "$DEBUG_LOG" "$WORK/logs/debug-setup-$db.log"
		log "site [$db]: debug.log during setup (information):"
		sed 's/^/    | /' "$DEBUG_LOG" | head -40
		: >"$DEBUG_LOG"
	fi
	dump_db "$db"
}

# --------------------------------------------------------------------------------------------
# 4. Scenarios
# --------------------------------------------------------------------------------------------
# id | test class (tests/wp/scenarios/<Class>.php) | load extension (1/0) | restore db first (1/0) | extra env
SCENARIOS_CORE=(
	"a|ActivationTest|1|1|"
	"a2|ActivationRefusedTest|1|1|"
	"b1|MigrationTest|1|1|"
	"b2|MigrationOnLoadTest|1|0|"
	"c1|SettingsSecretsTest|1|1|"
	"c2|SettingsOtherSaltsTest|1|0|CARTPINGER_IT_SALTS=alt CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=admin"
	"c3|SettingsOtherSaltsTest|1|0|CARTPINGER_IT_ENCRYPTION_KEY=it-explicit-key-0123456789abcdef"
	"d|DeactivationTest|1|1|"
	"e1|UninstallKeepTest|1|1|"
	"e2|UninstallDeleteTest|1|1|"
	"f1|NoExtensionActivationTest|0|1|"
	"f2|NoExtensionAdminTest|0|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=admin"
	"f3|NoExtensionFrontendTest|0|0|"
)
# WooCommerce tier: the same scenarios with WooCommerce active, plus the admin menu per role (g)
# and the feature-compatibility declarations (h, reuses g0's state), and the webhook endpoint
# (w0 activates and stores the credentials, w1 continues its state: the plugin only boots, and
# registers its REST routes, when WooCommerce is active).
SCENARIOS_WOO=(
	"${SCENARIOS_CORE[@]}"
	"g0|AdminMenuSetupTest|1|1|"
	"g1|AdminMenuAccessTest|1|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=it-administrator CARTPINGER_IT_EXPECT_ACCESS=1"
	"g2|AdminMenuAccessTest|1|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=it-shop-manager CARTPINGER_IT_EXPECT_ACCESS=1"
	"g3|AdminMenuAccessTest|1|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=it-customer CARTPINGER_IT_EXPECT_ACCESS=0"
	"g4|AdminMenuAccessTest|1|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=it-subscriber CARTPINGER_IT_EXPECT_ACCESS=0"
	"h|WooCompatibilityTest|1|0|"
	"w0|WebhookSetupTest|1|1|"
	"w1|WebhookEndpointTest|1|0|"
	"q0|WebhookSetupTest|1|1|"
	"q1|QueueTest|1|0|"
	"x0|WebhookSetupTest|1|1|"
	"x1|NoExtensionOrdersTest|0|0|"
	"x2|DeferredOrdersTest|1|0|"
	"r0|WebhookSetupTest|1|1|"
	"r1|RecoveryFlowTest|1|0|"
	"r2|RecoveryConcurrencyTest|1|0|"
	"r3|CliQueueCommandTest|1|0|"
	"rl|RecoveryLinkTest|1|0|"
	"n1|OrderNotificationsTest|1|0|"
	"p1|PrivacyTest|1|0|"
	"rr|RestRolesTest|1|0|"
	"ca0|WebhookSetupTest|1|1|"
	"ca|ConsentAbuseTest|1|0|"
	"wd|WidgetTest|1|1|"
	"ad0|WebhookSetupTest|1|1|"
	"ad1|AdminDashboardTest|1|0|"
	"ad2|AdminExportTest|1|0|"
	"ad3|AdminTemplatesTest|1|0|"
	"ap0|WebhookSetupTest|1|1|"
	"ap|AdminPagesTest|1|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=admin"
	"lic|LicenceTest|1|0|CARTPINGER_IT_ADMIN=1 CARTPINGER_IT_USER=admin"
	"mp0|WebhookSetupTest|1|1|"
	"mp1|MetaPlatformTest|1|0|"
)

PASSED=0
FAILED=0
FAILED_NAMES=()
TESTS_TOTAL=0

want() { # scenario id
	[[ -z "$ONLY" ]] && return 0
	[[ ",$ONLY," == *",$1,"* ]]
}

run_scenario() { # tier db spec
	local tier="$1" db="$2" spec="$3"
	local id cls ext restore envs
	IFS='|' read -r id cls ext restore envs <<<"$spec"
	want "$id" || return 0
	local name="$db/$id-$cls"
	local out="$WORK/results/$db-$id.out" junit="$WORK/results/$db-$id.xml"
	[[ "$restore" == "1" ]] && restore_db "$db"
	: >"$DEBUG_LOG"
	local phpargs=()
	[[ "$ext" == "1" ]] && phpargs=(-d "extension=$SO")
	local rc=0 t1; t1=$(date +%s%N)
	# shellcheck disable=SC2086
	env CARTPINGER_IT_DB="$db" CARTPINGER_IT_TIER="$tier" CARTPINGER_IT_EXT="$ext" $envs \
		php "${phpargs[@]}" "$PHPUNIT" --configuration "$HERE/phpunit.xml.dist" \
		--log-junit "$junit" "$HERE/scenarios/$cls.php" >"$out" 2>&1 || rc=$?
	local ms=$(( ($(date +%s%N) - t1) / 1000000 ))
	touch "$DEBUG_LOG"
	cp "$DEBUG_LOG" "$WORK/results/$db-$id.debug.log"
	local logrc=0
	php "$HERE/lib/check-log.php" "$DEBUG_LOG" "$out" >"$WORK/results/$db-$id.logcheck" 2>&1 || logrc=$?
	local tests
	tests="$(sed -n 's/.*<testsuite name="[^"]*" file="[^"]*" tests="\([0-9]*\)" assertions="\([0-9]*\)".*/\1 tests, \2 assertions/p' "$junit" 2>/dev/null | head -1)"
	TESTS_TOTAL=$(( TESTS_TOTAL + $(sed -n 's/.*tests="\([0-9]*\)".*/\1/p' "$junit" 2>/dev/null | head -1 || echo 0) ))
	if [[ $rc -eq 0 && $logrc -eq 0 ]]; then
		PASSED=$((PASSED + 1))
		printf '[wp-it] PASS %-40s (%s, %d ms)\n' "$name" "${tests:-?}" "$ms"
	else
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$name")
		printf '[wp-it] FAIL %-40s (%s, %d ms, phpunit rc=%d, log check rc=%d)\n' "$name" "${tests:-?}" "$ms" "$rc" "$logrc"
		if [[ $rc -ne 0 ]]; then
			sed -e '/^PHPUnit [0-9]/d' -e '/^Runtime:/d' -e '/^Configuration:/d' -e '/^$/d' "$out" | sed 's/^/    > /' | head -80
		fi
	fi
	# debug.log report: our lines fail the scenario (above); the rest is information.
	[[ -s "$WORK/results/$db-$id.logcheck" ]] && sed 's/^/    /' "$WORK/results/$db-$id.logcheck"
	return 0
}

# --------------------------------------------------------------------------------------------
# 5. The WordPress × WooCommerce pairs (tests/versions/pairs, or WP_WC_MATRIX)
# --------------------------------------------------------------------------------------------
# Core tier: once per WordPress version of the pairs present (the playground 6.5 build when no
# copy is present). WooCommerce tier: every pair present, HPOS on; pairs whose 4th column says
# "on,off" run a second time with HPOS off (orders in posts).
TABLE=()
table_row() { TABLE+=("$(printf '%-26s %-10s %-5s %s' "$1" "$2" "$3" "$4")"); }
tier_run() { # tier db label
	local tier="$1" db="$2" label="$3" p0=$PASSED f0=$FAILED t0; t0=$(date +%s)
	local specs=()
	if [[ "$tier" == core ]]; then specs=("${SCENARIOS_CORE[@]}"); else specs=("${SCENARIOS_WOO[@]}"); fi
	for spec in "${specs[@]}"; do run_scenario "$tier" "$db" "$spec"; done
	local p=$((PASSED - p0)) f=$((FAILED - f0))
	table_row "$label" "$tier" "$([[ $f -eq 0 ]] && echo PASS || echo FAIL)" "$p passed, $f failed, $(( $(date +%s) - t0 )) s"
}

if [[ -n "$WOO_DIR" && -z "${WP_WC_MATRIX:-}" && "${CARTPINGER_IT_USE_PAIRS:-}" != 1 ]]; then
	# Explicit WOOCOMMERCE_DIR: one ad-hoc pair on the playground WordPress 6.5.
	PAIRS=("playground $WOO_DIR on")
else
	PAIRS=()
	if [[ -n "${WP_WC_MATRIX:-}" ]]; then
		for pair in ${WP_WC_MATRIX//,/ }; do PAIRS+=("${pair%%:*} ${pair#*:} on"); done
	else
		while read -r wpv wcv _walk hpos _rest; do
			[[ -z "$wpv" || "$wpv" == \#* ]] && continue
			PAIRS+=("$wpv $wcv ${hpos:-on}")
		done <"$PAIRS_FILE"
	fi
fi
[[ "${CARTPINGER_IT_NO_WOO:-}" == 1 ]] && PAIRS=()

SKIPPED=()
PRESENT=()
for pair in "${PAIRS[@]}"; do
	read -r wpv wcv hpos <<<"$pair"
	if [[ "$wpv" == playground ]]; then PRESENT+=("$pair"); continue; fi
	missing=""
	[[ -f "$VERSIONS_DIR/wordpress-$wpv/wp-load.php" ]] || missing+=" $VERSIONS_DIR/wordpress-$wpv"
	[[ -f "$VERSIONS_DIR/woocommerce-$wcv/woocommerce.php" ]] || missing+=" $VERSIONS_DIR/woocommerce-$wcv"
	if [[ -n "$missing" ]]; then SKIPPED+=("WordPress $wpv × WooCommerce $wcv (missing:$missing)"); else PRESENT+=("$pair"); fi
done

# Core tier: each WordPress version once.
CORE_WPS=()
for pair in "${PRESENT[@]}"; do
	read -r wpv _ _ <<<"$pair"
	[[ " ${CORE_WPS[*]} " == *" $wpv "* ]] || CORE_WPS+=("$wpv")
done
[[ ${#CORE_WPS[@]} -eq 0 ]] && CORE_WPS=(playground)
n=0
for wpv in "${CORE_WPS[@]}"; do
	n=$((n + 1))
	if [[ "$wpv" == playground ]]; then make_site playground ""; label="WP 6.5 (playground)"; else make_site "$VERSIONS_DIR/wordpress-$wpv" ""; label="WP $wpv"; fi
	setup_site "wp_core_$n" 0
	log "=== tier core: WordPress $(php -r 'include "'"$WP"'/wp-includes/version.php"; echo $wp_version;'), no WooCommerce ==="
	tier_run core "wp_core_$n" "$label"
done

WOO_TIER="SKIPPED"
n=0
for pair in "${PRESENT[@]}"; do
	read -r wpv wcv hpos <<<"$pair"
	for mode in ${hpos//,/ }; do
		n=$((n + 1))
		if [[ "$wpv" == playground ]]; then
			make_site playground "$(cd "$wcv" && pwd -P)"; label="WP 6.5 × $(basename "$wcv")"
		else
			make_site "$VERSIONS_DIR/wordpress-$wpv" "$VERSIONS_DIR/woocommerce-$wcv"; label="WP $wpv × WC $wcv"
		fi
		[[ "$mode" == off ]] && label="$label HPOS off"
		setup_site "wp_woo_$n" 1 "$mode"
		log "=== tier woo: $label ==="
		tier_run woo "wp_woo_$n" "$label"
		WOO_TIER="ran"
	done
done
if [[ ${#SKIPPED[@]} -gt 0 || ${#PRESENT[@]} -eq 0 ]]; then
	echo
	echo "**********************************************************************************************"
	[[ ${#PRESENT[@]} -eq 0 ]] && echo "*** WooCommerce tier SKIPPED: no WordPress × WooCommerce pair present (tests/versions/bring.sh)"
	for sk in "${SKIPPED[@]}"; do echo "*** SKIPPED pair: $sk"; table_row "${sk%% (*}" woo SKIP "copy missing"; done
	echo "**********************************************************************************************"
	echo
fi

# --------------------------------------------------------------------------------------------
# 6. Summary
# --------------------------------------------------------------------------------------------
echo
printf '[wp-it] %-26s %-10s %-5s %s\n' "pair" "tier" "" "result"
for row in "${TABLE[@]}"; do echo "[wp-it] $row"; done
echo
[[ ${#FAILED_NAMES[@]} -gt 0 ]] && log "failed scenarios: ${FAILED_NAMES[*]} (outputs in target/wp-it/results/)"
echo "wp-integration: $PASSED passed, $FAILED failed, tier woo: $WOO_TIER, ${#SKIPPED[@]} pair(s) skipped  ($TESTS_TOTAL PHPUnit tests, $(( $(date +%s) - T0 )) s)"
[[ $FAILED -eq 0 ]]
