/* SPDX-License-Identifier: MIT */
/* The harness's D-Bus side: values formatted as text, the PropertiesChanged and
 * signal records, calls, properties, snapshots and waits on them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness-private.h"
#include "harness.h"

/* ---- bus callbacks ---- */

static int format_next(sd_bus_message *m, FILE *f);

static int format_container(sd_bus_message *m, FILE *f, char type, const char *contents)
{
	const char *sep = type == SD_BUS_TYPE_ARRAY ? "," : type == SD_BUS_TYPE_DICT_ENTRY ? "=" : " ";
	bool first = true;
	int r;

	r = sd_bus_message_enter_container(m, type, contents);
	if (r < 0)
		return r;
	if (type == SD_BUS_TYPE_STRUCT)
		(void)fputc('(', f);
	for (;;) {
		r = sd_bus_message_at_end(m, false);
		if (r < 0)
			return r;
		if (r > 0)
			break;
		if (!first)
			(void)fputs(sep, f);
		first = false;
		r = format_next(m, f);
		if (r < 0)
			return r;
	}
	if (type == SD_BUS_TYPE_STRUCT)
		(void)fputc(')', f);
	return sd_bus_message_exit_container(m);
}

/* Format the next value of m (see harness.h); returns 0 at the end of a container. */
static int format_next(sd_bus_message *m, FILE *f)
{
	const char *contents;
	union {
		uint8_t y;
		int b;
		int16_t n;
		uint16_t q;
		int32_t i;
		uint32_t u;
		int64_t x;
		uint64_t t;
		double d;
		const char *s;
	} v;
	char type;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0)
		return r;
	switch (type) {
	case SD_BUS_TYPE_ARRAY:
	case SD_BUS_TYPE_STRUCT:
	case SD_BUS_TYPE_DICT_ENTRY:
	case SD_BUS_TYPE_VARIANT:
		r = format_container(m, f, type, contents);
		return r < 0 ? r : 1;
	default:
		break;
	}
	r = sd_bus_message_read_basic(m, type, &v);
	if (r < 0)
		return r;
	switch (type) {
	case SD_BUS_TYPE_BYTE:
		(void)fprintf(f, "%u", v.y);
		break;
	case SD_BUS_TYPE_BOOLEAN:
		(void)fputs(v.b ? "true" : "false", f);
		break;
	case SD_BUS_TYPE_INT16:
		(void)fprintf(f, "%d", v.n);
		break;
	case SD_BUS_TYPE_UINT16:
		(void)fprintf(f, "%u", v.q);
		break;
	case SD_BUS_TYPE_INT32:
		(void)fprintf(f, "%d", (int)v.i);
		break;
	case SD_BUS_TYPE_UINT32:
		(void)fprintf(f, "%u", (unsigned)v.u);
		break;
	case SD_BUS_TYPE_INT64:
		(void)fprintf(f, "%lld", (long long)v.x);
		break;
	case SD_BUS_TYPE_UINT64:
		(void)fprintf(f, "%llu", (unsigned long long)v.t);
		break;
	case SD_BUS_TYPE_DOUBLE:
		(void)fprintf(f, "%.2f", v.d);
		break;
	case SD_BUS_TYPE_STRING:
	case SD_BUS_TYPE_OBJECT_PATH:
	case SD_BUS_TYPE_SIGNATURE:
		(void)fputs(v.s, f);
		break;
	default:
		(void)fprintf(f, "<%c>", type);
		break;
	}
	return 1;
}

/* The next value of m as a malloc'd string, or NULL. */
static char *format_value(sd_bus_message *m)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int r;

	if (!f)
		return NULL;
	r = format_next(m, f);
	(void)fclose(f);
	if (r <= 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static struct harness_known *known_find(struct harness *h, const char *name)
{
	for (size_t i = 0; i < h->n_known; i++)
		if (strcmp(h->known[i].name, name) == 0)
			return &h->known[i];
	if (h->n_known == sizeof(h->known) / sizeof(h->known[0]))
		return NULL;
	(void)snprintf(h->known[h->n_known].name, sizeof(h->known[0].name), "%s", name);
	h->known[h->n_known].value = NULL;
	return &h->known[h->n_known++];
}

static void known_set(struct harness *h, const char *name, const char *value)
{
	struct harness_known *k = known_find(h, name);

	if (!k)
		return;
	free(k->value);
	k->value = value ? strdup(value) : NULL;
}

static uint64_t emission_grace_usec(const struct harness *h)
{
	return 500000ULL + (uint64_t)harness_wall_ms(h, 1.5) * 1000;
}

/* A read of Chair1 property `name` returned `value` (signals before the reply are
 * dispatched): if it changed since we last knew, a PropertiesChanged must say so. */
static void observe_read(struct harness *h, const char *name, const char *value)
{
	struct harness_known *k = known_find(h, name);

	if (!k)
		return;
	if (k->value && strcmp(k->value, value) != 0 && h->n_pending < sizeof(h->pending) / sizeof(h->pending[0])) {
		struct harness_pending *p = &h->pending[h->n_pending++];

		(void)snprintf(p->name, sizeof(p->name), "%s", name);
		p->value = strdup(value);
		p->index = h->n_changes;
		p->deadline = harness_now_usec() + emission_grace_usec(h);
	}
	free(k->value);
	k->value = strdup(value);
}

void harness_check_pending(struct harness *h)
{
	uint64_t now = harness_now_usec();

	for (size_t i = 0; i < h->n_pending;) {
		struct harness_pending *p = &h->pending[i];
		bool announced = false;

		for (size_t j = p->index; j < h->n_changes && !announced; j++)
			announced = strcmp(h->changes[j].name, p->name) == 0;
		if (!announced && now >= p->deadline)
			FAIL(h,
			     "%s changed to \"%s\" without a PropertiesChanged signal saying so (the contract: every "
			     "Chair1 property emits PropertiesChanged)",
			     p->name, p->value);
		if (announced) {
			free(p->value);
			h->pending[i] = h->pending[--h->n_pending];
		} else {
			i++;
		}
	}
}

static void record_change(struct harness *h, const char *name, char *value)
{
	if (h->n_changes == h->cap_changes) {
		size_t cap = h->cap_changes ? h->cap_changes * 2 : 256;
		struct harness_change *c = realloc(h->changes, cap * sizeof(*c));

		if (!c)
			abort();
		h->changes = c;
		h->cap_changes = cap;
	}
	h->changes[h->n_changes++] = (struct harness_change) {
		.name = strdup(name),
		.value = value,
		.when_usec = harness_now_usec(),
	};
	known_set(h, name, value);
}

int harness_on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct harness *h = userdata;
	const char *iface, *name;
	int r;

	r = sd_bus_message_read(m, "s", &iface);
	if (r < 0 || strcmp(iface, CHAIR_IFACE) != 0)
		return 0;
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	if (r < 0)
		goto bad;
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		char *value;

		r = sd_bus_message_read(m, "s", &name);
		if (r < 0)
			goto bad;
		value = format_value(m);
		if (!value)
			goto bad;
		record_change(h, name, value);
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			goto bad;
	}
	if (r < 0)
		goto bad;
	r = sd_bus_message_exit_container(m);
	if (r < 0)
		goto bad;
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
	if (r < 0)
		goto bad;
	while ((r = sd_bus_message_read(m, "s", &name)) > 0)
		record_change(h, name, NULL);
	if (r < 0)
		goto bad;
	return 0;
bad:
	(void)fprintf(stderr, "harness: malformed PropertiesChanged: %s\n", strerror(-r));
	return 0;
}

int harness_on_chair_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct harness *h = userdata;
	const char *member = sd_bus_message_get_member(m);
	struct harness_signal *s;
	const char *args[2] = { NULL, NULL };

	if (!member)
		return 0;
	for (unsigned i = 0; i < 2; i++) {
		char type;

		if (sd_bus_message_peek_type(m, &type, NULL) <= 0 || type != SD_BUS_TYPE_STRING)
			break;
		if (sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &args[i]) < 0)
			break;
	}
	if (h->n_signals == h->cap_signals) {
		size_t cap = h->cap_signals ? h->cap_signals * 2 : 32;
		struct harness_signal *n = realloc(h->signals, cap * sizeof(*n));

		if (!n)
			abort();
		h->signals = n;
		h->cap_signals = cap;
	}
	s = &h->signals[h->n_signals++];
	*s = (struct harness_signal) { .when_usec = harness_now_usec() };
	(void)snprintf(s->member, sizeof(s->member), "%s", member);
	s->arg0 = args[0] ? strdup(args[0]) : NULL;
	s->arg1 = args[1] ? strdup(args[1]) : NULL;
	return 0;
}

int harness_on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct harness *h = userdata;
	const char *name, *old_owner, *new_owner;

	if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
		return 0;
	if (strcmp(name, CHAIR_SERVICE) == 0)
		h->name_owned = new_owner[0] != '\0';
	return 0;
}

/* ---- calls ---- */

struct ordered_reply {
	sd_bus_message *reply;
	sd_bus_error *error;
	bool done;
};

static int on_ordered_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct ordered_reply *o = userdata;

	o->done = true;
	if (sd_bus_message_is_method_error(m, NULL))
		(void)sd_bus_error_copy(o->error, sd_bus_message_get_error(m));
	else
		o->reply = sd_bus_message_ref(m);
	return 0;
}

/* A call whose reply takes its place among the signals. sd_bus_call() queues the
 * signals that arrive while it waits, and dispatching them after the reply can record
 * a PropertiesChanged newer than the value read: "scanning" read after "running" was
 * signalled looked like a change nobody announced. Here the loop stops at the reply,
 * with every earlier message dispatched and every later one still queued. */
static int call_in_order(struct harness *h, sd_bus_message *m, sd_bus_error *error, sd_bus_message **reply)
{
	struct ordered_reply o = { .error = error };
	sd_bus_slot *slot = NULL;
	int r;

	r = sd_bus_call_async(h->bus, &slot, m, on_ordered_reply, &o, CALL_TIMEOUT_USEC);
	while (r >= 0 && !o.done) {
		r = sd_bus_process(h->bus, NULL);
		if (r == 0)
			r = sd_bus_wait(h->bus, UINT64_MAX);
	}
	sd_bus_slot_unref(slot);
	if (r < 0)
		return r;
	if (!o.reply)
		return -sd_bus_error_get_errno(error);
	*reply = o.reply;
	return 0;
}

sd_bus_message *harness_callv(struct harness *h, const char *path, const char *iface, const char *member,
			      sd_bus_error *error, const char *types, va_list ap)
{
	sd_bus_message *m = NULL, *reply = NULL;
	int r;

	r = sd_bus_message_new_method_call(h->bus, &m, CHAIR_SERVICE, path, iface, member);
	if (r >= 0 && types && types[0])
		r = sd_bus_message_appendv(m, types, ap);
	if (r < 0) {
		sd_bus_message_unref(m);
		FAIL(h, "cannot build %s.%s: %s", iface, member, strerror(-r));
	}
	r = call_in_order(h, m, error, &reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		if (!sd_bus_error_is_set(error))
			(void)sd_bus_error_set_errno(error, r);
		return NULL;
	}
	return reply;
}

static sd_bus_message *call_properties(struct harness *h, const char *path, sd_bus_error *error, const char *member,
				       const char *types, ...)
{
	sd_bus_message *reply;
	va_list ap;

	va_start(ap, types);
	reply = harness_callv(h, path, "org.freedesktop.DBus.Properties", member, error, types, ap);
	va_end(ap);
	return reply;
}

static const char *call_name(const char *member, const char *types)
{
	static char buf[128];

	(void)snprintf(buf, sizeof(buf), "%s(%s)", member, types ? types : "");
	return buf;
}

sd_bus_message *harness_call_ok(struct harness *h, const char *file, int line, const char *path, const char *iface,
				const char *member, const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply;
	va_list ap;

	va_start(ap, types);
	reply = harness_callv(h, path, iface, member, &error, types, ap);
	va_end(ap);
	if (!reply)
		harness_fail(h, file, line, "%s.%s failed: %s: %s", iface, call_name(member, types),
			     error.name ? error.name : "?", error.message ? error.message : "");
	return reply;
}

const char *harness_call_error(struct harness *h, const char *file, int line, const char *error_name, const char *path,
			       const char *iface, const char *member, const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply;
	const char *message;
	va_list ap;

	va_start(ap, types);
	reply = harness_callv(h, path, iface, member, &error, types, ap);
	va_end(ap);
	if (reply) {
		sd_bus_message_unref(reply);
		harness_fail(h, file, line, "%s.%s succeeded, expected %s", iface, call_name(member, types),
			     error_name);
	}
	if (!error.name || strcmp(error.name, error_name) != 0)
		harness_fail(h, file, line, "%s.%s failed with %s (%s), expected %s", iface, call_name(member, types),
			     error.name ? error.name : "?", error.message ? error.message : "", error_name);
	if (!error.message || !error.message[0])
		harness_fail(h, file, line, "%s.%s: %s without a message", iface, call_name(member, types), error_name);
	message = harness_ring_copy(h, error.message);
	sd_bus_error_free(&error);
	return message;
}

/* ---- properties ---- */

const char *harness_program_ids(struct harness *h, const char *file, int line)
{
	sd_bus_message *reply = harness_call_ok(h, file, line, CHAIR_PATH, CHAIR_IFACE, "ListPrograms", "");
	const char *id, *title, *description;
	static char buf[65536];
	size_t len = 0;
	uint32_t duration;
	int r;

	buf[0] = '\0';
	r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sssu)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sssu)", &id, &title, &description, &duration)) > 0)
		if (len < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "", id);
	sd_bus_message_unref(reply);
	if (r < 0)
		harness_fail(h, file, line, "assertion 'r >= 0' failed: cannot parse ListPrograms: %s", strerror(-r));
	return buf;
}

const char *harness_get(struct harness *h, const char *path, const char *iface, const char *name, sd_bus_error *error)
{
	sd_bus_message *reply = NULL;
	const char *ret;
	char *value;

	reply = call_properties(h, path, error, "Get", "ss", iface, name);
	if (!reply)
		return NULL;
	value = format_value(reply);
	sd_bus_message_unref(reply);
	if (!value) {
		(void)sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot parse the value of %s", name);
		return NULL;
	}
	ret = harness_ring_copy(h, value);
	free(value);
	if (strcmp(path, CHAIR_PATH) == 0 && strcmp(iface, CHAIR_IFACE) == 0)
		observe_read(h, name, ret);
	return ret;
}

static const char *get_or_fail(struct harness *h, const char *file, int line, const char *path, const char *iface,
			       const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, path, iface, name, &error);

	if (!v)
		harness_fail(h, file, line, "cannot read %s.%s: %s: %s", iface, name, error.name ? error.name : "?",
			     error.message ? error.message : "");
	return v;
}

const char *harness_prop(struct harness *h, const char *file, int line, const char *name)
{
	return get_or_fail(h, file, line, CHAIR_PATH, CHAIR_IFACE, name);
}

static void get_trivial(struct harness *h, const char *file, int line, const char *path, const char *iface,
			const char *name, char type, void *ret)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r = sd_bus_get_property_trivial(h->bus, CHAIR_SERVICE, path, iface, name, &error, type, ret);

	if (r < 0)
		harness_fail(h, file, line, "cannot read %s.%s as '%c': %s: %s", iface, name, type,
			     error.name ? error.name : "?", error.message ? error.message : strerror(-r));
	sd_bus_error_free(&error);
}

uint32_t harness_prop_u(struct harness *h, const char *file, int line, const char *name)
{
	uint32_t v = 0;

	get_trivial(h, file, line, CHAIR_PATH, CHAIR_IFACE, name, 'u', &v);
	return v;
}

int32_t harness_prop_i(struct harness *h, const char *file, int line, const char *name)
{
	int32_t v = 0;

	get_trivial(h, file, line, CHAIR_PATH, CHAIR_IFACE, name, 'i', &v);
	return v;
}

bool harness_prop_b(struct harness *h, const char *file, int line, const char *name)
{
	int v = 0;

	get_trivial(h, file, line, CHAIR_PATH, CHAIR_IFACE, name, 'b', &v);
	return v;
}

uint32_t harness_roller_position(struct harness *h, const char *file, int line)
{
	uint32_t v = 0;

	get_trivial(h, file, line, SIM_PATH, SIM_IFACE, "RollerPosition", 'u', &v);
	return v;
}

bool harness_output(struct harness *h, const char *file, int line, const char *output)
{
	const char *all = get_or_fail(h, file, line, SIM_PATH, SIM_IFACE, "Outputs");
	char key[64];
	const char *at;
	size_t n;

	n = (size_t)snprintf(key, sizeof(key), "%s=", output);
	for (at = all; (at = strstr(at, key)); at += n)
		if (at == all || at[-1] == ',')
			return strncmp(at + n, "true", 4) == 0;
	harness_fail(h, file, line, "Outputs has no %s: %s", output, all);
}

double harness_pad_temperature(struct harness *h, const char *file, int line, const char *zone)
{
	const char *all = get_or_fail(h, file, line, SIM_PATH, SIM_IFACE, "PadTemperature");
	char key[64];
	const char *at;
	size_t n;

	n = (size_t)snprintf(key, sizeof(key), "%s=", zone);
	for (at = all; (at = strstr(at, key)); at += n)
		if (at == all || at[-1] == ',')
			return strtod(at + n, NULL);
	harness_fail(h, file, line, "PadTemperature has no %s: %s", zone, all);
}

const char *harness_pad_prop(struct harness *h, const char *file, int line, const char *path, const char *name)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *v = harness_get(h, path, HEATER_IFACE, name, &error);

	if (!v)
		harness_fail(h, file, line, "Get %s %s: %s", path, name, error.message);
	return v;
}

void harness_wait_pad(struct harness *h, const char *file, int line, const char *path, const char *name,
		      const char *want, unsigned timeout_ms)
{
	uint64_t end = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	const char *v;

	for (;;) {
		v = harness_pad_prop(h, file, line, path, name);
		if (strcmp(v, want) == 0)
			return;
		if (harness_now_usec() > end)
			harness_fail(h, file, line, "%s %s is \"%s\", expected \"%s\"", path, name, v, want);
		harness_pump(h, 20);
	}
}

static bool change_seen_since(struct harness *h, size_t from, const char *name, const char *value)
{
	for (size_t i = from; i < h->n_changes; i++)
		if (strcmp(h->changes[i].name, name) == 0 && h->changes[i].value &&
		    strcmp(h->changes[i].value, value) == 0)
			return true;
	return false;
}

/* 1 reached, 0 timed out; *last = last value read. */
static int wait_property(struct harness *h, const char *name, const char *expected, unsigned timeout_ms,
			 const char **last)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;
	bool timed_out = false;
	size_t start;

	harness_dispatch(h);
	start = h->n_changes;
	*last = NULL;
	for (;;) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		const char *v = harness_get(h, CHAIR_PATH, CHAIR_IFACE, name, &error);

		sd_bus_error_free(&error);
		if (change_seen_since(h, start, name, expected))
			return 1;
		if (v) {
			*last = v;
			if (strcmp(v, expected) == 0)
				return 1;
		}
		if (timed_out)
			return 0;
		/* after the deadline, one last read */
		timed_out = !harness_wait_step(h, deadline);
	}
}

bool harness_try_wait_property(struct harness *h, const char *name, const char *expected, unsigned timeout_ms)
{
	const char *last;

	return wait_property(h, name, expected, timeout_ms, &last) != 0;
}

void harness_wait_property(struct harness *h, const char *file, int line, const char *name, const char *expected,
			   unsigned timeout_ms)
{
	const char *last;
	int r = wait_property(h, name, expected, timeout_ms, &last);

	if (r == 0)
		harness_fail(h, file, line, "%s did not become \"%s\" within %u ms (last read \"%s\")", name, expected,
			     timeout_ms, last ? last : "(unreadable)");
}

const char *harness_state_history(struct harness *h)
{
	char *b = harness_ring_buffer(h);
	size_t len = 0, size = sizeof(h->ring[0]);

	for (size_t i = 0; i < h->n_changes && len < size; i++)
		if (strcmp(h->changes[i].name, "State") == 0)
			len += (size_t)snprintf(b + len, size - len, "%s%s", len ? "," : "",
						h->changes[i].value ? h->changes[i].value : "(invalidated)");
	return b;
}

void harness_clear_history(struct harness *h)
{
	if (h->bus) {
		harness_dispatch(h);
		harness_check_pending(h);
	}
	for (size_t i = 0; i < h->n_pending; i++)
		h->pending[i].index = 0;
	for (size_t i = 0; i < h->n_changes; i++) {
		free(h->changes[i].name);
		free(h->changes[i].value);
	}
	h->n_changes = 0;
}

bool harness_seen(struct harness *h, const char *name, const char *value)
{
	harness_dispatch(h);
	return change_seen_since(h, 0, name, value);
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Chair1's properties that move on their own while a session runs: the clock and the
 * measured force (and its target, which the techniques shape over time), and the
 * rollers' run time (announced once a minute of chair time). */
static bool live_property(const char *name)
{
	static const char *const live[] = { "Elapsed", "Remaining", "Force", "ForceTarget", "RollerRunSeconds" };

	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++)
		if (strcmp(name, live[i]) == 0)
			return true;
	return false;
}

/* GetAll of path's iface as sorted "Name=value" lines; Chair1's reads are checked
 * against PropertiesChanged, and without `all` lose the live ones (live_property()). */
static char *snapshot_of(struct harness *h, const char *path, const char *iface, bool all)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *lines[64], *out = NULL;
	size_t n = 0, size = 0;
	bool chair = strcmp(path, CHAIR_PATH) == 0 && strcmp(iface, CHAIR_IFACE) == 0;
	FILE *f;
	int r;

	reply = call_properties(h, path, &error, "GetAll", "s", iface);
	if (!reply)
		FAIL(h, "GetAll(%s) on %s failed: %s: %s", iface, path, error.name ? error.name : "?",
		     error.message ? error.message : "");
	r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		const char *name;
		char *value;

		r = sd_bus_message_read(reply, "s", &name);
		if (r < 0)
			break;
		value = format_value(reply);
		if (!value) {
			r = -EBADMSG;
			break;
		}
		if (chair)
			observe_read(h, name, value);
		if ((all || !chair || !live_property(name)) && n < 64) {
			if (asprintf(&lines[n], "%s=%s", name, value) < 0)
				abort();
			n++;
		}
		free(value);
		r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (r < 0)
		FAIL(h, "cannot parse GetAll(%s): %s", iface, strerror(-r));
	qsort(lines, n, sizeof(lines[0]), compare_lines);
	f = open_memstream(&out, &size);
	if (!f)
		abort();
	for (size_t i = 0; i < n; i++) {
		(void)fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	(void)fclose(f);
	return out;
}

char *harness_snapshot(struct harness *h)
{
	return snapshot_of(h, CHAIR_PATH, CHAIR_IFACE, false);
}

char *harness_get_all(struct harness *h)
{
	return snapshot_of(h, CHAIR_PATH, CHAIR_IFACE, true);
}

char *harness_get_all_of(struct harness *h, const char *path, const char *iface)
{
	return snapshot_of(h, path, iface, true);
}

const char *harness_field(struct harness *h, const char *snap, const char *name)
{
	size_t n = strlen(name);

	for (const char *line = snap; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, name, n) == 0 && line[n] == '=') {
			char *b = harness_ring_buffer(h);

			(void)snprintf(b, sizeof(h->ring[0]), "%.*s", (int)strcspn(line + n + 1, "\n"), line + n + 1);
			return b;
		}
	FAIL(h, "no property %s in GetAll", name);
}

void harness_assert_unchanged(struct harness *h, const char *file, int line, const char *before)
{
	char *now = harness_snapshot(h);

	if (strcmp(now, before) != 0) {
		char msg[2048];

		(void)snprintf(msg, sizeof(msg), "%s", now);
		free(now);
		harness_fail(h, file, line, "a refused call changed the properties.\nbefore:\n%s\nafter:\n%s", before,
			     msg);
	}
	free(now);
}

/* ---- signals ---- */

static bool signal_matches(const struct harness_signal *s, const char *member, const char *arg0, const char *arg1)
{
	return !s->consumed && strcmp(s->member, member) == 0 && (!arg0 || (s->arg0 && strcmp(s->arg0, arg0) == 0)) &&
	       (!arg1 || (s->arg1 && strcmp(s->arg1, arg1) == 0));
}

unsigned harness_count_signals(struct harness *h, const char *member, const char *arg0, const char *arg1)
{
	unsigned n = 0;

	harness_dispatch(h);
	for (size_t i = 0; i < h->n_signals; i++)
		n += signal_matches(&h->signals[i], member, arg0, arg1);
	return n;
}

void harness_forget_signals(struct harness *h)
{
	for (size_t i = 0; i < h->n_signals; i++) {
		free(h->signals[i].arg0);
		free(h->signals[i].arg1);
	}
	h->n_signals = 0;
}

const char *harness_signal_list(struct harness *h)
{
	char *b = harness_ring_buffer(h);
	size_t len = 0, size = sizeof(h->ring[0]);

	for (size_t i = 0; i < h->n_signals && len < size; i++)
		len += (size_t)snprintf(b + len, size - len, "%s%s(%s%s%s)", len ? ", " : "", h->signals[i].member,
					h->signals[i].arg0 ? h->signals[i].arg0 : "", h->signals[i].arg1 ? ", " : "",
					h->signals[i].arg1 ? h->signals[i].arg1 : "");
	return len ? b : "(none)";
}

struct harness_signal *harness_wait_signal(struct harness *h, const char *file, int line, const char *member,
					   const char *arg0, const char *arg1, unsigned timeout_ms)
{
	uint64_t deadline = harness_now_usec() + (uint64_t)timeout_ms * 1000;

	for (;;) {
		harness_dispatch(h);
		for (size_t i = 0; i < h->n_signals; i++)
			if (signal_matches(&h->signals[i], member, arg0, arg1)) {
				h->signals[i].consumed = true;
				return &h->signals[i];
			}
		if (!harness_wait_step(h, deadline))
			harness_fail(h, file, line, "no %s(%s, %s) within %u ms; received: %s", member,
				     arg0 ? arg0 : "*", arg1 ? arg1 : "*", timeout_ms, harness_signal_list(h));
	}
}

/* ---- sessions ---- */

void harness_wait_running(struct harness *h, const char *file, int line)
{
	const char *last;
	int r = wait_property(h, "State", "running", SCAN_TIMEOUT_MS(h), &last);

	if (r == 0)
		harness_fail(h, file, line, "State did not become running within %u ms (last read \"%s\")",
			     SCAN_TIMEOUT_MS(h), last ? last : "(unreadable)");
}

void harness_start_program(struct harness *h, const char *file, int line, const char *id)
{
	sd_bus_message_unref(harness_call_ok(h, file, line, CHAIR_PATH, CHAIR_IFACE, "Start", "s", id));
	harness_wait_running(h, file, line);
	{
		const char *program = harness_prop(h, file, line, "Program");

		if (strcmp(program, id) != 0)
			harness_fail(h, file, line, "Program is \"%s\" after Start(\"%s\")", program, id);
	}
}

bool harness_history_in_order(struct harness *h, const char *sequence)
{
	char *copy = strdup(sequence), *save = NULL, *want;
	size_t i = 0;
	bool ok = true;

	harness_dispatch(h);
	for (want = strtok_r(copy, ",", &save); want && ok; want = strtok_r(NULL, ",", &save)) {
		for (; i < h->n_changes; i++)
			if (strcmp(h->changes[i].name, "State") == 0 && h->changes[i].value &&
			    strcmp(h->changes[i].value, want) == 0)
				break;
		ok = i < h->n_changes;
		i++;
	}
	free(copy);
	return ok;
}

void harness_clear_fault(struct harness *h, const char *file, int line, const char *code)
{
	const char *faults;

	sd_bus_message_unref(harness_call_ok(h, file, line, CHAIR_PATH, CHAIR_IFACE, "ClearFault", ""));
	(void)harness_wait_signal(h, file, line, "FaultCleared", code, NULL, 2000);
	harness_wait_property(h, file, line, "State", "idle", 2000);
	faults = harness_prop(h, file, line, "Faults");
	if (faults[0] != '\0')
		harness_fail(h, file, line, "Faults still \"%s\" after ClearFault", faults);
}
