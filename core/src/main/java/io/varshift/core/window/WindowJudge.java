package io.varshift.core.window;

import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.AlarmStateMachine;
import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.shift.LayerStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Judges the closed windows of one model version, in order, and keeps their alarm state: one state
 * machine per layer (localisation), one for the model (per-window verdict or CUSUM over), one for the
 * prediction mix, and the CUSUM. A new model version gets a new judge. Not thread-safe.
 */
public final class WindowJudge {

    /** Fewer samples than this (a short time window) are not judged: the null is not made for them. */
    public static final int MIN_JUDGED_SAMPLES = 32;

    private final ModelReference reference;
    private final ModelCalibration calibration;
    private final List<AlarmStateMachine> layerAlarms = new ArrayList<>();
    private final AlarmStateMachine modelAlarm;
    private final AlarmStateMachine mixAlarm;
    private final Cusum cusum;

    /**
     * @param enterAfter consecutive over windows that raise an alarm
     * @param exitAfter consecutive clean windows that clear it
     * @param cusumArl in-control average run length of the CUSUM, in windows
     */
    public WindowJudge(ModelReference reference, int enterAfter, int exitAfter, double cusumArl) {
        this.reference = reference;
        this.calibration = reference.calibration().orElse(null);
        for (int i = 0; i < reference.layers().size(); i++) {
            layerAlarms.add(new AlarmStateMachine(enterAfter, exitAfter));
        }
        modelAlarm = new AlarmStateMachine(enterAfter, exitAfter);
        mixAlarm = new AlarmStateMachine(enterAfter, exitAfter);
        cusum = new Cusum(Cusum.DEFAULT_REFERENCE, Cusum.thresholdFor(cusumArl, Cusum.DEFAULT_REFERENCE));
    }

    /**
     * Whether windows are judged against a calibrated null (else statistics only, never an alarm);
     * windows of fewer than {@value #MIN_JUDGED_SAMPLES} samples are never judged.
     */
    public boolean calibrated() {
        return calibration != null;
    }

    /**
     * @param moments each layer's window moments, in model order
     * @param cellScoreSums each layer's summed sample cell scores (see {@link WindowState#cellScoreSums})
     * @param classCounts samples per predicted class (the model's classes)
     * @param windowId identifies the window in the transitions it causes
     */
    public WindowVerdict judge(List<ChannelMoments> moments, double[] cellScoreSums, long[] classCounts,
            long windowId) {
        List<LayerReference> layers = reference.layers();
        if (moments.size() != layers.size()) {
            throw new IllegalArgumentException("window has " + moments.size() + " layers but the model has "
                    + layers.size());
        }
        long samples = 0;
        for (long c : classCounts) {
            samples += c;
        }
        List<LayerVerdict> verdicts = new ArrayList<>();
        if (calibration == null || samples < MIN_JUDGED_SAMPLES) {
            for (int i = 0; i < layers.size(); i++) {
                verdicts.add(new LayerVerdict(layers.get(i).name(), LayerStatistics.of(moments.get(i), layers.get(i)),
                        Signal.unjudged(layerAlarms.get(i).state()), Double.NaN, Double.NaN));
            }
            return new WindowVerdict(0, samples, classCounts, verdicts, Signal.unjudged(modelAlarm.state()),
                    Signal.unjudged(mixAlarm.state()), new WindowVerdict.Sequential(Double.NaN, cusum.threshold(), false));
        }
        ModelCalibration.Judgement j = calibration.judge(moments, cellScoreSums, classCounts);
        double threshold = calibration.scoreThreshold();
        double alpha = calibration.falseAlarmRate();
        for (int i = 0; i < layers.size(); i++) {
            double score = ModelCalibration.Judgement.score(j.layerP()[i]);
            boolean over = j.layerP()[i] < alpha;
            LayerStatistics s = LayerStatistics.of(moments.get(i), layers.get(i));
            verdicts.add(new LayerVerdict(layers.get(i).name(), s,
                    signal(layerAlarms.get(i), over, over, windowId, score, threshold),
                    ModelCalibration.Judgement.score(j.momentP()[i]), ModelCalibration.Judgement.score(j.cellP()[i])));
        }
        boolean sequentialOver = cusum.observe(Cusum.score(j.modelP()));
        WindowVerdict.Sequential sequential = new WindowVerdict.Sequential(cusum.statistic(), cusum.threshold(),
                sequentialOver);
        boolean modelOver = j.modelP() < alpha;
        // The model's alarm moves on the window's own verdict or the CUSUM's; its signal reports the window's.
        Signal model = signal(modelAlarm, modelOver || sequentialOver, modelOver, windowId,
                ModelCalibration.Judgement.score(j.modelP()), threshold);
        boolean mixOver = j.predictionMixP() < alpha;
        Signal mix = signal(mixAlarm, mixOver, mixOver, windowId, ModelCalibration.Judgement.score(j.predictionMixP()),
                threshold);
        return new WindowVerdict(j.windowSize(), samples, classCounts, verdicts, model, mix, sequential);
    }

    /** Feeds {@code alarmInput} to the state machine; the signal reports {@code over}. */
    private static Signal signal(AlarmStateMachine machine, boolean alarmInput, boolean over, long windowId,
            double score, double threshold) {
        Optional<AlarmTransition> t = machine.observe(alarmInput, windowId, score, threshold);
        return new Signal(score, threshold, over, machine.state(), t);
    }

    /** The alarm states and the CUSUM as they stand after the last judged window. */
    public JudgeMemory memory() {
        List<JudgeMemory.Alarm> layers = new ArrayList<>();
        for (AlarmStateMachine m : layerAlarms) {
            layers.add(alarm(m));
        }
        return new JudgeMemory(layers, alarm(modelAlarm), alarm(mixAlarm), cusum.statistic());
    }

    /**
     * Continues from {@code memory} (taken from a judge of the same model version, possibly in another
     * process): the next window is judged as if this judge had judged all the earlier ones.
     *
     * @throws IllegalArgumentException when the memory has another number of layers than the model
     */
    public void restore(JudgeMemory memory) {
        if (memory.layers().size() != layerAlarms.size()) {
            throw new IllegalArgumentException("judge memory of " + memory.layers().size() + " layers for a model of "
                    + layerAlarms.size() + " layers; it belongs to another model version");
        }
        for (int i = 0; i < layerAlarms.size(); i++) {
            restore(layerAlarms.get(i), memory.layers().get(i));
        }
        restore(modelAlarm, memory.model());
        restore(mixAlarm, memory.predictionMix());
        cusum.restore(memory.cusum());
    }

    private static JudgeMemory.Alarm alarm(AlarmStateMachine m) {
        return new JudgeMemory.Alarm(m.state(), m.run());
    }

    private static void restore(AlarmStateMachine m, JudgeMemory.Alarm a) {
        m.restore(a.state(), a.run());
    }

    /** The model-level alarm state. */
    public AlarmState modelState() {
        return modelAlarm.state();
    }
}
