package io.varshift.agent.fleet;

import java.util.HashMap;
import java.util.Map;

import io.varshift.core.alarm.Cusum;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.window.JudgeMemory;
import io.varshift.core.window.WindowJudge;

/**
 * The fleet judge's model versions: each version's reference and one {@link WindowJudge}, whose memory is
 * restored from the state store before every window (the judge object holds no state of its own between windows). Stream thread only.
 */
final class Judges {

    /** One version: its reference, its judge, and the memory of a judge that has seen no window. */
    record Entry(ModelReference reference, WindowJudge judge, JudgeMemory initial) {
    }

    private final FleetTopology.References references;
    private final int enterAfter;
    private final int exitAfter;
    private final Map<String, Entry> cache = new HashMap<>();

    Judges(FleetTopology.References references, int enterAfter, int exitAfter) {
        this.references = references;
        this.enterAfter = enterAfter;
        this.exitAfter = exitAfter;
    }

    /**
     * @throws IllegalArgumentException when the version cannot be read (the message says why)
     */
    Entry of(String model, String version) {
        String key = model + '\u0000' + version;
        Entry e = cache.get(key);
        if (e == null) {
            ModelReference reference = references.reference(model, version);
            WindowJudge judge = new WindowJudge(reference, enterAfter, exitAfter, Cusum.DEFAULT_ARL);
            e = new Entry(reference, judge, judge.memory());
            cache.put(key, e);
        }
        return e;
    }
}
