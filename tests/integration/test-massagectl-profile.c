/* SPDX-License-Identifier: MIT */
/* massagectl profile and the profile line of massagectl status, as a person sees them:
 * the output, the messages and the exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check-tap.h"
#include "harness.h"

#define CTL(h, ...) H_MASSAGECTL((h), __VA_ARGS__)

static void expect(struct harness *h, const struct harness_ctl_result *r, const char *what, int status, const char *out)
{
	H_ASSERT(h, r->status == status, "massagectl %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", what,
		 r->status, status, r->out, r->err);
	if (out)
		H_ASSERT(h, strcmp(r->out, out) == 0, "massagectl %s printed:\n%s\nexpected:\n%s", what, r->out, out);
}

START_TEST(test_profile_commands)
{
	struct harness_ctl_result r;
	struct harness h;

	harness_start(&h, SCAN_SCALE, NULL);
	r = CTL(&h, "profile");
	expect(&h, &r, "profile", 0, NULL);
	H_ASSERT(&h, strstr(r.out, "No profiles: "), "with none saved:\n%s", r.out);
	r = CTL(&h, "status");
	H_ASSERT(&h, strstr(r.out, "   Profile: none\n"), "status without a profile:\n%s", r.out);

	H_CALL(&h, "SetIntensity", "u", 2);
	r = CTL(&h, "profile", "save", "Bo Ek");
	expect(&h, &r, "profile save \"Bo Ek\"", 0, "");
	/* with a profile in use a change is kept in it: none first */
	r = CTL(&h, "profile", "none");
	expect(&h, &r, "profile none", 0, "");
	H_CALL(&h, "SetIntensity", "u", 4);
	r = CTL(&h, "profile", "save", "Anna");
	expect(&h, &r, "profile save Anna", 0, "");
	r = CTL(&h, "profile", "list");
	expect(&h, &r, "profile list", 0, "* Anna\n  Bo Ek\n");

	r = CTL(&h, "profile", "use", "Bo Ek");
	expect(&h, &r, "profile use \"Bo Ek\"", 0, "");
	H_WAIT_PROP(&h, "Intensity", "2", 2000);
	r = CTL(&h, "profile");
	expect(&h, &r, "profile", 0, "  Anna\n* Bo Ek\n");
	r = CTL(&h, "status");
	H_ASSERT(&h, strstr(r.out, "   Profile: Bo Ek\n"), "status:\n%s", r.out);

	/* show reads a profile without applying it */
	r = CTL(&h, "profile", "show", "Anna");
	expect(&h, &r, "profile show Anna", 0, NULL);
	H_ASSERT(&h, strstr(r.out, "Profile:   Anna\n") && strstr(r.out, "intensity 4/5"), "profile show Anna:\n%s",
		 r.out);
	H_ASSERT(&h, !strstr(r.out, "(in use)"), "Anna is not in use:\n%s", r.out);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Bo Ek");
	H_ASSERT_UINT_EQ(&h, H_PROP_U(&h, "Intensity"), 2);
	r = CTL(&h, "profile", "show", "Bo Ek");
	H_ASSERT(&h, r.status == 0 && strstr(r.out, "Profile:   Bo Ek (in use)\n") && strstr(r.out, "intensity 2/5"),
		 "profile show \"Bo Ek\": %d\n%s", r.status, r.out);

	/* refusals: the daemon's message, exit 1, nothing changed */
	r = CTL(&h, "profile", "use", "Nobody");
	expect(&h, &r, "profile use Nobody", 1, "");
	H_ASSERT(&h,
		 strncmp(r.err, "massagectl: ", 12) == 0 && strstr(r.err, "Nobody") &&
			 strstr(r.err, "Run 'massagectl profile list' for the profiles."),
		 "profile use Nobody:\n%s", r.err);
	r = CTL(&h, "profile", "show", "Nobody");
	expect(&h, &r, "profile show Nobody", 1, "");
	r = CTL(&h, "profile", "save", "../x");
	expect(&h, &r, "profile save ../x", 1, "");
	H_ASSERT(&h, strncmp(r.err, "massagectl: ", 12) == 0 && strlen(r.err) > 20, "profile save ../x:\n%s", r.err);
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profiles"), "Anna,Bo Ek");
	H_ASSERT_STR_EQ(&h, H_PROP(&h, "Profile"), "Bo Ek");

	/* usage errors, before any call */
	r = CTL(&h, "profile", "save", "Bo", "Ek");
	expect(&h, &r, "profile save Bo Ek", 2, "");
	H_ASSERT(&h, strstr(r.err, "quotes"), "profile save Bo Ek:\n%s", r.err);
	r = CTL(&h, "profile", "use");
	expect(&h, &r, "profile use", 2, "");
	r = CTL(&h, "profile", "rename", "Anna");
	expect(&h, &r, "profile rename", 2, "");
	r = CTL(&h, "profile", "none", "Anna");
	expect(&h, &r, "profile none Anna", 2, "");

	r = CTL(&h, "profile", "none");
	expect(&h, &r, "profile none", 0, "");
	H_WAIT_PROP(&h, "Profile", "", 2000);
	r = CTL(&h, "profile", "delete", "Bo Ek");
	expect(&h, &r, "profile delete \"Bo Ek\"", 0, "");
	r = CTL(&h, "profile");
	expect(&h, &r, "profile after delete", 0, "  Anna\n");
	r = CTL(&h, "profile", "delete", "Bo Ek");
	expect(&h, &r, "profile delete \"Bo Ek\" again", 1, "");
	harness_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("massagectl-profile");

	CHECK_ADD_TEST(s, test_profile_commands, 60);
	return check_run_tap(s);
}
