package io.varshift.trainer.remediation;

import io.varshift.core.alarm.AlarmState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trigger policy, fed window results in order: per model, an episode starts when the model-level
 * state leaves OK and ends when it is OK again or a new version is judged. An episode triggers once,
 * when the state has been ALARM for {@code persistWindows} windows in a row and its windows hold enough
 * samples to recalibrate on and to verify on; not while a remediation of the model runs or waits, nor
 * within {@code interval} of the last one started. Only the model-level (covariate) state counts: the
 * prediction-mix state alone never triggers. Not thread-safe; the controller's consumer thread owns it.
 */
final class AlarmTracker {

    /** What one window result led to. */
    sealed interface Decision {
    }

    /** Nothing to do. */
    record None() implements Decision {
    }

    /** Start a remediation. */
    record Start(Trigger trigger) implements Decision {
    }

    /** The alarm persisted but a guard rail holds the remediation back (said once per episode). */
    record Held(String model, int version, String reason) implements Decision {
    }

    private static final None NONE = new None();

    private final int persistWindows;
    private final long neededSamples;
    private final int verifyWindows;
    private final Duration interval;
    private final Map<String, Episode> episodes = new HashMap<>();
    private final Map<String, Instant> lastStart = new HashMap<>();
    private final Set<String> busy = new HashSet<>();

    private static final class Episode {
        final int version;
        final List<WindowResult> windows = new ArrayList<>();
        int alarmRun;
        boolean decided;

        Episode(int version) {
            this.version = version;
        }
    }

    /**
     * @param recalibrationSamples samples the recalibration needs; the episode must also hold
     *                             {@code verifyWindows} windows more for the verification
     */
    AlarmTracker(int persistWindows, int recalibrationSamples, int verifyWindows, Duration interval) {
        this.persistWindows = persistWindows;
        this.neededSamples = recalibrationSamples;
        this.verifyWindows = verifyWindows;
        this.interval = interval;
    }

    Decision observe(WindowResult w, Instant now) {
        if (!w.judged()) {
            return NONE;
        }
        Episode episode = episodes.get(w.model());
        if (episode != null && episode.version != w.version()) {
            episodes.remove(w.model());
            episode = null;
        }
        if (w.modelState() == AlarmState.OK) {
            episodes.remove(w.model());
            return NONE;
        }
        if (episode == null) {
            episode = new Episode(w.version());
            episodes.put(w.model(), episode);
        }
        episode.windows.add(w);
        episode.alarmRun = w.modelState() == AlarmState.ALARM ? episode.alarmRun + 1 : 0;
        if (episode.decided || episode.alarmRun < persistWindows) {
            return NONE;
        }
        int windowSamples = Math.toIntExact(w.samples());
        long samples = episode.windows.stream().mapToLong(WindowResult::samples).sum();
        if (samples < neededSamples + (long) verifyWindows * windowSamples) {
            return NONE;
        }
        episode.decided = true;
        if (busy.contains(w.model())) {
            return new Held(w.model(), w.version(), "a remediation of the model is already running or awaiting"
                    + " approval");
        }
        Instant last = lastStart.get(w.model());
        if (last != null && now.isBefore(last.plus(interval))) {
            return new Held(w.model(), w.version(), "rate limit: the last remediation started at " + last
                    + ", the next may start at " + last.plus(interval) + " (varshift.trainer.remediation.interval = "
                    + interval + ")");
        }
        return new Start(new Trigger(w.model(), w.version(), episode.alarmRun,
                episode.windows.stream().map(WindowResult::windowNumber).toList(), merge(episode.windows), samples,
                windowSamples));
    }

    /** The controller started a remediation of the model: no other until it is done, none within the interval. */
    void started(String model, Instant now) {
        busy.add(model);
        lastStart.put(model, now);
    }

    /** The model's remediation finished (whatever the outcome); the interval still applies. */
    void finished(String model) {
        busy.remove(model);
    }

    /** Per topic partition, from the first to the last offset the windows hold. */
    private static List<WindowResult.Range> merge(List<WindowResult> windows) {
        Map<String, WindowResult.Range> merged = new LinkedHashMap<>();
        for (WindowResult w : windows) {
            for (WindowResult.Range r : w.offsets()) {
                merged.merge(r.topic() + "-" + r.partition(), r, (a, b) -> new WindowResult.Range(a.topic(),
                        a.partition(), Math.min(a.first(), b.first()), Math.max(a.last(), b.last())));
            }
        }
        return List.copyOf(merged.values());
    }
}
