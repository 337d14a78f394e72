/* SPDX-License-Identifier: MIT */
/* mqtt-bench-client MODE [OPTIONS]: the measuring end of tools/mqtt-bench.
 *
 *   bridge   publish B/intensity/set, wait for B/intensity to show it
 *   broker   publish to a topic this client subscribes to, wait for it
 *            (both publish with --qos, 0 by default as Home Assistant does)
 *   dbus     SetIntensity on the system bus, wait for its PropertiesChanged
 *              each: "MODE n=N median=MS p99=MS min=MS max=MS"
 *   count    count the messages (retained ones left out) under B/ and the chair's
 *            discovery topics for --seconds; "ready" once subscribed, then
 *            "count seconds=S state=N discovery=N" and "topic N TOPIC" per topic
 *
 * Exit status 0, or 1 when something did not work (no connection, no answer within
 * 5 s, a refused call). Speed never fails it. */
#include <getopt.h>
#include <mosquitto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-client.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: mqtt-bench-client bridge|broker|dbus|count [OPTIONS]\n"
		   "  -H, --host HOST          broker (default 127.0.0.1)\n"
		   "  -p, --port PORT          (default 1883)\n"
		   "  -u, --username NAME      -P, --password-file FILE\n"
		   "  -b, --base B             <topics prefix>/<chair id> (default massaged/bench)\n"
		   "  -d, --discovery PREFIX   (default homeassistant)   -c, --chair ID (default bench)\n"
		   "  -n, --samples N          round trips (default 200)\n"
		   "  -g, --gap MS             pause after each round trip (default 0)\n"
		   "  -q, --qos 0|1            of the messages published (default 0)\n"
		   "  -s, --seconds S          count for this long (default 60)\n"
		   "  -l, --levels LOW,HIGH    the intensity levels alternated (default 2,3)\n");
}

static int parse_unsigned(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },     { "port", required_argument, NULL, 'p' },
		{ "username", required_argument, NULL, 'u' }, { "password-file", required_argument, NULL, 'P' },
		{ "base", required_argument, NULL, 'b' },     { "discovery", required_argument, NULL, 'd' },
		{ "chair", required_argument, NULL, 'c' },    { "samples", required_argument, NULL, 'n' },
		{ "gap", required_argument, NULL, 'g' },      { "seconds", required_argument, NULL, 's' },
		{ "levels", required_argument, NULL, 'l' },   { "qos", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },           {},
	};
	struct bench_options o = {
		.host = "127.0.0.1",
		.port = 1883,
		.base = "massaged/bench",
		.discovery_prefix = "homeassistant",
		.chair_id = "bench",
		.samples = 200,
		.seconds = 60,
		.low = 2,
		.high = 3,
	};
	const char *mode;
	char *end;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "H:p:u:P:b:d:c:n:g:s:l:q:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			o.host = optarg;
			break;
		case 'u':
			o.username = optarg;
			break;
		case 'P':
			o.password_file = optarg;
			break;
		case 'b':
			o.base = optarg;
			break;
		case 'd':
			o.discovery_prefix = optarg;
			break;
		case 'c':
			o.chair_id = optarg;
			break;
		case 'p':
			if (parse_unsigned(optarg, 65535, &o.port) < 0)
				goto bad;
			break;
		case 'n':
			if (parse_unsigned(optarg, 1000000, &o.samples) < 0)
				goto bad;
			break;
		case 'g':
			if (parse_unsigned(optarg, 60000, &o.gap_ms) < 0)
				goto bad;
			break;
		case 'q':
			if (parse_unsigned(optarg, 1, &o.qos) < 0)
				goto bad;
			break;
		case 's':
			o.seconds = strtod(optarg, &end);
			if (*end != '\0' || !(o.seconds > 0))
				goto bad;
			break;
		case 'l':
			if (sscanf(optarg, "%u,%u", &o.low, &o.high) != 2 || o.low == o.high)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	mode = argv[optind];
	(void)mosquitto_lib_init();
	if (strcmp(mode, "bridge") == 0)
		r = run_bridge_latency(&o);
	else if (strcmp(mode, "broker") == 0)
		r = run_broker_rtt(&o);
	else if (strcmp(mode, "dbus") == 0)
		r = run_dbus_rtt(&o);
	else if (strcmp(mode, "count") == 0)
		r = run_count(&o);
	else {
		fprintf(stderr, "mqtt-bench-client: unknown mode '%s'\n", mode);
		r = -1;
	}
	(void)mosquitto_lib_cleanup();
	(void)fflush(stdout);
	return r < 0 ? 1 : 0;
bad:
	fprintf(stderr, "mqtt-bench-client: bad value '%s' for -%c\n", optarg, opt);
	return 2;
}
