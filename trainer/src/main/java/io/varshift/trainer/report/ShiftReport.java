package io.varshift.trainer.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.spec.ModelSpec;

import java.util.List;
import java.util.Locale;

/**
 * A model version's variance-shift measurement; renders itself as JSON and as a text table.
 *
 * @param reestimatedBy how the running statistics were re-estimated (e.g. "adjust-bn from v1"), or null
 *     when they are the ones training left
 */
public record ShiftReport(String model, int version, ModelSpec spec, String reestimatedBy, int trainSamples,
                          int heldOutSamples,
                          double trainAccuracy, double heldOutAccuracy, List<LayerShift> layers) {

    public ShiftReport {
        layers = List.copyOf(layers);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.addProperty("version", version);
        o.add("spec", spec.toJson());
        o.addProperty("runningStatistics", reestimatedBy == null ? "from training" : "re-estimated: " + reestimatedBy);
        o.addProperty("trainSamples", trainSamples);
        o.addProperty("heldOutSamples", heldOutSamples);
        o.addProperty("trainAccuracy", trainAccuracy);
        o.addProperty("heldOutAccuracy", heldOutAccuracy);
        JsonArray list = new JsonArray();
        for (LayerShift l : layers) {
            JsonObject layer = new JsonObject();
            layer.addProperty("layer", l.layer());
            layer.addProperty("channels", l.channels());
            layer.addProperty("movingVariance", l.movingVariance());
            layer.add("train", split(l.onTrain(), l.movingVariance()));
            layer.add("heldOut", split(l.onHeldOut(), l.movingVariance()));
            if (l.theory() == null) {
                layer.add("theory", JsonNull.INSTANCE);
            } else {
                JsonObject t = new JsonObject();
                t.addProperty("dropoutKind", l.theory().kind().id());
                t.addProperty("retainRatio", l.theory().retainRatio());
                t.addProperty("uoutBeta", l.theory().uoutBeta());
                t.addProperty("delta", l.theory().delta());
                t.addProperty("shift", Math.max(l.theory().delta(), 1 / l.theory().delta()));
                t.addProperty("relativeDifference", l.onTrain().varianceRatio() / l.theory().delta() - 1);
                t.addProperty("behindAnotherDropout", l.theory().behindAnotherDropout());
                layer.add("theory", t);
            }
            list.add(layer);
        }
        o.add("layers", list);
        return o;
    }

    private static JsonObject split(LayerStatistics s, double movingVariance) {
        JsonObject o = new JsonObject();
        o.addProperty("realVariance", s.varianceRatio() * movingVariance);
        o.addProperty("ratio", s.varianceRatio());
        o.addProperty("shift", s.varianceShift());
        o.addProperty("meanChannelShift", s.meanChannelShift());
        o.addProperty("maxChannelShift", s.maxChannelShift());
        o.addProperty("meanShift", s.meanShift());
        return o;
    }

    /** The table printed by the command line and written to report.txt. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Variance shift of %s v%d (%s, dropout %s %s, retain ratio p = %.3f)%n",
                model, version, spec.architecture().id(), spec.dropoutPlacement().id(), spec.dropoutKind().id(),
                spec.retainRatio()));
        b.append(String.format(Locale.ROOT, "ratio = channel-averaged real variance (eval mode) / channel-averaged"
                + " moving variance; shift = max(r, 1/r)%n"));
        b.append(String.format(Locale.ROOT, "accuracy: training %.4f on %d samples, held-out %.4f on %d samples%n",
                trainAccuracy, trainSamples, heldOutAccuracy, heldOutSamples));
        b.append(reestimatedBy == null ? String.format("running statistics: from training%n%n")
                : String.format("running statistics: re-estimated (%s); the dropout theory does not apply%n%n",
                        reestimatedBy));
        String header = String.format(Locale.ROOT, "%-14s %5s %12s %11s %11s %11s %11s %11s%n", "layer", "ch",
                "moving var", "train r", "train shift", "held-out r", "held shift", "theory Δ");
        b.append(header);
        b.append("-".repeat(header.length() - 1)).append('\n');
        for (LayerShift l : layers) {
            b.append(String.format(Locale.ROOT, "%-14s %5d %12.5g %11.4f %11.4f %11.4f %11.4f %11s%n", l.layer(),
                    l.channels(), l.movingVariance(), l.onTrain().varianceRatio(), l.onTrain().varianceShift(),
                    l.onHeldOut().varianceRatio(), l.onHeldOut().varianceShift(),
                    l.theory() == null ? "-" : String.format(Locale.ROOT, "%.4f%s", l.theory().delta(),
                            l.theory().behindAnotherDropout() ? "*" : "")));
        }
        if (layers.stream().anyMatch(l -> l.theory() != null && l.theory().behindAnotherDropout())) {
            b.append("* an earlier dropout also shifts this layer's input; the measured ratio carries both shifts,"
                    + " Δ only the dropout directly before the layer\n");
        }
        return b.toString();
    }
}
