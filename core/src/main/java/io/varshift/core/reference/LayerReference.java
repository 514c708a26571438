package io.varshift.core.reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.core.calibration.JsonFields;
import io.varshift.core.calibration.LayerCalibration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one BatchNorm layer carries from training (its running mean and running variance, per
 * channel) plus the calibrated nulls of its drift statistic, one per window size.
 */
public final class LayerReference {

    private final String name;
    private final double[] runningMean;
    private final double[] runningVar;
    private final List<LayerCalibration> calibrations;

    /**
     * @param name the BN layer's name, as the probes report it
     * @param runningMean stored running mean per channel
     * @param runningVar stored running variance per channel, each finite and &gt; 0
     * @param calibrations calibrations for distinct window sizes, each with the same channel count
     * @throws IllegalArgumentException naming the field and the value at fault
     */
    public LayerReference(String name, double[] runningMean, double[] runningVar, List<LayerCalibration> calibrations) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("layer reference: name is " + (name == null ? "null" : "blank")
                    + "; give the BatchNorm layer's name");
        }
        String owner = "layer '" + name + "'";
        if (runningMean == null || runningMean.length == 0) {
            throw new IllegalArgumentException(owner + ": runningMean is empty; it needs one value per channel");
        }
        if (runningVar == null || runningVar.length != runningMean.length) {
            throw new IllegalArgumentException(owner + ": runningVar has "
                    + (runningVar == null ? "no" : String.valueOf(runningVar.length)) + " values but runningMean has "
                    + runningMean.length + "; both need one value per channel");
        }
        for (int c = 0; c < runningMean.length; c++) {
            if (!Double.isFinite(runningMean[c])) {
                throw new IllegalArgumentException(owner + ": runningMean[" + c + "] = " + runningMean[c] + " is not finite");
            }
            if (!Double.isFinite(runningVar[c]) || runningVar[c] <= 0) {
                throw new IllegalArgumentException(owner + ": runningVar[" + c + "] = " + runningVar[c]
                        + " must be finite and > 0; the model's BatchNorm statistics are corrupt or untrained");
            }
        }
        List<LayerCalibration> checked = List.copyOf(calibrations == null ? List.of() : calibrations);
        Set<Integer> windowSizes = new HashSet<>();
        for (LayerCalibration cal : checked) {
            if (cal.channels() != runningMean.length) {
                throw new IllegalArgumentException(owner + ": calibration for window " + cal.windowSize() + " has "
                        + cal.channels() + " channels but the layer has " + runningMean.length);
            }
            if (!windowSizes.add(cal.windowSize())) {
                throw new IllegalArgumentException(owner + ": two calibrations for window size " + cal.windowSize()
                        + "; keep one per window size");
            }
        }
        this.name = name;
        this.runningMean = runningMean.clone();
        this.runningVar = runningVar.clone();
        this.calibrations = checked;
    }

    public String name() {
        return name;
    }

    public int channels() {
        return runningMean.length;
    }

    public double[] runningMean() {
        return runningMean.clone();
    }

    public double[] runningVar() {
        return runningVar.clone();
    }

    public List<LayerCalibration> calibrations() {
        return calibrations;
    }

    /** The calibration bootstrapped for windows of exactly {@code windowSize} samples, if any. */
    public Optional<LayerCalibration> calibrationFor(int windowSize) {
        return calibrations.stream().filter(c -> c.windowSize() == windowSize).findFirst();
    }

    /** This layer with one more calibration, replacing any for the same window size. */
    public LayerReference withCalibration(LayerCalibration calibration) {
        List<LayerCalibration> next = new ArrayList<>();
        for (LayerCalibration c : calibrations) {
            if (c.windowSize() != calibration.windowSize()) {
                next.add(c);
            }
        }
        next.add(calibration);
        return new LayerReference(name, runningMean, runningVar, next);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("channels", runningMean.length);
        o.add("runningMean", JsonFields.array(runningMean));
        o.add("runningVar", JsonFields.array(runningVar));
        JsonArray cals = new JsonArray();
        calibrations.forEach(c -> cals.add(c.toJson()));
        o.add("calibrations", cals);
        return o;
    }

    /** @throws IllegalArgumentException naming the layer and the field at fault */
    public static LayerReference fromJson(JsonObject o) {
        String name = new JsonFields("layer reference", o).string("name");
        String owner = "layer '" + name + "'";
        JsonFields f = new JsonFields(owner, o);
        int channels = f.integer("channels");
        if (channels < 1) {
            throw new IllegalArgumentException(owner + ": field 'channels' = " + channels + " must be >= 1");
        }
        double[] mean = f.doubles("runningMean");
        double[] var = f.doubles("runningVar");
        if (mean.length != channels || var.length != channels) {
            throw new IllegalArgumentException(owner + ": 'channels' = " + channels + " but 'runningMean' has "
                    + mean.length + " and 'runningVar' has " + var.length + " values");
        }
        List<LayerCalibration> cals = new ArrayList<>();
        JsonArray array = f.array("calibrations");
        for (int i = 0; i < array.size(); i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(owner + ": calibrations[" + i + "] must be a JSON object");
            }
            try {
                cals.add(LayerCalibration.fromJson(e.getAsJsonObject()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(owner + ": calibrations[" + i + "]: " + ex.getMessage(), ex);
            }
        }
        return new LayerReference(name, mean, var, cals);
    }
}
