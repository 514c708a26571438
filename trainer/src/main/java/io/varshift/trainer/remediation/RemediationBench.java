package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.corruption.ShiftedImages;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.window.WindowVerdict;
import io.varshift.trainer.adjust.BnAdjustService;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.EvalPass;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The loop measured per replay shift, with the labels kept aside: clean windows, then the shift from an
 * onset on, judged window by window as the agent judges them (core's judge, the model's calibration);
 * the controller's own policy ({@link AlarmTracker}) decides when to trigger, and its own check
 * ({@link CandidateCheck}) builds and verifies the candidate on the alarm windows' samples. Labels are
 * read only to measure: accuracy on the shifted traffic after the trigger, before and after the
 * remediation, and the model's clean held-out accuracy.
 *
 * <p>Time from onset to recovery is on the traffic's clock at {@code rate} records per second: the
 * windows until the trigger, plus the remediation's measured wall time, plus the agent's reload
 * interval, up to the end of the candidate's first window back inside the null.
 */
public final class RemediationBench {

    /** What one run measures; {@code windowSamples} must be a size the model is calibrated for. */
    public record Settings(List<ShiftKind> shifts, double severity, int windowSamples, int cleanWindows,
                           int persistWindows, int records, int verifyWindows, double accuracyMargin, double rate,
                           double reloadSeconds, int heldOutLimit, long seed) {
        public Settings {
            shifts = List.copyOf(shifts);
        }
    }

    private final BnAdjustService adjust;

    public RemediationBench(BnAdjustService adjust) {
        this.adjust = adjust;
    }

    /**
     * @param traffic unlabelled-to-the-loop images the calibration never saw (Fashion-MNIST test images after
     *                the held-out part), clean; the shift is applied to all but the first clean windows
     */
    public ObjectNode run(ModelArtifact source, ImageSet traffic, Settings s, JobContext context) {
        ImageSet heldOut = CandidateCheck.heldOut(source, adjust.dataDir(), s.heldOutLimit());
        int w = s.windowSamples();
        int clean = s.cleanWindows() * w;
        if (traffic.size() < clean + (s.records() + (s.verifyWindows() + 4L) * w)) {
            throw new IllegalArgumentException("the bench needs at least " + (clean + s.records()
                    + (s.verifyWindows() + 4L) * w) + " unseen images; " + traffic.size() + " are there");
        }
        ObjectNode out = Json.object();
        out.put("model", source.name());
        out.put("version", source.version());
        out.put("severity", s.severity());
        out.put("windowSamples", w);
        out.put("cleanWindows", s.cleanWindows());
        out.put("persistWindows", s.persistWindows());
        out.put("records", s.records());
        out.put("verifyWindows", s.verifyWindows());
        out.put("accuracyMargin", s.accuracyMargin());
        out.put("rate", s.rate());
        out.put("reloadSeconds", s.reloadSeconds());
        out.put("trafficImages", traffic.size());
        out.put("started", Instant.now().toString());
        ArrayNode rows = Json.array();
        int done = 0;
        for (ShiftKind kind : s.shifts()) {
            context.progress((double) done / s.shifts().size(), "remediation bench");
            ImageSet shifted = ShiftedImages.of(traffic.slice(clean, traffic.size()), kind, s.severity(),
                    new Random(s.seed()));
            rows.add(shift(source, kind, ImageSet.concat(traffic.slice(0, clean), shifted), clean, heldOut, s));
            done++;
        }
        context.progress(1, "remediation bench");
        out.set("shifts", rows);
        return out;
    }

    private ObjectNode shift(ModelArtifact source, ShiftKind kind, ImageSet stream, int onset, ImageSet heldOut,
                             Settings s) {
        int w = s.windowSamples();
        ObjectNode row = Json.object();
        row.put("shift", kind.cliName());
        AlarmTracker tracker = new AlarmTracker(s.persistWindows(), s.records(), s.verifyWindows(), Duration.ZERO);
        AlarmTracker.Start start = null;
        Integer alarmWindow = null;
        int windows = stream.size() / w;
        int index = 0;
        try (LoadedModel old = ModelLoader.load(source)) {
            WindowReplay agent = new WindowReplay(old, old.reference(), w, 256, 2, 3);
            for (; index < windows && start == null; index++) {
                WindowVerdict v = agent.judge(stream.slice(index * w, (index + 1) * w)).get(0);
                if (index * w < onset && v.model().state() == AlarmState.ALARM) {
                    row.put("cleanAlarm", true);
                }
                if (index * w >= onset && alarmWindow == null && v.model().state() == AlarmState.ALARM) {
                    alarmWindow = index - onset / w + 1;
                }
                AlarmTracker.Decision d = tracker.observe(new WindowResult(source.name(), source.version(), index, true,
                        w, v.model().state(), v.model().over(), v.predictionMix().state(),
                        List.of(new WindowResult.Range("bench", 0, (long) index * w, (long) (index + 1) * w - 1))),
                        Instant.EPOCH);
                if (d instanceof AlarmTracker.Start st) {
                    start = st;
                }
            }
            row.put("alarmAfterWindows", alarmWindow);
            if (start == null) {
                row.put("outcome", "no-trigger");
                return row;
            }
            int triggerEnd = index * w;
            row.put("triggerAfterWindows", index - onset / w);
            ImageSet after = stream.slice(triggerEnd, stream.size());
            row.put("accuracyBefore", EvalPass.run(old.block(), old.model().getNDManager(), after, 256,
                    JobContext.silent(), "accuracy"));
            WindowResult.Range range = start.trigger().ranges().get(0);
            int need = s.records() + s.verifyWindows() * w;
            ImageSet gathered = unlabelled(stream.slice((int) Math.max(range.first(), range.last() + 1 - need),
                    (int) range.last() + 1));
            CandidateCheck.Split split = CandidateCheck.split(gathered, s.records(), s.verifyWindows() * w, w);
            long started = System.nanoTime();
            ObjectNode provenance = Json.object();
            provenance.put("method", "remediate");
            CandidateCheck.Checked built;
            try {
                built = new CandidateCheck(adjust, 256, s.accuracyMargin()).check(source, split.recalibrate(),
                        split.verify(), heldOut, w, provenance, JobContext.silent());
            } catch (IllegalArgumentException | IllegalStateException e) {
                // What the controller records as FAILED: no candidate, nothing published.
                row.put("outcome", "failed");
                row.put("reason", e.getMessage());
                return row;
            }
            try (CandidateCheck.Checked checked = built) {
                double seconds = (System.nanoTime() - started) / 1e9;
                row.put("remediationSeconds", seconds);
                row.set("checks", checked.checks());
                LoadedModel candidate = checked.candidate().loaded();
                row.put("accuracyAfter", EvalPass.run(candidate.block(), candidate.model().getNDManager(),
                        after, 256, JobContext.silent(), "accuracy"));
                row.put("outcome", checked.passed() ? "promoted" : "rejected");
                if (!checked.passed()) {
                    row.put("reason", checked.failure());
                    return row;
                }
                // The agent judges with the candidate from the first window boundary after promotion and reload.
                double promoted = (triggerEnd - onset) / s.rate() + seconds + s.reloadSeconds();
                int firstWindow = (int) Math.ceil(promoted * s.rate() / w);
                WindowReplay next = new WindowReplay(candidate, checked.candidate().result().reference(), w, 256,
                        2, 3);
                int okAfter = -1;
                for (int k = 0; k * w + w <= after.size() && okAfter < 0; k++) {
                    WindowVerdict v = next.judge(after.slice(k * w, (k + 1) * w)).get(0);
                    boolean inside = !v.model().over() && v.layers().stream().noneMatch(l -> l.drift().over());
                    if (inside) {
                        okAfter = k;
                    }
                }
                if (okAfter < 0) {
                    row.put("recovered", false);
                } else {
                    row.put("recovered", true);
                    row.put("windowsToOkAfterSwap", okAfter + 1);
                    row.put("onsetToRecoverySeconds", (firstWindow + okAfter + 1) * (double) w / s.rate());
                }
            }
        }
        return row;
    }

    private static ImageSet unlabelled(ImageSet set) {
        float[] values = new float[set.size() * set.sampleSize()];
        java.nio.FloatBuffer buffer = java.nio.FloatBuffer.wrap(values);
        for (int i = 0; i < set.size(); i++) {
            set.copySample(i, buffer);
        }
        return ImageSet.ofFloats(values, null, set.sampleShape());
    }

    /** The console table of a run. */
    public static String table(JsonNode result) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%-12s %-10s %6s %8s %8s %9s %9s %9s %9s%n", "shift", "outcome", "alarm", "trigger", "remed s",
                "acc before", "acc after", "clean Δ", "recovery s"));
        for (JsonNode r : result.get("shifts")) {
            JsonNode held = r.has("checks") ? r.get("checks").get("heldOut") : null;
            b.append(String.format(Locale.ROOT, "%-12s %-10s %6s %8s %8s %9s %9s %9s %9s%n",
                    r.get("shift").asText(), r.get("outcome").asText(), text(r, "alarmAfterWindows", "%.0f"),
                    text(r, "triggerAfterWindows", "%.0f"), text(r, "remediationSeconds", "%.1f"),
                    text(r, "accuracyBefore", "%.4f"), text(r, "accuracyAfter", "%.4f"),
                    held == null ? "-" : String.format(Locale.ROOT, "%+.4f",
                            held.get("accuracyCandidate").asDouble() - held.get("accuracySource").asDouble()),
                    text(r, "onsetToRecoverySeconds", "%.1f")));
        }
        return b.toString();
    }

    private static String text(JsonNode r, String key, String format) {
        return r.hasNonNull(key) ? String.format(Locale.ROOT, format, r.get(key).asDouble())
                : "-";
    }

    /** Fashion-MNIST test images after the model's held-out part: traffic the calibration never saw. */
    public static ImageSet unseenTestImages(ModelArtifact source, java.nio.file.Path dataDir) {
        int heldOut = source.modelJson().get("training").get("heldOutSamples").asInt();
        ImageSet test = FashionMnist.in(dataDir).test();
        return test.slice(heldOut, test.size());
    }
}
