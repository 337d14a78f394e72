# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# guest-mqtt.sh: sourced by guest-test.sh (same helpers, same TAP counter) while the
# simulated massaged runs. The installed massaged-mqtt under systemd against Debian's
# mosquitto on 127.0.0.1 with a password file: its unit and user, availability,
# discovery, a command through the broker to massaged's property, a refusal on the
# error topic, the bus policy over the bridge's user (ResetLockout), massaged stopped
# and started again under it. Leaves the bridge stopped and massaged running.

mqtt_unit() { systemctl show -P "$1" massaged-mqtt.service; }
chair_id=vm
B=massaged/$chair_id
watcher_pw=watcher-secret
# a retained topic's value, or nothing after 2 s
retained() { mosquitto_sub -h 127.0.0.1 -u watcher -P "$watcher_pw" -t "$1" -C 1 -W 2 2>/dev/null; }
topic_is() { [[ $(retained "$1") == "$2" ]]; }
mqtt_pub() { mosquitto_pub -h 127.0.0.1 -u watcher -P "$watcher_pw" -q 1 -t "$1" -m "$2"; }
intensity_is() { prop Intensity 2>/dev/null | grep -qx "u $1"; }
mqtt_journal() { journalctl -q -o cat -u massaged-mqtt.service --no-pager; }
mqtt_bail() {
	mqtt_journal | tail -n 30 | diag
	journalctl -q -o cat -u mosquitto.service --no-pager | tail -n 10 | diag
	bail "$@"
}

if [[ ! -x /usr/sbin/massaged-mqtt ]]; then
	ok "massaged-mqtt # SKIP not built (no libmosquitto-dev where the root was installed from)"
	return 0
fi
mqtt_start=$(now)
t=$mqtt_start

# --- the broker: Debian's mosquitto, loopback only, a password for each client ------------
rm -f /etc/mosquitto/passwd
mosquitto_passwd -c -b /etc/mosquitto/passwd massaged-mqtt bridge-secret &&
	mosquitto_passwd -b /etc/mosquitto/passwd watcher "$watcher_pw" || mqtt_bail "mosquitto_passwd failed"
chown root:mosquitto /etc/mosquitto/passwd && chmod 0640 /etc/mosquitto/passwd
printf '%s\n' 'listener 1883 127.0.0.1' 'allow_anonymous false' 'password_file /etc/mosquitto/passwd' \
	>/etc/mosquitto/conf.d/massaged-test.conf
systemctl restart mosquitto.service || mqtt_bail "mosquitto did not start"

# --- the bridge, as an administrator sets it up -------------------------------------------
printf '%s\n' bridge-secret >/etc/massaged/mqtt.password
chown root:massaged-mqtt /etc/massaged/mqtt.password && chmod 0640 /etc/massaged/mqtt.password ||
	mqtt_bail "no group massaged-mqtt (sysusers)"
printf '%s\n' '[Broker]' 'Host=127.0.0.1' 'Port=1883' 'Username=massaged-mqtt' \
	'PasswordFile=/etc/massaged/mqtt.password' '[Chair]' "Id=$chair_id" 'Name=VM chair' \
	'[HomeAssistant]' 'Discovery=yes' '[Topics]' 'Prefix=massaged' >/etc/massaged/mqtt.conf
systemctl enable --now massaged-mqtt.service 2>&1 | diag
echo "# broker and bridge set up and started: $(since "$t") s"

systemd-analyze verify --man=no massaged-mqtt.service >/tmp/mqtt-verify.out 2>&1
verified=$?
diag </tmp/mqtt-verify.out
check "systemd-analyze verify has nothing to say about massaged-mqtt.service" \
	test "$verified $(wc -c </tmp/mqtt-verify.out)" = "0 0"
check "massaged-mqtt.service is active (running)" \
	test "$(mqtt_unit ActiveState) $(mqtt_unit SubState)" = "active running"
bridge_pid=$(mqtt_unit MainPID)
check "it runs as user massaged-mqtt" test "$(stat -c %U "/proc/$bridge_pid")" = massaged-mqtt
check "in group massage ($(grep '^Groups:' "/proc/$bridge_pid/status"))" in_groups "$bridge_pid" massage
check "with no capabilities, no new privileges, a seccomp filter" unprivileged "$bridge_pid"
t=$(now)
check "$B/bridge is online (retained)" wait_for 20 topic_is "$B/bridge" online
check "$B/daemon is online: massaged is on the bus" wait_for 10 topic_is "$B/daemon" online
echo "# from the bridge's start to both online: $(since "$t") s more"
retained homeassistant/number/$chair_id/intensity/config >/tmp/discovery.json
diag </tmp/discovery.json
check "the discovery config of the intensity number is retained, with its unique_id" \
	grep -q "\"unique_id\": *\"massaged_${chair_id}_intensity\"" /tmp/discovery.json
check "and a climate entity for the neck pad" test -n "$(retained homeassistant/climate/$chair_id/pad_neck/config)"

# --- a command through the broker ---------------------------------------------------------
level=2
intensity_is 2 && level=3
t=$(now)
mqtt_pub "$B/intensity/set" "$level"
check "$B/intensity/set $level: massaged's Intensity is $level (busctl)" wait_for 10 intensity_is "$level"
echo "# command to property: $(since "$t") s"
check "and $B/intensity shows $level" wait_for 10 topic_is "$B/intensity" "$level"
# a refusal comes back on the error topic; the subscription must exist before the
# command, so the command is sent again until the error is seen (9 changes nothing)
mosquitto_sub -h 127.0.0.1 -u watcher -P "$watcher_pw" -t "$B/error" -C 1 -W 20 >/tmp/mqtt-error.out 2>&1 &
error_sub=$!
refused_on_error_topic() {
	mqtt_pub "$B/intensity/set" 9
	wait_for 1 test -s /tmp/mqtt-error.out
}
check "$B/intensity/set 9 is refused on $B/error with massaged's error name" \
	wait_for 15 refused_on_error_topic
wait "$error_sub" 2>/dev/null
diag </tmp/mqtt-error.out
check "the error is InvalidArgs" grep -q 'org.freedesktop.DBus.Error.InvalidArgs' /tmp/mqtt-error.out
check "and Intensity stays $level" intensity_is "$level"

# --- the bus policy holds for the bridge's user --------------------------------------------
check "the bridge's user is refused Heater1.ResetLockout by the bus policy" refused_as massaged-mqtt busctl \
	call org.massaged.Chair1 /org/massaged/Chair1/heater/neck org.massaged.Heater1 ResetLockout

# --- massaged stopped and started under the bridge -----------------------------------------
t=$(now)
systemctl stop massaged.service
check "massaged stopped: $B/daemon is offline" wait_for 15 topic_is "$B/daemon" offline
echo "# stop to offline: $(since "$t") s"
check "the bridge keeps running (same process)" test "$(mqtt_unit MainPID)" = "$bridge_pid"
check "and $B/bridge stays online" topic_is "$B/bridge" online
t=$(now)
systemctl start massaged.service
check "massaged started again: $B/daemon is online" wait_for 15 topic_is "$B/daemon" online
echo "# start to online: $(since "$t") s"
level=$((5 - level)) # 2 <-> 3
mqtt_pub "$B/intensity/set" "$level"
check "a command reaches the new massaged: Intensity $level" wait_for 10 intensity_is "$level"

# --- the bridge stopped -------------------------------------------------------------------
systemctl stop massaged-mqtt.service
check "systemctl stop massaged-mqtt: inactive, exit status 0" \
	test "$(mqtt_unit ActiveState) $(mqtt_unit ExecMainStatus)" = "inactive 0"
check "$B/bridge is offline (retained)" topic_is "$B/bridge" offline
check "massaged went on without it" active_running
mqtt_journal | tail -n 8 | diag
echo "# the massaged-mqtt part took $(since "$mqtt_start") s"
