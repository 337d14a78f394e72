#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The heater benchmark's plant: one hot-stone pad in simulated time, driven by a
controller program over the line protocol of docs/heater-bench.md.

  bench/thermal_plant.py [--params FILE] [--seed N] [--csv FILE] -- CONTROLLER ARGS...
  bench/thermal_plant.py --autotune [--params FILE] [--seed N] -- CONTROLLER ARGS...

This script keeps the clock and the physics; the controller only sees readings and
answers duties. A run goes through the benchmark's scenario and prints its metrics as
one JSON line; --autotune feeds the controller the plain plant (no lean-back) until it
exits, for up to two hours of plant time, and prints how long that took. The pad model
is the one drivers/sim/sim-pad.c steps in C; tools/heater-bench reads PUBLIC from here.
"""
import argparse
import json
import math
import random
import subprocess
import sys

# The public parameter set: SI units, temperatures in °C. A plant file (bench/plants/)
# overrides any of these by name.
PUBLIC = {
    "power_w": 48.0,        # the element's power while its relay is closed
    "c_heater": 60.0,       # J/K: the element and the pad around it
    "c_stone": 220.0,       # J/K: the stone under the person's back
    "k_hs": 1.6,            # W/K: element to stone
    "k_ha": 0.15,           # W/K: element to the room
    "k_sa": 0.35,           # W/K: stone to the room
    "k_body": 0.8,          # W/K: stone to the seated person
    "t_amb": 24.0,          # the room, and where everything starts
    "t_body": 34.0,         # the person's skin
    "sensor_tau": 6.0,      # s: the sensor follows the stone with this lag
    "sensor_noise": 0.03,   # °C: standard deviation of the reading's noise
    "sensor_lsb": 0.1,      # °C: the reading's resolution
    "sample": 0.25,         # s: one reading and one duty per sample
    "target": 45.0,
    "duration": 1500.0,     # s: the length of a benchmark run
    "disturb_at": 900.0,    # s: the person leans back ...
    "disturb_gain": 2.0,    # ... and k_body is multiplied by this
    "band": 0.5,            # °C: "at target" means within this of it
}

EULER_STEP_S = 0.01
AUTOTUNE_LIMIT_S = 7200.0
HOLD_WINDOW_S = 300.0       # the hold is judged over this long before the lean-back
CSV_HEADER = "t,reading,stone,element,u"


class HotStonePad:
    """Element, stone and sensor temperatures, stepped by explicit Euler."""

    def __init__(self, params, seed):
        self.params = params
        self.noise = random.Random(seed)
        self.element_c = self.stone_c = self.sensor_c = params["t_amb"]
        self.k_body = params["k_body"]

    def lean_back(self):
        p = self.params
        self.k_body = p["k_body"] * p["disturb_gain"]

    def advance(self, duty, seconds):
        """Hold the element at duty (0..1) for this many seconds."""
        p = self.params
        heat_in = p["power_w"] * duty
        k_hs, k_ha, k_sa, k_body = p["k_hs"], p["k_ha"], p["k_sa"], self.k_body
        c_heater, c_stone, tau = p["c_heater"], p["c_stone"], p["sensor_tau"]
        room, skin, dt = p["t_amb"], p["t_body"], EULER_STEP_S
        element, stone, sensor = self.element_c, self.stone_c, self.sensor_c
        # The bracketing below is the benchmark's arithmetic: every result depends on
        # it to the last bit, so regroup nothing.
        for _ in range(round(seconds / dt)):
            into_stone = k_hs * (element - stone)
            element_rate = (heat_in - into_stone - k_ha * (element - room)) / c_heater
            stone_rate = (into_stone - k_sa * (stone - room) - k_body * (stone - skin)) / c_stone
            element += element_rate * dt
            stone += stone_rate * dt
            sensor += (stone - sensor) / tau * dt  # follows the stone as just updated
        self.element_c, self.stone_c, self.sensor_c = element, stone, sensor

    def read(self):
        """The sensor as the controller sees it: noisy, then quantised. One draw from
        the noise generator per reading, so a seed fixes the whole run."""
        p = self.params
        noisy = self.sensor_c + self.noise.gauss(0.0, p["sensor_noise"])
        return round(noisy / p["sensor_lsb"]) * p["sensor_lsb"]


class ControllerProcess:
    """A controller program: one line out (T READING TARGET), one line back (U)."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def duty(self, t, reading, target):
        """The duty for the next sample, or None once the controller has ended (as it
        does when its autotune is done)."""
        try:
            self.proc.stdin.write(f"{t:.2f} {reading:.2f} {target:.2f}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return None
        answer = self.proc.stdout.readline()
        if not answer:
            return None
        try:
            duty = float(answer.split()[0])
        except (IndexError, ValueError):
            raise SystemExit(f"controller answered {answer.strip()!r}: not a duty")
        if not 0.0 <= duty <= 1.0:  # NaN fails this too
            raise SystemExit(f"controller answered {duty!r}: outside 0..1")
        return duty

    def finish(self):
        """Close its input and return its exit status."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait(timeout=30)


def run_scenario(params, seed, choose_duty, length_s=None):
    """Sample the pad every params["sample"] seconds and let choose_duty(t, reading,
    target) drive it, until length_s (default params["duration"]) or until it returns
    None. Returns the samples as (t, reading, stone, element, duty) tuples."""
    pad = HotStonePad(params, seed)
    lean_back_at = params.get("disturb_at")
    end = params["duration"] if length_s is None else length_s
    samples = []
    t = 0.0
    while t < end - 1e-9:
        if lean_back_at is not None and t >= lean_back_at:
            pad.lean_back()
        reading = pad.read()
        duty = choose_duty(t, reading, params["target"])
        if duty is None:
            break
        samples.append((t, reading, pad.stone_c, pad.element_c, duty))
        pad.advance(duty, params["sample"])
        t += params["sample"]  # a running sum, not a product: the times depend on it
    return samples


def in_band_for_good(samples, target, band):
    """Time of the first sample from which every reading is within band of target,
    or None when the last one is not."""
    since = None
    for t, reading, *_ in samples:
        if abs(reading - target) > band:
            since = None
        elif since is None:
            since = t
    return since


def score(samples, params):
    """The metrics of docs/heater-bench.md, in the order the benchmark prints them."""
    target, lean_back_at = params["target"], params["disturb_at"]
    seated = [s for s in samples if s[0] < lean_back_at]
    leaned = [s for s in samples if s[0] >= lean_back_at]
    hold_errors = [s[1] - target for s in seated if s[0] >= lean_back_at - HOLD_WINDOW_S]
    back = in_band_for_good(leaned, target, params["band"])
    switches = sum(1 for before, after in zip(samples, samples[1:])
                   if (before[4] > 0) != (after[4] > 0))
    return {
        "settle_s": in_band_for_good(seated, target, params["band"]),
        "overshoot_reading_c": max(s[1] for s in seated) - target,
        "overshoot_stone_c": max(s[2] for s in seated) - target,
        "max_stone_c": max(s[2] for s in samples),
        "hold_rms_c": (math.sqrt(sum(e * e for e in hold_errors) / len(hold_errors))
                       if hold_errors else None),
        "disturb_dev_c": max(abs(s[1] - target) for s in leaned) if leaned else None,
        "disturb_recover_s": back - lean_back_at if back is not None else None,
        "switches_per_min": switches / (samples[-1][0] / 60.0) if samples else None,
    }


def fastest_settle_s(params):
    """The bound no controller can beat: full power from cold, without sensor noise,
    until the reading first reaches the band."""
    floor = params["target"] - params["band"]
    reached = []

    def full_power(t, reading, target):
        if reading >= floor:
            reached.append(t)
            return None  # nothing after this changes the answer
        return 1.0

    run_scenario(dict(params, sensor_noise=0.0), 0, full_power)
    return reached[0] if reached else None


def write_csv(path, samples):
    with open(path, "w") as f:
        f.write(CSV_HEADER + "\n")
        for sample in samples:
            f.write(",".join(f"{v:.3f}" for v in sample) + "\n")


def autotune(params, seed, controller):
    samples = run_scenario(dict(params, disturb_at=None), seed, controller.duty,
                           length_s=AUTOTUNE_LIMIT_S)
    status = controller.finish()
    print(json.dumps({
        "autotune_s": samples[-1][0] if samples else 0,
        "exit": status,
        "max_stone_c": max(s[2] for s in samples) if samples else None,
    }))
    return 0 if status == 0 else 1


def benchmark(params, seed, controller, csv_path):
    samples = run_scenario(params, seed, controller.duty)
    controller.finish()
    if not samples:
        raise SystemExit("the controller ended before its first answer")
    if csv_path:
        write_csv(csv_path, samples)
    result = score(samples, params)
    result["lower_bound_s"] = fastest_settle_s(params)
    print(json.dumps(result))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--params", metavar="FILE",
                    help="JSON object of parameters to override (bench/plants/*.json)")
    ap.add_argument("--seed", type=int, default=1, help="sensor noise seed (default 1)")
    ap.add_argument("--csv", metavar="FILE", help="write the run's trajectory here")
    ap.add_argument("--autotune", action="store_true",
                    help="run the controller until it exits (its autotune); no metrics")
    ap.add_argument("controller", nargs=argparse.REMAINDER,
                    help="-- then the controller's command line")
    args = ap.parse_args()

    params = dict(PUBLIC)
    if args.params:
        try:
            with open(args.params) as f:
                params.update(json.load(f))
        except (OSError, ValueError) as e:
            ap.error(f"{args.params}: {e}")
    argv = args.controller[1:] if args.controller[:1] == ["--"] else args.controller
    if not argv:
        ap.error("name the controller command after --")

    controller = ControllerProcess(argv)
    if args.autotune:
        return autotune(params, args.seed, controller)
    return benchmark(params, args.seed, controller, args.csv)


if __name__ == "__main__":
    sys.exit(main())
