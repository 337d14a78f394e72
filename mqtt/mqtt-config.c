/* SPDX-License-Identifier: MIT */
/* massaged-mqtt's configuration: the defaults, one INI file read with inih, each value
 * checked on its own and the keys checked together; every error names the file and line. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bridge.h"
#include "log.h"
#include "macro.h"
#include "mqtt-config.h"

#define PREFIX_MAX 64
#define CHAIR_ID_MAX 32

enum key_type {
	KEY_STRING,   /* any text, not empty */
	KEY_HOST,     /* a host name or address: no blanks */
	KEY_PORT,     /* 1..65535 */
	KEY_UINT,     /* min..max */
	KEY_BOOL,     /* yes/no/true/false/1/0 */
	KEY_FILE,     /* a file we can read */
	KEY_CHAIR_ID, /* [a-z0-9_-]{1,32} */
	KEY_PREFIX,   /* MQTT topic levels: no + #, not starting with $ */
	KEY_DOUBLE,   /* min..max */
	KEY_URL,      /* http:// or https:// */
};

struct config_key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	double min, max;
};

#define FIELD(f) offsetof(struct mqtt_config, f)

static const struct config_key config_keys[] = {
	{ "Broker", "Host", KEY_HOST, FIELD(host), 0, 0 },
	{ "Broker", "Port", KEY_PORT, FIELD(port), 1, 65535 },
	{ "Broker", "Username", KEY_STRING, FIELD(username), 0, 0 },
	{ "Broker", "PasswordFile", KEY_FILE, FIELD(password_file), 0, 0 },
	{ "Broker", "CAFile", KEY_FILE, FIELD(ca_file), 0, 0 },
	{ "Broker", "CertFile", KEY_FILE, FIELD(cert_file), 0, 0 },
	{ "Broker", "KeyFile", KEY_FILE, FIELD(key_file), 0, 0 },
	{ "Broker", "AllowAnonymous", KEY_BOOL, FIELD(allow_anonymous), 0, 0 },
	{ "Broker", "KeepAlive", KEY_UINT, FIELD(keepalive), 5, 3600 },
	{ "Broker", "ClientId", KEY_STRING, FIELD(client_id), 1, 64 },
	{ "Chair", "Id", KEY_CHAIR_ID, FIELD(chair_id), 0, 0 },
	{ "Chair", "Name", KEY_STRING, FIELD(chair_name), 1, 64 },
	{ "Chair", "ConfigurationUrl", KEY_URL, FIELD(configuration_url), 0, 0 },
	{ "Chair", "PadWatts", KEY_DOUBLE, FIELD(pad_watts), 0, 1000 },
	{ "HomeAssistant", "Discovery", KEY_BOOL, FIELD(discovery), 0, 0 },
	{ "HomeAssistant", "Prefix", KEY_PREFIX, FIELD(discovery_prefix), 0, 0 },
	{ "Topics", "Prefix", KEY_PREFIX, FIELD(topic_prefix), 0, 0 },
	{ "Control", "Enabled", KEY_BOOL, FIELD(control), 0, 0 },
	{ "Control", "AllowGentleOff", KEY_BOOL, FIELD(allow_gentle_off), 0, 0 },
};

struct parser {
	struct mqtt_config *cfg;
	const char *path;
	FILE *f;
	unsigned line; /* the line inih is parsing now */
	unsigned port_line;
	int error; /* the first one, negative errno, already logged */
	bool port_set;
	char buf[MQTT_CONFIG_LINE_MAX + 2];
};

static int config_error(struct parser *p, unsigned line, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int config_error(struct parser *p, unsigned line, int r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		log_error("%s:%u: %s", p->path, line, msg);
	else
		log_error("%s: %s", p->path, msg);
	if (!p->error)
		p->error = r;
	return r;
}

static bool str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(s, *list) == 0)
			return true;
	return false;
}

int mqtt_config_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "1", NULL }, *const no[] = { "no", "false", "0", NULL };

	if (str_in(s, yes))
		*ret = true;
	else if (str_in(s, no))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

bool mqtt_config_chair_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CHAIR_ID_MAX)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '-'))
			return false;
	return true;
}

bool mqtt_config_prefix_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PREFIX_MAX || s[0] == '$' || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
		return false;
	for (; *s; s++)
		if (*s == '+' || *s == '#' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The host name made into a chair id: lower case, anything else '-', at most 32. */
int mqtt_config_default_chair_id(char *buf, size_t size)
{
	char host[256] = "";
	size_t n = 0;

	if (gethostname(host, sizeof(host) - 1) < 0 || host[0] == '\0')
		(void)snprintf(host, sizeof(host), "chair");
	for (const char *h = host; *h && n < CHAIR_ID_MAX && n + 1 < size; h++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*h);

		buf[n++] = (islower(c) || isdigit(c) || c == '_' || c == '-') ? (char)c : '-';
	}
	buf[n] = '\0';
	return n ? 0 : -EINVAL;
}

static int set_string(char **field, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int parse_value(struct parser *p, const struct config_key *k, const char *value)
{
	void *field = (char *)p->cfg + k->offset;
	char *end;
	double d;
	unsigned long u;

	switch (k->type) {
	case KEY_PORT:
	case KEY_UINT:
		errno = 0;
		u = strtoul(value, &end, 10);
		if (!isdigit((unsigned char)value[0]) || *end || errno || u < k->min || u > k->max)
			return config_error(p, p->line, -EINVAL, "[%s] %s=%s: expected a whole number %g..%g",
					    k->section, k->name, value, k->min, k->max);
		*(unsigned *)field = (unsigned)u;
		if (k->type == KEY_PORT) {
			p->port_set = true;
			p->port_line = p->line;
		}
		return 0;
	case KEY_DOUBLE:
		errno = 0;
		d = strtod(value, &end);
		if (end == value || *end || errno || !(d >= k->min && d <= k->max))
			return config_error(p, p->line, -EINVAL, "[%s] %s=%s: expected a number %g..%g", k->section,
					    k->name, value, k->min, k->max);
		*(double *)field = d;
		return 0;
	case KEY_BOOL:
		if (mqtt_config_parse_bool(value, (bool *)field) < 0)
			return config_error(p, p->line, -EINVAL, "[%s] %s=%s: expected yes or no", k->section, k->name,
					    value);
		return 0;
	case KEY_CHAIR_ID:
		if (!mqtt_config_chair_id_valid(value))
			return config_error(p, p->line, -EINVAL,
					    "[%s] %s=%s: expected 1..32 of a-z, 0-9, '_' and '-' (it is a topic level "
					    "and part of Home Assistant's unique ids)",
					    k->section, k->name, value);
		break;
	case KEY_PREFIX:
		if (!mqtt_config_prefix_valid(value))
			return config_error(p, p->line, -EINVAL,
					    "[%s] %s=%s: expected MQTT topic levels (at most %d characters, no '+' or "
					    "'#', not starting with '$' or '/', no empty level)",
					    k->section, k->name, value, PREFIX_MAX);
		break;
	case KEY_FILE:
		if (access(value, R_OK) < 0)
			return config_error(p, p->line, -errno, "[%s] %s=%s: cannot read it: %s", k->section, k->name,
					    value, strerror(errno));
		break;
	case KEY_HOST:
		for (const char *c = value; *c; c++)
			if (isspace((unsigned char)*c) || *c == '/')
				return config_error(p, p->line, -EINVAL, "[%s] %s=%s: expected a host name or address",
						    k->section, k->name, value);
		break;
	case KEY_URL:
		if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)
			return config_error(p, p->line, -EINVAL, "[%s] %s=%s: expected an http:// or https:// URL",
					    k->section, k->name, value);
		break;
	case KEY_STRING:
		if (k->max > 0 && strlen(value) > k->max)
			return config_error(p, p->line, -EINVAL, "[%s] %s: %zu characters, expected at most %g",
					    k->section, k->name, strlen(value), k->max);
		break;
	}
	if (set_string((char **)field, value) < 0)
		return config_error(p, p->line, -ENOMEM, "out of memory");
	return 0;
}

static int on_key(void *userdata, const char *section, const char *name, const char *value)
{
	struct parser *p = userdata;
	bool known_section = false;

	if (p->error)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(config_keys); i++) {
		const struct config_key *k = &config_keys[i];

		if (strcmp(section, k->section) != 0)
			continue;
		known_section = true;
		if (strcmp(name, k->name) != 0)
			continue;
		if (value[0] == '\0') {
			config_error(p, p->line, -EINVAL, "[%s] %s= is empty: give a value, or leave the key out",
				     section, name);
			return 0;
		}
		return parse_value(p, k, value) < 0 ? 0 : 1;
	}
	if (section[0] == '\0')
		config_error(p, p->line, -EINVAL, "%s= before any section: expected a [Section] line above it", name);
	else if (!known_section)
		config_error(p, p->line, -EINVAL,
			     "unknown section [%s], expected [Broker], [Chair], [HomeAssistant], [Topics] or [Control]",
			     section);
	else
		config_error(p, p->line, -EINVAL, "unknown key %s= in [%s]", name, section);
	return 0;
}

/* A section header: known, even when no key follows (inih only reports keys). */
static int check_section(struct parser *p, const char *name)
{
	size_t len = strcspn(name, "]");

	if (name[len] != ']')
		return config_error(p, p->line, -EINVAL, "syntax error: a section header without its ']'");
	for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
		if (strlen(config_keys[i].section) == len && strncmp(config_keys[i].section, name, len) == 0)
			return 0;
	return config_error(
		p, p->line, -EINVAL,
		"unknown section [%.*s], expected [Broker], [Chair], [HomeAssistant], [Topics] or [Control]", (int)len,
		name);
}

/* Lines handed to inih one by one, so that we know which line it is at (Debian's inih
 * does not pass line numbers). Leading blanks go: an indented line is an ordinary line,
 * never a continuation. */
static char *read_line(char *buf, int size, void *stream)
{
	struct parser *p = stream;
	char *s;
	size_t len;

	if (p->error || !fgets(p->buf, sizeof(p->buf), p->f))
		return NULL;
	p->line++;
	len = strlen(p->buf);
	if ((p->buf[len - 1] != '\n' && !feof(p->f)) || len + 1 > (size_t)size) {
		config_error(p, p->line, -EINVAL, "line too long, expected at most %d characters",
			     MQTT_CONFIG_LINE_MAX);
		return NULL;
	}
	s = p->buf;
	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '[' && check_section(p, s + 1) < 0)
		return NULL;
	/* inih goes on after a syntax error: stop there, so the first error is the one told */
	if (s[0] != '[' && s[0] != ';' && s[0] != '#' && s[strspn(s, " \t\r\n")] != '\0' && !strpbrk(s, "=:")) {
		config_error(p, p->line, -EINVAL, "syntax error: expected '[Section]', 'Key=value' or a comment");
		return NULL;
	}
	memcpy(buf, s, strlen(s) + 1);
	return buf;
}

static void config_defaults(struct mqtt_config *cfg)
{
	*cfg = (struct mqtt_config) {
		.port = 1883,
		.keepalive = 30,
		.discovery = true,
		.control = true,
	};
}

static int set_default(char **field, const char *value)
{
	return *field ? 0 : set_string(field, value);
}

/* The defaults that depend on other keys, and the checks across keys. */
static int config_finish(struct parser *p)
{
	struct mqtt_config *cfg = p->cfg;
	char id[CHAIR_ID_MAX + 1], client_id[64];

	if (!cfg->chair_id) {
		if (mqtt_config_default_chair_id(id, sizeof(id)) < 0)
			return config_error(p, 0, -EINVAL, "the host name makes no chair id: set [Chair] Id=");
		if (set_string(&cfg->chair_id, id) < 0)
			return -ENOMEM;
	}
	(void)snprintf(client_id, sizeof(client_id), "massaged-mqtt-%s", cfg->chair_id);
	if (set_default(&cfg->host, "localhost") < 0 || set_default(&cfg->chair_name, "Massage chair") < 0 ||
	    set_default(&cfg->discovery_prefix, "homeassistant") < 0 ||
	    set_default(&cfg->topic_prefix, "massaged") < 0 || set_default(&cfg->client_id, client_id) < 0)
		return config_error(p, 0, -ENOMEM, "out of memory");
	if (cfg->ca_file && !p->port_set)
		cfg->port = 8883;
	if ((cfg->cert_file != NULL) != (cfg->key_file != NULL))
		return config_error(p, 0, -EINVAL, "[Broker] %s= without %s=: a client certificate needs both",
				    cfg->cert_file ? "CertFile" : "KeyFile", cfg->cert_file ? "KeyFile" : "CertFile");
	if (cfg->cert_file && !cfg->ca_file)
		return config_error(p, 0, -EINVAL,
				    "[Broker] CertFile= without CAFile=: a client certificate is only sent over TLS, "
				    "which needs the CA that signed the broker's certificate");
	if (cfg->password_file && !cfg->username)
		return config_error(p, 0, -EINVAL, "[Broker] PasswordFile= without Username=");
	return 0;
}

int mqtt_config_load(struct mqtt_config *cfg, const char *path)
{
	struct parser p = { .cfg = cfg, .path = path };
	int r;

	config_defaults(cfg);
	p.f = fopen(path, "re");
	if (!p.f) {
		r = -errno;
		log_error("%s: cannot open the configuration: %s", path, strerror(-r));
		return r;
	}
	r = ini_parse_stream(read_line, &p, on_key, &p);
	if (!p.error && r > 0)
		config_error(&p, (unsigned)r, -EINVAL, "syntax error: expected '[Section]', 'Key=value' or a comment");
	else if (!p.error && r < 0)
		config_error(&p, 0, -ENOMEM, "out of memory");
	if (!p.error && ferror(p.f))
		config_error(&p, 0, -EIO, "read error");
	(void)fclose(p.f);
	if (!p.error)
		(void)config_finish(&p);
	if (p.error) {
		mqtt_config_free(cfg);
		return p.error;
	}
	return 0;
}

void mqtt_config_free(struct mqtt_config *cfg)
{
	char **strings[] = {
		&cfg->host,       &cfg->username,          &cfg->password_file,    &cfg->ca_file,
		&cfg->cert_file,  &cfg->key_file,          &cfg->client_id,        &cfg->chair_id,
		&cfg->chair_name, &cfg->configuration_url, &cfg->discovery_prefix, &cfg->topic_prefix,
	};

	for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
		free(*strings[i]);
		*strings[i] = NULL;
	}
}

/* Literal loopback only: nothing is resolved ("localhost" is taken at its word, a name
 * that resolves to 127.0.0.1 is not recognised). */
bool mqtt_config_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

const char *mqtt_config_refusal(const struct mqtt_config *cfg)
{
	if (!cfg->control || cfg->allow_anonymous || cfg->username || cfg->cert_file ||
	    mqtt_config_host_is_loopback(cfg->host))
		return NULL;
	return "control is enabled on an anonymous broker that is not on this machine (localhost, 127.0.0.0/8 or "
	       "::1, as written: names are not resolved): anyone who can reach it could run the chair. Set [Broker] Username= and PasswordFile= (or CertFile= and KeyFile=), "
	       "or [Control] Enabled=no, or, if the broker is private, [Broker] AllowAnonymous=yes";
}
