# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# daemon.sh: runs inside the VM of tests/kernel/vm-run (busybox sh). The real massaged,
# with its libgpiod v2 backend, on a gpio-sim chip named and laid out as docs/hardware.md,
# and tools/chair-sim serving the Modbus devices on a pty (115200 8E1). Prints TAP;
# exits nonzero when a check fails. Argument: how many emergency-stop presses to time.

presses=${1:-100}
# shellcheck source=tap.sh
. ./tap.sh
bail() {
	echo "Bail out! $*"
	diag </tmp/massaged.log
	exit 1
}

# shellcheck source=chair-gpio.sh
. ./chair-gpio.sh || bail "chair-gpio.sh could not create the gpio-sim chip"
chip=$(gpio_chip_path)
outputs="MOTOR_POWER HEAT_POWER HEAT_NECK HEAT_SHOULDERS HEAT_LOWER_BACK LED"
power_outputs="MOTOR_POWER HEAT_POWER HEAT_NECK HEAT_SHOULDERS HEAT_LOWER_BACK"
offsets() {
	_o=
	for _l in "$@"; do _o="$_o${_o:+,}$(gpio_line_offset "$_l")"; done
	echo "$_o"
}
all_read() { # VALUE LINE...: every line reads VALUE
	_v=$1
	shift
	for _l in "$@"; do [ "$(line_value "$_l")" = "$_v" ] || return 1; done
}
# Outputs pulled up while nobody drives them: a 0 can only come from massaged.
for l in $outputs; do line_pull "$l" pull-up; done

chair() { busctl call org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 "$@"; }
prop() { busctl get-property org.massaged.Chair1 /org/massaged/Chair1 org.massaged.Chair1 "$1"; }
wait_prop() { # NAME PATTERN SECONDS
	_t=$(($3 * 20))
	until prop "$1" 2>/dev/null | grep -q "$2"; do
		[ "$_t" -gt 0 ] || { echo "# $1 is $(prop "$1" 2>&1), not $2, after $3 s"; return 1; }
		_t=$((_t - 1))
		usleep 50000
	done
}

mkdir -p /run/dbus /tmp/state /dev/pts
mount -t devpts devpts /dev/pts 2>/dev/null # chair-sim's pty
dbus-daemon --config-file=/test/bus.conf --fork >/tmp/dbus 2>&1 || bail "dbus-daemon did not start"

mkfifo /tmp/sim.in
exec 3<>/tmp/sim.in # keeps chair-sim's stdin open
chair-sim --rtu /tmp/bus </tmp/sim.in >/tmp/sim.out 2>/tmp/sim.err &
t=100
until grep -q '^ready' /tmp/sim.out; do
	[ "$t" -gt 0 ] || bail "chair-sim did not start: $(cat /tmp/sim.err)"
	t=$((t - 1))
	usleep 50000
done

STATE_DIRECTORY=/tmp/state massaged --config /test/vm.conf >/tmp/massaged.log 2>&1 &
daemon=$!
t=200
until busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s org.massaged.Chair1 >/dev/null 2>&1; do
	kill -0 "$daemon" 2>/dev/null || bail "massaged exited"
	[ "$t" -gt 0 ] || bail "massaged did not own org.massaged.Chair1 in 10 s"
	t=$((t - 1))
	usleep 50000
done
diag </tmp/massaged.log

# --- start-up -------------------------------------------------------------------------------
check "every output is driven inactive at start-up" all_read 0 $outputs
gpioinfo -c "$chip" >/tmp/info 2>&1
check "massaged holds the six outputs as outputs" \
	[ "$(grep -c 'output consumer="massaged"' /tmp/info)" = 6 ]
check "and the ten inputs with both edges" \
	[ "$(grep 'input' /tmp/info | grep -c 'edges=both.*consumer="massaged"')" = 10 ]
grep 'ESTOP\|BTN_NECK\|SEAT' /tmp/info | diag

# --- a remote button starts a program ---------------------------------------------------------
line_press SEAT # sat down
usleep 100000
line_press BTN_NECK
usleep 100000
line_release BTN_NECK
check "the BTN_NECK press starts the neck program" wait_prop Program '"neck"' 5
check "State leaves idle" wait_prop State 'scanning\|running' 5
check "MOTOR_POWER switches on" line_wait MOTOR_POWER 1 5
echo stats >&3
usleep 500000
grep '^stats roller' /tmp/sim.out | tail -n 1 | diag
check "the rollers are driven over Modbus (chair-sim counts the board's requests)" \
	grep -q '^stats roller requests=[1-9]' /tmp/sim.out

# --- heater lines -------------------------------------------------------------------------------
chair SetHeat b true >/dev/null
check "SetHeat(true): HEAT_POWER switches on" line_wait HEAT_POWER 1 5
check "and the cold neck pad's relay HEAT_NECK switches on" line_wait HEAT_NECK 1 5
chair SetHeat b false >/dev/null
check "SetHeat(false): HEAT_NECK switches off" line_wait HEAT_NECK 0 5
check "and HEAT_POWER switches off" line_wait HEAT_POWER 0 5
chair SetHeat b true >/dev/null
line_wait HEAT_POWER 1 5

# --- the emergency stop -------------------------------------------------------------------------
line_press ESTOP
check "the ESTOP edge drives every power output inactive" all_read 0 $power_outputs
check "the status LED shows the fault" line_wait LED 1 2
check "Faults holds estop" wait_prop Faults estop 5
check "the program ended" wait_prop State fault 5
grep "Emergency stop" /tmp/massaged.log | diag
line_release ESTOP
usleep 50000
check "ClearFault after release" chair ClearFault
check "the LED goes dark" line_wait LED 0 2

vm-probe estop "$CHAIR_GPIO_SYSFS" "$presses" "$(gpio_line_offset ESTOP)" \
	"$(offsets $power_outputs)" >/tmp/estop 2>&1
status=$?
tail -n 3 /tmp/estop | diag
check "$presses timed emergency-stop presses, each drives every power output inactive" [ "$status" = 0 ]
grep '^estop ' /tmp/estop

# --- SIGTERM ------------------------------------------------------------------------------------
chair ClearFault >/dev/null 2>&1
chair StartManual ss knead neck >/dev/null
busctl call org.massaged.Chair1 /org/massaged/Chair1/heater/neck org.massaged.Heater1 SetTarget d 44 >/dev/null
line_wait MOTOR_POWER 1 5 && line_wait HEAT_POWER 1 5
vm-probe term "$CHAIR_GPIO_SYSFS" "$daemon" "$(offsets MOTOR_POWER HEAT_POWER)" >/tmp/term 2>&1
status=$?
diag </tmp/term
check "SIGTERM: MOTOR_POWER and HEAT_POWER driven inactive before release" [ "$status" = 0 ]
wait "$daemon"
code=$?
check "massaged exits 0 on SIGTERM (got $code)" [ "$code" = 0 ]
gpioinfo -c "$chip" >/tmp/info 2>&1
check "every line released" [ "$(grep -c 'consumer="massaged"' /tmp/info)" = 0 ]
grep -i 'modbus\|Received' /tmp/massaged.log | diag

echo "1..$n"
[ "$failed" -eq 0 ] || diag </tmp/massaged.log
[ "$failed" -eq 0 ]
