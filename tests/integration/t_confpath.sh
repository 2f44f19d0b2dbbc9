#!/bin/sh
# One rule finds dyndns-guard.conf (docs/operations.md, "Installing"): the
# module in the real Unbound, `dyndns-guard checkconf`, `dyndns-guard
# explain` and the update tool resolve the same path: $DYNDNS_GUARD_CONF
# when set, else the configured $(sysconfdir)/unbound.  The module's log
# line names the file it read and why.
. "$(dirname "$0")/lib.sh"

UPD="$top_builddir/tools/dyndns-guard-update"
write_root_zone
write_unbound_conf

# --- the default: no environment ---------------------------------------
unset DYNDNS_GUARD_CONF
r=$("$DDG" checkconf 2>&1)
ck_default=$(printf '%s\n' "$r" | sed -n '1s/: .*//p')
expect_match "checkconf without argument or environment names an absolute default" \
	'^/.*/unbound/dyndns-guard\.conf$' "$ck_default"
r=$("$DDG" explain foo.duckdns.org 2>&1)
ex_default=$(printf '%s\n' "$r" | sed -n '1s/: .*//p')
expect_eq "explain reads the same default" "$ck_default" "$ex_default"
r=$("$UPD" --help 2>&1)
up_default=$(printf '%s\n' "$r" | sed -n 's/^ *else \(.*\))$/\1/p')
expect_eq "the update tool's default is in the same directory" \
	"$(dirname "$ck_default")/dyndns-guard-update.conf" "$up_default"
expect_match "checkconf --help states the default" \
	"else $ck_default" "$("$DDG" checkconf --help 2>&1)"

# the module: started without the environment (the default file is read
# when the machine has one; without one the module runs with defaults)
if [ -e "$ck_default" ]; then
	echo "# note: $ck_default exists on this machine: the module reads it"
fi
ub_start || true
check "module logs the default file it reads" \
	wait_log "dyndns-guard: configuration file $ck_default (default)"
if [ ! -e "$ck_default" ]; then
	check "without a file at the default path the module runs with defaults" \
		wait_log "dyndns-guard: no configuration at $ck_default"
fi
ub_stop

# --- the environment wins over the default -------------------------------
DYNDNS_GUARD_CONF="$WORK/env/dyndns-guard.conf"
export DYNDNS_GUARD_CONF
mkdir -p "$WORK/env"
write_test_list || fail "test list compiles"
printf 'dyndns-guard:\n\tlist: "%s"\n\tmode: block\n' "$WORK/dyndns.dgl" > "$DYNDNS_GUARD_CONF"
expect_eq "checkconf reads \$DYNDNS_GUARD_CONF" \
	"$DYNDNS_GUARD_CONF: configuration OK" "$("$DDG" checkconf 2>&1)"
: > "$LOG"
ub_start || fail "unbound starts with \$DYNDNS_GUARD_CONF"
check "module logs the file from the environment" \
	wait_log "dyndns-guard: configuration file $DYNDNS_GUARD_CONF (\$DYNDNS_GUARD_CONF)"
check "module started with that configuration (mode block)" \
	wait_log "dyndns-guard: module .* started .*config $DYNDNS_GUARD_CONF, mode block"
a=$(q foo.duckdns.org A | grep -c 'status: NXDOMAIN')
expect_eq "and applies it: a listed name is blocked" 1 "$a"
ub_stop

# --- an explicit argument wins over the environment ----------------------
printf 'dyndns-guard:\n\tmode: log\n' > "$WORK/arg.conf"
expect_eq "checkconf's argument wins over \$DYNDNS_GUARD_CONF" \
	"$WORK/arg.conf: configuration OK" "$("$DDG" checkconf "$WORK/arg.conf" 2>/dev/null)"
r=$(DYNDNS_GUARD_UPDATE_CONF="$WORK/nonexistent-update.conf" "$UPD" --check-config 2>&1)
expect_match "the update tool reads \$DYNDNS_GUARD_UPDATE_CONF" "$WORK/nonexistent-update.conf" "$r"
r=$(DYNDNS_GUARD_UPDATE_CONF="$WORK/nonexistent-update.conf" "$UPD" -c "$WORK/other.conf" --check-config 2>&1)
expect_match "the update tool's -c wins over the environment" "$WORK/other.conf" "$r"
finish
