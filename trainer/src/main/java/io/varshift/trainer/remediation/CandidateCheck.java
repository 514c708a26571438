package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.BnReestimator;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.window.WindowVerdict;
import io.varshift.trainer.adjust.BnAdjustService;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.EvalPass;
import io.varshift.trainer.training.TrainingData;

import java.util.List;

/**
 * Builds a candidate by label-free recalibration and verifies it before anything is written:
 * <ol>
 * <li>traffic: on a slice of recent traffic disjoint from the recalibration samples, windows of the
 * agent's size judged against the candidate's own calibration must all be inside the null (no model
 * verdict over, no CUSUM signal); the source version's verdicts on the same windows are reported beside;</li>
 * <li>held-out: the candidate's accuracy on the model's clean labelled held-out data must not be worse
 * than the source version's by more than the margin;</li>
 * <li>shift: each layer's re-estimated variance against the source reference's is reported.</li>
 * </ol>
 */
final class CandidateCheck {

    /** The candidate (not yet written), what the checks measured, and whether it passed them all. */
    record Checked(BnAdjustService.Candidate candidate, ObjectNode checks, boolean passed, String failure)
            implements AutoCloseable {
        @Override
        public void close() {
            candidate.close();
        }
    }

    private final BnAdjustService adjust;
    private final int batchSize;
    private final double accuracyMargin;

    CandidateCheck(BnAdjustService adjust, int batchSize, double accuracyMargin) {
        this.adjust = adjust;
        this.batchSize = batchSize;
        this.accuracyMargin = accuracyMargin;
    }

    /**
     * @param recalibrate unlabelled traffic to re-estimate on (and the new calibration's baseline)
     * @param verify      unlabelled traffic disjoint from {@code recalibrate}, judged in windows
     * @param heldOut     the model's clean labelled held-out data
     * @param provenance  the new version's provenance so far (trigger, offsets); the checks are added to it
     */
    Checked check(ModelArtifact source, ImageSet recalibrate, ImageSet verify, ImageSet heldOut, int windowSamples,
                  ObjectNode provenance, JobContext context) {
        if (verify.size() < windowSamples) {
            throw new IllegalArgumentException("the verification slice has " + verify.size() + " samples, fewer than"
                    + " one window of " + windowSamples);
        }
        BnAdjustService.Candidate candidate = adjust.prepare(source, recalibrate, recalibrate, batchSize, provenance,
                context);
        try {
            ObjectNode checks = Json.object();
            List<WindowVerdict> after = new WindowReplay(candidate.loaded(), candidate.result().reference(),
                    windowSamples, batchSize, 2, 3).judge(verify);
            double accuracySource;
            List<WindowVerdict> before;
            try (LoadedModel old = ModelLoader.load(source)) {
                before = new WindowReplay(old, old.reference(), windowSamples, batchSize, 2, 3).judge(verify);
                accuracySource = EvalPass.run(old.block(), old.model().getNDManager(), heldOut, batchSize, context,
                        "held-out accuracy, source");
            }
            double accuracyCandidate = EvalPass.run(candidate.loaded().block(),
                    candidate.loaded().model().getNDManager(), heldOut, batchSize, context,
                    "held-out accuracy, candidate");

            ObjectNode traffic = checks.putObject("traffic");
            traffic.put("samples", verify.size());
            traffic.put("windows", after.size());
            traffic.put("windowSamples", windowSamples);
            traffic.put("threshold", after.get(0).model().threshold());
            traffic.set("candidate", summary(after));
            traffic.set("source", summary(before));
            long over = after.stream().filter(v -> v.model().over() || v.sequential().over()).count();
            boolean trafficPassed = over == 0;
            traffic.put("passed", trafficPassed);

            ObjectNode held = checks.putObject("heldOut");
            held.put("samples", heldOut.size());
            held.put("accuracySource", accuracySource);
            held.put("accuracyCandidate", accuracyCandidate);
            held.put("margin", accuracyMargin);
            boolean heldPassed = accuracyCandidate >= accuracySource - accuracyMargin;
            held.put("passed", heldPassed);

            ArrayNode shift = checks.putArray("shiftAgainstSource");
            for (BnReestimator.LayerAdjustment a : candidate.adjustments()) {
                shift.addObject().put("layer", a.layer()).put("varianceRatio", a.varianceRatioBefore());
            }
            boolean passed = trafficPassed && heldPassed;
            checks.put("passed", passed);
            provenance.set("checks", checks);
            String failure = passed ? null : !trafficPassed
                    ? over + " of " + after.size() + " verification windows are still outside the candidate's null"
                    : String.format("held-out accuracy %.4f is more than %.3f below the source's %.4f",
                    accuracyCandidate, accuracyMargin, accuracySource);
            return new Checked(candidate, checks, passed, failure);
        } catch (RuntimeException e) {
            candidate.close();
            throw e;
        }
    }

    /** The recalibration and verification slices of gathered traffic: the newest {@code verifySamples} verify. */
    record Split(ImageSet recalibrate, ImageSet verify) {
    }

    /**
     * The last {@code verifySamples} samples verify; at most {@code records} before them recalibrate.
     *
     * @throws IllegalArgumentException when fewer than one window would be left to recalibrate on
     */
    static Split split(ImageSet traffic, int records, int verifySamples, int windowSamples) {
        int recalibrate = Math.min(records, traffic.size() - verifySamples);
        if (recalibrate < windowSamples) {
            throw new IllegalArgumentException("the alarm windows' ranges held " + traffic.size() + " valid samples; "
                    + verifySamples + " verify and at least " + windowSamples + " must be left to recalibrate on");
        }
        int cut = traffic.size() - verifySamples;
        return new Split(traffic.slice(cut - recalibrate, cut), traffic.slice(cut, traffic.size()));
    }

    /** The model's clean labelled held-out data, as at training, at most {@code limit} samples. */
    static ImageSet heldOut(ModelArtifact source, java.nio.file.Path dataDir, int limit) {
        ImageSet heldOut = TrainingData.forModel(source, dataDir).heldOut();
        JsonNode training = source.modelJson().get("training");
        int n = heldOut.size();
        if (training != null && training.has("heldOutSamples")) {
            n = Math.min(n, training.get("heldOutSamples").asInt());
        }
        return heldOut.slice(0, Math.min(n, limit));
    }

    private static ObjectNode summary(List<WindowVerdict> verdicts) {
        ObjectNode o = Json.object();
        o.put("windowsOver", verdicts.stream().filter(v -> v.model().over()).count());
        o.put("sequentialOver", verdicts.stream().anyMatch(v -> v.sequential().over()));
        o.put("maxModelScore", verdicts.stream().mapToDouble(v -> v.model().score()).max().orElse(Double.NaN));
        o.put("layersOver", verdicts.stream().mapToLong(v -> v.layers().stream()
                .filter(l -> l.drift().over()).count()).sum());
        o.put("finalState", verdicts.get(verdicts.size() - 1).model().state().name());
        return o;
    }
}
