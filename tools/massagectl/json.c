/* SPDX-License-Identifier: MIT */
/* massagectl's --json output, with json-c (escaping and pretty printing done by a
 * maintained library). The schema is man/massagectl.1's JSON OUTPUT: keys are only
 * added, never renamed or retyped. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "chair-types.h"
#include "macro.h"
#include "massagectl.h"

/* Adds v under key; false (and v freed) when v is NULL: an allocation failed. */
static bool put(struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static bool put_null(struct json_object *o, const char *key)
{
	return o && json_object_object_add(o, key, NULL) >= 0;
}

static bool append(struct json_object *array, struct json_object *v)
{
	if (!array || !v || json_object_array_add(array, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

/* A string, "" for NULL. */
static struct json_object *string(const char *s)
{
	return json_object_new_string(s ? s : "");
}

/* A string, or null when it is not there or empty. */
static bool put_string_or_null(struct json_object *o, const char *key, const char *s)
{
	return s && *s ? put(o, key, json_object_new_string(s)) : put_null(o, key);
}

static struct json_object *strv(char **l)
{
	struct json_object *a = json_object_new_array();

	for (char **s = l; a && s && *s; s++)
		if (!append(a, json_object_new_string(*s))) {
			json_object_put(a);
			return NULL;
		}
	return a;
}

/* Frees o and returns NULL unless ok. */
static struct json_object *finish(struct json_object *o, bool ok)
{
	if (ok)
		return o;
	json_object_put(o);
	return NULL;
}

int json_print(const struct ctl *ctl, struct json_object *o)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *text;

	if (!o)
		return ctl_error("Out of memory");
	flags |= ctl->json == JSON_PRETTY ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
	text = json_object_to_json_string_ext(o, flags);
	if (text)
		printf("%s\n", text);
	json_object_put(o);
	return text ? EXIT_SUCCESS : ctl_error("Out of memory");
}

static struct json_object *zone_levels(const int levels[static _ZONE_MAX])
{
	struct json_object *o = json_object_new_object();
	bool ok = o;

	for (enum zone z = 0; ok && z < _ZONE_MAX; z++)
		if (z != ZONE_BACK) /* two zones: never a pressure of its own */
			ok = put(o, zone_to_string(z), json_object_new_int(levels[z]));
	return finish(o, ok);
}

static struct json_object *heater(const struct heater *h)
{
	struct json_object *o = json_object_new_object();
	bool ok = o;

	ok = ok && put(o, "zone", string(h->zone));
	ok = ok && put(o, "state", string(h->state));
	ok = ok && put(o, "temperature", json_object_new_double(h->temperature));
	ok = ok && put(o, "target", json_object_new_double(h->target));
	ok = ok && put(o, "power", json_object_new_double(h->power));
	ok = ok && put(o, "max_target", json_object_new_double(h->max_target));
	ok = ok && put(o, "tuned", json_object_new_boolean(h->tuned));
	ok = ok && put(o, "autotune_progress", json_object_new_double(h->autotune_progress));
	ok = ok && put_string_or_null(o, "autotune_error", h->autotune_error);
	ok = ok && put_string_or_null(o, "lockout", h->lockout);
	if (h->lockout && *h->lockout)
		ok = ok && put(o, "lockout_since_usec", json_object_new_uint64(h->lockout_since));
	else
		ok = ok && put_null(o, "lockout_since_usec");
	return finish(o, ok);
}

struct json_object *json_heaters(const struct heater_list *l)
{
	struct json_object *a = json_object_new_array();
	bool ok = a;

	for (size_t i = 0; ok && l && i < l->n; i++)
		ok = append(a, heater(&l->items[i]));
	return finish(a, ok);
}

/* The members a daemon before profiles, gentle mode or focus lacks are null. */
static bool put_person(struct json_object *o, const struct chair_status *s)
{
	bool ok = true;

	if (s->profile)
		ok = put_string_or_null(o, "profile", s->profile);
	else
		ok = put_null(o, "profile");
	if (s->gentle == SEEN_BOOL_ABSENT)
		ok = ok && put_null(o, "gentle");
	else
		ok = ok && put(o, "gentle", json_object_new_boolean(s->gentle == SEEN_BOOL_TRUE));
	if (s->focus)
		ok = ok && put(o, "focus", strv(s->focus));
	else
		ok = ok && put_null(o, "focus");
	return ok;
}

struct json_object *json_chair_status(const struct chair_status *s, const char *program_title,
				      const struct heater_list *heaters)
{
	struct json_object *o = json_object_new_object();
	bool ok = o;

	ok = ok && put(o, "state", string(s->state));
	ok = ok && put_string_or_null(o, "program", s->program);
	ok = ok && put_string_or_null(o, "program_title", program_title);
	ok = ok && put_string_or_null(o, "technique", s->technique);
	ok = ok && put_string_or_null(o, "zone", s->zone);
	ok = ok && put(o, "step", json_object_new_int64(s->step));
	ok = ok && put(o, "step_count", json_object_new_int64(s->step_count));
	ok = ok && put(o, "elapsed_sec", json_object_new_int64(s->elapsed));
	ok = ok && put(o, "remaining_sec", json_object_new_int64(s->remaining));
	ok = ok && put(o, "intensity", json_object_new_int64(s->intensity));
	ok = ok && put(o, "speed", json_object_new_int64(s->speed));
	ok = ok && put(o, "width", string(s->width));
	ok = ok && put(o, "heat", json_object_new_boolean(s->heat));
	ok = ok && put(o, "force_n", json_object_new_double(s->force));
	ok = ok && put(o, "force_target_n", json_object_new_double(s->force_target));
	ok = ok && put(o, "zone_pressure", zone_levels(s->zone_pressure));
	ok = ok && put_person(o, s);
	ok = ok && put(o, "heaters", json_heaters(heaters));
	ok = ok && put(o, "session_limit_sec", json_object_new_int64(s->session_limit));
	ok = ok && put(o, "shoulder_height_mm", json_object_new_int64(s->shoulder_height));
	ok = ok && put(o, "seated", json_object_new_boolean(s->seated));
	ok = ok && put(o, "faults", strv(s->faults));
	return finish(o, ok);
}

struct json_object *json_programs(const struct program_list *l)
{
	struct json_object *a = json_object_new_array();
	bool ok = a;

	for (size_t i = 0; ok && i < l->n; i++) {
		struct json_object *o = json_object_new_object();
		bool p_ok = o;

		p_ok = p_ok && put(o, "id", string(l->items[i].id));
		p_ok = p_ok && put(o, "title", string(l->items[i].title));
		p_ok = p_ok && put(o, "description", string(l->items[i].description));
		p_ok = p_ok && put(o, "duration_sec", json_object_new_int64(l->items[i].duration));
		ok = append(a, finish(o, p_ok));
	}
	return finish(a, ok);
}

struct json_object *json_faults(char **codes)
{
	struct json_object *a = json_object_new_array();
	bool ok = a;

	for (char **code = codes; ok && code && *code; code++) {
		struct json_object *o = json_object_new_object();
		const char *zone = strchr(*code, ':');
		char text[FAULT_TEXT_MAX];
		bool f_ok = o;

		f_ok = f_ok && put(o, "code", string(*code));
		f_ok = f_ok && put_string_or_null(o, "zone", zone ? zone + 1 : NULL);
		f_ok = f_ok && put(o, "text", string(fault_text(text, *code)));
		ok = append(a, finish(o, f_ok));
	}
	return finish(a, ok);
}

struct json_object *json_profiles(char **names, const char *in_use)
{
	struct json_object *a = json_object_new_array();
	bool ok = a;

	for (char **name = names; ok && name && *name; name++) {
		struct json_object *o = json_object_new_object();
		bool p_ok = o;

		p_ok = p_ok && put(o, "name", string(*name));
		p_ok = p_ok && put(o, "in_use", json_object_new_boolean(in_use && strcmp(in_use, *name) == 0));
		ok = append(a, finish(o, p_ok));
	}
	return finish(a, ok);
}
