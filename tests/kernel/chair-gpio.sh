# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# chair-gpio.sh: the chair's GPIO chip, simulated by gpio-sim, for scripts that run
# inside tests/kernel/vm-run (busybox sh). Source it:
#
#   . ./chair-gpio.sh || exit 1     # vm-run --add tests/kernel/chair-gpio.sh:/test/
#
# Sourcing creates one gpio-sim chip through configfs (unless it exists already) with
# one bank of 16 lines named as the chair's default wiring (config/massaged.conf), in
# this order:
#   0 ESTOP, 1 SEAT, 2 BTN_POWER, 3 BTN_NECK, 4 BTN_SHOULDER, 5 BTN_BACK, 6 BTN_PAUSE,
#   7 BTN_UP, 8 BTN_DOWN, 9 BTN_HEAT, 10 MOTOR_POWER, 11 HEAT_POWER, 12 HEAT_NECK,
#   13 HEAT_SHOULDERS, 14 HEAT_LOWER_BACK, 15 LED
# labelled $CHAIR_GPIO_LABEL (default massaged-chair). All inputs (ESTOP, SEAT and the
# buttons, all active low) start pulled up: released, nobody seated. Then:
#
#   gpio_chip_path             /dev/gpiochipN of the chip
#   gpio_line_offset NAME      the line's offset
#   line_value NAME            0/1: what the program drives on an output (gpio-sim
#                              reports it only while the line is requested; otherwise
#                              the pull); on an input, the level it reads
#   line_pull NAME pull-up|pull-down
#                              set the simulated level of an input: makes an edge
#   line_press NAME            line_pull NAME pull-down (active-low button pressed)
#   line_release NAME          line_pull NAME pull-up
#   line_wait NAME VALUE [SECONDS]
#                              wait until line_value NAME is VALUE (default 5 s,
#                              polling every 10 ms); status 1 and a message on timeout
#   chair_gpio_remove          take the chip down again
#
# The functions print to stderr and return nonzero on an unknown line name.

CHAIR_GPIO_LINES="ESTOP SEAT BTN_POWER BTN_NECK BTN_SHOULDER BTN_BACK BTN_PAUSE BTN_UP BTN_DOWN BTN_HEAT MOTOR_POWER HEAT_POWER HEAT_NECK HEAT_SHOULDERS HEAT_LOWER_BACK LED"
CHAIR_GPIO_INPUTS="ESTOP SEAT BTN_POWER BTN_NECK BTN_SHOULDER BTN_BACK BTN_PAUSE BTN_UP BTN_DOWN BTN_HEAT"
: "${CHAIR_GPIO_LABEL:=massaged-chair}"
CHAIR_GPIO_CONFIG=/sys/kernel/config/gpio-sim/chair

gpio_line_offset() {
	_cg_k=0
	for _cg_n in $CHAIR_GPIO_LINES; do
		if [ "$_cg_n" = "$1" ]; then
			echo "$_cg_k"
			return 0
		fi
		_cg_k=$((_cg_k + 1))
	done
	echo "chair-gpio: no line named '$1'" >&2
	return 1
}

gpio_chip_path() {
	echo "/dev/$(cat "$CHAIR_GPIO_CONFIG/bank0/chip_name")"
}

# sysfs folder of line NAME in gpio-sim's device (holds value and pull)
_chair_gpio_sim() {
	_cg_off=$(gpio_line_offset "$1") || return 1
	echo "$CHAIR_GPIO_SYSFS/sim_gpio$_cg_off"
}

line_value() {
	_cg_d=$(_chair_gpio_sim "$1") || return 1
	cat "$_cg_d/value"
}

line_pull() {
	case $2 in
	pull-up | pull-down) ;;
	*) echo "chair-gpio: line_pull $1: '$2' is neither pull-up nor pull-down" >&2; return 1 ;;
	esac
	_cg_d=$(_chair_gpio_sim "$1") || return 1
	echo "$2" >"$_cg_d/pull"
}

line_press() { line_pull "$1" pull-down; }
line_release() { line_pull "$1" pull-up; }

line_wait() {
	_cg_d=$(_chair_gpio_sim "$1") || return 1
	_cg_left=$((${3:-5} * 100))
	while :; do
		_cg_v=$(cat "$_cg_d/value")
		[ "$_cg_v" = "$2" ] && return 0
		if [ "$_cg_left" -le 0 ]; then
			echo "chair-gpio: $1 still $_cg_v, not $2, after ${3:-5} s" >&2
			return 1
		fi
		_cg_left=$((_cg_left - 1))
		usleep 10000
	done
}

chair_gpio_remove() {
	[ -d "$CHAIR_GPIO_CONFIG" ] || return 0
	echo 0 >"$CHAIR_GPIO_CONFIG/live"
	for _cg_l in "$CHAIR_GPIO_CONFIG"/bank0/line*; do
		[ -d "$_cg_l" ] && rmdir "$_cg_l"
	done
	rmdir "$CHAIR_GPIO_CONFIG/bank0" "$CHAIR_GPIO_CONFIG"
}

_chair_gpio_create() {
	if [ ! -d /sys/kernel/config/gpio-sim ]; then
		echo "chair-gpio: no /sys/kernel/config/gpio-sim (configfs mounted, gpio-sim.ko loaded?)" >&2
		return 1
	fi
	if [ ! -d "$CHAIR_GPIO_CONFIG" ] || [ "$(cat "$CHAIR_GPIO_CONFIG/live")" != 1 ]; then
		_cg_b=$CHAIR_GPIO_CONFIG/bank0
		mkdir -p "$_cg_b" || return 1
		echo 16 >"$_cg_b/num_lines" || return 1
		echo "$CHAIR_GPIO_LABEL" >"$_cg_b/label" || return 1
		_cg_k=0
		for _cg_n in $CHAIR_GPIO_LINES; do
			mkdir -p "$_cg_b/line$_cg_k" && echo "$_cg_n" >"$_cg_b/line$_cg_k/name" || return 1
			_cg_k=$((_cg_k + 1))
		done
		echo 1 >"$CHAIR_GPIO_CONFIG/live" || return 1
	fi
	CHAIR_GPIO_SYSFS=/sys/devices/platform/$(cat "$CHAIR_GPIO_CONFIG/dev_name")/$(cat "$CHAIR_GPIO_CONFIG/bank0/chip_name")
	_cg_left=100
	until [ -c "$(gpio_chip_path)" ] && [ -d "$CHAIR_GPIO_SYSFS/sim_gpio0" ]; do
		if [ "$_cg_left" -le 0 ]; then
			echo "chair-gpio: $(gpio_chip_path) or $CHAIR_GPIO_SYSFS did not appear" >&2
			return 1
		fi
		_cg_left=$((_cg_left - 1))
		usleep 10000
	done
	for _cg_n in $CHAIR_GPIO_INPUTS; do
		line_pull "$_cg_n" pull-up || return 1
	done
}

_chair_gpio_create
