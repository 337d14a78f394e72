/* SPDX-License-Identifier: MIT */
/* The mqtt suite's broker: a real mosquitto on 127.0.0.1 at a free port, with a password
 * file, or TLS with a CA, a server and a client certificate made here by openssl (valid
 * for a day, in the test's directory). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness-mqtt.h"
#include "test-files.h"

#define BROKER_START_MS 5000
#define OPENSSL_MS 10000

static unsigned free_port(struct mqtt_world *w)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		M_FAIL(w, "cannot find a free port: %s", strerror(errno));
	(void)close(fd);
	return ntohs(sa.sin_port);
}

static bool port_accepts(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				  .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	if (fd >= 0)
		(void)close(fd);
	return ok;
}

/* Run a tool (openssl, mosquitto_passwd) to completion; fail on a non-zero exit. */
static void run_tool(struct mqtt_world *w, char *const argv[])
{
	char err[400];
	int status;

	(void)snprintf(err, sizeof(err), "%s/tool.err", w->dir);
	status = harness_run(&w->chairs[0]->h, argv, NULL, err, OPENSSL_MS);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		test_dump_log_tail(argv[0], err, 4096);
		M_FAIL(w, "%s %s failed (status %d)", argv[0], argv[1] ? argv[1] : "", status);
	}
}

/* A tool's path from the environment meson sets, else its usual place. */
static char *tool(const char *env, const char *fallback)
{
	const char *v = getenv(env);

	return (char *)(v && v[0] ? v : fallback);
}

static void path_in(struct mqtt_world *w, char *buf, size_t size, const char *name)
{
	(void)snprintf(buf, size, "%s/%s", w->dir, name);
}

/* A key and a certificate signed by ca (or self-signed when ca is NULL: a CA). */
static void make_cert(struct mqtt_world *w, const char *name, const char *cn, const char *ca, const char *ca_key,
		      const char *ext)
{
	char key[300], csr[300], crt[300], extfile[300], serial[300], subj[128];

	path_in(w, key, sizeof(key), name), strcat(key, ".key");
	path_in(w, csr, sizeof(csr), name), strcat(csr, ".csr");
	path_in(w, crt, sizeof(crt), name), strcat(crt, ".crt");
	path_in(w, extfile, sizeof(extfile), name), strcat(extfile, ".ext");
	path_in(w, serial, sizeof(serial), name), strcat(serial, ".srl");
	(void)snprintf(subj, sizeof(subj), "/CN=%s", cn);
	if (!ca) {
		run_tool(w, (char *[]) { tool("OPENSSL", "/usr/bin/openssl"),
					 "req",
					 "-x509",
					 "-newkey",
					 "ec",
					 "-pkeyopt",
					 "ec_paramgen_curve:prime256v1",
					 "-nodes",
					 "-keyout",
					 key,
					 "-out",
					 crt,
					 "-days",
					 "1",
					 "-subj",
					 subj,
					 "-addext",
					 "basicConstraints=critical,CA:TRUE",
					 "-addext",
					 "keyUsage=critical,keyCertSign,cRLSign",
					 NULL });
		return;
	}
	harness_write_file(&w->chairs[0]->h, extfile, ext);
	run_tool(w, (char *[]) { tool("OPENSSL", "/usr/bin/openssl"), "req", "-newkey", "ec", "-pkeyopt",
				 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr, "-subj", subj,
				 NULL });
	run_tool(w, (char *[]) { tool("OPENSSL", "/usr/bin/openssl"), "x509", "-req", "-in", csr, "-CA", (char *)ca,
				 "-CAkey", (char *)ca_key, "-CAserial", serial, "-CAcreateserial", "-out", crt, "-days",
				 "1", "-extfile", extfile, NULL });
}

static void make_certificates(struct mqtt_world *w)
{
	struct mqtt_broker *b = &w->broker;
	char ca_key[300];

	make_cert(w, "ca", "massaged test CA", NULL, NULL, NULL);
	make_cert(w, "other-ca", "another test CA", NULL, NULL, NULL);
	path_in(w, b->ca, sizeof(b->ca), "ca.crt");
	path_in(w, ca_key, sizeof(ca_key), "ca.key");
	path_in(w, b->other_ca, sizeof(b->other_ca), "other-ca.crt");
	make_cert(w, "server", "localhost", b->ca, ca_key,
		  "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
	make_cert(w, "client", MQTT_USER, b->ca, ca_key, "extendedKeyUsage=clientAuth\n");
	path_in(w, b->cert, sizeof(b->cert), "server.crt");
	path_in(w, b->key, sizeof(b->key), "server.key");
	path_in(w, b->client_cert, sizeof(b->client_cert), "client.crt");
	path_in(w, b->client_key, sizeof(b->client_key), "client.key");
}

static void write_conf(struct mqtt_world *w)
{
	struct mqtt_broker *b = &w->broker;
	const struct passwd *pw = getpwuid(getuid());
	char text[4096];
	size_t n;

	/* run as whoever runs the test: as root, mosquitto would switch to its own user
	 * and could not read the test's files */
	n = (size_t)snprintf(text, sizeof(text),
			     "user %s\nlistener %u 127.0.0.1\nallow_anonymous false\npersistence false\n"
			     "log_dest stderr\nlog_type all\nconnection_messages true\n",
			     pw ? pw->pw_name : "root", b->port);
	if (b->tls)
		(void)snprintf(text + n, sizeof(text) - n,
			       "cafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\n"
			       "use_identity_as_username true\n",
			       b->ca, b->cert, b->key);
	else
		(void)snprintf(text + n, sizeof(text) - n, "password_file %s\n", b->passwd);
	harness_write_file(&w->chairs[0]->h, b->conf, text);
}

void mqtt_broker_start(struct mqtt_world *w, bool tls)
{
	struct mqtt_broker *b = &w->broker;
	uint64_t deadline;
	pid_t pid;

	if (!b->port) {
		b->tls = tls;
		b->port = free_port(w);
		path_in(w, b->conf, sizeof(b->conf), "mosquitto.conf");
		path_in(w, b->log, sizeof(b->log), "mosquitto.log");
		path_in(w, b->passwd, sizeof(b->passwd), "passwd");
		if (tls)
			make_certificates(w);
		else
			run_tool(w, (char *[]) { tool("MOSQUITTO_PASSWD", "/usr/bin/mosquitto_passwd"), "-b", "-c",
						 b->passwd, MQTT_USER, MQTT_PASSWORD, NULL });
		write_conf(w);
	}
	pid = fork();
	if (pid < 0)
		M_FAIL(w, "fork: %s", strerror(errno));
	if (pid == 0) {
		int log = open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* dup2 leaves the copies open across exec */
		if (log < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log, STDOUT_FILENO) < 0 ||
		    dup2(log, STDERR_FILENO) < 0)
			_exit(127);
		{
			const char *mosquitto = tool("MOSQUITTO", "/usr/sbin/mosquitto");

			execl(mosquitto, mosquitto, "-c", b->conf, (char *)NULL);
		}
		_exit(127);
	}
	b->pid = pid;
	deadline = harness_now_usec() + BROKER_START_MS * 1000ULL;
	while (!port_accepts(b->port)) {
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			b->pid = 0;
			M_FAIL(w, "mosquitto exited at start (status %d)", status);
		}
		if (harness_now_usec() > deadline)
			M_FAIL(w, "mosquitto does not listen on port %u after %d ms", b->port, BROKER_START_MS);
		(void)nanosleep(&(struct timespec) { 0, 10 * 1000000L }, NULL);
	}
}

void mqtt_broker_stop(struct mqtt_world *w)
{
	struct mqtt_broker *b = &w->broker;
	uint64_t deadline = harness_now_usec() + 5000 * 1000ULL;

	if (b->pid <= 0)
		return;
	(void)kill(b->pid, SIGTERM);
	while (waitpid(b->pid, NULL, WNOHANG) != b->pid) {
		if (harness_now_usec() > deadline) {
			(void)kill(b->pid, SIGKILL);
			(void)waitpid(b->pid, NULL, 0);
			break;
		}
		(void)nanosleep(&(struct timespec) { 0, 10 * 1000000L }, NULL);
	}
	b->pid = 0;
}

void mqtt_broker_add_user(struct mqtt_world *w, const char *user, const char *password)
{
	run_tool(w, (char *[]) { tool("MOSQUITTO_PASSWD", "/usr/bin/mosquitto_passwd"), "-b", w->broker.passwd,
				 (char *)user, (char *)password, NULL });
	if (w->broker.pid > 0)
		(void)kill(w->broker.pid, SIGHUP);
}
