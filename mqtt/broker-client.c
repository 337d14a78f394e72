/* SPDX-License-Identifier: MIT */
/* The libmosquitto client as mqtt.conf says: MQTT v5, the last will, the user name
 * and the password (read from its file once, here), TLS with the CA and the client
 * certificate. broker.c sets the callbacks and drives it. */
#include <errno.h>
#include <mosquitto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "broker-client.h"
#include "log.h"

/* MQTT allows 65535 bytes; a password file's first line longer than this is refused */
#define PASSWORD_MAX 1024

/* Logs a failure libmosquitto described itself; returns -EINVAL. */
static int mosq_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int mosq_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	return -EINVAL;
}

/* The first line of the file, read once at start. */
static int read_password(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f) {
		r = -errno;
		return log_errno(r, "%s: cannot read the password", path);
	}
	r = -ENODATA;
	if (!fgets(buf, (int)size, f)) {
		if (ferror(f))
			r = log_errno(-EIO, "%s: cannot read the password", path);
		else
			log_error("%s: the file is empty, expected the password on its first line", path);
	} else if (!strchr(buf, '\n') && !feof(f)) {
		log_error("%s: the first line is longer than %zu characters, expected the password", path, size - 1);
		r = -E2BIG;
	} else {
		buf[strcspn(buf, "\r\n")] = '\0';
		if (buf[0] != '\0')
			r = 0;
		else
			log_error("%s: the first line is empty, expected the password", path);
	}
	(void)fclose(f);
	return r;
}

static int client_setup(struct mosquitto *mosq, const struct mqtt_config *cfg, const char *will_topic)
{
	char password[PASSWORD_MAX];
	int rc;

	(void)mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	/* Without it a state publish right after a PUBACK (a QoS 1 command) waits for the
	 * broker's delayed ACK: 44 ms instead of 1.3 ms on loopback (tools/mqtt-bench). */
	(void)mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
	rc = mosquitto_will_set(mosq, will_topic, (int)strlen("offline"), "offline", 1, true);
	if (rc != MOSQ_ERR_SUCCESS)
		return mosq_error("Cannot set the last will on %s: %s", will_topic, mosquitto_strerror(rc));
	if (cfg->username) {
		password[0] = '\0';
		if (cfg->password_file) {
			rc = read_password(cfg->password_file, password, sizeof(password));
			if (rc < 0)
				return rc;
		}
		rc = mosquitto_username_pw_set(mosq, cfg->username, cfg->password_file ? password : NULL);
		explicit_bzero(password, sizeof(password));
		if (rc != MOSQ_ERR_SUCCESS)
			return mosq_error("Cannot set the MQTT user name: %s", mosquitto_strerror(rc));
	}
	if (cfg->ca_file) {
		/* the key must not be encrypted: libmosquitto would ask for its passphrase on the terminal */
		rc = mosquitto_tls_set(mosq, cfg->ca_file, NULL, cfg->cert_file, cfg->key_file, NULL);
		if (rc != MOSQ_ERR_SUCCESS)
			return mosq_error("Cannot set up TLS with CAFile=%s%s%s: %s", cfg->ca_file,
					  cfg->cert_file ? ", CertFile=" : "", cfg->cert_file ? cfg->cert_file : "",
					  mosquitto_strerror(rc));
	}
	return 0;
}

int broker_client_new(struct mosquitto **ret, const struct mqtt_config *cfg, const char *will_topic, void *userdata)
{
	struct mosquitto *mosq = mosquitto_new(cfg->client_id, true, userdata);
	int r;

	if (!mosq)
		return log_errno(-ENOMEM, "Cannot create the MQTT client");
	r = client_setup(mosq, cfg, will_topic);
	if (r < 0) {
		mosquitto_destroy(mosq);
		return r;
	}
	*ret = mosq;
	return 0;
}
