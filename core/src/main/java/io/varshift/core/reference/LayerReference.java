package io.varshift.core.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;

/**
 * What one BatchNorm layer carries from training: its running mean and running variance, per
 * channel. The calibrated window test is the model's ({@link ModelReference#calibration()}).
 */
public final class LayerReference {

    private final String name;
    private final double[] runningMean;
    private final double[] runningVar;

    /**
     * @param name the BN layer's name, as the probes report it
     * @param runningMean stored running mean per channel
     * @param runningVar stored running variance per channel, each finite and &gt; 0
     * @throws IllegalArgumentException naming the field and the value at fault
     */
    public LayerReference(String name, double[] runningMean, double[] runningVar) {
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
        this.name = name;
        this.runningMean = runningMean.clone();
        this.runningVar = runningVar.clone();
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

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        o.put("channels", runningMean.length);
        o.set("runningMean", JsonFields.array(runningMean));
        o.set("runningVar", JsonFields.array(runningVar));
        return o;
    }

    /** @throws IllegalArgumentException naming the layer and the field at fault */
    public static LayerReference fromJson(JsonNode o) {
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
        return new LayerReference(name, mean, var);
    }
}
