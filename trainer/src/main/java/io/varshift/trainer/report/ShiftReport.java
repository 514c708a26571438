package io.varshift.trainer.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
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

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("model", model);
        o.put("version", version);
        o.set("spec", spec.toJson());
        o.put("runningStatistics", reestimatedBy == null ? "from training" : "re-estimated: " + reestimatedBy);
        o.put("trainSamples", trainSamples);
        o.put("heldOutSamples", heldOutSamples);
        o.put("trainAccuracy", trainAccuracy);
        o.put("heldOutAccuracy", heldOutAccuracy);
        ArrayNode list = o.putArray("layers");
        for (LayerShift l : layers) {
            ObjectNode layer = list.addObject();
            layer.put("layer", l.layer());
            layer.put("channels", l.channels());
            layer.put("movingVariance", l.movingVariance());
            split(layer.putObject("train"), l.onTrain(), l.movingVariance());
            split(layer.putObject("heldOut"), l.onHeldOut(), l.movingVariance());
            if (l.theory() == null) {
                layer.putNull("theory");
            } else {
                ObjectNode t = layer.putObject("theory");
                t.put("dropoutKind", l.theory().kind().id());
                t.put("retainRatio", l.theory().retainRatio());
                t.put("uoutBeta", l.theory().uoutBeta());
                t.put("delta", l.theory().delta());
                t.put("shift", Math.max(l.theory().delta(), 1 / l.theory().delta()));
                t.put("relativeDifference", l.onTrain().varianceRatio() / l.theory().delta() - 1);
                t.put("behindAnotherDropout", l.theory().behindAnotherDropout());
            }
        }
        return o;
    }

    private static void split(ObjectNode o, LayerStatistics s, double movingVariance) {
        o.put("realVariance", s.varianceRatio() * movingVariance);
        o.put("ratio", s.varianceRatio());
        o.put("shift", s.varianceShift());
        o.put("meanChannelShift", s.meanChannelShift());
        o.put("maxChannelShift", s.maxChannelShift());
        o.put("meanShift", s.meanShift());
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
