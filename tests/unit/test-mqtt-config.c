/* SPDX-License-Identifier: MIT */
/* massaged-mqtt's configuration (mqtt/mqtt-config.c): defaults, every key, every error
 * naming file and line, and the rule that refuses control on an anonymous remote broker. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-tap.h"
#include "test-files.h"
#include "bridge.h"
#include "mqtt-config.h"

static char tmp_root[256];
static char log_path[PATH_MAX];
static char conf_path[PATH_MAX];
static int saved_stderr = -1;

/* mqtt_config_load() logs its errors on stderr: into a file the tests read. */
static void setup(void)
{
	const char *base = getenv("TMPDIR");
	int fd;

	(void)unsetenv("JOURNAL_STREAM");
	(void)snprintf(tmp_root, sizeof(tmp_root), "%s/test-mqtt-config-XXXXXX", base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp_root));
	(void)snprintf(log_path, sizeof(log_path), "%s/log", tmp_root);
	(void)snprintf(conf_path, sizeof(conf_path), "%s/mqtt.conf", tmp_root);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	(void)close(fd);
}

static void teardown(void)
{
	fflush(stderr);
	if (saved_stderr >= 0) {
		(void)dup2(saved_stderr, STDERR_FILENO);
		(void)close(saved_stderr);
		saved_stderr = -1;
	}
	test_remove_tree(tmp_root);
}

static const char *tmp_file(const char *name, const char *content)
{
	const char *path = test_write_file(tmp_root, name, content);

	ck_assert_ptr_nonnull(path);
	return path;
}

/* What was logged since the last call. */
static const char *logged(void)
{
	static char text[4096];
	FILE *f;
	size_t n;

	fflush(stderr);
	f = fopen(log_path, "re");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	(void)fclose(f);
	ck_assert_int_eq(ftruncate(STDERR_FILENO, 0), 0);
	(void)lseek(STDERR_FILENO, 0, SEEK_SET);
	return text;
}

static int load(struct mqtt_config *cfg, const char *content)
{
	(void)tmp_file("mqtt.conf", content);
	(void)logged();
	return mqtt_config_load(cfg, conf_path);
}

/* content must be refused with an error on `line` that says `says`. */
static void assert_refused(const char *content, unsigned line, const char *says)
{
	struct mqtt_config cfg;
	char where[PATH_MAX + 16];
	const char *text;

	ck_assert_int_lt(load(&cfg, content), 0);
	text = logged();
	if (line)
		(void)snprintf(where, sizeof(where), "%s:%u: ", conf_path, line);
	else
		(void)snprintf(where, sizeof(where), "%s: ", conf_path);
	ck_assert_msg(strstr(text, where), "expected \"%s\" in: %s", where, text);
	ck_assert_msg(strstr(text, says), "expected \"%s\" in: %s", says, text);
	/* freed on failure: nothing left to free */
	ck_assert_ptr_null(cfg.host);
	ck_assert_ptr_null(cfg.chair_id);
}

START_TEST(test_defaults)
{
	struct mqtt_config cfg;
	char id[64], client_id[128];

	ck_assert_int_eq(load(&cfg, "# nothing set\n"), 0);
	ck_assert_str_eq(cfg.host, "localhost");
	ck_assert_uint_eq(cfg.port, 1883);
	ck_assert_ptr_null(cfg.username);
	ck_assert_ptr_null(cfg.password_file);
	ck_assert_ptr_null(cfg.ca_file);
	ck_assert_ptr_null(cfg.cert_file);
	ck_assert_ptr_null(cfg.key_file);
	ck_assert(!cfg.allow_anonymous);
	ck_assert_uint_eq(cfg.keepalive, 30);
	ck_assert_int_eq(mqtt_config_default_chair_id(id, sizeof(id)), 0);
	ck_assert_str_eq(cfg.chair_id, id);
	ck_assert(mqtt_config_chair_id_valid(cfg.chair_id));
	(void)snprintf(client_id, sizeof(client_id), "massaged-mqtt-%s", id);
	ck_assert_str_eq(cfg.client_id, client_id);
	ck_assert_str_eq(cfg.chair_name, "Massage chair");
	ck_assert_ptr_null(cfg.configuration_url);
	ck_assert(cfg.pad_watts == 0);
	ck_assert(cfg.discovery);
	ck_assert_str_eq(cfg.discovery_prefix, "homeassistant");
	ck_assert_str_eq(cfg.topic_prefix, "massaged");
	ck_assert(cfg.control);
	ck_assert(!cfg.allow_gentle_off);
	ck_assert_ptr_null(mqtt_config_refusal(&cfg));
	mqtt_config_free(&cfg);
	ck_assert_ptr_null(cfg.host);
}
END_TEST

START_TEST(test_every_key)
{
	char pw[PATH_MAX], text[PATH_MAX * 5];
	struct mqtt_config cfg;

	(void)snprintf(pw, sizeof(pw), "%s", tmp_file("password", "secret\n"));
	(void)snprintf(text, sizeof(text),
		       "[Broker]\n"
		       "Host = broker.example.org\n"
		       "  Port=1884\n"
		       "Username=chair1\n"
		       "PasswordFile=%s\n"
		       "CAFile=%s\n"
		       "CertFile=%s\n"
		       "KeyFile=%s\n"
		       "AllowAnonymous=true\n"
		       "KeepAlive=60\n"
		       "ClientId=spa-chair-1\n"
		       "[Chair]\n"
		       "Id=spa_1-b\n"
		       "Name=Room 1 chair\n"
		       "ConfigurationUrl=https://spa.example.org/chairs/1\n"
		       "PadWatts=45.5\n"
		       "[HomeAssistant]\n"
		       "Discovery=no\n"
		       "Prefix=ha/disc\n"
		       "[Topics]\n"
		       "Prefix=spa/chairs\n"
		       "[Control]\n"
		       "Enabled=0\n"
		       "AllowGentleOff=YES\n",
		       pw, pw, pw, pw);
	ck_assert_int_eq(load(&cfg, text), 0);
	ck_assert_str_eq(cfg.host, "broker.example.org");
	ck_assert_uint_eq(cfg.port, 1884);
	ck_assert_str_eq(cfg.username, "chair1");
	ck_assert_str_eq(cfg.password_file, pw);
	ck_assert_str_eq(cfg.ca_file, pw);
	ck_assert_str_eq(cfg.cert_file, pw);
	ck_assert_str_eq(cfg.key_file, pw);
	ck_assert(cfg.allow_anonymous);
	ck_assert_uint_eq(cfg.keepalive, 60);
	ck_assert_str_eq(cfg.client_id, "spa-chair-1");
	ck_assert_str_eq(cfg.chair_id, "spa_1-b");
	ck_assert_str_eq(cfg.chair_name, "Room 1 chair");
	ck_assert_str_eq(cfg.configuration_url, "https://spa.example.org/chairs/1");
	ck_assert_double_eq(cfg.pad_watts, 45.5);
	ck_assert(!cfg.discovery);
	ck_assert_str_eq(cfg.discovery_prefix, "ha/disc");
	ck_assert_str_eq(cfg.topic_prefix, "spa/chairs");
	ck_assert(!cfg.control);
	ck_assert(cfg.allow_gentle_off);
	mqtt_config_free(&cfg);
}
END_TEST

/* TLS moves the default port to 8883; a port given stays. */
START_TEST(test_tls_port)
{
	char ca[PATH_MAX], text[PATH_MAX * 2];
	struct mqtt_config cfg;

	(void)snprintf(ca, sizeof(ca), "%s", tmp_file("ca.pem", "not checked here\n"));
	(void)snprintf(text, sizeof(text), "[Broker]\nCAFile=%s\n", ca);
	ck_assert_int_eq(load(&cfg, text), 0);
	ck_assert_uint_eq(cfg.port, 8883);
	mqtt_config_free(&cfg);
	(void)snprintf(text, sizeof(text), "[Broker]\nPort=1883\nCAFile=%s\n", ca);
	ck_assert_int_eq(load(&cfg, text), 0);
	ck_assert_uint_eq(cfg.port, 1883);
	mqtt_config_free(&cfg);
}
END_TEST

static const struct bad_value {
	const char *text;
	unsigned line;
	const char *says;
} bad_values[] = {
	{ "[Broker]\nPort=0\n", 2, "Port=0: expected a whole number 1..65535" },
	{ "[Broker]\nPort=65536\n", 2, "expected a whole number 1..65535" },
	{ "[Broker]\nPort=18x\n", 2, "expected a whole number" },
	{ "[Broker]\nPort=-1\n", 2, "expected a whole number" },
	{ "[Broker]\nKeepAlive=4\n", 2, "KeepAlive=4: expected a whole number 5..3600" },
	{ "[Broker]\nHost=two words\n", 2, "expected a host name or address" },
	{ "[Broker]\nHost=\n", 2, "Host= is empty" },
	{ "[Broker]\nAllowAnonymous=maybe\n", 2, "AllowAnonymous=maybe: expected yes or no" },
	{ "[Broker]\nAllowAnonymous=on\n", 2, "expected yes or no" },
	{ "[Broker]\nPasswordFile=/nonexistent/pw\n", 2, "PasswordFile=/nonexistent/pw: cannot read it" },
	{ "[Broker]\nCAFile=/nonexistent/ca\n", 2, "cannot read it" },
	{ "[Broker]\nClientId="
	  "0123456789012345678901234567890123456789012345678901234567890123456789\n",
	  2, "ClientId: 70 characters, expected at most 64" },
	{ "# one\n[Chair]\nId=Living Room\n", 3, "Id=Living Room: expected 1..32 of a-z, 0-9, '_' and '-'" },
	{ "[Chair]\nId=ABC\n", 2, "expected 1..32 of a-z" },
	{ "[Chair]\nId=a/b\n", 2, "expected 1..32 of a-z" },
	{ "[Chair]\nId=a+b\n", 2, "expected 1..32 of a-z" },
	{ "[Chair]\nId=abcdefghijabcdefghijabcdefghijabc\n", 2, "expected 1..32 of a-z" },
	{ "[Chair]\nConfigurationUrl=ftp://x\n", 2, "expected an http:// or https:// URL" },
	{ "[Chair]\nPadWatts=-1\n", 2, "PadWatts=-1: expected a number 0..1000" },
	{ "[Chair]\nPadWatts=nan\n", 2, "expected a number 0..1000" },
	{ "[HomeAssistant]\nPrefix=home/+/x\n", 2, "Prefix=home/+/x: expected MQTT topic levels" },
	{ "[Topics]\nPrefix=a/#\n", 2, "expected MQTT topic levels" },
	{ "[Topics]\nPrefix=$SYS\n", 2, "expected MQTT topic levels" },
	{ "[Topics]\nPrefix=/massaged\n", 2, "expected MQTT topic levels" },
	{ "[Topics]\nPrefix=massaged/\n", 2, "expected MQTT topic levels" },
	{ "[Topics]\nPrefix=a//b\n", 2, "expected MQTT topic levels" },
	{ "[Control]\nEnabled=2\n", 2, "Enabled=2: expected yes or no" },
	{ "[Broker]\nHost=x\nHots=y\n", 3, "unknown key Hots= in [Broker]" },
	{ "[Broker]\n[Brokers]\nHost=x\n", 2, "unknown section [Brokers]" },
	{ "[Mqtt]\n", 1, "unknown section [Mqtt]" },
	{ "Host=x\n", 1, "Host= before any section" },
	{ "[Broker]\nnonsense\nHost=x y\n", 2, "syntax error" },
	{ "[Broker]\nHost\n", 2, "syntax error" },
	{ "[Broker\nHost=x\n", 1, "syntax error: a section header without its ']'" },
};

START_TEST(test_bad_value)
{
	assert_refused(bad_values[_i].text, bad_values[_i].line, bad_values[_i].says);
}
END_TEST

START_TEST(test_line_too_long)
{
	char text[512];

	(void)snprintf(text, sizeof(text), "[Chair]\nName=%0*d\n", MQTT_CONFIG_LINE_MAX, 0);
	assert_refused(text, 2, "line too long, expected at most 198 characters");
	/* the longest line is fine (and Name's own limit then speaks) */
	(void)snprintf(text, sizeof(text), "[Chair]\nName=%0*d\n", MQTT_CONFIG_LINE_MAX - 5, 0);
	assert_refused(text, 2, "Name: 193 characters, expected at most 64");
}
END_TEST

/* The checks across keys: no line of their own, the file named. */
START_TEST(test_cross_keys)
{
	char pem[PATH_MAX], text[PATH_MAX * 3];

	(void)snprintf(pem, sizeof(pem), "%s", tmp_file("x.pem", "x\n"));
	(void)snprintf(text, sizeof(text), "[Broker]\nCAFile=%s\nCertFile=%s\n", pem, pem);
	assert_refused(text, 0, "[Broker] CertFile= without KeyFile=");
	(void)snprintf(text, sizeof(text), "[Broker]\nCertFile=%s\nKeyFile=%s\n", pem, pem);
	assert_refused(text, 0, "[Broker] CertFile= without CAFile=");
	(void)snprintf(text, sizeof(text), "[Broker]\nPasswordFile=%s\n", pem);
	assert_refused(text, 0, "[Broker] PasswordFile= without Username=");
}
END_TEST

START_TEST(test_missing_file)
{
	struct mqtt_config cfg;
	char path[PATH_MAX + 16];

	(void)snprintf(path, sizeof(path), "%s/none.conf", tmp_root);
	(void)logged();
	ck_assert_int_eq(mqtt_config_load(&cfg, path), -ENOENT);
	ck_assert_ptr_nonnull(strstr(logged(), "none.conf: cannot open the configuration: No such file"));
}
END_TEST

START_TEST(test_loopback)
{
	static const char *const loopback[] = { "localhost", "LOCALHOST", "localhost.",      "127.0.0.1",
						"127.1.2.3", "::1",       "::ffff:127.0.0.1" };
	static const char *const remote[] = { "broker",      "localhost.example.org", "128.0.0.1",
					      "10.0.0.1",    "192.168.1.2",           "::2",
					      "fe80::1",     "::ffff:10.0.0.1",       "0.0.0.0",
					      "my-localhost" };

	for (size_t i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		ck_assert_msg(mqtt_config_host_is_loopback(loopback[i]), "%s", loopback[i]);
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		ck_assert_msg(!mqtt_config_host_is_loopback(remote[i]), "%s", remote[i]);
}
END_TEST

static const struct refusal_case {
	const char *text;
	bool refused;
} refusal_cases[] = {
	/* anonymous, control on, remote: refused */
	{ "[Broker]\nHost=broker.lan\n", true },
	{ "[Broker]\nHost=192.168.1.10\n[Control]\nEnabled=yes\n", true },
	/* loopback is fine */
	{ "[Broker]\nHost=127.0.0.1\n", false },
	{ "[Broker]\nHost=::1\n", false },
	{ "", false },
	/* said explicitly */
	{ "[Broker]\nHost=broker.lan\nAllowAnonymous=yes\n", false },
	/* a user name */
	{ "[Broker]\nHost=broker.lan\nUsername=chair\n", false },
	/* no control: state only */
	{ "[Broker]\nHost=broker.lan\n[Control]\nEnabled=no\n", false },
};

START_TEST(test_refusal)
{
	const struct refusal_case *rc = &refusal_cases[_i];
	struct mqtt_config cfg;
	const char *why;

	ck_assert_int_eq(load(&cfg, rc->text), 0);
	why = mqtt_config_refusal(&cfg);
	if (rc->refused) {
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_nonnull(strstr(why, "AllowAnonymous=yes"));
		ck_assert_ptr_nonnull(strstr(why, "Username="));
	} else {
		ck_assert_msg(!why, "%s refused: %s", rc->text, why);
	}
	mqtt_config_free(&cfg);
}
END_TEST

/* A client certificate is credentials too. */
START_TEST(test_refusal_client_cert)
{
	char pem[PATH_MAX], text[PATH_MAX * 4];
	struct mqtt_config cfg;

	(void)snprintf(pem, sizeof(pem), "%s", tmp_file("c.pem", "x\n"));
	(void)snprintf(text, sizeof(text), "[Broker]\nHost=broker.lan\nCAFile=%s\n", pem);
	ck_assert_int_eq(load(&cfg, text), 0);
	ck_assert_ptr_nonnull(mqtt_config_refusal(&cfg)); /* TLS alone does not say who we are */
	mqtt_config_free(&cfg);
	(void)snprintf(text, sizeof(text), "[Broker]\nHost=broker.lan\nCAFile=%s\nCertFile=%s\nKeyFile=%s\n", pem, pem,
		       pem);
	ck_assert_int_eq(load(&cfg, text), 0);
	ck_assert_ptr_null(mqtt_config_refusal(&cfg));
	mqtt_config_free(&cfg);
}
END_TEST

/* The example installed as /etc/massaged/mqtt.conf loads and changes nothing. */
START_TEST(test_example_config)
{
	struct mqtt_config cfg, defaults;

	ck_assert_int_eq(mqtt_config_load(&cfg, SOURCE_ROOT "/config/mqtt.conf"), 0);
	ck_assert_int_eq(load(&defaults, ""), 0);
	ck_assert_str_eq(cfg.host, defaults.host);
	ck_assert_uint_eq(cfg.port, defaults.port);
	ck_assert_str_eq(cfg.chair_id, defaults.chair_id);
	ck_assert_str_eq(cfg.topic_prefix, defaults.topic_prefix);
	ck_assert(cfg.control == defaults.control);
	mqtt_config_free(&cfg);
	mqtt_config_free(&defaults);
}
END_TEST

START_TEST(test_validators)
{
	bool b;

	ck_assert(mqtt_config_chair_id_valid("a"));
	ck_assert(mqtt_config_chair_id_valid("abcdefghijabcdefghijabcdefghij-_"));
	ck_assert(!mqtt_config_chair_id_valid(""));
	ck_assert(mqtt_config_prefix_valid("massaged"));
	ck_assert(mqtt_config_prefix_valid("a/b/c"));
	ck_assert(!mqtt_config_prefix_valid(""));
	ck_assert_int_eq(mqtt_config_parse_bool("True", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(mqtt_config_parse_bool("0", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(mqtt_config_parse_bool("", &b), -EINVAL);
}
END_TEST

static Suite *mqtt_config_suite(void)
{
	Suite *s = suite_create("mqtt-config");
	TCase *tc = tcase_create("mqtt-config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_tls_port);
	tcase_add_loop_test(tc, test_bad_value, 0, (int)(sizeof(bad_values) / sizeof(bad_values[0])));
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_cross_keys);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_loopback);
	tcase_add_loop_test(tc, test_refusal, 0, (int)(sizeof(refusal_cases) / sizeof(refusal_cases[0])));
	tcase_add_test(tc, test_refusal_client_cert);
	tcase_add_test(tc, test_example_config);
	tcase_add_test(tc, test_validators);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(mqtt_config_suite());
}
