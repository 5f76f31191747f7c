#!/usr/bin/env bash
# CartPinger local demo store: WordPress + WooCommerce + CartPinger + the Cloud API sandbox, on
# loopback, with nothing to configure.
#
#   tests/stack/up.sh [--fast] [--db mariadb|sqlite|mysql://USER:PASS@HOST:PORT/DBNAME]
#                     [--port N] [--checkout block|classic] [--background ENVFILE]
#
#   --fast        reminders after 20 s, follow-ups after 60/120 s, no quiet hours (an mu-plugin
#                 filters cartpinger_recovery_policy) and a ticker every 2 s instead of 5 s
#   --db          mariadb (default): a throwaway MariaDB under target/stack/mysql, started and
#                 stopped by this script; sqlite: the official SQLite drop-in (WooCommerce has known
#                 incompatibilities there); a mysql:// DSN: an existing server (tables cpdemo_*
#                 in that database are dropped and recreated)
#   --port        the shop's port on 127.0.0.1 (default 8090); auto (or 0) picks a free one (other
#                 stacks run beside this one: the browser tier always uses auto)
#   --checkout    which page is WooCommerce's checkout at start (default block; also
#                 CARTPINGER_DEMO_CHECKOUT); switch later with tests/stack/use-checkout.sh
#   --background  start everything, write ENVFILE (shell-sourceable KEY='VALUE' lines) and return
#                 once every service answers; stop with tests/stack/down.sh ENVFILE
#
# WooCommerce: WOOCOMMERCE_DIR, else /work/woocommerce, else a download (needs internet).
# WordPress: CARTPINGER_STACK_WP=/path to a full WordPress copy (e.g. /work/versions/wordpress-7.0.4,
# from tests/versions/bring.sh), else the npm playground build of WordPress 6.5.
# CARTPINGER_DEMO_PLUGIN_DIR serves another copy of the plugin (default php-plugin/cartpinger).
# Without --background it stays in the foreground; Ctrl-C (or SIGTERM) stops everything it started.
# State lives in target/stack/ (recreated on every run); one instance per checkout (flock).
set -Eeuo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
HERE="$REPO_ROOT/tests/stack"
# CARTPINGER_STACK_DIR: another state folder, so a second stack (browser tests, benchmarks) can run
# beside the demo on other ports.
STACK="${CARTPINGER_STACK_DIR:-$REPO_ROOT/target/stack}"
SELF="$HERE/up.sh"
ORIG_ARGS=("$@")

FAST=0
DB_MODE=mariadb
PORT=8090
BG_ENV=""
SUPERVISE=0
CHECKOUT="${CARTPINGER_DEMO_CHECKOUT:-block}"
WOO_VERSION=9.4.3
# --web builtin (default): PHP's built-in server, 4 workers. --web fpm: nginx + a real php-fpm
# pool (CARTPINGER_STACK_FPM_WORKERS, default 8), as a small shop runs; the fault suite and
# the webhook benchmark use it.
WEB="${CARTPINGER_STACK_WEB:-builtin}"

usage() { sed -n '2,26p' "$SELF" | sed 's/^# \{0,1\}//'; }
log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
alive() { # pid: running and not a zombie
	[[ -r "/proc/$1/status" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}


while [[ $# -gt 0 ]]; do
	case "$1" in
		--fast) FAST=1; shift ;;
		--db) DB_MODE="${2:?--db needs mariadb, sqlite or a mysql:// DSN}"; shift 2 ;;
		--db=*) DB_MODE="${1#--db=}"; shift ;;
		--port) PORT="${2:?--port needs a number}"; shift 2 ;;
		--port=*) PORT="${1#--port=}"; shift ;;
		--web) WEB="${2:?--web needs builtin or fpm}"; shift 2 ;;
		--web=*) WEB="${1#--web=}"; shift ;;
		--checkout) CHECKOUT="${2:?--checkout needs block or classic}"; shift 2 ;;
		--checkout=*) CHECKOUT="${1#--checkout=}"; shift ;;
		--background) BG_ENV="${2:?--background needs an env file path}"; shift 2 ;;
		--background=*) BG_ENV="${1#--background=}"; shift ;;
		--_supervise) SUPERVISE=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "up.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
	esac
done
[[ "$PORT" == auto ]] && PORT=0
[[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT >= 0 && PORT < 65536 )) || die "--port must be a port number or auto"
[[ "$CHECKOUT" == block || "$CHECKOUT" == classic ]] || die "--checkout must be block or classic"
case "$DB_MODE" in mariadb|sqlite|mysql://*) ;; *) die "--db must be mariadb, sqlite or mysql://USER:PASS@HOST:PORT/DBNAME" ;; esac
if [[ -n "$BG_ENV" ]]; then
	case "$BG_ENV" in /*) ;; *) BG_ENV="$PWD/$BG_ENV" ;; esac
fi

mkdir -p "$REPO_ROOT/target"
LOCK="$STACK.lock"
mkdir -p "$(dirname "$STACK")"
take_lock() { # on fd 9; a stack that is just stopping gets 15 s to let go
	flock -n 9 && return 0
	log "the lock $LOCK is held; waiting up to 15 s"
	flock -w 15 9 || die "another demo stack is running in this checkout (stop it: tests/stack/down.sh target/stack/env, or Ctrl-C its terminal)"
}

# ------------------------------------------------------------------------------------------
# --background: start a detached copy of this script (the supervisor) and wait until it is up.
# ------------------------------------------------------------------------------------------
if [[ -n "$BG_ENV" && "$SUPERVISE" == 0 ]]; then
	exec 9>"$LOCK"
	take_lock
	exec 9>&-
	rm -f "$BG_ENV"
	mkdir -p "$(dirname "$BG_ENV")"
	BOOTLOG="$(mktemp "${TMPDIR:-/tmp}/cartpinger-stack.XXXXXX")"
	T0=$(date +%s)
	CP_DEMO_BOOTLOG="$BOOTLOG" setsid "$SELF" "${ORIG_ARGS[@]}" --_supervise </dev/null >"$BOOTLOG" 2>&1 &
	SUP=$!
	while :; do
		if [[ -f "$BG_ENV" ]] && grep -q "^READY='1'" "$BG_ENV"; then break; fi
		if ! alive "$SUP"; then
			echo "[stack] the stack failed to start; its output:" >&2
			sed 's/^/    | /' "$BOOTLOG" >&2
			[[ -f "$STACK/logs/up.log" ]] && sed 's/^/    | /' "$STACK/logs/up.log" | tail -60 >&2
			rm -f "$BOOTLOG"
			exit 1
		fi
		if (( $(date +%s) - T0 > 900 )); then
			kill -TERM "$SUP" 2>/dev/null || true
			die "the stack did not come up within 15 minutes (log: $STACK/logs/up.log)"
		fi
		sleep 0.3
	done
	rm -f "$BOOTLOG"
	cat "$STACK/summary.txt"
	echo "  env file   $BG_ENV   (stop: tests/stack/down.sh $BG_ENV)"
	echo "[stack] up in $(( $(date +%s) - T0 )) s (background, supervisor pid $SUP)"
	exit 0
fi

# ------------------------------------------------------------------------------------------
# From here on: this process starts, supervises and stops every service.
# ------------------------------------------------------------------------------------------
T0=$(date +%s)
exec 9>"$LOCK"
take_lock

PIDS=()       # process-group leaders we started (each service runs in its own group via setsid)
NAMES=()
DB_PID=""
SOCKDIR=""

stop_group() { # pid name
	local pid="$1" name="$2" i
	if ! alive "$pid"; then
		kill -TERM -- "-$pid" 2>/dev/null || true   # leftovers of its group, if any
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
	if alive "$pid"; then
		log "$name (pid $pid) did not stop within 10 s: SIGKILL"
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	if (( ${#PIDS[@]} > 0 )); then
		log "stopping: ${NAMES[*]}"
		# Reverse start order: ticker, web server, sandbox, database.
		for (( i=${#PIDS[@]}-1; i>=0; i-- )); do stop_group "${PIDS[$i]}" "${NAMES[$i]}"; done
	fi
	[[ -n "$SOCKDIR" ]] && rm -rf "$SOCKDIR"
	rm -f "$STACK/env"
	[[ -n "$BG_ENV" ]] && [[ -f "$BG_ENV" ]] && sed -i "s/^READY='1'/READY='0'/" "$BG_ENV" || true
	log "stopped (exit $rc)"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_service() { # name logfile command... (own process group, no lock fd)
	local name="$1" logf="$2"; shift 2
	setsid "$@" </dev/null >"$logf" 2>&1 9>&- &
	PIDS+=("$!")
	NAMES+=("$name")
	LAST_PID=$!
}

# ------------------------------------------------------------------------------------------
# Prerequisites (before anything is started or deleted)
# ------------------------------------------------------------------------------------------
command -v php >/dev/null || die "php not found (apt-get install -y php8.2-cli php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-intl php8.2-zip)"
command -v curl >/dev/null || die "curl not found (apt-get install -y curl)"
command -v unzip >/dev/null || die "unzip not found (apt-get install -y unzip)"
php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' || [[ "$DB_MODE" == sqlite ]] || die "PHP's mysqli is missing (apt-get install -y php8.2-mysql)"
for m in xml mbstring; do
	php -r "exit(extension_loaded('$m') ? 0 : 1);" || die "PHP's $m module is missing (apt-get install -y php8.2-$m)"
done
if [[ "$DB_MODE" == sqlite ]]; then
	php -r 'exit(extension_loaded("pdo_sqlite") ? 0 : 1);' || die "--db sqlite needs PHP's pdo_sqlite (apt-get install -y php8.2-sqlite3)"
fi
if [[ "$DB_MODE" == mariadb ]]; then
	for b in mariadb-install-db mariadb; do
		command -v "$b" >/dev/null || die "$b not found (apt-get install -y mariadb-server mariadb-client), or use --db sqlite / --db mysql://…"
	done
	MARIADBD="$(command -v mariadbd || echo /usr/sbin/mariadbd)"
	[[ -x "$MARIADBD" ]] || die "mariadbd not found (apt-get install -y mariadb-server)"
fi

SO="$REPO_ROOT/target/release/libcartpinger.so"
SANDBOX_BIN="$REPO_ROOT/target/release/cartpinger-sandbox"
if [[ ! -f "$SO" || ! -x "$SANDBOX_BIN" ]]; then
	command -v cargo >/dev/null || { [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"; }
	command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs), or run ./build.sh serve"
	[[ -f "$SO" ]] || { log "building the extension (cargo build --release -p cartpinger)"; (cd "$REPO_ROOT" && cargo build --release -p cartpinger); }
	[[ -x "$SANDBOX_BIN" ]] || { log "building the sandbox (cargo build --release -p cartpinger-sandbox)"; (cd "$REPO_ROOT" && cargo build --release -p cartpinger-sandbox); }
fi

# CARTPINGER_DEMO_PLUGIN_DIR: serve another copy of the plugin (default php-plugin/cartpinger).
PLUGIN_SRC="${CARTPINGER_DEMO_PLUGIN_DIR:-$REPO_ROOT/php-plugin/cartpinger}"
[[ -f "$PLUGIN_SRC/cartpinger.php" ]] || die "no cartpinger.php in $PLUGIN_SRC"
PLUGIN_SRC="$(cd "$PLUGIN_SRC" && pwd -P)"

WP_ZIP="$REPO_ROOT/tests/node_modules/@wp-playground/wordpress-builds/src/wordpress/wp-6.5.zip"
SQLITE_ZIP="$REPO_ROOT/tests/node_modules/@wp-playground/wordpress-builds/src/sqlite-database-integration/sqlite-database-integration.zip"
WP_SRC="${CARTPINGER_STACK_WP:-}"
if [[ -n "$WP_SRC" ]]; then
	[[ -f "$WP_SRC/wp-load.php" && -f "$WP_SRC/wp-includes/version.php" ]] || die "CARTPINGER_STACK_WP=$WP_SRC is not a WordPress copy"
	WP_SRC="$(cd "$WP_SRC" && pwd -P)"
fi
if [[ ! -f "$WP_ZIP" && ( -z "$WP_SRC" || "$DB_MODE" == sqlite ) ]]; then
	log "tests/node_modules missing: installing the test dependencies (npm ci)"
	command -v npm >/dev/null || die "npm not found (apt-get install -y npm): WordPress comes from the npm package @wp-playground/wordpress-builds"
	( cd "$REPO_ROOT/tests" && npm ci --no-audit --no-fund )
	[[ -f "$WP_ZIP" ]] || die "WordPress build still missing after npm ci: $WP_ZIP"
fi

# WooCommerce: WOOCOMMERCE_DIR, /work/woocommerce, a cached download, or a download.
WOO_CACHE="$REPO_ROOT/target/woocommerce-download"
woo_instructions() {
	cat >&2 <<EOF

[stack] WooCommerce is needed and could not be found or downloaded.
[stack] Provide any extracted WooCommerce $WOO_VERSION (the newest release that runs on WordPress 6.5):
[stack]
[stack]     curl -LO https://downloads.wordpress.org/plugin/woocommerce.$WOO_VERSION.zip    # on a machine with internet
[stack]     unzip woocommerce.$WOO_VERSION.zip -d /some/where        # gives /some/where/woocommerce/woocommerce.php
[stack]     WOOCOMMERCE_DIR=/some/where/woocommerce ./build.sh serve
[stack]
[stack] (a git checkout of a built release works too; /work/woocommerce is used when it exists)
EOF
}
WOO_DIR=""
if [[ -n "${WOOCOMMERCE_DIR:-}" ]]; then
	[[ -f "$WOOCOMMERCE_DIR/woocommerce.php" ]] || { woo_instructions; die "WOOCOMMERCE_DIR=$WOOCOMMERCE_DIR has no woocommerce.php"; }
	WOO_DIR="$WOOCOMMERCE_DIR"
elif [[ -f /work/woocommerce/woocommerce.php ]]; then
	WOO_DIR=/work/woocommerce
elif [[ -f "$WOO_CACHE/woocommerce/woocommerce.php" ]]; then
	WOO_DIR="$WOO_CACHE/woocommerce"
else
	log "WooCommerce not found: downloading woocommerce.$WOO_VERSION.zip from downloads.wordpress.org"
	mkdir -p "$WOO_CACHE"
	if curl -fsSL --connect-timeout 10 --max-time 300 -o "$WOO_CACHE/woocommerce.zip" \
		"https://downloads.wordpress.org/plugin/woocommerce.$WOO_VERSION.zip" 2>"$WOO_CACHE/curl.err" \
		&& unzip -q -o "$WOO_CACHE/woocommerce.zip" -d "$WOO_CACHE" && [[ -f "$WOO_CACHE/woocommerce/woocommerce.php" ]]; then
		WOO_DIR="$WOO_CACHE/woocommerce"
	else
		log "download failed: $(head -c 300 "$WOO_CACHE/curl.err" 2>/dev/null)"
		rm -rf "$WOO_CACHE"
		woo_instructions
		exit 3
	fi
fi
WOO_DIR="$(cd "$WOO_DIR" && pwd -P)"
WOO_FOUND_VERSION="$(sed -n 's/^ \* Version: *//p' "$WOO_DIR/woocommerce.php" | head -1 | tr -d '\r')"
[[ "$WOO_FOUND_VERSION" == "$WOO_VERSION" ]] || log "warning: WooCommerce $WOO_FOUND_VERSION in $WOO_DIR (the demo is made for $WOO_VERSION)"
if [[ -f "$WOO_DIR/src/Caching/WpCacheEngine.php" && ! -f "$WOO_DIR/src/Caching/WPCacheEngine.php" ]]; then
	die "$WOO_DIR/src/Caching/WpCacheEngine.php has the wrong letter case (a known defect of some WooCommerce copies); fix it with:
    mv '$WOO_DIR/src/Caching/WpCacheEngine.php' '$WOO_DIR/src/Caching/WPCacheEngine.php'"
fi

port_free() { php -r '$s=@stream_socket_server("tcp://127.0.0.1:'"$1"'",$e,$m); exit($s ? 0 : 1);'; }
free_port() { php -r '$s=stream_socket_server("tcp://127.0.0.1:0",$e,$m); $n=stream_socket_get_name($s,false); echo substr($n, strrpos($n,":")+1);'; }
if [[ "$PORT" == 0 ]]; then
	PORT="$(free_port)"
	log "port: picked free port $PORT"
fi
port_free "$PORT" || die "127.0.0.1:$PORT is in use: pick another port with --port N (or --port auto)"

# ------------------------------------------------------------------------------------------
# Fresh state directory
# ------------------------------------------------------------------------------------------
rm -rf "$STACK"
mkdir -p "$STACK/logs"
if [[ "$SUPERVISE" == 1 ]]; then
	exec >>"$STACK/logs/up.log" 2>&1   # the waiting parent shows this file if startup fails
fi
log "state in $STACK"

# PHP: Debian's conf.d minus any installed *cartpinger* ini, so that exactly the freshly built
# extension is loaded (-d extension=<abs path>) and no "already loaded" warning appears.
CONFD="$STACK/php-conf.d"
mkdir -p "$CONFD"
SCAN_DIRS="$(env -u PHP_INI_SCAN_DIR php --ini | sed -n 's/^Scan for additional .ini files in: *//p')"
IFS=':' read -r -a _dirs <<<"$SCAN_DIRS"
for d in "${_dirs[@]}"; do
	[[ -d "$d" ]] || continue
	for f in "$d"/*.ini; do
		[[ -e "$f" ]] || continue
		case "$(basename "$f")" in *cartpinger*) continue ;; esac
		ln -sf "$f" "$CONFD/$(basename "$f")"
	done
done
printf 'memory_limit=512M\nmax_execution_time=120\nupload_max_filesize=32M\npost_max_size=32M\n' >"$CONFD/99-cartpinger-demo.ini"
export PHP_INI_SCAN_DIR="$CONFD"
PHP_EXT_ARGS="-d extension=$SO"
EXT_CHECK="$(php $PHP_EXT_ARGS -r 'echo extension_loaded("cartpinger") ? "ok ".phpversion("cartpinger") : "NOT LOADED";' 2>&1 || true)"
[[ "$EXT_CHECK" == ok* ]] || die "cannot load the extension $SO: $EXT_CHECK"
log "extension $SO (cartpinger ${EXT_CHECK#ok })"

SITE_URL="http://127.0.0.1:$PORT"
HOSTPORT="127.0.0.1:$PORT"
rand_hex() { php -r "echo bin2hex(random_bytes($1));"; }
ADMIN_PASS="demo-$(rand_hex 8)"
SANDBOX_TOKEN="sbx-$(rand_hex 16)"
SANDBOX_APP_SECRET="$(rand_hex 16)"
VERIFY_TOKEN="verify-$(rand_hex 12)"
PHONE_NUMBER_ID=106540352242922
WABA_ID=102290129340398

# ------------------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------------------
TABLE_PREFIX="wp_"
DB_SOCK=""
DSN=""
case "$DB_MODE" in
	mariadb)
		DB_DATA="$STACK/mysql/data"
		SOCKDIR="$STACK/mysql/run"
		if (( ${#SOCKDIR} > 90 )); then SOCKDIR="$(mktemp -d "${TMPDIR:-/tmp}/cpstack.XXXXXX")"; else mkdir -p "$SOCKDIR"; fi
		DB_SOCK="$SOCKDIR/mysqld.sock"
		DB_PORT="$(free_port)"
		DB_NAME=wordpress
		DB_USER=cartpinger
		DB_PASS="db-$(rand_hex 8)"
		RUN_AS=()
		[[ "$(id -u)" == 0 ]] && RUN_AS=(--user=root)
		mkdir -p "$DB_DATA"
		log "MariaDB: initialising $DB_DATA"
		mariadb-install-db --no-defaults "${RUN_AS[@]}" --datadir="$DB_DATA" --auth-root-authentication-method=normal \
			--skip-test-db >"$STACK/logs/mariadb-install.log" 2>&1 || { cat "$STACK/logs/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
		start_service mariadb "$STACK/logs/mariadb.out" "$MARIADBD" --no-defaults "${RUN_AS[@]}" --datadir="$DB_DATA" \
			--socket="$DB_SOCK" --port="$DB_PORT" --bind-address=127.0.0.1 --pid-file="$SOCKDIR/mysqld.pid" \
			--log-error="$STACK/logs/mariadb.err" --skip-log-bin --skip-name-resolve --innodb-buffer-pool-size=128M \
			--innodb-log-file-size=32M --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
		DB_PID=$LAST_PID
		MYSQL=(mariadb --no-defaults --socket="$DB_SOCK" -uroot)
		for i in $(seq 1 200); do
			"${MYSQL[@]}" -e 'SELECT 1' >/dev/null 2>&1 && break
			alive "$DB_PID" || { cat "$STACK/logs/mariadb.err" >&2; die "mariadbd exited during startup"; }
			sleep 0.1
			[[ $i -eq 200 ]] && { cat "$STACK/logs/mariadb.err" >&2; die "mariadbd not ready after 20 s"; }
		done
		"${MYSQL[@]}" <<SQL
CREATE DATABASE $DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
SQL
		DB_HOST="127.0.0.1:$DB_PORT"
		log "MariaDB: pid $DB_PID on 127.0.0.1:$DB_PORT (socket $DB_SOCK)"
		;;
	sqlite)
		DB_NAME=wordpress DB_USER=unused DB_PASS=unused DB_HOST=localhost
		log "WARNING: --db sqlite: WooCommerce has known incompatibilities with the SQLite drop-in"
		log "WARNING: (HPOS 'LIMIT 0, 18446744073709551615' queries fail, so refunds read as none; 'database is"
		log "WARNING: locked' on overlapping requests). MariaDB is the database to test on."
		;;
	mysql://*)
		DSN="$DB_MODE"
		eval "$(php -r '
			$u = parse_url($argv[1]);
			if (!$u || empty($u["host"]) || empty($u["path"]) || trim($u["path"], "/") === "") { fwrite(STDERR, "bad DSN\n"); exit(1); }
			foreach (["DB_USER" => rawurldecode($u["user"] ?? "root"), "DB_PASS" => rawurldecode($u["pass"] ?? ""),
			          "DB_HOST" => $u["host"] . ":" . ($u["port"] ?? 3306), "DB_NAME" => rawurldecode(trim($u["path"], "/"))] as $k => $v) {
				echo $k, "=", escapeshellarg($v), "\n";
			}' "$DSN")" || die "cannot parse --db $DSN (expected mysql://USER:PASS@HOST:PORT/DBNAME)"
		TABLE_PREFIX="cpdemo_"
		log "database: existing server $DB_HOST, database $DB_NAME, tables ${TABLE_PREFIX}* (dropped and recreated)"
		php -r '
			mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
			[$h, $p] = explode(":", $argv[1]);
			$db = new mysqli($h, $argv[2], $argv[3], $argv[4], (int) $p);
			$r = $db->query("SHOW TABLES LIKE \x27cpdemo\\\\_%\x27");
			$db->query("SET FOREIGN_KEY_CHECKS=0");
			foreach ($r->fetch_all() as $row) { $db->query("DROP TABLE `" . $row[0] . "`"); }
		' "$DB_HOST" "$DB_USER" "$DB_PASS" "$DB_NAME" || die "cannot connect to $DB_HOST/$DB_NAME as $DB_USER"
		;;
esac

# ------------------------------------------------------------------------------------------
# WordPress
# ------------------------------------------------------------------------------------------
WP="$STACK/wordpress"
DEBUG_LOG="$STACK/debug.log"
MAIL_LOG="$STACK/mail.log"
if [[ -n "$WP_SRC" ]]; then
	log "WordPress: $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$WP_SRC/wp-includes/version.php") from $WP_SRC"
	# Hard links: WordPress never edits its own files here, and a copy of ~90 MB per stack is slow.
	cp -al "$WP_SRC" "$WP" 2>/dev/null || { rm -rf "$WP"; cp -a "$WP_SRC" "$WP"; }
	rm -f "$WP/.complete" "$WP/composer.json"
else
	log "WordPress: extracting $(basename "$WP_ZIP")"
	mkdir -p "$STACK/wp-extract"
	unzip -q -o "$WP_ZIP" -d "$STACK/wp-extract"
	if [[ -f "$STACK/wp-extract/wp-load.php" ]]; then mv "$STACK/wp-extract" "$WP"; else mv "$STACK/wp-extract/wordpress" "$WP"; rm -rf "$STACK/wp-extract"; fi
	# The zip holds WordPress's PHP; its static files (wp-includes/js, css, theme fonts) are in the
	# package's public/wp-6.5/: together a full install. Without them no front-end script runs.
	WP_PUBLIC="$(dirname "$(dirname "$(dirname "$WP_ZIP")")")/public/wp-6.5"
	[[ -d "$WP_PUBLIC/wp-includes" ]] || die "WordPress static files missing: $WP_PUBLIC (cd tests && npm ci)"
	cp -rn "$WP_PUBLIC/wp-admin" "$WP_PUBLIC/wp-content" "$WP_PUBLIC/wp-includes" "$WP/"
fi
# Playground builds ship an SQLite database and a preconfigured wp-config.php: not ours.
rm -rf "$WP/wp-content/database" "$WP/wp-config.php" "$WP/wp-content/db.php"
mkdir -p "$WP/wp-content/mu-plugins" "$WP/wp-content/uploads"
cp "$HERE/lib/mu-demo.php" "$WP/wp-content/mu-plugins/cartpinger-demo.php"
[[ "$FAST" == 1 ]] && cp "$HERE/lib/mu-fast.php" "$WP/wp-content/mu-plugins/cartpinger-demo-fast.php"
ln -s "$PLUGIN_SRC" "$WP/wp-content/plugins/cartpinger"
ln -s "$WOO_DIR" "$WP/wp-content/plugins/woocommerce"
SQLITE_DEFINES=""
if [[ "$DB_MODE" == sqlite ]]; then
	unzip -q -o "$SQLITE_ZIP" -d "$WP/wp-content/plugins"
	mv "$WP/wp-content/plugins/sqlite-database-integration-main" "$WP/wp-content/plugins/sqlite-database-integration"
	sed -e "s#{SQLITE_IMPLEMENTATION_FOLDER_PATH}#$WP/wp-content/plugins/sqlite-database-integration#" \
		-e "s#{SQLITE_PLUGIN}#sqlite-database-integration/load.php#" \
		"$WP/wp-content/plugins/sqlite-database-integration/db.copy" >"$WP/wp-content/db.php"
	mkdir -p "$STACK/sqlite"
	SQLITE_DEFINES="define( 'DB_DIR', '$STACK/sqlite/' );
define( 'DB_FILE', 'demo.sqlite' );"
fi

salt() { php -r 'echo strtr(base64_encode(random_bytes(48)), "+/", "-_");'; }
{
	cat <<PHP
<?php
// Generated by tests/stack/up.sh for the local CartPinger demo store. Every secret is random per run.
define( 'DB_NAME', '$DB_NAME' );
define( 'DB_USER', '$DB_USER' );
define( 'DB_PASSWORD', '$DB_PASS' );
define( 'DB_HOST', '$DB_HOST' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
$SQLITE_DEFINES
PHP
	for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
		printf "define( '%s', '%s' );\n" "$k" "$(salt)"
	done
	cat <<PHP
\$table_prefix = '$TABLE_PREFIX';

define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$DEBUG_LOG' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'SCRIPT_DEBUG', false );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'DISABLE_WP_CRON', true );        // tests/stack/tick.php runs cron every few seconds
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'WP_HTTP_BLOCK_EXTERNAL', true ); // no internet here; loopback (the sandbox, the site) is allowed
define( 'FS_METHOD', 'direct' );
define( 'WP_HOME', '$SITE_URL' );
define( 'WP_SITEURL', '$SITE_URL' );
define( 'CARTPINGER_DEMO_MAIL_LOG', '$MAIL_LOG' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP
} >"$WP/wp-config.php"

export CP_DEMO_WP_DIR="$WP"
export CP_DEMO_HOST="$HOSTPORT"

# ------------------------------------------------------------------------------------------
# Sandbox (the Cloud API stand-in), on a free loopback port; status webhooks go to the site
# ------------------------------------------------------------------------------------------
mkdir -p "$STACK/sandbox"
: >"$STACK/logs/sandbox.log"   # exists before the background redirect creates it (race under load)
start_service sandbox "$STACK/logs/sandbox.log" "$SANDBOX_BIN" --listen 127.0.0.1:0 --db "$STACK/sandbox/sandbox.sqlite" \
	--token "$SANDBOX_TOKEN" --app-secret "$SANDBOX_APP_SECRET" \
	--callback "$SITE_URL/wp-json/cartpinger/v1/webhook" \
	--phone-number-id "$PHONE_NUMBER_ID" --waba-id "$WABA_ID"
SANDBOX_PID=$LAST_PID
SANDBOX_URL=""
for i in $(seq 1 200); do
	SANDBOX_URL="$(sed -n 's/^cartpinger-sandbox listening on //p' "$STACK/logs/sandbox.log" 2>/dev/null | head -1 || true)"
	[[ -n "$SANDBOX_URL" ]] && break
	alive "$SANDBOX_PID" || { cat "$STACK/logs/sandbox.log" >&2; die "the sandbox exited during startup"; }
	sleep 0.05
done
[[ -n "$SANDBOX_URL" ]] || die "the sandbox did not report its address within 10 s"
log "sandbox: pid $SANDBOX_PID at $SANDBOX_URL"

# ------------------------------------------------------------------------------------------
# Install and configure the site (one PHP process per step)
# ------------------------------------------------------------------------------------------
setup() { # step args...
	local t1; t1=$(date +%s%N)
	php $PHP_EXT_ARGS "$HERE/lib/setup.php" "$@" >>"$STACK/logs/setup.log" 2>&1 \
		|| { tail -40 "$STACK/logs/setup.log" >&2; [[ -s "$DEBUG_LOG" ]] && tail -20 "$DEBUG_LOG" >&2; die "setup step '$1' failed (log: $STACK/logs/setup.log)"; }
	log "  $(tail -1 "$STACK/logs/setup.log")  ($(( ($(date +%s%N) - t1) / 1000000 )) ms)"
}
log "site: installing"
setup install "$ADMIN_PASS"
setup activate-woo
setup woo-newly-installed
setup store
setup activate-cartpinger
CP_DEMO_PHONE_NUMBER_ID="$PHONE_NUMBER_ID" CP_DEMO_WABA_ID="$WABA_ID" CP_DEMO_GRAPH_BASE_URL="$SANDBOX_URL" \
	CP_DEMO_ACCESS_TOKEN="$SANDBOX_TOKEN" CP_DEMO_APP_SECRET="$SANDBOX_APP_SECRET" CP_DEMO_VERIFY_TOKEN="$VERIFY_TOKEN" \
	CP_DEMO_FAST="$FAST" setup configure-cartpinger
setup use-checkout "$CHECKOUT"
setup finish

# Setup noise (deprecations from WooCommerce's installer…) is kept apart; debug.log starts empty.
if [[ -s "$DEBUG_LOG" ]]; then
	mv "$DEBUG_LOG" "$STACK/logs/debug-setup.log"
	if grep -qi cartpinger "$STACK/logs/debug-setup.log"; then
		log "WARNING: CartPinger lines in debug.log during setup:"
		grep -i cartpinger "$STACK/logs/debug-setup.log" | head -20 | sed 's/^/    | /'
	fi
fi
: >"$DEBUG_LOG"

# ------------------------------------------------------------------------------------------
# Web server: PHP's built-in server, 4 workers (the block checkout overlaps requests)
# ------------------------------------------------------------------------------------------
if [[ "$WEB" == fpm ]]; then
	FPM_BIN="$(command -v php-fpm8.2 || command -v php-fpm || echo /usr/sbin/php-fpm8.2)"
	[[ -x "$FPM_BIN" ]] || die "--web fpm needs php-fpm and nginx: apt-get install -y php8.2-fpm nginx-light"
	command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "--web fpm needs nginx: apt-get install -y nginx-light"
	NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
	mkdir -p "$STACK/nginx"
	cat >"$STACK/php-fpm.conf" <<FPM
[global]
error_log = $STACK/logs/php-fpm.log
daemonize = no
[shop]
listen = $STACK/php-fpm.sock
listen.mode = 0666
listen.backlog = ${CARTPINGER_STACK_FPM_BACKLOG:-4096}
user = $(id -un)
pm = static
pm.max_children = ${CARTPINGER_STACK_FPM_WORKERS:-8}
clear_env = no
catch_workers_output = yes
php_admin_value[max_execution_time] = 60
FPM
	cat >"$STACK/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $STACK/nginx/nginx.pid;
error_log $STACK/logs/nginx-error.log warn;
$( [[ "$(id -u)" == 0 ]] && echo "user root;" )
events { worker_connections 1024; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	client_body_temp_path $STACK/nginx/body;
	fastcgi_temp_path $STACK/nginx/fastcgi;
	proxy_temp_path $STACK/nginx/proxy;
	uwsgi_temp_path $STACK/nginx/uwsgi;
	scgi_temp_path $STACK/nginx/scgi;
	server {
		listen $HOSTPORT;
		root $WP;
		index index.php;
		location / { try_files \$uri \$uri/ /index.php?\$args; }
		location ~ \.php\$ {
			try_files \$uri =404;
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_param HTTP_HOST $HOSTPORT;
			fastcgi_read_timeout 120s;
			fastcgi_pass unix:$STACK/php-fpm.sock;
		}
	}
}
NGX
	start_service fpm "$STACK/logs/php-fpm.out" "$FPM_BIN" -F -R -y "$STACK/php-fpm.conf" $PHP_EXT_ARGS
	for i in $(seq 1 100); do [[ -S "$STACK/php-fpm.sock" ]] && break; sleep 0.1; done
	start_service web "$STACK/logs/nginx.out" "$NGINX_BIN" -c "$STACK/nginx.conf" -e "$STACK/logs/nginx-error.log"
else
	start_service web "$STACK/logs/php-server.log" env PHP_CLI_SERVER_WORKERS=4 \
		php $PHP_EXT_ARGS -S "$HOSTPORT" -t "$WP" "$HERE/lib/router.php"
fi
WEB_PID=$LAST_PID
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$@" || true; }
for i in $(seq 1 200); do
	[[ "$(http_code "$SITE_URL/wp-login.php")" == 200 ]] && break
	alive "$WEB_PID" || { cat "$STACK/logs/php-server.log" >&2; die "the PHP server exited during startup"; }
	sleep 0.1
	[[ $i -eq 200 ]] && die "the site did not answer within 20 s (log: $STACK/logs/php-server.log)"
done
log "web: pid $WEB_PID at $SITE_URL ($([[ "$WEB" == fpm ]] && echo "nginx + php-fpm, ${CARTPINGER_STACK_FPM_WORKERS:-8} workers" || echo "PHP built-in server, 4 workers"))"

# Warm up (first requests build caches) and check every page the demo and the browser tests use.
# The checkout pages redirect an empty cart to /cart/, so they are fetched with one product in it.
FIRST_PRODUCT="$(sed -n 's/.*first_product=\([0-9]*\).*/\1/p' "$STACK/logs/setup.log" | tail -1)"
JAR="$STACK/logs/warmup.cookies"
BAD=""
for path in / /shop/ /cart/ /product/ceramic-coffee-mug/ /wp-json/ /wp-login.php; do
	code="$(http_code "$SITE_URL$path")"
	[[ "$code" == 200 ]] || BAD+=" $path=$code"
done
code="$(http_code -c "$JAR" -b "$JAR" "$SITE_URL/?add-to-cart=$FIRST_PRODUCT")"
[[ "$code" == 200 || "$code" == 302 ]] || BAD+=" /?add-to-cart=$FIRST_PRODUCT=$code"
for path in /checkout/ /classic-checkout/; do
	code="$(http_code -c "$JAR" -b "$JAR" "$SITE_URL$path")"
	[[ "$code" == 200 ]] || BAD+=" $path(with a cart)=$code"
done
[[ -z "$BAD" ]] || { [[ -s "$DEBUG_LOG" ]] && tail -20 "$DEBUG_LOG" >&2; die "pages did not answer 200:$BAD (curl -i $SITE_URL/shop/)"; }
code="$(http_code "$SANDBOX_URL/inbox")"
[[ "$code" == 200 ]] || die "the sandbox inbox answered $code"

# ------------------------------------------------------------------------------------------
# Ticker: cartpinger_queue_run + due WordPress cron events every 5 s (2 s with --fast)
# ------------------------------------------------------------------------------------------
INTERVAL=5
[[ "$FAST" == 1 ]] && INTERVAL=2
start_service ticker "$STACK/logs/tick.log" "$HERE/lib/ticker.sh" "$INTERVAL" $PHP_EXT_ARGS
TICK_PID=$LAST_PID
log "ticker: pid $TICK_PID, every $INTERVAL s (log: $STACK/logs/tick.log)"

# ------------------------------------------------------------------------------------------
# Environment file and summary
# ------------------------------------------------------------------------------------------
write_env() { # file
	local tmp="$1.tmp.$$"
	{
		echo "# CartPinger demo stack (tests/stack/up.sh), $(date -u +%Y-%m-%dT%H:%M:%SZ). Stop: tests/stack/down.sh $1"
		printf "%s='%s'\n" \
			SITE_URL "$SITE_URL" \
			SHOP_URL "$SITE_URL/shop/" \
			ADMIN_URL "$SITE_URL/wp-admin/" \
			ADMIN_USER admin \
			ADMIN_PASS "$ADMIN_PASS" \
			SANDBOX_URL "$SANDBOX_URL" \
			SANDBOX_TOKEN "$SANDBOX_TOKEN" \
			SANDBOX_APP_SECRET "$SANDBOX_APP_SECRET" \
			VERIFY_TOKEN "$VERIFY_TOKEN" \
			PHONE_NUMBER_ID "$PHONE_NUMBER_ID" \
			WABA_ID "$WABA_ID" \
			DEBUG_LOG "$DEBUG_LOG" \
			MAIL_LOG "$MAIL_LOG" \
			STACK_DIR "$STACK" \
			WP_DIR "$WP" \
			DB_MODE "${DB_MODE%%:*}" \
			DB_SOCK "$DB_SOCK" \
			DSN "$DSN" \
			TABLE_PREFIX "$TABLE_PREFIX" \
			PHP_EXT_ARGS "$PHP_EXT_ARGS" \
			PHP_INI_SCAN_DIR "$PHP_INI_SCAN_DIR" \
			CHECKOUT "$CHECKOUT" \
			FAST "$FAST" \
			UP_PID "$$" \
			PIDS "${PIDS[*]}" \
			PID_NAMES "${NAMES[*]}" \
			READY 1
	} >"$tmp"
	mv "$tmp" "$1"
}

{
	echo
	echo "CartPinger demo store is up$([[ "$FAST" == 1 ]] && echo ' (--fast: reminder 20 s after leaving, follow-ups at 60/120 s)')"
	echo "  shop       $SITE_URL/shop/"
	echo "  checkout   $SITE_URL/checkout/ (block)   $SITE_URL/classic-checkout/ (classic)   active: $CHECKOUT"
	echo "             switch: tests/stack/use-checkout.sh block|classic"
	echo "  admin      $SITE_URL/wp-admin/   user admin   password $ADMIN_PASS"
	echo "  WhatsApp   $SANDBOX_URL/inbox   (the sandbox standing in for Meta's Cloud API)"
	echo "  logs       $DEBUG_LOG (WP_DEBUG_LOG), $STACK/logs/, mails: $MAIL_LOG"
	echo "  database   $( case "$DB_MODE" in mariadb) echo "MariaDB (throwaway) socket $DB_SOCK";; sqlite) echo "SQLite drop-in $STACK/sqlite/demo.sqlite";; *) echo "$DB_HOST/$DB_NAME (tables ${TABLE_PREFIX}*)";; esac )"
	if [[ -n "$BG_ENV" ]]; then
		echo "  stop       tests/stack/down.sh $BG_ENV"
	else
		echo "  stop       Ctrl-C here (or tests/stack/down.sh target/stack/env)"
	fi
} >"$STACK/summary.txt"

write_env "$STACK/env"
[[ -n "$BG_ENV" ]] && write_env "$BG_ENV"
if [[ -z "$BG_ENV" ]]; then
	cat "$STACK/summary.txt"
	log "up in $(( $(date +%s) - T0 )) s"
else
	log "up in $(( $(date +%s) - T0 )) s; env file $BG_ENV"
fi

# ------------------------------------------------------------------------------------------
# Supervise: stop everything when asked (INT/TERM) or when a service dies
# ------------------------------------------------------------------------------------------
while :; do
	sleep 2 9>&- &
	wait $! || true
	for i in "${!PIDS[@]}"; do
		if ! alive "${PIDS[$i]}"; then
			log "${NAMES[$i]} (pid ${PIDS[$i]}) exited unexpectedly; stopping the stack (logs: $STACK/logs/)"
			exit 1
		fi
	done
done
