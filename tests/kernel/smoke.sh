# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# smoke.sh: runs inside the VM of tests/kernel/vm-run (busybox sh) and proves the
# stack the kernel suite stands on: the gpio-sim chip with the chair's line names, the
# libgpiod v2 tools driving and reading it, an input edge made from sysfs, and a
# system-style D-Bus. Prints TAP; exits nonzero when a check fails. meson's
# 'kernel-smoke' runs it as:
#
#   vm-run --add tests/kernel/chair-gpio.sh:/test/ --add tests/kernel/bus.conf:/test/ \
#     --add-elf gpioinfo --add-elf gpiodetect --add-elf gpioset --add-elf gpioget \
#     --add-elf gpiomon --add-elf dbus-daemon --add-elf busctl --script smoke.sh

# shellcheck source=tap.sh
. ./tap.sh

# shellcheck source=chair-gpio.sh
if ! . ./chair-gpio.sh; then
	echo "Bail out! chair-gpio.sh could not create the gpio-sim chip"
	exit 1
fi
chip=$(gpio_chip_path)
echo "# chip $chip, sysfs $CHAIR_GPIO_SYSFS"

# wait_consumer LINE CONSUMER: until gpioinfo shows the line requested by CONSUMER (5 s)
wait_consumer() {
	_t=100
	until gpioinfo -c "$chip" "$1" 2>/dev/null | grep -q "consumer=\"$2\""; do
		[ "$_t" -gt 0 ] || { echo "# $1 not requested by $2 after 5 s"; return 1; }
		_t=$((_t - 1))
		usleep 50000
	done
}
# output_of LINE CONSUMER: the line is an output requested by CONSUMER
output_of() {
	gpioinfo -c "$chip" "$1" | grep -q "output consumer=\"$2\""
}
# wait_exit PID SECONDS: until the process is gone; 1 if it is still there
wait_exit() {
	_t=$(($2 * 20))
	while kill -0 "$1" 2>/dev/null; do
		[ "$_t" -gt 0 ] || return 1
		_t=$((_t - 1))
		usleep 50000
	done
}

# --- 1-2: the chip -------------------------------------------------------------------------
gpioinfo -c "$chip" >/tmp/info 2>&1
diag </tmp/info
names=$(awk -F'"' '/^[[:space:]]*line / {printf "%s ", $2}' /tmp/info)
# The chair's default wiring (config/massaged.conf), written out: not chair-gpio.sh's list.
want="ESTOP SEAT BTN_POWER BTN_NECK BTN_SHOULDER BTN_BACK BTN_PAUSE BTN_UP BTN_DOWN BTN_HEAT \
MOTOR_POWER HEAT_POWER HEAT_NECK HEAT_SHOULDERS HEAT_LOWER_BACK LED "
header=$(head -n 1 /tmp/info)
if [ "$names" = "$want" ] && [ "$header" = "${chip#/dev/} - 16 lines:" ]; then
	ok "gpioinfo lists the 16 lines of the chair in order"
else
	echo "# want: $want"
	echo "# got:  $names"
	not_ok "gpioinfo lists the 16 lines of the chair in order"
fi
gpiodetect >/tmp/detect 2>&1
diag </tmp/detect
check "gpiodetect shows the chip labelled $CHAIR_GPIO_LABEL" \
	grep -q "^${chip#/dev/} \[$CHAIR_GPIO_LABEL\] (16 lines)" /tmp/detect

# --- 3-5: an output: requested at 0 by gpioset, then set to 1 ------------------------------
# Pulled up first, so that the 0 can only come from gpioset driving the line. gpioset
# holds 0 for 2 s, toggles to 1 and holds that for a minute.
line_pull MOTOR_POWER pull-up
gpioset -c "$chip" -C smoke -t 2s,60s MOTOR_POWER=0 &
setpid=$!
if wait_consumer MOTOR_POWER smoke; then
	check "MOTOR_POWER requested at 0 by gpioset reads 0 (line_value)" line_wait MOTOR_POWER 0 1
	check "MOTOR_POWER reads 1 once gpioset sets 1" line_wait MOTOR_POWER 1 10
	check "MOTOR_POWER is still an output of gpioset" output_of MOTOR_POWER smoke
else
	not_ok "MOTOR_POWER requested at 0 by gpioset reads 0 (line_value)"
	not_ok "MOTOR_POWER reads 1 once gpioset sets 1"
	not_ok "MOTOR_POWER is still an output of gpioset"
fi
kill "$setpid" 2>/dev/null
wait "$setpid" 2>/dev/null

# --- 6-7: an input read by gpioget follows the pull ----------------------------------------
v1=$(gpioget -c "$chip" --numeric ESTOP 2>&1)
line_pull ESTOP pull-down
v0=$(gpioget -c "$chip" --numeric ESTOP 2>&1)
line_pull ESTOP pull-up
check "gpioget reads ESTOP pulled up as 1 (got '$v1')" [ "$v1" = 1 ]
check "gpioget reads ESTOP pulled down as 0 (got '$v0')" [ "$v0" = 0 ]

# --- 8: an input edge seen by gpiomon ------------------------------------------------------
gpiomon -c "$chip" -e falling -n 1 BTN_NECK >/tmp/mon 2>&1 &
monpid=$!
if wait_consumer BTN_NECK gpiomon; then
	line_press BTN_NECK
	if wait_exit "$monpid" 5; then
		diag </tmp/mon
		check "gpiomon sees BTN_NECK fall after line_pull BTN_NECK pull-down" \
			grep -q 'falling.*"BTN_NECK"' /tmp/mon
	else
		not_ok "gpiomon sees BTN_NECK fall after line_pull BTN_NECK pull-down (no event in 5 s)"
	fi
else
	not_ok "gpiomon sees BTN_NECK fall after line_pull BTN_NECK pull-down (gpiomon did not start)"
fi
kill "$monpid" 2>/dev/null
wait "$monpid" 2>/dev/null
line_release BTN_NECK

# --- 9-10: D-Bus ---------------------------------------------------------------------------
mkdir -p /run/dbus
bus=unix:path=/run/dbus/system_bus_socket
if dbus-daemon --config-file=/test/bus.conf --fork >/tmp/dbus 2>&1; then
	ok "dbus-daemon starts a system-style bus on /run/dbus"
	busctl --address="$bus" call org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus ListNames >/tmp/names 2>&1
	diag </tmp/names
	check "busctl ListNames answers" grep -q '^as [0-9]* .*"org.freedesktop.DBus"' /tmp/names
	kill "$(cat /run/dbus/pid)" 2>/dev/null
else
	diag </tmp/dbus
	not_ok "dbus-daemon starts a system-style bus on /run/dbus"
	not_ok "busctl ListNames answers"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
