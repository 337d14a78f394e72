/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "bus-properties.h"
#include "chair-types.h"

#define VALUE(type, p, view) (*(type const *)((const char *)(view) + (p)->offset))
#define STRING_AT(p, view) ((const char *)(view) + (p)->offset)
#define FIELD_AT(p, view) ((const void *)STRING_AT(p, view))

const struct bus_property *bus_property_find(const struct bus_property *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

/* the strings in `list` between runs of `separators` */
static int append_split(sd_bus_message *m, const char *list, const char *separators)
{
	int r = sd_bus_message_open_container(m, 'a', "s");

	while (r >= 0 && *list) {
		size_t len = strcspn(list, separators);

		r = sd_bus_message_append(m, "s", strndupa(list, len));
		list += len;
		list += strspn(list, separators);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int append_zone_levels(sd_bus_message *m, const int *levels)
{
	int r = sd_bus_message_open_container(m, 'a', "{si}");

	for (enum zone z = 0; r >= 0 && z < _ZONE_MAX; z++)
		if (z != ZONE_BACK)
			r = sd_bus_message_append(m, "{si}", zone_to_string(z), (int32_t)levels[z]);
	return r < 0 ? r : sd_bus_message_close_container(m);
}

int bus_property_append(sd_bus_message *m, const struct bus_property *p, const void *view)
{
	switch (p->kind) {
	case BUS_KIND_STRING:
		return sd_bus_message_append(m, "s", VALUE(const char *, p, view));
	case BUS_KIND_STRING_BUF:
		return sd_bus_message_append(m, "s", STRING_AT(p, view));
	case BUS_KIND_WORDS:
		return append_split(m, STRING_AT(p, view), " ");
	case BUS_KIND_LINES:
		return append_split(m, STRING_AT(p, view), "\n");
	case BUS_KIND_U32:
		return sd_bus_message_append(m, "u", (uint32_t)VALUE(unsigned, p, view));
	case BUS_KIND_U64:
		return sd_bus_message_append(m, "t", VALUE(uint64_t, p, view));
	case BUS_KIND_BOOL:
		return sd_bus_message_append(m, "b", (int)VALUE(bool, p, view));
	case BUS_KIND_DOUBLE:
		return sd_bus_message_append(m, "d", VALUE(double, p, view));
	case BUS_KIND_ZONE_LEVELS:
		return append_zone_levels(m, FIELD_AT(p, view));
	}
	return -EINVAL;
}

static bool double_changed(const struct bus_property *p, double a, double b)
{
	if (p->paced_step <= 0.0)
		return a != b;
	return fabs(b - a) >= p->paced_step || (p->paced_zero && (a == 0.0) != (b == 0.0));
}

bool bus_property_changed(const struct bus_property *p, const void *old_view, const void *new_view)
{
	switch (p->kind) {
	case BUS_KIND_STRING:
		return strcmp(VALUE(const char *, p, old_view), VALUE(const char *, p, new_view)) != 0;
	case BUS_KIND_STRING_BUF:
	case BUS_KIND_WORDS:
	case BUS_KIND_LINES:
		return strcmp(STRING_AT(p, old_view), STRING_AT(p, new_view)) != 0;
	case BUS_KIND_U32:
		return VALUE(unsigned, p, old_view) != VALUE(unsigned, p, new_view);
	case BUS_KIND_U64:
		return VALUE(uint64_t, p, old_view) != VALUE(uint64_t, p, new_view);
	case BUS_KIND_BOOL:
		return VALUE(bool, p, old_view) != VALUE(bool, p, new_view);
	case BUS_KIND_DOUBLE:
		return double_changed(p, VALUE(double, p, old_view), VALUE(double, p, new_view));
	case BUS_KIND_ZONE_LEVELS:
		return memcmp(FIELD_AT(p, old_view), FIELD_AT(p, new_view), sizeof(int[_ZONE_MAX])) != 0;
	}
	return true;
}

int bus_property_get(const struct bus_property *table, size_t n, const char *name, const void *view,
		     sd_bus_message *reply, sd_bus_error *error)
{
	const struct bus_property *p = bus_property_find(table, n, name);

	if (!p)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "Unknown property %s", name);
	return bus_property_append(reply, p, view);
}
