#!/bin/bash
# SPDX-License-Identifier: MIT
#
# guest-test.sh: runs inside the Debian system that tests/system/vm-system-test boots
# under QEMU, as root, from a oneshot unit once systemd (PID 1) has reached
# multi-user.target. massaged was installed into the root with `meson install`; this
# script does the rest of README's install steps, configures the service for the
# simulator, then checks the service under the real systemd and dbus-daemon, and
# massaged-mqtt beside it on Debian's mosquitto (guest-mqtt.sh); last, it
# runs the unchanged unit against a real chair's interfaces: a gpio-sim chip named as
# the default wiring (configfs.ko, gpio-sim.ko and chair-gpio.sh from the kernel suite)
# and tools/chair-sim's Modbus devices over TCP. Prints TAP and, last,
# VM-EXIT=<failed checks>.
set -u
cd /test || exit 1
. ./tap.sh

chair() { busctl call org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 "$@"; }
prop() { busctl get-property org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 "$1"; }
outputs() { busctl get-property org.massaged.Chair1 /org/massaged/Simulator1 org.massaged.Simulator1 Outputs; }
unit() { systemctl show -P "$1" massaged.service; }
as() { # USER COMMAND...: run as USER with USER's groups
	local u=$1
	shift
	runuser -u "$u" -- "$@"
}
wait_for() { # SECONDS COMMAND...: until COMMAND succeeds, polling every 0.1 s
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}
not() { ! "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
state_is() { prop State 2>/dev/null | grep -qxE "s \"($1)\""; }
active_running() { [[ $(unit ActiveState) == active && $(unit SubState) == running ]]; }
stopped_cleanly() { [[ "$(unit ActiveState) $(unit ExecMainStatus)" == "inactive 0" ]]; }
# a new massaged (not $pid) is active
restarted() { [[ $(unit MainPID) != "$pid" && $(unit MainPID) != 0 ]] && active_running; }
outputs_active() { # NAME...: every simulated output is active
	local o all
	all=$(outputs)
	for o in "$@"; do grep -q "\"$o\" true" <<<"$all" || return 1; done
}
program_is() { prop Program 2>/dev/null | grep -qx "s \"$1\""; }
has_program() { chair ListPrograms | grep -q "\"$1\""; }
clear_to_idle() { chair ClearFault >/dev/null && wait_for 10 state_is idle; }
journal_since() { journalctl -q -o cat -u massaged.service --since "@$1"; }
journal_says() { journal_since "$1" | grep -q "$2"; } # SINCE PATTERN
journal_has() { # SINCE FIELD=VALUE...: an entry of massaged.service with these fields
	local t=$1
	shift
	journalctl -q -u massaged.service --since "@$t" "$@" -o json | grep -q .
}
journal_order() { # SINCE FIRST THEN: a line matching THEN after one matching FIRST
	journal_since "$1" | awk -v a="$2" -v b="$3" '$0 ~ a {s = NR} $0 ~ b && s {ok = 1} END {exit !ok}'
}
in_groups() { # PID GROUP...: the process has these supplementary groups
	local pid=$1 g gid have
	shift
	have=" $(awk '/^Groups:/ {$1 = ""; print}' "/proc/$pid/status") "
	for g in "$@"; do
		gid=$(getent group "$g" | cut -d: -f3)
		[[ -n $gid && $have == *" $gid "* ]] || return 1
	done
}
unprivileged() { # PID: no capabilities, no new privileges, a seccomp filter
	grep -q '^CapEff:[[:space:]]*0*$' "/proc/$1/status" &&
		grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$1/status" &&
		grep -q '^Seccomp:[[:space:]]*2$' "/proc/$1/status"
}
bail() {
	echo "Bail out! $*"
	journalctl -q -u massaged.service --no-pager | tail -n 40 | diag
	echo "VM-EXIT=1"
	exit 1
}
echo "# systemd $(systemctl --version | head -n 1 | cut -d' ' -f2), kernel $(uname -r);" \
	"booted to this test in $(cut -d' ' -f1 /proc/uptime) s"

test_start=$(now)

# --- README's install steps after `meson install` ----------------------------------------
t=$(now)
systemd-sysusers && systemd-tmpfiles --create && udevadm control --reload && udevadm trigger &&
	systemctl daemon-reload && systemctl reload dbus || bail "the install steps failed"
# try it without a chair: run the simulated chair
mkdir -p /etc/systemd/system/massaged.service.d
printf '%s\n' '[Service]' 'ExecStart=' 'ExecStart=/usr/sbin/massaged --simulate' \
	'ExecStopPost=' 'ExecStopPost=/usr/sbin/massaged --simulate --safe-state' \
	>/etc/systemd/system/massaged.service.d/simulate.conf
systemctl daemon-reload
systemctl enable --now massaged.service 2>&1 | diag
echo "# install steps and start: $(since "$t") s"

# --- the service -------------------------------------------------------------------------
systemd-analyze verify --man=no massaged.service >/tmp/verify.out 2>&1
verified=$?
diag </tmp/verify.out
check "systemd-analyze verify has nothing to say about the unit" test "$verified $(wc -c </tmp/verify.out)" = "0 0"
check "the service is active (running): READY=1 reached systemd" active_running
check "its status line comes from the daemon: '$(unit StatusText)'" test -n "$(unit StatusText)"
pid=$(unit MainPID)
uid=$(id -u massaged)
check "massaged runs as user massaged" test "$(stat -c %u "/proc/$pid")" = "$uid"
owner=$(busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
	GetConnectionUnixUser s org.massaged.Chair1)
check "user massaged owns org.massaged.Chair1 on the system bus" test "$owner" = "u $uid"
check "it has the groups gpio and dialout ($(grep '^Groups:' "/proc/$pid/status"))" in_groups "$pid" gpio dialout
check "no capabilities, no new privileges, a seccomp filter" unprivileged "$pid"
check "the state directory /var/lib/massaged is the service's own, mode 0700" \
	test "$(stat -c '%U %a' /var/lib/massaged)" = "massaged 700"

# --- methods: root, group massage, anyone else -------------------------------------------
useradd -m -s /bin/bash alice && usermod -aG massage alice && useradd -m -s /bin/bash bob ||
	bail "useradd failed"
check "root starts the neck program with busctl" chair Start s neck
check "the chair runs neck (a body scan first)" wait_for 10 state_is 'scanning|running'
if as bob busctl call org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 Stop \
	>/tmp/bob.out 2>&1; then
	not_ok "bob (not in group massage) is refused Stop by the bus policy"
else
	check "bob (not in group massage) is refused Stop by the bus policy" grep -q 'Access denied' /tmp/bob.out
fi
diag </tmp/bob.out
check "the program still runs after bob's refused call" state_is 'scanning|running'
# whether someone sits in the chair, and their shoulder height, are the household's
refused_as() { # USER COMMAND...: the bus refuses USER's call with AccessDenied
	local u=$1
	shift
	if as "$u" "$@" >/tmp/refused.out 2>&1; then
		diag </tmp/refused.out
		return 1
	fi
	diag </tmp/refused.out
	grep -q 'Access denied' /tmp/refused.out
}
check "bob is refused Get of Seated (AccessDenied)" refused_as bob busctl get-property \
	org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 Seated
check "bob is refused GetAll (AccessDenied)" refused_as bob busctl call org.massaged.Chair1 \
	/org/massaged/Chair1 org.freedesktop.DBus.Properties GetAll s org.massaged.Chair1
check "bob is refused GetManagedObjects (AccessDenied)" refused_as bob busctl call org.massaged.Chair1 \
	/org/massaged/Chair1 org.freedesktop.DBus.ObjectManager GetManagedObjects
check "bob may introspect" as bob busctl call org.massaged.Chair1 /org/massaged/Chair1 \
	org.freedesktop.DBus.Introspectable Introspect
check "bob may ping (org.freedesktop.DBus.Peer)" as bob busctl call org.massaged.Chair1 /org/massaged/Chair1 \
	org.freedesktop.DBus.Peer Ping
# the chair's signals carry the same: bob hears none of them, alice does
as bob dbus-monitor --system "type='signal',sender='org.massaged.Chair1'" >/tmp/bob-signals.out 2>&1 &
bob_monitor=$!
as alice dbus-monitor --system "type='signal',sender='org.massaged.Chair1'" >/tmp/alice-signals.out 2>&1 &
alice_monitor=$!
sleep 1
chair SetIntensity u 4 >/dev/null && chair SetIntensity u 2 >/dev/null
check "alice hears the chair's PropertiesChanged" wait_for 10 grep -q 'member=PropertiesChanged' \
	/tmp/alice-signals.out
check "bob hears none of the chair's signals" not grep -q 'member=PropertiesChanged' /tmp/bob-signals.out
kill "$bob_monitor" "$alice_monitor" 2>/dev/null
wait "$bob_monitor" "$alice_monitor" 2>/dev/null
check "alice (group massage) may read properties" as alice busctl get-property org.massaged.Chair1 \
	/org/massaged/Chair1 org.massaged.Chair1 Seated
check "alice (group massage) may call Stop" as alice busctl call org.massaged.Chair1 \
	/org/massaged/Chair1 org.massaged.Chair1 Stop
# only root ends a pad's lockout after service: the policy denies it to the household
# ("Access denied" is the bus's word; massaged's own refusal says "Only root may ...")
check "alice (group massage) is refused Heater1.ResetLockout by the bus policy" refused_as alice busctl call \
	org.massaged.Chair1 /org/massaged/Chair1/heater/neck org.massaged.Heater1 ResetLockout
check "root may call Heater1.ResetLockout" busctl call org.massaged.Chair1 /org/massaged/Chair1/heater/neck \
	org.massaged.Heater1 ResetLockout
check "the chair goes idle" wait_for 20 state_is idle

# --- journal fields ----------------------------------------------------------------------
check "the journal has the program's start with MASSAGED_PROGRAM=neck" \
	journal_has "$test_start" MASSAGED_EVENT=program-started MASSAGED_PROGRAM=neck

# --- an administrator's stop sticks: no D-Bus activation ---------------------------------
check "the service is enabled: it starts at boot" test "$(systemctl is-enabled massaged.service)" = enabled
systemctl stop massaged.service
check "stopped: the service is inactive" test "$(unit ActiveState)" = inactive
check "alice's ListPrograms does not reach a stopped massaged" not as alice busctl call \
	org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 ListPrograms
check "nor does root's" not chair ListPrograms
sleep 1
check "and the service stays inactive" test "$(unit ActiveState)" = inactive
systemctl start massaged.service
check "systemctl start: active (running) again" active_running

# --- watchdog ----------------------------------------------------------------------------
pid=$(unit MainPID)
restarts=$(unit NRestarts)
t=$(now)
kill -STOP "$pid"
check "a SIGSTOPped massaged is killed by the watchdog and started again" wait_for 40 restarted
echo "# SIGSTOP to a new READY daemon: $(since "$t") s (WatchdogSec=$(unit WatchdogUSec))"
check "systemd counted a restart ($restarts -> $(unit NRestarts))" test "$(unit NRestarts)" -gt "$restarts"
check "systemd ran massaged --safe-state (ExecStopPost) before the new massaged was ready" \
	journal_order "$t" '^Safe state: ' '^Ready: '
check "the journal says why: watchdog" journal_says "$t" 'massaged.service: Watchdog timeout'

check "the chair answers again" wait_for 10 state_is idle

# --- reload ------------------------------------------------------------------------------
pid=$(unit MainPID)
sed 's/^Title=.*/Title=Evening/' /usr/share/massaged/programs/neck.program \
	>/etc/massaged/programs/evening.program
systemctl reload massaged.service
check "systemctl reload: the new program file evening is listed" wait_for 10 has_program evening
check "reload kept the same process" test "$(unit MainPID)" = "$pid"
printf '[Program]\nTitle=Broken\nNoSuchKey=1\n' >/etc/massaged/programs/broken.program
t=$(now)
systemctl reload massaged.service
check "a broken program file is reported with its name" wait_for 10 journal_says "$t" 'broken.program'
check "and the running set is kept: evening still there" has_program evening
check "and the broken one is not loaded" not has_program broken
check "alice starts evening" as alice busctl call org.massaged.Chair1 /org/massaged/Chair1 \
	org.massaged.Chair1 Start s evening
check "the chair runs evening" wait_for 10 program_is evening
rm -f /etc/massaged/programs/broken.program

# --- a fault, in the journal -------------------------------------------------------------
sim() { busctl call org.massaged.Chair1 /org/massaged/Simulator1 org.massaged.Simulator1 "$@"; }
t=$(now)
sim SetEmergencyStop b true
check "the emergency stop faults the chair" wait_for 10 state_is fault
check "the journal has the fault with MASSAGED_FAULT=estop" \
	wait_for 10 journal_has "$t" MASSAGED_EVENT=fault-raised MASSAGED_FAULT=estop
check "and the program's end with MASSAGED_PROGRAM=evening, MASSAGED_REASON=fault" \
	wait_for 10 journal_has "$t" MASSAGED_PROGRAM=evening MASSAGED_REASON=fault
sim SetEmergencyStop b false
check "released and cleared: idle again" clear_to_idle

# --- massaged-mqtt and Debian's mosquitto (guest-mqtt.sh) ---------------------------------
. ./guest-mqtt.sh

# --- stop with everything on -------------------------------------------------------------
chair SetHeat b true >/dev/null
chair Start s hot-stone >/dev/null
check "hot-stone runs with the motors and the heat on" wait_for 20 outputs_active MOTOR_POWER HEAT_POWER
outputs | diag
inv=$(unit InvocationID)
t=$(now)
systemctl stop massaged.service
echo "# systemctl stop: $(since "$t") s"
check "systemctl stop: inactive, exit status 0" stopped_cleanly
journalctl -q -o cat _SYSTEMD_INVOCATION_ID="$inv" >/tmp/last-run.log
tail -n 8 /tmp/last-run.log | diag
check "the simulated chair saw every output inactive at release" grep -q 'every output inactive at release' /tmp/last-run.log
check "and no output left active" not grep -q 'still active' /tmp/last-run.log

# --- the real chair: GPIO on a gpio-sim chip, Modbus over TCP to chair-sim ---------------
# The unit unchanged (no simulator drop-in): its user, groups, DeviceAllow and the rest
# of its sandbox must let massaged reach the chip and the bus, and --safe-state too.
usleep() { sleep "$(awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }')"; } # for chair-gpio.sh
rm /etc/systemd/system/massaged.service.d/simulate.conf
systemctl daemon-reload
insmod /test/configfs.ko && { mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config; } &&
	insmod /test/gpio-sim.ko || bail "configfs.ko and gpio-sim.ko did not load"
. ./chair-gpio.sh || bail "chair-gpio.sh could not create the gpio-sim chip"
udevadm settle
chip=$(gpio_chip_path)
check "the gpio-sim chip is $chip, the unit's DeviceAllow" test "$chip" = /dev/gpiochip0
check "our udev rule gave it to group gpio, mode 0660 ($(stat -c '%U:%G %a' "$chip"))" \
	test "$(stat -c '%G %a' "$chip")" = "gpio 660"
outputs="MOTOR_POWER HEAT_POWER HEAT_NECK HEAT_SHOULDERS HEAT_LOWER_BACK LED"
lines_read() { # VALUE LINE...: every line reads VALUE
	local v=$1 l
	shift
	for l in "$@"; do [[ $(line_value "$l") == "$v" ]] || return 1; done
}
# outputs pulled up while nobody drives them: a 0 can only come from massaged
for l in $outputs; do line_pull "$l" pull-up; done
mkfifo /tmp/sim.in
exec 3<>/tmp/sim.in # keeps chair-sim's stdin open
/test/chair-sim --tcp 1502 </tmp/sim.in >/tmp/sim.out 2>/tmp/sim.err &
wait_for 10 grep -q '^ready' /tmp/sim.out || bail "chair-sim did not start: $(cat /tmp/sim.err)"
state_lines_above() { (($(grep -c '^state' /tmp/sim.out) > $1)); }
roller_control() { # the roller board's CONTROL register, as chair-sim holds it
	local n
	n=$(grep -c '^state' /tmp/sim.out)
	echo state >&3
	wait_for 5 state_lines_above "$n" &&
		grep '^state' /tmp/sim.out | tail -n 1 | sed -n 's/.* control=\([0-9]*\).*/\1/p'
}
printf '%s\n' '[Modbus]' 'Transport=tcp' 'Host=127.0.0.1' 'Port=1502' \
	>/etc/massaged/massaged.conf.d/wiring.conf
t=$(now)
systemctl start massaged.service
check "the unchanged unit drives the chip and the bus: active (running)" active_running
journal_since "$t" | grep -E 'Ready|Failed|denied' | diag
check "every output inactive at start-up (the pulled-up lines read 0)" lines_read 0 $outputs
line_press SEAT
usleep 300000
chair SetHeat b true >/dev/null
chair Start s hot-stone >/dev/null
check "hot-stone: MOTOR_POWER and HEAT_POWER on the chip switch on" \
	wait_for 20 lines_read 1 MOTOR_POWER HEAT_POWER
check "the roller board is enabled over Modbus TCP (CONTROL $(roller_control))" \
	test "$(roller_control)" != 0
pid=$(unit MainPID)
t=$(now)
systemctl kill --signal=SIGKILL massaged.service
check "killed with everything on: --safe-state reached the chip and the board, then massaged restarted" \
	wait_for 30 journal_order "$t" '^Safe state: every output inactive, the roller board disabled' '^Ready: '
check "a new massaged is active" wait_for 10 restarted
journal_since "$t" | grep -E 'Safe state|Ready|Main process' | diag
check "it drives every output inactive again" wait_for 10 lines_read 0 $outputs
t=$(now)
check "root starts neck on the new massaged" chair Start s neck
if wait_for 20 lines_read 1 MOTOR_POWER; then
	ok "neck runs: MOTOR_POWER on"
else
	not_ok "neck runs: MOTOR_POWER on"
	{ prop State; journal_since "$t" | tail -n 20; tail -n 5 /tmp/sim.err; } | diag
fi
line_press ESTOP
check "the emergency stop on the chip faults the chair" wait_for 10 state_is fault
check "and MOTOR_POWER and HEAT_POWER on the chip are inactive" lines_read 0 MOTOR_POWER HEAT_POWER
line_release ESTOP
usleep 300000
check "released and cleared" clear_to_idle
t=$(now)
systemctl stop massaged.service
check "systemctl stop: inactive, exit status 0" stopped_cleanly
check "the roller board is disabled (CONTROL 0)" test "$(roller_control)" = 0
check "and --safe-state ran after the stop" journal_says "$t" '^Safe state: every output inactive'

echo "# the test took $(since "$test_start") s"
echo "1..$n"
echo "VM-EXIT=$failed"
