/* SPDX-License-Identifier: MIT */
/* What each fault code of Chair1's Faults means and what the person does about it: the
 * sentences the daemon's FaultRaised gives, without the figures of the moment (the
 * Faults property carries only the codes). docs/dbus-api.md lists the codes. */
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "massagectl.h"

struct fault_explanation {
	const char *kind; /* the code, or for a pad's fault the part before ":ZONE" */
	const char *text; /* a pad's: %s is the zone */
};

static const struct fault_explanation explanations[] = {
	{ "estop", "The emergency stop was pressed: rollers and heat are off. Release it, then clear the fault "
		   "('massagectl clear')." },
	{ "roller-offline", "The roller board stopped answering for 300 ms; motor power is off. Check its cable and "
			    "supply, then clear the fault ('massagectl clear')." },
	{ "roller-fault", "The roller board reported a fault (pinch or overcurrent, motor overtemperature, encoder, "
			  "supply) or its watchdog stopped the motors. Make sure nothing is caught in the mechanism, "
			  "then clear the fault ('massagectl clear')." },
	{ "relay-offline", "The relay board stopped confirming its coils; the master heater relay cuts every pad. "
			   "Check the board's cable and supply, then clear the fault ('massagectl clear'). If the "
			   "journal says the master relay did not open, switch the chair off at the mains." },
	{ "modbus-slow", "The Modbus link answered too slowly for the control tick; motors and heat are off. Check "
			 "the bus wiring, its speed and the devices, then clear the fault ('massagectl clear')." },
	{ "over-force", "The back pressed on the rollers over ForceMax while they retracted; the motors are off. "
			"Check that nothing pushes the back onto them and that the load cell reads about 0 N with the "
			"seat empty, then clear the fault ('massagectl clear')." },
	{ "temp-module-offline", "The temperature module stopped answering: all heat is off. Check its supply and "
				 "bus wiring, then clear the fault ('massagectl clear')." },
	{ "sensor", "The %s pad's temperature sensor reads nothing valid, jumps or is frozen: its heat is off. Check "
		    "that the sensor sits on the stone and its wiring, then clear the fault ('massagectl clear')." },
	{ "overtemp", "The %s pad got hotter than its trip point (MaxTarget + 3 °C), which massaged never drives it "
		      "to: all heat is off. Check the pad's relay for sticking and the sensor against a thermometer, "
		      "then clear the fault ('massagectl clear')." },
	{ "runaway", "The %s pad did not warm although it was heated hard: its element may be dead or its sensor off "
		     "the stone. Its heat is off. Check both, then clear the fault ('massagectl clear')." },
	{ "heater-stuck", "The %s pad kept warming with its relay off: the relay may be welded shut, and the master "
			  "heater relay is off. Replace the pad's relay, then clear the fault ('massagectl clear')." },
};

const char *fault_text(char buf[static FAULT_TEXT_MAX], const char *code)
{
	const char *zone = strchr(code, ':');
	size_t kind_len = zone ? (size_t)(zone - code) : strlen(code);

	for (size_t i = 0; i < ELEMENTSOF(explanations); i++) {
		const struct fault_explanation *e = &explanations[i];
		bool pad_fault = strstr(e->text, "%s") != NULL;

		if (strlen(e->kind) != kind_len || strncmp(e->kind, code, kind_len) != 0 || pad_fault != (zone != NULL))
			continue;
		if (pad_fault) {
			const char *at = strstr(e->text, "%s");

			/* a pad's fault may have locked it out, which clearing does not end */
			(void)snprintf(buf, FAULT_TEXT_MAX,
				       "%.*s%s%s If 'massagectl heat' shows the pad locked out, it needs service "
				       "first: after the repair root runs 'massagectl service reset %s'.",
				       (int)(at - e->text), e->text, zone + 1, at + 2, zone + 1);
		} else
			(void)snprintf(buf, FAULT_TEXT_MAX, "%s", e->text);
		return buf;
	}
	(void)snprintf(buf, FAULT_TEXT_MAX,
		       "A fault this massagectl does not know: 'journalctl -u massaged' says what happened and what "
		       "to do.");
	return buf;
}
